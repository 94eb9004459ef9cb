//! Wire types of Azure savings plans (docs/partner-center.md, savings plans): the SKU's
//! `minimumPurchaseCommitment` (its `amount` is a *string*), the `purchaseCommitment` of a cart or
//! order line, and the `lineItems` of a savings-plan subscription (`unitType: Benefit`). Read
//! leniently — amounts as strings or numbers, any case of `grain` — and checked for meaning by
//! the savings-plan kind, which turns an unusable value into an error, never a guess.

use super::common::{null_as_default, opt_decimal};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `minimumPurchaseCommitment` of a savings-plan SKU:
/// `{grain: "Hourly", currencyCode: {code: "USD"}, amount: "0.001"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct MinimumPurchaseCommitment {
    pub grain: Option<String>,
    pub currency_code: Option<CurrencyCode>,
    #[serde(deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
}

/// `{code: "USD"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct CurrencyCode {
    pub code: Option<String>,
}

/// `purchaseCommitment` of a cart or order line, or of a savings-plan subscription's line:
/// `{amount: 0.05, grain: "hourly", currency: "usd"}` (the amount a number or a string).
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PurchaseCommitment {
    #[serde(deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    pub grain: Option<String>,
    pub currency: Option<String>,
}

/// `purchaseCommitment` as sent on a cart line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseCommitmentRequest {
    /// The amount per `grain`, as a JSON number (`0.05`).
    #[serde(with = "rust_decimal::serde::float")]
    pub amount: Decimal,
    /// `hourly`.
    pub grain: String,
    /// Lower-case ISO 4217 code, as documented (`usd`).
    pub currency: String,
}

/// One of a savings-plan subscription's `lineItems`: `{scope, purchaseCommitment, status}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionLineItem {
    pub scope: Option<String>,
    pub purchase_commitment: Option<PurchaseCommitment>,
    pub status: Option<String>,
    /// The subscription (entitlement) a `single`-scope plan applies to, when given.
    pub entitlement_id: Option<String>,
}

/// The `lineItems` of a subscription (empty for every subscription but savings plans).
pub fn line_items<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<SubscriptionLineItem>, D::Error> {
    null_as_default(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_string_minimum_and_number_commitments_parse() {
        let m: MinimumPurchaseCommitment = serde_json::from_value(
            json!({ "grain": "Hourly", "currencyCode": { "code": "USD" }, "amount": "0.001" }),
        )
        .expect("minimum");
        assert_eq!(m.amount, Some(Decimal::new(1, 3)));
        let c: PurchaseCommitment =
            serde_json::from_value(json!({ "amount": 0.05, "grain": "hourly", "currency": "usd" }))
                .expect("commitment");
        assert_eq!(c.amount, Some(Decimal::new(5, 2)));
        let sent = serde_json::to_value(PurchaseCommitmentRequest {
            amount: Decimal::new(5, 2),
            grain: "hourly".into(),
            currency: "usd".into(),
        })
        .expect("json");
        assert_eq!(
            sent,
            json!({ "amount": 0.05, "grain": "hourly", "currency": "usd" })
        );
    }
}
