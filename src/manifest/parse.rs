//! One file's YAML → [`Manifest`], with serde-saphyr. Its errors (syntax, duplicate keys,
//! unknown fields, wrong types, missing fields) become [`Diagnostic`]s with the file's location
//! and, for a misspelt field, a "did you mean" hint. serde stops at the first such error in a
//! file, so `structure` then re-reads the file to find all of them, and `lenient` reads what is
//! well-formed so the semantic checks still run on it.

use super::diagnostics::{Diagnostic, SourceFile};
use super::model::Manifest;
use serde::de::DeserializeOwned;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, Error, Location, Options};

/// Largest manifest file read (checked before reading it): the YAML budget below is sized so
/// that any file up to this size fits.
pub(super) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The YAML reader's options: unknown tags refused (`!Ref` would silently lose its meaning) when
/// `reject_tags`, and limits raised from serde-saphyr's defaults (250,000 nodes) so that a valid
/// manifest up to [`MAX_FILE_BYTES`] loads; a breach names the limit.
pub(super) fn options(reject_tags: bool) -> Options {
    let mut o = Options::default();
    o.budget = Some(budget());
    o.reject_unsupported_tags = reject_tags;
    o.with_snippet = false;
    o
}

/// The YAML limits (see [`options`]).
fn budget() -> Budget {
    let mut b = Budget::default();
    b.max_events = 40_000_000;
    b.max_nodes = 20_000_000;
    b.max_total_scalar_bytes = 128 * 1024 * 1024;
    b
}

/// Reads one YAML document of `file`. A stream whose other documents are empty (a trailing
/// `---`) is one document.
pub(super) fn read_one<T: DeserializeOwned>(file: &SourceFile) -> Result<T, Error> {
    match serde_saphyr::from_str_with_options::<T>(file.text.as_str(), options(true)) {
        Err(e)
            if matches!(e.without_snippet(), Error::MultipleDocuments { .. })
                && super::classify::document_count(file) == Some(1) =>
        {
            let docs = serde_saphyr::from_multiple_with_options::<T>(&file.text, options(true))?;
            docs.into_iter().next().ok_or(e)
        }
        other => other,
    }
}

/// One file, read.
pub(super) struct Parsed {
    /// The manifest, as far as it could be read; `None` when the file is not valid YAML (or
    /// fails in a way the schema does not explain).
    pub manifest: Option<Manifest>,
    /// The structural problems; when not empty, `manifest` is a lenient read holding gaps (see
    /// `lenient::is_gap`).
    pub problems: Vec<Diagnostic>,
}

/// Parses one manifest file. On failure, every structural problem of the file is returned (see
/// `structure`) with a lenient read of the rest, or the parser's own error when the file is not
/// valid YAML.
pub(super) fn parse(file: &SourceFile) -> Parsed {
    let e = match read_one::<Manifest>(file) {
        Ok(m) => {
            return Parsed {
                manifest: Some(m),
                problems: Vec::new(),
            };
        }
        Err(e) => e,
    };
    let recovered = super::structure::tree(file).and_then(|tree| {
        let all = super::structure::problems(file, &tree);
        (!all.is_empty()).then(|| (super::lenient::read(&tree), all))
    });
    match recovered {
        Some((m, problems)) => Parsed {
            manifest: Some(m),
            problems,
        },
        None => Parsed {
            manifest: None,
            problems: vec![diagnose(file, &e)],
        },
    }
}

/// True when the text holds nothing but blank lines, comments and document markers.
pub(super) fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// Line and column of a serde-saphyr location, `None` when unknown.
pub(super) fn line_col(loc: &Location) -> Option<(usize, usize)> {
    (loc.line() > 0).then(|| (loc.line() as usize, loc.column().max(1) as usize))
}

pub(super) fn diagnose(file: &SourceFile, err: &Error) -> Diagnostic {
    let err = err.without_snippet();
    let d = match err {
        Error::SerdeUnknownField {
            field, expected, ..
        } => {
            let d = Diagnostic::error(format!("unknown field \"{field}\""));
            match did_you_mean(field, expected) {
                Some(known) => d.with_hint(format!("did you mean \"{known}\"?")),
                None if expected.is_empty() => d,
                None => d.with_hint(format!("expected one of: {}", expected.join(", "))),
            }
        }
        Error::SerdeMissingField { field, location } => {
            let d = Diagnostic::error(format!("missing required field \"{field}\""));
            let d = match missing_field_hint(None, field) {
                Some(h) => d.with_hint(h),
                None => d,
            };
            // Point at the start of the mapping that lacks the field, not at its last key.
            return match line_col(location) {
                Some((line, col)) => {
                    let (line, col) = mapping_start(file, line, col);
                    d.at(file, line, col)
                }
                None => d.in_file(&file.path),
            };
        }
        Error::DuplicateMappingKey { key, .. } => match key {
            Some(k) => Diagnostic::error(format!("duplicate key \"{k}\""))
                .with_hint("each key may appear once in a mapping"),
            None => Diagnostic::error("duplicate key in a mapping"),
        },
        Error::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | Error::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => Diagnostic::error(format!(
            "wrong type: expected {}, found {}",
            describe_expected(expected),
            unexpected
        )),
        Error::InvalidScalar { ty, location } => {
            let found = line_col(location)
                .map(|(l, c)| {
                    let start = file.offset(l, c);
                    file.text[start..start + file.token_len(start)].to_owned()
                })
                .filter(|t| !t.is_empty());
            match found {
                Some(t) => Diagnostic::error(format!(
                    "wrong type: expected {}, found {t}",
                    describe_expected(ty)
                )),
                None => {
                    Diagnostic::error(format!("wrong type: expected {}", describe_expected(ty)))
                }
            }
        }
        Error::NullIntoString { .. } => {
            Diagnostic::error("wrong type: expected a string, found an empty value")
        }
        Error::Unexpected { expected, .. } => Diagnostic::error(format!(
            "wrong type: expected {}",
            match *expected {
                "sequence start" => "a list",
                "mapping start" => "a mapping",
                "string scalar" => "a string",
                other => other,
            }
        )),
        Error::MultipleDocuments { .. } => Diagnostic::error("more than one YAML document")
            .with_hint("put each document in its own file"),
        Error::UnsupportedTag { tag, .. } => {
            Diagnostic::error(format!("unknown YAML tag \"{tag}\""))
                .with_hint("manifests take plain values: remove the tag and write the value itself")
        }
        Error::Budget { breach, .. } => Diagnostic::error(format!(
            "the file is too large for the YAML reader: {}",
            budget_breach(breach)
        ))
        .with_hint("split the manifest into several files"),
        other => Diagnostic::error(first_line_lower(&other.to_string()))
            .with_hint("this is not valid YAML"),
    };
    match err.location().as_ref().and_then(line_col) {
        Some((line, col)) => d.at(file, line, col),
        None => d.in_file(&file.path),
    }
}

/// What to write for a missing or empty field; `owner` is the schema definition holding it
/// (`Software`, `Reservation`) when known.
pub(super) fn missing_field_hint(owner: Option<&str>, field: &str) -> Option<&'static str> {
    Some(match (owner, field) {
        (Some("Software"), "sku") => {
            "give the catalog SKU id of the product, quoted, e.g. sku: \"0002\""
        }
        (Some("Software"), "product") => "give the catalog product id, e.g. DG7GMGF0DWM3",
        (_, field) => return missing_field_hint_any(field),
    })
}

fn missing_field_hint_any(field: &str) -> Option<&'static str> {
    Some(match field {
        "version" => "start the file with `version: 1`",
        "id" => "give the customer's or subscription's id (a GUID)",
        "kind" => "say whether the subscription is an azure-plan or legacy",
        "sku" => "a reservation names sku + region (ARM names), or product + sku (catalog ids)",
        "quantity" => "give how many units the customer should own at least",
        "name" => "give the item a name, unique within its subscription",
        "type" => "give the reservation type: vm, sql or cosmosdb",
        "product" => "give the catalog product id, e.g. DG7GMGF0DWM3",
        _ => return None,
    })
}

/// What a budget breach means, naming the limit.
fn budget_breach(b: &BudgetBreach) -> String {
    let budget = budget();
    match b {
        BudgetBreach::Nodes { .. } => format!("more than {} YAML nodes", budget.max_nodes),
        BudgetBreach::Events { .. } => format!("more than {} YAML events", budget.max_events),
        BudgetBreach::ScalarBytes { .. } => format!(
            "more than {} MiB of values",
            budget.max_total_scalar_bytes / 1024 / 1024
        ),
        BudgetBreach::Depth { .. } => format!("nested deeper than {} levels", budget.max_depth),
        BudgetBreach::Documents { .. } => {
            format!("more than {} documents", budget.max_documents)
        }
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => format!(
            "more than {} aliases or anchors",
            budget.max_aliases.min(budget.max_anchors)
        ),
        other => format!("limit exceeded ({other:?})"),
    }
}

/// The first key of the block mapping holding the key at (line, col): scanning upwards, the
/// line where the mapping's sequence item starts (`- key:` with `key` at `col`), or the line
/// after its parent key. Stays put for anything else.
fn mapping_start(file: &SourceFile, line: usize, col: usize) -> (usize, usize) {
    let lines: Vec<&str> = file.text.lines().collect();
    let mut l = line.min(lines.len());
    while l > 1 {
        let text = lines[l - 1];
        let indent = text.len() - text.trim_start().len();
        let t = text.trim_start();
        if t.is_empty() || t.starts_with('#') {
            l -= 1;
            continue;
        }
        if t.starts_with("- ") && indent + 3 == col {
            return (l, col);
        }
        if indent + 1 < col && !t.starts_with("- ") {
            return (l + 1, col);
        }
        if indent + 1 < col {
            return (l, col);
        }
        l -= 1;
    }
    (line, col)
}

/// The known field closest to a misspelt one, if it is close enough to be a likely typo.
pub(super) fn did_you_mean<'a>(field: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(field, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn describe_expected(expected: &str) -> String {
    match expected {
        "i64" | "u64" | "i32" | "u32" | "an integer" => "an integer".into(),
        "a string" | "string" => "a string".into(),
        "a sequence" | "sequence" => "a list".into(),
        other if other.starts_with("struct ") => "a mapping".into(),
        other => other.trim_start_matches("a ").to_owned().replace("  ", " "),
    }
}

/// The first line of serde-saphyr's message, lower-cased at the start, without its own
/// "at line … column …" suffix (our location replaces it).
fn first_line_lower(msg: &str) -> String {
    let line = msg.lines().next().unwrap_or(msg).trim();
    let line = match line.find(" at line ") {
        Some(i) => &line[..i],
        None => line,
    };
    let mut chars = line.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid YAML".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        let known = ["name", "type", "sku", "region", "quantity"];
        assert_eq!(did_you_mean("quantitiy", &known), Some("quantity"));
        assert_eq!(did_you_mean("regoin", &known), Some("region"));
        assert_eq!(did_you_mean("colour", &known), None);
    }

    #[test]
    fn blank_files_are_recognised() {
        assert!(is_blank("# only a comment\n\n---\n"));
        assert!(!is_blank("version: 1\n"));
    }
}
