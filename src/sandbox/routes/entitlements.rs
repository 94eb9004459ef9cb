//! Entitlements derived from the customer's completed orders (reserved instances and software),
//! and reservation details behind a reserved-instance artifact link.

use super::Ctx;
use super::customers::customer_not_found;
use crate::sandbox::catalog::{Kind, catalog};
use crate::sandbox::clock::{add_term, ts};
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, collection, link};
use crate::sandbox::world::{Order, OrderLine};
use serde_json::{Value, json};

fn reservation_type(l: &OrderLine) -> Option<&'static str> {
    match catalog().product(l.product_id())?.kind {
        Kind::Reservation { reservation_type } => Some(reservation_type),
        _ => None,
    }
}

fn artifact_link(o: &Order, l: &OrderLine, roid: &str) -> String {
    format!(
        "/customers/{}/artifacts/reservedinstance/groups/{}/lineitems/{}/resource/{roid}",
        o.customer_id, o.alternate_id, l.line_item_guid
    )
}

/// SKUs whose entitlement nests another (Datacenter carries Standard edition rights).
const INCLUDED: &[(&str, &str, &str)] = &[("DG7GMGF0DWM3", "0003", "0002")];

fn entitlement_json(
    o: &Order,
    l: &OrderLine,
    show_expiry: bool,
    legacy_vm: bool,
    documented: bool,
) -> Value {
    let rtype = reservation_type(l);
    let etype = match (rtype, legacy_vm) {
        (Some(_), true) => "virtualmachinereservedinstance",
        (Some(_), false) => "reservedinstance",
        (None, _) => "software",
    };
    let artifacts = match (rtype, &l.reservation_order_id) {
        (Some(rt), Some(roid)) => json!([{
            "artifactType": if legacy_vm { "virtual_machine_reserved_instance" } else { "reservedinstance" },
            "dynamicAttributes": { "reservationType": rt },
            "link": link(artifact_link(o, l, roid)),
            "resourceId": roid,
        }]),
        _ => json!([]),
    };
    let kind = catalog().product(l.product_id()).map(|p| p.kind);
    let included: Vec<Value> = INCLUDED
        .iter()
        .filter(|(p, s, _)| l.product_id().eq_ignore_ascii_case(p) && l.sku_id().eq_ignore_ascii_case(s))
        .map(|(p, _, inner)| {
            json!({
                "includedEntitlements": [],
                "referenceOrder": { "id": o.id, "lineItemId": l.line_item_number.to_string(), "alternateId": o.alternate_id },
                "productId": p,
                "skuId": inner,
                "quantity": l.quantity,
                "quantityDetails": [{ "quantity": l.quantity, "status": "Active" }],
                "entitlementType": "software",
                "fulfillmentState": "Fulfilled",
                "entitledArtifacts": [],
                "dynamicAttributes": { "includedWith": format!("{}:{}", l.product_id(), l.sku_id()) },
                "attributes": { "objectType": "Entitlement" },
            })
        })
        .collect();
    let mut v = json!({
        "includedEntitlements": included,
        "referenceOrder": { "id": o.id, "lineItemId": l.line_item_number.to_string(), "alternateId": o.alternate_id },
        "productId": l.product_id(),
        "skuId": l.sku_id(),
        "quantity": l.quantity,
        "quantityDetails": [{ "quantity": l.quantity, "status": "Active" }],
        "entitlementType": etype,
        "fulfillmentState": "Fulfilled",
        "entitledArtifacts": artifacts,
        "dynamicAttributes": rtype.map_or(json!({}), |rt| json!({ "reservationType": rt })),
        "attributes": { "objectType": "Entitlement" },
    });
    // A software subscription always carries its expiry; others only with showExpiry.
    let always = kind == Some(Kind::SoftwareSubscription);
    if (show_expiry || always)
        && let Some(expiry) = l
            .term_duration
            .as_deref()
            .and_then(|t| add_term(o.created, t))
    {
        v["expiryDate"] = json!(ts(expiry));
    } else if show_expiry && documented && kind == Some(Kind::SoftwarePerpetual) {
        // "Never", as .NET writes it in the documented examples.
        v["expiryDate"] = json!("0001-01-01T00:00:00");
    }
    v
}

pub fn list(ctx: &mut Ctx, req: &ApiRequest, customer: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let filter = req.q("entitlementType").map(str::to_ascii_lowercase);
    let show_expiry = req
        .q("showExpiry")
        .is_some_and(|s| s.eq_ignore_ascii_case("true"));
    let want = |l: &OrderLine| -> Option<bool> {
        // Savings plans are held as subscriptions, not entitlements.
        if crate::sandbox::savings::is_savings_plan(l.product_id()) {
            return Some(false);
        }
        let rtype = reservation_type(l);
        match filter.as_deref() {
            None => Some(true),
            Some("software") => Some(rtype.is_none()),
            Some("reservedinstance") => Some(rtype.is_some()),
            Some("virtualmachinereservedinstance") => Some(rtype == Some("virtualmachines")),
            Some(_) => None,
        }
    };
    if want_is_invalid(&filter) {
        return bad_request(format!(
            "entitlementType {} is not valid",
            filter.unwrap_or_default()
        ));
    }
    let legacy_vm = filter.as_deref() == Some("virtualmachinereservedinstance");
    let items = c
        .order_ids
        .iter()
        .filter_map(|id| ctx.world.orders.get(id))
        .filter(|o| super::orders::status(o, ctx.now) == "completed")
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
        .filter(|(_, l)| want(l) == Some(true))
        .map(|(o, l)| entitlement_json(o, l, show_expiry, legacy_vm, ctx.knobs.documented_shapes))
        .collect();
    ApiResponse::ok(collection(
        items,
        &format!("/customers/{}/entitlements", c.id),
    ))
}

fn want_is_invalid(filter: &Option<String>) -> bool {
    filter.as_deref().is_some_and(|f| {
        ![
            "software",
            "reservedinstance",
            "virtualmachinereservedinstance",
        ]
        .contains(&f)
    })
}

pub fn artifact_details(ctx: &mut Ctx, customer: &str, roid: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let found = c
        .order_ids
        .iter()
        .filter_map(|id| ctx.world.orders.get(id))
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
        .find(|(_, l)| {
            l.reservation_order_id
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(roid))
        });
    let Some((o, l)) = found else {
        return api_error(
            404,
            800004,
            format!("reservation order {roid} was not found"),
        );
    };
    let scope = l
        .provisioning_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("scope"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_else(|| "shared".into());
    let sub = l
        .provisioning_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("subscriptionId"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut r = json!({
        "reservationId": l.reservation_id.clone().unwrap_or_default(),
        "scopeType": if scope == "single" { "Single" } else { "Shared" },
        "displayName": l.friendly_name.clone().unwrap_or_else(|| format!("reservation {}", l.catalog_item_id)),
        "quantity": l.quantity,
        "effectiveDateTime": ts(o.created),
        "provisioningState": "Created",
    });
    if let Some(exp) = l
        .term_duration
        .as_deref()
        .and_then(|t| add_term(o.created, t))
    {
        r["expiryDateTime"] = json!(ts(exp));
    }
    if scope == "single" {
        r["appliedScopes"] = json!([format!("/subscriptions/{sub}")]);
    }
    ApiResponse::ok(json!({
        "type": "reservedinstance",
        "reservations": [r],
        "links": { "self": link(artifact_link(o, l, roid)) },
        "attributes": { "objectType": "ReservedInstanceArtifactDetails" },
    }))
}
