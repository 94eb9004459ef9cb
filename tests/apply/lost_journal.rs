//! A lost state dir (another machine, a CI runner without its cache) against a real endpoint:
//! without its purchase journal, orders placed in the last 15 minutes cannot be ruled out, so
//! `plan` and `apply` block purchases — until the user asserts `--fresh-state`.

use crate::support::*;
use serde_json::Value;

/// The row of a declared item in a JSON plan.
fn row<'a>(plan: &'a Value, item: &str) -> &'a Value {
    plan["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["item"] == item))
        .unwrap_or_else(|| panic!("no row for {item} in {plan:#}"))
}

fn reason(row: &Value) -> &str {
    row["reason"].as_str().unwrap_or_default()
}

impl Sandbox {
    /// `reservoir <args>` on the manifest folder, without `RESERVOIR_FRESH_STATE`.
    fn without_fresh_state(
        &self,
        command: &str,
        manifests: &std::path::Path,
        args: &[&str],
    ) -> Run {
        let mut cmd = self.command(false);
        cmd.env_remove("RESERVOIR_FRESH_STATE")
            .arg(command)
            .arg(manifests)
            .args(args);
        self.run(cmd)
    }
}

#[test]
fn a_lost_state_dir_blocks_purchases_until_a_fresh_state_is_asserted() {
    let sb = Sandbox::start();
    // Orders stay unfulfilled (not entitled) and out of the order list: only the journal of the
    // state dir that bought them knows about them.
    sb.knobs(serde_json::json!({"fulfillmentDelaySecs": 3600}));
    let applied = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);

    // The state dir is lost.
    std::fs::remove_dir_all(sb.state_dir()).expect("delete the state dir");
    let dir = sb.manifest(CONTOSO_YAML);
    let state = sb.state_dir().display().to_string();

    let plan = sb.without_fresh_state("plan", &dir, &["--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.code, Some(1), "blocked → 1: {}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    for item in ["batch-tier", "sql-server-perpetual"] {
        let r = row(&json, item);
        assert_eq!(r["action"], "blocked", "{r:#}");
        assert_eq!(r["to_buy"], 0, "{r:#}");
        let why = reason(r);
        assert!(
            why.starts_with(&format!("no purchase journal in {state}: ")),
            "{why}"
        );
        assert!(why.contains("last 15 minutes"), "{why}");
        assert!(why.contains("--fresh-state"), "{why}");
    }
    assert_eq!(
        row(&json, "web-tier")["action"],
        "ok",
        "owned units are not blocked"
    );
    assert_eq!(json["summary"]["to_buy"], 0, "{json:#}");

    for format in ["text", "markdown"] {
        let out = sb.without_fresh_state("plan", &dir, &["--format", format]);
        assert_eq!(out.code, Some(1), "{}", out.all());
        assert!(
            out.stdout
                .contains(&format!("no purchase journal in {state}")),
            "{format}: {}",
            out.all()
        );
    }

    // apply buys nothing, says why, and leaves the journal missing (so the next run is still
    // blocked).
    let apply = sb.without_fresh_state("apply", &dir, &["--auto-approve"]);
    assert_eq!(apply.code, Some(1), "{}", apply.all());
    assert!(
        apply.stdout.contains("no purchase journal in"),
        "{}",
        apply.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");
    assert!(!sb.state_dir().join("journal").exists());

    // A saved plan carries the blocked rows; applying it buys nothing either.
    let saved = sb.dir.path().join("plan.json");
    let saved_arg = saved.to_str().expect("utf-8 path");
    let plan = sb.without_fresh_state("plan", &dir, &["--out", saved_arg]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    let mut cmd = sb.command(false);
    cmd.env_remove("RESERVOIR_FRESH_STATE")
        .args(["apply", "--auto-approve", "--plan", saved_arg]);
    let apply = sb.run(cmd);
    assert_eq!(apply.code, Some(1), "{}", apply.all());
    assert!(
        apply.stdout.contains("no purchase journal in"),
        "{}",
        apply.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");

    // A plan saved with --fresh-state no longer holds when applied without it.
    let plan = sb.without_fresh_state("plan", &dir, &["--out", saved_arg, "--fresh-state"]);
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let mut cmd = sb.command(false);
    cmd.env_remove("RESERVOIR_FRESH_STATE")
        .args(["apply", "--auto-approve", "--plan", saved_arg]);
    let apply = sb.run(cmd);
    assert_eq!(apply.code, Some(1), "{}", apply.all());
    assert!(
        apply.all().contains("no purchase journal in"),
        "{}",
        apply.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");

    // --fresh-state is the user's assertion that no other run bought in the last 15 minutes:
    // taken at its word (wrongly here), plan proposes the units again.
    let plan = sb.without_fresh_state(
        "plan",
        &dir,
        &["--format", "json", "--detailed-exitcode", "--fresh-state"],
    );
    assert_eq!(plan.code, Some(2), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    assert_eq!(row(&json, "batch-tier")["action"], "purchase", "{json:#}");
    assert_eq!(row(&json, "batch-tier")["to_buy"], 4, "{json:#}");
    assert!(
        !sb.state_dir().join("journal").exists(),
        "plan creates no journal"
    );
}

#[test]
fn apply_with_fresh_state_creates_the_journal_so_later_runs_need_no_flag() {
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    let plan = sb.without_fresh_state("plan", &dir, &["--detailed-exitcode"]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    assert!(
        plan.stdout.contains("no purchase journal in"),
        "{}",
        plan.all()
    );

    let apply = sb.without_fresh_state("apply", &dir, &["--auto-approve", "--fresh-state"]);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    assert!(sb.state_dir().join("journal").is_dir());

    // The journal now rules out in-flight orders: no flag, nothing blocked, nothing to buy.
    let plan = sb.without_fresh_state("plan", &dir, &["--detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    assert!(
        !plan.stdout.contains("no purchase journal"),
        "{}",
        plan.all()
    );
    let apply = sb.without_fresh_state("apply", &dir, &["--auto-approve"]);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");

    // A journal that exists but is empty also rules nothing out by its absence.
    let other = Sandbox::start();
    std::fs::create_dir_all(other.state_dir().join("journal")).expect("journal dir");
    let plan = other.without_fresh_state("plan", &dir, &["--detailed-exitcode"]);
    assert_eq!(plan.code, Some(2), "{}", plan.all());
}
