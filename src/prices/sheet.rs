//! Parsing the price sheet's CSV (columns `ProductId, SkuId, TermDuration, Market, Currency,
//! UnitPrice, …`, new-commerce license views add `BillingPlan`; header names matched
//! case-insensitively, unknown columns ignored) and joining it to a catalog item.
//!
//! Rows that cannot be read (a price that is not a number, no currency) are kept as *rejected*
//! for their key, so a lookup of that item says why instead of "not in the sheet". Two different
//! prices for one key are ambiguous: the lookup refuses rather than picks one.

use super::Lookup;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// One priced row of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceEntry {
    /// Upper-case product id.
    pub product_id: String,
    pub sku_id: String,
    /// `TermDuration` as sent (`P1Y`, `P3Y`), when the row has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// ISO 4217 code, upper-case.
    pub currency: String,
    /// The price of one unit for the whole term (reservations) or per the row's billing plan.
    pub unit_price: Decimal,
    /// `BillingPlan` (license views), when the row has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_plan: Option<String>,
}

/// A row that could not be read, kept for its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub product_id: String,
    pub sku_id: String,
    pub why: String,
}

/// A parsed price sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceSheet {
    pub entries: Vec<PriceEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejected>,
}

/// A price sheet that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("the price sheet has no {0} column")]
    MissingColumn(&'static str),
    #[error("the price sheet is not valid CSV")]
    Csv(#[source] csv::Error),
}

const REQUIRED: [&str; 4] = ["productid", "skuid", "currency", "unitprice"];

impl PriceSheet {
    /// Parses the CSV text of a price sheet.
    pub fn parse(text: &str) -> Result<Self, SheetError> {
        let text = text.trim_start_matches('\u{feff}');
        let mut rd = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = rd
            .headers()
            .map_err(SheetError::Csv)?
            .iter()
            .map(str::to_ascii_lowercase)
            .collect();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let mut idx = [0usize; 4];
        for (i, name) in REQUIRED.iter().enumerate() {
            idx[i] = col(name).ok_or(SheetError::MissingColumn(match i {
                0 => "ProductId",
                1 => "SkuId",
                2 => "Currency",
                _ => "UnitPrice",
            }))?;
        }
        let (term_col, plan_col) = (col("termduration"), col("billingplan"));
        let mut sheet = PriceSheet::default();
        for rec in rd.records() {
            let rec = rec.map_err(SheetError::Csv)?;
            let field = |i: usize| rec.get(i).unwrap_or("").to_owned();
            let opt = |i: Option<usize>| i.map(field).filter(|s| !s.is_empty());
            let product_id = field(idx[0]).to_ascii_uppercase();
            let sku_id = field(idx[1]);
            if product_id.is_empty() || sku_id.is_empty() {
                continue;
            }
            let currency = field(idx[2]).to_ascii_uppercase();
            let raw_price = field(idx[3]);
            let reject = |why: String| Rejected {
                product_id: product_id.clone(),
                sku_id: sku_id.clone(),
                why,
            };
            if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
                sheet.rejected.push(reject(format!(
                    "its currency {currency:?} is not a currency code"
                )));
                continue;
            }
            let unit_price = match Decimal::from_str(&raw_price)
                .or_else(|_| Decimal::from_scientific(&raw_price))
            {
                Ok(p) if !p.is_sign_negative() => p,
                _ => {
                    sheet.rejected.push(reject(format!(
                        "its UnitPrice {raw_price:?} is not a price"
                    )));
                    continue;
                }
            };
            sheet.entries.push(PriceEntry {
                product_id,
                sku_id,
                term: opt(term_col),
                currency,
                unit_price,
                billing_plan: opt(plan_col),
            });
        }
        Ok(sheet)
    }

    /// The price of `product_id`/`sku_id` (case-insensitive) for `term` (`None`: any term).
    pub fn lookup(&self, product_id: &str, sku_id: &str, term: Option<&str>) -> Lookup {
        let same =
            |p: &str, s: &str| p.eq_ignore_ascii_case(product_id) && s.eq_ignore_ascii_case(sku_id);
        let what = match term {
            Some(t) => format!("{product_id}/{sku_id} {t}"),
            None => format!("{product_id}/{sku_id}"),
        };
        let mut found: Vec<&PriceEntry> = self
            .entries
            .iter()
            .filter(|e| same(&e.product_id, &e.sku_id))
            .filter(|e| match (term, &e.term) {
                (Some(t), Some(et)) => et.eq_ignore_ascii_case(t),
                _ => true,
            })
            .collect();
        found.dedup_by(|a, b| a.unit_price == b.unit_price && a.currency == b.currency);
        match found.as_slice() {
            [one] => Lookup::Found((*one).clone()),
            [] => match self
                .rejected
                .iter()
                .find(|r| same(&r.product_id, &r.sku_id))
            {
                Some(r) => Lookup::Unknown(format!("the price sheet's row for {what}: {}", r.why)),
                None => Lookup::Unknown(format!("{what} is not in the price sheet")),
            },
            many => Lookup::Unknown(format!(
                "the price sheet has {} different prices for {what}",
                many.len()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,Market,Currency,UnitPrice,Tags\n\
        \"Reserved VM, Dsv5\",dzh318z0abcd,0001,\"D2s v5, 1 Year\",P1Y,US,USD,521.40,\n\
        \"Reserved VM, Dsv5\",DZH318Z0ABCD,0002,\"D2s v5, 3 Years\",P3Y,US,USD,1059.80,\n\
        X,DZH318Z0ABCD,0003,x,P1Y,US,USD,n/a,\n\
        X,DZH318Z0ABCD,0004,x,P1Y,US,USD,1,\n\
        X,DZH318Z0ABCD,0004,x,P1Y,US,USD,2,\n";

    #[test]
    fn joins_by_product_sku_and_term_and_never_guesses() {
        let s = PriceSheet::parse(CSV).expect("parse");
        let Lookup::Found(e) = s.lookup("DZH318Z0ABCD", "0001", Some("P1Y")) else {
            panic!("0001 has a price");
        };
        assert_eq!(
            (e.currency.as_str(), e.unit_price.to_string()),
            ("USD", "521.40".into())
        );
        assert!(
            matches!(s.lookup("DZH318Z0ABCD", "0001", Some("P3Y")), Lookup::Unknown(r) if r.contains("not in the price sheet"))
        );
        assert!(
            matches!(s.lookup("DZH318Z0ABCD", "0003", None), Lookup::Unknown(r) if r.contains("\"n/a\" is not a price"))
        );
        assert!(
            matches!(s.lookup("DZH318Z0ABCD", "0004", None), Lookup::Unknown(r) if r.contains("2 different prices"))
        );
    }

    #[test]
    fn a_sheet_without_prices_is_an_error() {
        let e = PriceSheet::parse("ProductId,SkuId,Currency\nP,1,USD\n").expect_err("no price");
        assert_eq!(e.to_string(), "the price sheet has no UnitPrice column");
    }
}
