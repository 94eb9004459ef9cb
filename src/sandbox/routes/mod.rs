//! Route table for the Partner Center API: matches path segments (literals case-insensitively)
//! and hands the request to one handler module. Also classifies requests for the counters and
//! says which operations need an App+User token.

pub mod admin;
pub mod audit;
pub mod cart_lines;
pub mod carts;
pub mod catalog;
pub mod customers;
pub mod entitlements;
pub mod invoices;
pub mod orders;
pub mod prices;
pub mod subscriptions;

use super::errors::api_error;
use super::faults::Faults;
use super::http::{ApiRequest, ApiResponse};
use super::knobs::Knobs;
use super::world::World;
use axum::http::Method;
use chrono::{DateTime, Utc};

/// What a handler may touch.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub knobs: &'a Knobs,
    pub faults: &'a mut Faults,
    pub now: DateTime<Utc>,
    /// Set by handlers that changed the world (so it is persisted).
    pub mutated: bool,
}

fn not_allowed() -> ApiResponse {
    api_error(405, 405, "the method is not allowed for this resource")
}

/// Routes one request.
pub fn dispatch(ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let l: Vec<&str> = req.lower.iter().map(String::as_str).collect();
    let s: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    let get = req.method == Method::GET;
    let post = req.method == Method::POST;
    let put = req.method == Method::PUT;
    if req.prefix == "/v1.0" {
        return match l.as_slice() {
            ["sales", f, "$value"] if get && f.starts_with("fxrates(") => {
                prices::fx_rates(ctx, req, s[1])
            }
            ["sales", _, "$value"] if get => prices::price_sheet(ctx, req, s[1]),
            _ => api_error(404, 404, format!("no resource at /v1.0{}", req.path)),
        };
    }
    match l.as_slice() {
        ["customers"] if get => customers::list(ctx, req),
        ["customers", _] if get => customers::get(ctx, s[1]),
        ["customers", _, "subscriptions"] if get => subscriptions::list(ctx, s[1]),
        ["customers", _, "subscriptions", _] if get => subscriptions::get(ctx, s[1], s[3]),
        ["customers", _, "subscriptions", _, "registrations"] if post => {
            subscriptions::register(ctx, s[1], s[3])
        }
        ["customers", _, "subscriptions", _, "registrationstatus"] if get => {
            subscriptions::status(ctx, s[1], s[3])
        }
        ["customers", _, "products"] if get => catalog::products_for_customer(ctx, req, s[1]),
        ["customers", _, "products", p, ..]
            if get
                && crate::sandbox::savings::is_savings_plan(p)
                && !ctx
                    .world
                    .customer(s[1])
                    .is_some_and(crate::sandbox::savings::sold_to) =>
        {
            match ctx.world.customer(s[1]) {
                Some(_) => api_error(404, 400013, format!("product {p} was not found")),
                None => customers::customer_not_found(s[1]),
            }
        }
        ["customers", _, "products", ..] if get => match ctx.world.customer(s[1]) {
            Some(c) => {
                let country = c.country.clone();
                dispatch(ctx, &catalog::with_country(req, 2, &country))
            }
            None => customers::customer_not_found(s[1]),
        },
        ["customers", _, "carts"] if post => carts::create(ctx, req, s[1]),
        ["customers", _, "carts", _] if get => carts::get(ctx, s[1], s[3]),
        ["customers", _, "carts", _] if put => carts::update(ctx, req, s[1], s[3]),
        ["customers", _, "carts", _, "checkout"] if post => carts::checkout(ctx, req, s[1], s[3]),
        ["customers", _, "orders"] if get => orders::list(ctx, req, s[1]),
        ["customers", _, "orders", _] if get => orders::get(ctx, s[1], s[3]),
        ["customers", _, "orders", _, "provisioningstatus"] if get => {
            orders::provisioning_status(ctx, s[1], s[3])
        }
        ["customers", _, "entitlements"] if get => entitlements::list(ctx, req, s[1]),
        [
            "customers",
            _,
            "artifacts",
            "reservedinstance",
            "groups",
            _,
            "lineitems",
            _,
            "resource",
            _,
        ] if get => entitlements::artifact_details(ctx, s[1], s[9]),
        ["auditrecords"] if get => audit::list(ctx, req),
        ["products"] if get => catalog::products(ctx, req),
        ["products", _] if get => catalog::product(ctx, req, s[1]),
        ["products", _, "skus"] if get => catalog::skus(ctx, req, s[1]),
        ["products", _, "skus", _] if get => catalog::sku(ctx, req, s[1], s[3]),
        ["products", _, "skus", _, "availabilities"] if get => {
            catalog::availabilities(ctx, req, s[1], s[3])
        }
        ["products", _, "skus", _, "availabilities", _] if get => {
            catalog::availability(ctx, req, s[1], s[3], s[5])
        }
        ["extensions", "product", "checkinventory"] if post => catalog::check_inventory(ctx, req),
        ["invoices"] if get => invoices::list(ctx, req),
        ["invoices", "summary"] if get => invoices::summary(ctx),
        ["invoices", "summaries"] if get => invoices::summaries(ctx),
        ["invoices", _] if get => invoices::get(ctx, s[1]),
        ["invoices", _, "lineitems"] if get => invoices::line_items(ctx, req, s[1], None),
        ["invoices", _, "lineitems", p, t] if get => {
            invoices::line_items(ctx, req, s[1], Some((p, t)))
        }
        ["invoices", _, "documents", "statement"] if get => invoices::statement(ctx, s[1]),
        ["customers", ..]
        | ["products", ..]
        | ["invoices", ..]
        | ["extensions", ..]
        | ["auditrecords", ..] => {
            if known_path(&l) {
                not_allowed()
            } else {
                api_error(404, 404, format!("no resource at /v1{}", req.path))
            }
        }
        _ => api_error(404, 404, format!("no resource at /v1{}", req.path)),
    }
}

fn known_path(l: &[&str]) -> bool {
    matches!(
        l,
        ["customers"]
            | ["customers", _]
            | ["customers", _, "carts"]
            | ["customers", _, "carts", _]
            | ["customers", _, "carts", _, "checkout"]
            | ["customers", _, "subscriptions", _, "registrations"]
            | ["extensions", "product", "checkinventory"]
            | ["auditrecords"]
    )
}

/// Operations that refuse app-only tokens (403/900329), per docs/partner-center.md §3.
pub fn app_user_only(l: &[String]) -> bool {
    let l: Vec<&str> = l.iter().map(String::as_str).collect();
    matches!(
        l.as_slice(),
        ["customers", _, "entitlements"]
            | ["sales", ..]
            | ["customers", _, "artifacts", ..]
            | ["customers", _, "orders", _, "provisioningstatus"]
            | ["invoices", "summaries"]
            | ["invoices", _, "documents", "statement"]
    ) || (l.len() == 2 && l[0] == "invoices" && l[1] != "summary" && l[1] != "summaries")
}

/// The counter category of a request and its customer id (lower case), if any.
pub fn category(l: &[String], s: &[String]) -> (&'static str, Option<String>) {
    let l: Vec<&str> = l.iter().map(String::as_str).collect();
    let customer =
        (l.first() == Some(&"customers") && s.len() > 1).then(|| s[1].to_ascii_lowercase());
    let cat = match l.as_slice() {
        ["customers"] => "customers",
        ["customers", _] => "customer",
        ["customers", _, "subscriptions", _, "registrations"] => "registration",
        ["customers", _, "subscriptions", _, "registrationstatus"] => "registration",
        ["customers", _, "subscriptions", ..] => "subscriptions",
        ["customers", _, "products", ..] => "catalog",
        ["customers", _, "carts", _, "checkout"] => "checkout",
        ["customers", _, "carts", ..] => "carts",
        ["customers", _, "orders", ..] => "orders",
        ["customers", _, "entitlements", ..] | ["customers", _, "artifacts", ..] => "entitlements",
        ["products", ..] => "catalog",
        ["extensions", ..] => "inventory",
        ["invoices", ..] => "invoices",
        ["auditrecords", ..] => "auditrecords",
        _ => "other",
    };
    (cat, customer)
}
