//! Collections are read completely: seek paging (`links.next` + `MS-ContinuationToken`) and
//! size/offset paging, with relative links resolved by the `/v1` rule.

use super::mock::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;

#[tokio::test]
async fn onetime_line_items_follow_continuation_tokens() {
    let mock = Mock::start().await;
    let first = v1("/invoices/G000024135/lineitems");
    let path = v1("/invoices/G000024135/lineitems/OneTime/BillingLineItems");
    let next = |tok: &str| {
        json!({"next": {"uri": "/invoices/G000024135/lineitems/OneTime/BillingLineItems?seekOperation=Next",
        "method": "GET", "headers": [{"key": "MS-ContinuationToken", "value": tok}]}})
    };
    mock.on("GET", &first, vec![
        Canned::json(200, json!({"totalCount": 2, "continuationToken": "tok-1", "links": next("tok-1"),
            "items": [
                {"customerId": CUSTOMER, "quantity": "25", "unitPrice": "16", "subtotal": 400, "reservationOrderId": "ro-1",
                 "chargeStartDate": "2018-03-16T00:00:00", "chargeEndDate": "0001-01-01T00:00:00", "billingProvider": "one_time"},
                {"customerId": CUSTOMER, "quantity": 1, "unitPrice": 12.5}
            ]})),
    ]);
    mock.on("GET", &path, vec![
        Canned::json(200, json!({"totalCount": 1, "continuationToken": "tok-2", "links": next("tok-2"), "items": [{"quantity": "3"}]})),
        Canned::json(200, json!({"totalCount": 1, "items": [{"quantity": "4"}], "links": {"self": {"uri": "/x"}}})),
    ]);
    let (client, _) = client(&mock, app_user(&mock));
    let items = client
        .list_onetime_line_items("G000024135", 2)
        .await
        .unwrap();
    assert_eq!(items.len(), 4, "all pages read");
    assert_eq!(items[0].quantity, Some(Decimal::from(25)));
    assert_eq!(items[0].unit_price, Some(Decimal::from(16)));
    assert_eq!(
        items[1].unit_price,
        Some(Decimal::from_str("12.5").unwrap())
    );
    assert_eq!(items[0].reservation_order_id.as_deref(), Some("ro-1"));
    assert!(items[0].charge_start_date.is_some());
    assert_eq!(items[0].charge_end_date, None);

    let reqs = mock.api_requests();
    assert_eq!(reqs.len(), 3);
    // the first page uses the documented query form (docs/partner-center.md §12)
    assert_eq!(reqs[0].path, first);
    assert_eq!(
        reqs[0].query.as_deref(),
        Some("provider=onetime&invoicelineitemtype=billinglineitems&size=2")
    );
    assert_eq!(reqs[0].header("ms-continuationtoken"), None);
    assert_eq!(reqs[1].path, path);
    assert_eq!(reqs[1].query.as_deref(), Some("seekOperation=Next"));
    assert_eq!(
        reqs[1].header("ms-continuationtoken").as_deref(),
        Some("tok-1")
    );
    assert_eq!(
        reqs[2].header("ms-continuationtoken").as_deref(),
        Some("tok-2")
    );
}

#[tokio::test]
async fn invoices_follow_size_offset_links() {
    let mock = Mock::start().await;
    let page = |ids: &[&str], next: Option<&str>| {
        let items: Vec<_> = ids
            .iter()
            .map(
                |id| json!({"id": id, "totalCharges": 10.5, "invoiceDate": "2024-01-01T00:00:00Z"}),
            )
            .collect();
        let mut v =
            json!({"totalCount": 5, "items": items, "links": {"self": {"uri": "/invoices"}}});
        if let Some(n) = next {
            v["links"]["next"] = json!({"uri": n, "method": "GET", "headers": []});
        }
        Canned::json(200, v)
    };
    mock.on(
        "GET",
        "/v1/invoices",
        vec![
            page(&["D1", "D2"], Some("/invoices?size=2&offset=2")),
            page(&["D3", "D4"], Some("/v1/invoices?size=2&offset=4")),
            page(&["D5"], None),
        ],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let invoices = client.list_invoices(2).await.unwrap();
    let ids: Vec<_> = invoices.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["D1", "D2", "D3", "D4", "D5"]);
    let queries: Vec<_> = mock
        .api_requests()
        .into_iter()
        .map(|r| (r.path, r.query.unwrap_or_default()))
        .collect();
    assert_eq!(
        queries,
        [
            ("/v1/invoices".to_string(), "size=2&offset=0".to_string()),
            ("/v1/invoices".to_string(), "size=2&offset=2".to_string()),
            ("/v1/invoices".to_string(), "size=2&offset=4".to_string()),
        ]
    );
}

#[tokio::test]
async fn customer_list_is_read_across_pages_and_a_looping_link_is_an_error() {
    let mock = Mock::start().await;
    let next = json!({"next": {"uri": "/customers?seekOperation=next", "headers": [{"key": "MS-ContinuationToken", "value": "c-1"}]}});
    mock.on(
        "GET",
        "/v1/customers",
        vec![
            Canned::json(
                200,
                json!({"items": [{"id": "a"}], "links": next, "continuationToken": "c-1"}),
            ),
            Canned::json(200, json!({"items": [{"id": "b"}]})),
        ],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let all = client.list_customers(None).await.unwrap();
    assert_eq!(
        all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );

    // a server that keeps answering the same next link must not loop forever
    mock.on(
        "GET",
        "/v1/customers",
        vec![Canned::json(
            200,
            json!({"items": [{"id": "a"}], "links": next}),
        )],
    );
    let err = client.list_customers(Some(10)).await.unwrap_err();
    assert!(err.to_string().contains("repeats"), "{err}");
}
