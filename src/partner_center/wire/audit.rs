//! The partner activity log (partner-center-api.md §14): `AuditRecord`, the filter sent with
//! `GET /v1/auditrecords`, and the order a `create_order` record carries as a **JSON document
//! inside a string** with PascalCase keys (`resourceNewValue`). Parsing is lenient like the rest
//! of `wire/`: camelCase or PascalCase, numbers as strings, zone-less dates.

use super::common::{Attributes, lenient_enum, normalize_keys, null_as_default, opt_date};
use super::orders::Order;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

lenient_enum! {
    /// `operationStatus` of a record (SDK `OperationStatus`).
    pub enum OperationStatus {
        Succeeded => "succeeded", Failed => "failed", Progress => "progress", Decline => "decline",
    }
}

/// One `{key, value}` of `customizedData` (the value may be `null`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomizedData {
    pub key: String,
    #[serde(deserialize_with = "super::common::opt_string_or_number")]
    pub value: Option<String>,
}

/// `AuditRecord` (§14). `resource_new_value` is kept raw: use [`AuditRecord::order`].
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditRecord {
    pub id: Option<String>,
    pub partner_id: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub application_id: Option<String>,
    /// `order`, `subscription`, … (lower case in the examples; compare with [`fold`]).
    pub resource_type: Option<String>,
    /// snake_case: `create_order`, `update_order`, …
    pub operation_type: Option<String>,
    #[serde(deserialize_with = "opt_date")]
    pub operation_date: Option<DateTime<Utc>>,
    pub operation_status: Option<OperationStatus>,
    pub resource_old_value: Option<Value>,
    pub resource_new_value: Option<Value>,
    pub original_correlation_id: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub customized_data: Vec<CustomizedData>,
    pub attributes: Option<Attributes>,
}

/// Folds an enum-like spelling (`create_order`, `CreateOrder`) for comparison.
pub fn fold(s: &str) -> String {
    super::common::fold_enum(s)
}

impl AuditRecord {
    /// True for an order creation (`operationType` `create_order`, any spelling).
    pub fn is_create_order(&self) -> bool {
        self.operation_type
            .as_deref()
            .is_some_and(|t| fold(t) == "createorder")
    }

    /// True when the operation did not happen (`failed`, `decline`).
    pub fn did_not_happen(&self) -> bool {
        matches!(
            self.operation_status,
            Some(OperationStatus::Failed | OperationStatus::Decline)
        )
    }

    /// A `customizedData` value by key (case-insensitive), `None` when absent, null or blank.
    pub fn customized(&self, key: &str) -> Option<&str> {
        self.customized_data
            .iter()
            .find(|kv| kv.key.eq_ignore_ascii_case(key))
            .and_then(|kv| kv.value.as_deref())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The order in `resourceNewValue` (a string holding PascalCase JSON; an object is accepted
    /// too). `Err` says why it cannot be read; `Ok(None)` when the record carries no value.
    pub fn order(&self) -> Result<Option<Order>, RecordOrderError> {
        let raw = match &self.resource_new_value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => serde_json::from_str::<Value>(s)
                .map_err(|e| RecordOrderError::NotJson(Arc::new(e)))?,
            Some(v @ Value::Object(_)) => v.clone(),
            Some(other) => {
                return Err(RecordOrderError::NeitherStringNorObject {
                    found: other.to_string(),
                });
            }
        };
        if !raw.is_object() {
            return Err(RecordOrderError::NotAnObject);
        }
        serde_json::from_value::<Order>(normalize_keys(raw))
            .map(Some)
            .map_err(|e| RecordOrderError::NotAnOrder(Arc::new(e)))
    }
}

/// Why the order a record carries (`resourceNewValue`) cannot be read; the JSON error, when
/// there is one, is the source. Cloned with the record's recent order, so the source is shared.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordOrderError {
    #[error("resourceNewValue is not JSON")]
    NotJson(#[source] Arc<serde_json::Error>),
    #[error("resourceNewValue is neither a JSON string nor an object: {found}")]
    NeitherStringNorObject { found: String },
    #[error("resourceNewValue does not hold a JSON object")]
    NotAnObject,
    #[error("resourceNewValue is not an order")]
    NotAnOrder(#[source] Arc<serde_json::Error>),
}

/// Equal when they say the same (a JSON error has no equality of its own).
impl PartialEq for RecordOrderError {
    fn eq(&self, other: &Self) -> bool {
        crate::error_chain::one_line(self) == crate::error_chain::one_line(other)
    }
}

impl Eq for RecordOrderError {}

/// The one filter `GET /v1/auditrecords` accepts (`{"Field","Value","Operator"}`, URL-encoded
/// JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFilter {
    #[serde(rename = "Field")]
    pub field: String,
    #[serde(rename = "Value")]
    pub value: String,
    #[serde(rename = "Operator")]
    pub operator: String,
}

impl AuditFilter {
    /// `{"Field":"CustomerId","Value":id,"Operator":"equals"}`.
    pub fn customer(customer_id: &str) -> Self {
        AuditFilter {
            field: "CustomerId".into(),
            value: customer_id.to_owned(),
            operator: "equals".into(),
        }
    }

    /// `{"Field":"ResourceType","Value":resource_type,"Operator":"equals"}` (e.g. `Order`).
    pub fn resource_type(resource_type: &str) -> Self {
        AuditFilter {
            field: "ResourceType".into(),
            value: resource_type.to_owned(),
            operator: "equals".into(),
        }
    }

    /// The JSON text sent (before URL encoding).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What to ask the activity log for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// `startDate` (a date, not a time; at most 90 days back).
    pub start_date: NaiveDate,
    /// `endDate`, when given.
    pub end_date: Option<NaiveDate>,
    /// The one filter the call accepts.
    pub filter: Option<AuditFilter>,
    /// `size`: records per page.
    pub size: u32,
}

impl AuditQuery {
    /// The query string pairs, in the documented order.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("startDate", self.start_date.format("%Y-%m-%d").to_string())];
        if let Some(end) = self.end_date {
            q.push(("endDate", end.format("%Y-%m-%d").to_string()));
        }
        q.push(("size", self.size.max(1).to_string()));
        if let Some(f) = &self.filter {
            q.push(("filter", f.to_json()));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The documented example of §14.
    fn documented() -> Value {
        json!({
            "partnerId": "5e1c0a42-7f3b-4d9e-8c21-000000000001",
            "customerId": "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01", "customerName": "Contoso",
            "applicationId": "6f2d1b53-8a4c-4e0f-9d32-000000000002",
            "resourceType": "order", "operationType": "create_order",
            "operationDate": "2026-11-29T10:00:03.512Z", "operationStatus": "succeeded",
            "originalCorrelationId": "0b8f5d8e-5b3a-4c1e-9d77-2a1c4e6f8a90",
            "resourceNewValue": "{\"Id\":\"Jq7uC5t2b\",\"ReferenceCustomerId\":\"4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01\",\"BillingCycle\":\"one_time\",\"LineItems\":[{\"LineItemNumber\":0,\"OfferId\":\"DZH318Z0BQ4T:00H3:DZH318Z0F9RM\",\"TermDuration\":\"P3Y\",\"Quantity\":4,\"ProvisioningContext\":{\"subscriptionId\":\"9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10\",\"scope\":\"shared\",\"duration\":\"3Years\"}}],\"CreationDate\":\"2026-11-29T10:00:02.901Z\",\"Status\":\"pending\"}",
            "customizedData": [ {"key": "OrderId", "value": "Jq7uC5t2b"}, {"key": "OfferId-0", "value": "DZH318Z0BQ4T:00H3:DZH318Z0F9RM"}, {"key": "Quantity-0", "value": "4"}, {"key": "SubscriptionId-0", "value": null} ],
            "attributes": { "objectType": "AuditRecord" }
        })
    }

    #[test]
    fn the_documented_record_reads_with_its_order_inside_a_string() {
        let r: AuditRecord = serde_json::from_value(documented()).expect("record");
        assert!(r.is_create_order());
        assert!(!r.did_not_happen());
        assert_eq!(r.customized("orderid"), Some("Jq7uC5t2b"));
        assert_eq!(r.customized("SubscriptionId-0"), None, "null value");
        let o = r.order().expect("parses").expect("present");
        assert_eq!(o.id, "Jq7uC5t2b");
        assert_eq!(
            o.reference_customer_id.as_deref(),
            Some("4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01")
        );
        let l = &o.line_items[0];
        assert_eq!(
            l.offer_id.as_deref(),
            Some("DZH318Z0BQ4T:00H3:DZH318Z0F9RM")
        );
        assert_eq!(l.quantity, Some(4));
        assert_eq!(l.term_duration.as_deref(), Some("P3Y"));
        assert_eq!(
            l.context("SubscriptionId").as_deref(),
            Some("9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10")
        );
        assert_eq!(l.context("duration").as_deref(), Some("3Years"));
        assert_eq!(
            r.operation_date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-11-29T10:00:03.512+00:00")
        );
    }

    #[test]
    fn lenient_spellings_numbers_as_strings_and_zoneless_dates() {
        // The client folds PascalCase keys of the body before decoding (`Reply::json`).
        let r: AuditRecord = serde_json::from_value(normalize_keys(json!({
            "CustomerId": "c", "operationType": "CreateOrder", "OperationStatus": "Failed",
            "operationDate": "2026-11-29T10:00:03",
            "resourceNewValue": { "Id": "o1", "LineItems": [ { "OfferId": "P:S:A", "Quantity": "2" } ] },
            "customizedData": null
        })))
        .expect("record");
        assert_eq!(r.customer_id.as_deref(), Some("c"));
        assert!(r.is_create_order());
        assert!(r.did_not_happen());
        assert!(r.operation_date.is_some());
        let o = r.order().expect("object accepted").expect("present");
        assert_eq!(o.line_items[0].quantity, Some(2));
    }

    #[test]
    fn an_unreadable_order_says_why() {
        let mut r = AuditRecord {
            resource_new_value: Some(Value::String("{not json".into())),
            ..AuditRecord::default()
        };
        let e = r.order().unwrap_err();
        assert!(crate::error_chain::one_line(&e).contains("not JSON"), "{e}");
        let json = std::error::Error::source(&e).expect("the JSON error is the cause");
        assert!(json.is::<Arc<serde_json::Error>>(), "{json}");
        r.resource_new_value = Some(json!(42));
        assert!(r.order().is_err());
        r.resource_new_value = Some(Value::String("[1]".into()));
        assert!(r.order().is_err());
        r.resource_new_value = None;
        assert_eq!(r.order(), Ok(None));
    }

    #[test]
    fn filters_serialize_as_documented() {
        assert_eq!(
            AuditFilter::resource_type("Order").to_json(),
            r#"{"Field":"ResourceType","Value":"Order","Operator":"equals"}"#
        );
        assert_eq!(
            AuditFilter::customer("c").to_json(),
            r#"{"Field":"CustomerId","Value":"c","Operator":"equals"}"#
        );
    }

    #[test]
    fn the_query_names_dates_size_and_one_filter() {
        let q = AuditQuery {
            start_date: NaiveDate::from_ymd_opt(2026, 11, 29).expect("date"),
            end_date: None,
            filter: Some(AuditFilter::resource_type("Order")),
            size: 500,
        };
        assert_eq!(
            q.query_pairs(),
            vec![
                ("startDate", "2026-11-29".to_owned()),
                ("size", "500".to_owned()),
                (
                    "filter",
                    r#"{"Field":"ResourceType","Value":"Order","Operator":"equals"}"#.to_owned()
                ),
            ]
        );
    }
}
