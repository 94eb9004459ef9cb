//! `reservoir validate`: loads the manifests and reports every problem. Text (the default): the
//! problems and the YAML files skipped as not manifests on stderr (with snippets), a one-line
//! summary on stdout. `--format json`: one JSON document on stdout (see [`Report`]) holding every
//! diagnostic with file, line, column, severity, message and hint, and the skipped files.
//! Exits 1 when there is any error, 0 otherwise (warnings included).

use super::output::Printer;
use crate::exit::ExitStatus;
use crate::manifest::{self, Diagnostic, Severity, Skipped};
use crate::settings::Settings;
use serde::Serialize;
use std::path::PathBuf;

/// The version of the `--format json` document; raised on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Manifest files or folders (recursive *.yaml / *.yml; YAML without a top-level
    /// `customers:` is skipped and listed).
    #[arg(default_value = ".")]
    pub paths: Vec<std::path::PathBuf>,
    /// Output format: `text` (problems on stderr, a summary on stdout) or `json` (one document
    /// on stdout).
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}

/// The `--format json` document.
#[derive(Debug, Serialize)]
pub struct Report {
    pub format_version: u32,
    /// True when there is no error.
    pub valid: bool,
    /// The manifest files read.
    pub files: Vec<PathBuf>,
    /// YAML files skipped as not reservoir manifests.
    pub skipped: Vec<SkippedJson>,
    /// Counts; the declared ones are `null` when the manifests have errors.
    pub summary: Summary,
    /// Errors then warnings, each in file order.
    pub diagnostics: Vec<DiagnosticJson>,
}

#[derive(Debug, Serialize)]
pub struct SkippedJson {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub customers: Option<usize>,
    pub subscriptions: Option<usize>,
    pub items: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct DiagnosticJson {
    pub severity: &'static str,
    pub message: String,
    pub hint: Option<String>,
    /// `null` for a problem with no file (a path that does not exist).
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl From<&Diagnostic> for DiagnosticJson {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticJson {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: d.message.clone(),
            hint: d.hint.clone(),
            file: d.location.as_ref().map(|l| l.file.clone()),
            line: d.location.as_ref().map(|l| l.line),
            column: d.location.as_ref().map(|l| l.column),
        }
    }
}

fn skipped_json(skipped: &[Skipped]) -> Vec<SkippedJson> {
    skipped
        .iter()
        .map(|s| SkippedJson {
            path: s.path.clone(),
            reason: s.reason.clone(),
        })
        .collect()
}

pub async fn run(args: ValidateArgs, g: &Settings) -> anyhow::Result<ExitStatus> {
    let result = manifest::load(&args.paths);
    if args.format == ValidateFormat::Json {
        return json(result, Printer::new(g).with_format(args.format));
    }
    let out = Printer::new(g);
    let color = out.color_stderr();
    match result {
        Ok(loaded) => {
            print_skipped(out, &loaded.skipped);
            for w in &loaded.warnings {
                out.note(&w.render(color));
            }
            let d = &loaded.desired;
            let subs: usize = d.customers.iter().map(|c| c.subscriptions.len()).sum();
            out.line(&format!(
                "ok: {} valid ({}, {}, {}){}{}",
                plural(loaded.files.len(), "file"),
                plural(d.customers.len(), "customer"),
                plural(subs, "subscription"),
                plural(loaded.item_count(), "item"),
                match loaded.warnings.len() {
                    0 => String::new(),
                    n => format!("; {}", plural(n, "warning")),
                },
                skipped_suffix(&loaded.skipped),
            ))?;
            Ok(ExitStatus::Success)
        }
        Err(diags) => {
            print_skipped(out, &diags.skipped);
            for d in diags.all() {
                match d.is_error() {
                    true => out.warn(&d.render(color)),
                    false => out.note(&d.render(color)),
                }
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
            summary.push_str(&skipped_suffix(&diags.skipped));
            out.line(&summary)?;
            Ok(ExitStatus::Error)
        }
    }
}

fn json(
    result: Result<manifest::Loaded, manifest::Diagnostics>,
    out: Printer,
) -> anyhow::Result<ExitStatus> {
    let (report, code) = match result {
        Ok(loaded) => {
            let d = &loaded.desired;
            let report = Report {
                format_version: FORMAT_VERSION,
                valid: true,
                files: loaded.files.clone(),
                skipped: skipped_json(&loaded.skipped),
                summary: Summary {
                    errors: 0,
                    warnings: loaded.warnings.len(),
                    customers: Some(d.customers.len()),
                    subscriptions: Some(d.customers.iter().map(|c| c.subscriptions.len()).sum()),
                    items: Some(loaded.item_count()),
                },
                diagnostics: loaded.warnings.iter().map(DiagnosticJson::from).collect(),
            };
            (report, ExitStatus::Success)
        }
        Err(diags) => {
            let report = Report {
                format_version: FORMAT_VERSION,
                valid: false,
                files: diags.files.clone(),
                skipped: skipped_json(&diags.skipped),
                summary: Summary {
                    errors: diags.errors.len(),
                    warnings: diags.warnings.len(),
                    customers: None,
                    subscriptions: None,
                    items: None,
                },
                diagnostics: diags.all().map(DiagnosticJson::from).collect(),
            };
            (report, ExitStatus::Error)
        }
    };
    out.line(&serde_json::to_string_pretty(&report)?)?;
    Ok(code)
}

/// Lists the skipped files on stderr (unless `--quiet`).
fn print_skipped(out: Printer, skipped: &[Skipped]) {
    for s in skipped {
        out.note(&format!(
            "skipped (not a reservoir manifest): {} ({})",
            s.path.display(),
            s.reason
        ));
    }
}

fn skipped_suffix(skipped: &[Skipped]) -> String {
    match skipped.len() {
        0 => String::new(),
        n => format!("; {n} skipped (not manifests)"),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
