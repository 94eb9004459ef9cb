//! The partner activity log, `GET /v1/auditrecords` (partner-center-api.md §14): one
//! `create_order` record per order (placed through checkout or through the admin API, which
//! stands for a portal purchase), visible after the activity-log lag, kept 90 days. Date range
//! (`startDate`/`endDate`, dates or date-times), one JSON `filter` (`CompanyName` substring,
//! `CustomerId` / `ResourceType` equals, values case-insensitive), seek paging with
//! `MS-ContinuationToken`. `resourceNewValue` is the order as PascalCase JSON inside a string.

use super::Ctx;
use crate::sandbox::clock::ts;
use crate::sandbox::errors::bad_request;
use crate::sandbox::http::{ApiRequest, ApiResponse, enc, link, str_ci};
use crate::sandbox::world::{Order, World, stable_guid};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Value, json};

/// Records are kept this many days; a `startDate` further back is refused.
const RETENTION_DAYS: i64 = 90;
/// Page size when `size` is absent, and the largest accepted.
const MAX_PAGE: usize = 500;

/// One filter of the documented three.
enum Filter {
    CompanyName(String),
    CustomerId(String),
    ResourceType(String),
}

/// A time bound: a date (whole day) or a date-time.
fn parse_bound(s: &str, end: bool) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end { d.succ_opt()? } else { d };
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%m/%d/%Y") {
        let d = if end { d.succ_opt()? } else { d };
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc());
    }
    None
}

fn parse_filter(raw: &str) -> Result<Filter, ApiResponse> {
    let v: Value = serde_json::from_str(raw)
        .map_err(|e| bad_request(format!("filter is not a valid JSON object: {e}")))?;
    let field = str_ci(&v, "Field").unwrap_or_default();
    let value = str_ci(&v, "Value").unwrap_or_default();
    let op = str_ci(&v, "Operator").unwrap_or_default();
    let want_op = |expected: &str| -> Result<(), ApiResponse> {
        if op.eq_ignore_ascii_case(expected) {
            Ok(())
        } else {
            Err(bad_request(format!(
                "filter operator {op} is not supported for {field}; use {expected}"
            )))
        }
    };
    match field.to_ascii_lowercase().as_str() {
        "companyname" => want_op("substring").map(|_| Filter::CompanyName(value)),
        "customerid" => want_op("equals").map(|_| Filter::CustomerId(value)),
        "resourcetype" => want_op("equals").map(|_| Filter::ResourceType(value)),
        _ => Err(bad_request(format!(
            "filter field {field} is not supported; use CompanyName, CustomerId or ResourceType"
        ))),
    }
}

/// When the order's record shows in the log.
pub fn recorded(o: &Order) -> DateTime<Utc> {
    o.recorded_at.unwrap_or(o.created)
}

/// The order as the log stores it: PascalCase keys, as it was when placed.
fn order_value(o: &Order) -> String {
    let status = if o.status != "completed" {
        o.status.as_str()
    } else if o.fulfilled_at.is_some_and(|f| f > o.created) {
        "pending"
    } else {
        "completed"
    };
    let lines: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            json!({
                "LineItemNumber": l.line_item_number,
                "OfferId": l.catalog_item_id,
                "SubscriptionId": if status == "completed" { json!(l.subscription_id) } else { Value::Null },
                "TermDuration": l.term_duration,
                "Quantity": l.quantity,
                "FriendlyName": l.friendly_name,
                "ProvisioningContext": l.provisioning_context,
            })
        })
        .collect();
    json!({
        "Id": o.id,
        "AlternateId": o.alternate_id,
        "ReferenceCustomerId": o.customer_id,
        "BillingCycle": o.billing_cycle,
        "CurrencyCode": o.currency_code,
        "LineItems": lines,
        "CreationDate": ts(o.created),
        "Status": status,
        "TransactionType": "UserPurchase",
    })
    .to_string()
}

fn record_json(world: &World, o: &Order) -> Value {
    let customer = world.customer(&o.customer_id);
    let portal = o.cart_id.is_none();
    let mut data = vec![
        json!({ "key": "OrderId", "value": o.id }),
        json!({ "key": "BillingCycle", "value": o.billing_cycle }),
    ];
    for l in &o.lines {
        let n = l.line_item_number;
        data.push(json!({ "key": format!("OfferId-{n}"), "value": l.catalog_item_id }));
        data.push(json!({ "key": format!("Quantity-{n}"), "value": l.quantity.to_string() }));
        data.push(json!({ "key": format!("SubscriptionId-{n}"), "value": Value::Null }));
    }
    json!({
        "id": stable_guid(&format!("audit|{}", o.id)),
        "partnerId": world.partner.tenant_id,
        "customerId": o.customer_id,
        "customerName": customer.map(|c| c.name.as_str()),
        "userPrincipalName": if portal { json!(format!("admin@{}.onmicrosoft.com", world.partner.name.to_ascii_lowercase().replace(' ', ""))) } else { Value::Null },
        "applicationId": if portal { Value::Null } else { json!(world.partner.client_id) },
        "resourceType": "order",
        "operationType": "create_order",
        "operationDate": ts(recorded(o)),
        "operationStatus": "succeeded",
        "originalCorrelationId": o.correlation_id.clone().unwrap_or_else(|| stable_guid(&format!("corr|{}", o.id))),
        "resourceOldValue": Value::Null,
        "resourceNewValue": order_value(o),
        "customizedData": data,
        "attributes": { "objectType": "AuditRecord" },
    })
}

fn matches(world: &World, o: &Order, f: Option<&Filter>) -> bool {
    match f {
        None => true,
        Some(Filter::CustomerId(id)) => o.customer_id.eq_ignore_ascii_case(id.trim()),
        Some(Filter::ResourceType(t)) => t.trim().eq_ignore_ascii_case("order"),
        Some(Filter::CompanyName(part)) => world.customer(&o.customer_id).is_some_and(|c| {
            c.name
                .to_ascii_lowercase()
                .contains(&part.to_ascii_lowercase())
        }),
    }
}

/// The seek position after a record: its time (ms) and id.
fn token_for(at: DateTime<Utc>, id: &str) -> String {
    format!("sbx1.{}.{id}", at.timestamp_millis())
}

fn parse_token(t: &str) -> Option<(i64, String)> {
    let rest = t.trim().strip_prefix("sbx1.")?;
    let (ms, id) = rest.split_once('.')?;
    Some((ms.parse().ok()?, id.to_string()))
}

pub fn list(ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let now = ctx.now;
    let start = match req.q("startDate") {
        None => now - Duration::days(30),
        Some(s) => match parse_bound(s, false) {
            Some(t) => t,
            None => return bad_request(format!("startDate {s} is not a valid date")),
        },
    };
    if start < now - Duration::days(RETENTION_DAYS) - Duration::days(1) {
        return bad_request(format!(
            "startDate cannot be more than {RETENTION_DAYS} days in the past"
        ));
    }
    let end = match req.q("endDate") {
        None => now + Duration::seconds(1),
        Some(s) => match parse_bound(s, true) {
            Some(t) => t,
            None => return bad_request(format!("endDate {s} is not a valid date")),
        },
    };
    if end < start {
        return bad_request("endDate is before startDate");
    }
    let filter = match req.q("filter") {
        None => None,
        Some(f) if f.trim().is_empty() => None,
        Some(f) => match parse_filter(f) {
            Ok(f) => Some(f),
            Err(e) => return e,
        },
    };
    let size = match req.q("size") {
        None => MAX_PAGE,
        Some(s) => match s.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => return bad_request(format!("size {s} is not valid (1..={MAX_PAGE})")),
        },
    };
    let after = match req
        .header("ms-continuationtoken")
        .or_else(|| req.q("continuationToken"))
    {
        None => None,
        Some(t) => match parse_token(t) {
            Some(p) => Some(p),
            None => return bad_request("the continuation token is not valid"),
        },
    };
    let oldest = now - Duration::days(RETENTION_DAYS);
    let mut records: Vec<&Order> = ctx
        .world
        .orders
        .values()
        .filter(|o| {
            let at = recorded(o);
            at <= now && at >= start && at < end && at >= oldest
        })
        .filter(|o| matches(ctx.world, o, filter.as_ref()))
        .collect();
    let key = |o: &Order| {
        (
            recorded(o).timestamp_millis(),
            stable_guid(&format!("audit|{}", o.id)),
        )
    };
    records.sort_by_key(|o| key(o));
    if let Some(pos) = &after {
        records.retain(|o| key(o) > *pos);
    }
    let more = records.len() > size;
    records.truncate(size);
    let items: Vec<Value> = records.iter().map(|o| record_json(ctx.world, o)).collect();
    let mut self_uri = format!(
        "/auditrecords?startDate={}",
        enc(&start.format("%Y-%m-%d").to_string())
    );
    for k in ["endDate", "filter"] {
        if let Some(v) = req.q(k) {
            self_uri.push_str(&format!("&{k}={}", enc(v)));
        }
    }
    self_uri.push_str(&format!("&size={size}"));
    let mut body = json!({
        "totalCount": items.len(),
        "items": items,
        "links": { "self": link(&self_uri) },
        "attributes": { "objectType": "Collection" },
    });
    if more && let Some(last) = records.last() {
        let token = token_for(recorded(last), &key(last).1);
        let mut next = link(&self_uri);
        next["headers"] = json!([{ "key": "MS-ContinuationToken", "value": token }]);
        body["links"]["next"] = next;
        body["continuationToken"] = json!(token);
    }
    ApiResponse::ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_accept_dates_and_date_times() {
        let d = parse_bound("2026-11-29", false).unwrap();
        assert_eq!(ts(d), "2026-11-29T00:00:00.000Z");
        assert_eq!(
            ts(parse_bound("2026-11-29", true).unwrap()),
            "2026-11-30T00:00:00.000Z"
        );
        assert_eq!(
            ts(parse_bound("6/1/2017 12:00:00 AM", false).unwrap()),
            "2017-06-01T00:00:00.000Z"
        );
        assert!(parse_bound("2026-11-29T10:00:03.512Z", false).is_some());
        assert!(parse_bound("yesterday", false).is_none());
    }

    #[test]
    fn tokens_round_trip() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let tok = token_for(t, "abc");
        assert_eq!(parse_token(&tok), Some((1_700_000_000_000, "abc".into())));
        assert!(parse_token("zz").is_none());
    }
}
