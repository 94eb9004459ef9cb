//! `reservoir state`: list the held locks (holder, age, expiry), break one with `unlock CUSTOMER
//! --force` (journalled), and copy a directory store into PostgreSQL with `migrate --to URL`.

use super::output::Printer;
use super::setup;
use crate::exit::ExitStatus;
use crate::settings::Settings;
use crate::store::{HolderInfo, StateLocation, Store};

#[derive(Debug, clap::Subcommand)]
pub enum StateCommand {
    /// List the customer locks held now: holder, age and expiry.
    Locks,
    /// Break a customer's lock whoever holds it. The holder's later journal writes are refused
    /// (fenced), and who broke it is journalled.
    Unlock {
        /// The customer id.
        customer: String,
        /// Required: breaking a live run's lock is only safe if that run is really gone.
        #[arg(long)]
        force: bool,
    },
    /// Copy the directory store (journal records and caches) into a PostgreSQL store.
    Migrate {
        /// The PostgreSQL store to copy into (`postgres://…`).
        #[arg(
            long,
            value_name = "URL",
            env = "RESERVOIR_MIGRATE_TO",
            hide_env_values = true
        )]
        to: String,
    },
}

pub async fn run(cmd: StateCommand, g: &Settings) -> anyhow::Result<ExitStatus> {
    match cmd {
        StateCommand::Locks => locks(g).await,
        StateCommand::Unlock { customer, force } => unlock(g, &customer, force).await,
        StateCommand::Migrate { to } => migrate(g, &to).await,
    }
}

async fn locks(g: &Settings) -> anyhow::Result<ExitStatus> {
    let store = setup::open_store(g, false).await?;
    let list = store.locks.list().await?;
    let now = store.clock.wall();
    let mut out = format!("state store: {}\n", store.location);
    if list.is_empty() {
        out.push_str("no customer is locked\n");
    }
    for l in &list {
        let holder = l
            .holder
            .as_ref()
            .map_or_else(|| "holder unknown".to_owned(), HolderInfo::to_string);
        let age = l
            .acquired_at
            .map(|t| format!("{}s", (now - t).num_seconds().max(0)))
            .unwrap_or_else(|| "?".into());
        let expiry = l.expires_at.map_or_else(
            || "held until the holder exits".to_owned(),
            |t| format!("expires in {}s", (t - now).num_seconds().max(0)),
        );
        out.push_str(&format!(
            "{}  epoch {}  age {}  {}  {}\n",
            l.customer_id, l.epoch, age, expiry, holder
        ));
    }
    Printer::new(g).write(&out)?;
    Ok(ExitStatus::Success)
}

async fn unlock(g: &Settings, customer: &str, force: bool) -> anyhow::Result<ExitStatus> {
    if !force {
        anyhow::bail!(
            "refusing to break the lock of customer {customer} without --force: only do it when \
             the run holding it is gone"
        );
    }
    let store = setup::open_store(g, false).await?;
    let by = HolderInfo::current("reservoir state unlock --force", store.clock.wall());
    match store.locks.force_unlock(customer, &by).await? {
        Some(info) => {
            if !matches!(&g.state, StateLocation::Postgres(_)) {
                // The PostgreSQL store journals it itself, in the same call.
                let record = crate::store::Record::LockBroken {
                    at: by.started_at,
                    by,
                    holder: info.holder.clone(),
                    epoch: info.epoch,
                };
                if store.journal.exists() {
                    store.journal.append(customer, &record).await?;
                }
            }
            let holder = info
                .holder
                .map_or_else(|| "holder unknown".to_owned(), |h| h.to_string());
            Printer::new(g).line(&format!(
                "broke the lock of customer {customer} (epoch {}, {holder})",
                info.epoch
            ))?;
        }
        None => Printer::new(g).line(&format!("customer {customer} is not locked"))?,
    }
    Ok(ExitStatus::Success)
}

async fn migrate(g: &Settings, to: &str) -> anyhow::Result<ExitStatus> {
    let target = StateLocation::parse(to);
    let StateLocation::Postgres(url) = &target else {
        anyhow::bail!("--to must be a postgres:// URL, not {}", target.display());
    };
    let source = Store::dir(&g.state_dir, false)?;
    let pg = crate::store::postgres::PgStore::connect(url)
        .await
        .map_err(|e| anyhow::Error::new(e).context(format!("state store {}", target.display())))?;
    let copied = copy(&source, &pg).await?;
    Printer::new(g).line(&format!(
        "copied {} journal record(s) of {} customer(s) and {} cache entr(ies) from {} to {}",
        copied.records,
        copied.customers,
        copied.cache,
        g.state_dir.display(),
        target.display()
    ))?;
    Ok(ExitStatus::Success)
}

/// What [`copy`] copied.
pub struct Copied {
    pub customers: usize,
    pub records: usize,
    pub cache: usize,
}

/// Copies journal records and cache entries of a directory store into PostgreSQL. Refuses a
/// customer that already has records there (copying twice would duplicate intents).
pub async fn copy(source: &Store, pg: &crate::store::postgres::PgStore) -> anyhow::Result<Copied> {
    use crate::store::{Cache, JournalStore};
    let mut copied = Copied {
        customers: 0,
        records: 0,
        cache: 0,
    };
    for customer in source.journal.customers().await? {
        let records = source.journal.read(&customer).await?;
        if !JournalStore::read(pg, &customer).await?.records.is_empty() {
            anyhow::bail!(
                "customer {customer} already has journal records in the target store; nothing \
                 more was copied for it or after it"
            );
        }
        for r in &records.records {
            pg.append_unfenced(&customer, r).await?;
        }
        copied.customers += 1;
        copied.records += records.records.len();
    }
    for key in source.cache.list("").await? {
        if let Some(entry) = source.cache.entry(&key.namespace, &key.key).await? {
            Cache::put(pg, &key.namespace, &key.key, &entry).await?;
            copied.cache += 1;
        }
    }
    Ok(copied)
}
