//! Observing one customer: its country, subscriptions, registrations, the catalog resolution of
//! its declared items, its holdings and its pending purchases. The customer's profile, its
//! subscriptions and its entitlements are read at the same time; the country and `Registered`
//! statuses come from the store's cache when known ([`super::facts`]). Items resolve to their
//! SKUs; availabilities are read, and inventory checked, only for the items the customer's plan
//! wants to buy ([`super::shortfall`]). Any failed read that the plan
//! cannot do without makes the whole customer `Failed`, with one line naming the call
//! ([`error::CustomerError`]).
//!
//! This file runs the steps; [`reads`] reads the profile and subscriptions and resolves the
//! declared items, [`owned`] reads the holdings, [`in_flight`] the pending purchases.

mod error;
mod in_flight;
mod owned;
mod reads;

use super::Reader;
use super::activity::{ActivityLog, ActivityLogError};
use super::facts::Facts;
use super::holdings;
use super::order_cache::OrderCache;
use super::pending::PendingSource;
use crate::catalog::Catalog;
use crate::kinds;
use crate::kinds::savings_plan::observed::UnreadableSavingsPlan;
use crate::manifest::DesiredCustomer;
use crate::plan::{
    CredentialsKind, CustomerObservation, HoldingsSource, ObservedCustomer, ObservedSubscription,
};
pub(crate) use error::CustomerError;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32};

/// The observed subscriptions by lower-case id, and the savings-plan holdings among them (or
/// why they cannot be read).
type SubscriptionsRead = (
    BTreeMap<String, ObservedSubscription>,
    Result<Vec<crate::plan::Holding>, UnreadableSavingsPlan>,
);

pub(super) struct Context<'a> {
    pub reader: &'a Reader,
    /// Cached customer profiles and registrations.
    pub facts: &'a Facts,
    pub catalog: &'a Catalog,
    pub journal: &'a dyn PendingSource,
    pub cache: &'a OrderCache,
    /// The run's read of the partner activity log, or why it failed.
    pub activity: &'a Result<ActivityLog, ActivityLogError>,
    /// Journalled orders fetched by id (for the witness line).
    pub orders_by_id: AtomicU32,
    /// Set when the journal could not be read for some customer.
    pub journal_unreadable: AtomicBool,
    /// When the observation started (the diff that picks which items want their availability
    /// measures expiry against it, as the plan's diff does).
    pub observed_at: chrono::DateTime<chrono::Utc>,
    /// Who checks the inventory of the items to buy.
    pub inventory: super::InventoryCheck,
    /// When each customer's observation finished (the client's clock), by lower-case id.
    pub finished: std::sync::Mutex<BTreeMap<String, std::time::Duration>>,
    /// Why each failed customer could not be observed, by lower-case id.
    pub failures: std::sync::Mutex<BTreeMap<String, CustomerError>>,
}

impl Context<'_> {
    /// A customer whose read failed: its row shows the error and its causes on one line; the
    /// error itself is kept for a caller that reports it ([`super::ObservedRun::failures`]).
    fn failed(&self, customer_id: String, e: CustomerError) -> CustomerObservation {
        let error = crate::error_chain::one_line(&e);
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(customer_id.clone(), e);
        CustomerObservation::Failed { customer_id, error }
    }

    pub(super) async fn observe(&self, dc: &DesiredCustomer) -> CustomerObservation {
        let observed = self.observe_customer(dc).await;
        self.finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dc.id.to_ascii_lowercase(), self.reader.clock().now());
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
            Err(e) => return self.failed(id, e),
        };
        let country = profile.country.clone();
        let (subscriptions, savings_plans) = match subscriptions {
            Ok(s) => s,
            Err(e) => return self.failed(id, e),
        };
        let savings_plans = match savings_plans {
            Ok(h) => h,
            Err(e) => return self.failed(id, e.into()),
        };

        let resolutions = self.resolve(dc, &country, &subscriptions).await;

        let listed = match listed {
            Ok(l) => l,
            Err(e) => return self.failed(id, e),
        };
        let (holdings, source) = match self.holdings(&id, &country, listed).await {
            Ok(h) => h,
            Err(e) => return self.failed(id, e),
        };
        if let Some(e) =
            holdings::first_conflict(&holdings.uncertain, &kinds::items(dc), &dc.id, &resolutions)
        {
            tracing::warn!("{e}");
            return self.failed(id, e.into());
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
        super::shortfall::complete(
            self.catalog,
            self.observed_at,
            self.inventory,
            dc,
            &mut observed,
        )
        .await;
        CustomerObservation::Observed(observed)
    }
}
