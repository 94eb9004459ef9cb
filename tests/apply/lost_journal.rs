//! A lost state dir (another machine, a CI runner without its cache) against a real endpoint:
//! orders placed in the last 30 minutes that entitlements and the order list do not show yet are
//! read from the partner activity log, so they are `pending` — never bought again, and never a
//! reason to block. `--fresh-state` is a deprecated no-op.

use super::support::*;
use serde_json::Value;

/// The sandbox's activity log lags behind orders by up to this many seconds (its default).
pub const LOG_LAG_SECS: u64 = 3;

/// Waits until every order placed so far shows in the sandbox's activity log.
pub fn wait_out_the_log_lag() {
    std::thread::sleep(std::time::Duration::from_secs(LOG_LAG_SECS + 1));
}

impl Sandbox {
    /// `reservoir <command> <manifests> <args>` with this sandbox's state dir, as a runner that
    /// does not own the sandbox would run it: checkouts wait out the activity log's lag (the
    /// harness turns that wait off for tests without other runners).
    pub fn cli(&self, command: &str, manifests: &std::path::Path, args: &[&str]) -> Run {
        let mut cmd = self.command(false);
        cmd.env(
            "RESERVOIR_ACTIVITY_LOG_LAG",
            format!("{}s", LOG_LAG_SECS + 1),
        )
        .arg(command)
        .arg(manifests)
        .args(args);
        self.run(cmd)
    }
}

#[test]
fn a_lost_state_dir_shows_recent_orders_as_pending_from_the_activity_log_and_buys_nothing_twice() {
    let sb = Sandbox::start();
    if !sb.dir_store_only() {
        return;
    }
    // Orders stay unfulfilled (not entitled) and out of the order list: only the journal of the
    // state dir that bought them, and the activity log, know about them.
    sb.knobs(serde_json::json!({"fulfillmentDelaySecs": 3600}));
    let applied = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    let orders = sb.orders().len();

    // The state dir is lost (and the orders show in the activity log by now).
    std::fs::remove_dir_all(sb.state_dir()).expect("delete the state dir");
    let dir = sb.manifest(CONTOSO_YAML);
    wait_out_the_log_lag();

    let plan = sb.cli("plan", &dir, &["--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "nothing to do: {}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    for (item, units) in [("batch-tier", 4), ("sql-server-perpetual", 3)] {
        let r = row(&json, item);
        assert_eq!(r["action"], "pending", "{r:#}");
        assert_eq!(
            (r["pending"].as_u64(), r["to_buy"].as_u64()),
            (Some(units), Some(0))
        );
    }
    assert_eq!(row(&json, "web-tier")["action"], "ok");
    assert_eq!(json["summary"]["to_buy"], 0, "{json:#}");
    assert_eq!(json["witnesses"]["journal"], "missing", "{json:#}");
    assert_eq!(
        json["witnesses"]["activity_log"]["orders"].as_u64(),
        Some(orders as u64),
        "{json:#}"
    );
    for format in ["text", "markdown"] {
        let out = sb.cli("plan", &dir, &["--format", format]);
        assert_eq!(out.code, Some(0), "{}", out.all());
        assert!(
            out.stdout
                .contains("the purchase journal (none in this state dir)"),
            "{format}: {}",
            out.all()
        );
        assert!(
            out.stdout.contains("the partner activity log ("),
            "{format}"
        );
    }

    // apply buys nothing and creates the journal.
    let apply = sb.cli("apply", &dir, &["--auto-approve"]);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");
    assert_eq!(sb.orders().len(), orders, "no new order");
    assert!(sb.state_dir().join("journal").is_dir());

    // --fresh-state used to mean "read a missing journal as empty" (and bought again here); it
    // is now a deprecated no-op.
    std::fs::remove_dir_all(sb.state_dir()).expect("delete the state dir");
    let apply = sb.cli("apply", &dir, &["--auto-approve", "--fresh-state"]);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert!(apply.stderr.contains("deprecated"), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");
}

#[test]
fn a_saved_plan_from_a_lost_state_dir_applies_without_buying_twice() {
    let sb = Sandbox::start();
    if !sb.dir_store_only() {
        return;
    }
    sb.knobs(serde_json::json!({"fulfillmentDelaySecs": 3600}));
    let applied = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(applied.code, Some(0), "{}", applied.all());
    std::fs::remove_dir_all(sb.state_dir()).expect("delete the state dir");
    let dir = sb.manifest(CONTOSO_YAML);
    wait_out_the_log_lag();
    let saved = sb.dir.path().join("plan.json");
    let saved_arg = saved.to_str().expect("utf-8 path");
    let plan = sb.cli("plan", &dir, &["--out", saved_arg]);
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let mut cmd = sb.command(false);
    cmd.args(["apply", "--auto-approve", "--plan", saved_arg]);
    let apply = sb.run(cmd);
    assert_eq!(apply.code, Some(0), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");
}
