//! Availability selection by segment: Partner Center lists one availability per segment and
//! promises no order. With the documented list in reverse order (education first) a commercial
//! customer was sold the education catalog item; the catalog must ask for the customer's segment
//! (`targetSegment=commercial`), keep only that segment, and block when several remain. A
//! resolution that defers the availability (observe's first pass) reads none.

use crate::client::mock::{CUSTOMER, Canned, Mock, SUBSCRIPTION, app_user, client, v1};
use reservoir::catalog::{Buyer, Catalog, Freshness};
use reservoir::manifest::{
    DesiredReservation, ReservationTarget, ReservationType, Scope, SourceRef, SubscriptionKind,
    Term,
};
use reservoir::partner_center::Reader;
use reservoir::plan::Resolution;
use serde_json::{Value, json};

const PRODUCT: &str = "DZH318Z0BQ3Q";

fn availability(id: &str, segment: &str) -> Value {
    json!({
        "id": id, "productId": PRODUCT, "skuId": "0001",
        "catalogItemId": format!("{PRODUCT}:0001:{id}"),
        "defaultCurrency": { "code": "USD", "symbol": "$" },
        "segment": segment, "country": "US", "isPurchasable": true, "isRenewable": false,
        "terms": [{ "duration": "P1Y", "description": "1 Year Prepaid", "billingCycle": "one_time" }],
        "product": {}, "sku": {},
    })
}

fn collection(items: Vec<Value>) -> Canned {
    Canned::json(
        200,
        json!({ "totalCount": items.len(), "items": items, "attributes": { "objectType": "Collection" } }),
    )
}

/// A mock catalog with one VM reservation SKU (Standard_D2s_v5, eastus, 1 year) whose
/// availabilities are `availabilities`.
async fn catalog_with(availabilities: Vec<Value>) -> (Mock, Catalog) {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1("/products"),
        vec![collection(vec![json!({
            "id": PRODUCT, "title": "Reserved VM Instance, Standard_D2s_v5",
            "productType": { "id": "Azure", "displayName": "Azure",
                             "subType": { "id": "VirtualMachines", "displayName": "VirtualMachines" } },
        })])],
    );
    mock.on(
        "GET",
        &v1(&format!("/products/{PRODUCT}/skus")),
        vec![collection(vec![json!({
            "id": "0001", "productId": PRODUCT,
            "title": "Reserved VM Instance, Standard_D2s_v5, US East, 1 Year",
            "minimumQuantity": 1, "maximumQuantity": 999999999,
            "supportedBillingCycles": ["one_time"],
            "purchasePrerequisites": [], "provisioningVariables": ["Scope", "SubscriptionId", "Duration"],
            "dynamicAttributes": { "armSkuName": "Standard_D2s_v5", "armRegionName": "eastus", "duration": "1Year" },
        })])],
    );
    mock.on(
        "GET",
        &v1(&format!("/products/{PRODUCT}/skus/0001/availabilities")),
        vec![collection(availabilities)],
    );
    let (c, _clock) = client(&mock, app_user(&mock));
    (mock, Catalog::new(Reader::new(&c)))
}

fn reservation() -> DesiredReservation {
    DesiredReservation {
        renew_before: None,
        name: "web".into(),
        reservation_type: ReservationType::Vm,
        target: ReservationTarget::Arm {
            arm_sku_name: "Standard_D2s_v5".into(),
            arm_region_name: "eastus".into(),
        },
        term: Term::P1Y,
        scope: Scope::Shared,
        quantity: 2,
        billing: Default::default(),
        source: SourceRef {
            file: "m.yaml".into(),
            line: 1,
            column: 1,
        },
        blocked_ok: None,
    }
}

async fn resolve(catalog: &Catalog) -> Resolution {
    resolve_with(catalog, Freshness::Cached).await
}

async fn resolve_with(catalog: &Catalog, freshness: Freshness) -> Resolution {
    let buyer = Buyer {
        customer_id: CUSTOMER,
        country: "US",
    };
    catalog
        .resolve_reservation(
            buyer,
            SUBSCRIPTION,
            SubscriptionKind::AzurePlan,
            &reservation(),
            freshness,
        )
        .await
}

#[tokio::test]
async fn a_commercial_customer_gets_the_commercial_availability_whatever_the_order() {
    // The documented list in reverse order: education and government before commercial.
    let (mock, catalog) = catalog_with(vec![
        availability("EDU1", "education"),
        availability("GOV1", "government"),
        availability("COM1", "commercial"),
    ])
    .await;
    let Resolution::Found(ci) = resolve(&catalog).await else {
        panic!("found expected");
    };
    assert_eq!(
        ci.catalog_item_id(),
        Some(format!("{PRODUCT}:0001:COM1").as_str())
    );
    let asked: Vec<_> = mock
        .api_requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/availabilities"))
        .collect();
    assert_eq!(asked.len(), 1);
    let query = asked[0].query.clone().unwrap_or_default();
    assert!(query.contains("targetSegment=commercial"), "{query}");
}

#[tokio::test]
async fn no_availability_of_the_segment_is_not_found() {
    let (_mock, catalog) = catalog_with(vec![availability("EDU1", "education")]).await;
    let r = resolve(&catalog).await;
    assert!(matches!(r, Resolution::NotFound { .. }), "{r:?}");
}

#[tokio::test]
async fn several_availabilities_of_the_segment_block_the_item() {
    let (_mock, catalog) = catalog_with(vec![
        availability("COM2", "commercial"),
        availability("EDU1", "education"),
        availability("COM1", "commercial"),
    ])
    .await;
    let Resolution::Ambiguous { reason } = resolve(&catalog).await else {
        panic!("ambiguous expected");
    };
    assert!(
        reason.contains(&format!("{PRODUCT}:0001:COM1"))
            && reason.contains(&format!("{PRODUCT}:0001:COM2"))
            && !reason.contains("EDU1"),
        "{reason}"
    );
}

/// Observe first resolves items without their availability (issue 13: only rows with a
/// shortfall need one): no availability is read, and the SKU found — what holdings are matched
/// on — is the one a full resolution finds, even when no availability of the customer's
/// segment would let it be bought.
#[tokio::test]
async fn a_resolution_deferring_the_availability_reads_none_and_finds_the_same_sku() {
    let (mock, catalog) = catalog_with(vec![availability("EDU1", "education")]).await;
    let Resolution::Found(sku) = resolve_with(&catalog, Freshness::DeferAvailability).await else {
        panic!("the SKU is found without its availability");
    };
    assert_eq!(sku.availability, None);
    assert_eq!(sku.catalog_item_id(), None);
    let availability_reads = |mock: &crate::client::mock::Mock| {
        mock.api_requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/availabilities"))
            .count()
    };
    assert_eq!(availability_reads(&mock), 0);
    let full = resolve(&catalog).await;
    assert!(
        matches!(full, Resolution::NotFound { .. }),
        "to buy it, the segment's availability is needed: {full:?}"
    );
    assert_eq!(availability_reads(&mock), 1);

    let (mock, catalog) = catalog_with(vec![
        availability("EDU1", "education"),
        availability("COM1", "commercial"),
    ])
    .await;
    let Resolution::Found(sku) = resolve_with(&catalog, Freshness::DeferAvailability).await else {
        panic!("found");
    };
    let Resolution::Found(full) = resolve(&catalog).await else {
        panic!("found");
    };
    assert_eq!(
        full.catalog_item_id(),
        Some(format!("{PRODUCT}:0001:COM1").as_str())
    );
    assert_eq!(
        (
            &sku.product_id,
            &sku.sku_id,
            sku.min_quantity,
            sku.max_quantity,
            &sku.inventory
        ),
        (
            &full.product_id,
            &full.sku_id,
            full.min_quantity,
            full.max_quantity,
            &full.inventory
        )
    );
    assert_eq!(availability_reads(&mock), 1);
}
