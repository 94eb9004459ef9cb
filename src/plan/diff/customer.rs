//! The diff of one observed customer: its register rows, one row per declared item (owned,
//! pending, shortfall and what blocks it), the holdings no item accounts for, and its notes.
//! Declarations that resolve to the same purchase make `error` rows and block the customer's
//! purchases ([`kinds::duplicates`]).

use super::blockers::purchase_caveat;
use super::matching::{pending_matches, resolved_ids};
use super::{fingerprint, resolution_basis, subscription_state};
use crate::kinds::renewal::{self, Counted};
use crate::kinds::{self, Item};
use crate::manifest::{DesiredCustomer, Limits, PurchaseKey};
use crate::plan::basis::CatalogBasis;
use crate::plan::markets::market_available;
use crate::plan::model::{Action, Basis, CustomerSummary, Resolved, Row};
use crate::plan::observed::{
    Holding, HoldingsSource, InFlightUnknown, ObservedCustomer, ObservedSubscription,
    PendingPurchase, Registration, Resolution,
};
use std::collections::BTreeMap;

/// The diff of one observed customer.
pub(super) struct CustomerDiff<'a> {
    pub(super) dc: &'a DesiredCustomer,
    pub(super) oc: &'a ObservedCustomer,
    pub(super) limits: &'a Limits,
    /// When the observation was made (holding expiry is measured against it).
    now: Option<chrono::DateTime<chrono::Utc>>,
    name: String,
    /// Holdings not yet counted for an item.
    holdings: Vec<Option<&'a Holding>>,
    /// Pending purchases not yet counted for an item (already-visible orders left out).
    pending: Vec<Option<&'a PendingPurchase>>,
    /// Why an item is declared more than once, by purchase key.
    duplicates: BTreeMap<PurchaseKey, String>,
    pub(super) rows: Vec<Row>,
    pub(super) unmanaged: Vec<Row>,
    pub(super) summary: CustomerSummary,
}

impl<'a> CustomerDiff<'a> {
    pub(super) fn new(
        dc: &'a DesiredCustomer,
        oc: &'a ObservedCustomer,
        limits: &'a Limits,
        now: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Self {
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
            commitment: Default::default(),
        };
        CustomerDiff {
            dc,
            oc,
            limits,
            now,
            name,
            holdings: holdings.into_iter().map(Some).collect(),
            pending: pending.into_iter().map(Some).collect(),
            duplicates: BTreeMap::new(),
            rows: Vec::new(),
            unmanaged: Vec::new(),
            summary,
        }
    }

    pub(super) fn run(&mut self) {
        let items = kinds::items(self.dc);
        for d in kinds::duplicates(&self.dc.id, &items, |k| self.oc.resolution(k)) {
            for key in d.keys {
                self.duplicates.insert(key, d.reason.clone());
            }
        }
        let mut problems = BTreeMap::new();
        let mut subs: Vec<_> = self.dc.subscriptions.iter().collect();
        subs.sort_by(|a, b| a.id.cmp(&b.id));
        for ds in subs {
            let id = ds.id.to_ascii_lowercase();
            let obs = self.oc.subscription(&ds.id);
            let problem = self.subscription_problem(&ds.id, ds.kind, obs);
            if let (Some(obs), None) = (obs, &problem)
                && kinds::needs_registration(self.dc, &id)
                && obs.registration == Registration::NotRegistered
                && market_available(&self.oc.country)
            {
                self.push_register(obs);
            }
            problems.insert(id, problem);
        }
        for item in &items {
            let sub = item.subscription_id();
            let obs = sub.as_deref().and_then(|s| self.oc.subscription(s));
            let problem = sub.and_then(|s| match problems.get(&s) {
                Some(p) => p.clone(),
                // A savings plan names its Azure plan subscription without declaring it.
                None => {
                    self.subscription_problem(&s, crate::manifest::SubscriptionKind::AzurePlan, obs)
                }
            });
            self.push_item(item, obs, problem.as_deref());
        }
        if !self.duplicates.is_empty() {
            self.block_purchases_for_duplicates();
        }
        self.push_unmanaged();
        self.push_notes();
    }

    /// Nothing is bought for a customer with duplicate declarations: its other purchase rows
    /// are blocked, pointing at the `error` rows.
    fn block_purchases_for_duplicates(&mut self) {
        let label = self.dc.label().to_owned();
        for r in self.rows.iter_mut().filter(|r| r.action.buys()) {
            r.action = Action::Blocked;
            r.reason = Some(format!(
                "customer {label} declares the same purchase more than once (see its error \
                 rows); nothing is bought for it until that is fixed"
            ));
            r.to_buy = 0;
            r.irreversible = false;
        }
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
            kind: kinds::REGISTRATION_KIND,
            what: format!("registration for {}", kinds::REGISTRATION_KIND.plural()),
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
            reason: Some(format!(
                "the subscription is NotRegistered; {} need a registered subscription",
                kinds::REGISTRATION_KIND.plural()
            )),
            acknowledged: None,
            declare: None,
            fingerprint: fingerprint(&basis),
            money: None,
            cannot_undo: Vec::new(),
            basis,
            renew_before: None,
            expires_soon: None,
        });
    }

    fn push_item(
        &mut self,
        item: &Item<'_>,
        obs_sub: Option<&ObservedSubscription>,
        sub_problem: Option<&str>,
    ) {
        let key = item.key(&self.dc.id);
        let res = self.oc.resolution(&key);
        let resolved = resolved_ids(item, res);
        let counted = self.take_holdings(item, res);
        let owned = counted.owned;
        let expires_soon = crate::plan::ExpiryMark::of(&counted.expiring_soon, self.now);
        let (pending, unconfirmed) = self.take_pending(&key, resolved.as_ref());
        let desired = item.quantity();
        let shortfall = desired.saturating_sub(owned.saturating_add(pending));
        let basis = Basis {
            owned,
            pending,
            subscription: obs_sub.map(subscription_state),
            catalog: resolution_basis(res),
            country: Some(self.oc.country.clone()),
            expiring: counted.renew.units(),
        };
        let mut row = Row {
            customer_id: self.dc.id.clone(),
            customer_name: self.name.clone(),
            subscription_id: item.subscription_id(),
            item: Some(item.name().to_owned()),
            kind: item.kind(),
            what: item.what(),
            term: item.term(),
            key: Some(key.clone()),
            action: Action::Ok,
            desired,
            owned,
            pending,
            to_buy: 0,
            surplus: 0,
            resolved,
            irreversible: false,
            reason: None,
            acknowledged: None,
            declare: None,
            fingerprint: fingerprint(&basis),
            money: None,
            cannot_undo: Vec::new(),
            basis,
            renew_before: item.renew_before(),
            expires_soon,
        };
        if let Some(reason) = self.duplicates.get(&key) {
            row.action = Action::Error;
            row.reason = Some(reason.clone());
        } else if owned >= desired {
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
            match self.blocker(item, res, sub_problem, shortfall) {
                Some(block) => {
                    row.action = block.action;
                    row.reason = Some(block.reason);
                    if block.acknowledgeable {
                        row.acknowledged = item.blocked_ok().map(str::to_owned);
                    }
                }
                None if !counted.renew.is_empty() => {
                    row.action = Action::Renew;
                    row.to_buy = shortfall;
                    row.irreversible = true;
                    row.reason = Some(renewal::renew_reason(&counted.renew, item.renew_before()));
                }
                None => {
                    row.action = Action::Purchase;
                    row.to_buy = shortfall;
                    row.irreversible = true;
                    row.reason = purchase_caveat(item, res, obs_sub);
                }
            }
        }
        self.rows.push(row);
    }

    /// Sums (and consumes) the holdings that count for an item; those expiring within its
    /// renewal window are set apart (not owned), those expiring soon without one are noted.
    fn take_holdings(&mut self, item: &Item<'_>, res: Option<&Resolution>) -> Counted {
        let mut counted = Counted::default();
        for slot in &mut self.holdings {
            if let Some(h) = slot
                && item.holding_matches(h, res)
            {
                counted.add(h, item.holding_standing(h, self.now));
                *slot = None;
            }
        }
        counted
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
            let subscription_id = h.kind.subscription_id();
            let basis = Basis {
                owned: h.quantity,
                country: Some(self.oc.country.clone()),
                catalog: Some(CatalogBasis::Item {
                    product_id: h.product_id.clone(),
                    sku_id: h.sku_id.clone(),
                    availability_id: None,
                    terms: String::new(),
                }),
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
                kind: h.kind.kind(),
                what: kinds::describe_holding(h),
                key: None,
                term: h.kind.term(),
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
                    billing_cycle: None,
                }),
                irreversible: false,
                reason: Some(reason),
                acknowledged: None,
                declare: kinds::declare_holding(h)
                    .ok()
                    .filter(|d| !d.needs_azure_plan_subscription())
                    .map(|d| d.inline(h.quantity)),
                fingerprint: fingerprint(&basis),
                money: None,
                cannot_undo: Vec::new(),
                basis,
                renew_before: None,
                expires_soon: None,
            });
        }
    }

    fn push_notes(&mut self) {
        let notes = &mut self.summary.notes;
        if !market_available(&self.oc.country) {
            notes.push(format!(
                "{} is a market where {} are not sold.",
                self.oc.country,
                kinds::all_market_names()
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
