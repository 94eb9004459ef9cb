//! The pure diff: desired state × observed state → [`Plan`]. No I/O, no clock; the same inputs
//! in any order give the same plan.
//!
//! Per declared item: holdings that match it are *owned*, journalled purchases not yet visible are
//! *pending*; the shortfall `desired − owned − pending` is bought unless something blocks it
//! (market, subscription, catalog, inventory, quantity bounds, limits, in-flight doubt). Holdings no
//! item accounts for become `unmanaged` rows. Each holding and each pending purchase counts for at
//! most one item.

use crate::manifest::{
    DesiredCustomer, DesiredReservation, DesiredSoftware, DesiredState, Limits, PurchaseKey,
    ReservationTarget, SubscriptionKind,
};
use crate::plan::markets::market_available;
use crate::plan::model::{
    Action, Basis, CustomerSummary, FORMAT_VERSION, ItemKind, Plan, Resolved, Row, Summary,
};
use crate::plan::observed::{
    CustomerObservation, Holding, HoldingKind, HoldingsSource, InFlightUnknown, Inventory,
    ObservedCustomer, ObservedSubscription, PendingPurchase, Registration, Resolution,
    SubscriptionStatus,
};
use sha2::{Digest, Sha256};

mod blockers;
mod matching;

use blockers::purchase_caveat;
use matching::{Item, holding_matches, pending_matches, resolved_ids};
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
                let mut cx = CustomerDiff::new(dc, oc, &desired.limits);
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
    rows.sort_by_key(sort_key);
    unmanaged.sort_by_key(sort_key);
    let summary = Summary::from_rows(&rows, &unmanaged);
    Plan {
        format_version: FORMAT_VERSION.to_owned(),
        manifest_hash: desired.manifest_hash.clone(),
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
        r.what.clone() + &r.basis.catalog.clone().unwrap_or_default(),
    )
}

fn subscription_state(s: &ObservedSubscription) -> String {
    let kind = match s.kind {
        SubscriptionKind::AzurePlan => "azure-plan",
        SubscriptionKind::Legacy => "legacy",
    };
    format!("{}/{kind}/{}", s.status.as_str(), s.registration.as_str())
}

fn fingerprint(basis: &Basis) -> String {
    let bytes = serde_json::to_vec(basis).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn resolution_basis(res: Option<&Resolution>) -> Option<String> {
    Some(match res? {
        Resolution::Found(ci) => {
            let inv = match &ci.inventory {
                Inventory::NotRequired => "not_required".to_owned(),
                Inventory::Available => "available".to_owned(),
                Inventory::Restricted { reason } => format!("restricted ({reason})"),
                Inventory::Unknown => "unknown".to_owned(),
            };
            format!(
                "{} min={} max={} inventory={inv}",
                ci.catalog_item_id, ci.min_quantity, ci.max_quantity
            )
        }
        Resolution::NotFound { .. } => "not_found".to_owned(),
        Resolution::MarketUnavailable => "market_unavailable".to_owned(),
        Resolution::NeedsAppUser => "needs_app_user".to_owned(),
        Resolution::Error(e) => format!("error ({e})"),
    })
}

/// The diff of one observed customer.
struct CustomerDiff<'a> {
    dc: &'a DesiredCustomer,
    oc: &'a ObservedCustomer,
    limits: &'a Limits,
    name: String,
    /// Holdings not yet counted for an item.
    holdings: Vec<Option<&'a Holding>>,
    /// Pending purchases not yet counted for an item (already-visible orders left out).
    pending: Vec<Option<&'a PendingPurchase>>,
    rows: Vec<Row>,
    unmanaged: Vec<Row>,
    summary: CustomerSummary,
}

impl<'a> CustomerDiff<'a> {
    fn new(dc: &'a DesiredCustomer, oc: &'a ObservedCustomer, limits: &'a Limits) -> Self {
        let name = dc
            .name
            .clone()
            .or_else(|| oc.company_name.clone())
            .unwrap_or_else(|| dc.id.clone());
        let mut holdings: Vec<&Holding> = oc.holdings.iter().collect();
        holdings.sort_by(|a, b| {
            (&a.order_id, &a.product_id, &a.sku_id, a.quantity).cmp(&(
                &b.order_id,
                &b.product_id,
                &b.sku_id,
                b.quantity,
            ))
        });
        let mut pending: Vec<&PendingPurchase> = oc
            .pending
            .iter()
            .filter(|p| {
                p.order_id
                    .as_ref()
                    .is_none_or(|id| !oc.holdings.iter().any(|h| &h.order_id == id))
            })
            .collect();
        pending.sort_by(|a, b| (&a.key, &a.order_id).cmp(&(&b.key, &b.order_id)));
        let summary = CustomerSummary {
            id: dc.id.clone(),
            name: name.clone(),
            country: Some(oc.country.clone()),
            holdings_source: Some(oc.holdings_source),
            credentials: Some(oc.credentials),
            notes: Vec::new(),
            error: None,
        };
        CustomerDiff {
            dc,
            oc,
            limits,
            name,
            holdings: holdings.into_iter().map(Some).collect(),
            pending: pending.into_iter().map(Some).collect(),
            rows: Vec::new(),
            unmanaged: Vec::new(),
            summary,
        }
    }

    fn run(&mut self) {
        let mut subs: Vec<_> = self.dc.subscriptions.iter().collect();
        subs.sort_by(|a, b| a.id.cmp(&b.id));
        for ds in subs {
            let obs = self.oc.subscription(&ds.id);
            let problem = self.subscription_problem(&ds.id, ds.kind, obs);
            if let (Some(obs), None) = (obs, &problem)
                && !ds.reservations.is_empty()
                && obs.registration == Registration::NotRegistered
                && market_available(&self.oc.country)
            {
                self.push_register(obs);
            }
            let mut items: Vec<_> = ds.reservations.iter().collect();
            items.sort_by(|a, b| a.name.cmp(&b.name));
            for r in items {
                let item = Item::Reservation {
                    subscription_id: &ds.id,
                    r,
                };
                self.push_item(item, obs, problem.as_deref());
            }
        }
        let mut software: Vec<_> = self.dc.software.iter().collect();
        software.sort_by(|a, b| a.name.cmp(&b.name));
        for s in software {
            self.push_item(Item::Software(s), None, None);
        }
        self.push_unmanaged();
        self.push_notes();
    }

    fn push_register(&mut self, obs: &ObservedSubscription) {
        let basis = Basis {
            subscription: Some(subscription_state(obs)),
            country: Some(self.oc.country.clone()),
            ..Basis::default()
        };
        self.rows.push(Row {
            customer_id: self.dc.id.clone(),
            customer_name: self.name.clone(),
            subscription_id: Some(obs.id.to_ascii_lowercase()),
            item: None,
            kind: ItemKind::Reservation,
            what: "registration for reservations".to_owned(),
            key: None,
            term: None,
            action: Action::Register,
            desired: 0,
            owned: 0,
            pending: 0,
            to_buy: 0,
            surplus: 0,
            resolved: None,
            irreversible: false,
            reason: Some(
                "the subscription is NotRegistered; reservations need a registered subscription"
                    .to_owned(),
            ),
            fingerprint: fingerprint(&basis),
            basis,
        });
    }

    fn push_item(
        &mut self,
        item: Item<'_>,
        obs_sub: Option<&ObservedSubscription>,
        sub_problem: Option<&str>,
    ) {
        let key = item.key(&self.dc.id);
        let res = self.oc.resolution(&key);
        let resolved = resolved_ids(&item, res);
        let owned = self.take_holdings(&item, res);
        let (pending, unconfirmed) = self.take_pending(&key, resolved.as_ref());
        let desired = item.quantity();
        let shortfall = desired.saturating_sub(owned.saturating_add(pending));
        let basis = Basis {
            owned,
            pending,
            subscription: obs_sub.map(subscription_state),
            catalog: resolution_basis(res),
            country: Some(self.oc.country.clone()),
        };
        let mut row = Row {
            customer_id: self.dc.id.clone(),
            customer_name: self.name.clone(),
            subscription_id: item.subscription_id(),
            item: Some(item.name().to_owned()),
            kind: item.kind(),
            what: item.what(),
            term: item.term(),
            key: Some(key),
            action: Action::Ok,
            desired,
            owned,
            pending,
            to_buy: 0,
            surplus: 0,
            resolved,
            irreversible: false,
            reason: None,
            fingerprint: fingerprint(&basis),
            basis,
        };
        if owned >= desired {
            row.surplus = owned - desired;
            row.action = if row.surplus > 0 {
                Action::Surplus
            } else {
                Action::Ok
            };
            if row.surplus > 0 {
                row.reason = Some(format!(
                    "owns {} more than declared; reservoir never cancels",
                    row.surplus
                ));
            }
        } else if shortfall == 0 {
            row.action = Action::Pending;
            row.reason = Some(if unconfirmed > 0 {
                "covered by a journalled purchase whose outcome is not confirmed yet".to_owned()
            } else {
                "covered by orders placed but not yet visible as holdings".to_owned()
            });
        } else {
            match self.blocker(&item, res, sub_problem, shortfall) {
                Some((action, reason)) => {
                    row.action = action;
                    row.reason = Some(reason);
                }
                None => {
                    row.action = Action::Purchase;
                    row.to_buy = shortfall;
                    row.irreversible = true;
                    row.reason = purchase_caveat(&item, res, obs_sub);
                }
            }
        }
        self.rows.push(row);
    }

    /// Sums (and consumes) the holdings that count for an item.
    fn take_holdings(&mut self, item: &Item<'_>, res: Option<&Resolution>) -> u32 {
        let mut owned = 0u32;
        for slot in &mut self.holdings {
            if let Some(h) = slot
                && holding_matches(h, item, res)
            {
                owned = owned.saturating_add(h.quantity);
                *slot = None;
            }
        }
        owned
    }

    /// Sums (and consumes) the pending purchases that count for an item; also returns how many
    /// of those are intents without a confirmed order.
    fn take_pending(&mut self, key: &PurchaseKey, resolved: Option<&Resolved>) -> (u32, u32) {
        let (mut qty, mut unconfirmed) = (0u32, 0u32);
        for slot in &mut self.pending {
            if let Some(p) = slot
                && pending_matches(p, key, resolved)
            {
                qty = qty.saturating_add(p.quantity);
                if p.order_id.is_none() {
                    unconfirmed += 1;
                }
                *slot = None;
            }
        }
        (qty, unconfirmed)
    }

    fn push_unmanaged(&mut self) {
        for h in self.holdings.iter().flatten().filter(|h| h.quantity > 0) {
            let subscription_id = match &h.kind {
                HoldingKind::Reservation(a) => {
                    a.subscription_id.as_ref().map(|s| s.to_ascii_lowercase())
                }
                HoldingKind::Software => None,
            };
            let basis = Basis {
                owned: h.quantity,
                country: Some(self.oc.country.clone()),
                catalog: Some(format!("{}:{}", h.product_id, h.sku_id)),
                ..Basis::default()
            };
            let mut reason = format!("not declared in any manifest; order {}", h.order_id);
            if let Some(e) = &h.expiry {
                reason.push_str(&format!(", expires {e}"));
            }
            self.unmanaged.push(Row {
                customer_id: self.dc.id.clone(),
                customer_name: self.name.clone(),
                subscription_id,
                item: None,
                kind: match h.kind {
                    HoldingKind::Reservation(_) => ItemKind::Reservation,
                    HoldingKind::Software => ItemKind::Software,
                },
                what: describe_holding(h),
                key: None,
                term: match &h.kind {
                    HoldingKind::Reservation(a) => a.term,
                    HoldingKind::Software => None,
                },
                action: Action::Unmanaged,
                desired: 0,
                owned: h.quantity,
                pending: 0,
                to_buy: 0,
                surplus: 0,
                resolved: Some(Resolved {
                    product_id: h.product_id.clone(),
                    sku_id: h.sku_id.clone(),
                    availability_id: None,
                    catalog_item_id: None,
                    title: h.title.clone(),
                }),
                irreversible: false,
                reason: Some(reason),
                fingerprint: fingerprint(&basis),
                basis,
            });
        }
    }

    fn push_notes(&mut self) {
        let notes = &mut self.summary.notes;
        if !market_available(&self.oc.country) {
            notes.push(format!(
                "{} is a market where Azure reservations and software are not sold.",
                self.oc.country
            ));
        }
        if self.oc.holdings_source == HoldingsSource::Orders {
            notes.push(
                "holdings came from orders (entitlements need App+User credentials) and may miss \
                 orders placed in the last 15 minutes."
                    .to_owned(),
            );
        }
        if self.oc.in_flight_unknown == Some(InFlightUnknown::JournalUnreadable) {
            notes.push(
                "the purchase journal is unreadable and orders from the last 15 minutes cannot \
                 be ruled out: purchases are blocked until the order list has caught up."
                    .to_owned(),
            );
        }
        let unconfirmed = self
            .oc
            .pending
            .iter()
            .filter(|p| p.order_id.is_none())
            .count();
        if unconfirmed > 0 {
            notes.push(format!(
                "{unconfirmed} journalled purchase(s) have no confirmed outcome yet and are \
                 counted as pending; apply resumes them instead of buying again."
            ));
        }
    }
}

/// Rows for a customer that could not be read: every declared item is an `error` row.
fn error_rows(dc: &DesiredCustomer, reason: &str) -> Vec<Row> {
    let mut out = Vec::new();
    let mut push = |item: Item<'_>| {
        let basis = Basis::default();
        out.push(Row {
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
            resolved: resolved_ids(&item, None),
            irreversible: false,
            reason: Some(reason.to_owned()),
            fingerprint: fingerprint(&basis),
            basis,
        });
    };
    for ds in &dc.subscriptions {
        for r in &ds.reservations {
            push(Item::Reservation {
                subscription_id: &ds.id,
                r,
            });
        }
    }
    for s in &dc.software {
        push(Item::Software(s));
    }
    out
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
        .filter(|r| r.action == Action::Purchase)
        .map(|r| r.to_buy)
        .fold(0u32, u32::saturating_add);
    if total <= max {
        return false;
    }
    for r in rows.iter_mut().filter(|r| r.action == Action::Purchase) {
        r.reason = Some(format!(
            "the plan would buy {total} units in total, more than {limit} ({max}); this item \
             needs {}",
            r.to_buy
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
