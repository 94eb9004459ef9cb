//! A customer's profile, subscriptions (with their registrations and the savings plans among
//! them) and the catalog resolution of its declared items.

use super::error::CustomerError;
use super::{Context, SubscriptionsRead};
use crate::catalog::{Buyer, Freshness};
use crate::kinds;
use crate::manifest::{DesiredCustomer, DesiredSubscription};
use crate::observe::facts::CustomerProfile;
use crate::observe::wire_values::kind_from_offer_id;
use crate::plan::{ItemResolution, ObservedSubscription, Registration, SubscriptionStatus};
use std::collections::{BTreeMap, BTreeSet};

impl Context<'_> {
    /// The customer's country and company name: from the store's cache, else
    /// `GET /v1/customers/{id}` (then cached).
    pub(super) async fn profile(&self, id: &str) -> Result<CustomerProfile, CustomerError> {
        if let Some(p) = self.facts.profile(id).await {
            return Ok(p);
        }
        let customer = self
            .reader
            .get_customer(id)
            .await
            .map_err(CustomerError::Profile)?;
        let Some(country) = customer.country().map(|c| c.trim().to_ascii_uppercase()) else {
            return Err(CustomerError::NoCountry);
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
    pub(super) async fn subscriptions(
        &self,
        id: &str,
        dc: &DesiredCustomer,
    ) -> Result<SubscriptionsRead, CustomerError> {
        let mut out = BTreeMap::new();
        let listed = self
            .reader
            .list_subscriptions(id)
            .await
            .map_err(CustomerError::Subscriptions)?;
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
    pub(super) async fn resolve(
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
}
