//! The orders reservoir placed, as `reconcile` expects to see them charged. Two sources:
//!
//! * the purchase journal, read through the state store's [`Journal`] (whatever the backend):
//!   every `checkout_result` record's `orders[] {order_id, lines[] {catalog_item_id, quantity}}`,
//!   placed at the record's `at`; orders later settled as `cancelled` are left out. A torn last
//!   line is skipped (as everywhere the journal is read); a damaged journal is an error.
//! * `apply --receipt` files (`*.json` in `--receipts DIR`, or one file): either apply's receipt
//!   (`{customers: [{customer_id, orders: [{order_id, status, lines: [{catalog_item_id,
//!   quantity}]}]}]}`, also as a bare array or a single customer object) or the same minimal
//!   shape written by hand. A line may carry `unit_price` (and `currency`); then amounts are
//!   checked too. Orders with `status: cancelled` are left out. camelCase keys are accepted.

use super::ViewError;
use crate::store::{Journal, Record, SettleReason};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An order reservoir placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlacedOrder {
    pub customer_id: String,
    pub order_id: String,
    #[serde(with = "super::iso_date")]
    pub placed_at: Option<DateTime<Utc>>,
    /// Where it was read (journal or receipt file).
    pub source: String,
    pub lines: Vec<PlacedLine>,
}

/// One line of a placed order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlacedLine {
    #[serde(alias = "catalogItemId", alias = "offer_id", alias = "offerId")]
    pub catalog_item_id: String,
    pub quantity: Decimal,
    #[serde(default, alias = "unitPrice")]
    pub unit_price: Option<Decimal>,
    #[serde(default, alias = "currencyCode", alias = "currency_code")]
    pub currency: Option<String>,
    /// The plan's estimated unit price (price sheet), when the receipt kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_unit_price: Option<Decimal>,
    /// Apply's receipt: the order line's price (`order_price`) and the plan's `estimate`.
    #[serde(default, skip_serializing)]
    order_price: Option<NestedPrice>,
    #[serde(default, skip_serializing)]
    estimate: Option<NestedPrice>,
}

/// A price object of apply's receipt (`order_price`, `estimate`): only what reconcile compares.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
struct NestedPrice {
    #[serde(default)]
    unit_price: Option<Decimal>,
    #[serde(default)]
    currency: Option<String>,
}

impl PlacedLine {
    /// A line of `quantity` × `catalog_item_id`, priced at `unit_price` when known.
    pub fn new(catalog_item_id: &str, quantity: Decimal, unit_price: Option<Decimal>) -> Self {
        PlacedLine {
            catalog_item_id: catalog_item_id.to_owned(),
            quantity,
            unit_price,
            ..PlacedLine::default()
        }
    }

    /// Takes the unit price and currency from apply's receipt objects when the flat fields
    /// are absent (the order line's price is the binding one; the estimate is kept beside it).
    fn normalised(mut self) -> Self {
        if let Some(p) = self.order_price.take() {
            self.unit_price = self.unit_price.or(p.unit_price);
            self.currency = self.currency.or(p.currency);
        }
        if let Some(e) = self.estimate.take() {
            self.estimated_unit_price = self.estimated_unit_price.or(e.unit_price);
            self.currency = self.currency.or(e.currency);
        }
        self
    }

    /// `(product id, SKU id)` from `product:sku:availability`, upper-cased.
    pub fn product_sku(&self) -> (String, String) {
        let mut parts = self.catalog_item_id.split(':');
        let p = parts.next().unwrap_or("").trim().to_ascii_uppercase();
        let s = parts.next().unwrap_or("").trim().to_ascii_uppercase();
        (p, s)
    }
}

#[derive(Debug, Deserialize)]
struct ReceiptCustomer {
    #[serde(alias = "customerId")]
    customer_id: String,
    #[serde(default)]
    orders: Vec<ReceiptOrder>,
}

#[derive(Debug, Deserialize)]
struct ReceiptOrder {
    #[serde(alias = "orderId")]
    order_id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(
        default,
        alias = "placedAt",
        alias = "creation_date",
        alias = "creationDate"
    )]
    placed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    lines: Vec<PlacedLine>,
}

fn cancelled(status: Option<&str>) -> bool {
    status
        .is_some_and(|s| s.eq_ignore_ascii_case("cancelled") || s.eq_ignore_ascii_case("canceled"))
}

/// Orders from the journal (none when there is no journal).
pub async fn from_journal(journal: &Journal) -> Result<Vec<PlacedOrder>, ViewError> {
    let mut out = Vec::new();
    for customer in journal.customers().await? {
        let records = journal.read(&customer).await?;
        let source = journal.path(&customer)?.display().to_string();
        out.extend(journal_orders(&customer, &records.records, &source));
    }
    Ok(out)
}

/// The pure part of [`from_journal`] for one customer's records.
pub fn journal_orders(customer_id: &str, records: &[Record], source: &str) -> Vec<PlacedOrder> {
    let mut orders: BTreeMap<String, PlacedOrder> = BTreeMap::new();
    let mut cancelled_ids = BTreeSet::new();
    for rec in records {
        match rec {
            Record::CheckoutResult {
                at, orders: list, ..
            } => {
                for o in list {
                    let lines = o
                        .lines
                        .iter()
                        .map(|l| PlacedLine {
                            currency: l.price.as_ref().and_then(|p| p.currency.clone()),
                            ..PlacedLine::new(
                                &l.catalog_item_id,
                                Decimal::from(l.quantity),
                                l.price.as_ref().and_then(|p| p.unit_price),
                            )
                        })
                        .collect();
                    orders.entry(o.order_id.clone()).or_insert(PlacedOrder {
                        customer_id: customer_id.to_ascii_lowercase(),
                        order_id: o.order_id.clone(),
                        placed_at: Some(*at),
                        source: source.to_string(),
                        lines,
                    });
                }
            }
            Record::OrderSettled {
                order_id,
                reason: SettleReason::Cancelled,
                ..
            } => {
                cancelled_ids.insert(order_id.clone());
            }
            _ => {}
        }
    }
    orders
        .into_values()
        .filter(|o| !cancelled_ids.contains(&o.order_id))
        .collect()
}

/// Orders from receipt files: `path` is a file or a directory of `*.json` files.
pub fn from_receipts(path: &Path) -> Result<Vec<PlacedOrder>, ViewError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| ViewError::io(path, "cannot read the receipts directory", e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        v.sort();
        v
    } else if path.is_file() {
        vec![path.to_path_buf()]
    } else {
        return Err(ViewError::file(path, "no such receipt file or directory"));
    };
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| ViewError::io(&f, "cannot read", e))?;
        // A folder of receipts often holds the saved plan they were applied from.
        if path.is_dir() && is_saved_plan(&text) {
            continue;
        }
        out.extend(
            receipt_orders(&text, &f.display().to_string()).map_err(|source| {
                ViewError::NotAReceipt {
                    path: f.clone(),
                    source,
                }
            })?,
        );
    }
    Ok(out)
}

/// True for a saved plan (`reservoir plan --out`): JSON with a top-level `format_version`.
fn is_saved_plan(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| v.get("format_version").is_some())
}

/// Why a file is not a receipt.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error("not JSON of a receipt")]
    Json(#[source] serde_json::Error),
    #[error("`customers` must be a list")]
    CustomersNotAList,
    #[error("expected a JSON object or list")]
    Shape,
}

/// The pure part of [`from_receipts`] for one file.
pub fn receipt_orders(text: &str, source: &str) -> Result<Vec<PlacedOrder>, ReceiptError> {
    let v: Value = serde_json::from_str(text).map_err(ReceiptError::Json)?;
    let customers = match v {
        Value::Array(items) => items,
        Value::Object(mut m) => match m.remove("customers") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(ReceiptError::CustomersNotAList),
            None => vec![Value::Object(m)],
        },
        _ => return Err(ReceiptError::Shape),
    };
    let mut out = Vec::new();
    for c in customers {
        let c: ReceiptCustomer = serde_json::from_value(c).map_err(ReceiptError::Json)?;
        for o in c.orders {
            if cancelled(o.status.as_deref()) {
                continue;
            }
            out.push(PlacedOrder {
                customer_id: c.customer_id.trim().to_ascii_lowercase(),
                order_id: o.order_id,
                placed_at: o.placed_at,
                source: source.to_string(),
                lines: o.lines.into_iter().map(PlacedLine::normalised).collect(),
            });
        }
    }
    Ok(out)
}

/// One entry per (customer, order): the first source wins; a later source only adds prices
/// (and a placement time) the first one lacks.
pub fn merge(sources: Vec<PlacedOrder>) -> Vec<PlacedOrder> {
    let mut out: Vec<PlacedOrder> = Vec::new();
    for o in sources {
        let Some(seen) = out.iter_mut().find(|x| {
            x.customer_id == o.customer_id && x.order_id.eq_ignore_ascii_case(&o.order_id)
        }) else {
            out.push(o);
            continue;
        };
        if seen.placed_at.is_none() {
            seen.placed_at = o.placed_at;
        }
        for l in &mut seen.lines {
            if let Some(other) = o
                .lines
                .iter()
                .find(|x| x.product_sku() == l.product_sku() && x.unit_price.is_some())
            {
                l.unit_price = l.unit_price.or(other.unit_price);
                l.currency = l.currency.clone().or(other.currency.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipts_folder_may_hold_the_saved_plan_but_not_other_json() {
        let dir = tempfile::tempdir().expect("tempdir");
        let receipt =
            r#"{"customers":[{"customer_id":"C1","orders":[{"order_id":"o1","lines":[]}]}]}"#;
        std::fs::write(dir.path().join("receipt.json"), receipt).expect("write");
        std::fs::write(
            dir.path().join("plan.json"),
            r#"{"format_version":"1","customers":[{"id":"c1"}],"rows":[]}"#,
        )
        .expect("write");
        let orders = from_receipts(dir.path()).expect("the plan is skipped");
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].order_id, "o1");

        std::fs::write(
            dir.path().join("other.json"),
            r#"{"customers":[{"id":"c1"}]}"#,
        )
        .expect("write");
        let err = from_receipts(dir.path()).expect_err("not a receipt");
        assert!(err.to_string().contains("other.json"), "{err}");
    }

    #[test]
    fn journal_checkout_results_become_orders_and_cancellations_drop_them() {
        let text = concat!(
            r#"{"type":"intent","at":"2026-01-02T00:00:00Z","intent_id":"i1","plan_hash":"h","lines":[],"create_request_id":"r"}"#,
            "\n",
            r#"{"type":"checkout_result","at":"2026-01-02T00:01:00Z","intent_id":"i1","cart_id":"c","orders":[{"order_id":"o1","lines":[{"line":0,"catalog_item_id":"P:0001:A","quantity":2}]},{"order_id":"o2","lines":[]}],"order_errors":[]}"#,
            "\n",
            r#"{"type":"order_settled","at":"2026-01-03T00:00:00Z","order_id":"o2","reason":"cancelled"}"#,
            "\n",
            r#"{"type":"checkout_res"#,
        );
        let records = crate::store::dir::journal::parse_records(Path::new("j"), text.as_bytes())
            .expect("parses, the torn tail skipped");
        let got = journal_orders("ABC", &records.records, "j");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].order_id, "o1");
        assert_eq!(got[0].customer_id, "abc");
        assert_eq!(got[0].lines[0].quantity, Decimal::from(2));
        assert_eq!(
            got[0].placed_at.map(|d| super::super::iso(&d)).as_deref(),
            Some("2026-01-02T00:01:00Z")
        );
    }

    #[test]
    fn receipts_take_the_documented_shapes() {
        let full = r#"{"customers":[{"customer_id":"C1","orders":[
            {"order_id":"o1","status":"placed","lines":[{"catalog_item_id":"P:1:A","quantity":1,"unit_price":"10.5"}]},
            {"order_id":"o2","status":"cancelled","lines":[]}]}]}"#;
        let got = receipt_orders(full, "r").expect("receipt");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].lines[0].unit_price, Some(Decimal::new(105, 1)));
        let camel = r#"[{"customerId":"C1","orders":[{"orderId":"o3","lines":[{"catalogItemId":"P:1:A","quantity":3}]}]}]"#;
        assert_eq!(receipt_orders(camel, "r").expect("array")[0].order_id, "o3");
        let single = r#"{"customer_id":"C1","orders":[]}"#;
        assert!(receipt_orders(single, "r").expect("single").is_empty());
        assert!(receipt_orders("[1]", "r").is_err());
    }

    #[test]
    fn merge_keeps_one_entry_and_borrows_prices() {
        let a = PlacedOrder {
            customer_id: "c".into(),
            order_id: "o".into(),
            placed_at: None,
            source: "journal".into(),
            lines: vec![PlacedLine::new("P:1:A", Decimal::ONE, None)],
        };
        let mut b = a.clone();
        b.source = "receipt".into();
        b.lines[0].unit_price = Some(Decimal::TEN);
        let got = merge(vec![a, b]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].source, "journal");
        assert_eq!(got[0].lines[0].unit_price, Some(Decimal::TEN));
    }
}
