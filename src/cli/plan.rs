//! `reservoir plan`: load the manifests, observe every declared customer (read-only), diff, and
//! print the plan. `--out` saves it for `apply --plan` / `show`. Only the rendered plan goes to
//! stdout; diagnostics, progress and logs go to stderr. Recent purchases are read from the
//! journal (plan never creates it), orders fetched by id and the partner activity log; the plan
//! says which were consulted. `--fresh-state` is a deprecated no-op
//! ([`setup::FreshStateArg`]).

use super::output::Printer;
use super::setup;
use crate::catalog::Catalog;
use crate::exit::ExitStatus;
use crate::observe::{self, ObserveOptions};
use crate::plan::{SavedPlan, parse_ttl};
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml).
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
    /// Save the plan (JSON, with fingerprints and an expiry) for `apply --plan`.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::render::Format,
    /// Text: every line at full length instead of wrapped to 120 columns.
    #[arg(long)]
    pub wide: bool,
    /// Exit 2 when the plan has changes, 0 when it has none, 1 on errors.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// How long a saved plan stays valid (e.g. 4h, 30m).
    #[arg(long, default_value = "4h")]
    pub plan_ttl: String,
    #[command(flatten)]
    pub fresh: setup::FreshStateArg,
}

pub async fn run(args: PlanArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let ttl = parse_ttl(&args.plan_ttl)
        .map_err(|e| anyhow::anyhow!("--plan-ttl {:?}: {e}", args.plan_ttl))?;
    let Some(mut desired) = setup::load_manifests(&args.paths, g) else {
        return Ok(ExitStatus::Error);
    };
    setup::filter_customers(&mut desired, &g.customers)?;
    args.fresh.warn();

    // Only a read-only `Reader` survives: plan cannot write to Partner Center.
    let conn = setup::connect(g).await?.read_only();
    let reader = &conn.reader;
    let parallelism = usize::from(g.parallelism);
    // The completed-order cache lives in the state store (a directory's cache, or PostgreSQL's).
    let (journal, opts) = match &g.state {
        crate::store::StateLocation::Dir(dir) => (
            observe::from_journal(dir),
            ObserveOptions::with_dir(parallelism, dir),
        ),
        crate::store::StateLocation::Postgres(_) => match setup::open_store(g, false).await {
            Ok(store) => {
                conn.share_budget_of(&store);
                let opts = ObserveOptions::new(parallelism, store.cache.clone());
                (observe::from_store(Ok(store)), opts)
            }
            Err(e) => (
                observe::from_store(Err(e)),
                ObserveOptions::new(
                    parallelism,
                    std::sync::Arc::new(crate::store::cache::NoCache),
                ),
            ),
        },
    };
    let catalog = Catalog::new(reader.clone())
        .with_store_cache(opts.cache.clone())
        .for_desired(&desired);
    let out = Printer::new(g).with_format(args.format);
    let customers = desired.customers.len();
    let progress = out.spinner(format!(
        "observing {customers} customer{} in Partner Center…",
        if customers == 1 { "" } else { "s" }
    ));
    let observation = observe::observe(&desired, reader, &catalog, journal.as_ref(), &opts).await;
    progress.finish_and_clear();
    let stats = reader.stats();
    drop(catalog);
    tracing::info!(
        "plan read Partner Center with {} request(s) ({} throttled, {} retried)",
        stats.requests,
        stats.throttled,
        stats.retries
    );

    let mut plan = crate::plan::diff(&desired, &observation);
    plan.provenance = Some(super::provenance::with_commit(
        conn.provenance.clone(),
        g.commit.as_deref(),
        &args.paths,
    ));
    conn.close().await;
    let text = match args.format {
        crate::render::Format::Text if args.wide => {
            crate::render::text::render_fitted(&plan, out.color(), None)
        }
        format => crate::render::render_plan(&plan, format, out.color()),
    };
    out.write(&text)?;
    if let Some(path) = &args.out {
        let code = plan.exit_code(args.detailed_exitcode);
        crate::store::plan_file::write(path, &SavedPlan::new(plan, g.clock.wall(), ttl))?;
        out.note(&format!("saved the plan to {}", path.display()));
        return Ok(code);
    }
    Ok(plan.exit_code(args.detailed_exitcode))
}
