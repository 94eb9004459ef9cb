//! The partner price sheet (`GET /v1.0/sales/pricesheets(Market='us',PricesheetView='…')/$value`):
//! CSV built from the sandbox catalog, in the market's currency and at the prices its carts,
//! orders and invoices use (`markets::convert` of each SKU's USD price), deflate-compressed when
//! the request accepts it. Views: `azure_reservations` (every reservation SKU, one row per SKU
//! and term) and `software`. App+User only (the route table says so); `403/800043` is a scripted
//! fault (`api_error` with code 800043 on this path).

use super::Ctx;
use crate::sandbox::catalog::{Kind, catalog};
use crate::sandbox::errors::{api_error, bad_request};
use crate::sandbox::http::{ApiRequest, ApiResponse, Body};
use crate::sandbox::markets;
use std::io::Write;

const HEADER: &str = "ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,\
TermDuration,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,\
EffectiveEndDate,MeterIds,MeterType,Tags";

/// `Market='us',PricesheetView='azure_reservations'` out of the path segment.
fn parse_segment(seg: &str) -> Option<(String, String)> {
    let inner = seg
        .strip_prefix("pricesheets(")
        .or_else(|| seg.strip_prefix("Pricesheets("))?
        .strip_suffix(')')?;
    let mut market = None;
    let mut view = None;
    for part in inner.split(',') {
        let (k, v) = part.split_once('=')?;
        let v = v.trim().trim_matches('\'').to_owned();
        match k.trim().to_ascii_lowercase().as_str() {
            "market" => market = Some(v.to_ascii_uppercase()),
            "pricesheetview" => view = Some(v.to_ascii_lowercase()),
            _ => return None,
        }
    }
    Some((market?, view?))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The CSV of one market and view.
pub fn sheet_csv(market: &str, view: &str) -> Option<String> {
    let reservations = match view {
        "azure_reservations" => true,
        "software" => false,
        _ => return None,
    };
    let (currency, _) = markets::currency(market);
    let mut out = String::from(HEADER);
    out.push('\n');
    if markets::is_unavailable(market) {
        return Some(out);
    }
    for p in &catalog().products {
        let wanted = match p.kind {
            Kind::Reservation { .. } => reservations,
            Kind::SoftwarePerpetual | Kind::SoftwareSubscription => !reservations,
            // A savings plan's price is its commitment: it is not on a price sheet.
            Kind::SavingsPlan => false,
        };
        if !wanted {
            continue;
        }
        for s in &p.skus {
            let price = markets::convert(s.price_usd, currency);
            let unit = if reservations { "1 Hour" } else { "1" };
            out.push_str(&format!(
                "{},{},{},{},Microsoft,{},{unit},{},{market},{currency},{price:.2},0,,2026-01-01,,,,\n",
                quoted(&p.title),
                p.id,
                s.id,
                quoted(&s.title),
                quoted(&s.description),
                s.term.unwrap_or(""),
            ));
        }
    }
    Some(out)
}

/// `GET /v1.0/sales/{pricesheets(…)}/$value`.
pub fn price_sheet(_ctx: &mut Ctx, req: &ApiRequest, segment: &str) -> ApiResponse {
    let Some((market, view)) = parse_segment(segment) else {
        return bad_request(format!(
            "expected pricesheets(Market='{{cc}}',PricesheetView='{{view}}'), got {segment:?}"
        ));
    };
    let Some(csv) = sheet_csv(&market, &view) else {
        return api_error(404, 404, format!("no price sheet view {view:?}"));
    };
    let deflate = req
        .header("accept-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("deflate"));
    let (data, headers) = if deflate {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        let data = z
            .write_all(csv.as_bytes())
            .and_then(|()| z.finish())
            .unwrap_or_default();
        (
            data,
            vec![("Content-Encoding".to_owned(), "deflate".to_owned())],
        )
    } else {
        (csv.into_bytes(), vec![])
    };
    ApiResponse {
        status: 200,
        headers,
        body: Body::Bytes {
            content_type: "text/csv",
            data,
        },
        trickle: None,
    }
}

/// The sandbox's FX rates for a month, consistent with the prices it converts
/// ([`markets::convert`]): USD per unit of EUR, GBP and JPY, and USD itself.
pub fn fx_csv(month: &str) -> String {
    let mut out = String::from("CurrencyCode,USDPerUnit,Month\n");
    for (code, per_usd) in [("EUR", 0.92), ("GBP", 0.79), ("JPY", 150.0), ("USD", 1.0)] {
        out.push_str(&format!("{code},{:.6},{month}\n", 1.0 / per_usd));
    }
    out
}

/// `GET /v1.0/sales/fxrates(Month='YYYYMM')/$value`: CSV (App+User, like the price sheet).
pub fn fx_rates(_ctx: &mut Ctx, _req: &ApiRequest, segment: &str) -> ApiResponse {
    let month = segment
        .strip_prefix("fxrates(")
        .and_then(|s| s.strip_suffix(')'))
        .and_then(|s| s.split_once('='))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("month"))
        .map(|(_, v)| v.trim().trim_matches('\'').to_owned())
        .filter(|m| m.len() == 6 && m.chars().all(|c| c.is_ascii_digit()));
    let Some(month) = month else {
        return bad_request(format!("expected fxrates(Month='YYYYMM'), got {segment:?}"));
    };
    ApiResponse {
        status: 200,
        headers: vec![],
        body: Body::Bytes {
            content_type: "text/csv",
            data: fx_csv(&month).into_bytes(),
        },
        trickle: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_sheets() {
        assert_eq!(
            parse_segment("pricesheets(Market='us',PricesheetView='azure_reservations')"),
            Some(("US".into(), "azure_reservations".into()))
        );
        assert_eq!(parse_segment("pricesheets(Market='us')"), None);
        let csv = sheet_csv("DE", "azure_reservations").expect("sheet");
        let sheet = crate::prices::PriceSheet::parse(&csv).expect("parse");
        assert!(
            sheet
                .entries
                .iter()
                .all(|e| e.currency == "EUR" && e.term.is_some())
        );
        assert!(sheet.rejected.is_empty());
        assert!(sheet_csv("US", "nope").is_none());
    }
}
