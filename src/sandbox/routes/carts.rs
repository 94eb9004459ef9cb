//! Carts: create (201), get, update (PUT, 201) and checkout (201, idempotent per cart). Lines
//! are validated against the catalog, the customer's market and subscriptions; bad lines carry
//! `error` objects; lines are grouped into `orderGroup`s, each becoming one order.

use super::Ctx;
use super::catalog::{current_availability, restricted};
use super::customers::customer_not_found;
use super::orders::order_json;
use crate::sandbox::catalog::{Product, Sku, catalog};
use crate::sandbox::clock::ts;
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, get_ci, int_ci, link, str_ci};
use crate::sandbox::markets;
use crate::sandbox::world::{
    Cart, CartLine, Customer, LineError, Order, OrderLine, SubscriptionKind, World, stable_guid,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const CART_LIFETIME_DAYS: i64 = 7;
const MARKET_LINE_ERROR: i64 = 10006;

pub fn cart_json(c: &Cart, partner_user: &str) -> Value {
    let lines: Vec<Value> = c
        .lines
        .iter()
        .map(|l| {
            let mut v = json!({
                "id": l.id,
                "catalogItemId": l.catalog_item_id,
                "quantity": l.quantity,
                "currencyCode": l.currency_code,
                "billingCycle": l.billing_cycle,
                "provisioningContext": l.provisioning_context,
                "orderGroup": l.order_group,
            });
            if let Some(t) = &l.term_duration {
                v["termDuration"] = json!(t);
            }
            if let Some(n) = &l.friendly_name {
                v["friendlyName"] = json!(n);
            }
            if let Some(e) = &l.error {
                v["error"] = json!({ "errorCode": e.error_code, "errorDescription": e.error_description, "additionalInformation": {} });
            }
            v
        })
        .collect();
    json!({
        "id": c.id,
        "creationTimestamp": ts(c.created),
        "lastModifiedTimestamp": ts(c.modified),
        "expirationTimestamp": ts(c.expires),
        "lastModifiedUser": partner_user,
        "status": c.status,
        "lineItems": lines,
        "links": { "self": link(format!("/customers/{}/carts/{}", c.customer_id, c.id)) },
        "attributes": { "objectType": "Cart" },
    })
}

fn line_err(code: i64, text: impl Into<String>) -> Option<LineError> {
    Some(LineError {
        error_code: code,
        error_description: text.into(),
    })
}

fn lookup<'c>(world: &World, item: &str) -> Option<(&'c Product, &'c Sku, bool)> {
    let mut parts = item.split(':');
    let (p, s, a) = (parts.next()?, parts.next()?, parts.next()?);
    let product = catalog().product(p)?;
    let sku = product.sku(s)?;
    let current = current_availability(world, &product.id, &sku.id).eq_ignore_ascii_case(a);
    Some((product, sku, current))
}

fn ctx_value<'m>(m: &'m BTreeMap<String, String>, key: &str) -> Option<&'m str> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

fn is_one_time(b: &str) -> bool {
    let n = b.to_ascii_lowercase().replace('_', "");
    n == "onetime"
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
    let group = if p.is_reservation() { "0" } else { "1" }.to_string();
    let error = (|| {
        if !current {
            return line_err(
                10001,
                format!("catalog item id {} is not valid", l.catalog_item_id),
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
        if !is_one_time(&l.billing_cycle) {
            return line_err(
                10010,
                format!(
                    "billing cycle {} is not supported by this item; use one_time",
                    l.billing_cycle
                ),
            );
        }
        let max = if p.is_reservation() {
            999_999_999
        } else {
            10_000
        };
        if l.quantity < 1 || l.quantity > max {
            return line_err(
                10010,
                format!("quantity {} is out of range (1..={max})", l.quantity),
            );
        }
        if !p.is_reservation() {
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
            return line_err(10007, format!("subscription {sub_id} is not active"));
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
fn parse_lines(body: &Value, currency: &str) -> Result<Vec<CartLine>, ApiResponse> {
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
            return Err(bad_request(format!("line item {i}: quantity is required")));
        };
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
        out.push(CartLine {
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

fn validate_all(
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

pub fn create(ctx: &mut Ctx, req: &ApiRequest, customer: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let body = match req.json() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let (currency, _) = markets::currency(&c.country);
    let mut lines = match parse_lines(&body, currency) {
        Ok(l) => l,
        Err(e) => return e,
    };
    validate_all(
        ctx.world,
        c,
        &mut lines,
        ctx.now,
        ctx.knobs.registration_delay_secs,
    );
    let cart = Cart {
        id: uuid::Uuid::new_v4().to_string(),
        customer_id: c.id.clone(),
        created: ctx.now,
        modified: ctx.now,
        expires: ctx.now + chrono::Duration::days(CART_LIFETIME_DAYS),
        status: "Active".into(),
        lines,
        checkout_result: None,
    };
    let v = cart_json(&cart, &ctx.world.partner.client_id);
    ctx.world.carts.insert(cart.id.clone(), cart);
    ctx.mutated = true;
    ApiResponse::json(201, v)
}

fn find_cart<'w>(world: &'w World, customer: &str, id: &str) -> Result<&'w Cart, ApiResponse> {
    world
        .carts
        .get(&id.to_ascii_lowercase())
        .filter(|c| c.customer_id.eq_ignore_ascii_case(customer))
        .ok_or_else(|| api_error(404, 800008, format!("cart {id} was not found")))
}

pub fn get(ctx: &mut Ctx, customer: &str, id: &str) -> ApiResponse {
    if ctx.world.customer(customer).is_none() {
        return customer_not_found(customer);
    }
    match find_cart(ctx.world, customer, id) {
        Ok(c) => ApiResponse::ok(cart_json(c, &ctx.world.partner.client_id)),
        Err(e) => e,
    }
}

pub fn update(ctx: &mut Ctx, req: &ApiRequest, customer: &str, id: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let cart = match find_cart(ctx.world, customer, id) {
        Ok(c) => c.clone(),
        Err(e) => return e,
    };
    if cart.status != "Active" {
        return api_error(
            400,
            800065,
            format!("cart {} was already submitted", cart.id),
        );
    }
    if ctx.now > cart.expires {
        return api_error(400, 800002, format!("cart {} has expired", cart.id));
    }
    let body = match req.json() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let (currency, _) = markets::currency(&c.country);
    let mut lines = match parse_lines(&body, currency) {
        Ok(l) => l,
        Err(e) => return e,
    };
    validate_all(
        ctx.world,
        c,
        &mut lines,
        ctx.now,
        ctx.knobs.registration_delay_secs,
    );
    let cart = Cart {
        lines,
        modified: ctx.now,
        ..cart
    };
    let v = cart_json(&cart, &ctx.world.partner.client_id);
    ctx.world.carts.insert(cart.id.clone(), cart);
    ctx.mutated = true;
    ApiResponse::json(201, v)
}

pub fn checkout(ctx: &mut Ctx, customer: &str, id: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer).cloned() else {
        return customer_not_found(customer);
    };
    let mut cart = match find_cart(ctx.world, customer, id) {
        Ok(c) => c.clone(),
        Err(e) => return e,
    };
    if let Some(result) = &cart.checkout_result {
        return ApiResponse::json(201, result.clone());
    }
    if ctx.now > cart.expires {
        return api_error(400, 800002, format!("cart {} has expired", cart.id));
    }
    for l in &cart.lines {
        if let Some((p, s, false)) = lookup(ctx.world, &l.catalog_item_id) {
            return api_error(
                404,
                400019,
                format!(
                    "availability in catalog item {} was not found (current: {}:{}:{})",
                    l.catalog_item_id,
                    p.id,
                    s.id,
                    current_availability(ctx.world, &p.id, &s.id)
                ),
            );
        }
    }
    validate_all(
        ctx.world,
        &c,
        &mut cart.lines,
        ctx.now,
        ctx.knobs.registration_delay_secs,
    );
    if cart.lines.iter().any(|l| l.error.is_some()) {
        let market = cart.lines.iter().any(|l| {
            l.error
                .as_ref()
                .is_some_and(|e| e.error_code == MARKET_LINE_ERROR)
        });
        ctx.world.carts.insert(cart.id.clone(), cart);
        ctx.mutated = true;
        return if market {
            api_error(
                400,
                800070,
                format!("offer not available in the country/region {}", c.country),
            )
        } else {
            api_error(
                400,
                800009,
                "error in cart item(s); see each line item's error",
            )
        };
    }
    let mut groups: BTreeMap<String, Vec<&CartLine>> = BTreeMap::new();
    for l in &cart.lines {
        groups.entry(l.order_group.clone()).or_default().push(l);
    }
    let mut orders = vec![];
    let mut errors = vec![];
    for (group, lines) in groups {
        let items: Vec<&str> = lines.iter().map(|l| l.catalog_item_id.as_str()).collect();
        if let Some((code, description)) = ctx.faults.take_group_failure(&items) {
            errors.push(json!({
                "orderGroupId": group,
                "code": code,
                "description": description.unwrap_or_else(|| "Quantity not available for the catalog item.".into()),
            }));
            continue;
        }
        orders.push(place_order(&c, &cart.id, &lines, ctx.now));
    }
    let order_values: Vec<Value> = orders.iter().map(order_json).collect();
    let result = json!({
        "orders": order_values,
        "orderErrors": errors,
        "links": { "self": link(format!("/customers/{}/carts/{}/checkout", c.id, cart.id)) },
        "attributes": { "objectType": "CartCheckoutResult" },
    });
    if !orders.is_empty() {
        cart.status = "Ordered".into();
        cart.checkout_result = Some(result.clone());
        cart.modified = ctx.now;
        for o in orders {
            ctx.world.insert_order(o);
        }
    }
    ctx.world.carts.insert(cart.id.clone(), cart);
    ctx.mutated = true;
    ApiResponse::json(201, result)
}

fn place_order(
    c: &Customer,
    cart_id: &str,
    lines: &[&CartLine],
    now: chrono::DateTime<chrono::Utc>,
) -> Order {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (currency, _) = markets::currency(&c.country);
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (p, s) = catalog()
                .product(l.catalog_item_id.split(':').next().unwrap_or(""))
                .and_then(|p| Some((p, p.sku(l.catalog_item_id.split(':').nth(1)?)?)))
                .map_or((false, 0.0), |(p, s)| (p.is_reservation(), s.price_usd));
            OrderLine {
                line_item_number: i as i64,
                catalog_item_id: l.catalog_item_id.clone(),
                quantity: l.quantity,
                term_duration: l.term_duration.clone(),
                provisioning_context: l.provisioning_context.clone(),
                friendly_name: l.friendly_name.clone(),
                unit_price: markets::convert(s, currency),
                reservation_order_id: p.then(|| uuid::Uuid::new_v4().to_string()),
                reservation_id: p.then(|| uuid::Uuid::new_v4().to_string()),
                line_item_guid: stable_guid(&format!("li|{id}|{i}")),
                subscription_id: p.then(|| uuid::Uuid::new_v4().to_string()),
            }
        })
        .collect();
    Order {
        alternate_id: id[..12].to_string(),
        id,
        customer_id: c.id.clone(),
        cart_id: Some(cart_id.to_string()),
        created: now,
        status: "completed".into(),
        currency_code: currency.into(),
        lines,
        seed: false,
    }
}
