//! The pure diff: desired state × observed state → [`Plan`]. No I/O, no clock; the same inputs
//! in any order give the same plan.
//!
//! Per declared item: holdings that match it are *owned*, journalled purchases not yet visible are
//! *pending*; the shortfall `desired − owned − pending` is bought unless something blocks it
//! (market, subscription, catalog, inventory, quantity bounds, limits, in-flight doubt). Holdings no
//! item accounts for become `unmanaged` rows. Each holding and each pending purchase counts for at
//! most one item, and two items that resolve to the same purchase are `error` rows (nothing is
//! bought for that customer).
//!
//! This file holds the run over customers, the rows of customers that could not be read, and the
//! unit limits; [`customer`] the diff of one customer; [`matching`] which observations count for
//! an item; [`blockers`] why a shortfall cannot be bought. What differs between kinds is asked of
//! [`crate::kinds`].

use crate::kinds;
use crate::manifest::{DesiredCustomer, DesiredState, Limits};
use crate::plan::basis::{CatalogBasis, SubscriptionBasis};
use crate::plan::model::{Action, Basis, CustomerSummary, FORMAT_VERSION, Plan, Row, Summary};
use crate::plan::observed::{CustomerObservation, Inventory, ObservedSubscription, Resolution};
use sha2::{Digest, Sha256};

mod blockers;
mod customer;
mod matching;

use customer::CustomerDiff;
use matching::resolved_ids;
pub use matching::{describe_holding, describe_reservation};

/// Computes the plan. Pure: no I/O, no clock.
pub fn diff(desired: &DesiredState, observed: &crate::plan::Observation) -> Plan {
    let mut customers_sorted: Vec<&DesiredCustomer> = desired.customers.iter().collect();
    customers_sorted.sort_by(|a, b| a.id.cmp(&b.id));

    let mut rows = Vec::new();
    let mut unmanaged = Vec::new();
    let mut customers = Vec::new();
    for dc in customers_sorted {
        match observed.customer(&dc.id) {
            Some(CustomerObservation::Observed(oc)) => {
                let mut cx = CustomerDiff::new(dc, oc, &desired.limits, observed.observed_at);
                cx.run();
                rows.extend(cx.rows);
                unmanaged.extend(cx.unmanaged);
                customers.push(cx.summary);
            }
            Some(CustomerObservation::Failed { error, .. }) => {
                let reason = format!("could not read customer {}: {error}", dc.label());
                rows.extend(error_rows(dc, &reason));
                customers.push(failed_summary(dc, reason));
            }
            None => {
                let reason = format!("customer {} was not observed", dc.label());
                rows.extend(error_rows(dc, &reason));
                customers.push(failed_summary(dc, reason));
            }
        }
    }
    apply_per_apply_limit(&mut rows, &desired.limits);
    crate::plan::money::price_rows(&mut rows, &mut customers, desired, observed);
    rows.sort_by_key(sort_key);
    unmanaged.sort_by_key(sort_key);
    let summary = Summary::from_rows(&rows, &unmanaged);
    Plan {
        format_version: FORMAT_VERSION.to_owned(),
        manifest_hash: desired.manifest_hash.clone(),
        provenance: None,
        customers,
        rows,
        unmanaged,
        summary,
        witnesses: observed.witnesses.clone(),
    }
}

type SortKey = (String, u8, String, u8, String, String);

fn sort_key(r: &Row) -> SortKey {
    let (rank, sub) = match &r.subscription_id {
        Some(s) => (0, s.clone()),
        None => (1, String::new()),
    };
    let register = u8::from(r.action != Action::Register);
    let name = r.item.clone().unwrap_or_default();
    (
        r.customer_id.clone(),
        rank,
        sub,
        register,
        name,
        r.what.clone()
            + &r.basis
                .catalog
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
    )
}

fn subscription_state(s: &ObservedSubscription) -> SubscriptionBasis {
    SubscriptionBasis {
        status: s.status.clone(),
        kind: s.kind,
        registration: s.registration,
    }
}

fn fingerprint(basis: &Basis) -> String {
    let bytes = serde_json::to_vec(basis).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn resolution_basis(res: Option<&Resolution>) -> Option<CatalogBasis> {
    Some(match res? {
        Resolution::Found(ci) => {
            let inv = match &ci.inventory {
                Inventory::NotRequired => "not_required".to_owned(),
                Inventory::Available => "available".to_owned(),
                Inventory::Restricted { reason } => format!("restricted ({reason})"),
                Inventory::Unknown => "unknown".to_owned(),
                Inventory::ByCart => "by_cart".to_owned(),
            };
            // Without its availability (not read for a row that buys nothing) the item is
            // `product:sku`.
            let id = ci
                .catalog_item_id()
                .map_or_else(|| format!("{}:{}", ci.product_id, ci.sku_id), str::to_owned);
            CatalogBasis::from_text(&format!(
                "{id} min={} max={} inventory={inv}",
                ci.min_quantity, ci.max_quantity
            ))
        }
        Resolution::NotFound { .. } => CatalogBasis::Outcome("not_found".to_owned()),
        Resolution::MarketUnavailable => CatalogBasis::Outcome("market_unavailable".to_owned()),
        Resolution::NeedsAppUser => CatalogBasis::Outcome("needs_app_user".to_owned()),
        Resolution::Ambiguous { .. } => CatalogBasis::Outcome("ambiguous".to_owned()),
        Resolution::Error(e) => CatalogBasis::Outcome(format!("error ({e})")),
    })
}

/// Rows for a customer that could not be read: every declared item is an `error` row.
fn error_rows(dc: &DesiredCustomer, reason: &str) -> Vec<Row> {
    kinds::items(dc)
        .iter()
        .map(|item| {
            let basis = Basis::default();
            Row {
                customer_id: dc.id.clone(),
                customer_name: dc.label().to_owned(),
                subscription_id: item.subscription_id(),
                item: Some(item.name().to_owned()),
                kind: item.kind(),
                what: item.what(),
                key: Some(item.key(&dc.id)),
                term: item.term(),
                action: Action::Error,
                desired: item.quantity(),
                owned: 0,
                pending: 0,
                to_buy: 0,
                surplus: 0,
                resolved: resolved_ids(item, None),
                irreversible: false,
                reason: Some(reason.to_owned()),
                acknowledged: None,
                declare: None,
                fingerprint: fingerprint(&basis),
                money: None,
                cannot_undo: Vec::new(),
                basis,
                renew_before: item.renew_before(),
                expires_soon: None,
            }
        })
        .collect()
}

fn failed_summary(dc: &DesiredCustomer, reason: String) -> CustomerSummary {
    CustomerSummary {
        id: dc.id.clone(),
        name: dc.label().to_owned(),
        country: None,
        holdings_source: None,
        credentials: None,
        notes: Vec::new(),
        error: Some(reason),
        commitment: Default::default(),
    }
}

/// `limits.max_units_per_apply`: when the plan as a whole would buy more, every purchase row is
/// blocked with the limit in its reason.
fn apply_per_apply_limit(rows: &mut [Row], limits: &Limits) {
    if let Some(max) = limits.max_units_per_apply {
        block_over_total(rows, max, "limits.max_units_per_apply");
    }
}

/// Blocks every purchase row when the rows buy more than `max` units in total, naming `limit`
/// (e.g. `limits.max_units_per_apply`, `--max-units`) in the reason. Returns whether it did.
fn block_over_total(rows: &mut [Row], max: u32, limit: &str) -> bool {
    let total: u32 = rows
        .iter()
        .filter(|r| r.action.buys())
        .map(|r| r.kind.units_bought(r.to_buy))
        .fold(0u32, u32::saturating_add);
    if total <= max {
        return false;
    }
    for r in rows.iter_mut().filter(|r| r.action.buys()) {
        r.reason = Some(format!(
            "the plan would buy {total} units in total, more than {limit} ({max}); this item \
             needs {}",
            r.kind.amount(r.to_buy)
        ));
        r.action = Action::Blocked;
        r.to_buy = 0;
        r.irreversible = false;
    }
    true
}

impl Plan {
    /// Applies a run-wide unit cap (`apply --max-units N`) to a computed plan: when it would buy
    /// more than `max` units, every purchase row becomes `blocked` naming `limit`, and the summary
    /// is recomputed. Pure, like [`diff`].
    pub fn limit_total_units(&mut self, max: u32, limit: &str) {
        if block_over_total(&mut self.rows, max, limit) {
            self.summary = Summary::from_rows(&self.rows, &self.unmanaged);
        }
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
