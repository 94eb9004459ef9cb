//! What one customer's locked work buys: the fresh plan's purchases, each capped at what the
//! shown (approved) plan said for the same row, and the registrations they need.

use super::engine::CustomerBatch;
use crate::kinds;
use crate::manifest::DesiredCustomer;
use crate::plan::{Action, Plan, Registration, Row};
use std::collections::{BTreeMap, BTreeSet};

/// The rows of `plan` for the customer `customer_id`.
pub(super) fn rows_of<'p>(plan: &'p Plan, customer_id: &str) -> impl Iterator<Item = &'p Row> {
    let id = customer_id.to_owned();
    plan.rows
        .iter()
        .filter(move |r| r.customer_id.eq_ignore_ascii_case(&id))
}

/// The customer's batch: the fresh plan's purchases, each capped at what the shown plan said
/// for the same row (never more than was shown and approved), and the registrations they need.
pub fn build_batch(
    dc: &DesiredCustomer,
    shown: &Plan,
    fresh: &Plan,
    observed: &crate::plan::ObservedCustomer,
    hash: &str,
) -> CustomerBatch {
    let shown_buy: BTreeMap<_, u32> = rows_of(shown, &dc.id)
        .filter(|r| r.action.buys())
        .map(|r| (r.identity(), r.to_buy))
        .collect();
    let shown_register: BTreeSet<String> = rows_of(shown, &dc.id)
        .filter(|r| r.action == Action::Register)
        .filter_map(|r| r.subscription_id.clone())
        .collect();
    let mut register: BTreeSet<String> = rows_of(fresh, &dc.id)
        .filter(|r| r.action == Action::Register)
        .filter_map(|r| r.subscription_id.clone())
        .filter(|s| shown_register.contains(s))
        .collect();
    let mut lines = Vec::new();
    for row in rows_of(fresh, &dc.id).filter(|r| r.action.buys()) {
        let cap = shown_buy.get(&row.identity()).copied().unwrap_or(0);
        let quantity = row.to_buy.min(cap);
        if quantity == 0 {
            continue;
        }
        let Some(line) = kinds::purchase_line(dc, row, quantity) else {
            continue;
        };
        if let Some(sub) = &row.subscription_id
            && row.kind.needs_registration()
            && observed
                .subscription(sub)
                .is_some_and(|s| s.registration != Registration::Registered)
        {
            register.insert(sub.clone());
        }
        lines.push(line);
    }
    CustomerBatch {
        customer_id: dc.id.clone(),
        customer_name: dc.name.clone(),
        plan_hash: hash.to_owned(),
        register: register.into_iter().collect(),
        lines,
    }
}
