//! What cannot be undone once bought: one table, each rule with its source, read by the plan
//! (each purchase row lists the rules that concern it) and so by every renderer. Prose about
//! exchanges and refunds lives here and nowhere else.
//!
//! Sources: Microsoft's Azure reservations exchange and refund policy
//! (<https://learn.microsoft.com/azure/cost-management-billing/reservations/exchange-and-refund-azure-reservations>)
//! and the savings-plan pages (docs/partner-center.md, savings plans: "all savings plan purchases
//! are final" — the SKU lists a `Refund` action, but it is treated as non-refundable).

use super::PurchaseKey;
use crate::manifest::ReservationType;

/// Which purchases a rule concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concerns {
    /// Every reservation.
    Reservations,
    /// Reservations of these types only.
    ReservationTypes(&'static [ReservationType]),
    /// Every savings plan.
    SavingsPlans,
}

/// One thing that cannot be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub concerns: Concerns,
    /// What cannot be undone, as a row shows it.
    pub text: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

const EXCHANGE_POLICY: &str = "Azure reservations exchange and refund policy \
    (learn.microsoft.com/azure/cost-management-billing/reservations/exchange-and-refund-azure-reservations)";

/// The table.
pub const RULES: &[Rule] = &[
    Rule {
        concerns: Concerns::ReservationTypes(&[ReservationType::Vm]),
        text: "no exchange when bought on or after 2027-02-01 (a compute service Azure savings \
               plans cover)",
        source: EXCHANGE_POLICY,
    },
    Rule {
        concerns: Concerns::Reservations,
        text: "refunds capped at USD 50,000 per customer per rolling 12 months",
        source: EXCHANGE_POLICY,
    },
    Rule {
        concerns: Concerns::SavingsPlans,
        text: "final: a savings plan cannot be cancelled, exchanged or refunded",
        source: "Azure savings plan pages (learn.microsoft.com/azure/cost-management-billing/\
                 savings-plan/cancel-savings-plan: \"all savings plan purchases are final\")",
    },
];

impl Rule {
    /// Whether the rule concerns a purchase with this key.
    pub fn concerns(&self, key: &PurchaseKey) -> bool {
        match (self.concerns, key) {
            (Concerns::Reservations, PurchaseKey::Reservation { .. }) => true,
            (Concerns::SavingsPlans, PurchaseKey::SavingsPlan { .. }) => true,
            (
                Concerns::ReservationTypes(types),
                PurchaseKey::Reservation {
                    reservation_type, ..
                },
            ) => types.contains(reservation_type),
            _ => false,
        }
    }
}

/// The rules that concern a purchase, in table order.
pub fn rules_for(key: &PurchaseKey) -> Vec<&'static Rule> {
    RULES.iter().filter(|r| r.concerns(key)).collect()
}

/// The texts of the rules that concern a purchase.
pub fn cannot_undo(key: &PurchaseKey) -> Vec<String> {
    rules_for(key).iter().map(|r| r.text.to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{ReservationTarget, Scope, Term};

    fn reservation(t: ReservationType) -> PurchaseKey {
        PurchaseKey::Reservation {
            customer_id: "c".into(),
            subscription_id: "s".into(),
            reservation_type: t,
            target: ReservationTarget::Pinned {
                product_id: "P".into(),
                sku_id: "1".into(),
            },
            term: Term::P1Y,
            scope: Scope::Shared,
        }
    }

    #[test]
    fn each_rule_concerns_the_purchases_its_source_names() {
        assert_eq!(rules_for(&reservation(ReservationType::Vm)).len(), 2);
        let sql = cannot_undo(&reservation(ReservationType::Sql));
        assert_eq!(
            sql,
            vec![RULES[1].text.to_owned()],
            "SQL is not a savings-plan service"
        );
        let software = PurchaseKey::Software {
            customer_id: "c".into(),
            product_id: "P".into(),
            sku_id: "1".into(),
        };
        assert!(rules_for(&software).is_empty());
        let plan = PurchaseKey::SavingsPlan {
            customer_id: "c".into(),
            subscription_id: "s".into(),
            entitlement_id: None,
            scope: Scope::Shared,
            term: Term::P1Y,
            billing: crate::prices::money::BillingPlan::Upfront,
        };
        assert_eq!(cannot_undo(&plan), vec![RULES[2].text.to_owned()]);
        assert!(RULES.iter().all(|r| !r.source.is_empty()));
    }
}
