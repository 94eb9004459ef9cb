//! Savings plans the customer holds, from the subscriptions `observe` already lists: each active
//! subscription with `unitType: Benefit` (or the savings-plan product's offer) is one holding
//! whose quantity is the sum of its active `lineItems[].purchaseCommitment` amounts, in
//! thousandths per hour. Values are read leniently by the wire types and checked here: a term,
//! billing cycle, grain, currency or amount that cannot be read with certainty is an error
//! naming the subscription and the field, so the customer buys nothing rather than guessing.

use super::{PRODUCT_ID, SavingsPlanAttribution};
use crate::kinds::HoldingKind;
use crate::manifest::{HourlyCommitment, Scope};
use crate::observe::wire_values::{scope_from_wire, term_from_wire};
use crate::partner_center::wire::Subscription;
use crate::plan::Holding;
use crate::prices::money::BillingPlan;
use chrono::SecondsFormat;

/// A savings-plan subscription whose field cannot be read with certainty: the customer buys
/// nothing until it can.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "GET /v1/customers/{customer_id}/subscriptions: savings-plan subscription {subscription_id} \
     {field} {problem}; nothing is bought for this customer until it can be read"
)]
pub struct UnreadableSavingsPlan {
    pub customer_id: String,
    pub subscription_id: String,
    /// E.g. `termDuration`, `lineItems[0]`.
    pub field: String,
    /// E.g. `is "PY", not a term`.
    pub problem: String,
}

/// Whether a listed subscription is a savings plan.
pub fn is_savings_plan(s: &Subscription) -> bool {
    s.unit_type
        .as_deref()
        .is_some_and(|u| u.trim().eq_ignore_ascii_case("Benefit"))
        || s.offer_id
            .as_deref()
            .is_some_and(|o| o.trim().to_ascii_uppercase().starts_with(PRODUCT_ID))
}

fn active(status: Option<&str>) -> bool {
    status.is_none_or(|s| s.trim().eq_ignore_ascii_case("active"))
}

/// The customer's savings-plan holdings among its subscriptions, or the first one that cannot
/// be read with certainty (`GET /v1/customers/{id}/subscriptions: subscription S …`).
pub fn holdings(
    customer_id: &str,
    subs: &[Subscription],
) -> Result<Vec<Holding>, UnreadableSavingsPlan> {
    let mut out = Vec::new();
    for s in subs.iter().filter(|s| is_savings_plan(s)) {
        let status = s.status.as_ref().map(|st| st.as_str().to_owned());
        if !active(status.as_deref()) {
            continue;
        }
        let bad = |field: &str, problem: String| UnreadableSavingsPlan {
            customer_id: customer_id.to_owned(),
            subscription_id: s.id.clone(),
            field: field.to_owned(),
            problem,
        };
        let term = match s.term_duration.as_deref().map(str::trim) {
            Some(t) => term_from_wire(t)
                .ok_or_else(|| bad("termDuration", format!("is {t:?}, not a term")))?,
            None => return Err(bad("termDuration", "is missing".into())),
        };
        let billing = match s.billing_cycle.as_ref().map(|b| b.as_str().to_owned()) {
            Some(c) => BillingPlan::from_wire_cycle(&c)
                .ok_or_else(|| bad("billingCycle", format!("is {c:?}, not one_time or monthly")))?,
            None => return Err(bad("billingCycle", "is missing".into())),
        };
        let mut total: u32 = 0;
        let mut currency: Option<String> = None;
        let mut scope: Option<Scope> = None;
        let mut entitlement = None;
        for (i, l) in s.line_items.iter().enumerate() {
            if !active(l.status.as_deref()) {
                continue;
            }
            let field = format!("lineItems[{i}]");
            let c = l
                .purchase_commitment
                .as_ref()
                .ok_or_else(|| bad(&field, "has no purchaseCommitment".into()))?;
            if let Some(g) = &c.grain
                && !g.trim().eq_ignore_ascii_case("hourly")
            {
                return Err(bad(&field, format!("has grain {g:?}, not hourly")));
            }
            let amount = c
                .amount
                .and_then(HourlyCommitment::from_decimal)
                .ok_or_else(|| bad(&field, "has no usable purchaseCommitment.amount".into()))?;
            let code = c
                .currency
                .as_deref()
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| c.len() == 3)
                .ok_or_else(|| bad(&field, "has no purchaseCommitment.currency".into()))?;
            if currency.as_ref().is_some_and(|x| x != &code) {
                return Err(bad(
                    &field,
                    format!("is in {code}, another line in {currency:?}"),
                ));
            }
            let sc = l
                .scope
                .as_deref()
                .and_then(scope_from_wire)
                .ok_or_else(|| bad(&field, format!("has scope {:?}", l.scope)))?;
            if scope.is_some_and(|x| x != sc) {
                return Err(bad(
                    &field,
                    "has another scope than the plan's other lines".into(),
                ));
            }
            currency = Some(code);
            scope = Some(sc);
            entitlement =
                entitlement.or_else(|| l.entitlement_id.as_ref().map(|e| e.to_ascii_lowercase()));
            total = total
                .checked_add(amount.0)
                .ok_or_else(|| bad(&field, "adds up to more than this version counts".into()))?;
        }
        if total == 0 {
            continue;
        }
        let sku_id = s
            .offer_id
            .as_deref()
            .and_then(|o| o.split(':').nth(1))
            .unwrap_or_default()
            .to_owned();
        out.push(Holding {
            kind: HoldingKind::SavingsPlan(SavingsPlanAttribution {
                scope,
                entitlement_id: entitlement,
                term: Some(term),
                billing: Some(billing),
                currency,
            }),
            product_id: PRODUCT_ID.to_owned(),
            sku_id,
            quantity: total,
            order_id: s.order_id.clone().unwrap_or_else(|| s.id.clone()),
            expiry: s
                .commitment_end_date
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            title: s.friendly_name.clone(),
        });
    }
    Ok(out)
}
