//! The README's commands work as the README says: the main command and every line of "A tour",
//! read from README.md itself and run through the real binary, in order, on a fresh state dir
//! against the embedded sandbox (the default endpoint).

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// The `sh` code block that follows `heading` in the README.
fn block_after(readme: &str, heading: &str) -> String {
    let at = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    let rest = &readme[at..];
    let start = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = rest[start..].find("```").expect("the block ends");
    rest[start..start + end].to_string()
}

/// `reservoir …` commands of a block: comments dropped, `;`-separated commands split.
fn commands(block: &str) -> Vec<Vec<String>> {
    block
        .lines()
        .map(|l| l.split(" #").next().unwrap_or_default())
        .flat_map(|l| l.split(';'))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read examples") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A fresh folder holding a copy of `examples/`, where commands run with no inherited settings.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
            &dir.path().join("examples"),
        );
        Repo { dir }
    }

    /// Runs `reservoir ARGS` (the first word of `argv` is `reservoir`, or `cargo run --`).
    fn run(&self, argv: &[String], extra: &[&str]) -> Output {
        let args: Vec<&str> = match argv {
            [cargo, run, dashes, rest @ ..]
                if cargo == "cargo" && run == "run" && dashes == "--" =>
            {
                rest.iter().map(String::as_str).collect()
            }
            [first, rest @ ..] if first == "reservoir" => rest.iter().map(String::as_str).collect(),
            _ => panic!("not a reservoir command: {argv:?}"),
        };
        crate::support::reservoir()
            .current_dir(self.dir.path())
            .args(&args)
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .expect("run reservoir")
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_main_command_plans_the_examples_and_exits_0_with_the_two_blocked_items_acknowledged() {
    let readme = readme();
    let block = block_after(&readme, "## The two commands");
    let main = commands(&block).into_iter().next().expect("a command");
    assert_eq!(main[..3], ["cargo", "run", "--"], "{main:?}");
    assert!(readme.contains("It exits 0: the examples include two items that cannot be bought"));
    let repo = Repo::new();
    let out = repo.run(&main, &[]);
    let stdout = text(&out.stdout);
    // The two blocked items are acknowledged with `blocked_ok`: shown, but the run is green.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout.contains(", 2 blocked (2 acknowledged),"), "{stdout}");
    assert!(
        stdout.contains("Endpoint: sandbox (embedded simulator) · partner tenant ")
            && stdout.contains("sandbox: nothing real is bought"),
        "{stdout}"
    );
    assert!(stdout.contains("purchase"), "{stdout}");
    assert!(
        !text(&out.stderr).contains("no purchase journal")
            && !stdout.contains("no purchase journal"),
        "the embedded sandbox keeps its world beside the journal: nothing blocked for want of \
         one: {out:?}"
    );
    assert!(
        repo.path(".reservoir/sandbox/world.json").is_file(),
        "the sandbox world is saved where the README says"
    );
}

#[test]
fn the_tour_runs_in_order_as_described() {
    let tour = commands(&block_after(&readme(), "## A tour"));
    let words: Vec<String> = tour.iter().map(|c| c.join(" ")).collect();
    assert_eq!(
        words,
        [
            "reservoir validate examples/",
            "reservoir plan examples/ --out plan.json",
            "reservoir apply --plan plan.json",
            "reservoir plan examples/",
            "reservoir plan examples/ --format markdown",
            "reservoir orders --customer contoso",
            "reservoir entitlements --expiring-within 90d",
            "reservoir invoices list",
            "reservoir reconcile --since 2026-01-01",
        ],
        "the README tour changed: update this test with it"
    );
    let repo = Repo::new();

    let out = repo.run(&tour[0], &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).starts_with("ok: "), "{out:?}");

    // "what would be bought; saved with an expiry"
    let out = repo.run(&tour[1], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "blocked items acknowledged: {out:?}"
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path("plan.json")).expect("saved"))
            .expect("the saved plan is JSON");
    assert!(saved["expires_at"].is_string(), "{saved}");

    // "asks for "yes" on a terminal": without one it refuses and buys nothing.
    let out = repo.run(&tour[2], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(text(&out.stderr).contains("--auto-approve"), "{out:?}");
    let out = repo.run(&tour[2], &["--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "finishes green: {out:?}");
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(report.contains("Apply: ordered 36 units"), "{report}");
    assert!(
        report.contains("(sandbox: nothing real was bought)"),
        "{report}"
    );

    // "now: nothing to buy"
    let out = repo.run(&tour[3], &[]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Plan: buy nothing"), "{stdout}");
    assert!(!stdout.contains("+ purchase"), "{stdout}");

    let out = repo.run(&tour[4], &[]);
    let md = text(&out.stdout);
    assert!(md.starts_with("**Plan: buy nothing"), "{md}");
    assert!(md.contains("| subscription |"), "{md}");

    let out = repo.run(&tour[5], &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).contains("Contoso"), "{out:?}");
    assert!(
        text(&out.stdout).contains("can lag up to 15 minutes"),
        "{out:?}"
    );

    // Exit 0 (none found) or 2 (some found) — the README's exit-code table.
    let out = repo.run(&tour[6], &[]);
    assert!(matches!(out.status.code(), Some(0 | 2)), "{out:?}");
    assert!(text(&out.stdout).contains("expire on or before"), "{out:?}");

    let out = repo.run(&tour[7], &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).contains("OneTime"), "{out:?}");

    // The demo world holds orders reservoir did not place: reported, but not fatal without
    // --strict, so the tour ends green.
    let out = repo.run(&tour[8], &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("charged but not placed by reservoir"),
        "{stdout}"
    );
    assert!(
        stdout.contains("matched"),
        "reservoir's own orders match: {stdout}"
    );
}
