//! Unit tests of duplicate declarations: two items that resolve to the same purchase.

use super::*;

fn at(line: usize) -> SourceRef {
    SourceRef {
        file: "b.yaml".into(),
        line,
        column: 13,
    }
}

/// `web` by ARM names and `web-pinned` by the catalog ids `web` resolves to (same subscription,
/// term and scope), plus software, for C1; C2 declares `web` alone.
fn duplicated() -> (DesiredState, Vec<ObservedCustomer>) {
    let mut pinned = res("web-pinned", "x", Term::P3Y, 4);
    pinned.target = ReservationTarget::Pinned {
        product_id: "P-STANDARD_D4S_V5".into(),
        sku_id: "p3y".into(),
    };
    pinned.source = at(9);
    let c1 = dcust(
        C1,
        "contoso",
        vec![dsub(
            S1,
            SubscriptionKind::AzurePlan,
            vec![res("web", "Standard_D4s_v5", Term::P3Y, 4), pinned.clone()],
        )],
        vec![sw("office", "CFQ7TTC0LH18", "0001", 2)],
    );
    let mut o1 = observed_for(&c1);
    // The pinned item resolves to the same catalog item as `web`.
    o1.resolutions.push(ItemResolution {
        key: pinned.purchase_key(C1, S1),
        resolution: found("P-Standard_D4s_v5", "P3Y"),
    });
    o1.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 3, "o1"));
    let c2 = dcust(
        C2,
        "fabrikam",
        vec![dsub(
            S2,
            SubscriptionKind::AzurePlan,
            vec![res("web", "Standard_D4s_v5", Term::P3Y, 4)],
        )],
        vec![],
    );
    let o2 = observed_for(&c2);
    (desired(vec![c1, c2]), vec![o1, o2])
}

#[test]
fn two_declarations_of_the_same_purchase_are_errors_naming_both_and_nothing_is_bought() {
    let (d, o) = duplicated();
    let plan = diff(&d, &obs(o));
    let mine: Vec<&Row> = plan.rows.iter().filter(|r| r.customer_id == C1).collect();
    for name in ["web", "web-pinned"] {
        let r = mine
            .iter()
            .find(|r| r.item.as_deref() == Some(name))
            .expect("row");
        assert_eq!(r.action, Action::Error, "{r:#?}");
        assert_eq!((r.to_buy, r.irreversible), (0, false));
        let reason = r.reason.as_deref().unwrap_or_default();
        assert!(
            reason.contains("\"web\" at m.yaml:1:1")
                && reason.contains("\"web-pinned\" at b.yaml:9:13"),
            "{reason}"
        );
    }
    let office = mine
        .iter()
        .find(|r| r.item.as_deref() == Some("office"))
        .expect("software row");
    assert_eq!(office.action, Action::Blocked, "{office:#?}");
    assert!(mine.iter().all(|r| r.to_buy == 0 && !r.irreversible));
    // The holding counts for one row only.
    assert_eq!(mine.iter().map(|r| r.owned).sum::<u32>(), 3);
    // The other customer is planned as usual.
    let other = plan
        .rows
        .iter()
        .find(|r| r.customer_id == C2)
        .expect("C2 row");
    assert_eq!((other.action, other.to_buy), (Action::Purchase, 4));
    assert_eq!(plan.summary.errors, 2);
    assert_eq!(plan.summary.to_buy, 4);
    assert_eq!(plan.exit_code(false), 1);
}

#[test]
fn the_same_catalog_item_for_another_subscription_term_or_scope_is_not_a_duplicate() {
    let (mut d, mut o) = duplicated();
    let c1 = &mut d.customers[0];
    let pinned = c1.subscriptions[0].reservations.remove(1);
    // The pinned item moves to another subscription: a different purchase.
    c1.subscriptions
        .push(dsub(S2, SubscriptionKind::AzurePlan, vec![pinned.clone()]));
    o[0].subscriptions.insert(
        S2.into(),
        osub(S2, SubscriptionKind::AzurePlan, Registration::Registered),
    );
    o[0].resolutions.push(ItemResolution {
        key: pinned.purchase_key(C1, S2),
        resolution: found("P-Standard_D4s_v5", "P3Y"),
    });
    let plan = diff(&d, &obs(o));
    assert_eq!(plan.summary.errors, 0, "{:#?}", plan.rows);
    let web = plan
        .rows
        .iter()
        .find(|r| r.customer_id == C1 && r.item.as_deref() == Some("web"))
        .expect("web");
    assert_eq!(
        (web.action, web.owned, web.to_buy),
        (Action::Purchase, 3, 1)
    );
}
