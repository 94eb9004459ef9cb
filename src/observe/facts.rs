//! Stable facts about customers kept in the state store's [`Cache`], so a repeat run does not read
//! them again (DESIGN §8):
//!
//! * `customers/<customer>` → `profile`: the customer's country and company name (a customer's
//!   country does not change; the entry still expires after [`PROFILE_TTL`] so a renamed company
//!   shows up eventually).
//! * `registrations/<customer>` → `<subscription>`: a subscription known to be `Registered`
//!   (registration never reverts, so the entry never expires). Other statuses are not cached:
//!   they are read again until they become `Registered`.
//!
//! A cache is an optimisation: any failure reads as a miss and is never fatal.

use crate::store::{Cache, CacheEntry};
use crate::time::Clock;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How long a cached customer profile is trusted.
pub const PROFILE_TTL: chrono::Duration = chrono::Duration::days(30);

/// What `observe` needs from `GET /v1/customers/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProfile {
    /// Upper-case ISO country.
    pub country: String,
    pub company_name: Option<String>,
}

/// The customer facts over a store's cache.
#[derive(Clone)]
pub struct Facts {
    cache: Arc<dyn Cache>,
    /// Expiry is decided on this clock's wall time.
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts").finish_non_exhaustive()
    }
}

/// The id itself when it is a plain name, else a hash of it.
fn safe(id: &str) -> String {
    crate::store::cache::plain_or_hashed(&id.trim().to_ascii_lowercase())
}

const REGISTERED: &str = "Registered";

impl Facts {
    /// The facts in `cache`, expiring on `clock`.
    pub fn over(cache: Arc<dyn Cache>, clock: Arc<dyn Clock>) -> Self {
        Facts { cache, clock }
    }

    /// The cached profile of a customer, if present and not expired.
    pub async fn profile(&self, customer_id: &str) -> Option<CustomerProfile> {
        let v = self
            .cache
            .get(
                &format!("customers/{}", safe(customer_id)),
                "profile",
                self.clock.wall(),
            )
            .await
            .ok()??;
        serde_json::from_value(v).ok()
    }

    /// Remembers a customer's profile.
    pub async fn put_profile(&self, customer_id: &str, profile: &CustomerProfile) {
        let Ok(value) = serde_json::to_value(profile) else {
            return;
        };
        let entry = CacheEntry {
            expires_at: Some(self.clock.wall() + PROFILE_TTL),
            value,
        };
        let ns = format!("customers/{}", safe(customer_id));
        if let Err(e) = self.cache.put(&ns, "profile", &entry).await {
            tracing::warn!("cannot cache the profile of customer {customer_id}: {e}");
        }
    }

    /// Whether a subscription is known to be `Registered`.
    pub async fn registered(&self, customer_id: &str, subscription_id: &str) -> bool {
        let ns = format!("registrations/{}", safe(customer_id));
        matches!(
            self.cache
                .get(&ns, &safe(subscription_id), self.clock.wall())
                .await,
            Ok(Some(v)) if v.as_str() == Some(REGISTERED)
        )
    }

    /// Remembers that a subscription is `Registered` (it never reverts).
    pub async fn put_registered(&self, customer_id: &str, subscription_id: &str) {
        let ns = format!("registrations/{}", safe(customer_id));
        let entry = CacheEntry {
            expires_at: None,
            value: serde_json::Value::String(REGISTERED.to_owned()),
        };
        if let Err(e) = self.cache.put(&ns, &safe(subscription_id), &entry).await {
            tracing::warn!("cannot cache the registration of {subscription_id}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn profiles_and_registrations_round_trip_in_a_directory_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let facts = Facts::over(
            Arc::new(crate::store::dir::DirCache::new(dir.path())),
            crate::time::system(),
        );
        assert_eq!(facts.profile("C1").await, None);
        let p = CustomerProfile {
            country: "US".into(),
            company_name: Some("Contoso".into()),
        };
        facts.put_profile("C1", &p).await;
        assert_eq!(facts.profile("c1").await, Some(p));
        assert!(!facts.registered("c1", "S1").await);
        facts.put_registered("C1", "s1").await;
        assert!(facts.registered("c1", "S1").await);
        assert!(!facts.registered("c2", "s1").await, "per customer");
    }

    #[tokio::test]
    async fn a_profile_expires_after_30_days_on_the_run_clock_and_a_registration_never() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = crate::time::ManualClock::new();
        let facts = Facts::over(
            Arc::new(crate::store::dir::DirCache::new(dir.path())),
            Arc::new(clock.clone()),
        );
        let p = CustomerProfile {
            country: "US".into(),
            company_name: None,
        };
        facts.put_profile("C1", &p).await;
        facts.put_registered("C1", "s1").await;
        clock.advance(std::time::Duration::from_secs(30 * 86_400 - 1));
        assert_eq!(
            facts.profile("c1").await,
            Some(p),
            "a second before 30 days"
        );
        clock.advance(std::time::Duration::from_secs(1));
        assert_eq!(facts.profile("c1").await, None, "read again at 30 days");
        clock.advance(std::time::Duration::from_secs(3650 * 86_400));
        assert!(
            facts.registered("c1", "S1").await,
            "registration never reverts"
        );
    }
}
