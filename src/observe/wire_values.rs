//! Partner Center's spellings of manifest values, read into domain values for the observed
//! state: provisioning-context `duration` and `scope`, and the kind of an Azure subscription from
//! its `offerId`. `plan` receives only the parsed values (it never reads wire strings).

use crate::manifest::{Scope, SubscriptionKind, Term};

/// Reads a provisioning-context `duration` (`1Year`, `3Years`, also `3Year`) or an ISO term
/// (`P1Y`, `P3Y`), case-insensitively.
pub fn term_from_wire(s: &str) -> Option<Term> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1year" | "1years" | "p1y" => Some(Term::P1Y),
        "3year" | "3years" | "p3y" => Some(Term::P3Y),
        _ => None,
    }
}

/// Reads a provisioning-context `scope` (`Shared` / `Single`), case-insensitively.
pub fn scope_from_wire(s: &str) -> Option<Scope> {
    match s.trim().to_ascii_lowercase().as_str() {
        "shared" => Some(Scope::Shared),
        "single" => Some(Scope::Single),
        _ => None,
    }
}

/// The Azure plan product id (`offerId` of an Azure plan subscription starts with it).
pub const AZURE_PLAN_PRODUCT_ID: &str = "DZH318Z0BPS6";
/// The offer id of a legacy CSP Azure subscription.
pub const LEGACY_AZURE_OFFER_ID: &str = "MS-AZR-0145P";

/// The kind of an Azure subscription from its `offerId`: `MS-AZR-0145P` is legacy,
/// `DZH318Z0BPS6:…` an Azure plan; anything else is not an Azure subscription (`None`).
pub fn kind_from_offer_id(offer_id: &str) -> Option<SubscriptionKind> {
    let o = offer_id.trim();
    if o.eq_ignore_ascii_case(LEGACY_AZURE_OFFER_ID) {
        Some(SubscriptionKind::Legacy)
    } else if o
        .split(':')
        .next()
        .is_some_and(|p| p.eq_ignore_ascii_case(AZURE_PLAN_PRODUCT_ID))
    {
        Some(SubscriptionKind::AzurePlan)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values_parse_case_insensitively() {
        assert_eq!(term_from_wire("1Year"), Some(Term::P1Y));
        assert_eq!(term_from_wire("3Years"), Some(Term::P3Y));
        assert_eq!(term_from_wire("3Year"), Some(Term::P3Y));
        assert_eq!(term_from_wire("P1Y"), Some(Term::P1Y));
        assert_eq!(term_from_wire("P1M"), None);
        assert_eq!(scope_from_wire("Shared"), Some(Scope::Shared));
        assert_eq!(scope_from_wire("single"), Some(Scope::Single));
        assert_eq!(
            kind_from_offer_id("MS-AZR-0145P"),
            Some(SubscriptionKind::Legacy)
        );
        assert_eq!(
            kind_from_offer_id("DZH318Z0BPS6:0001:DZH318Z0BPS7"),
            Some(SubscriptionKind::AzurePlan)
        );
        assert_eq!(kind_from_offer_id("CFQ7TTC0LH18:0001"), None);
    }
}
