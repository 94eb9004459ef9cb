//! The partner activity log as the second witness of recent purchases, counted on the sandbox
//! (`/_sandbox/orders`): runners with separate or stale state dirs inside the fulfilment window
//! never buy twice, and an activity log that cannot be read blocks every purchase (fail closed).

use crate::lost_journal::row;
use crate::support::*;
use serde_json::{Value, json};
use std::path::Path;

/// contoso's manifest with 6 more software units.
fn more_software() -> String {
    CONTOSO_YAML.replace("quantity: 3", "quantity: 9")
}

/// The sandbox's activity log lags behind orders by up to this many seconds.
const LOG_LAG_SECS: u64 = 3;

/// `reservoir apply` as another runner would run it: checkouts wait out the activity log's lag
/// (the harness turns that wait off for tests without other runners).
fn apply_as_runner(sb: &Sandbox, yaml: &str) -> Run {
    let dir = sb.manifest(yaml);
    let mut cmd = sb.command(false);
    cmd.env(
        "RESERVOIR_ACTIVITY_LOG_LAG",
        format!("{}s", LOG_LAG_SECS + 1),
    )
    .arg("apply")
    .arg(dir)
    .arg("--auto-approve");
    sb.run(cmd)
}

/// Copies a directory tree (`cp -a`).
fn copy_dir(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(
        status.success(),
        "cp -a {} {}",
        from.display(),
        to.display()
    );
}

/// Moves the current state dir aside to `name` and puts `with` (when given) in its place.
fn swap_state(sb: &Sandbox, name: &str, with: Option<&str>) {
    let state = sb.state_dir();
    std::fs::rename(&state, sb.dir.path().join(name)).expect("move the state dir aside");
    if let Some(w) = with {
        std::fs::rename(sb.dir.path().join(w), &state).expect("restore a state dir");
    }
}

#[test]
fn a_second_runner_with_its_own_state_dir_inside_the_fulfilment_window_buys_nothing() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 600, "auditLagSecs": LOG_LAG_SECS}));
    let first = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(first.code, Some(0), "{}", first.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    let orders = sb.orders().len();

    // Runner B: its own (empty) state dir, same manifest, seconds later.
    swap_state(&sb, "state-runner-a", None);
    let second = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(
        sb.orders().len(),
        orders,
        "no second order: {}",
        second.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    // Either B's re-plan already saw A's orders (pending, nothing to do), or they showed in the
    // activity log only while B waited out its lag before checkout (B abandons its cart).
    let pending = second.code == Some(0) && second.stdout.contains("pending");
    let vetoed = second.code == Some(1)
        && second
            .stdout
            .contains("not checked out: the partner activity log shows order");
    assert!(pending || vetoed, "{}", second.all());

    // Later in the window, B's plan shows A's units as pending.
    std::thread::sleep(std::time::Duration::from_secs(LOG_LAG_SECS + 1));
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json", "--detailed-exitcode"]);
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    assert_eq!(row(&json, "batch-tier")["action"], "pending", "{json:#}");
}

#[test]
fn a_stale_copy_of_the_state_dir_does_not_buy_the_increase_again() {
    // The reproduction of the issue: apply m1 with A; cp -a A A-old; apply m2 with A (buys 6
    // software units); apply m2 with A-old → no second order for the same 6 units.
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 600, "auditLagSecs": LOG_LAG_SECS}));
    let m1 = apply_as_runner(&sb, CONTOSO_YAML);
    assert_eq!(m1.code, Some(0), "{}", m1.all());
    copy_dir(&sb.state_dir(), &sb.dir.path().join("state-old"));
    let m2 = apply_as_runner(&sb, &more_software());
    assert_eq!(m2.code, Some(0), "{}", m2.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS + 6);
    let orders = sb.orders().len();

    swap_state(&sb, "state-a", Some("state-old"));
    std::thread::sleep(std::time::Duration::from_secs(LOG_LAG_SECS + 1));
    let plan = sb.plan(
        &more_software(),
        &["--format", "json", "--detailed-exitcode"],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    let sql = row(&json, "sql-server-perpetual");
    assert_eq!(sql["action"], "pending", "{sql:#}");
    assert_eq!(
        sql["pending"], 9,
        "3 from the journal, 6 from the activity log: {sql:#}"
    );

    let stale = apply_as_runner(&sb, &more_software());
    assert_eq!(stale.code, Some(0), "{}", stale.all());
    assert_eq!(
        sb.orders().len(),
        orders,
        "no second order: {}",
        stale.all()
    );
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS + 6);
}

#[test]
fn an_unreadable_activity_log_blocks_every_purchase_and_names_the_call() {
    let sb = Sandbox::start();
    sb.fault(json!({"path": "/v1/auditrecords*", "kind": "server_error", "status": 503}));
    let plan = sb.plan(CONTOSO_YAML, &["--format", "json"]);
    assert_eq!(plan.code, Some(1), "{}", plan.all());
    let json: Value = serde_json::from_str(&plan.stdout).expect("JSON plan");
    let batch = row(&json, "batch-tier");
    assert_eq!(batch["action"], "blocked", "{batch:#}");
    let why = batch["reason"].as_str().unwrap_or_default();
    assert!(why.contains("GET /v1/auditrecords"), "{why}");
    assert_eq!(json["witnesses"]["activity_log"]["status"], "failed");

    let apply = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(apply.code, Some(1), "{}", apply.all());
    assert_eq!(sb.units(CONTOSO), 0, "nothing bought");
    assert!(
        apply.stdout.contains("partner activity log"),
        "{}",
        apply.all()
    );
}
