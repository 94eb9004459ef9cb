//! `reservoir show`: renders a plan saved by `plan --out`, first saying when it was made and
//! when it expires (`--format json` prints the saved file, which carries both). Warns on stderr
//! when it has expired but still renders it.

use super::{EXIT_OK, GlobalArgs};
use crate::plan::SavedPlan;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out`.
    pub file: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::render::Format,
}

pub async fn run(args: ShowArgs, g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let saved = SavedPlan::read(&args.file)?;
    let now = chrono::Utc::now();
    if saved.is_expired(now) {
        eprintln!(
            "warning: this plan expired at {} (created {}); `apply --plan` will refuse it — run plan again",
            saved.expires_at.to_rfc3339(),
            saved.created_at.to_rfc3339()
        );
    }
    let made = saved.made_line(now);
    let color = super::settings::use_color_stdout(g);
    let text = match args.format {
        // The saved file as is: the plan plus `created_at` and `expires_at`.
        crate::render::Format::Json => saved.to_json(),
        format => format!(
            "{made}\n\n{}",
            crate::render::render_plan(&saved.plan, format, color)
        ),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}
