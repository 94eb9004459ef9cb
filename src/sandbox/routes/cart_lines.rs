//! Cart line parsing (property names case-insensitive) and validation: catalog item, market,
//! billing cycle, quantity, term, provisioning context, subscription state, inventory. Each bad
//! line gets a `CartError` (`errorCode`, `errorDescription`); each line gets an `orderGroup`.

use super::catalog::{availability_segment, restricted};
use crate::sandbox::catalog::{Product, Sku, catalog};
use crate::sandbox::errors::bad_request;
use crate::sandbox::http::{ApiResponse, get_ci, int_ci, str_ci};
use crate::sandbox::markets;
use crate::sandbox::world::{CartLine, Customer, LineError, SubscriptionKind, World};
use serde_json::Value;
use std::collections::BTreeMap;

/// The line error code used for unavailable markets (the description cites 800070).
pub const MARKET_LINE_ERROR: i64 = 10006;

fn line_err(code: i64, text: impl Into<String>) -> Option<LineError> {
    Some(LineError {
        error_code: code,
        error_description: text.into(),
        checkout_code: None,
    })
}

/// A line error whose cart fails checkout with `checkout_code` instead of 800009.
fn line_err_at_checkout(code: i64, checkout_code: i64, text: String) -> Option<LineError> {
    Some(LineError {
        error_code: code,
        error_description: format!("{text} ({checkout_code})"),
        checkout_code: Some(checkout_code),
    })
}

/// The order group of a billing cycle: one-time items (reservations, perpetual software) share
/// group "0"; each recurring cycle has its own.
pub fn order_group(billing_cycle: &str) -> &'static str {
    match billing_cycle.to_ascii_lowercase().replace('_', "").as_str() {
        "onetime" => "0",
        "monthly" => "1",
        "annual" => "2",
        "triennial" => "3",
        _ => "4",
    }
}

/// The canonical (snake_case) spelling of a billing cycle.
pub fn canonical_cycle(billing_cycle: &str) -> String {
    match billing_cycle.to_ascii_lowercase().replace('_', "").as_str() {
        "onetime" => "one_time".into(),
        other => other.to_string(),
    }
}

pub fn lookup<'c>(world: &World, item: &str) -> Option<(&'c Product, &'c Sku, bool)> {
    let mut parts = item.split(':');
    let (p, s, a) = (parts.next()?, parts.next()?, parts.next()?);
    let product = catalog().product(p)?;
    let sku = product.sku(s)?;
    let current = availability_segment(world, product, &sku.id, a).is_some();
    Some((product, sku, current))
}

fn ctx_value<'m>(m: &'m BTreeMap<String, String>, key: &str) -> Option<&'m str> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// Validates a line; returns its error (if any) and its order group.
fn validate(
    world: &World,
    customer: &Customer,
    l: &CartLine,
    now: chrono::DateTime<chrono::Utc>,
    registration_delay: u64,
) -> (Option<LineError>, String) {
    let Some((p, s, current)) = lookup(world, &l.catalog_item_id) else {
        return (
            line_err(
                10001,
                format!("catalog item id {} is not valid", l.catalog_item_id),
            ),
            "0".into(),
        );
    };
    let group = order_group(&l.billing_cycle).to_string();
    let error = (|| {
        if !current {
            return line_err(
                10001,
                format!("catalog item id {} is not valid", l.catalog_item_id),
            );
        }
        let segment = l
            .catalog_item_id
            .split(':')
            .nth(2)
            .and_then(|a| availability_segment(world, p, &s.id, a))
            .unwrap_or("commercial");
        if !segment.eq_ignore_ascii_case(customer.segment()) {
            return line_err_at_checkout(
                10006,
                800020,
                format!(
                    "catalog item {} is offered to the {segment} segment; the customer is {}",
                    l.catalog_item_id,
                    customer.segment()
                ),
            );
        }
        if markets::is_unavailable(&customer.country) {
            return line_err(
                MARKET_LINE_ERROR,
                format!(
                    "offer not available in the country/region {} (800070)",
                    customer.country
                ),
            );
        }
        if !s
            .billing_cycles
            .iter()
            .any(|c| *c == canonical_cycle(&l.billing_cycle))
        {
            return line_err(
                10010,
                format!(
                    "billing cycle {} is not supported by this item; use one of {}",
                    l.billing_cycle,
                    s.billing_cycles.join(", ")
                ),
            );
        }
        let max = p.max_quantity();
        if l.quantity < 1 || l.quantity > max {
            return line_err(
                10010,
                format!("quantity {} is out of range (1..={max})", l.quantity),
            );
        }
        let savings_plan = crate::sandbox::savings::is_savings_plan(&p.id);
        if !savings_plan && !p.is_reservation() {
            return None;
        }
        match (&l.term_duration, s.term) {
            (Some(t), Some(want)) if t.eq_ignore_ascii_case(want) => {}
            (t, want) => {
                return line_err(
                    10010,
                    format!(
                        "termDuration {} does not match the item's term {}",
                        t.as_deref().unwrap_or("(missing)"),
                        want.unwrap_or("")
                    ),
                );
            }
        }
        if savings_plan {
            return crate::sandbox::savings::validate(customer, l);
        }
        let pc = &l.provisioning_context;
        let Some(sub_id) = ctx_value(pc, "subscriptionId") else {
            return line_err(10010, "provisioningContext.subscriptionId is required");
        };
        let Some(sub) = customer
            .subscriptions
            .iter()
            .find(|x| x.id.eq_ignore_ascii_case(sub_id))
        else {
            return line_err(10007, format!("subscription {sub_id} is not valid"));
        };
        if sub.kind == SubscriptionKind::NonAzure {
            return line_err_at_checkout(
                10007,
                800011,
                format!("subscription {sub_id} isn't a valid Azure subscription"),
            );
        }
        let wants_plan = p.azure_plan;
        if (sub.kind == SubscriptionKind::AzurePlan) != wants_plan {
            return line_err(
                10007,
                format!(
                    "subscription {sub_id} cannot buy this item (use the {} catalog)",
                    if wants_plan {
                        "legacy"
                    } else {
                        "reservationScope=AzurePlan"
                    }
                ),
            );
        }
        if !sub.status.eq_ignore_ascii_case("active") {
            return line_err_at_checkout(
                10007,
                800012,
                format!("subscription {sub_id} is not active"),
            );
        }
        if sub.registration.status(now, registration_delay) != "Registered" {
            return line_err(10011, format!("subscription {sub_id} is not registered"));
        }
        match ctx_value(pc, "scope")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("shared") | Some("single") => {}
            other => {
                return line_err(
                    10010,
                    format!(
                        "provisioningContext.scope {} is not supported; use shared or single",
                        other.unwrap_or("(missing)")
                    ),
                );
            }
        }
        if let Some(d) = ctx_value(pc, "duration") {
            let norm = |x: &str| x.to_ascii_lowercase().trim_end_matches('s').to_string();
            if norm(d) != norm(s.duration.unwrap_or("")) {
                return line_err(
                    10010,
                    format!("provisioningContext.duration {d} does not match the item's duration"),
                );
            }
        }
        if let Some(region) = restricted(s, None) {
            return line_err(
                10003,
                format!(
                    "inventory is not available for {} in {region}",
                    s.arm_sku_name.as_deref().unwrap_or(&s.id)
                ),
            );
        }
        None
    })();
    (error, group)
}

/// Parses the request's line items (property names case-insensitive).
pub fn parse_lines(body: &Value, currency: &str) -> Result<Vec<CartLine>, ApiResponse> {
    let Some(items) = get_ci(body, "lineItems").and_then(Value::as_array) else {
        return Err(bad_request("lineItems is required"));
    };
    if items.is_empty() {
        return Err(bad_request("a cart needs at least one line item"));
    }
    let mut out = vec![];
    for (i, it) in items.iter().enumerate() {
        let Some(catalog_item_id) = str_ci(it, "catalogItemId") else {
            return Err(bad_request(format!(
                "line item {i}: catalogItemId is required"
            )));
        };
        let Some(quantity) = int_ci(it, "quantity") else {
            return Err(bad_request(format!(
                "line item {i}: quantity is required (a whole number)"
            )));
        };
        if quantity < 0 {
            return Err(bad_request(format!(
                "line item {i}: quantity {quantity} is not valid (the minimum is 1)"
            )));
        }
        let provisioning_context = get_ci(it, "provisioningContext")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let purchase_commitment =
            get_ci(it, "purchaseCommitment").map(|c| crate::sandbox::world::Commitment {
                amount: get_ci(c, "amount")
                    .and_then(|a| a.as_f64().or_else(|| a.as_str()?.trim().parse().ok()))
                    .unwrap_or(-1.0),
                grain: get_ci(c, "grain")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                currency: get_ci(c, "currency")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            });
        out.push(CartLine {
            purchase_commitment,
            id: int_ci(it, "id").unwrap_or(i as i64),
            catalog_item_id,
            friendly_name: str_ci(it, "friendlyName"),
            quantity,
            billing_cycle: str_ci(it, "billingCycle").unwrap_or_default(),
            term_duration: str_ci(it, "termDuration"),
            provisioning_context,
            order_group: "0".into(),
            currency_code: currency.to_string(),
            error: None,
        });
    }
    Ok(out)
}

pub fn validate_all(
    world: &World,
    customer: &Customer,
    lines: &mut [CartLine],
    now: chrono::DateTime<chrono::Utc>,
    delay: u64,
) {
    for l in lines.iter_mut() {
        let (error, group) = validate(world, customer, l, now, delay);
        l.error = error;
        l.order_group = group;
    }
}
