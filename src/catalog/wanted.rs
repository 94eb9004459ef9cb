//! What the run's manifests ask of the reservation views, so a view lists the SKUs of only the
//! products that can hold them (issue 13: a first run read every SKU of every product of the
//! view). Products are listed in full (one call); then the SKUs of the products a declared item
//! names (pinned ids) or whose title names its VM series (`Standard_D2s_v5` → "Dsv5"); when
//! anything wanted is still missing, the SKUs of every other product, as before. A view read
//! this way is *partial*: it answers for the wanted items exactly as the full view would, and
//! [`super::Catalog::cover`] lists further products when holdings name them.

use super::view::View;
use crate::manifest::{DesiredState, ReservationTarget, SubscriptionKind, Term};
use crate::partner_center::wire::Product;
use std::collections::{BTreeSet, HashMap};

/// What the manifests ask of one view (any country).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// (armSkuName, armRegionName) lower-case, and the term.
    pub arm: BTreeSet<(String, String, Term)>,
    /// Pinned (upper-case product id, lower-case SKU id).
    pub pinned: BTreeSet<(String, String)>,
}

/// Wanted items per (Azure plan scope, target view).
pub type WantedViews = HashMap<(bool, String), Wanted>;

/// Every reservation the manifests declare, by the view it is resolved in.
pub fn from_desired(desired: &DesiredState) -> WantedViews {
    let mut out = WantedViews::new();
    for dc in &desired.customers {
        for ds in &dc.subscriptions {
            for r in &ds.reservations {
                let key = (
                    ds.kind == SubscriptionKind::AzurePlan,
                    r.reservation_type.target_view().to_owned(),
                );
                let w = out.entry(key).or_default();
                match &r.target {
                    ReservationTarget::Arm {
                        arm_sku_name,
                        arm_region_name,
                    } => {
                        w.arm.insert((
                            arm_sku_name.to_ascii_lowercase(),
                            arm_region_name.to_ascii_lowercase(),
                            r.term,
                        ));
                    }
                    ReservationTarget::Pinned { product_id, sku_id } => {
                        w.pinned.insert((
                            product_id.trim().to_ascii_uppercase(),
                            sku_id.trim().to_ascii_lowercase(),
                        ));
                    }
                }
            }
        }
    }
    out
}

impl Wanted {
    /// Whether `view` answers for every wanted item (found, or complete so "not found" is
    /// certain and the suggestions are whole).
    pub fn answered_by(&self, view: &View) -> bool {
        view.is_complete()
            || (self
                .arm
                .iter()
                .all(|(n, r, t)| view.find_arm(n, r, *t).is_some())
                && self
                    .pinned
                    .iter()
                    .all(|(p, s)| view.find_id(p, s).is_some()))
    }

    /// The products to list first: those pinned, and those whose title names the VM series of
    /// a wanted armSkuName.
    pub fn likely_products<'p>(&self, products: &'p [Product]) -> Vec<&'p Product> {
        let series: Vec<String> = self.arm.iter().flat_map(|(n, _, _)| series(n)).collect();
        products
            .iter()
            .filter(|p| {
                let id = p.id.trim().to_ascii_uppercase();
                if self.pinned.iter().any(|(pid, _)| *pid == id) {
                    return true;
                }
                let title = normalise(p.title.as_deref().unwrap_or_default());
                series.iter().any(|s| title.contains(&format!("{s}series")))
            })
            .collect()
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Series names an armSkuName may be sold under: `Standard_D2s_v5` → `dsv5`, `dv5`;
/// `Standard_NC6s_v3` → `ncsv3`, `ncv3`.
fn series(arm_sku_name: &str) -> Vec<String> {
    let name = arm_sku_name.to_ascii_lowercase();
    let name = name.strip_prefix("standard_").unwrap_or(&name);
    let mut parts = name.split('_');
    let size = parts.next().unwrap_or_default();
    let version: String = parts.collect();
    let letters: String = size.chars().filter(char::is_ascii_alphabetic).collect();
    let prefix: String = size.chars().take_while(char::is_ascii_alphabetic).collect();
    let mut out = vec![format!("{letters}{version}"), format!("{prefix}{version}")];
    out.dedup();
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_names_come_from_the_arm_sku_name() {
        assert_eq!(series("Standard_D2s_v5"), vec!["dsv5", "dv5"]);
        assert_eq!(series("Standard_NC6s_v3"), vec!["ncsv3", "ncv3"]);
        assert_eq!(series("Standard_F4s_v2"), vec!["fsv2", "fv2"]);
        assert_eq!(series("Standard_B2ms"), vec!["bms", "b"]);
    }
}
