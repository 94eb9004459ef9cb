//! The manifest item that declares a reservation holding (`reservoir import`): by ARM names when
//! the catalog gave them, else by pinned catalog ids; refused when its order line does not
//! attribute it.

use super::declare::{Declaration, Undeclarable, slug};
use super::{Kind, ReservationAttribution};
use crate::plan::Holding;

/// The manifest item for a reservation holding (`import`): by ARM names when the catalog gave
/// them, else by pinned catalog ids; refused when the order line does not attribute it.
pub(super) fn declare(
    h: &Holding,
    a: &ReservationAttribution,
) -> Result<Declaration, Undeclarable> {
    let sub = a
        .subscription_id
        .clone()
        .ok_or(Undeclarable::Unattributed("subscription"))?;
    let term = a.term.ok_or(Undeclarable::Unattributed("term"))?;
    let scope = a.scope.ok_or(Undeclarable::Unattributed("scope"))?;
    let t = a.reservation_type.ok_or(Undeclarable::NoReservationType)?;
    let mut fields = vec![("type", t.as_str().to_owned())];
    let target = match (&a.arm_sku_name, &a.arm_region_name) {
        (Some(s), Some(r)) => {
            fields.push(("sku", s.clone()));
            fields.push(("region", r.to_ascii_lowercase()));
            [s.as_str(), r.as_str()]
        }
        _ => {
            fields.push(("product", h.product_id.to_ascii_uppercase()));
            fields.push(("sku", h.sku_id.clone()));
            [h.product_id.as_str(), h.sku_id.as_str()]
        }
    };
    fields.push(("term", term.as_str().to_owned()));
    fields.push(("scope", scope.as_str().to_owned()));
    let name = slug(&[
        t.as_str(),
        target[0],
        target[1],
        term.as_str(),
        scope.as_str(),
    ]);
    let slot = fields
        .iter()
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Declaration {
        kind: Kind::Reservation,
        slot: format!("{sub} {slot}"),
        subscription_id: Some(sub),
        name,
        fields,
    })
}
