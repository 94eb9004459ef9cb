//! `reservoir validate`: loads the manifests, prints every problem (stderr, with snippets) and a
//! one-line summary (stdout). Exits 1 when there is any error, 0 otherwise (warnings included).

use super::{EXIT_ERROR, EXIT_OK, GlobalArgs};
use crate::manifest;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml).
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
}

pub async fn run(args: ValidateArgs, g: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let color = super::settings::use_color_stderr(g);
    match manifest::load(&args.paths) {
        Ok(loaded) => {
            if !g.quiet {
                for w in &loaded.warnings {
                    eprintln!("{}", w.render(color));
                }
            }
            let d = &loaded.desired;
            let subs: usize = d.customers.iter().map(|c| c.subscriptions.len()).sum();
            println!(
                "ok: {} valid ({}, {}, {}){}",
                plural(loaded.files.len(), "file"),
                plural(d.customers.len(), "customer"),
                plural(subs, "subscription"),
                plural(loaded.item_count(), "item"),
                match loaded.warnings.len() {
                    0 => String::new(),
                    n => format!("; {}", plural(n, "warning")),
                }
            );
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(diags) => {
            for d in diags.all() {
                if g.quiet && !d.is_error() {
                    continue;
                }
                eprintln!("{}", d.render(color));
            }
            let files: std::collections::BTreeSet<_> = diags
                .errors
                .iter()
                .filter_map(|d| d.location.as_ref().map(|l| l.file.clone()))
                .collect();
            let mut summary = format!("invalid: {}", plural(diags.errors.len(), "error"));
            if !files.is_empty() {
                summary.push_str(&format!(" in {}", plural(files.len(), "file")));
            }
            if !diags.warnings.is_empty() {
                summary.push_str(&format!(", {}", plural(diags.warnings.len(), "warning")));
            }
            println!("{summary}");
            Ok(ExitCode::from(EXIT_ERROR))
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
