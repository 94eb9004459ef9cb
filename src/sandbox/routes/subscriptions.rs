//! Subscriptions (list, by id) and registration for reservation purchases (register → 202 +
//! relative `Location`, registration status moving to `Registered` after the configured delay).

use super::Ctx;
use super::customers::customer_not_found;
use crate::sandbox::clock::ts;
use crate::sandbox::errors::api_error;
use crate::sandbox::http::{ApiResponse, collection, link};
use crate::sandbox::world::{Registration, Subscription, SubscriptionKind};
use serde_json::{Value, json};

/// The Azure plan product, SKU and availability.
pub const AZURE_PLAN_OFFER: &str = "DZH318Z0BPS6:0001:DZH318Z0BPRC";

pub fn subscription_json(customer_id: &str, s: &Subscription) -> Value {
    let (offer_id, offer_name, product_type) = match s.kind {
        SubscriptionKind::AzurePlan => (
            AZURE_PLAN_OFFER,
            "Azure plan",
            json!({ "id": "Azure", "displayName": "Azure" }),
        ),
        SubscriptionKind::Legacy => ("MS-AZR-0145P", "Microsoft Azure", Value::Null),
        SubscriptionKind::NonAzure => (
            "CFQ7TTC0LFLZ:0001",
            "Microsoft 365 E3",
            json!({ "id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE" }),
        ),
    };
    let mut v = json!({
        "id": s.id,
        "offerId": offer_id,
        "offerName": offer_name,
        "friendlyName": s.friendly_name,
        "quantity": 1,
        "unitType": "Usage-based",
        "creationDate": ts(s.created),
        "effectiveStartDate": ts(s.created),
        "commitmentEndDate": "9999-12-10T00:00:00Z",
        "status": s.status,
        "autoRenewEnabled": false,
        "isTrial": false,
        "hasPurchasableAddons": false,
        "isMicrosoftProduct": true,
        "billingType": "usage",
        "billingCycle": "monthly",
        "contractType": "subscription",
        "links": { "self": link(format!("/customers/{customer_id}/subscriptions/{}", s.id)) },
        "attributes": { "etag": crate::sandbox::catalog::derived_id("", &format!("etag|{}|{}|{:?}", s.id, s.status, s.registration)), "objectType": "Subscription" },
    });
    match s.kind {
        SubscriptionKind::AzurePlan => v["productType"] = product_type,
        SubscriptionKind::Legacy => v["entitlementId"] = json!(s.id),
        SubscriptionKind::NonAzure => {
            v["productType"] = product_type;
            v["unitType"] = json!("Licenses");
            v["billingType"] = json!("license");
            v["quantity"] = json!(25);
        }
    }
    v
}

pub fn list(ctx: &mut Ctx, customer: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let mut items: Vec<Value> = c
        .subscriptions
        .iter()
        .map(|s| subscription_json(&c.id, s))
        .collect();
    items.extend(crate::sandbox::savings::subscriptions(
        ctx.world,
        c,
        ctx.now,
        ctx.knobs.documented_shapes,
    ));
    ApiResponse::ok(collection(
        items,
        &format!("/customers/{}/subscriptions", c.id),
    ))
}

pub fn get(ctx: &mut Ctx, customer: &str, sub: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    match c
        .subscriptions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(sub))
    {
        Some(s) => ApiResponse::ok(subscription_json(&c.id, s)),
        None => subscription_not_found(sub),
    }
}

pub fn subscription_not_found(sub: &str) -> ApiResponse {
    api_error(404, 20003, format!("subscription {sub} was not found"))
}

/// `POST …/registrations`: 202, empty body, relative `Location` without `/v1`.
pub fn register(ctx: &mut Ctx, customer: &str, sub: &str) -> ApiResponse {
    let now = ctx.now;
    let Some(c) = ctx.world.customer_mut(customer) else {
        return customer_not_found(customer);
    };
    let cid = c.id.clone();
    let Some(s) = c
        .subscriptions
        .iter_mut()
        .find(|s| s.id.eq_ignore_ascii_case(sub))
    else {
        return subscription_not_found(sub);
    };
    if s.kind == SubscriptionKind::NonAzure {
        return api_error(
            400,
            800011,
            format!("subscription {} isn't a valid Azure subscription", s.id),
        );
    }
    if !s.status.eq_ignore_ascii_case("active") {
        return api_error(400, 800012, format!("subscription {} isn't active", s.id));
    }
    if s.registration == Registration::NotRegistered {
        s.registration = Registration::Registering { requested_at: now };
        ctx.mutated = true;
    }
    ApiResponse::empty(202).with_header(
        "Location",
        format!("/customers/{cid}/subscriptions/{}/registrationstatus", s.id),
    )
}

pub fn status(ctx: &mut Ctx, customer: &str, sub: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let Some(s) = c
        .subscriptions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(sub))
    else {
        return subscription_not_found(sub);
    };
    ApiResponse::ok(json!({
        "subscriptionId": s.id,
        "status": s.registration.status(ctx.now, ctx.knobs.registration_delay_secs),
        "attributes": { "objectType": "SubscriptionRegistrationStatus" },
    }))
}
