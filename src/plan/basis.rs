//! The typed observations a plan row rests on: the subscription's state and the catalog item (or
//! the catalog's answer). Each is written in the JSON plan as the one string it always was —
//! `active/azure-plan/Registered`, `P:S:A min=1 max=100 inventory=available`, `not_found` — so
//! saved plans, fingerprints and the JSON stay identical, while code reads fields instead of
//! splitting strings.

use crate::manifest::SubscriptionKind;
use crate::plan::observed::{Registration, SubscriptionStatus};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A subscription as observed: `status/kind/registration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionBasis {
    pub status: SubscriptionStatus,
    pub kind: SubscriptionKind,
    pub registration: Registration,
}

impl fmt::Display for SubscriptionBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            SubscriptionKind::AzurePlan => "azure-plan",
            SubscriptionKind::Legacy => "legacy",
        };
        write!(
            f,
            "{}/{kind}/{}",
            self.status.as_str(),
            self.registration.as_str()
        )
    }
}

/// A subscription basis that does not read back (in a saved plan).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionBasisError {
    #[error("{0:?} is not status/kind/registration")]
    Shape(String),
    #[error("{0:?} is not a subscription kind")]
    Kind(String),
}

impl std::str::FromStr for SubscriptionBasis {
    type Err = SubscriptionBasisError;
    fn from_str(s: &str) -> Result<Self, SubscriptionBasisError> {
        let parts: Vec<&str> = s.split('/').collect();
        let [status, kind, registration] = parts[..] else {
            return Err(SubscriptionBasisError::Shape(s.to_owned()));
        };
        let kind = match kind {
            "azure-plan" => SubscriptionKind::AzurePlan,
            "legacy" => SubscriptionKind::Legacy,
            other => return Err(SubscriptionBasisError::Kind(other.to_owned())),
        };
        Ok(SubscriptionBasis {
            status: SubscriptionStatus::from_wire(status),
            kind,
            registration: Registration::from_wire(registration),
        })
    }
}

/// What the catalog said for a row: the item it resolved to (product, SKU, availability, and the
/// terms observed — quantities, inventory), or an outcome without an item (`not_found`,
/// `market_unavailable`, `needs_app_user`, `ambiguous`, `error (…)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogBasis {
    Item {
        product_id: String,
        sku_id: String,
        /// Availability ids rotate over time; `None` for holdings (product and SKU only).
        availability_id: Option<String>,
        /// The rest as observed, e.g. `min=1 max=100 inventory=available` (may be empty).
        terms: String,
    },
    Outcome(String),
}

impl CatalogBasis {
    /// Reads a basis as written (never fails: text that names no item is an outcome).
    pub fn from_text(s: &str) -> Self {
        match s.parse() {
            Ok(basis) => basis,
            Err(never) => match never {},
        }
    }

    /// The same basis without the availability id (which may rotate while the item stays the
    /// same).
    pub fn without_availability(&self) -> Self {
        match self {
            CatalogBasis::Item {
                product_id,
                sku_id,
                terms,
                ..
            } => CatalogBasis::Item {
                product_id: product_id.clone(),
                sku_id: sku_id.clone(),
                availability_id: None,
                terms: terms.clone(),
            },
            other => other.clone(),
        }
    }
}

impl fmt::Display for CatalogBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogBasis::Item {
                product_id,
                sku_id,
                availability_id,
                terms,
            } => {
                write!(f, "{product_id}:{sku_id}")?;
                if let Some(a) = availability_id {
                    write!(f, ":{a}")?;
                }
                if !terms.is_empty() {
                    write!(f, " {terms}")?;
                }
                Ok(())
            }
            CatalogBasis::Outcome(o) => f.write_str(o),
        }
    }
}

/// Text that names no item is an outcome, so reading a catalog basis never fails.
impl std::str::FromStr for CatalogBasis {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, terms) = s.split_once(' ').unwrap_or((s, ""));
        let parts: Vec<&str> = id.split(':').collect();
        Ok(match parts[..] {
            [p, k] if !p.is_empty() && !k.is_empty() => CatalogBasis::Item {
                product_id: p.to_owned(),
                sku_id: k.to_owned(),
                availability_id: None,
                terms: terms.to_owned(),
            },
            [p, k, a] if !p.is_empty() && !k.is_empty() => CatalogBasis::Item {
                product_id: p.to_owned(),
                sku_id: k.to_owned(),
                availability_id: Some(a.to_owned()),
                terms: terms.to_owned(),
            },
            _ => CatalogBasis::Outcome(s.to_owned()),
        })
    }
}

macro_rules! as_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

as_string!(SubscriptionBasis);
as_string!(CatalogBasis);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_round_trip_through_their_strings() {
        for s in [
            "active/azure-plan/Registered",
            "suspended/legacy/NotRegistered",
            "expired/azure-plan/Unknown",
        ] {
            let b: SubscriptionBasis = s.parse().expect(s);
            assert_eq!(b.to_string(), s);
        }
        assert!("active/azure-plan".parse::<SubscriptionBasis>().is_err());
        for s in [
            "DZH318Z0BQ3Q:0001:0002 min=1 max=100 inventory=available",
            "DZH318Z0BQ3Q:0001",
            "not_found",
            "error (reading the catalog failed: HTTP 503)",
        ] {
            let b: CatalogBasis = s.parse().expect(s);
            assert_eq!(b.to_string(), s);
            let json = serde_json::to_string(&b).expect("json");
            assert_eq!(json, serde_json::to_string(s).expect("json"));
        }
        let b: CatalogBasis = "P:S:A min=1".parse().expect("item");
        assert_eq!(b.without_availability().to_string(), "P:S min=1");
    }
}
