//! The partner activity log (partner-center-api.md §14) as a witness of recent purchases that no
//! local state can see: other runners, other tools, people in the Partner Center portal.
//!
//! [`read`] asks for the `create_order` records of the last [`WINDOW_MINUTES`] with a constant
//! number of calls per run: one partner-wide query filtered by resource type `Order` (paged), or —
//! for a run of at most [`PER_CUSTOMER_MAX`] customers, where it is cheaper — one query per
//! customer filtered by customer id. [`attribute`] then turns one customer's recent orders into
//! pending purchases of declared items, leaving out order lines already visible as holdings and
//! orders the journal already counts (a unit counts once). What cannot be attributed with
//! certainty becomes an [`UnattributedOrder`], which blocks purchases of possibly-matching items:
//! never "zero pending".

use super::Reader;
pub use super::activity_errors::{ActivityLogError, Doubt, UnreadableOrder};
use super::wire_values::{scope_from_wire, term_from_wire};
use crate::manifest::PurchaseKey;
use crate::manifest::{Scope, Term};
use crate::partner_center::wire::audit::{AuditFilter, AuditQuery, AuditRecord, RecordOrderError};
use crate::partner_center::wire::{Order, OrderStatus};
use crate::plan::{Holding, ItemResolution, PendingPurchase, Resolution, UnattributedOrder};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// How far back a `create_order` record counts (DESIGN §4: orders can take up to 15 minutes to
/// show in the order list and entitlements; twice that for margin).
pub const WINDOW_MINUTES: i64 = 30;
/// Up to this many customers, the log is read per customer (filtered by customer id) instead of
/// partner-wide.
pub const PER_CUSTOMER_MAX: usize = 3;
/// Records per page.
const PAGE_SIZE: u32 = 500;

/// One line of a recent order, as the record's order JSON gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentLine {
    /// Upper-case product id (from `OfferId` `product:sku:availability`).
    pub product_id: String,
    pub sku_id: String,
    pub quantity: Option<u32>,
    /// Lower-case `ProvisioningContext.subscriptionId`.
    pub subscription_id: Option<String>,
    pub scope: Option<Scope>,
    /// `ProvisioningContext.duration`, else `TermDuration`.
    pub term: Option<Term>,
}

/// A `create_order` record of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentOrder {
    /// `Id` of the order JSON, else `customizedData.OrderId`.
    pub order_id: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// The order lines, or why the record's order cannot be read.
    pub lines: Result<Vec<RecentLine>, UnreadableOrder>,
}

/// What the log says for a run: recent orders per (lower-case) customer id, and orders whose
/// record names no customer at all (they may belong to any customer of the run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityLog {
    pub minutes: u32,
    pub by_customer: BTreeMap<String, Vec<RecentOrder>>,
    pub unassigned: Vec<RecentOrder>,
}

impl ActivityLog {
    /// Recent orders of the run's customers (and unassigned ones), for the witness line.
    pub fn orders(&self) -> u32 {
        let n = self.by_customer.values().map(Vec::len).sum::<usize>() + self.unassigned.len();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The `startDate` query for a window ending `now`, with the given filter.
fn query(now: DateTime<Utc>, filter: AuditFilter) -> AuditQuery {
    AuditQuery {
        start_date: (now - Duration::minutes(WINDOW_MINUTES)).date_naive(),
        end_date: None,
        filter: Some(filter),
        size: PAGE_SIZE,
    }
}

/// Reads the `create_order` records of the last [`WINDOW_MINUTES`] for `customers` (ids in any
/// case). `Err` names the call that failed, which is its source.
pub async fn read(
    reader: &Reader,
    customers: &[String],
    now: DateTime<Utc>,
) -> Result<ActivityLog, ActivityLogError> {
    read_for(reader, customers, now, PER_CUSTOMER_MAX)
        .await
        .map(|(log, _)| log)
}

/// [`read`], reading per customer (one filtered query each, at the same time) for up to
/// `per_customer_max` customers and partner-wide (paged) above. Also returns how many records a
/// partner-wide read listed (0 for per-customer reads), so a caller can tell what the next
/// partner-wide read would cost in pages.
pub async fn read_for<I, S>(
    reader: &Reader,
    customers: I,
    now: DateTime<Utc>,
    per_customer_max: usize,
) -> Result<(ActivityLog, usize), ActivityLogError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let ids: BTreeSet<String> = customers
        .into_iter()
        .map(|c| c.as_ref().to_ascii_lowercase())
        .collect();
    let mut records = Vec::new();
    let mut listed = 0;
    if ids.len() <= per_customer_max {
        let reads = ids.iter().map(|id| async move {
            reader
                .list_audit_records(&query(now, AuditFilter::customer(id)))
                .await
                .map_err(|e| ActivityLogError::ForCustomer {
                    customer_id: id.clone(),
                    source: Arc::new(e),
                })
        });
        for got in futures::future::join_all(reads).await {
            records.extend(got?);
        }
    } else {
        records = reader
            .list_audit_records(&query(now, AuditFilter::resource_type("Order")))
            .await
            .map_err(|e| ActivityLogError::PartnerWide {
                source: Arc::new(e),
            })?;
        listed = records.len();
    }
    Ok((from_records(&records, &ids, now), listed))
}

/// Pages a partner-wide read of `records` records costs.
pub fn pages(records: usize) -> usize {
    records / PAGE_SIZE as usize + 1
}

/// The recent orders of `customers` (lower-case ids) among `records`, for a window ending `now`.
/// Records of failed or declined operations, of other operations, of other customers and of
/// cancelled orders are left out; a record dated in the future (clock skew) counts.
pub fn from_records(
    records: &[AuditRecord],
    customers: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> ActivityLog {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut log = ActivityLog {
        minutes: WINDOW_MINUTES as u32,
        ..ActivityLog::default()
    };
    let mut seen = BTreeSet::new();
    for r in records {
        if !r.is_create_order() || r.did_not_happen() {
            continue;
        }
        if r.operation_date.is_some_and(|d| d < since) {
            continue;
        }
        let order = r.order();
        if let Ok(Some(o)) = &order
            && o.status == Some(OrderStatus::Cancelled)
        {
            continue;
        }
        let customer = r
            .customer_id
            .as_deref()
            .or_else(|| {
                order
                    .as_ref()
                    .ok()?
                    .as_ref()?
                    .reference_customer_id
                    .as_deref()
            })
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty());
        if customer.as_ref().is_some_and(|c| !customers.contains(c)) {
            continue;
        }
        let recent = recent_order(r, order);
        // The same order reported twice (a per-customer read that also sees it, a retried page).
        if let Some(id) = &recent.order_id
            && !seen.insert((customer.clone(), id.to_ascii_lowercase()))
        {
            continue;
        }
        match customer {
            Some(c) => log.by_customer.entry(c).or_default().push(recent),
            None => log.unassigned.push(recent),
        }
    }
    log
}

fn recent_order(r: &AuditRecord, order: Result<Option<Order>, RecordOrderError>) -> RecentOrder {
    let from_json = order
        .as_ref()
        .ok()
        .and_then(|o| o.as_ref())
        .map(|o| o.id.trim().to_owned())
        .filter(|id| !id.is_empty());
    let order_id = from_json.or_else(|| r.customized("OrderId").map(str::to_owned));
    let lines = match order {
        Err(e) => Err(e.into()),
        Ok(None) => Err(UnreadableOrder::NoOrder),
        Ok(Some(o)) if o.line_items.is_empty() => Err(UnreadableOrder::NoLines),
        Ok(Some(o)) => o.line_items.iter().map(recent_line).collect(),
    };
    RecentOrder {
        order_id,
        at: r.operation_date,
        lines,
    }
}

fn recent_line(
    l: &crate::partner_center::wire::OrderLineItem,
) -> Result<RecentLine, UnreadableOrder> {
    let offer = l.offer_id.as_deref().unwrap_or_default().trim();
    let mut parts = offer.split(':');
    let not_an_offer = || UnreadableOrder::OfferId {
        offer: offer.to_owned(),
    };
    let (Some(p), Some(s)) = (parts.next(), parts.next()) else {
        return Err(not_an_offer());
    };
    if p.trim().is_empty() || s.trim().is_empty() {
        return Err(not_an_offer());
    }
    Ok(RecentLine {
        product_id: p.trim().to_ascii_uppercase(),
        sku_id: s.trim().to_owned(),
        quantity: l
            .quantity
            .map(|q| u32::try_from(q.max(0)).unwrap_or(u32::MAX)),
        subscription_id: l
            .context("subscriptionId")
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty()),
        scope: l.context("scope").as_deref().and_then(scope_from_wire),
        term: l
            .context("duration")
            .as_deref()
            .and_then(term_from_wire)
            .or_else(|| l.term_duration.as_deref().and_then(term_from_wire)),
    })
}

/// One customer's recent orders, attributed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    /// Order lines attributed to a declared item with certainty.
    pub pending: Vec<PendingPurchase>,
    /// Order lines (or whole records) that may be for a declared item.
    pub unattributed: Vec<UnattributedOrder>,
}

/// What the customer's observation already accounts for.
pub struct Known<'a> {
    /// The customer's declared items and their catalog resolution.
    pub resolutions: &'a [ItemResolution],
    /// What the customer owns (entitlements or completed orders).
    pub holdings: &'a [Holding],
    /// Lower-case ids of every order the journal reports for the customer (pending, visible or
    /// cancelled): the journal and orders-by-id already count them.
    pub journal_orders: &'a BTreeSet<String>,
}

/// Attributes one customer's recent orders. `named` is false for records that name no customer:
/// their lines can then only ever be doubts.
pub fn attribute(orders: &[RecentOrder], named: bool, known: &Known<'_>) -> Attribution {
    let mut out = Attribution::default();
    for o in orders {
        let id = o.order_id.as_deref().map(str::to_ascii_lowercase);
        if id
            .as_ref()
            .is_some_and(|i| known.journal_orders.contains(i))
        {
            continue;
        }
        let visible = |p: &str, s: &str| {
            id.as_deref().is_some_and(|i| {
                known.holdings.iter().any(|h| {
                    h.order_id.eq_ignore_ascii_case(i)
                        && h.product_id.eq_ignore_ascii_case(p)
                        && h.sku_id.eq_ignore_ascii_case(s)
                })
            })
        };
        let doubt = |product: Option<&RecentLine>, why: Doubt| UnattributedOrder {
            order_id: o.order_id.clone(),
            product_id: product.map(|l| l.product_id.clone()),
            sku_id: product.map(|l| l.sku_id.clone()),
            why: crate::error_chain::one_line(&why),
        };
        let lines = match &o.lines {
            Ok(lines) => lines,
            Err(why) => {
                let shown = id.as_deref().is_some_and(|i| {
                    known
                        .holdings
                        .iter()
                        .any(|h| h.order_id.eq_ignore_ascii_case(i))
                });
                if !shown {
                    out.unattributed.push(doubt(None, why.clone().into()));
                }
                continue;
            }
        };
        for line in lines {
            if visible(&line.product_id, &line.sku_id) {
                continue;
            }
            let candidates: Vec<&PurchaseKey> = known
                .resolutions
                .iter()
                .filter(|r| match &r.resolution {
                    Resolution::Found(ci) => {
                        ci.product_id.eq_ignore_ascii_case(&line.product_id)
                            && ci.sku_id.eq_ignore_ascii_case(&line.sku_id)
                    }
                    _ => false,
                })
                .map(|r| &r.key)
                .collect();
            if candidates.is_empty() {
                continue; // not a declared item: it will show as an unmanaged holding
            }
            let Some(quantity) = line.quantity else {
                out.unattributed.push(doubt(Some(line), Doubt::NoQuantity));
                continue;
            };
            if quantity == 0 {
                continue;
            }
            if !named {
                out.unattributed.push(doubt(Some(line), Doubt::NoCustomer));
                continue;
            }
            if o.order_id.is_none() {
                out.unattributed.push(doubt(Some(line), Doubt::NoOrderId));
                continue;
            }
            match certain_key(line, &candidates) {
                Ok(Some(key)) => out.pending.push(PendingPurchase {
                    order_id: o.order_id.clone(),
                    key: key.clone(),
                    product_id: line.product_id.clone(),
                    sku_id: line.sku_id.clone(),
                    quantity,
                }),
                Ok(None) => {} // certainly for an undeclared subscription, term or scope
                Err(why) => out.unattributed.push(doubt(Some(line), why)),
            }
        }
    }
    out
}

/// The declared item a line is certainly for (`Ok(None)`: certainly none of them), or why it
/// cannot be told.
fn certain_key<'k>(
    line: &RecentLine,
    candidates: &[&'k PurchaseKey],
) -> Result<Option<&'k PurchaseKey>, Doubt> {
    let reservation_context = line.subscription_id.is_some() || line.scope.is_some();
    // Exhaustive on purpose: a new kind of purchase must say here how its recent orders are
    // attributed (until then it does not compile, rather than silently count nothing).
    let (mut software, mut reservations) = (Vec::new(), Vec::new());
    for k in candidates.iter().copied() {
        match k {
            PurchaseKey::Software { .. } => software.push(k),
            PurchaseKey::Reservation { .. } => reservations.push(k),
            // A record does not carry the commitment a savings plan bought, so it cannot be
            // counted: fail closed (the plan's purchase waits until the order is held).
            PurchaseKey::SavingsPlan { .. } => {
                return Err(Doubt::SavingsPlanCommitment);
            }
        }
    }
    if !reservation_context && !software.is_empty() {
        return match software.as_slice() {
            [one] if reservations.is_empty() => Ok(Some(one)),
            _ => Err(Doubt::SameProductAndSku),
        };
    }
    let compatible: Vec<&PurchaseKey> = reservations
        .into_iter()
        .filter(|k| {
            let PurchaseKey::Reservation {
                subscription_id,
                term,
                scope,
                ..
            } = k
            else {
                return false;
            };
            line.subscription_id
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(subscription_id))
                && line.term.is_none_or(|t| t == *term)
                && line.scope.is_none_or(|s| s == *scope)
        })
        .collect();
    if compatible.is_empty() {
        return Ok(None);
    }
    let mut missing = Vec::new();
    if line.subscription_id.is_none() {
        missing.push("subscriptionId");
    }
    if line.scope.is_none() {
        missing.push("scope");
    }
    if line.term.is_none() {
        missing.push("term");
    }
    match (missing.is_empty(), compatible.as_slice()) {
        (true, [one]) => Ok(Some(one)),
        (true, _) => Err(Doubt::SeveralMatch),
        (false, _) => Err(Doubt::NoContext { missing }),
    }
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;
