//! `apply --format json` (issue 15 item 5): one versioned JSON event per line on stdout, in the
//! order of the run. (A re-run after a kill that reports resumed orders apart is in
//! `apply/resumed.rs`, with the kill tests.)

use super::support::*;
use serde_json::{Value, json};

/// Every stdout line parsed as JSON (each line must be one complete event).
pub fn events(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {l:?}: {e}")))
        .collect()
}

pub fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

fn index_of(types: &[&str], t: &str) -> usize {
    types
        .iter()
        .position(|x| *x == t)
        .unwrap_or_else(|| panic!("no {t} event in {types:?}"))
}

#[test]
fn the_event_stream_parses_line_by_line_in_the_order_of_the_run() {
    let sb = Sandbox::start();
    let yaml = format!(
        "{CONTOSO_YAML}{}",
        NORTHWIND_YAML
            .split_once("customers:\n")
            .expect("customers")
            .1
    );
    let run = sb.apply(&yaml, &["--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    let ev = events(&run);
    for e in &ev {
        assert_eq!(e["version"], "1", "{e}");
        assert!(e["timestamp"].is_string(), "{e}");
    }
    let t = types(&ev);
    assert_eq!(t.first(), Some(&"plan"), "{t:?}");
    assert_eq!(t.last(), Some(&"summary"), "{t:?}");
    let plan = &ev[0];
    assert_eq!(plan["sandbox"], true);
    assert_eq!(
        plan["partner_tenant"],
        "5e1c0a42-7f3b-4d9e-8c21-000000000001"
    );
    assert!(
        plan["summary"]["to_buy"].as_u64().is_some_and(|n| n > 0),
        "{plan}"
    );
    // Per customer: started, then (northwind) its registration, a cart, an order, finished.
    for customer in ["contoso", "northwind"] {
        let mine: Vec<&Value> = ev.iter().filter(|e| e["customer"] == customer).collect();
        let t: Vec<&str> = mine.iter().filter_map(|e| e["type"].as_str()).collect();
        let started = index_of(&t, "customer_started");
        let cart = index_of(&t, "cart_created");
        let order = index_of(&t, "order_placed");
        let finished = index_of(&t, "customer_finished");
        assert!(
            started < cart && cart < order && order < finished,
            "{customer}: {t:?}"
        );
        if customer == "northwind" {
            let registration = index_of(&t, "registration");
            assert!(started < registration && registration < cart, "{t:?}");
        }
    }
    let summary = ev.last().expect("summary");
    assert_eq!(summary["exit_code"], 0);
    assert!(
        summary["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Apply: ordered")),
        "{summary}"
    );
    assert_eq!(
        summary["totals"]["units_ordered"], 10,
        "7 for contoso, 3 for northwind"
    );
}

#[test]
fn a_customer_finished_event_comes_as_that_customer_finishes_not_at_the_end() {
    let sb = Sandbox::start();
    // northwind's subscription takes 8 s to register; contoso buys at once meanwhile.
    sb.knobs(json!({ "registrationDelaySecs": 8 }));
    let yaml = format!(
        "{CONTOSO_YAML}{}",
        NORTHWIND_YAML
            .split_once("customers:\n")
            .expect("customers")
            .1
    );
    let run = sb.apply(&yaml, &["--format", "json", "--parallelism", "2"]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    let ev = events(&run);
    let at = |pred: &dyn Fn(&Value) -> bool, what: &str| {
        ev.iter()
            .position(pred)
            .unwrap_or_else(|| panic!("no {what} in {}", run.stdout))
    };
    let contoso_finished = at(
        &|e| e["type"] == "customer_finished" && e["customer"] == "contoso",
        "contoso's customer_finished",
    );
    let northwind_registered = at(
        &|e| {
            e["type"] == "registration"
                && e["customer"] == "northwind"
                && e["status"] == "registered"
        },
        "northwind's completed registration",
    );
    let northwind_finished = at(
        &|e| e["type"] == "customer_finished" && e["customer"] == "northwind",
        "northwind's customer_finished",
    );
    assert!(
        contoso_finished < northwind_registered && northwind_registered < northwind_finished,
        "contoso finishes while northwind still waits on its registration:\n{}",
        run.stdout
    );
    assert_eq!(
        ev.iter()
            .filter(|e| e["type"] == "customer_finished")
            .count(),
        2,
        "one customer_finished per customer"
    );
    assert_eq!(ev.last().map(|e| &e["type"]), Some(&json!("summary")));
}

#[test]
fn json_events_need_auto_approve() {
    let sb = Sandbox::start();
    let dir = sb.manifest(CONTOSO_YAML);
    let mut cmd = sb.command(false);
    cmd.arg("apply").arg(dir).args(["--format", "json"]);
    let run = sb.run(cmd);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stderr.contains("--auto-approve"), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), 0);
}

#[test]
fn a_refused_run_says_so_as_an_event() {
    let sb = Sandbox::start();
    let run = sb.apply(CONTOSO_YAML, &["--format", "json", "--max-units", "1"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    let ev = events(&run);
    assert_eq!(types(&ev), ["plan", "refused"], "{}", run.all());
    assert_eq!(sb.units(CONTOSO), 0);
}
