//! Customers: the partner's customer list (seek-paged by continuation token) and get by id.

use super::Ctx;
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, link};
use crate::sandbox::world::{Customer, Partner};
use serde_json::{Value, json};
use std::ops::Bound;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 500;

/// The customer resource.
pub fn customer_json(c: &Customer, partner: &Partner, full: bool) -> Value {
    let address = json!({
        "country": c.country,
        "city": "Redmond",
        "region": "",
        "addressLine1": "1 Sandbox Way",
        "postalCode": "98052",
        "phoneNumber": "4255550100",
    });
    let mut v = json!({
        "id": c.id,
        "commerceId": crate::sandbox::world::stable_guid(&format!("commerce|{}", c.id)),
        "companyProfile": {
            "tenantId": c.id,
            "domain": c.domain,
            "companyName": c.name,
            "address": address,
            "email": format!("admin@{}", c.domain),
            "links": { "self": link(format!("/customers/{}/profiles/company", c.id)) },
            "attributes": { "objectType": "CustomerCompanyProfile" },
        },
        "billingProfile": {
            "id": crate::sandbox::world::stable_guid(&format!("billing|{}", c.id)),
            "firstName": "Alex",
            "lastName": "Admin",
            "email": format!("billing@{}", c.domain),
            "culture": "en-US",
            "language": "en",
            "companyName": c.name,
            "defaultAddress": {
                "country": c.country,
                "city": "Redmond",
                "state": "",
                "addressLine1": "1 Sandbox Way",
                "postalCode": "98052",
                "firstName": "Alex",
                "lastName": "Admin",
                "phoneNumber": "4255550100",
            },
            "links": { "self": link(format!("/customers/{}/profiles/billing", c.id)) },
            "attributes": { "etag": "sandbox-etag", "objectType": "CustomerBillingProfile" },
        },
        "relationshipToPartner": "reseller",
        "customDomains": [c.domain],
        "links": { "self": link(format!("/customers/{}", c.id)) },
        "attributes": { "objectType": "Customer" },
    });
    if full {
        v["allowDelegatedAccess"] = json!(true);
        v["partnerId"] = json!(partner.mpn_id);
    }
    v
}

/// `GET /v1/customers[?size=N]`, next pages with `seekOperation=Next` + `MS-ContinuationToken`.
pub fn list(ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let size = match req.q("size").map(str::parse::<usize>) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if n > 0 => n.min(MAX_PAGE),
        Some(_) => return bad_request("size must be a positive integer"),
    };
    let token = req
        .header("ms-continuationtoken")
        .map(str::to_string)
        .or_else(|| req.q("continuationToken").map(str::to_string));
    let seek = req
        .q("seekOperation")
        .is_some_and(|s| s.eq_ignore_ascii_case("next"));
    let start = match (&token, seek) {
        (Some(t), _) => match t.strip_prefix("cust.") {
            Some(last) => Bound::Excluded(last.to_ascii_lowercase()),
            None => return api_error(400, 800002, format!("continuation token {t} is not valid")),
        },
        (None, true) => {
            return bad_request("seekOperation=Next needs an MS-ContinuationToken header");
        }
        (None, false) => Bound::Unbounded,
    };
    let page: Vec<&Customer> = ctx
        .world
        .customers
        .range((start, Bound::Unbounded))
        .take(size + 1)
        .map(|(_, c)| c)
        .collect();
    let more = page.len() > size;
    let items: Vec<Value> = page
        .iter()
        .take(size)
        .map(|c| customer_json(c, &ctx.world.partner, false))
        .collect();
    let mut links = json!({ "self": link(format!("/customers?size={size}")) });
    let mut body = json!({
        "totalCount": items.len(),
        "items": items,
        "attributes": { "objectType": "Collection" },
    });
    if more && let Some(last) = page.get(size - 1) {
        let token = format!("cust.{}", last.id);
        links["next"] = json!({
            "uri": format!("/customers?size={size}&seekOperation=Next"),
            "method": "GET",
            "headers": [{ "key": "MS-ContinuationToken", "value": token }],
        });
        body["continuationToken"] = json!(token);
    }
    body["links"] = links;
    ApiResponse::ok(body)
}

/// `GET /v1/customers/{id}`.
pub fn get(ctx: &mut Ctx, id: &str) -> ApiResponse {
    match ctx.world.customer(id) {
        Some(c) => ApiResponse::ok(customer_json(c, &ctx.world.partner, true)),
        None => customer_not_found(id),
    }
}

pub fn customer_not_found(id: &str) -> ApiResponse {
    api_error(404, 600008, format!("customer {id} was not found"))
}
