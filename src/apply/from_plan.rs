//! [`desired_from_plan`]: the desired state a saved plan was made from, rebuilt from its rows,
//! so `apply --plan FILE` works without the manifests (e.g. in a later CI job).
//!
//! Every row the plan could act on, or that holds units (`purchase`, `ok`, `pending`,
//! `surplus`), becomes a declared item again: its purchase key, name and declared quantity are
//! in the row; a reservation's subscription kind comes from the row's observed subscription
//! state. Items the saved plan blocked or could not observe are left out — the saved plan would
//! never buy them, and without them the fresh plan cannot either. The manifest hash is the
//! plan's, so the re-plan compares against the saved plan exactly as with the manifests.
//!
//! What a row does not carry: a software item's billing cycle (the SKU's only one is used, as
//! for a manifest that omits it) and the manifest limits (their effect is already in the rows).

use crate::manifest::{
    DesiredCustomer, DesiredReservation, DesiredSoftware, DesiredState, DesiredSubscription,
    Limits, PurchaseKey, SourceRef, SubscriptionKind,
};
use crate::plan::{Action, Plan, Row};
use std::collections::BTreeMap;
use std::path::Path;

fn kind_of(row: &Row) -> Option<SubscriptionKind> {
    let state = row.basis.subscription.as_deref()?;
    match state.split('/').nth(1)? {
        "legacy" => Some(SubscriptionKind::Legacy),
        "azure-plan" => Some(SubscriptionKind::AzurePlan),
        _ => None,
    }
}

/// Rebuilds the desired state of a saved plan (`path` names it in item sources).
pub fn desired_from_plan(plan: &Plan, path: &Path) -> DesiredState {
    let source = SourceRef {
        file: path.to_owned(),
        line: 0,
        column: 0,
    };
    let mut customers: BTreeMap<String, DesiredCustomer> = plan
        .customers
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                DesiredCustomer {
                    id: c.id.clone(),
                    name: (!c.name.eq_ignore_ascii_case(&c.id)).then(|| c.name.clone()),
                    subscriptions: Vec::new(),
                    software: Vec::new(),
                    source: source.clone(),
                },
            )
        })
        .collect();
    // Subscription kinds, from any row about the subscription.
    let kinds: BTreeMap<String, SubscriptionKind> = plan
        .rows
        .iter()
        .filter_map(|r| Some((r.subscription_id.clone()?, kind_of(r)?)))
        .collect();
    let keep = |r: &&Row| {
        matches!(
            r.action,
            Action::Purchase | Action::Ok | Action::Pending | Action::Surplus
        )
    };
    for row in plan.rows.iter().filter(keep) {
        let (Some(key), Some(name)) = (&row.key, &row.item) else {
            continue;
        };
        let Some(dc) = customers.get_mut(&row.customer_id) else {
            continue;
        };
        match key {
            PurchaseKey::Reservation {
                subscription_id,
                reservation_type,
                target,
                term,
                scope,
                ..
            } => {
                let kind = kinds
                    .get(subscription_id)
                    .copied()
                    .unwrap_or(SubscriptionKind::AzurePlan);
                let pos = match dc
                    .subscriptions
                    .iter()
                    .position(|s| &s.id == subscription_id)
                {
                    Some(p) => p,
                    None => {
                        dc.subscriptions.push(DesiredSubscription {
                            id: subscription_id.clone(),
                            kind,
                            reservations: Vec::new(),
                            source: source.clone(),
                        });
                        dc.subscriptions.len() - 1
                    }
                };
                dc.subscriptions[pos].reservations.push(DesiredReservation {
                    name: name.clone(),
                    reservation_type: *reservation_type,
                    target: target.clone(),
                    term: *term,
                    scope: *scope,
                    quantity: row.desired,
                    source: source.clone(),
                });
            }
            PurchaseKey::Software {
                product_id, sku_id, ..
            } => dc.software.push(DesiredSoftware {
                name: name.clone(),
                product_id: product_id.clone(),
                sku_id: sku_id.clone(),
                quantity: row.desired,
                billing_cycle: None,
                term: row.what.split_whitespace().nth(2).map(str::to_owned),
                source: source.clone(),
            }),
        }
    }
    let mut customers: Vec<DesiredCustomer> = customers.into_values().collect();
    for c in &mut customers {
        c.subscriptions.sort_by(|a, b| a.id.cmp(&b.id));
        for s in &mut c.subscriptions {
            s.reservations.sort_by(|a, b| a.name.cmp(&b.name));
        }
        c.software.sort_by(|a, b| a.name.cmp(&b.name));
    }
    DesiredState {
        customers,
        limits: Limits::default(),
        manifest_hash: plan.manifest_hash.clone(),
    }
}
