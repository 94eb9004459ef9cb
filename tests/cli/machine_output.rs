//! In a machine format, stdout carries the document and nothing else (issue 10 item 3): for
//! every command with `--format json`, the whole of stdout parses as one JSON document (or, for
//! `apply`, as one JSON event per line) in a run that also makes notes for people — and those
//! notes are on stderr, or nowhere with `--quiet`.

use super::{Run, examples, reservoir, run};
use serde_json::Value;
use std::path::Path;

/// `reservoir <args>` against the embedded sandbox of `state`.
fn rsv(state: &Path, args: &[&str]) -> Run {
    run(reservoir(state).args(args))
}

/// A folder holding contoso's manifest, a YAML file that is not a manifest (skipped, with a
/// note) and an empty manifest (a warning).
fn noisy_manifests() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        examples().join("contoso.yaml"),
        dir.path().join("contoso.yaml"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("other.yaml"), "name: not a manifest\n").expect("write");
    std::fs::write(dir.path().join("empty.yaml"), "").expect("write");
    dir
}

/// Asserts the whole stdout is one JSON document and `note` is on stderr; returns the document.
fn document_with_note(out: &Run, note: &str) -> Value {
    let doc = out.json();
    assert!(out.stderr.contains(note), "{note}: {}", out.all());
    doc
}

#[test]
fn plan_validate_show_schema_and_catalog_search_print_one_json_document() {
    let state = tempfile::tempdir().expect("tempdir");
    let manifests = noisy_manifests();
    let folder = manifests.path().to_str().expect("utf-8");
    let saved = state.path().join("plan.json");
    let saved_arg = saved.to_str().expect("utf-8");

    let plan = rsv(
        state.path(),
        &[
            "plan",
            folder,
            "--format",
            "json",
            "--fresh-state",
            "--out",
            saved_arg,
        ],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let doc = document_with_note(&plan, "saved the plan to");
    for note in ["skipped", "manifest file is empty", "--fresh-state"] {
        assert!(plan.stderr.contains(note), "{note}: {}", plan.all());
    }
    assert!(
        doc["rows"].as_array().is_some_and(|r| !r.is_empty()),
        "{doc}"
    );

    let validate = rsv(state.path(), &["validate", folder, "--format", "json"]);
    assert_eq!(validate.code, Some(0), "{}", validate.all());
    let doc = validate.json();
    assert_eq!(doc["summary"]["warnings"], 1, "{doc}");
    assert_eq!(doc["skipped"].as_array().map(Vec::len), Some(1), "{doc}");

    // An expired plan: `show` warns on stderr and still prints the saved file.
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("read")).expect("json");
    file["expires_at"] = "2000-01-01T00:00:00Z".into();
    std::fs::write(&saved, file.to_string()).expect("write");
    let show = rsv(state.path(), &["show", saved_arg, "--format", "json"]);
    assert_eq!(show.code, Some(0), "{}", show.all());
    let doc = document_with_note(&show, "this plan expired");
    assert_eq!(doc["expires_at"], "2000-01-01T00:00:00Z");

    let schema = rsv(state.path(), &["schema"]);
    assert_eq!(schema.code, Some(0), "{}", schema.all());
    assert!(schema.json().is_object());

    let search = rsv(
        state.path(),
        &[
            "catalog",
            "search",
            "--customer",
            "contoso",
            "--type",
            "vm",
            "--format",
            "json",
        ],
    );
    assert_eq!(search.code, Some(0), "{}", search.all());
    assert!(search.json()["offers"].is_array());
}

#[test]
fn apply_prints_one_json_event_per_line_and_its_notes_on_stderr() {
    let state = tempfile::tempdir().expect("tempdir");
    let manifests = noisy_manifests();
    let receipt = state.path().join("receipt.json");
    let out = rsv(
        state.path(),
        &[
            "apply",
            manifests.path().to_str().expect("utf-8"),
            "--auto-approve",
            "--format",
            "json",
            "--receipt",
            receipt.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.all());
    let events: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}\n{}", out.all())))
        .collect();
    assert!(out.stdout.ends_with('\n'), "{}", out.all());
    let types: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(types.first(), Some(&"plan"), "{types:?}");
    assert_eq!(types.last(), Some(&"summary"), "{types:?}");
    assert!(types.contains(&"order_placed"), "{types:?}");
    for note in ["wrote the receipt to", "skipped", "manifest file is empty"] {
        assert!(out.stderr.contains(note), "{note}: {}", out.all());
    }

    // Again with --quiet (nothing left to buy): the events, and not a word on stderr.
    let quiet = rsv(
        state.path(),
        &[
            "apply",
            manifests.path().to_str().expect("utf-8"),
            "--auto-approve",
            "--format",
            "json",
            "--quiet",
            "--receipt",
            receipt.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(quiet.code, Some(0), "{}", quiet.all());
    assert_eq!(quiet.stderr, "", "{}", quiet.all());
    for l in quiet.stdout.lines() {
        let e: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"));
        assert_ne!(e["type"], "order_placed", "bought once: {}", quiet.all());
    }
}

#[test]
fn the_views_print_one_json_document_and_their_notes_on_stderr() {
    let state = tempfile::tempdir().expect("tempdir");
    let s = state.path();

    // The notes text output carries inline go to stderr in JSON and CSV.
    let orders = rsv(s, &["orders", "--format", "json"]);
    assert_eq!(orders.code, Some(0), "{}", orders.all());
    assert!(
        document_with_note(&orders, "15 minutes")["orders"].is_array(),
        "{}",
        orders.all()
    );
    let csv = rsv(s, &["orders", "--format", "csv"]);
    assert!(
        csv.stderr.contains("15 minutes") && !csv.stdout.contains("15 minutes"),
        "{}",
        csv.all()
    );

    let entitlements = rsv(
        s,
        &[
            "entitlements",
            "--expiring-within",
            "3650d",
            "--format",
            "json",
        ],
    );
    assert_eq!(entitlements.code, Some(2), "{}", entitlements.all());
    document_with_note(&entitlements, "expire on or before");

    let list = rsv(s, &["invoices", "list", "--format", "json"]).json();
    let id = list[0]["id"].as_str().expect("an invoice id");
    let lines = rsv(s, &["invoices", "lines", id, "--format", "json"]);
    assert_eq!(lines.code, Some(0), "{}", lines.all());
    assert!(document_with_note(&lines, "line item(s) on invoice").is_array());
    for sub in ["balance", "summaries"] {
        let out = rsv(s, &["invoices", sub, "--format", "json"]);
        assert_eq!(out.code, Some(0), "{sub}: {}", out.all());
        out.json();
    }

    let reconcile = rsv(
        s,
        &["reconcile", "--since", "2000-01-01", "--format", "json"],
    );
    assert!(matches!(reconcile.code, Some(0 | 2)), "{}", reconcile.all());
    reconcile.json();
    assert!(
        !reconcile.stderr.is_empty(),
        "the summary: {}",
        reconcile.all()
    );

    // Text keeps its notes and the endpoint line on stdout.
    let text = rsv(s, &["orders"]);
    assert!(text.stdout.contains("15 minutes"), "{}", text.all());
    assert!(!text.stderr.contains("15 minutes"), "{}", text.all());

    // --quiet: the document, and not a word on stderr.
    let quiet = rsv(s, &["orders", "--format", "json", "--quiet"]);
    assert_eq!(quiet.code, Some(0), "{}", quiet.all());
    assert_eq!(quiet.json(), orders.json());
    assert_eq!(quiet.stderr, "", "{}", quiet.all());
}
