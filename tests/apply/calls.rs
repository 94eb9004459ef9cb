//! Call economy of the real binary (issue 13): apply observes each customer once, under its lock
//! (also when the journal still holds its earlier orders, unsettled), and a repeat run reads
//! neither the customer (its country is cached in the state store) nor the registration of a
//! subscription known to be `Registered`; and each command keeps its requests of the last
//! minute for the next one.

use super::support::*;
use serde_json::Value;

#[test]
fn apply_observes_once_and_a_repeat_reads_no_cached_fact() {
    let sb = Sandbox::start();
    sb.reset_requests();
    let run = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS);
    let log = sb.requests();
    let customer = format!("/customers/{CONTOSO}");
    assert_eq!(count(&log, "GET", &customer), 1, "the customer, once");
    assert_eq!(
        count(&log, "GET", &format!("{customer}/subscriptions")),
        1,
        "the subscriptions are listed once: apply observes once"
    );
    assert_eq!(
        count(&log, "GET", &format!("{customer}/entitlements")),
        1,
        "the entitlements are listed once"
    );
    assert_eq!(count(&log, "POST", "/checkout"), 1, "one checkout");

    sb.reset_requests();
    let again = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "nothing bought twice");
    let log = sb.requests();
    assert_eq!(
        count(&log, "GET", &customer),
        0,
        "the country comes from the state store"
    );
    assert_eq!(
        count(&log, "GET", "/registrationstatus"),
        0,
        "a Registered subscription is not asked again"
    );
    assert_eq!(
        count(&log, "GET", &format!("{customer}/subscriptions")),
        1,
        "{}",
        log.iter()
            .map(|r| format!("{} {}", r["method"], r["path"]))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Partner Center counts the last minute's requests whoever sent them: each command keeps its
/// sends for the next command on this machine (`<state-dir>/cache/ratelimit/`), which counts
/// them before spending the rest of the minute. One entry per endpoint and partner, holding
/// timestamps only.
#[test]
fn each_command_keeps_its_requests_of_the_last_minute_for_the_next_one() {
    let sb = Sandbox::start();
    sb.reset_requests();
    let plan = sb.plan(CONTOSO_YAML, &[]);
    assert!(matches!(plan.code, Some(0 | 2)), "{}", plan.all());
    let api = sb
        .requests()
        .iter()
        .filter(|r| r["category"] != "token")
        .count();
    let dir = sb.state_dir().join("cache").join("ratelimit");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).expect("read");
    let entry: Value = serde_json::from_str(&text).expect("json");
    let sends = entry["value"].as_array().expect("an array of times");
    assert_eq!(sends.len(), api, "one time per request sent: {text}");
    let secret = sb.handle().credentials().client_secret;
    assert!(!text.contains(&secret), "no credential in the window");

    // The next command adds its own requests to the ones still in the minute.
    sb.reset_requests();
    let again = sb.apply(CONTOSO_YAML, &[]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    let more = sb
        .requests()
        .iter()
        .filter(|r| r["category"] != "token")
        .count();
    let text = std::fs::read_to_string(&files[0]).expect("read");
    let entry: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(entry["value"].as_array().map(Vec::len), Some(api + more));
}
