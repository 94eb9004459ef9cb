//! Shared wire shapes and lenient deserialization helpers (docs/partner-center.md §1):
//! links, collections, resource attributes, case/underscore-insensitive enums with an
//! `Unknown(String)` fallback, numbers that may arrive as strings, and dates that may carry no
//! zone (UTC) or be .NET's minimum value (none).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::str::FromStr;

/// A header listed in a link (`{ "key": ..., "value": ... }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

/// A hypermedia link. `uri` is usually relative and lacks `/v1` (see [`crate::partner_center::paging::resolve_link`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Link {
    pub uri: String,
    pub method: Option<String>,
    pub headers: Vec<KeyValue>,
}

/// The `links` object of a resource or collection; unknown link names land in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_link: Option<Link>,
    pub next: Option<Link>,
    pub previous: Option<Link>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

impl Links {
    /// A link by name (`self`, `next`, `previous`, or any other such as `skus`,
    /// `provisioningStatus`), matched case-insensitively.
    pub fn get(&self, name: &str) -> Option<Link> {
        match name.to_ascii_lowercase().as_str() {
            "self" => return self.self_link.clone(),
            "next" => return self.next.clone(),
            "previous" => return self.previous.clone(),
            _ => {}
        }
        self.other
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| serde_json::from_value(v.clone()).ok())
    }
}

/// `attributes` of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Attributes {
    pub object_type: Option<String>,
    pub etag: Option<String>,
}

/// A collection page. Never drive paging from `total_count` (§1).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", bound = "T: Deserialize<'de>")]
pub struct Collection<T> {
    #[serde(default)]
    pub total_count: Option<Value>,
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub items: Vec<T>,
    #[serde(default)]
    pub links: Option<Links>,
    #[serde(default)]
    pub continuation_token: Option<String>,
}

/// `{ "id": ..., "displayName": ..., "subType"? }` (product type, subscription product type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemType {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub sub_type: Option<Box<ItemType>>,
}

/// Treats JSON `null` as the type's default (for lists and maps).
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Folds an enum spelling for comparison: lower case, without `_`, `-` and spaces, so
/// `one_time`, `OneTime` and `onetime` compare equal.
pub fn fold_enum(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Declares a string enum that parses leniently (case- and underscore-insensitive, integers
/// and unrecognised strings become `Unknown`) and serializes to its canonical wire spelling.
macro_rules! lenient_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this client does not know (kept verbatim).
            Unknown(String),
        }

        impl $name {
            /// The canonical wire spelling.
            $vis fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s.as_str(),
                }
            }

            /// Parses any spelling; never fails.
            $vis fn parse(s: &str) -> Self {
                let folded = $crate::partner_center::wire::common::fold_enum(s);
                $(if folded == $crate::partner_center::wire::common::fold_enum($wire) {
                    return Self::$variant;
                })+
                Self::Unknown(s.to_string())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = serde_json::Value::deserialize(d)?;
                Ok(match v {
                    serde_json::Value::String(s) => Self::parse(&s),
                    other => Self::Unknown(other.to_string()),
                })
            }
        }
    };
}
pub(crate) use lenient_enum;

/// A JSON value that is not what a lenient field reads (the message serde reports, with its
/// cause, through [`de_error`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// A JSON number out of a decimal's range or precision.
    #[error("number {number}")]
    Number {
        number: String,
        #[source]
        source: rust_decimal::Error,
    },
    #[error("expected a number, got the string {0:?}")]
    NumericString(String),
    #[error("expected a number, got {0}")]
    NotANumber(String),
    #[error("not a date-time: {0:?}")]
    NotADate(String),
}

/// A serde error carrying `e` and its causes (serde's custom errors hold a message only).
fn de_error<E: serde::de::Error>(e: ValueError) -> E {
    E::custom(crate::error_chain::one_line(&e))
}

fn value_to_decimal(v: &Value) -> Option<Result<Decimal, ValueError>> {
    match v {
        Value::Null => None,
        Value::Number(n) => Some(Decimal::from_str(&n.to_string()).or_else(|_| {
            Decimal::from_scientific(&n.to_string()).map_err(|source| ValueError::Number {
                number: n.to_string(),
                source,
            })
        })),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(
            Decimal::from_str(s.trim())
                .or_else(|_| Decimal::from_scientific(s.trim()))
                .map_err(|_| ValueError::NumericString(s.clone())),
        ),
        other => Some(Err(ValueError::NotANumber(other.to_string()))),
    }
}

/// `Option<Decimal>` from a JSON number, a numeric string, an empty string or null.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let v = Value::deserialize(d)?;
    value_to_decimal(&v).transpose().map_err(de_error)
}

/// `Option<i64>` from a JSON number, a numeric string (`"25"`, `"25.0"`), an empty string or null.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    match value_to_decimal(&v).transpose().map_err(de_error)? {
        None => Ok(None),
        Some(dec) if dec.fract().is_zero() => i64::try_from(dec)
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("integer out of range: {dec}"))),
        Some(dec) => Err(serde::de::Error::custom(format!(
            "expected a whole number, got {dec}"
        ))),
    }
}

/// `Option<String>` from a string, a number (error `code`s arrive as either) or null.
pub fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// Parses a Partner Center date: RFC 3339 with `Z` or offset, or zone-less (taken as UTC), or a
/// bare date. `0001-01-01…` (.NET's minimum, meaning "never") gives `Ok(None)`.
pub fn parse_date(s: &str) -> Result<Option<DateTime<Utc>>, ValueError> {
    // A documented example writes `2023-05-18TT21:22:26`: the doubled `T` is read as one.
    let fixed = s.trim().replacen("TT", "T", 1);
    let s = fixed.as_str();
    if s.is_empty() || s.starts_with("0001-01-01") {
        return Ok(None);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    if let Ok(ndt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(Some(ndt.and_utc()));
    }
    if let Ok(ndt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        return Ok(Some(ndt.and_utc()));
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).map(|d| d.and_utc()));
    }
    Err(ValueError::NotADate(s.to_owned()))
}

/// Serde adapter for [`parse_date`] on `Option<DateTime<Utc>>` fields.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => parse_date(&s).map_err(de_error),
        other => Err(serde::de::Error::custom(format!(
            "expected a date-time string, got {other}"
        ))),
    }
}

/// Rewrites PascalCase object keys to camelCase (first letter lowered when followed by a lower
/// case letter), recursively, so `"LineItems"` and `"lineItems"` read the same. Keys that are not
/// PascalCase words (`MS-…`, `ID`) are left alone.
pub fn normalize_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (camel_key(k), normalize_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize_keys).collect()),
        other => other,
    }
}

fn camel_key(k: String) -> String {
    let mut chars = k.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase() => {
            let mut out = String::with_capacity(k.len());
            out.push(a.to_ascii_lowercase());
            out.push_str(&k[1..]);
            out
        }
        _ => k,
    }
}

/// Echoed headers may repeat a value comma-joined (`id,id`): the first non-empty element.
pub fn first_header_value(raw: &str) -> Option<&str> {
    raw.split(',').map(str::trim).find(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike};

    lenient_enum! {
        enum Cycle { OneTime => "one_time", Monthly => "monthly" }
    }

    #[test]
    fn a_number_no_decimal_holds_keeps_the_decimal_error_as_its_cause() {
        let e = value_to_decimal(&serde_json::json!(1e30))
            .expect("a value")
            .expect_err("beyond a decimal's range");
        let cause = std::error::Error::source(&e).expect("a cause");
        assert!(cause.is::<rust_decimal::Error>(), "{cause}");
        // serde's error (a message only) carries the cause's text too.
        #[derive(Debug, serde::Deserialize)]
        struct Amount {
            #[serde(deserialize_with = "opt_decimal")]
            #[allow(dead_code)]
            amount: Option<Decimal>,
        }
        let de = serde_json::from_value::<Amount>(serde_json::json!({ "amount": 1e30 }))
            .expect_err("refused");
        assert!(de.to_string().starts_with("number 1e+30: "), "{de}");
        assert!(de.to_string().contains(&cause.to_string()), "{de}");
    }

    #[test]
    fn enums_fold_case_and_underscores_and_keep_unknown() {
        for s in ["one_time", "OneTime", "onetime", "ONE_TIME"] {
            let c: Cycle = serde_json::from_value(Value::String(s.into())).unwrap();
            assert_eq!(c, Cycle::OneTime, "{s}");
        }
        let c: Cycle = serde_json::from_str("\"biennial\"").unwrap();
        assert_eq!(c, Cycle::Unknown("biennial".into()));
        assert_eq!(
            serde_json::to_string(&Cycle::OneTime).unwrap(),
            "\"one_time\""
        );
        let c: Cycle = serde_json::from_str("4").unwrap();
        assert_eq!(c, Cycle::Unknown("4".into()));
    }

    #[test]
    fn dates_zoneless_offset_and_min_value() {
        let d = parse_date("2018-03-16T00:00:00").unwrap().unwrap();
        assert_eq!((d.year(), d.month(), d.day(), d.hour()), (2018, 3, 16, 0));
        let d = parse_date("2018-03-16T00:00:00-08:00").unwrap().unwrap();
        assert_eq!(d.hour(), 8);
        let d = parse_date("2019-05-02T19:29:59.1234567Z").unwrap().unwrap();
        assert_eq!(d.second(), 59);
        assert_eq!(parse_date("0001-01-01T00:00:00").unwrap(), None);
        assert_eq!(
            parse_date("yesterday"),
            Err(ValueError::NotADate("yesterday".into()))
        );
    }

    #[test]
    fn numbers_as_strings() {
        #[derive(Deserialize)]
        struct N {
            #[serde(default, deserialize_with = "opt_decimal")]
            price: Option<Decimal>,
            #[serde(default, deserialize_with = "opt_i64")]
            qty: Option<i64>,
        }
        let n: N = serde_json::from_str(r#"{"price":"16.50","qty":"25"}"#).unwrap();
        assert_eq!(n.price, Some(Decimal::from_str("16.50").unwrap()));
        assert_eq!(n.qty, Some(25));
        let n: N = serde_json::from_str(r#"{"price":751094.39,"qty":3}"#).unwrap();
        assert_eq!(n.price, Some(Decimal::from_str("751094.39").unwrap()));
        let n: N = serde_json::from_str(r#"{"price":"","qty":null}"#).unwrap();
        assert_eq!((n.price, n.qty), (None, None));
        assert!(serde_json::from_str::<N>(r#"{"qty":"abc"}"#).is_err());
    }

    #[test]
    fn pascal_keys_are_camelized_but_not_acronyms() {
        let v = normalize_keys(
            serde_json::json!({"LineItems":[{"CatalogItemId":"x"}],"ID":1,"MS-X":2}),
        );
        assert_eq!(
            v,
            serde_json::json!({"lineItems":[{"catalogItemId":"x"}],"ID":1,"MS-X":2})
        );
    }

    #[test]
    fn links_by_name() {
        let l: Links = serde_json::from_value(serde_json::json!({
            "self": {"uri": "/a"}, "skus": {"uri": "/products/P/skus?country=US", "method": "GET", "headers": []}
        }))
        .unwrap();
        assert_eq!(l.get("self").map(|x| x.uri), Some("/a".to_string()));
        assert_eq!(
            l.get("SKUS").map(|x| x.uri),
            Some("/products/P/skus?country=US".to_string())
        );
        assert_eq!(l.get("next"), None);
    }

    #[test]
    fn comma_joined_header() {
        assert_eq!(first_header_value("abc, abc"), Some("abc"));
        assert_eq!(first_header_value("abc"), Some("abc"));
        assert_eq!(first_header_value(" , "), None);
    }
}
