//! Read-only lifecycle and billing views (docs/partner-center.md §10–§12, §14): orders, what
//! customers own and when it expires, invoices and their one-time line items, and the
//! reconciliation of one-time charges with the orders reservoir placed.
//!
//! Each view fetches through a [`crate::partner_center::Reader`] (it cannot write), builds a
//! serializable model (the `--format json` output, with stable snake_case field names) and a
//! [`crate::render::table::Table`] (text and CSV). The CLI files in `src/cli/` only parse
//! arguments, call these, print and pick the exit code.
//!
//! * [`connect`] — the client for `--endpoint` (the embedded sandbox or a URL).
//! * [`customers`] — which customers `--customer ID|NAME` selects.
//! * [`orders`], [`entitlements`], [`invoices`] — the views.
//! * [`placed`] — the orders reservoir placed, from the journal and `apply --receipt` files.
//! * [`reconcile`] — matching one-time charges with placed orders (pure).

pub mod customers;
pub mod entitlements;
pub mod invoices;
pub mod orders;
pub mod placed;
pub mod reconcile;
mod reconcile_text;

use crate::partner_center::ApiError;
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use rust_decimal::Decimal;
use std::path::PathBuf;

/// Output formats of the views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ViewFormat {
    /// Aligned plain-text tables.
    #[default]
    Text,
    /// Pretty JSON with stable field names.
    Json,
    /// CSV (RFC 4180), one header record.
    Csv,
}

/// Why a view could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("no customer matches {wanted:?}; {}", customers::hint(suggestion.as_deref()))]
    UnknownCustomer {
        wanted: String,
        /// The closest customer name, when one is close.
        suggestion: Option<String>,
    },
    #[error("customer name {name:?} is ambiguous: {ids}; give the customer id")]
    AmbiguousCustomer { name: String, ids: String },
    #[error("order {order} was not found for customer {customer}")]
    UnknownOrder { customer: String, order: String },
    #[error("{path}: {what}")]
    File {
        path: PathBuf,
        what: String,
        #[source]
        source: Option<std::io::Error>,
    },
    #[error("{path}: not a receipt")]
    NotAReceipt {
        path: PathBuf,
        #[source]
        source: placed::ReceiptError,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot read the purchase journal")]
    Journal(#[from] crate::store::JournalError),
}

impl ViewError {
    pub(crate) fn file(path: &std::path::Path, what: impl Into<String>) -> ViewError {
        ViewError::File {
            path: path.to_path_buf(),
            what: what.into(),
            source: None,
        }
    }
    pub(crate) fn io(path: &std::path::Path, what: &str, e: std::io::Error) -> ViewError {
        ViewError::File {
            path: path.to_path_buf(),
            what: what.to_owned(),
            source: Some(e),
        }
    }
}

/// Parses `--since`: a date (`2026-01-31`, midnight UTC) or an RFC 3339 timestamp.
pub fn parse_since(s: &str) -> Result<DateTime<Utc>, SinceError> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(dt) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(Utc.from_utc_datetime(&dt));
    }
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|source| SinceError {
            value: s.to_owned(),
            source,
        })
}

/// A `--since` value that is neither a date nor an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a date; use YYYY-MM-DD or an RFC 3339 timestamp")]
pub struct SinceError {
    value: String,
    #[source]
    source: chrono::ParseError,
}

/// An ISO 8601 timestamp (`2026-01-31T12:00:00Z`), for JSON and CSV.
pub fn iso(d: &DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An optional timestamp as ISO text, empty when absent.
pub fn iso_opt(d: Option<&DateTime<Utc>>) -> String {
    d.map(iso).unwrap_or_default()
}

/// The date part (`2026-01-31`), for text tables.
pub fn day(d: Option<&DateTime<Utc>>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Money with two decimals (`1234.50`), empty when absent.
pub fn money(d: Option<Decimal>) -> String {
    d.map(|d| format!("{:.2}", d.round_dp(2)))
        .unwrap_or_default()
}

/// Serializes an optional timestamp as ISO 8601 (`null` when absent).
pub(crate) mod iso_date {
    use chrono::{DateTime, Utc};
    use serde::Serializer;
    pub(crate) fn serialize<S: Serializer>(
        d: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::iso(d)),
            None => s.serialize_none(),
        }
    }
}

/// Prints a view: `json` as pretty JSON of `model`, otherwise the tables (text: each table
/// under its title, separated by blank lines; CSV: the first table only — views put everything
/// into one flat table for CSV) followed by text `notes`.
pub fn render<T: serde::Serialize>(
    format: ViewFormat,
    model: &T,
    tables: &[(&str, crate::render::table::Table)],
    notes: &[String],
) -> String {
    match format {
        ViewFormat::Json => {
            let mut s = serde_json::to_string_pretty(model)
                .unwrap_or_else(|e| format!("{{\"error\": \"cannot encode the output: {e}\"}}"));
            s.push('\n');
            s
        }
        ViewFormat::Csv => tables.first().map(|(_, t)| t.to_csv()).unwrap_or_default(),
        ViewFormat::Text => {
            let mut out = String::new();
            for (i, (title, t)) in tables.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                if !title.is_empty() {
                    out.push_str(title);
                    out.push('\n');
                }
                if t.is_empty() {
                    out.push_str("(none)\n");
                } else {
                    out.push_str(&t.to_text());
                }
            }
            for n in notes {
                out.push('\n');
                out.push_str(n);
                out.push('\n');
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_timestamps() {
        assert_eq!(
            iso(&parse_since("2026-02-03").expect("date")),
            "2026-02-03T00:00:00Z"
        );
        assert_eq!(
            iso(&parse_since("2026-02-03T10:00:00+02:00").expect("ts")),
            "2026-02-03T08:00:00Z"
        );
        assert!(parse_since("yesterday").is_err());
    }

    #[test]
    fn money_has_two_decimals() {
        assert_eq!(money(Some(Decimal::new(12345, 1))), "1234.50");
        assert_eq!(money(None), "");
    }
}
