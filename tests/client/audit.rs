//! The partner activity log (`GET /v1/auditrecords`, partner-center-api.md §14) against the mock:
//! the documented query, continuation paging, and how `observe` asks for it — one partner-wide
//! query filtered by resource type for a run of many customers, one per customer for a few.

use super::mock::*;
use reservoir::observe::activity::{self, PER_CUSTOMER_MAX};
use reservoir::partner_center::Reader;
use reservoir::partner_center::wire::audit::{AuditFilter, AuditQuery};
use serde_json::{Value, json};

fn create_order(customer: &str, order_id: &str, at: &str) -> Value {
    let order = json!({"Id": order_id, "ReferenceCustomerId": customer, "Status": "pending",
        "LineItems": [{"LineItemNumber": 0, "OfferId": "DZH318Z0BQ4T:00H3:DZH318Z0F9RM",
                       "TermDuration": "P3Y", "Quantity": 4,
                       "ProvisioningContext": {"subscriptionId": SUBSCRIPTION, "scope": "shared", "duration": "3Years"}}]});
    json!({"customerId": customer, "resourceType": "order", "operationType": "create_order",
           "operationDate": at, "operationStatus": "succeeded",
           "resourceNewValue": order.to_string(),
           "customizedData": [{"key": "OrderId", "value": order_id}]})
}

fn query_of(r: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(r.query.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn audit_records_are_read_across_continuation_pages_with_the_documented_query() {
    let mock = Mock::start().await;
    let next = json!({"next": {"uri": "/auditrecords?seekOperation=Next", "method": "GET",
        "headers": [{"key": "MS-ContinuationToken", "value": "tok-1"}]}});
    mock.on(
        "GET",
        "/v1/auditrecords",
        vec![
            Canned::json(
                200,
                json!({"totalCount": 2, "links": next,
                "items": [create_order(CUSTOMER, "o1", "2026-11-29T10:00:03Z")]}),
            ),
            Canned::json(
                200,
                json!({"totalCount": 2,
                "items": [create_order(CUSTOMER, "o2", "2026-11-29T10:00:09")]}),
            ),
        ],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let q = AuditQuery {
        start_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date"),
        end_date: None,
        filter: Some(AuditFilter::resource_type("Order")),
        size: 500,
    };
    let records = client.list_audit_records(&q).await.expect("records");
    assert_eq!(records.len(), 2, "both pages");
    let o = records[1].order().expect("order").expect("present");
    assert_eq!(o.id, "o2");
    let reqs = mock.api_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        query_of(&reqs[0]),
        vec![
            ("startDate".to_owned(), "2026-11-29".to_owned()),
            ("size".to_owned(), "500".to_owned()),
            (
                "filter".to_owned(),
                r#"{"Field":"ResourceType","Value":"Order","Operator":"equals"}"#.to_owned()
            ),
        ]
    );
    assert_eq!(
        reqs[1].header("MS-ContinuationToken").as_deref(),
        Some("tok-1")
    );
}

#[tokio::test]
async fn a_few_customers_are_read_one_by_one_and_many_with_one_partner_wide_query() {
    let now = chrono::Utc::now();
    let at = (now - chrono::Duration::minutes(5)).to_rfc3339();
    let old = (now - chrono::Duration::minutes(45)).to_rfc3339();
    let other = "00000000-0000-0000-0000-0000000000aa";

    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1/auditrecords",
        vec![Canned::json(
            200,
            json!({"items": [
                create_order(CUSTOMER, "recent", &at),
                create_order(CUSTOMER, "too-old", &old),
                create_order(other, "not-in-the-run", &at),
            ]}),
        )],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let reader = Reader::new(&client);
    let few = [CUSTOMER.to_owned()];
    let log = activity::read(&reader, &few, now).await.expect("log");
    assert_eq!(log.orders(), 1, "{log:?}");
    let reqs = mock.api_requests();
    assert_eq!(reqs.len(), 1);
    let filter: Value = serde_json::from_str(
        &query_of(&reqs[0])
            .into_iter()
            .find(|(k, _)| k == "filter")
            .expect("filter")
            .1,
    )
    .expect("json");
    assert_eq!(filter["Field"], "CustomerId");
    assert_eq!(filter["Value"], CUSTOMER);

    let many: Vec<String> = (0..=PER_CUSTOMER_MAX)
        .map(|i| format!("00000000-0000-0000-0000-00000000000{i}"))
        .chain([CUSTOMER.to_owned()])
        .collect();
    let log = activity::read(&reader, &many, now).await.expect("log");
    assert_eq!(log.orders(), 1);
    let reqs = mock.api_requests();
    assert_eq!(reqs.len(), 2, "one more call for {} customers", many.len());
    assert!(
        reqs[1]
            .query
            .as_deref()
            .unwrap_or_default()
            .contains("ResourceType"),
        "{:?}",
        reqs[1].query
    );
}

#[tokio::test]
async fn a_refused_activity_log_is_an_error_naming_the_call() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        "/v1/auditrecords",
        vec![Canned::error(403, json!(0), "Forbidden")],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let err = activity::read(
        &Reader::new(&client),
        &[CUSTOMER.to_owned()],
        chrono::Utc::now(),
    )
    .await
    .expect_err("403");
    // The message names the log; the failed call (method, path, status) is its source, and the
    // one-line form a plan shows carries both.
    let line = reservoir::error_chain::one_line(&err);
    assert!(err.to_string().contains("partner activity log"), "{line}");
    assert!(line.contains("/v1/auditrecords"), "{line}");
    assert!(line.contains("403"), "{line}");
    let source = std::error::Error::source(&err).expect("the failed call is the source");
    assert!(
        source.to_string().starts_with("GET /v1/auditrecords"),
        "{source}"
    );
    assert_eq!(err.api_error().status(), Some(403));
}
