//! The "documented shapes" mode (knob `documentedShapes`): answers rewritten into the shapes
//! partner-center-api.md shows but the sandbox never writes itself, so a client's leniency is
//! exercised end to end:
//!
//! * timestamps without a zone (`2026-11-29T10:00:03.512`, meaning UTC);
//! * numbers as strings in OneTime invoice line items (`"quantity": "25"`, `"unitPrice": "16"`),
//!   next to real numbers (`subtotal`, `totalForCustomer` stay numbers);
//! * PascalCase keys in `provisioningContext` maps (`SubscriptionId`, `Scope`, `Duration`, as the
//!   SKU's `provisioningVariables` spell them);
//! * error `code` as a string in 4xx answers to writes, a number elsewhere;
//! * echoed `MS-RequestId` / `MS-CorrelationId` headers comma-joined (`id,id`);
//! * (in the entitlement route) `expiryDate: "0001-01-01T00:00:00"` for perpetual software.

use super::http::{ApiResponse, Body};
use serde_json::{Map, Value, json};

/// Rewrites an answer of the route `lower` (path segments after `/v1`, lower case).
pub fn apply(resp: &mut ApiResponse, lower: &[String], write: bool) {
    let Body::Json(v) = &mut resp.body else {
        return;
    };
    if resp.status >= 400 {
        if let Some(code) = v.get("code").and_then(Value::as_i64)
            && write
            && resp.status < 500
        {
            v["code"] = json!(code.to_string());
        }
        return;
    }
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    if matches!(l.as_slice(), ["invoices", _, "lineitems", ..])
        && let Some(items) = v.get_mut("items").and_then(Value::as_array_mut)
    {
        for it in items.iter_mut().filter_map(Value::as_object_mut) {
            stringify_numbers(it);
        }
    }
    walk(v);
}

/// `quantity` and price fields as numeric strings (the documented OneTime line-item example).
fn stringify_numbers(it: &mut Map<String, Value>) {
    for (k, val) in it.iter_mut() {
        let key = k.to_ascii_lowercase();
        if (key == "quantity" || key.ends_with("unitprice") || key == "billablequantity")
            && val.is_number()
        {
            *val = json!(val.to_string());
        }
    }
}

/// Zone-less timestamps and PascalCase provisioning-context keys, everywhere in the tree.
fn walk(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                if k.eq_ignore_ascii_case("provisioningContext")
                    && let Value::Object(ctx) = val
                {
                    *ctx = std::mem::take(ctx)
                        .into_iter()
                        .map(|(k, v)| (pascal(&k), v))
                        .collect();
                }
                walk(val);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(walk),
        Value::String(s) => {
            if let Some(z) = zoneless(s) {
                *s = z;
            }
        }
        _ => {}
    }
}

fn pascal(k: &str) -> String {
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `2026-11-29T10:00:03.512Z` → `2026-11-29T10:00:03.512`; None for anything else.
fn zoneless(s: &str) -> Option<String> {
    let body = s.strip_suffix('Z')?;
    let b = body.as_bytes();
    let ok = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b.iter().enumerate().all(|(i, c)| {
            c.is_ascii_digit()
                || matches!(
                    (i, c),
                    (4 | 7, b'-') | (10, b'T') | (13 | 16, b':') | (19, b'.')
                )
        });
    ok.then(|| body.to_string())
}

/// An echoed id header as the documented examples show it (`id,id`).
pub fn doubled(value: &str) -> String {
    format!("{value},{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites() {
        assert_eq!(
            zoneless("2026-11-29T10:00:03.512Z").as_deref(),
            Some("2026-11-29T10:00:03.512")
        );
        assert_eq!(zoneless("not a date Z"), None);
        assert_eq!(zoneless("9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10"), None);
        let mut r = ApiResponse::ok(json!({
            "items": [{ "quantity": 2, "unitPrice": 16.5, "subtotal": 33.0,
                        "provisioningContext": { "subscriptionId": "x" },
                        "orderDate": "2026-11-29T10:00:03.512Z" }]
        }));
        let lower: Vec<String> = ["invoices", "x", "lineitems", "onetime", "billinglineitems"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        apply(&mut r, &lower, false);
        let Body::Json(v) = r.body else { panic!() };
        let it = &v["items"][0];
        assert_eq!(it["quantity"], "2");
        assert_eq!(it["unitPrice"], "16.5");
        assert_eq!(it["subtotal"], 33.0);
        assert_eq!(it["provisioningContext"]["SubscriptionId"], "x");
        assert_eq!(it["orderDate"], "2026-11-29T10:00:03.512");
        let mut e = ApiResponse::json(400, json!({ "code": 800002 }));
        apply(&mut e, &[], true);
        let Body::Json(v) = e.body else { panic!() };
        assert_eq!(v["code"], "800002");
    }
}
