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
pub mod rate_window;
pub mod reconcile;
pub mod sandbox;
pub mod schema;
pub mod setup;
pub mod show;
pub mod state;
pub mod validate;
pub mod view_output;
pub mod waits;

use crate::settings::{Environment, Settings};
use clap::{FromArgMatches, Parser, Subcommand};

use crate::exit::ExitStatus;
pub use crate::settings::GlobalArgs;

#[derive(Debug, Parser)]
#[command(name = "reservoir", version, about = "Declarative Azure reservations through Partner Center", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
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

/// Parses arguments, resolves the [`Settings`], runs the command on a tokio runtime, and turns
/// its [`ExitStatus`] into the process's exit code (the one place that does).
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(status())
}

fn status() -> ExitStatus {
    let environment = Environment::process();
    let (cli, matches) = match help::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)))
    {
        Ok(parsed) => parsed,
        Err(e) => {
            output::die_quietly_on_closed_pipe();
            // Help, version and usage errors go through the Printer like every other output.
            // The arguments did not parse, so `--no-color` is looked for by hand.
            let no_color = std::env::args_os().any(|a| a == "--no-color");
            return output::Printer::before_settings(&environment, no_color).clap(&e);
        }
    };
    // A closed pipe ends every command quietly, except apply, which finishes its purchases.
    if !matches!(cli.command, Command::Apply(_)) {
        output::die_quietly_on_closed_pipe();
    }
    let Cli { global, command } = cli;
    let settings = Settings::resolve(global, &matches, &environment);
    setup::init_logging(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::eprint(&format!("error: cannot start the async runtime: {e}"));
            return ExitStatus::Error;
        }
    };
    match runtime.block_on(run(command, &settings)) {
        Ok(status) => status,
        Err(e) if output::is_closed_pipe(&e) => ExitStatus::Success,
        Err(e) => {
            output::eprint_raw(&errors::render(&e));
            ExitStatus::Error
        }
    }
}

async fn run(command: Command, g: &Settings) -> anyhow::Result<ExitStatus> {
    match command {
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
