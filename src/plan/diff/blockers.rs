//! Why a shortfall cannot be bought: every pre-flight reason becomes a `blocked` (or `error`)
//! row with one sentence naming the cause; and the non-blocking caveats of purchase rows.

use super::customer::CustomerDiff;
use crate::kinds::Item;
use crate::manifest::SubscriptionKind;
use crate::plan::markets::market_available;
use crate::plan::model::Action;
use crate::plan::observed::{
    InFlightUnknown, Inventory, ObservedSubscription, Registration, Resolution, SubscriptionStatus,
};

fn kind_words(k: SubscriptionKind) -> &'static str {
    match k {
        SubscriptionKind::AzurePlan => "azure-plan",
        SubscriptionKind::Legacy => "legacy MS-AZR-0145P",
    }
}

/// Why an item cannot be bought: the row's action (`blocked` or `error`), the reason, and whether
/// the block is one `blocked_ok` may acknowledge — the product is not sold in the customer's
/// market or its inventory is restricted. Every other block (a subscription problem, quantities,
/// limits, orders that cannot be ruled out, credentials, the catalog) still fails the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    pub action: Action,
    pub reason: String,
    pub acknowledgeable: bool,
}

impl Block {
    fn new(action: Action, reason: String, acknowledgeable: bool) -> Self {
        Block {
            action,
            reason,
            acknowledgeable,
        }
    }
}

impl CustomerDiff<'_> {
    pub(super) fn subscription_problem(
        &self,
        id: &str,
        declared: SubscriptionKind,
        obs: Option<&ObservedSubscription>,
    ) -> Option<String> {
        let label = self.dc.label();
        match obs {
            None => Some(format!(
                "subscription {id} was not found for customer {label} in Partner Center"
            )),
            Some(s) if s.status != SubscriptionStatus::Active => Some(format!(
                "subscription {id} is {}, not active",
                s.status.as_str()
            )),
            Some(s) if s.kind != declared => Some(format!(
                "subscription {id} is declared {} but Partner Center says {}",
                kind_words(declared),
                kind_words(s.kind)
            )),
            Some(_) => None,
        }
    }

    /// Why the shortfall of an item cannot be bought, if anything stops it.
    pub(super) fn blocker(
        &self,
        item: &Item<'_>,
        res: Option<&Resolution>,
        sub_problem: Option<&str>,
        shortfall: u32,
    ) -> Option<Block> {
        let blocked = |s: String| Some(Block::new(Action::Blocked, s, false));
        // The product is not to be had here at all: a block `blocked_ok` may acknowledge.
        let unavailable = |s: String| Some(Block::new(Action::Blocked, s, true));
        let what = item.kind().sold_phrase();
        let market = format!(
            "customer {} is in {}, where {what} not sold",
            self.dc.label(),
            self.oc.country
        );
        if !market_available(&self.oc.country) {
            return unavailable(market);
        }
        if let Some(p) = sub_problem {
            return blocked(p.to_owned());
        }
        let ci = match res {
            None => {
                return Some(Block::new(
                    Action::Error,
                    "the catalog was not searched for this item".to_owned(),
                    false,
                ));
            }
            Some(Resolution::Error(e)) => {
                return Some(Block::new(
                    Action::Error,
                    format!("reading the catalog failed: {e}"),
                    false,
                ));
            }
            Some(Resolution::NeedsAppUser) => {
                return blocked(
                    "verifying this product needs App+User credentials \
                     (set PARTNER_CENTER_REFRESH_TOKEN); the run used app-only"
                        .to_owned(),
                );
            }
            // A typo in the manifest, not a market or inventory block: an `error` naming where
            // the item is declared (`blocked_ok` cannot acknowledge it).
            Some(Resolution::NotFound {
                searched,
                suggestions,
            }) => {
                let mut s = format!("{}: no SKU in the catalog for {searched}", item.source());
                if suggestions.is_empty() {
                    s.push_str("; `reservoir catalog search` lists what the customer can buy");
                } else {
                    s.push_str(&format!("; close matches: {}", suggestions.join(", ")));
                }
                return Some(Block::new(Action::Error, s, false));
            }
            Some(Resolution::MarketUnavailable) => return unavailable(market),
            Some(Resolution::Ambiguous { reason }) => return blocked(reason.clone()),
            Some(Resolution::Found(ci)) => ci,
        };
        if let Inventory::Restricted { reason } = &ci.inventory {
            return unavailable(format!(
                "inventory is restricted for {}: {reason}",
                ci.title
            ));
        }
        if let Err(reason) = item.billing_cycle(&ci.billing_cycles) {
            return blocked(reason.to_string());
        }
        // Holdings read from one-time orders (app-only credentials) cannot see a monthly-billed
        // purchase later: buying one would make the next plan buy it again.
        if self.oc.holdings_source == crate::plan::observed::HoldingsSource::Orders
            && item.billing() == crate::prices::money::BillingPlan::Monthly
        {
            return blocked(
                "billing: monthly needs App+User credentials: holdings are read from one-time \
                 orders (app-only), which do not list monthly-billed purchases, so a later plan \
                 could not see this one"
                    .to_owned(),
            );
        }
        let kind = item.kind();
        if shortfall < ci.min_quantity {
            return blocked(format!(
                "buying {} is below the SKU's minimum of {}",
                kind.amount_phrase(shortfall),
                kind.amount(ci.min_quantity)
            ));
        }
        if shortfall > ci.max_quantity {
            return blocked(format!(
                "buying {} is above the SKU's maximum of {}",
                kind.amount_phrase(shortfall),
                kind.amount(ci.max_quantity)
            ));
        }
        if let Some(max) = self.limits.max_units_per_item
            && kind.units_bought(shortfall) > max
        {
            return blocked(format!(
                "buying {} exceeds limits.max_units_per_item ({max})",
                kind.amount_phrase(shortfall)
            ));
        }
        if let Some(why) = &self.oc.in_flight_unknown
            && why.blocks(&ci.product_id, &ci.sku_id)
        {
            return blocked(in_flight_reason(why, &ci.product_id, &ci.sku_id));
        }
        None
    }
}

/// Why a purchase of `product`/`sku` is blocked when in-flight orders cannot be ruled out or
/// attributed: one sentence with one hint.
pub(super) fn in_flight_reason(why: &InFlightUnknown, product: &str, sku: &str) -> String {
    match why {
        InFlightUnknown::JournalUnreadable => "orders placed in the last 15 minutes cannot be \
             ruled out (the purchase journal is unreadable); wait 15 minutes and run plan again \
             once the order list has caught up"
            .to_owned(),
        InFlightUnknown::ActivityLogUnreadable { error } => format!(
            "orders placed in the last 30 minutes by other runs, tools or the portal cannot be \
             ruled out: reading the partner activity log failed ({error}); fix access to \
             GET /v1/auditrecords or run plan again"
        ),
        InFlightUnknown::Unattributed { orders } => {
            let which: Vec<String> = orders
                .iter()
                .filter(|o| o.may_be(product, sku))
                .map(|o| {
                    format!(
                        "order {} ({})",
                        o.order_id.as_deref().unwrap_or("without an id"),
                        o.why
                    )
                })
                .collect();
            format!(
                "a recent order in the partner activity log may be for this item but cannot be \
                 attributed with certainty: {}; run plan again once it shows in entitlements",
                which.join("; ")
            )
        }
    }
}

/// A non-blocking remark on a purchase row.
pub(super) fn purchase_caveat(
    item: &Item<'_>,
    res: Option<&Resolution>,
    obs_sub: Option<&ObservedSubscription>,
) -> Option<String> {
    let mut notes = Vec::new();
    if item.kind().needs_registration()
        && let Some(s) = obs_sub
    {
        match s.registration {
            Registration::NotRegistered => {
                notes.push("apply registers the subscription first".to_owned())
            }
            Registration::Registering => {
                notes.push("the subscription is still registering; apply waits".to_owned())
            }
            _ => {}
        }
    }
    if let Some(Resolution::Found(ci)) = res
        && ci.inventory == Inventory::Unknown
    {
        notes.push("inventory not checked yet; the cart checks it when apply buys".to_owned());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}
