//! `reservoir apply`: load the manifests (and a saved plan with `--plan`), lock every in-scope
//! customer, observe them once, check the guardrails, show the plan on stdout, ask for `yes` (unless `--auto-approve`), then run
//! [`crate::apply::run::run`] and print each customer's result and a summary line on stdout;
//! progress and logs go to stderr. `--receipt FILE` writes the JSON report.
//!
//! When the plan has nothing to change, apply asks nothing; it still finishes purchases an
//! earlier (approved) run left unfinished in the journal.
//!
//! Recent purchases of other runs, tools and people are read from the partner activity log, so
//! a state dir without a purchase journal blocks nothing: apply creates the journal.
//! `--fresh-state` is a deprecated no-op. Right before each checkout the activity log is read
//! again for the customer ([`crate::apply::witness`]): an order the plan did not know abandons
//! that customer's cart.
//!
//! Exit codes: 0 when everything planned was done; 1 when anything failed or was blocked (other
//! customers still proceed), the run was refused or not approved, or interrupted by Ctrl-C; 130
//! after a second Ctrl-C (see [`super::interrupt`]).
//!
//! Off a terminal, a heartbeat line says at least every 30 s what each customer waits for
//! ([`super::waits`]). A closed stdout or stderr does not stop a run: the rest of the output is
//! dropped (see [`super::output`]).
//!
//! Built with the `fault-injection` feature (tests only), `RESERVOIR_TEST_CRASH_AFTER` aborts the
//! process at a point of the purchase protocol (see [`super::crash`]).

use super::{output, setup};
use crate::apply::preflight::{Preflight, check_saved, preflight};
use crate::apply::run::{Approved, Context, RunOptions, prepare};
use crate::apply::{ApplyEvent, ApplyOptions, Backoff};
use crate::exit::ExitStatus;
use crate::observe::InventoryCheck;
use crate::settings::Settings;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml; default: the current folder).
    /// With --plan, optional: the plan carries what it needs; when given, they must be the
    /// manifests the plan was made from.
    pub paths: Vec<std::path::PathBuf>,
    /// Apply a plan saved by `plan --out` (refused if expired or stale).
    #[arg(long)]
    pub plan: Option<std::path::PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Refuse to buy more than this many units in this run.
    #[arg(long)]
    pub max_units: Option<u32>,
    /// Refuse the run when its purchases would commit more than this, e.g. `250000USD` (a plain
    /// amount is USD). A purchase whose price is unknown or in another currency fails it closed.
    #[arg(long, value_name = "AMOUNT[CUR]", value_parser = crate::prices::money::Money::parse)]
    pub max_commitment: Option<crate::prices::money::Money>,
    /// How long to wait for another apply holding a customer lock (e.g. 60s).
    #[arg(long, default_value = "60s")]
    pub lock_timeout: String,
    /// How long to wait for a subscription registration to complete.
    #[arg(long, default_value = "10m")]
    pub registration_timeout: String,
    /// How long the partner activity log may lag behind an order: the check right before each
    /// checkout waits until this long after the customer was re-read, so orders another run
    /// placed before then are visible to it; a read of the log sent at most this long before a
    /// check asked serves it too (e.g. 10s; 0 turns the wait off and reads after each ask).
    #[arg(long, env = "RESERVOIR_ACTIVITY_LOG_LAG", default_value = "10s")]
    pub activity_log_lag: String,
    /// Check the inventory of every item before its cart, as `plan` does (one call per
    /// subscription, SKU and region), so a restricted SKU is a blocked row of the plan shown.
    /// Without it the cart checks: it refuses a restricted line (10003), which apply takes out
    /// and reports as failed while it buys the rest.
    #[arg(long)]
    pub check_inventory: bool,
    /// Output: `text` for people, or `json`: one JSON event per line on stdout (plan,
    /// customer_started, registration, resumed, cart_created, order_placed, failed,
    /// customer_finished, summary — each with `version`, `type` and `timestamp`; see
    /// docs/events.md). `json` needs --auto-approve.
    #[arg(
        long,
        value_enum,
        default_value = "text",
        requires_if("json", "auto_approve")
    )]
    pub format: ApplyFormat,
    /// Write a JSON receipt of what was bought.
    #[arg(long)]
    pub receipt: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub fresh: setup::FreshStateArg,
}

/// `apply --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApplyFormat {
    Text,
    Json,
}

/// Parses a duration like `60s`, `10m`, `1h`; `0` / `0s` is zero.
fn duration(flag: &str, value: &str) -> anyhow::Result<Duration> {
    let v = value.trim();
    if v.trim_end_matches('s').chars().all(|c| c == '0') && !v.is_empty() {
        return Ok(Duration::ZERO);
    }
    crate::plan::parse_ttl(v)
        .ok()
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| anyhow::anyhow!("{flag} {value:?}: expected a duration like 30s, 10m or 1h"))
}

pub async fn run(args: ApplyArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let lock_timeout = duration("--lock-timeout", &args.lock_timeout)?;
    let registration_timeout = duration("--registration-timeout", &args.registration_timeout)?;
    // The embedded sandbox lives in this process and this state dir: no other runner can buy
    // from it, so there is no lag to wait out.
    let activity_log_lag = match duration("--activity-log-lag", &args.activity_log_lag)? {
        _ if g.is_embedded_sandbox() => Duration::ZERO,
        d => d,
    };
    let out = output::Printer::new(g).with_format(args.format);
    let json = args.format == ApplyFormat::Json;

    let saved = match &args.plan {
        Some(path) => {
            let saved = crate::store::plan_file::read(path)?;
            if let Err(refusal) = check_saved(&saved, g.clock.wall()) {
                return Err(refuse(out, g, Some(path), &refusal));
            }
            Some(saved)
        }
        None => None,
    };

    let mut desired = match (&saved, args.paths.is_empty()) {
        (Some(saved), true) => {
            let path = args.plan.as_deref().unwrap_or(std::path::Path::new("plan"));
            crate::apply::from_plan::desired_from_plan(&saved.plan, path)
        }
        _ => {
            let paths = if args.paths.is_empty() {
                vec![std::path::PathBuf::from(".")]
            } else {
                args.paths.clone()
            };
            match setup::load_manifests(&paths, g) {
                Some(d) => d,
                None => return Ok(ExitStatus::Error),
            }
        }
    };
    setup::filter_customers(&mut desired, &g.customers)?;

    args.fresh.warn();
    // A state dir without a journal gets one: the activity log witnesses what other runs bought.
    let store = setup::open_store(g, true).await?;
    #[cfg(feature = "fault-injection")]
    let store = super::crash::install(store)?;
    let opts = RunOptions {
        parallelism: usize::from(g.parallelism),
        lock_timeout,
        engine: ApplyOptions {
            registration_timeout,
            activity_log_lag,
            backoff: Backoff::new(Duration::from_secs(1), 2, Duration::from_secs(30)),
            clock: g.clock.clone(),
            ..ApplyOptions::default()
        },
        inventory: if args.check_inventory {
            InventoryCheck::Observe
        } else {
            InventoryCheck::Cart
        },
    };

    let conn = setup::connect(g).await?;
    conn.share_budget_of(&store);
    if let Some(refusal) = saved
        .as_ref()
        .and_then(|s| s.plan.provenance.as_ref())
        .and_then(|p| conn.provenance.mismatch(p))
    {
        conn.close().await;
        return Err(refuse(out, g, args.plan.as_deref(), &refusal));
    }
    let provenance = match saved.as_ref().and_then(|s| s.plan.provenance.as_ref()) {
        Some(p) if args.paths.is_empty() => crate::plan::Provenance {
            commit: p.commit.clone(),
            ..conn.provenance.clone()
        },
        _ => super::provenance::with_commit(
            conn.provenance.clone(),
            g.commit.as_deref(),
            &args.paths,
        ),
    };
    // Every in-scope customer is locked first, then observed once: the plan shown is the one
    // acted on (DESIGN §5 steps 1-2).
    let waits = LockWaits { out };
    let prepared = prepare(&Context {
        desired: &desired,
        client: &conn.client,
        store: &store,
        reporter: &waits,
        opts: &opts,
    })
    .await;
    let saved_plan = saved.as_ref().map(|s| &s.plan);
    let Preflight { mut plan, refusal } =
        preflight(&desired, &prepared.observation, saved_plan, args.max_units);
    if let Some(limit) = &args.max_commitment {
        plan.limit_commitment(limit, crate::plan::money_limits::FLAG_LIMIT);
    }
    // A money guardrail refuses the whole run, like the unit guardrail.
    let refusal: Option<String> = refusal
        .map(|r| r.to_string())
        .or_else(|| plan.money_refusal());
    plan.provenance = Some(provenance.clone());
    if json {
        out.event(&crate::render::events::plan(&plan, g.clock.wall()));
    } else {
        let text = crate::render::render_plan(&plan, crate::render::Format::Text, out.color());
        out.line(&text)?;
        if let Some(saved) = saved_plan {
            let blocked = crate::render::receipt::saved_blocked_text(saved, &plan);
            if !blocked.is_empty() {
                out.line(&blocked)?;
            }
        }
    }
    if let Some(refusal) = refusal {
        prepared.release_all(&store).await;
        conn.close().await;
        return Err(refuse(out, g, args.plan.as_deref(), &refusal));
    }

    if plan.has_changes() && !args.auto_approve {
        let approved = match super::prompt::confirm("Do you want to perform these actions?") {
            Ok(yes) => yes,
            Err(e) => {
                prepared.release_all(&store).await;
                conn.close().await;
                return Err(e.into());
            }
        };
        if !approved {
            prepared.release_all(&store).await;
            conn.close().await;
            out.warn("apply cancelled; nothing was done");
            return Ok(ExitStatus::Error);
        }
    }

    let names: std::collections::BTreeMap<String, String> = desired
        .customers
        .iter()
        .map(|c| (c.id.clone(), c.label().to_owned()))
        .collect();
    let progress = super::progress::Progress::new(
        out.live_progress(),
        out.color_stderr(),
        names.clone(),
        g.clock.clone(),
    );
    let interrupt = opts.engine.interrupt.clone();
    let waits = progress.waits();
    let watcher = super::interrupt::watch(
        interrupt.clone(),
        move || waits.writes_in_flight(),
        progress.notes(),
    )?;
    let heartbeat = out
        .heartbeat()
        .then(|| super::waits::spawn_heartbeat(progress.waits(), names, g.heartbeat_interval));
    let events = super::events::JsonEvents {
        inner: &progress,
        clock: g.clock.clone(),
        names: desired
            .customers
            .iter()
            .map(|c| (c.id.clone(), c.label().to_owned()))
            .collect(),
        out,
    };
    let ctx = Context {
        desired: &desired,
        client: &conn.client,
        store: &store,
        reporter: if json { &events } else { &progress },
        opts: &opts,
    };
    let report = crate::apply::run::run(
        &ctx,
        &prepared,
        Approved {
            shown: &plan,
            saved: saved_plan,
        },
    )
    .await;
    if let Some(h) = heartbeat {
        h.abort();
    }
    progress.finish();
    conn.close().await;

    if json {
        // Each customer_finished event went out as that customer finished.
        let now = g.clock.wall();
        out.event(&crate::render::events::summary(&report, &provenance, now));
    } else {
        out.line(&crate::render::receipt::results_text(&report, &provenance))?;
    }
    if let Some(path) = &args.receipt {
        report.write(path).map_err(|e| {
            anyhow::Error::new(e).context(format!("cannot write the receipt {}", path.display()))
        })?;
        out.note(&format!("wrote the receipt to {}", path.display()));
    }
    watcher.abort();
    if interrupt.is_requested() {
        out.warn(
            "interrupted: what was in flight finished and is journalled; run apply again to do \
             the rest",
        );
        return Ok(ExitStatus::Error);
    }
    Ok(report.exit_code())
}

/// Why the run is refused, as the error `cli::main` prints (with `--format json`, also emitted
/// as a `refused` event).
fn refuse(
    out: output::Printer,
    g: &Settings,
    plan_file: Option<&std::path::Path>,
    refusal: &dyn std::fmt::Display,
) -> anyhow::Error {
    let message = match plan_file {
        Some(path) => format!("refusing to apply {}: {refusal}", path.display()),
        None => format!("refusing to apply: {refusal}"),
    };
    if out.is_machine() {
        out.event(&crate::render::events::refused(&message, g.clock.wall()));
    }
    anyhow::Error::msg(message)
}

/// Says on stderr (unless `--quiet`) when a customer's lock is held by another run while the
/// customers are locked before observing.
struct LockWaits {
    out: output::Printer,
}

impl crate::apply::Reporter for LockWaits {
    fn event(&self, customer_id: &str, event: &ApplyEvent) {
        if let ApplyEvent::WaitingForLock { holder } = event {
            self.out.note(&format!(
                "customer {customer_id}: waiting for its lock, held by {}",
                holder.as_deref().unwrap_or("another apply")
            ));
        }
    }
}
