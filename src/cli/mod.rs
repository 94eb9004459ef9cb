//! Command-line interface: clap types (one file per command), prompts and exit codes.
//! Holds no business logic: each command parses its arguments and calls library modules.

pub mod apply;
pub mod catalog;
pub mod completions;
#[cfg(feature = "fault-injection")]
mod crash;
pub mod entitlements;
pub mod errors;
pub mod events;
pub mod help;
pub mod import;
pub mod interrupt;
pub mod invoices;
pub mod orders;
pub mod output;
pub mod plan;
pub mod progress;
pub mod prompt;
pub mod provenance;
pub mod reconcile;
pub mod sandbox;
pub mod schema;
pub mod settings;
pub mod show;
pub mod state;
pub mod validate;
pub mod view_output;
pub mod waits;

use clap::{FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Exit code: success, no changes.
pub const EXIT_OK: u8 = 0;
/// Exit code: an error, blocked items, or a partial apply.
pub const EXIT_ERROR: u8 = 1;
/// Exit code: `plan --detailed-exitcode` found changes (and similar "found something" signals).
pub const EXIT_CHANGES: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "reservoir", version, about = "Declarative Azure reservations through Partner Center", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts (each command's help shows only those it uses, see
/// [`help::command`]).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Partner Center endpoint: `sandbox` (embedded simulator), `global`, `china`, or a URL.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_ENDPOINT",
        default_value = "sandbox"
    )]
    pub endpoint: String,
    /// Where the journal, locks and caches live: a directory, or a `postgres://` URL shared by
    /// every runner (credentials in the URL; `sslmode=require` for Azure). Default: the state dir.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_STATE",
        hide_env_values = true,
        value_name = "DIR|URL"
    )]
    pub state: Option<String>,
    /// Directory for the journal, locks and caches (same as `--state DIR`), and always for the
    /// embedded sandbox's world.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_STATE_DIR",
        default_value = ".reservoir"
    )]
    pub state_dir: std::path::PathBuf,
    /// Only these customers (id or name): comma-separated, or repeat the option. A name that
    /// itself holds a comma ("Contoso, Ltd.") is matched whole first.
    #[arg(long = "customer", global = true, value_name = "ID|NAME")]
    pub customers: Vec<String>,
    /// Customers worked on at once.
    #[arg(long, global = true, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,
    /// Partner-wide request budget per minute (Partner Center publishes 500).
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_RATE_LIMIT",
        default_value_t = 500
    )]
    pub rate_limit: u32,
    /// Per-customer request budget per minute.
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_CUSTOMER_RATE_LIMIT",
        default_value_t = 100
    )]
    pub customer_rate_limit: u32,
    /// Deadline for each Partner Center request: connecting, the answer and its whole body
    /// (e.g. `30s`, `2m`).
    #[arg(
        long,
        global = true,
        env = "RESERVOIR_TIMEOUT",
        default_value = "60s",
        value_name = "DURATION",
        value_parser = settings::parse_timeout
    )]
    pub timeout: std::time::Duration,
    /// Print only the requested output and errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More logging on stderr (repeat for more).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never colour output (also honoured: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests without contacting Partner Center.
    Validate(validate::ValidateArgs),
    /// Show what apply would buy and register, and why anything cannot be bought.
    Plan(plan::PlanArgs),
    /// Register subscriptions and buy what the plan says is missing — exactly once.
    Apply(apply::ApplyArgs),
    /// Render a saved plan file.
    Show(show::ShowArgs),
    /// Print the manifest JSON Schema.
    Schema(schema::SchemaArgs),
    /// Run the embedded Partner Center simulator.
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// Write manifests declaring exactly what customers hold now (read-only).
    Import(import::ImportArgs),
    /// Search what a customer can buy, with manifest items to paste (read-only).
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Customers' orders (read-only).
    Orders(orders::OrdersArgs),
    /// What customers own, and when it expires (read-only).
    Entitlements(entitlements::EntitlementsArgs),
    /// Partner invoices and their one-time line items (read-only).
    #[command(subcommand)]
    Invoices(invoices::InvoicesCommand),
    /// Match one-time invoice charges with the orders reservoir placed.
    Reconcile(reconcile::ReconcileArgs),
    /// Print shell completions.
    Completions(completions::CompletionsArgs),
    /// Inspect and manage the state store: locks, force-unlock, migrate to PostgreSQL.
    #[command(subcommand)]
    State(state::StateCommand),
}

/// Parses arguments, runs the command on a tokio runtime, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    // Usage errors exit 1, not clap's 2: exit 2 means "found changes" for plan and the views.
    let cli = match help::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            output::die_quietly_on_closed_pipe();
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    // A closed pipe ends every command quietly, except apply, which finishes its purchases.
    if !matches!(cli.command, Command::Apply(_)) {
        output::die_quietly_on_closed_pipe();
    }
    settings::init_logging(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) if output::is_closed_pipe(&e) => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprint!("{}", errors::render(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

async fn run(mut cli: Cli) -> anyhow::Result<ExitCode> {
    // `--state DIR` is `--state-dir DIR`.
    if let Some(crate::store::StateLocation::Dir(dir)) = settings::state_location(&cli.global) {
        cli.global.state_dir = dir;
    }
    let g = &cli.global;
    match cli.command {
        Command::Validate(a) => validate::run(a, g).await,
        Command::Plan(a) => plan::run(a, g).await,
        Command::Apply(a) => apply::run(a, g).await,
        Command::Show(a) => show::run(a, g).await,
        Command::Schema(a) => schema::run(a, g).await,
        Command::Sandbox(a) => sandbox::run(a, g).await,
        Command::Import(a) => import::run(a, g).await,
        Command::Catalog(a) => catalog::run(a, g).await,
        Command::Orders(a) => orders::run(a, g).await,
        Command::Entitlements(a) => entitlements::run(a, g).await,
        Command::Invoices(a) => invoices::run(a, g).await,
        Command::Reconcile(a) => reconcile::run(a, g).await,
        Command::Completions(a) => completions::run(a, g).await,
        Command::State(a) => state::run(a, g).await,
    }
}
