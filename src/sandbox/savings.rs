//! Azure savings plans in the sandbox (docs/partner-center.md, savings plans): the product
//! `DZH318Z09V6F` with SKUs `0001` (P1Y) and `0002` (P3Y), sold through the customer-scoped
//! catalog to Azure plan customers only; cart-line checks (App+User only, quantity 1,
//! `purchaseCommitment` hourly in USD at least the minimum, provisioning context by scope); the
//! price of a plan (hourly × 8,760 × years); and the subscriptions checked-out plans become
//! (`unitType: Benefit`, `lineItems[{scope, purchaseCommitment, status}]`, `commitmentEndDate`).
//! Independent of the client's wire types on purpose: it is the other side of the wire.

use super::catalog::{Kind, Product, Sku};
use super::clock::ts;
use super::world::{CartLine, Customer, LineError, Order, OrderLine, SubscriptionKind, World};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The savings-plan product id.
pub const PRODUCT_ID: &str = "DZH318Z09V6F";
/// Hours in a year of a plan's term.
pub const HOURS_PER_YEAR: f64 = 8_760.0;
/// The least hourly commitment, as the SKU states it (a string on the wire).
pub const MINIMUM_HOURLY: &str = "0.001";

/// The product and its two SKUs.
pub fn product() -> Product {
    let sku = |id: &str, term: &'static str, duration: &'static str, years: &str| Sku {
        id: id.to_owned(),
        title: format!("Compute savings plan, {years}"),
        description: format!("Azure savings plan for compute, {years} term"),
        arm_sku_name: Some("Compute_Savings_Plan".to_owned()),
        region: None,
        duration: Some(duration),
        term: Some(term),
        cores: None,
        ram: None,
        category: "SavingsPlan",
        inventory_check: false,
        restricted_regions: vec![],
        price_usd: 0.0,
        billing_cycles: vec!["one_time", "monthly"],
    };
    Product {
        id: PRODUCT_ID.to_owned(),
        title: "Azure savings plan".to_owned(),
        description: "Azure savings plan for compute".to_owned(),
        view: "AzureSavingsPlan",
        azure_plan: true,
        kind: Kind::SavingsPlan,
        sub_type: "SavingsPlan",
        skus: vec![
            sku("0001", "P1Y", "1Year", "1 year"),
            sku("0002", "P3Y", "3Years", "3 years"),
        ],
    }
}

/// Whether a catalog item or product id is the savings plan's.
pub fn is_savings_plan(product_id: &str) -> bool {
    product_id.eq_ignore_ascii_case(PRODUCT_ID)
}

/// Whether the customer may see the savings-plan catalog (it has an Azure plan subscription).
pub fn sold_to(c: &Customer) -> bool {
    c.subscriptions
        .iter()
        .any(|s| s.kind == SubscriptionKind::AzurePlan)
}

/// The SKU fields a savings plan adds or changes.
pub fn sku_fields(s: &Sku, v: &mut Value) {
    v["minimumQuantity"] = json!(1);
    v["maximumQuantity"] = json!(1);
    v["purchasePrerequisites"] = json!(["MicrosoftCloudAgreement"]);
    v["provisioningVariables"] = json!(["Scope", "SubscriptionId"]);
    v["actions"] = json!(["Refund"]);
    v["dynamicAttributes"] = json!({
        "armSkuName": "Compute_Savings_Plan",
        "termDuration": s.term.unwrap_or(""),
        "category": "SavingsPlan",
    });
    v["minimumPurchaseCommitment"] = json!({
        "grain": "Hourly",
        "currencyCode": { "code": "USD" },
        "amount": MINIMUM_HOURLY,
    });
}

fn years(term: Option<&str>) -> f64 {
    if term.is_some_and(|t| t.eq_ignore_ascii_case("P3Y")) {
        3.0
    } else {
        1.0
    }
}

/// The price of a plan of `hourly` per hour for `term`: hourly × 8,760 × years, in cents.
pub fn price(hourly: f64, term: Option<&str>) -> f64 {
    (hourly * HOURS_PER_YEAR * years(term) * 100.0).round() / 100.0
}

fn ctx_value<'m>(l: &'m CartLine, key: &str) -> Option<&'m str> {
    l.provisioning_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

fn err(code: i64, text: String) -> Option<LineError> {
    Some(LineError {
        error_code: code,
        error_description: text,
        checkout_code: None,
    })
}

/// Checks a savings-plan cart line (billing cycle and term are checked like any line).
pub fn validate(customer: &Customer, l: &CartLine) -> Option<LineError> {
    if !sold_to(customer) {
        return err(
            10010,
            "savings plans are sold to Azure plan customers only".into(),
        );
    }
    if l.quantity != 1 {
        return err(
            10010,
            format!(
                "quantity {} is not valid for a savings plan (1)",
                l.quantity
            ),
        );
    }
    let Some(c) = &l.purchase_commitment else {
        return err(
            10010,
            "purchaseCommitment is required for a savings plan".into(),
        );
    };
    if !c.grain.eq_ignore_ascii_case("hourly") {
        return err(
            10010,
            format!("purchaseCommitment.grain {} is not hourly", c.grain),
        );
    }
    if !c.currency.eq_ignore_ascii_case("usd") {
        return err(
            10010,
            format!("purchaseCommitment.currency {} is not usd", c.currency),
        );
    }
    let minimum: f64 = MINIMUM_HOURLY.parse().unwrap_or(0.001);
    if c.amount.is_nan() || c.amount < minimum - 1e-9 {
        return err(
            10010,
            format!(
                "purchaseCommitment.amount {} is below the minimum {MINIMUM_HOURLY}",
                c.amount
            ),
        );
    }
    match ctx_value(l, "scope")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("shared") => {
            let Some(sub) = ctx_value(l, "subscriptionId") else {
                return err(
                    10010,
                    "provisioningContext.subscriptionId is required".into(),
                );
            };
            let ok = customer.subscriptions.iter().any(|s| {
                s.id.eq_ignore_ascii_case(sub)
                    && s.kind == SubscriptionKind::AzurePlan
                    && s.status.eq_ignore_ascii_case("active")
            });
            if !ok {
                return err(
                    10007,
                    format!("subscription {sub} is not an active Azure plan"),
                );
            }
        }
        Some("single") => {
            if ctx_value(l, "entitlementId").is_none() {
                return err(
                    10010,
                    "provisioningContext.entitlementId is required".into(),
                );
            }
        }
        other => {
            return err(
                10010,
                format!(
                    "provisioningContext.scope {} is not supported; use shared or single",
                    other.unwrap_or("(missing)")
                ),
            );
        }
    }
    None
}

/// The order line's `purchaseCommitment`, `transactionType` and `pricing` (one plan).
pub fn order_line_fields(l: &OrderLine, v: &mut Value) {
    if let Some(c) = &l.purchase_commitment {
        v["purchaseCommitment"] =
            json!({ "amount": c.amount, "grain": "hourly", "currency": c.currency });
        v["transactionType"] = json!("New");
        v["pricing"] = json!({
            "listPrice": l.unit_price, "discountedPrice": l.unit_price,
            "proratedPrice": l.unit_price, "price": l.unit_price, "extendedPrice": l.unit_price,
        });
    }
}

/// The savings-plan subscriptions the customer's checked-out plans have become by `now` (each
/// once its order is fulfilled), in order of purchase.
/// With `documented` (the `documentedShapes` knob) `commitmentEndDate` is written with the doubled
/// `T` of the documented example (`2023-05-18TT21:22:26`).
pub fn subscriptions(
    world: &World,
    c: &Customer,
    now: DateTime<Utc>,
    documented: bool,
) -> Vec<Value> {
    let mut out = Vec::new();
    for o in c.order_ids.iter().filter_map(|id| world.orders.get(id)) {
        if o.fulfilled_at.is_some_and(|f| f > now) || o.status.eq_ignore_ascii_case("cancelled") {
            continue;
        }
        for l in o.lines.iter().filter(|l| is_savings_plan(l.product_id())) {
            let mut v = subscription_json(o, l, now);
            if documented && let Some(end) = v["commitmentEndDate"].as_str() {
                let doubled = end.trim_end_matches('Z').replacen('T', "TT", 1);
                v["commitmentEndDate"] = json!(doubled);
            }
            out.push(v);
        }
    }
    out
}

fn subscription_json(o: &Order, l: &OrderLine, now: DateTime<Utc>) -> Value {
    let start = o.created;
    let years = years(l.term_duration.as_deref()) as i64;
    let end = start + chrono::Duration::days(365 * years);
    let status = if end <= now { "expired" } else { "active" };
    let id = super::world::stable_guid(&format!("savings|{}|{}", o.id, l.line_item_number));
    let scope = l
        .provisioning_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("scope"))
        .map_or("shared", |(_, v)| v.as_str())
        .to_ascii_lowercase();
    let entitlement = l
        .provisioning_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("entitlementId"))
        .map(|(_, v)| v.clone());
    let c = l.purchase_commitment.clone().unwrap_or_default();
    let mut line = json!({
        "scope": scope,
        "purchaseCommitment": { "amount": c.amount, "grain": "hourly", "currency": c.currency },
        "status": "active",
    });
    if let Some(e) = entitlement {
        line["entitlementId"] = json!(e);
    }
    json!({
        "id": id,
        "offerId": format!("{}:{}", PRODUCT_ID, l.sku_id()),
        "offerName": "Azure savings plan",
        "friendlyName": l.friendly_name.clone().unwrap_or_else(|| "Azure savings plan".into()),
        "productType": { "id": "Azure", "displayName": "Azure", "subType": { "id": "SavingsPlan", "displayName": "SavingsPlan" } },
        "quantity": 1,
        "unitType": "Benefit",
        "billingType": "benefit",
        "billingCycle": o.billing_cycle,
        "termDuration": l.term_duration.clone().unwrap_or_default(),
        "creationDate": ts(start),
        "effectiveStartDate": ts(start),
        "commitmentEndDate": ts(end),
        "status": status,
        "autoRenewEnabled": false,
        "isTrial": false,
        "contractType": "subscription",
        "orderId": o.id,
        "productOrderId": super::world::stable_guid(&format!("savings-order|{}", o.id)),
        "lineItems": [line],
        "attributes": { "objectType": "Subscription" },
    })
}

/// `403` for an app-only token asking for a savings plan (App+User credentials only).
pub fn refuse_app_only(
    req: &super::http::ApiRequest,
    lines: &[CartLine],
) -> Option<super::http::ApiResponse> {
    let plan = lines
        .iter()
        .any(|l| is_savings_plan(l.catalog_item_id.split(':').next().unwrap_or("")));
    (plan && !req.app_user).then(|| {
        super::errors::api_error(
            403,
            900329,
            "savings plans can be purchased with App+User credentials only",
        )
    })
}
