//! A declared Azure savings plan after validation, and its hourly commitment as an exact amount
//! in thousandths of the currency unit per hour (the grain of the catalog's smallest minimum
//! commitment, `0.001`), so that owned, pending and declared commitments add up exactly and go
//! through the same "at least" arithmetic as units.

use super::desired::{Scope, SourceRef, Term};
use crate::prices::money::BillingPlan;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An hourly commitment in thousandths of the currency unit (`5.00` → 5000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HourlyCommitment(pub u32);

impl HourlyCommitment {
    /// Thousandths per unit.
    pub const GRAIN: u32 = 1000;

    /// The commitment of a decimal amount per hour: `None` when it is not positive, has more
    /// than three decimals, or is above what a `u32` of thousandths holds (4,294,967.295).
    pub fn from_decimal(d: Decimal) -> Option<Self> {
        if d <= Decimal::ZERO {
            return None;
        }
        let scaled = d * Decimal::from(Self::GRAIN);
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        use rust_decimal::prelude::ToPrimitive;
        scaled.to_u32().map(HourlyCommitment)
    }

    /// Reads a decimal text such as `5.00`, `0.05` (also `"5"`), leniently trimmed.
    pub fn parse(s: &str) -> Option<Self> {
        s.trim()
            .parse::<Decimal>()
            .ok()
            .and_then(Self::from_decimal)
    }

    /// The amount per hour as a decimal (`5.000`).
    pub fn amount(self) -> Decimal {
        Decimal::new(i64::from(self.0), 3)
    }

    /// `5.00`, `0.05`, `0.125`: at least two decimals, at most three.
    pub fn text(self) -> String {
        let whole = self.0 / Self::GRAIN;
        let milli = self.0 % Self::GRAIN;
        if milli.is_multiple_of(10) {
            format!("{whole}.{:02}", milli / 10)
        } else {
            format!("{whole}.{milli:03}")
        }
    }
}

/// The hourly commitment a savings-plan cart line buys, in its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseCommitment {
    pub hourly: HourlyCommitment,
    /// Upper-case ISO 4217 code.
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredSavingsPlan {
    pub name: String,
    /// Lower-case Azure plan subscription id.
    pub subscription_id: String,
    pub scope: Scope,
    /// Lower-case Azure subscription (entitlement) id, for `single` scope.
    pub entitlement_id: Option<String>,
    pub term: Term,
    pub billing: BillingPlan,
    pub hourly_commitment: HourlyCommitment,
    /// Upper-case ISO 4217 code.
    pub currency: String,
    pub source: SourceRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_ok: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_are_exact_thousandths() {
        assert_eq!(
            HourlyCommitment::parse("5.00"),
            Some(HourlyCommitment(5000))
        );
        assert_eq!(HourlyCommitment::parse("0.001"), Some(HourlyCommitment(1)));
        assert_eq!(
            HourlyCommitment::parse("12"),
            Some(HourlyCommitment(12_000))
        );
        assert_eq!(
            HourlyCommitment::parse("0.0005"),
            None,
            "finer than the grain"
        );
        assert_eq!(HourlyCommitment::parse("0"), None);
        assert_eq!(HourlyCommitment::parse("-1"), None);
        assert_eq!(HourlyCommitment::parse("5000000"), None, "too large");
        assert_eq!(HourlyCommitment::parse("many"), None);
        assert_eq!(HourlyCommitment(5000).text(), "5.00");
        assert_eq!(HourlyCommitment(50).text(), "0.05");
        assert_eq!(HourlyCommitment(125).text(), "0.125");
        assert_eq!(HourlyCommitment(5000).amount(), Decimal::new(5, 0));
    }
}
