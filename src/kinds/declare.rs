//! How a holding is declared again in a manifest (`reservoir import`), or why it cannot be. The
//! kind-specific part (which fields an item of the kind gets) is one function per kind file
//! ([`super::reservation_import::declare`], [`super::software::declare`], [`super::savings_plan::declare`]); this file holds the shape
//! they return and the dispatch on the holding's kind.

use super::{HoldingKind, Kind, software};
use crate::plan::Holding;

/// A manifest item that declares a holding: what `import` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub kind: Kind,
    /// The lower-case subscription the item is declared under (reservations), `None` for
    /// customer-level items (software).
    pub subscription_id: Option<String>,
    /// Holdings with equal slots are one item (their quantities are summed): the item's
    /// purchase identity in words, compared case-insensitively.
    pub slot: String,
    /// A suggested item name (lower-case, `[a-z0-9-]`); the caller makes it unique.
    pub name: String,
    /// The item's fields after `name` and before `quantity`, in the order they are written.
    pub fields: Vec<(&'static str, String)>,
}

impl Declaration {
    /// Whether the item must name the customer's Azure plan subscription, which the holding
    /// does not tell (a savings plan): the caller adds `subscription:` from the customer's
    /// subscriptions, or offers no item.
    pub fn needs_azure_plan_subscription(&self) -> bool {
        self.kind == Kind::SavingsPlan
    }

    /// The last field of the item and its YAML value: `quantity: N`, or a savings plan's
    /// `hourly_commitment: "5.00"` (its holdings count thousandths per hour).
    pub fn amount_field(&self, quantity: u32) -> (&'static str, String) {
        match self.kind {
            Kind::SavingsPlan => (
                "hourly_commitment",
                format!("\"{}\"", crate::manifest::HourlyCommitment(quantity).text()),
            ),
            Kind::Reservation | Kind::Software => ("quantity", quantity.to_string()),
        }
    }

    /// The item as one line of YAML a user can paste into a manifest (under the subscription's
    /// `reservations:` or the customer's `software:`), e.g.
    /// `{ name: vm-standard-d2s-v5-eastus, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 2 }`.
    pub fn inline(&self, quantity: u32) -> String {
        let mut parts = vec![format!("name: {}", crate::adopt::yaml_scalar(&self.name))];
        parts.extend(
            self.fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", crate::adopt::yaml_scalar(v))),
        );
        let (k, v) = self.amount_field(quantity);
        parts.push(format!("{k}: {v}"));
        format!("{{ {} }}", parts.join(", "))
    }
}

/// Why a holding cannot be declared as a manifest item (`import` lists it as a comment).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undeclarable {
    /// A reservation whose order line does not say this (`subscription`, `term`, `scope`).
    #[error("its order line names no {0}, so it cannot be attributed")]
    Unattributed(&'static str),
    #[error("the catalog does not say which reservation type its SKU is")]
    NoReservationType,
    #[error("Partner Center gives no product or SKU id for it")]
    NoCatalogIds,
    #[error("not a savings plan")]
    NotASavingsPlan,
    #[error("its subscription does not say the scope, term, billing plan and currency")]
    NoSavingsPlanTerms,
    #[error("a single-scope plan whose subscription names no entitlement")]
    NoEntitlement,
}

/// The manifest item for a holding, or why it cannot be declared.
pub fn declare_holding(h: &Holding) -> Result<Declaration, Undeclarable> {
    match &h.kind {
        HoldingKind::Reservation(a) => super::reservation_import::declare(h, a),
        HoldingKind::Software => software::declare(h),
        HoldingKind::SavingsPlan(_) => super::savings_plan::declare(h),
    }
}

/// An item name from free text: lower-case ASCII letters and digits, other runs become `-`.
pub fn slug(parts: &[&str]) -> String {
    let mut out = String::new();
    for c in parts.join("-").chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ReservationAttribution;
    use crate::manifest::{ReservationType, Scope, Term};

    fn holding(kind: HoldingKind) -> Holding {
        Holding {
            kind,
            product_id: "DZH318Z0BQ3Q".into(),
            sku_id: "00C1".into(),
            quantity: 2,
            order_id: "o1".into(),
            expiry: None,
            title: None,
        }
    }

    #[test]
    fn an_attributed_reservation_is_declared_by_arm_names() {
        let h = holding(HoldingKind::Reservation(ReservationAttribution {
            subscription_id: Some("sub".into()),
            term: Some(Term::P1Y),
            scope: Some(Scope::Shared),
            reservation_type: Some(ReservationType::Vm),
            arm_sku_name: Some("Standard_D2s_v5".into()),
            arm_region_name: Some("eastus".into()),
        }));
        let d = declare_holding(&h).expect("declared");
        assert_eq!(d.subscription_id.as_deref(), Some("sub"));
        assert_eq!(d.name, "vm-standard-d2s-v5-eastus-p1y-shared");
        let fields: Vec<(&str, &str)> = d.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("type", "vm"),
                ("sku", "Standard_D2s_v5"),
                ("region", "eastus"),
                ("term", "P1Y"),
                ("scope", "shared")
            ]
        );
    }

    #[test]
    fn a_reservation_without_arm_names_is_pinned_and_one_without_subscription_is_refused() {
        let mut a = ReservationAttribution {
            subscription_id: Some("sub".into()),
            term: Some(Term::P3Y),
            scope: Some(Scope::Single),
            reservation_type: Some(ReservationType::Sql),
            ..ReservationAttribution::default()
        };
        let d = declare_holding(&holding(HoldingKind::Reservation(a.clone()))).expect("pinned");
        assert!(d.fields.contains(&("product", "DZH318Z0BQ3Q".to_owned())));
        assert!(d.fields.contains(&("sku", "00C1".to_owned())));
        a.subscription_id = None;
        let e = declare_holding(&holding(HoldingKind::Reservation(a))).expect_err("refused");
        assert_eq!(e, Undeclarable::Unattributed("subscription"));
        assert!(e.to_string().contains("subscription"), "{e}");
    }

    #[test]
    fn software_is_declared_by_catalog_ids() {
        let d = declare_holding(&holding(HoldingKind::Software)).expect("declared");
        assert_eq!(d.subscription_id, None);
        assert_eq!(d.name, "software-dzh318z0bq3q-00c1");
        assert_eq!(
            d.fields,
            [
                ("product", "DZH318Z0BQ3Q".to_owned()),
                ("sku", "00C1".to_owned())
            ]
        );
    }
}
