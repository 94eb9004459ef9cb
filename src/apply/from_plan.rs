//! [`desired_from_plan`]: the desired state a saved plan was made from, rebuilt from its rows,
//! so `apply --plan FILE` works without the manifests (e.g. in a later CI job).
//!
//! Every row the plan could act on, or that holds units (`purchase`, `ok`, `pending`,
//! `surplus`), becomes a declared item again ([`kinds::redeclare`]): its purchase key, name and
//! declared quantity are in the row; a subscription's kind comes from the rows' observed
//! subscription state. Items the saved plan blocked or could not observe are left out — the saved plan would
//! never buy them, and without them the fresh plan cannot either. The manifest hash is the
//! plan's, so the re-plan compares against the saved plan exactly as with the manifests.
//!
//! What a row does not carry: a software item's billing cycle (the SKU's only one is used, as
//! for a manifest that omits it) and the manifest limits (their effect is already in the rows).

use crate::kinds;
use crate::manifest::{DesiredCustomer, DesiredState, Limits, SourceRef, SubscriptionKind};
use crate::plan::{Action, Plan, Row};
use std::collections::BTreeMap;
use std::path::Path;

fn kind_of(row: &Row) -> Option<SubscriptionKind> {
    row.basis.subscription.as_ref().map(|s| s.kind)
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
                    savings_plans: Vec::new(),
                    source: source.clone(),
                },
            )
        })
        .collect();
    // Subscription kinds, from any row about the subscription.
    let sub_kinds: BTreeMap<String, SubscriptionKind> = plan
        .rows
        .iter()
        .filter_map(|r| Some((r.subscription_id.clone()?, kind_of(r)?)))
        .collect();
    let keep = |r: &&Row| {
        matches!(
            r.action,
            Action::Purchase | Action::Renew | Action::Ok | Action::Pending | Action::Surplus
        )
    };
    for row in plan.rows.iter().filter(keep) {
        let (Some(key), Some(_)) = (&row.key, &row.item) else {
            continue;
        };
        let Some(dc) = customers.get_mut(&row.customer_id) else {
            continue;
        };
        kinds::redeclare(dc, row, key, &sub_kinds, &source);
    }
    let mut customers: Vec<DesiredCustomer> = customers.into_values().collect();
    for c in &mut customers {
        c.sort_items();
    }
    DesiredState {
        customers,
        limits: Limits::default(),
        manifest_hash: plan.manifest_hash.clone(),
    }
}
