//! `plan` stays pure (DESIGN §7: it must not call the API, read files or print): no file of the
//! module names a file-system, environment, clock, network or output API, nor a Partner Center
//! wire type.

use std::path::Path;

/// What a pure module must not name.
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "tokio::fs",
    "File::",
    "std::env",
    "std::io::stdout",
    "std::io::stderr",
    "println!",
    "eprintln!",
    "Utc::now",
    "SystemTime",
    "Instant::now",
    "reqwest",
    "partner_center::wire",
    "crate::store",
    "crate::observe",
];

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/plan") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_plan_source_does_io_reads_a_clock_or_knows_the_wire() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plan");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 10, "found {} files", files.len());
    let mut found = Vec::new();
    for f in &files {
        // This file names them to forbid them.
        if f.ends_with("purity_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("read");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for bad in FORBIDDEN {
                if code.contains(bad) {
                    found.push(format!("{}:{}: {bad}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "plan is not pure:\n{}", found.join("\n"));
}
