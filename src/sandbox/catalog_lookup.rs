//! Catalog lookups of the sandbox: which products a `targetView` lists, the reservation SKU for
//! ARM names, and per-product facts (SKU by id, maximum quantity, segments).

use super::catalog::{Catalog, Kind, Product, SEGMENTS, Sku};

impl Catalog {
    /// Products a `targetView` (case-insensitive) lists for a scope; None for an unknown view.
    pub fn products_for_view(&self, view: &str, azure_plan: bool) -> Option<Vec<&Product>> {
        let v = view.to_ascii_lowercase();
        let known_empty = [
            "azure",
            "microsoftazure",
            "onlineservices",
            "softwaresuselinux",
            "specializedoffers",
            "marketplacesaas",
        ];
        if known_empty.contains(&v.as_str()) {
            return Some(vec![]);
        }
        let pick = |p: &&Product| -> bool {
            match v.as_str() {
                "azurereservations" => {
                    matches!(p.kind, Kind::Reservation { .. }) && p.azure_plan == azure_plan
                }
                "software" => {
                    matches!(p.kind, Kind::SoftwarePerpetual | Kind::SoftwareSubscription)
                }
                _ => {
                    p.view.eq_ignore_ascii_case(&v)
                        && p.kind != Kind::SavingsPlan
                        && (!matches!(p.kind, Kind::Reservation { .. })
                            || p.azure_plan == azure_plan)
                }
            }
        };
        let valid = [
            "azurereservations",
            "azurereservationsvm",
            "azurereservationssql",
            "azurereservationscosmosdb",
            "software",
            "softwareperpetual",
            "softwaresubscriptions",
        ];
        if !valid.contains(&v.as_str()) {
            return None;
        }
        Some(self.products.iter().filter(pick).collect())
    }

    /// The reservation SKU for (view, scope, armSkuName, region, duration).
    pub fn find_reservation(
        &self,
        view: &str,
        azure_plan: bool,
        arm: &str,
        region: &str,
        duration: &str,
    ) -> Option<(&Product, &Sku)> {
        self.products
            .iter()
            .filter(|p| p.view == view && p.azure_plan == azure_plan)
            .flat_map(|p| p.skus.iter().map(move |s| (p, s)))
            .find(|(_, s)| {
                s.arm_sku_name.as_deref() == Some(arm)
                    && s.region.map(|r| r.0) == Some(region)
                    && s.duration == Some(duration)
            })
    }
}

impl Product {
    pub fn sku(&self, id: &str) -> Option<&Sku> {
        self.skus.iter().find(|s| s.id.eq_ignore_ascii_case(id))
    }
    pub fn is_reservation(&self) -> bool {
        matches!(self.kind, Kind::Reservation { .. })
    }
    /// The SKUs' `maximumQuantity`.
    pub fn max_quantity(&self) -> i64 {
        match self.kind {
            Kind::Reservation { .. } => 999_999_999,
            Kind::SavingsPlan => 1,
            _ => 10_000,
        }
    }
    /// The segments the product is sold in (`targetSegment`): reservations everywhere, software
    /// not to governments, software subscriptions not to nonprofits either.
    pub fn segments(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Reservation { .. } | Kind::SavingsPlan => SEGMENTS,
            Kind::SoftwarePerpetual => &["commercial", "education", "nonprofit"],
            Kind::SoftwareSubscription => &["commercial", "education"],
        }
    }
}
