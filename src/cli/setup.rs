//! What commands set up from the [`Settings`]: logging, the connection to Partner Center or the
//! embedded sandbox, the state store, and loading the manifests with diagnostics on stderr.

use crate::settings::{Setting, Settings};

/// Sets up tracing on stderr (the filter is [`Settings::log_filter`]), then logs the settings
/// with their sources at debug level.
pub fn init_logging(g: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&g.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(g.color_stderr)
        .try_init();
    g.log();
}

/// Requests per minute used against the embedded sandbox when nobody set the budgets.
const SANDBOX_RATE_LIMIT: u32 = 60_000;

/// A connection to Partner Center or the embedded sandbox.
pub struct Connection {
    pub client: crate::partner_center::Client,
    /// The endpoint and partner tenant (no commit: see [`super::provenance::with_commit`]).
    pub provenance: crate::plan::Provenance,
    /// The embedded sandbox, when `--endpoint sandbox`.
    pub sandbox: Option<crate::sandbox::RunningSandbox>,
    /// Where the partner-wide rate window is kept for the next command.
    window: Window,
}

/// The rate window and the limiter whose sends it keeps.
struct Window {
    store: super::rate_window::RateWindow,
    limiter: crate::partner_center::RateLimiter,
    clock: std::sync::Arc<dyn crate::time::Clock>,
}

impl Window {
    async fn save(self) {
        self.store.save(&self.limiter, self.clock.wall()).await;
    }

    fn share(&self, store: &crate::store::Store) {
        if let Some(budget) = &store.budget {
            self.limiter
                .share_budget(budget.clone(), self.store.key().to_owned());
        }
    }
}

impl Connection {
    /// Takes every partner-wide request from the budget `store` shares between runners
    /// (PostgreSQL), besides this run's own window.
    pub fn share_budget_of(&self, store: &crate::store::Store) {
        self.window.share(store);
    }

    /// Ends the connection: keeps the rate window for the next command, and stops the embedded
    /// sandbox (which saves its world). Drop every other clone of the client first, or the
    /// sandbox waits for its idle connections.
    pub async fn close(self) {
        drop(self.client);
        self.window.save().await;
        if let Some(s) = self.sandbox {
            s.shutdown().await;
        }
    }
}

/// A connection whose client is reachable only as a read-only [`Reader`]: what `plan` holds, so
/// it has no code path that can write to Partner Center.
pub struct ReadConnection {
    pub reader: crate::partner_center::Reader,
    pub provenance: crate::plan::Provenance,
    sandbox: Option<crate::sandbox::RunningSandbox>,
    window: Window,
}

impl Connection {
    /// Gives up the writable client, keeping only a [`Reader`] over it.
    pub fn read_only(self) -> ReadConnection {
        ReadConnection {
            reader: crate::partner_center::Reader::new(&self.client),
            provenance: self.provenance,
            sandbox: self.sandbox,
            window: self.window,
        }
    }
}

impl ReadConnection {
    /// True when connected to the embedded sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// See [`Connection::share_budget_of`].
    pub fn share_budget_of(&self, store: &crate::store::Store) {
        self.window.share(store);
    }

    /// Ends the connection (see [`Connection::close`]); drop clones of the reader first.
    pub async fn close(self) {
        drop(self.reader);
        self.window.save().await;
        if let Some(s) = self.sandbox {
            s.shutdown().await;
        }
    }
}

/// Connects as `--endpoint` says: `sandbox` starts the embedded simulator (world kept in
/// `<state-dir>/sandbox/world.json`) and uses its App+User demo credentials; any other endpoint
/// takes credentials from the `PARTNER_CENTER_*` environment. Rate limits come from
/// `--rate-limit` / `--customer-rate-limit`.
pub async fn connect(g: &Settings) -> anyhow::Result<Connection> {
    use crate::partner_center::{
        Client, ClientConfig, Credentials, EndpointSpec, RateLimits, Secret,
    };
    let mut limits = RateLimits::new(g.rate_limit, g.customer_rate_limit);
    let (base, credentials, sandbox) = match EndpointSpec::parse(&g.endpoint)? {
        EndpointSpec::Sandbox => {
            let sb = crate::sandbox::embedded(&g.state_dir).await.map_err(|e| {
                super::errors::hinted(
                    format!(
                        "cannot start the embedded sandbox in {}",
                        g.state_dir.display()
                    ),
                    "the sandbox keeps its world in <state-dir>/sandbox/world.json: check that \
                     the folder is writable, or delete a damaged world.json to start over",
                    Some(anyhow::Error::new(e)),
                )
            })?;
            let c = sb.credentials();
            let creds = Credentials::app_user(
                &c.tenant_id,
                &c.client_id,
                Secret::new(c.client_secret),
                Secret::new(c.refresh_token),
                sb.authority().as_str().trim_end_matches('/'),
            );
            // The embedded sandbox does not throttle: unless a budget was set (flag or
            // environment), do not pace requests to it.
            if g.is_default(Setting::RateLimit) && g.is_default(Setting::CustomerRateLimit) {
                limits = RateLimits::new(SANDBOX_RATE_LIMIT, SANDBOX_RATE_LIMIT);
            }
            (sb.endpoint(), creds, Some(sb))
        }
        EndpointSpec::Url(url) => (url, Credentials::from_env()?, None),
    };
    let provenance =
        super::provenance::of_endpoint(sandbox.is_some(), &base, credentials.partner_tenant());
    let window = super::rate_window::RateWindow::new(
        &g.state_dir,
        base.as_str(),
        credentials.partner_tenant().as_deref().unwrap_or_default(),
    );
    let mut config = ClientConfig::new(base, credentials);
    config.rate_limits = limits;
    config.request_timeout = g.timeout;
    config.clock = g.clock.clone();
    let client = Client::new(config)?;
    // Requests an earlier command sent within the last minute still count at the server.
    window.restore(client.rate_limiter(), g.clock.wall()).await;
    Ok(Connection {
        window: Window {
            store: window,
            limiter: client.rate_limiter().clone(),
            clock: g.clock.clone(),
        },
        client,
        provenance,
        sandbox,
    })
}

/// The declared customers `--customer ID|NAME` selects (all when no filter is given). A filter
/// value that matches no declared customer's id or name (case-insensitive) is an error.
pub fn filter_customers(
    desired: &mut crate::manifest::DesiredState,
    filters: &[String],
) -> anyhow::Result<()> {
    if filters.is_empty() {
        return Ok(());
    }
    let matches = |c: &crate::manifest::DesiredCustomer, f: &str| {
        let f = f.trim();
        c.id.eq_ignore_ascii_case(f) || c.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(f))
    };
    let filters = &crate::views::customers::expand(filters, |v| {
        desired.customers.iter().any(|c| matches(c, v))
    });
    let unknown: Vec<&str> = filters
        .iter()
        .filter(|f| !desired.customers.iter().any(|c| matches(c, f)))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = desired.customers.iter().map(|c| c.label()).collect();
        let hints: Vec<String> = unknown
            .iter()
            .filter_map(|u| {
                let names = desired.customers.iter().filter_map(|c| c.name.as_deref());
                let s = crate::views::customers::closest(u, names)?;
                Some(match unknown.len() {
                    1 => format!("{s:?}"),
                    _ => format!("{s:?} for {u:?}"),
                })
            })
            .collect();
        let hint = match hints.is_empty() {
            true => String::new(),
            false => format!("; did you mean {}?", hints.join(", ")),
        };
        anyhow::bail!(
            "--customer {} matches no customer in the manifests (declared: {}){hint}",
            unknown.join(", "),
            known.join(", ")
        );
    }
    desired
        .customers
        .retain(|c| filters.iter().any(|f| matches(c, f)));
    Ok(())
}

/// Loads the manifests, printing diagnostics (and, unless `--quiet`, warnings) on stderr;
/// `None` when they have errors, so the caller contacts nothing.
pub fn load_manifests(
    paths: &[std::path::PathBuf],
    g: &Settings,
) -> Option<crate::manifest::DesiredState> {
    let out = super::output::Printer::new(g);
    let color = out.color_stderr();
    let loaded = match crate::manifest::load(paths) {
        Ok(l) => l,
        Err(diags) => {
            for d in diags.all() {
                match d.is_error() {
                    true => out.warn(&d.render(color)),
                    false => out.note(&d.render(color)),
                }
            }
            out.warn(&format!(
                "error: the manifests have {} error(s); nothing was contacted",
                diags.errors.len()
            ));
            return None;
        }
    };
    for w in &loaded.warnings {
        out.note(&w.render(color));
    }
    if !loaded.skipped.is_empty() {
        out.note(&format!(
            "note: skipped {} YAML file(s) that are not reservoir manifests (no top-level \
             `customers:`); `reservoir validate` lists them",
            loaded.skipped.len()
        ));
    }
    Some(loaded.desired)
}

/// `--fresh-state` (on `plan` and `apply`): deprecated and without effect. A state dir without a
/// purchase journal no longer blocks purchases: the partner activity log witnesses what other
/// runs bought (see [`crate::observe::activity`]). Still accepted (flag and
/// `RESERVOIR_FRESH_STATE`) so existing pipelines keep working; [`FreshStateArg::warn`] says so.
#[derive(Debug, Clone, clap::Args)]
pub struct FreshStateArg {
    /// Deprecated, no effect: a state dir without a purchase journal no longer blocks purchases
    /// (the partner activity log shows what other runs bought in the last 30 minutes).
    #[arg(
        long,
        env = "RESERVOIR_FRESH_STATE",
        value_parser = parse_fresh_state,
        default_value_t = false
    )]
    pub fresh_state: bool,
}

/// `RESERVOIR_FRESH_STATE`: `1`/`true`/`yes`/`on` assert it, `0`/`false`/`no`/`off` or empty
/// do not; anything else is an error (a typo must not assert anything).
fn parse_fresh_state(v: &str) -> Result<bool, NotABoolean> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(NotABoolean(other.to_owned())),
    }
}

/// A yes/no value that is neither (the lower-cased value as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not 1/true/yes/on or 0/false/no/off")]
pub struct NotABoolean(String);

impl FreshStateArg {
    /// The deprecation note for stderr, when the flag (or `RESERVOIR_FRESH_STATE`) asserts it.
    pub fn deprecation(&self) -> Option<&'static str> {
        self.fresh_state.then_some(
            "note: --fresh-state (RESERVOIR_FRESH_STATE) is deprecated and has no effect: a state \
             dir without a purchase journal no longer blocks purchases, because the partner \
             activity log shows what other runs bought in the last 30 minutes",
        )
    }

    /// Prints [`FreshStateArg::deprecation`] on stderr (even with `--quiet`: it asks the user
    /// to change a pipeline).
    pub fn warn(&self) {
        if let Some(note) = self.deprecation() {
            super::output::eprint(note);
        }
    }
}

/// Opens the state store (`create`: create a missing directory journal; see
/// [`crate::store::Store::dir`]). Errors never contain the store's password.
pub async fn open_store(g: &Settings, create: bool) -> anyhow::Result<crate::store::Store> {
    let location = &g.state;
    crate::store::Store::open(location, create)
        .await
        .map(|s| s.with_clock(g.clock.clone()))
        .map_err(|e| anyhow::Error::new(e).context(format!("state store {}", location.display())))
}

#[cfg(test)]
mod tests {
    use super::{FreshStateArg, parse_fresh_state};

    #[test]
    fn fresh_state_is_asserted_only_by_a_clear_yes_and_a_typo_is_an_error() {
        for yes in ["1", "true", "YES", "on"] {
            assert_eq!(parse_fresh_state(yes), Ok(true), "{yes}");
        }
        for no in ["", "0", "false", "No", "off"] {
            assert_eq!(parse_fresh_state(no), Ok(false), "{no}");
        }
        assert!(parse_fresh_state("maybe").is_err());
    }

    #[test]
    fn fresh_state_only_earns_a_deprecation_note() {
        let on = FreshStateArg { fresh_state: true };
        assert!(on.deprecation().is_some_and(|n| n.contains("deprecated")));
        assert_eq!(FreshStateArg { fresh_state: false }.deprecation(), None);
    }
}
