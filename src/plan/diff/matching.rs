//! Which observations count for which declared item: the diff's view of an item, how it is
//! described, and the matching of holdings and journalled purchases to it.

use super::*;

/// A declared item, seen from the diff.
#[derive(Clone, Copy)]
pub(super) enum Item<'a> {
    Reservation {
        subscription_id: &'a str,
        r: &'a DesiredReservation,
    },
    Software(&'a DesiredSoftware),
}

impl Item<'_> {
    pub(super) fn key(&self, customer_id: &str) -> PurchaseKey {
        match self {
            Item::Reservation {
                subscription_id, r, ..
            } => r.purchase_key(customer_id, subscription_id),
            Item::Software(s) => s.purchase_key(customer_id),
        }
    }
    pub(super) fn name(&self) -> &str {
        match self {
            Item::Reservation { r, .. } => &r.name,
            Item::Software(s) => &s.name,
        }
    }
    pub(super) fn quantity(&self) -> u32 {
        match self {
            Item::Reservation { r, .. } => r.quantity,
            Item::Software(s) => s.quantity,
        }
    }
    pub(super) fn subscription_id(&self) -> Option<String> {
        match self {
            Item::Reservation {
                subscription_id, ..
            } => Some(subscription_id.to_ascii_lowercase()),
            Item::Software(_) => None,
        }
    }
    pub(super) fn kind(&self) -> ItemKind {
        match self {
            Item::Reservation { .. } => ItemKind::Reservation,
            Item::Software(_) => ItemKind::Software,
        }
    }
    /// The reservation term; software carries its term in [`Item::what`].
    pub(super) fn term(&self) -> Option<crate::manifest::Term> {
        match self {
            Item::Reservation { r, .. } => Some(r.term),
            Item::Software(_) => None,
        }
    }
    pub(super) fn what(&self) -> String {
        match self {
            Item::Reservation { r, .. } => describe_reservation(r),
            Item::Software(s) => match &s.term {
                Some(t) => format!("software {}/{} {t}", s.product_id, s.sku_id),
                None => format!("software {}/{}", s.product_id, s.sku_id),
            },
        }
    }
}

/// `vm Standard_D4s_v5 eastus P3Y shared`, or with pinned ids `vm PRODUCT/SKU P3Y shared`.
pub fn describe_reservation(r: &DesiredReservation) -> String {
    let target = match &r.target {
        ReservationTarget::Arm {
            arm_sku_name,
            arm_region_name,
        } => format!("{arm_sku_name} {arm_region_name}"),
        ReservationTarget::Pinned { product_id, sku_id } => format!("{product_id}/{sku_id}"),
    };
    format!(
        "{} {target} {} {}",
        r.reservation_type.as_str(),
        r.term.as_str(),
        r.scope.as_str()
    )
}

/// Describes a holding the way declared items are described, `?` for what is unknown.
pub fn describe_holding(h: &Holding) -> String {
    match &h.kind {
        HoldingKind::Software => format!("software {}/{}", h.product_id, h.sku_id),
        HoldingKind::Reservation(a) => {
            let target = match (&a.arm_sku_name, &a.arm_region_name) {
                (Some(s), Some(r)) => format!("{s} {r}"),
                _ => format!("{}/{}", h.product_id, h.sku_id),
            };
            format!(
                "{} {target} {} {}",
                a.reservation_type.map_or("reservation", |t| t.as_str()),
                a.term.map_or("?", |t| t.as_str()),
                a.scope.map_or("?", |s| s.as_str())
            )
        }
    }
}

pub(super) fn resolved_ids(item: &Item<'_>, res: Option<&Resolution>) -> Option<Resolved> {
    if let Some(Resolution::Found(ci)) = res {
        return Some(Resolved {
            product_id: ci.product_id.clone(),
            sku_id: ci.sku_id.clone(),
            availability_id: Some(ci.availability_id.clone()),
            catalog_item_id: Some(ci.catalog_item_id.clone()),
            title: Some(ci.title.clone()),
        });
    }
    let (product_id, sku_id) = match item {
        Item::Software(s) => (s.product_id.clone(), s.sku_id.clone()),
        Item::Reservation { r, .. } => match &r.target {
            ReservationTarget::Pinned { product_id, sku_id } => {
                (product_id.clone(), sku_id.clone())
            }
            ReservationTarget::Arm { .. } => return None,
        },
    };
    Some(Resolved {
        product_id,
        sku_id,
        availability_id: None,
        catalog_item_id: None,
        title: None,
    })
}

fn same_product(h_product: &str, h_sku: &str, product: &str, sku: &str) -> bool {
    h_product.eq_ignore_ascii_case(product) && h_sku.eq_ignore_ascii_case(sku)
}

/// Whether a holding counts for a declared item: same subscription, term and scope, and the same
/// product+SKU (as resolved, as pinned, or by the holding's armSkuName/armRegionName).
pub(super) fn holding_matches(h: &Holding, item: &Item<'_>, res: Option<&Resolution>) -> bool {
    let found = match res {
        Some(Resolution::Found(ci)) => {
            same_product(&h.product_id, &h.sku_id, &ci.product_id, &ci.sku_id)
        }
        _ => false,
    };
    match (item, &h.kind) {
        (Item::Software(s), HoldingKind::Software) => {
            found || same_product(&h.product_id, &h.sku_id, &s.product_id, &s.sku_id)
        }
        (
            Item::Reservation {
                subscription_id, r, ..
            },
            HoldingKind::Reservation(a),
        ) => {
            let attributed = a
                .subscription_id
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(subscription_id))
                && a.term == Some(r.term)
                && a.scope == Some(r.scope);
            if !attributed {
                return false;
            }
            found
                || match &r.target {
                    ReservationTarget::Pinned { product_id, sku_id } => {
                        same_product(&h.product_id, &h.sku_id, product_id, sku_id)
                    }
                    ReservationTarget::Arm {
                        arm_sku_name,
                        arm_region_name,
                    } => {
                        a.reservation_type.is_none_or(|t| t == r.reservation_type)
                            && a.arm_sku_name
                                .as_deref()
                                .is_some_and(|s| s.eq_ignore_ascii_case(arm_sku_name))
                            && a.arm_region_name
                                .as_deref()
                                .is_some_and(|s| s.eq_ignore_ascii_case(arm_region_name))
                    }
                }
        }
        _ => false,
    }
}

/// Whether a journalled purchase counts for a declared item: the same purchase key, or the same
/// product+SKU bought for the same subscription, term and scope.
pub(super) fn pending_matches(
    p: &PendingPurchase,
    key: &PurchaseKey,
    resolved: Option<&Resolved>,
) -> bool {
    if &p.key == key {
        return true;
    }
    let Some(res) = resolved else {
        return false;
    };
    if !same_product(&p.product_id, &p.sku_id, &res.product_id, &res.sku_id) {
        return false;
    }
    match (&p.key, key) {
        (
            PurchaseKey::Reservation {
                customer_id: c1,
                subscription_id: s1,
                term: t1,
                scope: o1,
                ..
            },
            PurchaseKey::Reservation {
                customer_id: c2,
                subscription_id: s2,
                term: t2,
                scope: o2,
                ..
            },
        ) => c1.eq_ignore_ascii_case(c2) && s1.eq_ignore_ascii_case(s2) && t1 == t2 && o1 == o2,
        (
            PurchaseKey::Software {
                customer_id: c1, ..
            },
            PurchaseKey::Software {
                customer_id: c2, ..
            },
        ) => c1.eq_ignore_ascii_case(c2),
        _ => false,
    }
}
