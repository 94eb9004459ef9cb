//! Renewals: when a holding expires, whether it falls within an item's `renew_before` window (then
//! it no longer counts as owned and the shortfall is a `renew`), and the words that name it. A kind
//! opts in through [`super::Purchasable::renew_before`]; kinds without expiring holdings keep the
//! default (`None`), so their holdings always count.
//!
//! Partner Center has no in-place renewal for CSP reservations in the API reference: a renewal is a
//! new order for the same item, bought before the old units lapse.

use crate::manifest::RenewBefore;
use crate::plan::Holding;
use chrono::{DateTime, Datelike, Utc};

/// Without `renew_before`, plan warns about holdings that expire within this many days.
pub const WARN_WITHIN_DAYS: i64 = 60;

/// When a holding expires: its `expiryDate`, unless absent or .NET's "never"
/// (`0001-01-01T00:00:00`, perpetual software).
pub fn expiry_of(h: &Holding) -> Option<DateTime<Utc>> {
    let d = DateTime::parse_from_rfc3339(h.expiry.as_deref()?).ok()?;
    let d = d.with_timezone(&Utc);
    (d.year() > 1900).then_some(d)
}

/// Matched holdings of one item that expire soon, in the order they were matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpiringUnits {
    /// `(order id, units, expiry)` per holding.
    pub holdings: Vec<(String, u32, DateTime<Utc>)>,
}

impl ExpiringUnits {
    /// Units in total.
    pub fn units(&self) -> u32 {
        self.holdings
            .iter()
            .map(|(_, q, _)| *q)
            .fold(0u32, u32::saturating_add)
    }

    pub fn is_empty(&self) -> bool {
        self.holdings.is_empty()
    }

    /// The earliest expiry.
    pub fn first_expiry(&self) -> Option<DateTime<Utc>> {
        self.holdings.iter().map(|(_, _, e)| *e).min()
    }

    fn push(&mut self, h: &Holding, expiry: DateTime<Utc>) {
        self.holdings.push((h.order_id.clone(), h.quantity, expiry));
    }

    /// `2 units of order 1a2b… expiring 2026-12-19, 1 unit of order … expiring …`.
    pub fn describe(&self) -> String {
        self.holdings
            .iter()
            .map(|(order, q, e)| {
                format!(
                    "{} of order {order} expiring {}",
                    crate::plan::model::plural(*q, "unit", "units"),
                    e.format("%Y-%m-%d")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where a matched holding stands with respect to renewal at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Counts as owned, no expiry in sight.
    Owned,
    /// Counts as owned, but expires within [`WARN_WITHIN_DAYS`] (no `renew_before` given).
    ExpiresSoon(DateTime<Utc>),
    /// Expires within the item's `renew_before` window: not owned, to be renewed.
    Renew(DateTime<Utc>),
}

/// The standing of holding `h` for an item with renewal window `window`, at `now` (`None`: the
/// observation did not say when it was made, so nothing is treated as expiring).
pub fn standing(h: &Holding, window: Option<RenewBefore>, now: Option<DateTime<Utc>>) -> Standing {
    let (Some(now), Some(expiry)) = (now, expiry_of(h)) else {
        return Standing::Owned;
    };
    let left = expiry - now;
    match window {
        Some(w) => {
            let w = chrono::Duration::seconds(i64::try_from(w.seconds).unwrap_or(i64::MAX / 2));
            if left <= w {
                Standing::Renew(expiry)
            } else {
                Standing::Owned
            }
        }
        None if left <= chrono::Duration::days(WARN_WITHIN_DAYS) => Standing::ExpiresSoon(expiry),
        None => Standing::Owned,
    }
}

/// What the matched holdings of an item come to: units that count as owned, units to renew and
/// units that expire soon without a renewal window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    pub owned: u32,
    pub renew: ExpiringUnits,
    pub expiring_soon: ExpiringUnits,
}

impl Counted {
    /// Counts holding `h` by its [`standing`].
    pub fn add(&mut self, h: &Holding, standing: Standing) {
        match standing {
            Standing::Owned => self.owned = self.owned.saturating_add(h.quantity),
            Standing::ExpiresSoon(e) => {
                self.owned = self.owned.saturating_add(h.quantity);
                self.expiring_soon.push(h, e);
            }
            Standing::Renew(e) => self.renew.push(h, e),
        }
    }
}

/// The reason on a `renew` row.
pub fn renew_reason(renew: &ExpiringUnits, window: Option<RenewBefore>) -> String {
    let window = window
        .map(|w| format!(" (renew_before {w})"))
        .unwrap_or_default();
    format!(
        "{} no longer count as owned{window}: a new order replaces them before they lapse",
        renew.describe()
    )
}

/// The customer note for an item whose holdings expire soon and that has no `renew_before`.
pub fn expiry_warning(item: &str, soon: &ExpiringUnits, now: Option<DateTime<Utc>>) -> String {
    let days = match (soon.first_expiry(), now) {
        (Some(e), Some(n)) => format!(" (in {} days)", (e - n).num_days().max(0)),
        _ => String::new(),
    };
    format!(
        "{item}: {}{days}; add `renew_before` (e.g. 30d) to renew them before the gap opens.",
        soon.describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::HoldingKind;

    fn holding(expiry: Option<&str>) -> Holding {
        Holding {
            kind: HoldingKind::Software,
            product_id: "P".into(),
            sku_id: "S".into(),
            quantity: 2,
            order_id: "o1".into(),
            expiry: expiry.map(str::to_owned),
            title: None,
        }
    }

    fn at(s: &str) -> Option<DateTime<Utc>> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
    }

    #[test]
    fn a_window_decides_renewal_and_sixty_days_decide_the_warning() {
        let now = at("2026-11-29T00:00:00Z");
        let h = holding(Some("2026-12-19T00:00:00Z"));
        let w30 = Some(RenewBefore {
            seconds: 30 * 86_400,
        });
        let w10 = Some(RenewBefore {
            seconds: 10 * 86_400,
        });
        assert_eq!(
            standing(&h, w30, now),
            Standing::Renew(at("2026-12-19T00:00:00Z").unwrap())
        );
        assert_eq!(standing(&h, w10, now), Standing::Owned);
        assert!(matches!(standing(&h, None, now), Standing::ExpiresSoon(_)));
        assert_eq!(standing(&h, w30, None), Standing::Owned);
        let far = holding(Some("2027-06-01T00:00:00Z"));
        assert_eq!(standing(&far, None, now), Standing::Owned);
        let never = holding(Some("0001-01-01T00:00:00Z"));
        assert_eq!(standing(&never, w30, now), Standing::Owned);
        assert_eq!(standing(&holding(None), w30, now), Standing::Owned);
    }

    #[test]
    fn counted_units_and_words() {
        let now = at("2026-11-29T00:00:00Z");
        let h = holding(Some("2026-12-19T00:00:00Z"));
        let mut c = Counted::default();
        c.add(&h, standing(&h, None, now));
        assert_eq!(c.owned, 2);
        assert_eq!(
            expiry_warning("web", &c.expiring_soon, now),
            "web: 2 units of order o1 expiring 2026-12-19 (in 20 days); add `renew_before` \
             (e.g. 30d) to renew them before the gap opens."
        );
        let w = Some(RenewBefore {
            seconds: 30 * 86_400,
        });
        let mut r = Counted::default();
        r.add(&h, standing(&h, w, now));
        assert_eq!((r.owned, r.renew.units()), (0, 2));
        assert_eq!(
            renew_reason(&r.renew, w),
            "2 units of order o1 expiring 2026-12-19 no longer count as owned (renew_before \
             30d): a new order replaces them before they lapse"
        );
    }
}
