//! Entitlements and reservation details (docs/partner-center.md §11; App+User only).

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category};
use crate::partner_center::paging::resolve_link;
use crate::partner_center::wire::{
    Entitlement, EntitlementType, Link, ReservedInstanceArtifactDetails,
};
use crate::partner_center::{Client, guid};

impl Client {
    /// `GET /v1/customers/{id}/entitlements[?entitlementType=][&showExpiry=true]`.
    pub async fn list_entitlements(
        &self,
        customer_id: &str,
        entitlement_type: Option<&EntitlementType>,
        show_expiry: bool,
    ) -> Result<Vec<Entitlement>, ApiError> {
        let c = guid("customer id", customer_id)?;
        let mut q = Vec::new();
        if let Some(t) = entitlement_type {
            q.push(("entitlementType", t.as_str()));
        }
        if show_expiry {
            q.push(("showExpiry", "true"));
        }
        let url = self.url(&["customers", c, "entitlements"], &q);
        self.collect_pages(Call::get(url, Category::Entitlement, Some(c)))
            .await
    }

    /// `GET <artifact.link.uri>`: the reservations behind a reserved-instance artifact.
    pub async fn get_reservation_details(
        &self,
        customer_id: &str,
        link: &Link,
    ) -> Result<ReservedInstanceArtifactDetails, ApiError> {
        let c = guid("customer id", customer_id)?;
        let url = resolve_link(self.base_url(), &link.uri)?;
        let mut call = Call::get(url, Category::Entitlement, Some(c));
        call.headers = link
            .headers
            .iter()
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect();
        self.execute(&call).await?.json()
    }
}
