//! `reservoir show`: renders a plan saved by `plan --out`, first saying when it was made and
//! when it expires (`--format json` prints the saved file, which carries both). Warns on stderr
//! when it has expired but still renders it.

use super::output::Printer;
use crate::exit::ExitStatus;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out`.
    pub file: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::render::Format,
}

pub async fn run(args: ShowArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let saved = crate::store::plan_file::read(&args.file)?;
    let now = g.clock.wall();
    let out = Printer::new(g).with_format(args.format);
    if saved.is_expired(now) {
        out.warn(&format!(
            "warning: this plan expired at {} (created {}); `apply --plan` will refuse it — run plan again",
            saved.expires_at.to_rfc3339(),
            saved.created_at.to_rfc3339()
        ));
    }
    let made = saved.made_line(now);
    let color = out.color();
    let text = match args.format {
        // The saved file as is: the plan plus `created_at` and `expires_at`.
        crate::render::Format::Json => saved.to_json(),
        format => format!(
            "{made}\n\n{}",
            crate::render::render_plan(&saved.plan, format, color)
        ),
    };
    out.write(&text)?;
    Ok(ExitStatus::Success)
}
