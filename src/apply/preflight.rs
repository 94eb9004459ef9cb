//! Checks on a whole `apply` run before any customer is touched: [`check_saved`] (expiry),
//! [`preflight`] (a saved plan that no longer holds, unit guardrails) and the [`Refusal`]s they
//! give. Pure: no I/O, no clock (times are passed in).

use crate::manifest::DesiredState;
use crate::plan::basis::CatalogBasis;
use crate::plan::{Observation, Plan, RowChange, SavedPlan, compare, diff};
use chrono::{DateTime, Utc};

/// Why a run is refused before anything is done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "the saved plan expired at {} (created {}); run plan again",
        .expires_at.format("%Y-%m-%d %H:%M:%S UTC"),
        .created_at.format("%Y-%m-%d %H:%M:%S UTC")
    )]
    Expired {
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
    #[error("the saved plan no longer holds; run plan again. What changed:\n{}", bullets(.changes))]
    Stale { changes: Vec<RowChange> },
    #[error("the plan would buy {total} units, more than {limit} ({max}); nothing was done")]
    TooManyUnits { total: u32, max: u32, limit: String },
}

pub(crate) fn bullets(changes: &[RowChange]) -> String {
    changes
        .iter()
        .map(|c| format!("  - {c}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Refuses an expired saved plan (before anything is contacted).
pub fn check_saved(saved: &SavedPlan, now: DateTime<Utc>) -> Result<(), Refusal> {
    if saved.is_expired(now) {
        return Err(Refusal::Expired {
            created_at: saved.created_at,
            expires_at: saved.expires_at,
        });
    }
    Ok(())
}

/// The outcome of [`preflight`]: the plan to show (guardrails applied), and why the run is
/// refused, if it is.
#[derive(Debug, Clone)]
pub struct Preflight {
    pub plan: Plan,
    pub refusal: Option<Refusal>,
}

/// The plan to show and act on, from a fresh observation of every selected customer, and a
/// refusal of the whole run when a saved plan's acting rows changed, or when the plan would buy
/// more units than `limits.max_units_per_apply` or `max_units` allow.
pub fn preflight(
    desired: &DesiredState,
    observation: &Observation,
    saved: Option<&Plan>,
    max_units: Option<u32>,
) -> Preflight {
    let mut plan = diff(desired, observation);
    let mut unlimited = desired.clone();
    unlimited.limits.max_units_per_apply = None;
    let total = diff(&unlimited, observation).summary.to_buy;
    // Compared before `--max-units` blocks rows: a run-wide cap is not a change of the plan.
    let changes = saved
        .map(|s| compare_acting(&restrict(s, desired), &plan))
        .filter(|c| !c.is_empty());
    if let Some(max) = max_units {
        plan.limit_total_units(max, "--max-units");
    }
    let refusal = if let Some(changes) = changes {
        Some(Refusal::Stale { changes })
    } else if let Some(max) = desired.limits.max_units_per_apply
        && total > max
    {
        Some(Refusal::TooManyUnits {
            total,
            max,
            limit: "limits.max_units_per_apply".into(),
        })
    } else if let Some(max) = max_units
        && total > max
    {
        Some(Refusal::TooManyUnits {
            total,
            max,
            limit: "--max-units".into(),
        })
    } else {
        None
    };
    Preflight { plan, refusal }
}

/// [`compare`], ignoring a change of availability id alone: availability ids rotate over time
/// (docs/partner-center.md §8) while the product, SKU and terms bought stay the same, and apply
/// resolves the catalog item fresh anyway. Nor does an inventory check apply did not make count
/// (the cart checks it, [`crate::observe::InventoryCheck::Cart`]): the saved plan's `available`
/// (or `unknown`, when its check failed) and apply's `by_cart` read alike. Any other change of a
/// row's observations counts, a restriction included.
pub(crate) fn compare_acting(saved: &Plan, fresh: &Plan) -> Vec<RowChange> {
    compare(&without_availability(saved), &without_availability(fresh))
}

fn without_availability(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for r in p.rows.iter_mut() {
        r.basis.catalog = r.basis.catalog.as_ref().map(|c| {
            let mut c = c.without_availability();
            if let CatalogBasis::Item { terms, .. } = &mut c {
                for unchecked in ["inventory=available", "inventory=unknown"] {
                    *terms = terms.replace(unchecked, "inventory=by_cart");
                }
            }
            c
        });
        // The fingerprint hashes the basis; compare the (normalised) basis itself.
        r.fingerprint.clear();
    }
    p
}

/// A plan cut down to the customers of `desired` (the `--customer` selection, or one customer).
pub(crate) fn restrict(plan: &Plan, desired: &DesiredState) -> Plan {
    let keep = |id: &str| {
        desired
            .customers
            .iter()
            .any(|c| c.id.eq_ignore_ascii_case(id))
    };
    let mut p = plan.clone();
    p.customers.retain(|c| keep(&c.id));
    p.rows.retain(|r| keep(&r.customer_id));
    p.unmanaged.retain(|r| keep(&r.customer_id));
    p.summary = crate::plan::Summary::from_rows(&p.rows, &p.unmanaged);
    p
}
