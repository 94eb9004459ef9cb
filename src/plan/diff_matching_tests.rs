//! Unit tests of which holdings count for which item, of the order of rows, and of
//! fingerprints.

use super::*;

#[test]
fn holdings_of_the_same_sku_are_attributed_to_their_own_subscription() {
    let dc = dcust(
        C1,
        "contoso",
        vec![
            dsub(
                S1,
                SubscriptionKind::AzurePlan,
                vec![res("a", "Standard_D2s_v5", Term::P1Y, 2)],
            ),
            dsub(
                S2,
                SubscriptionKind::AzurePlan,
                vec![res("b", "Standard_D2s_v5", Term::P1Y, 3)],
            ),
        ],
        vec![],
    );
    let mut oc = observed_for(&dc);
    oc.holdings
        .push(holding(S1, "Standard_D2s_v5", Term::P1Y, 5, "o1"));
    oc.holdings
        .push(holding(S2, "Standard_D2s_v5", Term::P1Y, 1, "o2"));
    // Same SKU, other term: counts for neither.
    oc.holdings
        .push(holding(S2, "Standard_D2s_v5", Term::P3Y, 7, "o3"));
    let plan = diff(&desired(vec![dc]), &obs(vec![oc]));
    let a = item_row(&plan, "a");
    assert_eq!((a.action, a.owned, a.surplus), (Action::Surplus, 5, 3));
    let b = item_row(&plan, "b");
    assert_eq!((b.action, b.owned, b.to_buy), (Action::Purchase, 1, 2));
    assert_eq!(plan.unmanaged.len(), 1);
    assert_eq!(plan.unmanaged[0].owned, 7);
}

#[test]
fn holdings_match_by_arm_attributes_when_the_catalog_is_not_resolved() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::NotFound {
        searched: "x".into(),
        suggestions: vec![],
    };
    let mut h = holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1");
    if let HoldingKind::Reservation(a) = &mut h.kind {
        a.reservation_type = Some(ReservationType::Vm);
        a.arm_sku_name = Some("standard_d4s_v5".into());
        a.arm_region_name = Some("eastus".into());
    }
    h.product_id = "OTHER".into();
    oc.holdings.push(h);
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Ok);
}

#[test]
fn undeclared_and_unattributed_holdings_are_unmanaged() {
    let (d, mut oc) = simple();
    oc.holdings
        .push(holding(S2, "Standard_D4s_v5", Term::P3Y, 2, "o1"));
    let mut unattributed = holding(S1, "Standard_D4s_v5", Term::P3Y, 1, "o2");
    if let HoldingKind::Reservation(a) = &mut unattributed.kind {
        a.subscription_id = None;
    }
    oc.holdings.push(unattributed);
    oc.holdings.push(Holding {
        kind: HoldingKind::Software,
        product_id: "DG7GMGF0DWM3".into(),
        sku_id: "0002".into(),
        quantity: 5,
        order_id: "o3".into(),
        expiry: Some("2027-01-01T00:00:00Z".into()),
        title: Some("Windows Server".into()),
    });
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(plan.unmanaged.len(), 3);
    assert!(plan.unmanaged.iter().all(|r| r.action == Action::Unmanaged));
    assert_eq!(plan.summary.unmanaged, 3);
    assert_eq!(item_row(&plan, "web").to_buy, 4);
    let software = plan
        .unmanaged
        .iter()
        .find(|r| r.subscription_id.is_none() && r.kind == ItemKind::Software);
    assert!(software.is_some_and(|r| {
        r.reason
            .as_deref()
            .unwrap_or("")
            .contains("expires 2027-01-01")
    }));
}

#[test]
fn software_matches_by_product_and_sku() {
    let dc = dcust(
        C1,
        "contoso",
        vec![],
        vec![sw("win", "DG7GMGF0DWM3", "0002", 10)],
    );
    let mut oc = observed_for(&dc);
    oc.holdings.push(Holding {
        kind: HoldingKind::Software,
        product_id: "DG7GMGF0DWM3".into(),
        sku_id: "0002".into(),
        quantity: 5,
        order_id: "o1".into(),
        expiry: None,
        title: None,
    });
    let plan = diff(&desired(vec![dc]), &obs(vec![oc]));
    let r = item_row(&plan, "win");
    assert_eq!(
        (r.action, r.owned, r.to_buy, r.subscription_id.as_deref()),
        (Action::Purchase, 5, 5, None)
    );
    assert_eq!(plan.summary.to_buy_of(ItemKind::Software, None), 5);
}

#[test]
fn order_is_deterministic_whatever_the_input_order() {
    let make = |reverse: bool| {
        let mut c1 = dcust(
            C1,
            "contoso",
            vec![
                dsub(
                    S1,
                    SubscriptionKind::AzurePlan,
                    vec![
                        res("z", "Standard_D2s_v5", Term::P1Y, 1),
                        res("a", "Standard_D4s_v5", Term::P3Y, 1),
                    ],
                ),
                dsub(
                    S2,
                    SubscriptionKind::Legacy,
                    vec![res("m", "Standard_E4s_v5", Term::P1Y, 1)],
                ),
            ],
            vec![
                sw("y", "DG7GMGF0FKZV", "0001", 1),
                sw("b", "DG7GMGF0DWM3", "0002", 1),
            ],
        );
        let c2 = dcust(
            C2,
            "fabrikam",
            vec![],
            vec![sw("w", "DG7GMGF0DWM3", "0003", 1)],
        );
        let mut o1 = observed_for(&c1);
        let o2 = observed_for(&c2);
        o1.holdings.push(holding("aaaa", "X", Term::P1Y, 1, "o1"));
        o1.holdings.push(holding("bbbb", "X", Term::P1Y, 1, "o2"));
        let mut customers = vec![c2.clone(), c1.clone()];
        let mut observed = vec![o1.clone(), o2.clone()];
        if reverse {
            for s in &mut c1.subscriptions {
                s.reservations.reverse();
            }
            c1.subscriptions.reverse();
            c1.software.reverse();
            customers = vec![c1, c2];
            observed.reverse();
            observed[1].holdings.reverse();
            observed[1].resolutions.reverse();
        }
        diff(&desired(customers), &obs(observed))
    };
    let a = make(false);
    let b = make(true);
    assert_eq!(a, b);
    let order: Vec<_> = a
        .rows
        .iter()
        .map(|r| r.item.clone().unwrap_or_default())
        .collect();
    // C2 (7d2a…) sorts after C1 (4b5f…); S2 (3c8e…) before S1 (9a51…); software last.
    assert_eq!(order, vec!["m", "a", "z", "b", "y", "w"]);
}

#[test]
fn fingerprints_change_with_the_observations_and_compare_names_them() {
    let (d, oc) = simple();
    let saved = diff(&d, &obs(vec![oc.clone()]));
    assert!(compare(&saved, &saved).is_empty());

    let mut oc2 = oc.clone();
    oc2.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 1, "o9"));
    let fresh = diff(&d, &obs(vec![oc2]));
    assert_ne!(
        item_row(&saved, "web").fingerprint,
        item_row(&fresh, "web").fingerprint
    );
    let changes = compare(&saved, &fresh);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert!(changes[0].irreversible);
    let text = changes[0].to_string();
    assert!(text.contains("purchase 4, now purchase 3"), "{text}");
    assert!(text.contains("owned 0 → 1"), "{text}");

    let mut oc3 = oc.clone();
    sub_mut(&mut oc3).registration = Registration::Registering;
    let changes = compare(&saved, &diff(&d, &obs(vec![oc3])));
    assert!(
        changes[0]
            .change
            .contains("subscription active/azure-plan/Registered → active/azure-plan/Registering"),
        "{changes:#?}"
    );

    // A purchase the saved plan did not have is a change too.
    let mut oc4 = oc;
    oc4.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1"));
    let ok_plan = diff(&d, &obs(vec![oc4]));
    let changes = compare(&ok_plan, &saved);
    assert_eq!(changes.len(), 1);
    assert!(
        changes[0]
            .change
            .contains("the saved plan said ok, now purchase 4"),
        "{changes:#?}"
    );
}

proptest::proptest! {
    /// Never buy more than the shortfall, never buy when owned + pending covers the item, and
    /// never buy when anything blocks it.
    #[test]
    fn purchases_never_exceed_the_shortfall(
        desired in 1u32..50,
        owned in proptest::collection::vec(0u32..20, 0..4),
        pending in proptest::collection::vec(0u32..20, 0..3),
        in_flight in proptest::bool::ANY,
        suspended in proptest::bool::ANY,
        per_item in proptest::option::of(1u32..40),
    ) {
        let (mut d, mut oc) = simple();
        d.customers[0].subscriptions[0].reservations[0].quantity = desired;
        d.limits.max_units_per_item = per_item;
        let key = d.customers[0].subscriptions[0].reservations[0].purchase_key(C1, S1);
        for (i, q) in owned.iter().enumerate() {
            oc.holdings.push(holding(S1, "Standard_D4s_v5", Term::P3Y, *q, &format!("o{i}")));
        }
        for (i, q) in pending.iter().enumerate() {
            oc.pending.push(PendingPurchase {
                order_id: Some(format!("p{i}")),
                key: key.clone(),
                product_id: "X".into(),
                sku_id: "Y".into(),
                quantity: *q,
            });
        }
        oc.in_flight_unknown = in_flight.then_some(InFlightUnknown::JournalUnreadable);
        if suspended {
            sub_mut(&mut oc).status = SubscriptionStatus::Suspended;
        }
        let plan = diff(&d, &obs(vec![oc]));
        let r = item_row(&plan, "web");
        let o: u32 = owned.iter().sum();
        let p: u32 = pending.iter().sum();
        proptest::prop_assert_eq!((r.owned, r.pending), (o, p));
        if r.action == Action::Purchase {
            proptest::prop_assert_eq!(o + p + r.to_buy, desired);
            proptest::prop_assert!(!in_flight && !suspended);
            proptest::prop_assert!(per_item.is_none_or(|m| r.to_buy <= m));
            proptest::prop_assert!(r.irreversible);
        } else {
            proptest::prop_assert_eq!(r.to_buy, 0);
            proptest::prop_assert!(!r.irreversible);
        }
        if o + p >= desired {
            proptest::prop_assert!(r.action != Action::Purchase && r.action != Action::Blocked);
        }
    }
}
