//! Billing: one-time invoices derived from orders (one per month and currency), current balance,
//! per-currency summaries, invoice list (size/offset paging), invoice by id, OneTime billing line
//! items (continuation-token seek paging) and the statement PDF.

use super::Ctx;
use crate::sandbox::catalog::catalog;
use crate::sandbox::clock::zoneless_date;
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, Body, collection, link};
use crate::sandbox::pdf;
use crate::sandbox::world::{Customer, Order, OrderLine, World};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const CURRENCIES: &[(&str, &str)] = &[("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("JPY", "¥")];
const MAX_LINE_PAGE: usize = 2000;

/// One charge: the customer, the order and the order line.
pub type InvoiceLine<'w> = (&'w Customer, &'w Order, &'w OrderLine);

/// A derived one-time invoice.
pub struct Invoice<'w> {
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub currency: &'static str,
    pub symbol: &'static str,
    pub lines: Vec<InvoiceLine<'w>>,
}

impl Invoice<'_> {
    pub fn total(&self) -> f64 {
        round(
            self.currency,
            self.lines
                .iter()
                .map(|(_, _, l)| l.unit_price * l.quantity as f64)
                .sum(),
        )
    }
}

fn round(currency: &str, v: f64) -> f64 {
    if currency == "JPY" {
        v.round()
    } else {
        (v * 100.0).round() / 100.0
    }
}

/// All one-time invoices, newest first.
pub fn invoices(world: &World) -> Vec<Invoice<'_>> {
    let mut map: BTreeMap<(i32, u32, usize), Vec<InvoiceLine>> = BTreeMap::new();
    for o in world.orders.values().filter(|o| o.status == "completed") {
        let Some(c) = world.customer(&o.customer_id) else {
            continue;
        };
        let ci = CURRENCIES
            .iter()
            .position(|(c, _)| *c == o.currency_code)
            .unwrap_or(0);
        let key = (o.created.year(), o.created.month(), ci);
        for l in &o.lines {
            map.entry(key).or_default().push((c, o, l));
        }
    }
    let mut out: Vec<Invoice> = map
        .into_iter()
        .filter_map(|((y, m, ci), mut lines)| {
            lines.sort_by(|a, b| {
                (a.1.created, &a.1.id, a.2.line_item_number).cmp(&(
                    b.1.created,
                    &b.1.id,
                    b.2.line_item_number,
                ))
            });
            let start = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()?;
            let end =
                start.checked_add_months(chrono::Months::new(1))? - chrono::Duration::seconds(1);
            let (currency, symbol) = CURRENCIES[ci];
            Some(Invoice {
                id: format!("G{y:04}{m:02}{:03}", ci + 1),
                start,
                end,
                currency,
                symbol,
                lines,
            })
        })
        .collect();
    out.reverse();
    out
}

fn invoice_json(inv: &Invoice) -> Value {
    json!({
        "id": inv.id,
        "invoiceDate": zoneless_date(inv.end),
        "billingPeriodStartDate": zoneless_date(inv.start),
        "billingPeriodEndDate": zoneless_date(inv.end),
        "totalCharges": inv.total(),
        "paidAmount": 0,
        "currencyCode": inv.currency,
        "currencySymbol": inv.symbol,
        "pdfDownloadLink": format!("/invoices/{}/documents/statement", inv.id),
        "taxReceipts": [],
        "invoiceDetails": [{
            "invoiceLineItemType": "billing_line_items",
            "billingProvider": "one_time",
            "links": { "self": link(format!("/invoices/{}/lineitems/OneTime/BillingLineItems", inv.id)) },
            "attributes": { "objectType": "InvoiceDetail" },
        }],
        "amendments": [],
        "documentType": "invoice",
        "invoiceType": "OneTime",
        "status": "active",
        "links": { "self": link(format!("/invoices/OneTime-{}", inv.id)) },
        "attributes": { "objectType": "Invoice" },
    })
}

fn find<'w>(world: &'w World, id: &str) -> Result<Invoice<'w>, ApiResponse> {
    let bare = id
        .strip_prefix("OneTime-")
        .or_else(|| id.strip_prefix("onetime-"))
        .unwrap_or(id);
    invoices(world)
        .into_iter()
        .find(|i| i.id.eq_ignore_ascii_case(bare))
        .ok_or_else(|| api_error(404, 2101, format!("invoice {id} was not found")))
}

pub fn list(ctx: &mut Ctx, req: &ApiRequest) -> ApiResponse {
    let parse = |k: &str, d: usize| {
        req.q(k).map_or(Ok(d), |v| {
            v.parse::<usize>()
                .map_err(|_| bad_request(format!("{k} must be a non-negative integer")))
        })
    };
    let size = match parse("size", 200) {
        Ok(s) if s > 0 => s,
        Ok(_) => return bad_request("size must be positive"),
        Err(e) => return e,
    };
    let offset = match parse("offset", 0) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let all = invoices(ctx.world);
    let items: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(size)
        .map(invoice_json)
        .collect();
    let mut body = collection(items, &format!("/invoices?size={size}&offset={offset}"));
    if offset + size < all.len() {
        body["links"]["next"] = link(format!("/invoices?size={size}&offset={}", offset + size));
    }
    ApiResponse::ok(body)
}

pub fn get(ctx: &mut Ctx, id: &str) -> ApiResponse {
    match find(ctx.world, id) {
        Ok(i) => ApiResponse::ok(invoice_json(&i)),
        Err(e) => e,
    }
}

fn summary_json(currency: &str, symbol: &str, invs: &[&Invoice]) -> Value {
    let balance = round(currency, invs.iter().map(|i| i.total()).sum());
    let latest = invs
        .first()
        .map_or("0001-01-01T00:00:00".to_string(), |i| zoneless_date(i.end));
    let first = invs
        .last()
        .map_or("0001-01-01T00:00:00".to_string(), |i| zoneless_date(i.end));
    let inner = json!({
        "balanceAmount": balance,
        "currencyCode": currency,
        "currencySymbol": symbol,
        "accountingDate": latest,
        "firstInvoiceCreationDate": first,
        "lastPaymentDate": "0001-01-01T00:00:00",
        "lastPaymentAmount": 0,
        "latestInvoiceDate": latest,
    });
    let mut v = inner.clone();
    v["details"] = json!([
        { "invoiceType": "Recurring", "summary": { "balanceAmount": 0, "currencyCode": currency, "currencySymbol": symbol, "accountingDate": "0001-01-01T00:00:00", "firstInvoiceCreationDate": "0001-01-01T00:00:00", "lastPaymentDate": "0001-01-01T00:00:00", "lastPaymentAmount": 0, "latestInvoiceDate": "0001-01-01T00:00:00" } },
        { "invoiceType": "OneTime", "summary": inner },
    ]);
    v["links"] = json!({ "self": link("/invoices/summary") });
    v["attributes"] = json!({ "objectType": "InvoiceSummary" });
    v
}

pub fn summary(ctx: &mut Ctx) -> ApiResponse {
    let all = invoices(ctx.world);
    let usd: Vec<&Invoice> = all.iter().filter(|i| i.currency == "USD").collect();
    ApiResponse::ok(summary_json("USD", "$", &usd))
}

pub fn summaries(ctx: &mut Ctx) -> ApiResponse {
    let all = invoices(ctx.world);
    let items = CURRENCIES
        .iter()
        .filter_map(|(c, s)| {
            let invs: Vec<&Invoice> = all.iter().filter(|i| i.currency == *c).collect();
            (!invs.is_empty()).then(|| summary_json(c, s, &invs))
        })
        .collect();
    ApiResponse::ok(collection(items, "/invoices/summaries"))
}

fn line_json(
    inv: &Invoice,
    partner_id: &str,
    mpn: &str,
    (c, o, l): (&Customer, &Order, &OrderLine),
) -> Value {
    let product = catalog().product(l.product_id());
    let sku = product.and_then(|p| p.sku(l.sku_id()));
    let subtotal = round(inv.currency, l.unit_price * l.quantity as f64);
    let end = l
        .term_duration
        .as_deref()
        .and_then(|t| crate::sandbox::clock::add_term(o.created, t));
    let term = match l.term_duration.as_deref() {
        Some("P3Y") => "3 Years Prepaid",
        Some("P1Y") => "1 Year Prepaid",
        _ => "One-Time",
    };
    let mut v = json!({
        "partnerId": partner_id,
        "customerId": c.id,
        "customerName": c.name,
        "customerDomainName": c.domain,
        "customerCountry": c.country,
        "invoiceNumber": inv.id,
        "mpnId": mpn,
        "resellerMpnId": 0,
        "orderId": o.id,
        "orderDate": crate::sandbox::clock::ts(o.created),
        "productId": l.product_id(),
        "skuId": l.sku_id(),
        "availabilityId": l.availability_id(),
        "productName": product.map_or("", |p| p.title.as_str()),
        "skuName": sku.map_or("", |s| s.title.as_str()),
        "productQualifiers": [],
        "chargeType": "New",
        "unitPrice": l.unit_price,
        "effectiveUnitPrice": l.unit_price,
        "unitType": if l.reservation_order_id.is_some() { "1 Hour" } else { "Licenses" },
        "quantity": l.quantity,
        "subtotal": subtotal,
        "taxTotal": 0,
        "totalForCustomer": subtotal,
        "currency": inv.currency,
    });
    let more = json!({
        "publisherName": "Microsoft",
        "publisherId": "",
        "subscriptionDescription": l.friendly_name.clone().unwrap_or_default(),
        "subscriptionId": l.subscription_id.clone().unwrap_or_default(),
        "subscriptionStartDate": zoneless_date(o.created),
        "subscriptionEndDate": end.map_or("0001-01-01T00:00:00".to_string(), zoneless_date),
        "chargeStartDate": zoneless_date(o.created),
        "chargeEndDate": end.map_or(zoneless_date(o.created), zoneless_date),
        "termAndBillingCycle": term,
        "alternateId": o.alternate_id,
        "referenceId": "",
        "priceAdjustmentDescription": "[]",
        "pricingCurrency": inv.currency,
        "pcToBCExchangeRate": 1,
        "pcToBCExchangeRateDate": zoneless_date(inv.start),
        "billableQuantity": l.quantity,
        "meterDescription": "",
        "billingFrequency": "OneTime",
        "reservationOrderId": l.reservation_order_id.clone().unwrap_or_default(),
        "invoiceLineItemType": "billing_line_items",
        "billingProvider": "one_time",
        "attributes": { "objectType": "OneTimeInvoiceLineItem" },
    });
    if let (Some(a), Value::Object(b)) = (v.as_object_mut(), more) {
        a.extend(b);
    }
    v
}

fn norm(s: &str) -> String {
    s.to_ascii_lowercase().replace('_', "")
}

/// `GET /v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=N`,
/// `…/lineitems/OneTime/BillingLineItems?size=N`, next pages `?seekOperation=Next` +
/// `MS-ContinuationToken`.
pub fn line_items(
    ctx: &mut Ctx,
    req: &ApiRequest,
    id: &str,
    path_form: Option<(&&str, &&str)>,
) -> ApiResponse {
    let (provider, kind) = match path_form {
        Some((p, t)) => (norm(p), norm(t)),
        None => (
            norm(req.q("provider").unwrap_or("")),
            norm(req.q("invoicelineitemtype").unwrap_or("")),
        ),
    };
    let inv = match find(ctx.world, id) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let self_uri = format!("/invoices/{}/lineitems/OneTime/BillingLineItems", inv.id);
    if provider != "onetime" || kind != "billinglineitems" {
        if ["office", "azure", "onetime", "all", "marketplace"].contains(&provider.as_str()) {
            return ApiResponse::ok(collection(vec![], &self_uri));
        }
        return bad_request(format!(
            "provider {provider} / invoicelineitemtype {kind} is not supported"
        ));
    }
    let seek = req
        .q("seekOperation")
        .is_some_and(|s| s.eq_ignore_ascii_case("next"));
    let (offset, size) = if seek {
        let Some(token) = req.header("ms-continuationtoken") else {
            return bad_request("seekOperation=Next needs the MS-ContinuationToken header");
        };
        match parse_token(token, &inv.id) {
            Some(x) => x,
            None => {
                return api_error(
                    400,
                    800002,
                    format!("continuation token {token} is not valid"),
                );
            }
        }
    } else {
        match req.q("size").map(str::parse::<usize>) {
            None => (0, MAX_LINE_PAGE),
            Some(Ok(n)) if n > 0 => (0, n.min(MAX_LINE_PAGE)),
            Some(_) => return bad_request("size must be a positive integer"),
        }
    };
    let partner = &ctx.world.partner;
    let items: Vec<Value> = inv
        .lines
        .iter()
        .skip(offset)
        .take(size)
        .map(|x| line_json(&inv, &partner.tenant_id, &partner.mpn_id, *x))
        .collect();
    let mut body = json!({
        "totalCount": items.len(),
        "items": items,
        "links": { "self": link(format!("{self_uri}?size={size}")) },
        "attributes": { "objectType": "Collection" },
    });
    if offset + size < inv.lines.len() {
        let token = format!("li.{}.{}.{}", inv.id, offset + size, size);
        body["continuationToken"] = json!(token);
        body["links"]["next"] = json!({
            "uri": format!("{self_uri}?seekOperation=Next"),
            "method": "GET",
            "headers": [{ "key": "MS-ContinuationToken", "value": token }],
        });
    }
    ApiResponse::ok(body)
}

fn parse_token(token: &str, invoice: &str) -> Option<(usize, usize)> {
    let mut parts = token.split('.');
    if parts.next()? != "li" || !parts.next()?.eq_ignore_ascii_case(invoice) {
        return None;
    }
    let offset = parts.next()?.parse().ok()?;
    let size: usize = parts.next()?.parse().ok()?;
    (size > 0).then_some((offset, size))
}

pub fn statement(ctx: &mut Ctx, id: &str) -> ApiResponse {
    let inv = match find(ctx.world, id) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let mut text = vec![
        format!("{} - Invoice {}", ctx.world.partner.name, inv.id),
        format!(
            "Billing period {} to {}",
            inv.start.format("%Y-%m-%d"),
            inv.end.format("%Y-%m-%d")
        ),
        format!("Currency {}", inv.currency),
        String::new(),
    ];
    for (c, o, l) in &inv.lines {
        text.push(format!(
            "{} | order {} | {} x{} @ {:.2}",
            c.name, o.alternate_id, l.catalog_item_id, l.quantity, l.unit_price
        ));
    }
    text.push(String::new());
    text.push(format!("Total {:.2} {}", inv.total(), inv.currency));
    ApiResponse {
        status: 200,
        headers: vec![(
            "Content-Disposition".into(),
            format!("attachment; filename=Invoice_{}.pdf", inv.id),
        )],
        body: Body::Bytes {
            content_type: "application/pdf",
            data: pdf::text_pdf(&text),
        },
        trickle: None,
    }
}
