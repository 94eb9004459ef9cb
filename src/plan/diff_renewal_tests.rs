//! Unit tests of renewals in the diff: units expiring within `renew_before` do not count as
//! owned and make a `renew` row naming the order and the date; without a window, units expiring
//! within 60 days count and are noted; an observation without a time treats nothing as expiring.

use super::*;
use crate::manifest::RenewBefore;

const NOW: &str = "2026-11-29T00:00:00Z";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(NOW)
        .expect("time")
        .with_timezone(&chrono::Utc)
}

/// `web` (D4s P3Y × 4) with `renew_before`, holding `expiring` units that expire in 20 days and
/// `lasting` that expire in two years; observed at [`NOW`] when `timed`.
fn plan(renew_days: Option<u64>, expiring: u32, lasting: u32, timed: bool) -> Plan {
    let (mut d, mut oc) = simple();
    d.customers[0].subscriptions[0].reservations[0].renew_before =
        renew_days.map(|days| RenewBefore {
            seconds: days * 86_400,
        });
    let mut soon = holding(S1, "Standard_D4s_v5", Term::P3Y, expiring, "o-old");
    soon.expiry = Some("2026-12-19T00:00:00Z".into());
    let mut later = holding(S1, "Standard_D4s_v5", Term::P3Y, lasting, "o-new");
    later.expiry = Some("2028-11-29T00:00:00Z".into());
    oc.holdings = vec![soon, later];
    let mut o = obs(vec![oc]);
    o.observed_at = timed.then(now);
    diff(&d, &o)
}

#[test]
fn units_expiring_within_the_window_are_renewed() {
    let p = plan(Some(30), 4, 0, true);
    let r = item_row(&p, "web");
    assert_eq!(r.action, Action::Renew, "{r:#?}");
    assert_eq!((r.owned, r.to_buy, r.irreversible), (0, 4, true));
    assert_eq!(r.basis.expiring, 4);
    let reason = r.reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("order o-old expiring 2026-12-19"),
        "{reason}"
    );
    assert_eq!(p.summary.renew, 4);
    assert_eq!(p.summary.to_buy, 4);
    assert_eq!(
        r.renew_before.map(|w| w.to_string()).as_deref(),
        Some("30d")
    );
}

#[test]
fn lasting_units_still_count_and_only_the_shortfall_is_renewed() {
    let p = plan(Some(30), 2, 3, true);
    let r = item_row(&p, "web");
    assert_eq!(r.action, Action::Renew, "{r:#?}");
    assert_eq!((r.owned, r.to_buy), (3, 1));
    let p = plan(Some(30), 2, 4, true);
    assert_eq!(item_row(&p, "web").action, Action::Ok);
}

#[test]
fn a_short_window_or_an_untimed_observation_renews_nothing() {
    let p = plan(Some(10), 4, 0, true);
    assert_eq!(item_row(&p, "web").action, Action::Ok);
    let p = plan(Some(30), 4, 0, false);
    assert_eq!(item_row(&p, "web").action, Action::Ok);
}

#[test]
fn without_a_window_units_expiring_within_sixty_days_mark_their_row() {
    let p = plan(None, 4, 0, true);
    let r = item_row(&p, "web");
    assert_eq!((r.action, r.owned), (Action::Ok, 4));
    let mark = r.expires_soon.as_ref().expect("the row is marked");
    assert_eq!((mark.units, mark.expires.as_str()), (4, "2026-12-19"));
    assert_eq!(mark.in_days, Some(20));
    assert!(
        mark.message
            .contains("4 units of order o-old expiring 2026-12-19 (in 20 days)"),
        "{mark:?}"
    );
    assert!(
        p.customers[0].notes.iter().all(|n| !n.contains("o-old")),
        "the mark is on the row, not a customer note: {:?}",
        p.customers[0].notes
    );
    let later = plan(None, 0, 4, true);
    assert_eq!(
        item_row(&later, "web").expires_soon,
        None,
        "nothing soon, no mark"
    );
}
