//! `reservoir apply`: load the manifests (and a saved plan with `--plan`), observe, check the
//! guardrails, show the plan on stdout, ask for `yes` (unless `--auto-approve`), then run
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

use super::{EXIT_ERROR, GlobalArgs, output, settings};
use crate::apply::preflight::{Preflight, check_saved, preflight};
use crate::apply::run::{Approved, Context, RunOptions, observe_all};
use crate::apply::{ApplyOptions, ApplyReport, Backoff, CustomerReport};
use crate::catalog::Catalog;
use crate::partner_center::Reader;
use crate::plan::SavedPlan;
use std::io::IsTerminal;
use std::process::ExitCode;
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
    /// How long to wait for another apply holding a customer lock (e.g. 60s).
    #[arg(long, default_value = "60s")]
    pub lock_timeout: String,
    /// How long to wait for a subscription registration to complete.
    #[arg(long, default_value = "10m")]
    pub registration_timeout: String,
    /// How long the partner activity log may lag behind an order: the check right before each
    /// checkout waits until this long after the customer was re-read, so orders another run
    /// placed before then are visible to it (e.g. 10s; 0 turns the wait off).
    #[arg(long, env = "RESERVOIR_ACTIVITY_LOG_LAG", default_value = "10s")]
    pub activity_log_lag: String,
    /// Write a JSON receipt of what was bought.
    #[arg(long)]
    pub receipt: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub fresh: settings::FreshStateArg,
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

pub async fn run(args: ApplyArgs, g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let lock_timeout = duration("--lock-timeout", &args.lock_timeout)?;
    let registration_timeout = duration("--registration-timeout", &args.registration_timeout)?;
    // The embedded sandbox lives in this process and this state dir: no other runner can buy
    // from it, so there is no lag to wait out.
    let activity_log_lag = match duration("--activity-log-lag", &args.activity_log_lag)? {
        _ if settings::is_embedded_sandbox(g) => Duration::ZERO,
        d => d,
    };
    let stderr_color = settings::use_color_stderr(g);

    let saved = match &args.plan {
        Some(path) => {
            let saved = SavedPlan::read(path)?;
            if let Err(refusal) = check_saved(&saved, chrono::Utc::now()) {
                output::eprint(&format!(
                    "error: refusing to apply {}: {refusal}",
                    path.display()
                ));
                return Ok(ExitCode::from(EXIT_ERROR));
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
            match settings::load_manifests(&paths, g) {
                Some(d) => d,
                None => return Ok(ExitCode::from(EXIT_ERROR)),
            }
        }
    };
    settings::filter_customers(&mut desired, &g.customers)?;

    args.fresh.warn();
    // A state dir without a journal gets one: the activity log witnesses what other runs bought.
    let store = settings::open_store(g, true).await?;
    #[cfg(feature = "fault-injection")]
    let store = super::crash::install(store)?;
    let opts = RunOptions {
        parallelism: usize::from(g.parallelism),
        lock_timeout,
        state_dir: g.state_dir.clone(),
        engine: ApplyOptions {
            registration_timeout,
            activity_log_lag,
            backoff: Backoff::new(Duration::from_secs(1), 2, Duration::from_secs(30)),
            ..ApplyOptions::default()
        },
    };

    let conn = settings::connect(g).await?;
    let catalog = Catalog::new(Reader::new(&conn.client));
    let observation = observe_all(&desired, &conn.client, &catalog, &store.journal, &opts).await;
    drop(catalog);
    let saved_plan = saved.as_ref().map(|s| &s.plan);
    let Preflight { plan, refusal } = preflight(&desired, &observation, saved_plan, args.max_units);
    let text = crate::render::render_plan(
        &plan,
        crate::render::Format::Text,
        settings::use_color_stdout(g),
    );
    print_out(&text)?;
    if let Some(saved) = saved_plan {
        let blocked = saved_blocked_text(saved, &plan);
        if !blocked.is_empty() {
            print_out(&blocked)?;
        }
    }
    if let Some(refusal) = refusal {
        conn.close().await;
        match &args.plan {
            Some(path) => output::eprint(&format!(
                "error: refusing to apply {}: {refusal}",
                path.display()
            )),
            None => output::eprint(&format!("error: refusing to apply: {refusal}")),
        }
        return Ok(ExitCode::from(EXIT_ERROR));
    }

    if plan.has_changes() && !args.auto_approve {
        let approved = match super::prompt::confirm("Do you want to perform these actions?") {
            Ok(yes) => yes,
            Err(e) => {
                conn.close().await;
                output::eprint(&format!("error: {e}"));
                return Ok(ExitCode::from(EXIT_ERROR));
            }
        };
        if !approved {
            conn.close().await;
            output::eprint("apply cancelled; nothing was done");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    }

    let names: std::collections::BTreeMap<String, String> = desired
        .customers
        .iter()
        .map(|c| (c.id.clone(), c.label().to_owned()))
        .collect();
    let interactive = !g.quiet && std::io::stderr().is_terminal();
    let progress = super::progress::Progress::new(interactive, stderr_color, names.clone());
    let interrupt = opts.engine.interrupt.clone();
    let waits = progress.waits();
    let watcher = super::interrupt::watch(
        interrupt.clone(),
        move || waits.writes_in_flight(),
        progress.notes(),
    )?;
    let heartbeat = (!g.quiet && !progress.is_interactive())
        .then(|| super::waits::spawn_heartbeat(progress.waits(), names, super::waits::interval()));
    let ctx = Context {
        desired: &desired,
        client: &conn.client,
        store: &store,
        reporter: &progress,
        opts: &opts,
    };
    let report = crate::apply::run::run(
        &ctx,
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

    print_out(&results_text(&report))?;
    if let Some(path) = &args.receipt {
        report
            .write(path)
            .map_err(|e| anyhow::anyhow!("cannot write the receipt {}: {e}", path.display()))?;
        if !g.quiet {
            output::eprint(&format!("wrote the receipt to {}", path.display()));
        }
    }
    watcher.abort();
    if interrupt.is_requested() {
        output::eprint(
            "interrupted: what was in flight finished and is journalled; run apply again to do \
             the rest",
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// Rows the saved plan blocked (or could not observe) that the plan shown above no longer
/// carries — a plan rebuilt from the saved one declares only what it could act on — so the user
/// sees before confirming what will not be bought.
fn saved_blocked_text(saved: &crate::plan::Plan, shown: &crate::plan::Plan) -> String {
    use crate::plan::Action;
    let is_blocked = |a: &Action| matches!(a, Action::Blocked | Action::Error);
    let lines: Vec<String> = saved
        .rows
        .iter()
        .filter(|r| is_blocked(&r.action))
        .filter(|r| {
            !shown
                .rows
                .iter()
                .any(|s| is_blocked(&s.action) && s.label() == r.label())
        })
        .map(|r| {
            format!(
                "  x {}: {}",
                r.label(),
                r.reason.as_deref().unwrap_or("blocked")
            )
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nBlocked in the saved plan (apply does not act on these):\n{}\n",
        lines.join("\n")
    )
}

fn print_out(text: &str) -> anyhow::Result<()> {
    output::print(text)?;
    Ok(())
}

/// Each customer's result, then the summary line.
pub fn results_text(report: &ApplyReport) -> String {
    let mut s = String::from("\n");
    for c in &report.customers {
        customer_text(&mut s, c);
    }
    s.push_str(&report.summary_line());
    s.push('\n');
    s
}

fn customer_text(s: &mut String, c: &CustomerReport) {
    let o = &c.outcome;
    let name = o.customer_name.as_deref().unwrap_or(&o.customer_id);
    let status = serde_json::to_value(c.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    s.push_str(&format!("{name}: {status}\n"));
    for r in &o.registrations {
        match &r.detail {
            Some(d) => s.push_str(&format!(
                "  registration of {}: {} ({d})\n",
                r.subscription_id, r.status
            )),
            None => s.push_str(&format!(
                "  registration of {}: {}\n",
                r.subscription_id, r.status
            )),
        }
    }
    for order in &o.orders {
        let units: u32 = order.lines.iter().map(|l| l.quantity).sum();
        let items: Vec<String> = order
            .lines
            .iter()
            .map(|l| {
                format!(
                    "{} × {}",
                    l.quantity,
                    l.item_name.as_deref().unwrap_or(&l.catalog_item_id)
                )
            })
            .collect();
        s.push_str(&format!(
            "  order {} {} ({units} unit(s): {})\n",
            order.order_id,
            order.status,
            items.join(", ")
        ));
    }
    for f in &o.failures {
        s.push_str(&format!(
            "  failed: {} × {} — {} {}\n",
            f.quantity, f.item_name, f.code, f.description
        ));
    }
    for u in &o.unknown {
        let items: Vec<String> = u
            .lines
            .iter()
            .map(|l| {
                l.item_name
                    .clone()
                    .unwrap_or_else(|| l.catalog_item_id.clone())
            })
            .collect();
        s.push_str(&format!(
            "  unconfirmed: '{}' for {} — counted as pending; the next apply resumes it\n",
            u.step,
            items.join(", ")
        ));
    }
    for a in &o.anomalies {
        s.push_str(&format!("  did not add up: {a}\n"));
    }
    if let Some(e) = &o.journal_error {
        s.push_str(&format!("  journal error: {e}\n"));
    }
    if let Some(e) = &c.error {
        s.push_str(&format!("  not applied: {e}\n"));
    }
    for b in &c.blocked {
        s.push_str(&format!("  blocked: {b}\n"));
    }
}
