//! Observing one customer: its country, subscriptions, registrations, the catalog resolution of
//! its declared items, its holdings and its pending purchases. The customer's profile, its
//! subscriptions and its entitlements are read at the same time; the country and `Registered`
//! statuses come from the store's cache when known ([`super::facts`]). Items resolve to their
//! SKUs; availabilities are read, and inventory checked, only for the items the customer's plan
//! wants to buy ([`super::shortfall`]). Any failed read that the plan
//! cannot do without makes the whole customer `Failed`, with one line naming the call.

use super::Reader;
use super::activity::{self, ActivityLog, Known};
use super::facts::{CustomerProfile, Facts};
use super::holdings::{self, Orders};
use super::order_cache::OrderCache;
use super::pending::{PendingSource, split_catalog_item};
use super::wire_values::kind_from_offer_id;
use crate::catalog::{Buyer, Catalog, Freshness};
use crate::kinds;
use crate::manifest::{DesiredCustomer, DesiredSubscription};
use crate::partner_center::wire::{Entitlement, Order};
use crate::partner_center::{ApiError, CredentialsKind as ClientCredentials};
use crate::plan::{
    CredentialsKind, CustomerObservation, HoldingsSource, InFlightUnknown, ItemResolution,
    ObservedCustomer, ObservedSubscription, PendingPurchase, Registration, SubscriptionStatus,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The observed subscriptions by lower-case id, and the savings-plan holdings among them (or
/// why they cannot be read).
type SubscriptionsRead = (
    BTreeMap<String, ObservedSubscription>,
    Result<Vec<crate::plan::Holding>, String>,
);

/// What was listed to find the customer's holdings.
enum Listed {
    Entitlements(Vec<Entitlement>),
    Orders(Vec<Order>),
}

pub(super) struct Context<'a> {
    pub reader: &'a Reader,
    /// Cached customer profiles and registrations.
    pub facts: &'a Facts,
    pub catalog: &'a Catalog,
    pub journal: &'a dyn PendingSource,
    pub cache: &'a OrderCache,
    /// The run's read of the partner activity log, or why it failed.
    pub activity: &'a Result<ActivityLog, String>,
    /// Journalled orders fetched by id (for the witness line).
    pub orders_by_id: AtomicU32,
    /// Set when the journal could not be read for some customer.
    pub journal_unreadable: AtomicBool,
    /// When the observation started (the diff that picks which items want their availability
    /// measures expiry against it, as the plan's diff does).
    pub observed_at: chrono::DateTime<chrono::Utc>,
    /// When each customer's observation finished, by lower-case id.
    pub finished: std::sync::Mutex<BTreeMap<String, std::time::Instant>>,
}

/// A failed read: what was being read, and the error.
fn failed(customer_id: &str, what: &str, e: impl std::fmt::Display) -> CustomerObservation {
    CustomerObservation::Failed {
        customer_id: customer_id.to_owned(),
        error: format!("{what}: {e}"),
    }
}

impl Context<'_> {
    pub(super) async fn observe(&self, dc: &DesiredCustomer) -> CustomerObservation {
        let observed = self.observe_customer(dc).await;
        self.finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dc.id.to_ascii_lowercase(), std::time::Instant::now());
        observed
    }

    async fn observe_customer(&self, dc: &DesiredCustomer) -> CustomerObservation {
        let id = dc.id.to_ascii_lowercase();
        tracing::info!("observing customer {}", dc.label());
        // Independent reads overlap: the profile (cached after the first run), the
        // subscriptions with their registrations, and the entitlements (or one-time orders).
        let subscriptions = async {
            if dc.subscriptions.is_empty() && dc.savings_plans.is_empty() {
                Ok((BTreeMap::new(), Ok(Vec::new())))
            } else {
                self.subscriptions(&id, dc).await
            }
        };
        let (profile, subscriptions, listed) =
            tokio::join!(self.profile(&id), subscriptions, self.list_holdings(&id));
        let profile = match profile {
            Ok(p) => p,
            Err(e) => return failed(&id, "reading the customer", e),
        };
        let country = profile.country.clone();
        let (subscriptions, savings_plans) = match subscriptions {
            Ok(s) => s,
            Err(e) => return failed(&id, "reading subscriptions", e),
        };
        let savings_plans = match savings_plans {
            Ok(h) => h,
            Err(error) => {
                return CustomerObservation::Failed {
                    customer_id: id,
                    error,
                };
            }
        };

        let resolutions = self.resolve(dc, &country, &subscriptions).await;

        let listed = match listed {
            Ok(l) => l,
            Err(error) => {
                return CustomerObservation::Failed {
                    customer_id: id,
                    error,
                };
            }
        };
        let (holdings, source) = match self.holdings(&id, &country, listed).await {
            Ok(h) => h,
            Err(e) => {
                return CustomerObservation::Failed {
                    customer_id: id,
                    error: e,
                };
            }
        };
        if let Some(e) =
            holdings::first_conflict(&holdings.uncertain, &kinds::items(dc), &dc.id, &resolutions)
        {
            tracing::warn!("{e}");
            return CustomerObservation::Failed {
                customer_id: id,
                error: e.to_string(),
            };
        }
        let mut holdings = holdings.list;
        holdings.extend(savings_plans);

        let (pending, in_flight_unknown) = self.pending(&id, &holdings, &resolutions).await;

        let mut observed = ObservedCustomer {
            id,
            company_name: profile.company_name,
            country,
            subscriptions,
            holdings,
            holdings_source: source,
            credentials: match source {
                HoldingsSource::Orders => CredentialsKind::AppOnly,
                HoldingsSource::Entitlements => CredentialsKind::AppUser,
            },
            pending,
            in_flight_unknown,
            resolutions,
        };
        super::shortfall::complete(self.catalog, self.observed_at, dc, &mut observed).await;
        CustomerObservation::Observed(observed)
    }

    /// The customer's country and company name: from the store's cache, else
    /// `GET /v1/customers/{id}` (then cached).
    async fn profile(&self, id: &str) -> Result<CustomerProfile, String> {
        if let Some(p) = self.facts.profile(id).await {
            return Ok(p);
        }
        let customer = self
            .reader
            .get_customer(id)
            .await
            .map_err(|e| e.to_string())?;
        let Some(country) = customer.country().map(|c| c.trim().to_ascii_uppercase()) else {
            return Err("Partner Center gives no country in its billing profile".to_owned());
        };
        let profile = CustomerProfile {
            country,
            company_name: customer.company_profile.and_then(|p| p.company_name),
        };
        self.facts.put_profile(id, &profile).await;
        Ok(profile)
    }

    /// The customer's Azure subscriptions (legacy and Azure plan), with the registration status
    /// of every active declared subscription of the declared kind with items that need it; and
    /// the savings plans among them (read from the same answer), or why they cannot be read.
    async fn subscriptions(
        &self,
        id: &str,
        dc: &DesiredCustomer,
    ) -> Result<SubscriptionsRead, ApiError> {
        let mut out = BTreeMap::new();
        let listed = self.reader.list_subscriptions(id).await?;
        let savings_plans = kinds::savings_plan::observed::holdings(id, &listed);
        for s in listed {
            let Some(kind) = s.offer_id.as_deref().and_then(kind_from_offer_id) else {
                continue;
            };
            let sid = s.id.trim().to_ascii_lowercase();
            let status = s
                .status
                .as_ref()
                .map_or(SubscriptionStatus::Other("unknown".into()), |st| {
                    SubscriptionStatus::from_wire(st.as_str())
                });
            out.insert(
                sid.clone(),
                ObservedSubscription {
                    id: sid,
                    status,
                    kind,
                    registration: Registration::Unknown,
                },
            );
        }
        let wanted: Vec<&DesiredSubscription> = dc
            .subscriptions
            .iter()
            .filter(|ds| kinds::needs_registration(dc, &ds.id))
            .filter(|ds| {
                out.get(&ds.id.to_ascii_lowercase())
                    .is_some_and(|o| o.status == SubscriptionStatus::Active && o.kind == ds.kind)
            })
            .collect();
        // `Registered` never reverts: a subscription the cache knows as registered is not asked.
        let answers = futures::future::join_all(wanted.iter().map(|ds| async move {
            let sid = ds.id.to_ascii_lowercase();
            if self.facts.registered(id, &sid).await {
                return (sid, Ok(Registration::Registered));
            }
            let r = self.reader.get_registration_status(id, &ds.id).await;
            let r = r.map(|st| Registration::from_wire(st.status.as_str()));
            if matches!(r, Ok(Registration::Registered)) {
                self.facts.put_registered(id, &sid).await;
            }
            (sid, r)
        }))
        .await;
        for (sid, r) in answers {
            match r {
                Ok(registration) => {
                    if let Some(o) = out.get_mut(&sid) {
                        o.registration = registration;
                    }
                }
                Err(e) => {
                    tracing::warn!("registration status of subscription {sid} unknown: {e}")
                }
            }
        }
        Ok((out, savings_plans))
    }

    /// The catalog resolution of every declared item. Items of a subscription that is missing,
    /// inactive or of the other kind are not resolved (the diff blocks them first).
    async fn resolve(
        &self,
        dc: &DesiredCustomer,
        country: &str,
        subscriptions: &BTreeMap<String, ObservedSubscription>,
    ) -> Vec<ItemResolution> {
        let buyer = Buyer {
            customer_id: &dc.id,
            country,
        };
        let usable: BTreeSet<String> = dc
            .subscriptions
            .iter()
            .filter(|ds| {
                subscriptions
                    .get(&ds.id.to_ascii_lowercase())
                    .is_some_and(|o| o.status == SubscriptionStatus::Active && o.kind == ds.kind)
            })
            .map(|ds| ds.id.to_ascii_lowercase())
            .collect();
        // A savings plan is bought on an active Azure plan subscription it need not declare.
        let azure_plan = |s: &str| {
            subscriptions.get(s).is_some_and(|o| {
                o.status == SubscriptionStatus::Active
                    && o.kind == crate::manifest::SubscriptionKind::AzurePlan
            })
        };
        let items: Vec<_> = kinds::items(dc)
            .into_iter()
            .filter(|i| {
                i.subscription_id().is_none_or(|s| {
                    usable.contains(&s) || (i.kind() == kinds::Kind::SavingsPlan && azure_plan(&s))
                })
            })
            .collect();
        futures::future::join_all(items.into_iter().map(|item| async move {
            ItemResolution {
                key: item.key(&dc.id),
                resolution: item
                    .resolve(self.catalog, buyer, Freshness::DeferAvailability)
                    .await,
            }
        }))
        .await
    }

    /// The customer's entitlements, or its one-time orders when the credentials are app-only
    /// (known up front, or learnt from a 403/900329).
    async fn list_holdings(&self, id: &str) -> Result<Listed, String> {
        if self.reader.credentials_kind() != ClientCredentials::AppOnly {
            match self.reader.list_all_entitlements(id).await {
                Ok(ents) => return Ok(Listed::Entitlements(ents)),
                Err(ApiError::AppUserRequired { .. }) => {
                    tracing::info!(
                        "entitlements of {id} need App+User credentials; reading one-time orders"
                    );
                }
                Err(e) => return Err(format!("reading entitlements: {e}")),
            }
        }
        self.reader
            .list_one_time_orders(id)
            .await
            .map(Listed::Orders)
            .map_err(|e| format!("reading one-time orders: {e}"))
    }

    /// Holdings from the listed entitlements (orders fetched by id to attribute them, unless
    /// cached) or one-time orders. A malformed answer is an error naming the call and the field.
    async fn holdings(
        &self,
        id: &str,
        country: &str,
        listed: Listed,
    ) -> Result<(holdings::Holdings, HoldingsSource), String> {
        let orders = Orders {
            reader: self.reader,
            cache: self.cache,
            customer_id: id,
        };
        // The catalog's views may be partial (read for the declared items): list the products
        // the holdings name, so their SKU facts are known as with whole views.
        let products: BTreeSet<String> = match &listed {
            Listed::Entitlements(ents) => ents
                .iter()
                .filter_map(|e| e.product_id.as_deref())
                .map(|p| p.trim().to_ascii_uppercase())
                .collect(),
            Listed::Orders(list) => list
                .iter()
                .flat_map(|o| &o.line_items)
                .filter_map(|l| l.offer_id.as_deref())
                .filter_map(|o| o.split(':').next())
                .map(|p| p.trim().to_ascii_uppercase())
                .collect(),
        };
        self.catalog.cover(country, &products).await;
        let list = match listed {
            Listed::Entitlements(ents) => {
                let ids = holdings::orders_to_attribute(&ents);
                let by_id = orders
                    .by_id(ids, true)
                    .await
                    .map_err(|(o, e)| format!("reading order {o}: {e}"))?;
                let h = holdings::from_entitlements(id, &ents, &by_id, self.catalog)
                    .map_err(|e| e.to_string())?;
                return Ok((h, HoldingsSource::Entitlements));
            }
            Listed::Orders(list) => list,
        };
        let summaries: Vec<_> = list
            .iter()
            .map(super::order_cache::OrderSummary::from_wire)
            .collect();
        let summaries = holdings::distinct_orders(id, summaries).map_err(|e| e.to_string())?;
        for o in &summaries {
            self.cache.put(id, o).await;
        }
        let mut product_kinds = BTreeMap::new();
        for p in holdings::products_to_classify(&summaries, self.catalog) {
            let kind = match self.catalog.product_type(country, &p).await {
                Ok(t) => t.as_ref().and_then(kinds::kind_of_product_type),
                Err(e) => {
                    tracing::warn!("the catalog type of product {p} is unknown: {e}");
                    None
                }
            };
            product_kinds.insert(p, kind);
        }
        let h = holdings::from_orders(id, &summaries, self.catalog, &product_kinds)
            .map_err(|e| e.to_string())?;
        Ok((h, HoldingsSource::Orders))
    }

    /// Purchases not yet visible in holdings, from the journal and the activity log (a unit
    /// counts once: activity-log orders the journal reports are left to the journal). Journalled
    /// orders are checked by id: cancelled ones drop out; any other state (or a failed check)
    /// stays pending. Returns why in-flight orders cannot be ruled out or attributed, if so (the
    /// journal is unreadable or names an unattributable purchase, the activity log could not be
    /// read, or a recent order cannot be attributed with certainty).
    async fn pending(
        &self,
        id: &str,
        holdings: &[crate::plan::Holding],
        resolutions: &[ItemResolution],
    ) -> (Vec<PendingPurchase>, Option<InFlightUnknown>) {
        let entries = match self.journal.pending(id).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("{e}");
                self.journal_unreadable.store(true, Ordering::Relaxed);
                return (Vec::new(), Some(InFlightUnknown::JournalUnreadable));
            }
        };
        let journal_orders: BTreeSet<String> = entries
            .iter()
            .filter_map(|e| e.order_id.as_deref())
            .map(str::to_ascii_lowercase)
            .collect();
        let (mut out, journal_doubt) = self.journalled(id, holdings, entries).await;
        if journal_doubt {
            return (out, Some(InFlightUnknown::JournalUnreadable));
        }
        let log = match self.activity {
            Ok(log) => log,
            Err(error) => {
                let why = InFlightUnknown::ActivityLogUnreadable {
                    error: error.clone(),
                };
                return (out, Some(why));
            }
        };
        let known = Known {
            resolutions,
            holdings,
            journal_orders: &journal_orders,
        };
        let mine = log
            .by_customer
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let named = activity::attribute(mine, true, &known);
        let unassigned = activity::attribute(&log.unassigned, false, &known);
        out.extend(named.pending);
        let mut doubts = named.unattributed;
        doubts.extend(unassigned.unattributed);
        let why = (!doubts.is_empty()).then_some(InFlightUnknown::Unattributed { orders: doubts });
        (out, why)
    }

    /// The journal's unsettled lines not yet visible as holdings; `true` when a line names no
    /// declared item (in-flight orders of the customer cannot then be ruled out).
    async fn journalled(
        &self,
        id: &str,
        holdings: &[crate::plan::Holding],
        entries: Vec<super::JournalEntry>,
    ) -> (Vec<PendingPurchase>, bool) {
        let visible: BTreeSet<&str> = holdings.iter().map(|h| h.order_id.as_str()).collect();
        let mut unknown = false;
        let mut to_check = BTreeSet::new();
        for e in &entries {
            if let Some(o) = &e.order_id
                && !visible.contains(o.as_str())
            {
                to_check.insert(o.clone());
            }
        }
        let mut cancelled = BTreeSet::new();
        let orders = Orders {
            reader: self.reader,
            cache: self.cache,
            customer_id: id,
        };
        for o in to_check {
            self.orders_by_id.fetch_add(1, Ordering::Relaxed);
            match orders.by_id(BTreeSet::from([o.clone()]), false).await {
                Ok(found) => {
                    if found.get(&o).is_some_and(|s| s.is_cancelled()) {
                        cancelled.insert(o);
                    }
                }
                Err((_, e)) => tracing::warn!("checking journalled order {o}: {e}"),
            }
        }
        let mut out = Vec::new();
        for e in entries {
            if e.order_id
                .as_deref()
                .is_some_and(|o| visible.contains(o) || cancelled.contains(o))
            {
                continue;
            }
            let Some(key) = e.key else {
                unknown = true;
                continue;
            };
            let (product_id, sku_id) = split_catalog_item(&e.catalog_item_id);
            out.push(PendingPurchase {
                order_id: e.order_id,
                key,
                product_id,
                sku_id,
                quantity: e.quantity,
            });
        }
        (out, unknown)
    }
}
