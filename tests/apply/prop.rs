//! A small property test over the real binary: random schedules of faults (writes committed then
//! dropped, 5xx, 429) and kills at random protocol steps never end with more units ordered than
//! declared, and a final fault-free apply always converges to exactly the declared units.
//! (The engine-level property test with many more cases is in `tests/apply_engine`.)

use super::support::*;
use proptest::prelude::*;
use serde_json::{Value, json};

const CRASH_POINTS: [&str; 7] = [
    "",
    "intent",
    "cart_sent",
    "cart_created",
    "checkout_started",
    "checkout_sent",
    "checkout_result",
];

fn fault(kind: u8, count: u64) -> Option<Value> {
    match kind {
        0 => None,
        1 => Some(
            json!({"method": "POST", "path": "/v1/customers/*/carts", "count": 1,
                         "kind": "commit_then_drop"}),
        ),
        2 => Some(
            json!({"method": "POST", "path": "/v1/customers/*/carts/*/checkout",
                         "count": 1, "kind": "commit_then_drop"}),
        ),
        3 => Some(
            json!({"method": "POST", "path": "/v1/customers/*/carts*", "count": count,
                         "kind": "server_error", "status": 503}),
        ),
        _ => Some(
            json!({"path": "/v1/customers/*", "count": count, "kind": "rate_limit",
                         "retryAfterSeconds": 0}),
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_faults_and_kills_never_overbuy_and_a_clean_apply_converges(
        steps in proptest::collection::vec((0u8..5, 1u64..4, 0usize..CRASH_POINTS.len()), 1..4)
    ) {
        let sb = Sandbox::start();
        for (kind, count, crash) in &steps {
            if let Some(rule) = fault(*kind, *count) {
                sb.fault(rule);
            }
            let point = CRASH_POINTS[*crash];
            let run = if point.is_empty() {
                sb.apply(CONTOSO_YAML, &[])
            } else {
                sb.apply_crashing(CONTOSO_YAML, point)
            };
            let units = sb.units(CONTOSO);
            prop_assert!(units <= CONTOSO_NEW_UNITS, "{steps:?}: {units} units\n{}", run.all());
        }
        sb.clear_faults();
        let last = sb.apply(CONTOSO_YAML, &[]);
        prop_assert_eq!(last.code, Some(0), "{:?}\n{}", steps, last.all());
        prop_assert_eq!(sb.units(CONTOSO), CONTOSO_NEW_UNITS, "{:?}", steps);
    }
}
