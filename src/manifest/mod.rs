//! Manifests: YAML files → typed manifest → validated, normalised [`DesiredState`].
//! Owns parsing (serde-saphyr), the JSON Schema (schemars), and diagnostics with file:line:col.
//! Does no I/O beyond reading the files it is given.
//!
//! Pipeline: `walk` finds the files, `parse` reads each into the `model` (with `structure`
//! reporting every structural problem of a file that does not fit it, and `lenient` reading the
//! rest of that file), `normalise` checks each file's values (`check`) and applies defaults,
//! `merge` joins the files with the cross-file checks. Every problem is collected into
//! [`Diagnostics`] before anything is returned.

mod check;
mod check_money;
mod check_names;
mod classify;
pub mod desired;
mod desired_savings;
pub mod diagnostics;
mod lenient;
mod merge;
pub mod model;
pub mod model_savings;
mod normalise;
mod parse;
mod regions;
mod schema;
mod show;
mod structure;
mod walk;

pub use desired::*;
pub use desired_savings::{DesiredSavingsPlan, HourlyCommitment, PurchaseCommitment};
pub use diagnostics::{Diagnostic, Diagnostics, Severity, Skipped, SourceFile};
pub use schema::schema_json;

use check::Ctx;
use std::path::{Path, PathBuf};

/// A successfully loaded desired state, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub desired: DesiredState,
    pub warnings: Vec<Diagnostic>,
    /// The manifest files read, in order.
    pub files: Vec<PathBuf>,
    /// The YAML files skipped as not manifests, in order.
    pub skipped: Vec<Skipped>,
}

impl Loaded {
    /// Number of reservation, software and savings-plan items.
    pub fn item_count(&self) -> usize {
        self.desired
            .customers
            .iter()
            .map(|c| {
                c.software.len()
                    + c.savings_plans.len()
                    + c.subscriptions
                        .iter()
                        .map(|s| s.reservations.len())
                        .sum::<usize>()
            })
            .sum()
    }
}

/// Loads manifests from files and folders (folders: recursive `*.yaml` / `*.yml`, sorted,
/// dot-folders skipped) into one desired state. Fails with every problem found when there is at
/// least one error; warnings alone do not fail.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, Diagnostics> {
    let (files, problems) = walk::manifest_files(paths);
    let mut diags = Diagnostics::default();
    for p in problems {
        diags.push(p);
    }
    let mut sources = Vec::new();
    for path in &files {
        match read_file(path) {
            Ok(file) => sources.push(file),
            Err(d) => diags.push(*d),
        }
    }
    load_sources(sources, diags)
}

/// Reads one file: at most [`parse::MAX_FILE_BYTES`], UTF-8 (the first invalid byte is located).
fn read_file(path: &Path) -> Result<SourceFile, Box<Diagnostic>> {
    let cannot = |e: std::io::Error| {
        Box::new(
            Diagnostic::error(format!(
                "cannot read \"{}\": {}",
                path.display(),
                e.to_string().to_lowercase()
            ))
            .in_file(path),
        )
    };
    let len = std::fs::metadata(path).map_err(cannot)?.len();
    if len > parse::MAX_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::error(format!(
                "\"{}\" is {len} bytes, above the {} MiB limit for one manifest file",
                path.display(),
                parse::MAX_FILE_BYTES / 1024 / 1024
            ))
            .with_hint("split the manifest into several files")
            .in_file(path),
        ));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
            let column = valid[line_start..].chars().count() + 1;
            let file = SourceFile::new(path, String::from_utf8_lossy(&bytes).into_owned());
            Err(Box::new(
                Diagnostic::error(format!(
                    "file is not UTF-8 text: byte 0x{:02x} at line {line}, column {column} \
                     (byte offset {at}) is not valid UTF-8",
                    bytes[at]
                ))
                .with_hint("save the file as UTF-8")
                .at(&file, line, column),
            ))
        }
    }
}

/// Loads manifests given as (path, text) pairs: the same pipeline as [`load`] without the file
/// system. The paths are only used in diagnostics and sources.
pub fn load_str(docs: &[(&Path, &str)]) -> Result<Loaded, Diagnostics> {
    let sources = docs
        .iter()
        .map(|(p, t)| SourceFile::new(p, (*t).to_owned()))
        .collect();
    load_sources(sources, Diagnostics::default())
}

fn load_sources(all: Vec<SourceFile>, mut diags: Diagnostics) -> Result<Loaded, Diagnostics> {
    let mut parsed = Vec::new();
    let mut sources = Vec::new();
    for file in all {
        match classify::classify(&file) {
            classify::Class::Blank => {
                diags.push(
                    Diagnostic::warning("manifest file is empty")
                        .with_hint(
                            "it declares nothing; remove it or add `version: 1` and customers",
                        )
                        .in_file(&file.path),
                );
                sources.push(file);
            }
            classify::Class::Skip(reason) => diags.skipped.push(Skipped {
                path: file.path.clone(),
                reason,
            }),
            classify::Class::Problem(d) => {
                diags.push(d);
                sources.push(file);
            }
            classify::Class::Manifest => sources.push(file),
        }
    }
    if sources.is_empty() && !diags.skipped.is_empty() {
        diags.push(
            Diagnostic::error(format!(
                "no reservoir manifest among the {} YAML file(s) read; every one was skipped",
                diags.skipped.len()
            ))
            .with_hint("a manifest has a top-level `customers:` (see `reservoir validate`)"),
        );
    }
    let files: Vec<PathBuf> = sources.iter().map(|f| f.path.clone()).collect();
    for file in &sources {
        if parse::is_blank(&file.text) || diags.errors.iter().any(|d| is_in(d, &file.path)) {
            continue;
        }
        let read = parse::parse(file);
        let lenient = !read.problems.is_empty();
        read.problems.into_iter().for_each(|d| diags.push(d));
        if let Some(m) = read.manifest {
            parsed.push((file, m, lenient));
        }
    }

    let limits = merge_limits(&parsed, &mut diags);
    let mut decls = Vec::new();
    for (file, m, lenient) in &parsed {
        let mut ctx = Ctx {
            file,
            diags: &mut diags,
        };
        decls.extend(normalise::normalise(&mut ctx, m, limits.max_units_per_item));
        // In a file read leniently, customers may be missing only because they could not be read.
        if m.customers.is_empty() && !lenient {
            diags.push(
                Diagnostic::warning("manifest declares no customers")
                    .with_hint("add a `customers:` list")
                    .in_file(&file.path),
            );
        }
    }
    let desired = merge::merge(&merge::Files(&sources), decls, limits, &mut diags);
    diags.sort();
    if diags.has_errors() {
        diags.files = files;
        return Err(diags);
    }
    Ok(Loaded {
        desired,
        warnings: diags.warnings,
        files,
        skipped: diags.skipped,
    })
}

fn is_in(d: &Diagnostic, path: &Path) -> bool {
    d.location.as_ref().is_some_and(|l| l.file == path)
}

/// `limits` from every file: each limit may be set in several files only with the same value.
fn merge_limits(
    parsed: &[(&SourceFile, model::Manifest, bool)],
    diags: &mut Diagnostics,
) -> Limits {
    let mut limits = Limits::default();
    let mut first: [Option<SourceRef>; 2] = [None, None];
    let mut first_money: [Option<SourceRef>; 2] = [None, None];
    for (file, m, _) in parsed {
        let Some(l) = &m.limits else { continue };
        let mut ctx = Ctx { file, diags };
        let fields = [
            ("max_units_per_apply", &l.max_units_per_apply),
            ("max_units_per_item", &l.max_units_per_item),
        ];
        for (i, (what, v)) in fields.into_iter().enumerate() {
            let Some(v) = v else { continue };
            let Some(n) = check::limit(&mut ctx, what, v) else {
                continue;
            };
            let slot = match i {
                0 => &mut limits.max_units_per_apply,
                _ => &mut limits.max_units_per_item,
            };
            match (*slot, &first[i]) {
                (Some(prev), Some(prev_src)) if prev != n => ctx.push(
                    Diagnostic::error(format!(
                        "limits.{what} is {n} here but {prev} at {prev_src}"
                    ))
                    .with_hint("set each limit once, or to the same value everywhere"),
                    v,
                ),
                (Some(_), _) => {}
                (None, _) => {
                    *slot = Some(n);
                    first[i] = Some(ctx.source(v));
                }
            }
        }
        let money = [
            ("max_commitment", &l.max_commitment),
            (
                "max_commitment_per_customer",
                &l.max_commitment_per_customer,
            ),
        ];
        for (i, (what, v)) in money.into_iter().enumerate() {
            let Some(v) = v else { continue };
            let Some(m) = check::money_limit(&mut ctx, what, v) else {
                continue;
            };
            let slot = match i {
                0 => &mut limits.max_commitment,
                _ => &mut limits.max_commitment_per_customer,
            };
            match (&*slot, &first_money[i]) {
                (Some(prev), Some(prev_src)) if *prev != m => ctx.push(
                    Diagnostic::error(format!(
                        "limits.{what} is {m} here but {prev} at {prev_src}"
                    ))
                    .with_hint("set each limit once, or to the same value everywhere"),
                    &v.amount,
                ),
                (Some(_), _) => {}
                (None, _) => {
                    *slot = Some(m);
                    first_money[i] = Some(ctx.source(&v.amount));
                }
            }
        }
    }
    limits
}
