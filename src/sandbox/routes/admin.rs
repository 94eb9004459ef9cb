//! The admin API under `/_sandbox/` (no auth), for tests and demos:
//!
//! * `GET /_sandbox/orders` — every order ever placed, no delay.
//! * `GET /_sandbox/requests`, `POST /_sandbox/requests/reset` (or `DELETE`) — request counters.
//! * `GET /_sandbox/clock`, `POST /_sandbox/clock/advance` `{"seconds": N}`.
//! * `GET|PUT /_sandbox/world` — dump / replace the world.
//! * `POST /_sandbox/availabilities/rotate` `{"productId"?, "skuId"?}` — new availability ids.
//! * `GET|PUT /_sandbox/knobs` — latency, delays, rate limits (PUT merges the given fields).
//! * `GET|POST|DELETE /_sandbox/faults` — scripted faults (`FaultRule` JSON).
//! * `POST /_sandbox/holdings` `{customerId, catalogItemId, quantity, provisioningContext?,
//!   termDuration?, daysAgo? (30)}` — adds a completed order (and so an entitlement and an
//!   invoice line) placed in the past, without going through a cart (it stands for a portal
//!   purchase: it shows in the activity log; `daysAgo: 0, minutesAgo: N` for a recent one,
//!   which is `pending` for the fulfilment delay like any other order).
//! * `POST /_sandbox/subscriptions` `{customerId, kind? ("azurePlan" | "legacy" | "nonAzure"),
//!   status? ("active"), registered? (true)}` — adds a subscription; answers its id.

use crate::sandbox::clock::ts;
use crate::sandbox::faults::FaultRule;
use crate::sandbox::knobs::Knobs;
use crate::sandbox::server::{Shared, lock, replace_world};
use crate::sandbox::world::World;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Value, json};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_sandbox/orders", get(orders))
        .route("/_sandbox/requests", get(requests).delete(reset_requests))
        .route("/_sandbox/requests/reset", post(reset_requests))
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance))
        .route("/_sandbox/world", get(world).put(put_world))
        .route("/_sandbox/availabilities/rotate", post(rotate))
        .route("/_sandbox/knobs", get(knobs).put(put_knobs))
        .route(
            "/_sandbox/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/holdings", post(add_holding))
        .route("/_sandbox/subscriptions", post(add_subscription))
        .layer(DefaultBodyLimit::max(512 * 1024 * 1024))
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn bad(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({ "error": msg }))).into_response()
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Box<Response>> {
    let data: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(data).map_err(|e| Box::new(bad(format!("invalid body: {e}"))))
}

async fn orders(State(s): State<Shared>) -> Response {
    let mut g = lock(&s);
    let Some(w) = reload(&mut g) else {
        return bad("world unavailable".into());
    };
    let now = crate::sandbox::clock::now(w.clock_offset_seconds);
    let mut list: Vec<&crate::sandbox::world::Order> = w.orders.values().collect();
    list.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    let items: Vec<Value> = list
        .iter()
        .map(|o| {
            json!({
                "customerId": o.customer_id,
                "orderId": o.id,
                "cartId": o.cart_id,
                "creationDate": ts(o.created),
                "status": crate::sandbox::routes::orders::status(o, now),
                "billingCycle": o.billing_cycle,
                "seed": o.seed,
                "lines": o.lines.iter().map(|l| json!({
                    "lineItemNumber": l.line_item_number,
                    "catalogItemId": l.catalog_item_id,
                    "quantity": l.quantity,
                    "termDuration": l.term_duration,
                    "provisioningContext": l.provisioning_context,
                    "reservationOrderId": l.reservation_order_id,
                    "purchaseCommitment": l.purchase_commitment,
                    "unitPrice": l.unit_price,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    ok(json!({ "totalCount": items.len(), "items": items }))
}

fn reload(g: &mut crate::sandbox::state::Inner) -> Option<&World> {
    let crate::sandbox::state::Inner { store, world, .. } = g;
    store.reload_if_changed(world);
    Some(world)
}

async fn requests(State(s): State<Shared>) -> Response {
    let g = lock(&s);
    ok(serde_json::to_value(&g.counters).unwrap_or(Value::Null))
}

async fn reset_requests(State(s): State<Shared>) -> Response {
    let mut g = lock(&s);
    g.counters = Default::default();
    ok(json!({ "reset": true }))
}

async fn clock(State(s): State<Shared>) -> Response {
    let mut g = lock(&s);
    reload(&mut g);
    ok(json!({ "now": ts(g.now()), "offsetSeconds": g.world.clock_offset_seconds }))
}

#[derive(serde::Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance(State(s): State<Shared>, body: Bytes) -> Response {
    let a: Advance = match parse(&body) {
        Ok(a) => a,
        Err(e) => return *e,
    };
    if a.seconds < 0 {
        return bad("the sandbox clock only moves forward".into());
    }
    let mut g = lock(&s);
    reload(&mut g);
    g.world.clock_offset_seconds += a.seconds;
    g.persist();
    ok(json!({ "now": ts(g.now()), "offsetSeconds": g.world.clock_offset_seconds }))
}

async fn world(State(s): State<Shared>) -> Response {
    let mut g = lock(&s);
    reload(&mut g);
    ok(serde_json::to_value(&g.world).unwrap_or(Value::Null))
}

async fn put_world(State(s): State<Shared>, body: Bytes) -> Response {
    let w: World = match serde_json::from_slice(&body) {
        Ok(w) => w,
        Err(e) => return bad(format!("invalid world: {e}")),
    };
    let mut g = lock(&s);
    replace_world(&mut g, w);
    ok(json!({ "customers": g.world.customers.len(), "orders": g.world.orders.len() }))
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Rotate {
    product_id: Option<String>,
    sku_id: Option<String>,
}

async fn rotate(State(s): State<Shared>, body: Bytes) -> Response {
    let r: Rotate = match parse(&body) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut g = lock(&s);
    reload(&mut g);
    let rotated = match (r.product_id, r.sku_id) {
        (None, _) => {
            g.world.availability_generation += 1;
            json!("all")
        }
        (Some(p), sku) => {
            let Some(product) = crate::sandbox::catalog::catalog().product(&p) else {
                return bad(format!("unknown product {p}"));
            };
            let skus: Vec<String> = product
                .skus
                .iter()
                .filter(|s| sku.as_deref().is_none_or(|x| s.id.eq_ignore_ascii_case(x)))
                .map(|s| s.id.clone())
                .collect();
            for s in &skus {
                *g.world
                    .rotated_availabilities
                    .entry(format!("{}:{s}", product.id))
                    .or_default() += 1;
            }
            json!(
                skus.iter()
                    .map(|s| format!("{}:{s}", product.id))
                    .collect::<Vec<_>>()
            )
        }
    };
    g.persist();
    ok(json!({ "rotated": rotated }))
}

async fn knobs(State(s): State<Shared>) -> Response {
    let g = lock(&s);
    ok(serde_json::to_value(&g.knobs).unwrap_or(Value::Null))
}

async fn put_knobs(State(s): State<Shared>, body: Bytes) -> Response {
    let patch: Value = match parse(&body) {
        Ok(v) => v,
        Err(e) => return *e,
    };
    let mut g = lock(&s);
    let mut current = serde_json::to_value(&g.knobs).unwrap_or(Value::Null);
    if let (Some(cur), Some(p)) = (current.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            cur.insert(k.clone(), v.clone());
        }
    }
    match serde_json::from_value::<Knobs>(current) {
        Ok(k) => {
            g.set_knobs(k);
            ok(serde_json::to_value(&g.knobs).unwrap_or(Value::Null))
        }
        Err(e) => bad(format!("invalid knobs: {e}")),
    }
}

async fn faults(State(s): State<Shared>) -> Response {
    let g = lock(&s);
    ok(serde_json::to_value(&g.faults.rules).unwrap_or(Value::Null))
}

async fn add_fault(State(s): State<Shared>, body: Bytes) -> Response {
    let rule: FaultRule = match parse(&body) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut g = lock(&s);
    g.faults.rules.push(rule);
    ok(serde_json::to_value(&g.faults.rules).unwrap_or(Value::Null))
}

async fn clear_faults(State(s): State<Shared>) -> Response {
    let mut g = lock(&s);
    g.faults.rules.clear();
    ok(json!([]))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Holding {
    customer_id: String,
    catalog_item_id: String,
    quantity: i64,
    #[serde(default)]
    provisioning_context: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    term_duration: Option<String>,
    #[serde(default = "thirty")]
    days_ago: i64,
    /// Added to `daysAgo` (a "portal purchase" a few minutes ago: `daysAgo: 0, minutesAgo: 5`).
    #[serde(default)]
    minutes_ago: i64,
}

fn thirty() -> i64 {
    30
}

async fn add_holding(State(s): State<Shared>, body: Bytes) -> Response {
    use crate::sandbox::world::{Order, OrderLine, stable_guid};
    let h: Holding = match parse(&body) {
        Ok(h) => h,
        Err(e) => return *e,
    };
    let mut g = lock(&s);
    reload(&mut g);
    let now = g.now();
    let Some(c) = g.world.customer(&h.customer_id).cloned() else {
        return bad(format!("unknown customer {}", h.customer_id));
    };
    let mut parts = h.catalog_item_id.split(':');
    let found = crate::sandbox::catalog::catalog()
        .product(parts.next().unwrap_or(""))
        .and_then(|p| Some((p, p.sku(parts.next()?)?)));
    let Some((p, sku)) = found else {
        return bad(format!("unknown catalog item {}", h.catalog_item_id));
    };
    let (currency, _) = crate::sandbox::markets::currency(&c.country);
    let id = uuid::Uuid::new_v4().simple().to_string();
    let reservation = p.is_reservation();
    let order = Order {
        alternate_id: id[..12].to_string(),
        id: id.clone(),
        customer_id: c.id.clone(),
        cart_id: None,
        created: now
            - chrono::Duration::days(h.days_ago)
            - chrono::Duration::minutes(h.minutes_ago),
        status: "completed".into(),
        currency_code: currency.into(),
        lines: vec![OrderLine {
            line_item_number: 0,
            catalog_item_id: h.catalog_item_id.clone(),
            quantity: h.quantity,
            term_duration: h.term_duration.or(sku.term.map(str::to_string)),
            provisioning_context: h.provisioning_context,
            friendly_name: Some(sku.title.clone()),
            unit_price: crate::sandbox::markets::convert(sku.price_usd, currency),
            reservation_order_id: reservation.then(|| uuid::Uuid::new_v4().to_string()),
            reservation_id: reservation.then(|| uuid::Uuid::new_v4().to_string()),
            line_item_guid: stable_guid(&format!("li|{id}|0")),
            subscription_id: reservation.then(|| uuid::Uuid::new_v4().to_string()),
            purchase_commitment: None,
        }],
        seed: true,
        billing_cycle: "one_time".into(),
        fulfilled_at: None,
        listed_at: None,
        recorded_at: None,
        correlation_id: None,
    };
    let mut order = order;
    let placed = order.created;
    order.set_timings(placed, &g.knobs);
    let status = crate::sandbox::routes::orders::status(&order, now).to_string();
    let v = crate::sandbox::routes::orders::order_json(&order, &status);
    g.world.insert_order(order);
    g.persist();
    ok(v)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewSubscription {
    customer_id: String,
    #[serde(default = "azure_plan")]
    kind: crate::sandbox::world::SubscriptionKind,
    #[serde(default = "active")]
    status: String,
    #[serde(default = "yes")]
    registered: bool,
}

fn azure_plan() -> crate::sandbox::world::SubscriptionKind {
    crate::sandbox::world::SubscriptionKind::AzurePlan
}
fn active() -> String {
    "active".into()
}
fn yes() -> bool {
    true
}

async fn add_subscription(State(s): State<Shared>, body: Bytes) -> Response {
    use crate::sandbox::world::{Registration, Subscription, SubscriptionKind};
    let n: NewSubscription = match parse(&body) {
        Ok(n) => n,
        Err(e) => return *e,
    };
    let mut g = lock(&s);
    reload(&mut g);
    let now = g.now();
    let Some(c) = g.world.customer_mut(&n.customer_id) else {
        return bad(format!("unknown customer {}", n.customer_id));
    };
    let id = uuid::Uuid::new_v4().to_string();
    c.subscriptions.push(Subscription {
        id: id.clone(),
        kind: n.kind,
        status: n.status,
        registration: if n.registered {
            Registration::Registered
        } else {
            Registration::NotRegistered
        },
        friendly_name: match n.kind {
            SubscriptionKind::AzurePlan => "Azure plan".into(),
            SubscriptionKind::Legacy => "Microsoft Azure".into(),
            SubscriptionKind::NonAzure => "Microsoft 365 E3".into(),
        },
        created: now,
    });
    g.persist();
    ok(json!({ "subscriptionId": id }))
}
