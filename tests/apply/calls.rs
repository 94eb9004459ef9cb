//! Call economy of the real binary (issue 13): apply observes each customer once, under its lock
//! (also when the journal still holds its earlier orders, unsettled), and a repeat run reads
//! neither the customer (its country is cached in the state store) nor the registration of a
//! subscription known to be `Registered`.

use super::support::*;
use serde_json::{Value, json};

/// Requests of the last run whose path ends with `suffix` (query string ignored).
fn count(log: &[Value], method: &str, suffix: &str) -> usize {
    log.iter()
        .filter(|r| r["method"] == method)
        .filter(|r| {
            r["path"]
                .as_str()
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
                .ends_with(suffix)
        })
        .count()
}

fn reset(sb: &Sandbox) {
    sb.post_admin("requests/reset", &json!({}));
}

#[test]
fn apply_observes_once_and_a_repeat_reads_no_cached_fact() {
    let sb = Sandbox::start();
    reset(&sb);
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

    reset(&sb);
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
