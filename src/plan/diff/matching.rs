//! Which observations count for which declared item, beyond what each kind decides itself
//! ([`crate::kinds::Purchasable::holding_matches`]): the catalog ids a row shows, and the
//! matching of journalled purchases to an item.

use crate::kinds::{Item, PurchaseKey};
use crate::plan::model::Resolved;
use crate::plan::observed::{PendingPurchase, Resolution};

pub use crate::kinds::describe_holding;
pub use crate::kinds::reservation::describe_reservation;

/// The catalog ids of an item: as resolved, else as pinned in the manifest.
pub(super) fn resolved_ids(item: &Item<'_>, res: Option<&Resolution>) -> Option<Resolved> {
    if let Some(Resolution::Found(ci)) = res {
        return Some(Resolved {
            product_id: ci.product_id.clone(),
            sku_id: ci.sku_id.clone(),
            availability_id: ci.availability.as_ref().map(|a| a.id.clone()),
            catalog_item_id: ci.catalog_item_id().map(str::to_owned),
            title: Some(ci.title.clone()),
            billing_cycle: item.billing_cycle(&ci.billing_cycles).ok(),
        });
    }
    let (product_id, sku_id) = item.pinned_ids()?;
    Some(Resolved {
        product_id,
        sku_id,
        availability_id: None,
        catalog_item_id: None,
        title: None,
        billing_cycle: None,
    })
}

/// Whether a journalled purchase counts for a declared item: the same purchase key, or the same
/// product+SKU bought for the same slot (see [`PurchaseKey::same_slot`]).
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
    p.product_id.eq_ignore_ascii_case(&res.product_id)
        && p.sku_id.eq_ignore_ascii_case(&res.sku_id)
        && p.key.same_slot(key)
}
