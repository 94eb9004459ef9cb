//! Catalog resolution of a reservation: the view of its type for the subscription's kind
//! (Azure plan catalogs with `reservationScope=AzurePlan`), the SKU by ARM names or pinned ids
//! with close matches when missing, the availability of the customer's segment for the term
//! (unless [`Freshness::DeferAvailability`]: the SKU alone), and the inventory check.

use crate::catalog::{Buyer, Catalog, Freshness, catalog_item, failed};
use crate::manifest::{DesiredReservation, ReservationTarget, SubscriptionKind};
use crate::plan::{Resolution, market_available};

impl Catalog {
    /// Resolves a reservation for a subscription of the declared kind: legacy subscriptions use
    /// the catalog without `reservationScope`, Azure plans `reservationScope=AzurePlan`.
    pub async fn resolve_reservation(
        &self,
        buyer: Buyer<'_>,
        subscription_id: &str,
        kind: SubscriptionKind,
        r: &DesiredReservation,
        freshness: Freshness,
    ) -> Resolution {
        if !market_available(buyer.country) {
            return Resolution::MarketUnavailable;
        }
        let key = crate::catalog::ViewKey::new(
            buyer.country,
            kind == SubscriptionKind::AzurePlan,
            r.reservation_type.target_view(),
        );
        let view = match self.view(&key).await {
            Ok(v) => v,
            Err(f) => return failed(f),
        };
        let (entry, wanted) = match &r.target {
            ReservationTarget::Arm {
                arm_sku_name,
                arm_region_name,
            } => (
                view.find_arm(arm_sku_name, arm_region_name, r.term),
                format!(
                    "{arm_sku_name} in {arm_region_name} for {}",
                    r.term.duration()
                ),
            ),
            ReservationTarget::Pinned { product_id, sku_id } => (
                view.find_id(product_id, sku_id),
                format!("product {product_id} SKU {sku_id}"),
            ),
        };
        let searched = format!("{}: {wanted}", key.describe());
        let Some(entry) = entry else {
            let suggestions = match &r.target {
                ReservationTarget::Arm {
                    arm_sku_name,
                    arm_region_name,
                } => view.suggest_arm(arm_sku_name, arm_region_name, r.term),
                ReservationTarget::Pinned { product_id, sku_id } => {
                    view.suggest_ids(product_id, sku_id)
                }
            };
            return Resolution::NotFound {
                searched,
                suggestions,
            };
        };
        let entry = entry.clone();
        let missing = format!("the SKU has no availability for {}", r.term.as_str());
        let availability = match self
            .chosen_availability(
                &key,
                &entry,
                Some(r.term.as_str()),
                &searched,
                &missing,
                freshness,
            )
            .await
        {
            Ok(a) => a,
            Err(stop) => return stop,
        };
        let region = entry.arm_region_name.clone();
        let inventory = self
            .inventory_for(
                buyer,
                Some(subscription_id),
                region.as_deref(),
                &entry,
                freshness,
            )
            .await;
        Resolution::Found(catalog_item(&entry, availability.as_ref(), inventory))
    }
}
