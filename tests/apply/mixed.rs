//! Mixed credentials on one state dir (issue 11 item 1): app-only runs (order list, which lags)
//! and App+User runs (entitlements, which wait for fulfilment) never re-buy what the other kind
//! of run saw, in either order. Purchases are counted with `/_sandbox/orders`.

use super::support::*;
use serde_json::json;

pub const FABRIKAM: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
pub const FABRIKAM_YAML: &str = include_str!("../../examples/fleet/fabrikam.yaml");

impl Sandbox {
    /// `reservoir apply` with App+User (`app_only = false`) or app-only credentials.
    pub fn apply_as(&self, yaml: &str, app_only: bool) -> Run {
        let dir = self.manifest(yaml);
        let mut cmd = self.command(app_only);
        cmd.arg("apply").arg(dir).arg("--auto-approve");
        self.run(cmd)
    }

    /// Moves the sandbox clock forward.
    pub fn advance(&self, seconds: u64) {
        self.post_admin("clock/advance", &json!({ "seconds": seconds }));
    }
}

#[test]
fn an_order_seen_in_the_order_list_is_not_bought_again_by_an_app_user_run_before_fulfilment() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 1800, "orderListDelaySecs": 900}));
    let first = sb.apply_as(FABRIKAM_YAML, false);
    assert_eq!(first.code, Some(0), "{}", first.all());
    assert_eq!(sb.units(FABRIKAM), 2, "{}", first.all());

    sb.advance(1000); // listed (900 s) but not fulfilled (1800 s)
    let app_only = sb.apply_as(FABRIKAM_YAML, true);
    assert_eq!(app_only.code, Some(0), "{}", app_only.all());
    assert_eq!(sb.units(FABRIKAM), 2, "app-only bought: {}", app_only.all());

    let app_user = sb.apply_as(FABRIKAM_YAML, false);
    assert_eq!(app_user.code, Some(0), "{}", app_user.all());
    assert_eq!(
        sb.units(FABRIKAM),
        2,
        "App+User bought again: {}",
        app_user.all()
    );
    assert!(
        app_user.stdout.contains("Apply: ordered 0 units"),
        "{}",
        app_user.all()
    );

    // Later, with every source caught up, neither kind of run buys.
    sb.advance(3600);
    for app_only in [true, false, true] {
        let run = sb.apply_as(FABRIKAM_YAML, app_only);
        assert_eq!(run.code, Some(0), "{}", run.all());
        assert_eq!(sb.units(FABRIKAM), 2, "app_only={app_only}: {}", run.all());
    }
}

#[test]
fn an_entitled_order_is_not_bought_again_by_an_app_only_run_while_the_order_list_lags() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0, "orderListDelaySecs": 900}));
    let first = sb.apply_as(FABRIKAM_YAML, false);
    assert_eq!(first.code, Some(0), "{}", first.all());
    assert_eq!(sb.units(FABRIKAM), 2);

    // App+User sees the entitlement (and used to settle the journalled order for good).
    let again = sb.apply_as(FABRIKAM_YAML, false);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_eq!(sb.units(FABRIKAM), 2, "{}", again.all());

    // The order list does not show it yet: only the journal does.
    let app_only = sb.apply_as(FABRIKAM_YAML, true);
    assert_eq!(app_only.code, Some(0), "{}", app_only.all());
    assert_eq!(
        sb.units(FABRIKAM),
        2,
        "app-only bought again: {}",
        app_only.all()
    );
    assert!(
        app_only.stdout.contains("pending"),
        "the journalled order counts as pending: {}",
        app_only.all()
    );

    sb.advance(1000);
    for app_only in [true, false] {
        let run = sb.apply_as(FABRIKAM_YAML, app_only);
        assert_eq!(run.code, Some(0), "{}", run.all());
        assert_eq!(sb.units(FABRIKAM), 2, "app_only={app_only}: {}", run.all());
    }
}
