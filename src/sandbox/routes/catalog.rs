//! Catalog operations: products, SKUs, availabilities (by country, split by
//! `reservationScope=AzurePlan`), and check inventory (a bare JSON array).

use super::Ctx;
use super::customers::customer_not_found;
use crate::sandbox::catalog::{Kind, Product, Sku, availability_id, catalog};
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, collection, enc, get_ci, link};
use crate::sandbox::markets;
use crate::sandbox::world::World;
use serde_json::{Map, Value, json};

/// The current availability id of a SKU (its commercial availability).
pub fn current_availability(world: &World, product: &str, sku: &str) -> String {
    current_availability_in(world, product, sku, "commercial")
}

/// The current availability id of a SKU for a segment.
pub fn current_availability_in(world: &World, product: &str, sku: &str, segment: &str) -> String {
    let extra = world
        .rotated_availabilities
        .get(&format!("{product}:{sku}"))
        .copied()
        .unwrap_or(0);
    let generation = world.availability_generation.wrapping_add(extra);
    if segment.eq_ignore_ascii_case("commercial") {
        availability_id(product, sku, generation)
    } else {
        crate::sandbox::catalog::derived_id(
            "DZH318Z",
            &format!(
                "avail|{product}|{sku}|{generation}|{}",
                segment.to_ascii_lowercase()
            ),
        )
    }
}

/// The segment whose current availability `id` is, among the product's segments.
pub fn availability_segment(
    world: &World,
    p: &Product,
    sku: &str,
    id: &str,
) -> Option<&'static str> {
    p.segments()
        .iter()
        .find(|seg| current_availability_in(world, &p.id, sku, seg).eq_ignore_ascii_case(id))
        .copied()
}

fn scope_query(p: &Product) -> &'static str {
    if p.azure_plan {
        "&reservationScope=AzurePlan"
    } else {
        ""
    }
}

pub fn product_json(p: &Product, country: &str) -> Value {
    let product_type = match p.kind {
        Kind::Reservation { .. } | Kind::SavingsPlan => {
            json!({ "id": "Azure", "displayName": "Azure", "subType": { "id": p.sub_type, "displayName": p.sub_type } })
        }
        _ => json!({ "id": "Software", "displayName": "Software" }),
    };
    json!({
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "productType": product_type,
        "isMicrosoftProduct": true,
        "publisherName": "Microsoft Corporation",
        "links": {
            "skus": link(format!("/products/{}/skus?country={}{}", p.id, enc(country), scope_query(p))),
            "self": link(format!("/products/{}?country={}", p.id, enc(country))),
        },
        "attributes": { "objectType": "Product" },
    })
}

pub fn sku_json(p: &Product, s: &Sku, country: &str) -> Value {
    let mut dynamic = Map::new();
    let mut prerequisites = vec![];
    let mut provisioning: Vec<&str> = vec![];
    let mut inventory: Vec<&str> = vec![];
    if let Kind::Reservation { .. } = p.kind {
        if let Some(a) = &s.arm_sku_name {
            dynamic.insert("armSkuName".into(), json!(a));
        }
        if let Some((r, name)) = s.region {
            dynamic.insert("armRegionName".into(), json!(r));
            dynamic.insert("region".into(), json!(name));
        }
        if let Some(d) = s.duration {
            dynamic.insert("duration".into(), json!(d));
        }
        if let Some(c) = s.cores {
            dynamic.insert("cores".into(), json!(c.to_string()));
        }
        if let Some(r) = s.ram {
            dynamic.insert("ram".into(), json!(format!("{r}GB")));
        }
        dynamic.insert(
            "skuDisplayName".into(),
            json!(s.arm_sku_name.as_deref().unwrap_or("").replace('_', " ")),
        );
        dynamic.insert("category".into(), json!(s.category));
        prerequisites.push("AzureSubscriptionRegistration");
        provisioning = vec!["Scope", "SubscriptionId", "Duration"];
        if s.inventory_check {
            prerequisites.push("InventoryCheck");
            inventory = vec!["CustomerId", "AzureSubscriptionId", "ArmRegionName"];
        }
    } else if p.kind != Kind::SavingsPlan {
        dynamic.insert("isAddon".into(), json!(false));
        dynamic.insert(
            "category".into(),
            json!(if p.kind == Kind::SoftwarePerpetual {
                "Perpetual"
            } else {
                "SoftwareSubscription"
            }),
        );
    }
    let mut v = json!({
        "id": s.id,
        "productId": p.id,
        "title": s.title,
        "description": s.description,
        "minimumQuantity": 1,
        "maximumQuantity": p.max_quantity(),
        "isTrial": false,
        "supportedBillingCycles": s.billing_cycles,
        "purchasePrerequisites": prerequisites,
        "inventoryVariables": inventory,
        "provisioningVariables": provisioning,
        "dynamicAttributes": dynamic,
        "termsOfUseUri": "https://www.microsoft.com/licensing/product-licensing",
        "actions": [],
        "links": {
            "availabilities": link(format!("/products/{}/skus/{}/availabilities?country={}{}", p.id, s.id, enc(country), scope_query(p))),
            "self": link(format!("/products/{}/skus/{}?country={}", p.id, s.id, enc(country))),
        },
        "attributes": { "objectType": "Sku" },
    });
    if p.kind == Kind::SavingsPlan {
        crate::sandbox::savings::sku_fields(s, &mut v);
    }
    v
}

pub fn availability_json(
    world: &World,
    p: &Product,
    s: &Sku,
    country: &str,
    segment: &str,
) -> Value {
    let id = current_availability_in(world, &p.id, &s.id, segment);
    let (code, symbol) = markets::currency(country);
    let terms = match s.term {
        Some(t) => {
            let text = if t == "P3Y" {
                "3 Years Prepaid"
            } else {
                "1 Year Prepaid"
            };
            json!([{ "duration": t, "description": text, "billingCycle": s.billing_cycles[0], "cancellationPolicies": [] }])
        }
        None => json!([]),
    };
    json!({
        "id": id,
        "productId": p.id,
        "skuId": s.id,
        "catalogItemId": format!("{}:{}:{}", p.id, s.id, id),
        "defaultCurrency": { "code": code, "symbol": symbol },
        "segment": segment,
        "country": country.to_ascii_uppercase(),
        "isPurchasable": true,
        "isRenewable": false,
        "terms": terms,
        "product": product_json(p, country),
        "sku": sku_json(p, s, country),
        "links": { "self": link(format!("/products/{}/skus/{}/availabilities/{}?country={}", p.id, s.id, id, enc(country))) },
        "attributes": { "objectType": "Availability" },
    })
}

/// The same request without its first `skip` path segments and with `country` set (for the
/// `/customers/{id}/products/…` variants, which take the country from the customer).
pub fn with_country(req: &ApiRequest, skip: usize, country: &str) -> ApiRequest {
    let segs: Vec<String> = req.segs[skip..].to_vec();
    let mut query: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("country"))
        .cloned()
        .collect();
    query.push(("country".into(), country.to_string()));
    ApiRequest {
        method: req.method.clone(),
        prefix: req.prefix,
        path: format!("/{}", segs.join("/")),
        lower: segs.iter().map(|s| s.to_ascii_lowercase()).collect(),
        segs,
        query,
        headers: req.headers.clone(),
        body: req.body.clone(),
        app_user: req.app_user,
    }
}

fn country(req: &ApiRequest) -> Result<String, ApiResponse> {
    match req.q("country") {
        Some(c) if !c.trim().is_empty() => Ok(c.trim().to_ascii_uppercase()),
        _ => Err(bad_request("the country query parameter is required")),
    }
}

fn azure_plan(req: &ApiRequest) -> bool {
    req.q("reservationScope")
        .is_some_and(|s| s.eq_ignore_ascii_case("AzurePlan"))
}

/// The `targetSegment` asked for (lower case), if any; 403/400030 for an unknown one.
fn check_segment(req: &ApiRequest) -> Result<Option<String>, ApiResponse> {
    match req.q("targetSegment") {
        None => Ok(None),
        Some(s)
            if crate::sandbox::catalog::SEGMENTS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(s)) =>
        {
            Ok(Some(s.to_ascii_lowercase()))
        }
        Some(s) => Err(api_error(
            403,
            400030,
            format!("target segment {s} is not allowed"),
        )),
    }
}

/// The product, if offered in `country`.
fn offered<'c>(id: &str, country: &str) -> Result<&'c Product, ApiResponse> {
    match catalog().product(id) {
        Some(p) if !markets::is_unavailable(country) => Ok(p),
        _ => Err(api_error(
            404,
            400013,
            format!("product {id} was not found"),
        )),
    }
}

fn list_products(req: &ApiRequest, country: &str, self_uri: String) -> ApiResponse {
    let segment = match check_segment(req) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let Some(view) = req.q("targetView") else {
        return bad_request("the targetView query parameter is required");
    };
    let Some(products) = catalog().products_for_view(view, azure_plan(req)) else {
        return api_error(403, 400036, format!("target view {view} is not allowed"));
    };
    let items = if markets::is_unavailable(country) {
        vec![]
    } else {
        products
            .into_iter()
            .filter(|p| in_segment(p, segment.as_deref()))
            .map(|p| product_json(p, country))
            .collect()
    };
    ApiResponse::ok(collection(items, &self_uri))
}

/// Whether a product is sold in the asked segment (any segment but nonprofit when none is asked).
fn in_segment(p: &Product, segment: Option<&str>) -> bool {
    match segment {
        Some(s) => p.segments().contains(&s),
        None => p.segments().iter().any(|s| *s != "nonprofit"),
    }
}

pub fn products(_ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let uri = format!(
        "/products?country={}&targetView={}",
        enc(&country),
        enc(req.q("targetView").unwrap_or(""))
    );
    list_products(req, &country, uri)
}

pub fn products_for_customer(ctx: &mut Ctx, req: &ApiRequest, customer: &str) -> ApiResponse {
    let Some(c) = ctx.world.customer(customer) else {
        return customer_not_found(customer);
    };
    let uri = format!(
        "/customers/{}/products?targetView={}",
        c.id,
        enc(req.q("targetView").unwrap_or(""))
    );
    list_products(req, &c.country.clone(), uri)
}

pub fn product(_ctx: &mut Ctx, req: &ApiRequest, id: &str) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    match offered(id, &country) {
        Ok(p) => ApiResponse::ok(product_json(p, &country)),
        Err(e) => e,
    }
}

pub fn skus(_ctx: &mut Ctx, req: &ApiRequest, product: &str) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let segment = match check_segment(req) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let p = match offered(product, &country) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let items = if in_segment(p, segment.as_deref()) {
        p.skus.iter().map(|s| sku_json(p, s, &country)).collect()
    } else {
        vec![]
    };
    ApiResponse::ok(collection(
        items,
        &format!(
            "/products/{}/skus?country={}{}",
            p.id,
            enc(&country),
            scope_query(p)
        ),
    ))
}

fn find_sku<'c>(
    product: &str,
    sku: &str,
    country: &str,
) -> Result<(&'c Product, &'c Sku), ApiResponse> {
    let p = offered(product, country)?;
    let s = p.sku(sku).ok_or_else(|| {
        api_error(
            404,
            400018,
            format!("sku {sku} of product {} was not found", p.id),
        )
    })?;
    Ok((p, s))
}

pub fn sku(_ctx: &mut Ctx, req: &ApiRequest, product: &str, sku: &str) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    match find_sku(product, sku, &country) {
        Ok((p, s)) => ApiResponse::ok(sku_json(p, s, &country)),
        Err(e) => e,
    }
}

pub fn availabilities(ctx: &mut Ctx, req: &ApiRequest, product: &str, sku: &str) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let segment = match check_segment(req) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let (p, s) = match find_sku(product, sku, &country) {
        Ok(x) => x,
        Err(e) => return e,
    };
    // Without targetSegment: every segment but nonprofit; commercial first.
    let items = p
        .segments()
        .iter()
        .filter(|seg| match &segment {
            Some(want) => **seg == want.as_str(),
            None => **seg != "nonprofit",
        })
        .map(|seg| availability_json(ctx.world, p, s, &country, seg))
        .collect();
    ApiResponse::ok(collection(
        items,
        &format!(
            "/products/{}/skus/{}/availabilities?country={}{}",
            p.id,
            s.id,
            enc(&country),
            scope_query(p)
        ),
    ))
}

pub fn availability(
    ctx: &mut Ctx,
    req: &ApiRequest,
    product: &str,
    sku: &str,
    id: &str,
) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let (p, s) = match find_sku(product, sku, &country) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let Some(segment) = availability_segment(ctx.world, p, &s.id, id) else {
        return api_error(404, 400019, format!("availability {id} was not found"));
    };
    ApiResponse::ok(availability_json(ctx.world, p, s, &country, segment))
}

/// Whether a SKU is restricted for the given region (the context's, else the SKU's own).
pub fn restricted(s: &Sku, region: Option<&str>) -> Option<String> {
    if !s.inventory_check {
        return None;
    }
    let region = region
        .map(str::to_ascii_lowercase)
        .or_else(|| s.region.map(|r| r.0.to_string()))?;
    s.restricted_regions
        .iter()
        .any(|r| *r == region)
        .then_some(region)
}

/// `POST /v1/extensions/product/checkinventory?country=`: a bare array.
pub fn check_inventory(_ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let country = match country(req) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let body = match req.json() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let Some(targets) = get_ci(&body, "targetItems").and_then(Value::as_array) else {
        return bad_request("targetItems is required");
    };
    let region = get_ci(&body, "inventoryContext")
        .and_then(|c| get_ci(c, "armRegionName"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut out = vec![];
    for t in targets {
        let Some(pid) = get_ci(t, "productId").and_then(Value::as_str) else {
            continue;
        };
        let Ok(p) = offered(pid, &country) else {
            continue;
        };
        let wanted = get_ci(t, "skuId").and_then(Value::as_str);
        for s in p
            .skus
            .iter()
            .filter(|s| wanted.is_none_or(|w| s.id.eq_ignore_ascii_case(w)))
        {
            let r = restricted(s, region.as_deref());
            let restrictions = match &r {
                Some(reg) => json!([{
                    "reasonCode": "NotAvailableForSubscription",
                    "description": format!("{} is not available in {reg} for this subscription.", s.arm_sku_name.as_deref().unwrap_or("this sku")),
                    "properties": { "type": "Location", "values": reg },
                }]),
                None => json!([]),
            };
            out.push(json!({ "productId": p.id, "skuId": s.id, "isRestricted": r.is_some(), "restrictions": restrictions }));
        }
    }
    ApiResponse::ok(Value::Array(out))
}
