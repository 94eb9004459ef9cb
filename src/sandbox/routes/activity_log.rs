//! A minimal partner activity log, `GET /v1/auditrecords` (partner-center-api.md §14): one
//! `create_order` record per order (including orders added through the admin API, which stand
//! for portal purchases) created on or after `startDate`, filtered by the one `filter`
//! (`CustomerId` or `ResourceType`, case-insensitive), the order as PascalCase JSON inside
//! `resourceNewValue`. No paging and no lag.

use super::Ctx;
use crate::sandbox::clock::ts;
use crate::sandbox::http::{ApiRequest, ApiResponse};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// `GET /v1/auditrecords`.
pub fn list(ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let filter: Option<Value> = req.q("filter").and_then(|f| serde_json::from_str(f).ok());
    let field = |k: &str| {
        filter
            .as_ref()
            .and_then(|v| v[k].as_str())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let (f, value) = (field("Field"), field("Value"));
    let start = req
        .q("startDate")
        .and_then(|d| NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d").ok())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    let items: Vec<Value> = ctx
        .world
        .orders
        .values()
        .filter(|o| start.is_none_or(|s| o.created >= s))
        .filter(|o| match f.as_str() {
            "customerid" => o.customer_id.eq_ignore_ascii_case(&value),
            "resourcetype" => value == "order",
            _ => true,
        })
        .map(|o| {
            let lines: Vec<Value> = o
                .lines
                .iter()
                .map(|l| {
                    json!({"LineItemNumber": l.line_item_number, "OfferId": l.catalog_item_id,
                        "TermDuration": l.term_duration, "Quantity": l.quantity,
                        "ProvisioningContext": l.provisioning_context})
                })
                .collect();
            let order = json!({"Id": o.id, "ReferenceCustomerId": o.customer_id,
                "LineItems": lines, "CreationDate": ts(o.created), "Status": "pending"});
            json!({"customerId": o.customer_id, "resourceType": "order",
                "operationType": "create_order", "operationDate": ts(o.created),
                "operationStatus": "succeeded", "resourceNewValue": order.to_string(),
                "customizedData": [{"key": "OrderId", "value": o.id}],
                "attributes": {"objectType": "AuditRecord"}})
        })
        .collect();
    ApiResponse::ok(json!({"totalCount": items.len(), "items": items,
        "attributes": {"objectType": "Collection"}}))
}
