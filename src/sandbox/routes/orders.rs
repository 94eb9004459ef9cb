//! Orders: by id (at once), the customer's list (only after the order-list delay; optional
//! `billingType` filter) and provisioning status.

use super::Ctx;
use super::customers::customer_not_found;
use crate::sandbox::clock::ts;
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, collection, link};
use crate::sandbox::world::Order;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The order's status at `now`: `pending` until it is fulfilled, then as stored (a held
/// `pending_po_upload` order stays so).
pub fn status(o: &Order, now: DateTime<Utc>) -> &str {
    if o.status == "completed" && now < o.fulfilled_at.unwrap_or(o.created) {
        "pending"
    } else {
        &o.status
    }
}

/// Whether the order shows in the customer's order list at `now`.
pub fn listed(o: &Order, now: DateTime<Utc>, list_delay_secs: u64) -> bool {
    let at = o
        .listed_at
        .unwrap_or_else(|| o.created + chrono::Duration::seconds(list_delay_secs as i64));
    at <= now
}

/// An order line's `pricing` (§15: `listPrice`, `discountedPrice`, `proratedPrice`, `price`,
/// `extendedPrice`), at the price the sandbox's price sheet and invoices use.
fn line_pricing(currency: &str, unit: f64, quantity: f64) -> Value {
    let round = |v: f64| {
        if currency == "JPY" {
            v.round()
        } else {
            (v * 100.0).round() / 100.0
        }
    };
    json!({
        "listPrice": unit,
        "discountedPrice": unit,
        "proratedPrice": unit,
        "price": unit,
        "extendedPrice": round(unit * quantity),
    })
}

pub fn order_json(o: &Order, status: &str) -> Value {
    let symbol = match o.currency_code.as_str() {
        "GBP" => "£",
        "EUR" => "€",
        "JPY" => "¥",
        _ => "$",
    };
    let lines: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let mut v = json!({
                "lineItemNumber": l.line_item_number,
                "offerId": l.catalog_item_id,
                "quantity": l.quantity,
                "transactionType": "New",
                "provisioningContext": l.provisioning_context,
                "pricing": line_pricing(&o.currency_code, l.unit_price, l.quantity as f64),
                "partnerIdOnRecord": null,
                "links": {
                    "product": link(format!("/products/{}", l.product_id())),
                    "sku": link(format!("/products/{}/skus/{}", l.product_id(), l.sku_id())),
                    "availability": link(format!("/products/{}/skus/{}/availabilities/{}", l.product_id(), l.sku_id(), l.availability_id())),
                    "provisioningStatus": link(format!("/customers/{}/orders/{}/provisioningstatus", o.customer_id, o.id)),
                },
            });
            if let Some(t) = &l.term_duration {
                v["termDuration"] = json!(t);
            }
            if let Some(n) = &l.friendly_name {
                v["friendlyName"] = json!(n);
            }
            crate::sandbox::savings::order_line_fields(l, &mut v);
            // Subscription ids appear once the order is fulfilled.
            if let Some(s) = &l.subscription_id
                && status == "completed"
            {
                v["subscriptionId"] = json!(s);
            }
            v
        })
        .collect();
    let total: f64 = o
        .lines
        .iter()
        .map(|l| l.unit_price * l.quantity as f64)
        .sum();
    let total = if o.currency_code == "JPY" {
        total.round()
    } else {
        (total * 100.0).round() / 100.0
    };
    json!({
        "id": o.id,
        "alternateId": o.alternate_id,
        "referenceCustomerId": o.customer_id,
        "billingCycle": o.billing_cycle,
        "currencyCode": o.currency_code,
        "currencySymbol": symbol,
        "lineItems": lines,
        "creationDate": ts(o.created),
        "status": status,
        "transactionType": "UserPurchase",
        "totalPrice": total,
        "links": {
            "self": link(format!("/customers/{}/orders/{}", o.customer_id, o.id)),
            "provisioningStatus": link(format!("/customers/{}/orders/{}/provisioningstatus", o.customer_id, o.id)),
        },
        "attributes": { "objectType": "Order" },
    })
}

/// The billing cycle a `billingType` value names (OneTime, onetime, one_time, 4, Annual, ...);
/// None for an unknown value.
fn billing_type(v: &str) -> Option<&'static str> {
    let n = v.to_ascii_lowercase().replace('_', "");
    match n.as_str() {
        "onetime" | "4" => Some("one_time"),
        "monthly" | "1" => Some("monthly"),
        "annual" | "2" => Some("annual"),
        "triennial" | "3" => Some("triennial"),
        "none" | "unknown" | "usage" | "license" | "0" => Some("none"),
        _ => None,
    }
}

pub fn list(ctx: &mut Ctx, req: &ApiRequest, customer: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let cycle = match req.q("billingType") {
        None => None,
        Some(b) => match billing_type(b) {
            Some(x) => Some(x),
            None => return bad_request(format!("billingType {b} is not valid")),
        },
    };
    let items = c
        .order_ids
        .iter()
        .filter_map(|id| ctx.world.orders.get(id))
        .filter(|o| cycle.is_none_or(|cy| o.billing_cycle == cy))
        .filter(|o| listed(o, ctx.now, ctx.knobs.order_list_delay_secs))
        .map(|o| order_json(o, status(o, ctx.now)))
        .collect();
    ApiResponse::ok(collection(items, &format!("/customers/{}/orders", c.id)))
}

fn find<'w>(ctx: &'w Ctx, customer: &str, id: &str) -> Result<&'w Order, ApiResponse> {
    if ctx.world.customer(customer).is_none() {
        return Err(customer_not_found(customer));
    }
    ctx.world
        .orders
        .get(id)
        .or_else(|| {
            ctx.world
                .orders
                .values()
                .find(|o| o.id.eq_ignore_ascii_case(id))
        })
        .filter(|o| o.customer_id.eq_ignore_ascii_case(customer))
        .ok_or_else(|| api_error(404, 800004, format!("order {id} was not found")))
}

pub fn get(ctx: &mut Ctx, customer: &str, id: &str) -> ApiResponse {
    match find(ctx, customer, id) {
        Ok(o) => ApiResponse::ok(order_json(o, status(o, ctx.now))),
        Err(e) => e,
    }
}

pub fn provisioning_status(ctx: &mut Ctx, customer: &str, id: &str) -> ApiResponse {
    let o = match find(ctx, customer, id) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let done = status(o, ctx.now) == "completed";
    let line_status = if done {
        "fulfilled"
    } else {
        "PrefulfillmentPending"
    };
    // `orderLineItemId` is the documented integer.
    let items = o
        .lines
        .iter()
        .map(|l| {
            json!({
                "lineItemNumber": l.line_item_number,
                "orderLineItemId": l.line_item_number,
                "status": line_status,
                "quantityProvisioningInformation": [{ "quantity": l.quantity, "status": line_status }],
            })
        })
        .collect();
    ApiResponse::ok(collection(
        items,
        &format!(
            "/customers/{}/orders/{}/provisioningstatus",
            o.customer_id, o.id
        ),
    ))
}
