//! Money on plan rows: what one purchase commits ([`RowMoney`]), totals kept per currency
//! ([`Totals`]: amounts in different currencies are never added), and how amounts are written
//! (`USD 41,280.00`). Every figure here is an estimate from the price sheet; the binding price is
//! the order's, recorded in the receipt after checkout.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a purchase is paid: the whole term up front, or in equal monthly instalments.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BillingPlan {
    /// The whole term is paid at purchase (billing cycle `one_time`).
    #[default]
    Upfront,
    /// The same total, paid in equal monthly instalments over the term (billing cycle `monthly`).
    Monthly,
}

impl BillingPlan {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingPlan::Upfront => "upfront",
            BillingPlan::Monthly => "monthly",
        }
    }

    /// The cart line's `billingCycle`: `one_time` or `monthly`.
    pub fn wire_cycle(self) -> &'static str {
        match self {
            BillingPlan::Upfront => "one_time",
            BillingPlan::Monthly => "monthly",
        }
    }

    /// The plan a wire billing cycle stands for (`one_time` → upfront, `monthly` → monthly).
    pub fn from_wire_cycle(cycle: &str) -> Option<BillingPlan> {
        match cycle.to_ascii_lowercase().replace('_', "").as_str() {
            "onetime" => Some(BillingPlan::Upfront),
            "monthly" => Some(BillingPlan::Monthly),
            _ => None,
        }
    }
}

/// The price of a purchase row, or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "price", rename_all = "snake_case")]
pub enum RowMoney {
    /// Estimated from the price sheet.
    Known {
        /// One unit for the whole term.
        unit_price: Decimal,
        currency: String,
        billing: BillingPlan,
        /// quantity × unit price: what the purchase commits over its term.
        commitment: Decimal,
        /// The commitment spread over the term's months, when billed monthly.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        monthly: Option<Decimal>,
        /// Months in the term, when the item has a term.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        months: Option<u32>,
    },
    Unknown {
        billing: BillingPlan,
        /// Why there is no price (no access, 403/800043, not in the sheet…).
        reason: String,
    },
}

impl RowMoney {
    /// A known price: `quantity` × `unit_price`; per month over `months` when billed monthly.
    pub fn known(
        unit_price: Decimal,
        currency: &str,
        quantity: u32,
        billing: BillingPlan,
        months: Option<u32>,
    ) -> Self {
        let commitment = unit_price * Decimal::from(quantity);
        let monthly = match (billing, months) {
            (BillingPlan::Monthly, Some(m)) if m > 0 => Some(
                (commitment / Decimal::from(m))
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
            ),
            _ => None,
        };
        RowMoney::Known {
            unit_price,
            currency: currency.to_owned(),
            billing,
            commitment,
            monthly,
            months,
        }
    }

    /// The same price for `quantity` units instead of the `row_quantity` it was computed for.
    pub fn for_quantity(&self, row_quantity: u32, quantity: u32) -> RowMoney {
        match self {
            RowMoney::Known {
                unit_price,
                currency,
                billing,
                months,
                ..
            } if row_quantity != quantity => {
                RowMoney::known(*unit_price, currency, quantity, *billing, *months)
            }
            other => other.clone(),
        }
    }

    /// The commitment and its currency, when known.
    pub fn commitment(&self) -> Option<(&str, Decimal)> {
        match self {
            RowMoney::Known {
                currency,
                commitment,
                ..
            } => Some((currency, *commitment)),
            RowMoney::Unknown { .. } => None,
        }
    }

    /// The row's money in words: `USD 1,042.80 (2 × USD 521.40, upfront)`, `USD 3,179.40
    /// (3 × USD 1,059.80; monthly USD 88.32)`, `price unknown: <reason>`.
    pub fn describe(&self) -> String {
        match self {
            RowMoney::Known {
                unit_price,
                currency,
                billing,
                commitment,
                monthly,
                ..
            } => {
                let qty = if unit_price.is_zero() {
                    Decimal::ZERO
                } else {
                    *commitment / *unit_price
                };
                let each = format_amount(currency, *unit_price);
                match monthly {
                    Some(m) => format!(
                        "{} ({} × {each}; monthly {})",
                        format_amount(currency, *commitment),
                        qty.normalize(),
                        format_amount(currency, *m)
                    ),
                    None => format!(
                        "{} ({} × {each}, {})",
                        format_amount(currency, *commitment),
                        qty.normalize(),
                        billing.as_str()
                    ),
                }
            }
            RowMoney::Unknown { reason, .. } => format!("price unknown: {reason}"),
        }
    }
}

/// What an order line says it costs (`pricing` of the order line, the order's `currencyCode`):
/// the binding price, recorded in the receipt next to the plan's estimate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPrice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `pricing.price` (else `discountedPrice`, else `listPrice`): one unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Decimal>,
    /// `pricing.extendedPrice`: the line's total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_price: Option<Decimal>,
}

impl OrderPrice {
    /// `USD 1,042.80` (the extended price), or the unit price, or `no price`.
    pub fn describe(&self) -> String {
        let cur = self.currency.as_deref().unwrap_or("");
        match (self.extended_price, self.unit_price) {
            (Some(e), _) => format_amount(cur, e).trim().to_owned(),
            (None, Some(u)) => format!("{} each", format_amount(cur, u).trim()),
            (None, None) => "no price".to_owned(),
        }
    }
}

/// An amount in a currency: a money limit (`limits.max_commitment`, `--max-commitment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: Decimal,
    /// ISO 4217 code, upper-case.
    pub currency: String,
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_amount(&self.currency, self.amount))
    }
}

/// Text that is not a money limit.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoneyError {
    #[error("{text:?} is not an amount with an optional currency, e.g. 250000USD")]
    NotAnAmount {
        text: String,
        #[source]
        source: rust_decimal::Error,
    },
    #[error("{text:?}: the amount must be positive")]
    NotPositive { text: String },
}

impl Money {
    /// Parses `AMOUNT[CUR]`: `250000`, `250000USD`, `250000 EUR`, `USD 250000` (thousands
    /// separators `,` or `_` allowed). Without a currency the amount is in USD (the currency of
    /// Azure-plan prices). The amount must be positive.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        let is_code = |s: &str| s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic());
        let (number, currency) = if t.len() > 3 && is_code(&t[t.len() - 3..]) {
            (&t[..t.len() - 3], t[t.len() - 3..].to_ascii_uppercase())
        } else if t.len() > 3 && is_code(&t[..3]) {
            (&t[3..], t[..3].to_ascii_uppercase())
        } else {
            (t, "USD".to_owned())
        };
        let digits: String = number
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '_')
            .collect();
        let amount = digits
            .parse::<Decimal>()
            .map_err(|source| MoneyError::NotAnAmount {
                text: text.to_owned(),
                source,
            })?;
        if amount <= Decimal::ZERO {
            return Err(MoneyError::NotPositive {
                text: text.to_owned(),
            });
        }
        Ok(Money { amount, currency })
    }
}

/// Amounts per currency (upper-case code), plus how many rows had no price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_currency: BTreeMap<String, Decimal>,
    /// Purchase rows whose price is unknown (their commitment is in no total).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unpriced: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Totals {
    /// Adds a row's money.
    pub fn add(&mut self, money: &RowMoney) {
        match money.commitment() {
            Some((cur, amount)) => {
                *self.by_currency.entry(cur.to_owned()).or_default() += amount;
            }
            None => self.unpriced = self.unpriced.saturating_add(1),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_currency.is_empty() && self.unpriced == 0
    }

    /// `USD 41,280.00, EUR 950.00` (and `+ 1 row without a price`), or `unknown (2 rows without
    /// a price)`.
    pub fn describe(&self) -> String {
        let amounts: Vec<String> = self
            .by_currency
            .iter()
            .map(|(c, a)| format_amount(c, *a))
            .collect();
        let unpriced = match self.unpriced {
            0 => String::new(),
            1 => "1 row without a price".to_owned(),
            n => format!("{n} rows without a price"),
        };
        match (amounts.is_empty(), unpriced.is_empty()) {
            (_, true) => amounts.join(", "),
            (true, false) => format!("unknown ({unpriced})"),
            (false, false) => format!("{} + {unpriced}", amounts.join(", ")),
        }
    }
}

/// `USD 41,280.00`: the code, thousands separated, two decimals (none for JPY).
pub fn format_amount(currency: &str, amount: Decimal) -> String {
    let dp = if currency.eq_ignore_ascii_case("JPY") {
        0
    } else {
        2
    };
    let v = amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", dp as usize, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if v.is_sign_negative() && !v.is_zero() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{currency} {sign}{grouped}")
    } else {
        format!("{currency} {sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn amounts_are_grouped_and_rounded() {
        assert_eq!(format_amount("USD", d("41280")), "USD 41,280.00");
        assert_eq!(format_amount("EUR", d("1234567.891")), "EUR 1,234,567.89");
        assert_eq!(format_amount("JPY", d("150000.4")), "JPY 150,000");
        assert_eq!(format_amount("USD", d("0.5")), "USD 0.50");
    }

    #[test]
    fn totals_never_add_currencies_and_count_unknown_prices() {
        let mut t = Totals::default();
        t.add(&RowMoney::known(
            d("100"),
            "USD",
            3,
            BillingPlan::Upfront,
            Some(12),
        ));
        t.add(&RowMoney::known(
            d("10"),
            "EUR",
            1,
            BillingPlan::Upfront,
            Some(12),
        ));
        t.add(&RowMoney::known(
            d("0.5"),
            "USD",
            2,
            BillingPlan::Upfront,
            None,
        ));
        assert_eq!(t.describe(), "EUR 10.00, USD 301.00");
        t.add(&RowMoney::Unknown {
            billing: BillingPlan::Upfront,
            reason: "x".into(),
        });
        assert_eq!(
            t.describe(),
            "EUR 10.00, USD 301.00 + 1 row without a price"
        );
    }

    #[test]
    fn monthly_billing_spreads_the_commitment() {
        let m = RowMoney::known(d("1059.80"), "USD", 3, BillingPlan::Monthly, Some(36));
        assert_eq!(
            m.describe(),
            "USD 3,179.40 (3 × USD 1,059.80; monthly USD 88.32)"
        );
        let u = RowMoney::known(d("521.40"), "USD", 2, BillingPlan::Upfront, Some(12));
        assert_eq!(u.describe(), "USD 1,042.80 (2 × USD 521.40, upfront)");
    }
}
