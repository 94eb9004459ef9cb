//! What one customer holds now, for `import`: its country and Azure subscriptions, and its
//! holdings attributed like `plan` attributes them (through [`crate::observe::observe`], with
//! no declared item and no journal). Before observing, the catalog views of the customer's
//! market are read so that reservation holdings get their ARM names and titles. Read-only: it
//! only gets a [`Reader`].

use crate::catalog::{Catalog, ViewKey};
use crate::manifest::{
    DesiredCustomer, DesiredState, DesiredSubscription, Limits, ReservationType, SourceRef,
    SubscriptionKind,
};
use crate::observe::wire_values::kind_from_offer_id;
use crate::observe::{self, NoJournal, ObserveOptions};
use crate::partner_center::ApiError;
use crate::partner_center::Reader;
use crate::plan::{CustomerObservation, ObservedCustomer};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why a customer's holdings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("customer {customer}: {what}")]
    Api {
        customer: String,
        what: &'static str,
        #[source]
        source: ApiError,
    },
    /// Observing the customer failed: why, with its causes.
    #[error("customer {customer}")]
    Observe {
        customer: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("customer {customer}: nothing was observed")]
    NotObserved { customer: String },
}

/// The software views read for titles (software holdings are declared by ids either way).
const SOFTWARE_VIEW: &str = "Software";

/// Reads customer `id` (any case): its subscriptions and attributed holdings.
pub async fn customer(
    reader: &Reader,
    catalog: &Catalog,
    state_dir: &Path,
    id: &str,
) -> Result<ObservedCustomer, ReadError> {
    let id = id.trim().to_ascii_lowercase();
    let api = |what: &'static str| {
        let customer = id.clone();
        move |source| ReadError::Api {
            customer,
            what,
            source,
        }
    };
    let c = reader
        .get_customer(&id)
        .await
        .map_err(api("reading the customer"))?;
    let country = c.country().map(|c| c.trim().to_ascii_uppercase());
    let mut subscriptions = Vec::new();
    for s in reader
        .list_subscriptions(&id)
        .await
        .map_err(api("reading subscriptions"))?
    {
        if let Some(kind) = s.offer_id.as_deref().and_then(kind_from_offer_id) {
            subscriptions.push((s.id.trim().to_ascii_lowercase(), kind));
        }
    }
    if let Some(country) = &country {
        preload(catalog, country, &subscriptions).await;
    }
    let source = SourceRef {
        file: PathBuf::from("(import)"),
        line: 0,
        column: 0,
    };
    let dc = DesiredCustomer {
        id: id.clone(),
        name: None,
        savings_plans: Vec::new(),
        subscriptions: subscriptions
            .iter()
            .map(|(sid, kind)| DesiredSubscription {
                id: sid.clone(),
                kind: *kind,
                reservations: Vec::new(),
                source: source.clone(),
            })
            .collect(),
        software: Vec::new(),
        source,
    };
    let desired = DesiredState {
        customers: vec![dc],
        limits: Limits::default(),
        manifest_hash: String::new(),
    };
    let opts = ObserveOptions::with_dir(1, state_dir);
    let mut run = observe::observe_with_log(&desired, reader, catalog, &NoJournal, &opts).await;
    match run.observation.customers.into_iter().next() {
        Some(CustomerObservation::Observed(o)) => Ok(o),
        Some(CustomerObservation::Failed { customer_id, error }) => Err(ReadError::Observe {
            source: match run.failures.remove(&customer_id) {
                Some(e) => Box::new(e),
                None => error.into(),
            },
            customer: id,
        }),
        None => Err(ReadError::NotObserved { customer: id }),
    }
}

/// Reads the reservation views of the customer's market for each subscription kind it has, and
/// the software view, so holdings are attributed with ARM names. A view that cannot be read
/// only costs the ARM names (the holding is then declared by catalog ids).
async fn preload(catalog: &Catalog, country: &str, subscriptions: &[(String, SubscriptionKind)]) {
    let plans: BTreeSet<bool> = subscriptions
        .iter()
        .map(|(_, k)| *k == SubscriptionKind::AzurePlan)
        .collect();
    let mut keys = vec![ViewKey::new(country, false, SOFTWARE_VIEW)];
    for azure_plan in plans {
        for t in [
            ReservationType::Vm,
            ReservationType::Sql,
            ReservationType::Cosmosdb,
        ] {
            keys.push(ViewKey::new(country, azure_plan, t.target_view()));
        }
    }
    for key in keys {
        if let Err(e) = catalog.view(&key).await {
            tracing::info!("catalog view {} not read: {e}", key.describe());
        }
    }
}
