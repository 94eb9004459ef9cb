//! The hostile answers of scripted faults (see `faults.rs`): cross-host redirects, error bodies
//! echoing secrets, carts that differ from the request, malformed entitlement lists, endless
//! `next` links and wrong checkout answers. Each works on the sandbox's own request/response
//! model; what was committed stays committed.

use super::catalog::catalog;
use super::faults::{AvailabilityDefect, CartMismatch, CheckoutDefect, EntitlementDefect};
use super::http::{ApiResponse, Body, get_ci, link};
use super::routes::catalog::{current_availability, current_availability_in};
use super::world::World;
use bytes::Bytes;
use serde_json::{Value, json};

/// The host a redirect goes to when the rule names no `location`.
pub const DEFAULT_REDIRECT_HOST: &str = "http://redirected.invalid";

/// A redirect to `location`, or to `path_and_query` on [`DEFAULT_REDIRECT_HOST`].
pub fn redirect(status: u16, location: Option<&str>, path_and_query: &str) -> ApiResponse {
    let to = location
        .map(str::to_string)
        .unwrap_or_else(|| format!("{DEFAULT_REDIRECT_HOST}{path_and_query}"));
    let mut r = ApiResponse::empty(status);
    r.headers.push(("Location".into(), to));
    r
}

/// A Partner Center error whose text echoes the request's `Authorization` header and body.
pub fn echo_secret(status: u16, authorization: Option<&str>, body: &[u8]) -> ApiResponse {
    let auth = authorization.unwrap_or("");
    let body = String::from_utf8_lossy(body).into_owned();
    ApiResponse::json(
        status,
        json!({
            "code": 500,
            "description": format!("Unhandled exception while processing the request (Authorization: {auth})"),
            "data": [format!("Authorization: {auth}"), body],
            "source": "PartnerFD",
        }),
    )
}

/// An Entra-shaped token error echoing the whole form (client secret, refresh token).
pub fn echo_token_form(status: u16, body: &[u8]) -> ApiResponse {
    let form = String::from_utf8_lossy(body).into_owned();
    let secret: String = url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "client_secret")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    ApiResponse::json(
        status,
        json!({
            "error": "server_error",
            "error_description": format!("AADSTS50000: There was an error issuing a token (client_secret={secret})."),
            "error_codes": [50000],
            "trace": form,
        }),
    )
}

/// The request body of a cart create/update rewritten as the fault says (None: left as is).
pub fn mismatch_cart(body: &Bytes, mode: CartMismatch, world: &World) -> Option<Bytes> {
    let mut v: Value = serde_json::from_slice(body).ok()?;
    let key = v
        .as_object()?
        .keys()
        .find(|k| k.eq_ignore_ascii_case("lineItems"))?
        .clone();
    let lines = v.get_mut(&key)?.as_array_mut()?;
    match mode {
        CartMismatch::DoubleQuantity => {
            for l in lines.iter_mut() {
                let Some(obj) = l.as_object_mut() else {
                    continue;
                };
                let Some(k) = obj
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case("quantity"))
                    .cloned()
                else {
                    continue;
                };
                let q = match &obj[&k] {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                if let Some(q) = q {
                    obj.insert(k, json!(q.saturating_mul(2)));
                }
            }
        }
        CartMismatch::DoubleCommitment => {
            for l in lines.iter_mut() {
                let Some(obj) = l.as_object_mut() else {
                    continue;
                };
                let Some(k) = obj
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case("purchaseCommitment"))
                    .cloned()
                else {
                    continue;
                };
                if let Some(c) = obj.get_mut(&k).and_then(Value::as_object_mut)
                    && let Some(a) = c.get("amount").and_then(Value::as_f64)
                {
                    c.insert("amount".into(), json!(a * 2.0));
                }
            }
        }
        CartMismatch::OtherItem => {
            let first = lines.first_mut()?.as_object_mut()?;
            let k = first
                .keys()
                .find(|k| k.eq_ignore_ascii_case("catalogItemId"))?
                .clone();
            let item = first[&k].as_str()?.to_string();
            first.insert(k, json!(other_item(&item, world)?));
        }
    }
    serde_json::to_vec(&v).ok().map(Bytes::from)
}

/// Another SKU of the same product with the same term (the next one, wrapping), so the line
/// stays valid and buyable, with its current availability.
fn other_item(item: &str, world: &World) -> Option<String> {
    let mut parts = item.split(':');
    let p = catalog().product(parts.next()?)?;
    let sku = parts.next()?;
    let i = p.skus.iter().position(|s| s.id.eq_ignore_ascii_case(sku))?;
    let me = &p.skus[i];
    let other = (1..p.skus.len())
        .map(|k| &p.skus[(i + k) % p.skus.len()])
        .find(|s| s.term == me.term && s.duration == me.duration)?;
    Some(format!(
        "{}:{}:{}",
        p.id,
        other.id,
        current_availability(world, &p.id, &other.id)
    ))
}

/// A successful checkout answer made wrong (the orders were placed all the same).
pub fn checkout_answer(mut r: ApiResponse, mode: CheckoutDefect, other: &str) -> ApiResponse {
    if r.status != 201 {
        return r;
    }
    if mode == CheckoutDefect::Empty {
        r.body = Body::Empty;
        return r;
    }
    if let Body::Json(v) = &mut r.body
        && let Some(orders) = v.get_mut("orders").and_then(Value::as_array_mut)
    {
        match mode {
            CheckoutDefect::OtherCustomer => {
                for o in orders.iter_mut() {
                    o["referenceCustomerId"] = json!(other);
                }
            }
            CheckoutDefect::DuplicateOrder => {
                if let Some(first) = orders.first().cloned() {
                    orders.push(first);
                }
            }
            CheckoutDefect::Empty => {}
        }
    }
    r
}

/// An entitlement list whose first entry is malformed.
pub fn malformed_entitlements(mut r: ApiResponse, defect: EntitlementDefect) -> ApiResponse {
    let Body::Json(v) = &mut r.body else {
        return r;
    };
    let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) else {
        return r;
    };
    let Some(first) = items.first_mut().and_then(Value::as_object_mut) else {
        return r;
    };
    match defect {
        EntitlementDefect::NegativeQuantity => {
            let q = first.get("quantity").and_then(Value::as_i64).unwrap_or(1);
            first.insert("quantity".into(), json!(-q.abs().max(1)));
        }
        EntitlementDefect::MissingQuantity => {
            first.remove("quantity");
            first.remove("quantityDetails");
        }
        EntitlementDefect::MissingProduct => {
            first.remove("productId");
        }
        EntitlementDefect::MissingSku => {
            first.remove("skuId");
        }
        EntitlementDefect::MissingOrder => {
            first.remove("referenceOrder");
        }
        EntitlementDefect::DuplicateId => {
            let copy = Value::Object(first.clone());
            items.push(copy);
        }
    }
    if let Some(n) = v.get("items").and_then(Value::as_array).map(Vec::len) {
        v["totalCount"] = json!(n);
    }
    r
}

/// A collection answer with a `next` link back to the same page (`path_and_query` without
/// `/v1`, as Partner Center writes links).
pub fn endless_page(mut r: ApiResponse, path_and_query: &str) -> ApiResponse {
    let Body::Json(v) = &mut r.body else {
        return r;
    };
    if r.status != 200 || get_ci(v, "items").is_none() {
        return r;
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut next = link(path_and_query);
    next["headers"] = json!([{ "key": "MS-ContinuationToken", "value": token }]);
    v["continuationToken"] = json!(token);
    if !v.get("links").is_some_and(Value::is_object) {
        v["links"] = json!({});
    }
    v["links"]["next"] = next;
    r
}

/// An availability list answered wrongly (see [`AvailabilityDefect`]): built from the first
/// (correct) availability of the answer.
pub fn availabilities(
    mut r: ApiResponse,
    defect: AvailabilityDefect,
    world: &World,
) -> ApiResponse {
    let Body::Json(v) = &mut r.body else {
        return r;
    };
    let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) else {
        return r;
    };
    let Some(first) = items.first().cloned() else {
        return r;
    };
    let text = |k: &str| first[k].as_str().unwrap_or_default().to_owned();
    let (product, sku, segment) = (text("productId"), text("skuId"), text("segment"));
    let with_id = |seg: &str, id: &str| {
        let mut a = first.clone();
        a["id"] = json!(id);
        a["segment"] = json!(seg);
        a["catalogItemId"] = json!(format!("{product}:{sku}:{id}"));
        a
    };
    match defect {
        AvailabilityDefect::AllSegmentsReversed => {
            let Some(p) = catalog().product(&product) else {
                return r;
            };
            let mut all: Vec<Value> = p
                .segments()
                .iter()
                .map(|seg| {
                    if seg.eq_ignore_ascii_case(&segment) {
                        first.clone()
                    } else {
                        with_id(seg, &current_availability_in(world, &product, &sku, seg))
                    }
                })
                .collect();
            all.reverse();
            *items = all;
        }
        AvailabilityDefect::TwoCommercial => {
            let id = format!("{}X", text("id"));
            items.push(with_id(&segment, &id));
        }
    }
    if let Some(n) = v.get("items").and_then(Value::as_array).map(Vec::len) {
        v["totalCount"] = json!(n);
    }
    r
}
