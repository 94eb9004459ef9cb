//! The client against the sandbox in "documented shapes" mode (issue 17 item 10): zone-less
//! timestamps, numeric strings, PascalCase provisioning-context keys, `code` as a string,
//! comma-joined echoed ids — the §12 flow end to end, and the software/entitlement reads.

use super::common::*;
use super::purchase::{billing, buy};
use reservoir::partner_center::wire::{EntitlementType, ReservationScope};
use reservoir::sandbox::Knobs;

fn documented() -> Knobs {
    Knobs {
        documented_shapes: true,
        fulfillment_delay_secs: 120,
        ..Knobs::default()
    }
}

#[tokio::test]
async fn the_documented_flow_runs_on_documented_shapes() {
    let env = start_knobs(documented()).await;
    let bought = buy(
        &env,
        NORTHWIND,
        NORTHWIND_PLAN,
        Some(&ReservationScope::AzurePlan),
        false,
    )
    .await;
    billing(&env, &bought, 1).await;
}

#[tokio::test]
async fn entitlements_parse_on_documented_shapes() {
    let env = start_knobs(documented()).await;
    let ents = env
        .client
        .list_entitlements(CONTOSO, Some(&EntitlementType::Software), true)
        .await
        .expect("software entitlements");
    assert!(
        ents.iter()
            .any(|e| e.product_id.as_deref() == Some("DG7GMGF0DWM3") && e.quantity == Some(5)),
        "{ents:?}"
    );
    let all = env
        .client
        .list_entitlements(CONTOSO, None, false)
        .await
        .expect("all entitlements");
    assert!(
        all.iter()
            .any(|e| e.entitlement_type == Some(EntitlementType::ReservedInstance)),
        "{all:?}"
    );
    let subs = env
        .client
        .list_subscriptions(CONTOSO)
        .await
        .expect("subscriptions");
    assert!(!subs.is_empty());
}
