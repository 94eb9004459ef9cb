//! A re-run after a kill reports the orders it resumed apart from new ones (issue 15 item 9), in
//! text and in the `apply --format json` stream. Needs the `fault-injection` feature (kill tests).

use super::support::*;
use serde_json::Value;

fn events(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {l:?}: {e}")))
        .collect()
}

#[test]
fn a_rerun_after_a_kill_reports_resumed_orders_apart_from_new_ones() {
    let sb = Sandbox::start();
    let killed = sb.apply_crashing(CONTOSO_YAML, "cart_created");
    assert_eq!(killed.code, None, "{}", killed.all());
    let rerun = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(rerun.code, Some(0), "{}", rerun.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "bought once");
    let last = rerun.stdout.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!(
            "Apply: ordered 0 units in 0 orders, finished {CONTOSO_NEW_UNITS} units in 1 order \
             an interrupted run had started (resumed, not new)"
        )),
        "{}",
        rerun.all()
    );
    assert!(
        rerun.stdout.contains("placed (resumed: "),
        "{}",
        rerun.all()
    );

    // The same in the event stream: a `resumed` event, and the totals apart.
    let sb = Sandbox::start();
    let killed = sb.apply_crashing(CONTOSO_YAML, "cart_created");
    assert_eq!(killed.code, None, "{}", killed.all());
    let rerun = sb.apply(CONTOSO_YAML, &["--format", "json"]);
    assert_eq!(rerun.code, Some(0), "{}", rerun.all());
    let ev = events(&rerun);
    assert!(
        ev.iter().any(|e| e["type"] == "resumed"),
        "{}",
        rerun.stdout
    );
    let totals = &ev.last().expect("summary")["totals"];
    assert_eq!(totals["units_ordered"], 0, "{totals}");
    assert_eq!(totals["units_resumed"], CONTOSO_NEW_UNITS, "{totals}");
}
