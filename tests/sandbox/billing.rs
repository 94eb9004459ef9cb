//! Invoices, one-time line items with seek paging, the statement PDF.

use super::common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn invoice_line_items_page_with_continuation_tokens() {
    let s = start_instant().await;
    // Two USD lines for contoso this month (the demo holdings were invoiced two months ago).
    let item = s
        .reservation_item(
            "US",
            "AzureReservationsVM",
            "Standard_E4s_v5",
            "eastus",
            "1Year",
            false,
        )
        .await;
    let cart = s.post(&format!("/v1/customers/{CONTOSO}/carts"), json!({ "lineItems": [reservation_line(0, &item, 2, "P1Y", CONTOSO_PLAN, "1Year"), reservation_line(1, &item, 1, "P1Y", CONTOSO_PLAN, "1Year")] })).await;
    let co = s
        .post(
            &format!(
                "/v1/customers/{CONTOSO}/carts/{}/checkout",
                cart.body["id"].as_str().unwrap()
            ),
            Value::Null,
        )
        .await;
    let roid = s
        .get(&format!(
            "/v1/customers/{CONTOSO}/entitlements?entitlementType=reservedinstance"
        ))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["referenceOrder"]["id"] == co.body["orders"][0]["id"] && e["quantity"] == 2)
        .unwrap()["entitledArtifacts"][0]["resourceId"]
        .clone();

    let invoices = s.get("/v1/invoices?size=1&offset=0").await;
    assert_eq!(invoices.status, 200);
    assert!(
        invoices.body["links"]["next"]["uri"]
            .as_str()
            .unwrap()
            .contains("offset=1")
    );
    let all = s.get("/v1/invoices").await;
    let usd_now = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["currencyCode"] == "USD")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        all.body["items"].as_array().unwrap().len() >= 3,
        "this month's USD, older USD and GBP"
    );
    let inv = s.get(&format!("/v1/invoices/{usd_now}")).await;
    assert_eq!(inv.body["invoiceType"], "OneTime");

    let mut seen = vec![];
    let mut r = s.get(&format!("/v1/invoices/{usd_now}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=1")).await;
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(r.status, 200, "{}", r.body);
        for it in r.body["items"].as_array().unwrap() {
            assert_eq!(it["billingProvider"], "one_time");
            assert_eq!(it["attributes"]["objectType"], "OneTimeInvoiceLineItem");
            seen.push(it.clone());
        }
        let Some(next) = r.body["links"].get("next").cloned() else {
            break;
        };
        assert_eq!(r.body["continuationToken"], next["headers"][0]["value"]);
        assert!(next["uri"].as_str().unwrap().contains("seekOperation=Next"));
        let mut req = s
            .http
            .get(s.url(&format!("/v1{}", next["uri"].as_str().unwrap())))
            .bearer_auth(&s.app_user);
        for h in next["headers"].as_array().unwrap() {
            req = req.header(h["key"].as_str().unwrap(), h["value"].as_str().unwrap());
        }
        r = s.send(req).await;
    }
    assert!(pages >= 2);
    let new_line = seen
        .iter()
        .find(|l| l["reservationOrderId"] == roid)
        .expect("the new order is invoiced");
    assert_eq!(new_line["quantity"], 2);
    assert_eq!(new_line["currency"], "USD");
    assert!(new_line["unitPrice"].as_f64().unwrap() > 0.0);
    // The path form gives the same first page.
    let path_form = s
        .get(&format!(
            "/v1/invoices/{usd_now}/lineitems/OneTime/BillingLineItems?size=1"
        ))
        .await;
    assert_eq!(path_form.body["items"][0], seen[0]);

    let summary = s.get_app_only("/v1/invoices/summary").await;
    assert_eq!(summary.body["attributes"]["objectType"], "InvoiceSummary");
    let summaries = s.get("/v1/invoices/summaries").await;
    assert!(
        summaries.body["items"].as_array().unwrap().len() >= 2,
        "USD and GBP"
    );
}

#[tokio::test]
async fn statement_pdf_is_a_pdf() {
    let s = start().await;
    let all = s.get("/v1/invoices").await;
    let id = all.body["items"][0]["id"].as_str().unwrap().to_string();
    let r = s
        .http
        .get(s.url(&format!("/v1/invoices/{id}/documents/statement")))
        .bearer_auth(&s.app_user)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("Invoice_{id}.pdf"))
    );
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert!(
        String::from_utf8_lossy(&bytes)
            .trim_end()
            .ends_with("%%EOF")
    );
}
