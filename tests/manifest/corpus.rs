//! The corpus of invalid manifests under `tests/fixtures/manifests/invalid/`: each
//! `*.yaml.invalid` file and each folder under `across-files/` is one case; every diagnostic
//! (message, location, hint) is kept as a snapshot in `tests/manifest/snapshots/`. The files do
//! not end in `.yaml`, so `reservoir plan .` at the root of this repository does not read them.

use reservoir::manifest;
use std::path::{Path, PathBuf};

const INVALID: &str = "tests/fixtures/manifests/invalid";

/// Each case: its name and the files it loads together.
fn cases() -> Vec<(String, Vec<PathBuf>)> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(INVALID).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(name) = file.strip_suffix(".yaml.invalid") {
            cases.push((name.to_owned(), vec![path]));
        }
    }
    for entry in std::fs::read_dir(Path::new(INVALID).join("across-files")).unwrap() {
        let path = entry.unwrap().path();
        let name = format!(
            "across-files-{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        cases.push((name, files));
    }
    cases.sort();
    cases
}

#[test]
fn every_invalid_manifest_is_rejected_with_its_diagnostics() {
    let cases = cases();
    assert!(cases.len() >= 20, "corpus went missing: {cases:?}");
    for (name, paths) in cases {
        let diags = match manifest::load(&paths) {
            Ok(_) => panic!("{name} loaded but should not"),
            Err(d) => d,
        };
        assert!(diags.has_errors(), "{name}");
        for d in &diags.errors {
            let loc = d
                .location
                .as_ref()
                .expect("every corpus error has a location");
            assert!(loc.line >= 1 && loc.column >= 1, "{name}: {d:?}");
            assert!(
                d.message.chars().next().unwrap().is_lowercase(),
                "{name}: {d:?}"
            );
        }
        insta::assert_snapshot!(name, diags.to_plain());
    }
}

#[test]
fn rendered_diagnostic_shows_file_line_column_snippet_and_hint() {
    let diags = manifest::load(&[PathBuf::from(INVALID).join("unknown-field-typo.yaml.invalid")])
        .expect_err("invalid");
    insta::assert_snapshot!("rendered-unknown-field-typo", diags.render(false));
}

#[test]
fn all_problems_are_reported_together_across_files() {
    let paths: Vec<PathBuf> = ["not-a-guid", "bad-enums", "syntax-error"]
        .iter()
        .map(|f| Path::new(INVALID).join(format!("{f}.yaml.invalid")))
        .collect();
    let diags = manifest::load(&paths).expect_err("invalid");
    let files: std::collections::BTreeSet<_> = diags
        .errors
        .iter()
        .map(|d| d.location.as_ref().unwrap().file.clone())
        .collect();
    assert_eq!(files.len(), 3, "{}", diags.to_plain());
    assert!(diags.errors.len() >= 10, "{}", diags.to_plain());
}

#[test]
fn warnings_do_not_fail_loading() {
    let loaded = manifest::load(&[PathBuf::from("tests/fixtures/manifests/warnings")])
        .expect("warnings only");
    let text: Vec<String> = loaded.warnings.iter().map(|w| w.to_plain()).collect();
    insta::assert_snapshot!("warnings", text.join("\n"));
}
