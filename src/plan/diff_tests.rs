//! Unit tests of the pure diff (and of `compare`, which needs the same builders).

use super::*;
use crate::manifest::{
    DesiredReservation, DesiredSoftware, DesiredSubscription, ReservationTarget, ReservationType,
    Scope, SourceRef, Term,
};
use crate::plan::ItemKind;
use crate::plan::observed::*;
use crate::plan::{Observation, compare};
use std::collections::BTreeMap;

const C1: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
const C2: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
const S1: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";
const S2: &str = "3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11";

fn src() -> SourceRef {
    SourceRef {
        file: "m.yaml".into(),
        line: 1,
        column: 1,
    }
}

fn res(name: &str, sku: &str, term: Term, qty: u32) -> DesiredReservation {
    DesiredReservation {
        name: name.into(),
        reservation_type: ReservationType::Vm,
        target: ReservationTarget::Arm {
            arm_sku_name: sku.into(),
            arm_region_name: "eastus".into(),
        },
        term,
        scope: Scope::Shared,
        quantity: qty,
        source: src(),
    }
}

fn sw(name: &str, product: &str, sku: &str, qty: u32) -> DesiredSoftware {
    DesiredSoftware {
        name: name.into(),
        product_id: product.into(),
        sku_id: sku.into(),
        quantity: qty,
        billing_cycle: None,
        term: None,
        source: src(),
    }
}

fn dsub(id: &str, kind: SubscriptionKind, r: Vec<DesiredReservation>) -> DesiredSubscription {
    DesiredSubscription {
        id: id.into(),
        kind,
        reservations: r,
        source: src(),
    }
}

fn dcust(
    id: &str,
    name: &str,
    subs: Vec<DesiredSubscription>,
    software: Vec<DesiredSoftware>,
) -> DesiredCustomer {
    DesiredCustomer {
        id: id.into(),
        name: Some(name.into()),
        subscriptions: subs,
        software,
        source: src(),
    }
}

fn desired(customers: Vec<DesiredCustomer>) -> DesiredState {
    DesiredState {
        customers,
        limits: Limits::default(),
        manifest_hash: "abc123".into(),
    }
}

fn osub(id: &str, kind: SubscriptionKind, reg: Registration) -> ObservedSubscription {
    ObservedSubscription {
        id: id.into(),
        status: SubscriptionStatus::Active,
        kind,
        registration: reg,
    }
}

/// An observed customer in the US owning nothing, with every declared item of `dc` found in
/// the catalog (product `P-<sku>`, SKU `0001`).
fn observed_for(dc: &DesiredCustomer) -> ObservedCustomer {
    let mut subscriptions = BTreeMap::new();
    let mut resolutions = Vec::new();
    for ds in &dc.subscriptions {
        subscriptions.insert(
            ds.id.clone(),
            osub(&ds.id, ds.kind, Registration::Registered),
        );
        for r in &ds.reservations {
            let ReservationTarget::Arm { arm_sku_name, .. } = &r.target else {
                continue;
            };
            resolutions.push(ItemResolution {
                key: r.purchase_key(&dc.id, &ds.id),
                resolution: found(&format!("P-{arm_sku_name}"), r.term.as_str()),
            });
        }
    }
    for s in &dc.software {
        resolutions.push(ItemResolution {
            key: s.purchase_key(&dc.id),
            resolution: found(&s.product_id, &s.sku_id),
        });
    }
    ObservedCustomer {
        id: dc.id.clone(),
        company_name: None,
        country: "US".into(),
        subscriptions,
        holdings: Vec::new(),
        holdings_source: HoldingsSource::Entitlements,
        credentials: CredentialsKind::AppUser,
        pending: Vec::new(),
        in_flight_unknown: None,
        resolutions,
    }
}

fn sub_mut(oc: &mut ObservedCustomer) -> &mut ObservedSubscription {
    oc.subscriptions
        .get_mut(S1)
        .expect("subscription S1 is observed")
}

fn found(product: &str, sku: &str) -> Resolution {
    Resolution::Found(CatalogItem {
        product_id: product.into(),
        sku_id: sku.into(),
        availability_id: "AV01".into(),
        catalog_item_id: format!("{product}:{sku}:AV01"),
        title: format!("{product} {sku}"),
        min_quantity: 1,
        max_quantity: 999_999_999,
        requires_registration: true,
        inventory: Inventory::NotRequired,
    })
}

fn holding(sub: &str, sku: &str, term: Term, qty: u32, order: &str) -> Holding {
    Holding {
        kind: HoldingKind::Reservation(ReservationAttribution {
            subscription_id: Some(sub.into()),
            term: Some(term),
            scope: Some(Scope::Shared),
            reservation_type: None,
            arm_sku_name: None,
            arm_region_name: None,
        }),
        product_id: format!("P-{sku}"),
        sku_id: term.as_str().into(),
        quantity: qty,
        order_id: order.into(),
        expiry: None,
        title: None,
    }
}

fn obs(cs: Vec<ObservedCustomer>) -> Observation {
    Observation {
        customers: cs.into_iter().map(CustomerObservation::Observed).collect(),
    }
}

/// One customer, one Azure plan subscription with `web` (D4s P3Y ×4).
fn simple() -> (DesiredState, ObservedCustomer) {
    let dc = dcust(
        C1,
        "contoso",
        vec![dsub(
            S1,
            SubscriptionKind::AzurePlan,
            vec![res("web", "Standard_D4s_v5", Term::P3Y, 4)],
        )],
        vec![],
    );
    let oc = observed_for(&dc);
    (desired(vec![dc]), oc)
}

fn item_row<'p>(plan: &'p Plan, name: &str) -> &'p Row {
    plan.rows
        .iter()
        .find(|r| r.item.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no row for {name}: {plan:#?}"))
}

fn blocked_reason(d: &DesiredState, oc: ObservedCustomer) -> String {
    let plan = diff(d, &obs(vec![oc]));
    let r = item_row(&plan, "web");
    assert_eq!(r.action, Action::Blocked, "{r:#?}");
    assert_eq!(r.to_buy, 0);
    assert!(!r.irreversible);
    r.reason.clone().unwrap_or_default()
}

#[test]
fn missing_units_are_purchased_and_marked_irreversible() {
    let (d, mut oc) = simple();
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 1, "o1"));
    let plan = diff(&d, &obs(vec![oc]));
    let r = item_row(&plan, "web");
    assert_eq!(
        (r.action, r.desired, r.owned, r.to_buy),
        (Action::Purchase, 4, 1, 3)
    );
    assert!(r.irreversible);
    assert_eq!(
        r.resolved
            .as_ref()
            .and_then(|x| x.catalog_item_id.as_deref()),
        Some("P-Standard_D4s_v5:P3Y:AV01")
    );
    assert_eq!(
        plan.summary
            .to_buy_of(ItemKind::Reservation, Some(Term::P3Y)),
        3
    );
    assert!(plan.has_changes());
    assert_eq!(plan.exit_code(true), 2);
    assert!(plan.unmanaged.is_empty());
}

#[test]
fn owned_equal_is_ok_and_more_is_surplus_never_a_change() {
    let (d, mut oc) = simple();
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1"));
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert_eq!(item_row(&plan, "web").action, Action::Ok);
    assert!(!plan.has_changes());
    assert_eq!(plan.exit_code(true), 0);

    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 2, "o2"));
    let plan = diff(&d, &obs(vec![oc]));
    let r = item_row(&plan, "web");
    assert_eq!(
        (r.action, r.owned, r.surplus, r.to_buy),
        (Action::Surplus, 6, 2, 0)
    );
    assert!(!plan.has_changes());
    assert_eq!(plan.summary.surplus, 1);
}

#[test]
fn journalled_orders_not_yet_visible_are_pending_not_bought_again() {
    let (d, mut oc) = simple();
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 2, "o1"));
    let key = d.customers[0].subscriptions[0].reservations[0].purchase_key(C1, S1);
    oc.pending.push(PendingPurchase {
        order_id: Some("o2".into()),
        key: key.clone(),
        product_id: "P-Standard_D4s_v5".into(),
        sku_id: "P3Y".into(),
        quantity: 2,
    });
    let plan = diff(&d, &obs(vec![oc.clone()]));
    let r = item_row(&plan, "web");
    assert_eq!(
        (r.action, r.owned, r.pending, r.to_buy),
        (Action::Pending, 2, 2, 0)
    );
    assert!(!plan.has_changes());

    // An intent without a confirmed outcome counts too, and the customer gets a note.
    oc.pending[0].order_id = None;
    oc.pending[0].quantity = 1;
    let plan = diff(&d, &obs(vec![oc]));
    let r = item_row(&plan, "web");
    assert_eq!((r.action, r.pending, r.to_buy), (Action::Purchase, 1, 1));
    assert!(
        plan.customers[0]
            .notes
            .iter()
            .any(|n| n.contains("no confirmed outcome"))
    );
}

#[test]
fn a_pending_order_already_visible_as_a_holding_is_not_counted_twice() {
    let (d, mut oc) = simple();
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 2, "o1"));
    let key = d.customers[0].subscriptions[0].reservations[0].purchase_key(C1, S1);
    oc.pending.push(PendingPurchase {
        order_id: Some("o1".into()),
        key,
        product_id: "P-Standard_D4s_v5".into(),
        sku_id: "P3Y".into(),
        quantity: 2,
    });
    let plan = diff(&d, &obs(vec![oc]));
    let r = item_row(&plan, "web");
    assert_eq!(
        (r.action, r.owned, r.pending, r.to_buy),
        (Action::Purchase, 2, 0, 2)
    );
}

#[test]
fn not_registered_subscription_gets_one_register_row_before_its_purchases() {
    let (mut d, mut oc) = simple();
    d.customers[0].subscriptions[0]
        .reservations
        .push(res("api", "Standard_E4s_v5", Term::P1Y, 1));
    oc = {
        let mut o = observed_for(&d.customers[0]);
        o.holdings = oc.holdings;
        o
    };
    sub_mut(&mut oc).registration = Registration::NotRegistered;
    let plan = diff(&d, &obs(vec![oc]));
    let actions: Vec<_> = plan.rows.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        vec![Action::Register, Action::Purchase, Action::Purchase]
    );
    assert_eq!(plan.rows[0].subscription_id.as_deref(), Some(S1));
    assert!(!plan.rows[0].irreversible);
    assert_eq!(plan.summary.register, 1);
    assert!(
        item_row(&plan, "web")
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("registers the subscription first")
    );
}

#[test]
fn registered_or_registering_subscription_gets_no_register_row() {
    for reg in [
        Registration::Registered,
        Registration::Registering,
        Registration::Unknown,
    ] {
        let (d, mut oc) = simple();
        sub_mut(&mut oc).registration = reg;
        let plan = diff(&d, &obs(vec![oc]));
        assert!(
            plan.rows.iter().all(|r| r.action != Action::Register),
            "{reg:?}"
        );
    }
}

#[test]
fn blocked_when_the_market_is_unavailable() {
    let (mut d, mut oc) = simple();
    d.customers[0].name = Some("tailspin".into());
    oc.country = "RU".into();
    assert_eq!(
        blocked_reason(&d, oc),
        "customer tailspin is in RU, where Azure reservations are not sold"
    );
}

#[test]
fn blocked_when_the_catalog_says_market_unavailable() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::MarketUnavailable;
    assert!(blocked_reason(&d, oc).contains("where Azure reservations are not sold"));
}

#[test]
fn blocked_when_the_subscription_is_missing_inactive_or_of_the_other_kind() {
    let (d, mut oc) = simple();
    oc.subscriptions.clear();
    assert!(blocked_reason(&d, oc).contains(&format!("subscription {S1} was not found")));

    let (d, mut oc) = simple();
    sub_mut(&mut oc).status = SubscriptionStatus::Suspended;
    assert_eq!(
        blocked_reason(&d, oc),
        format!("subscription {S1} is suspended, not active")
    );

    let (d, mut oc) = simple();
    sub_mut(&mut oc).kind = SubscriptionKind::Legacy;
    assert_eq!(
        blocked_reason(&d, oc),
        format!(
            "subscription {S1} is declared azure-plan but Partner Center says legacy MS-AZR-0145P"
        )
    );
}

#[test]
fn blocked_when_the_sku_is_not_in_the_catalog_with_close_matches() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::NotFound {
        searched: "AzureReservationsVM (Azure plan, US): Standard_D4s_v6 in eastus for 3Years"
            .into(),
        suggestions: vec!["Standard_D4s_v5".into(), "Standard_D8s_v5".into()],
    };
    assert_eq!(
        blocked_reason(&d, oc),
        "no SKU in the catalog for AzureReservationsVM (Azure plan, US): Standard_D4s_v6 in eastus \
         for 3Years; close matches: Standard_D4s_v5, Standard_D8s_v5"
    );
}

#[test]
fn blocked_when_inventory_is_restricted_or_quantity_out_of_bounds_or_needs_app_user() {
    let set = |oc: &mut ObservedCustomer, f: &dyn Fn(&mut CatalogItem)| {
        if let Resolution::Found(ci) = &mut oc.resolutions[0].resolution {
            f(ci)
        }
    };
    let (d, mut oc) = simple();
    set(&mut oc, &|ci| {
        ci.inventory = Inventory::Restricted {
            reason: "NotAvailableForSubscription in japanwest".into(),
        }
    });
    assert!(blocked_reason(&d, oc).contains("inventory is restricted"));

    let (d, mut oc) = simple();
    set(&mut oc, &|ci| ci.min_quantity = 5);
    assert_eq!(
        blocked_reason(&d, oc),
        "buying 4 units is below the SKU's minimum of 5"
    );

    let (d, mut oc) = simple();
    set(&mut oc, &|ci| ci.max_quantity = 3);
    assert_eq!(
        blocked_reason(&d, oc),
        "buying 4 units is above the SKU's maximum of 3"
    );

    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::NeedsAppUser;
    assert!(blocked_reason(&d, oc).contains("needs App+User credentials"));
}

#[test]
fn blocked_by_limits_per_item_and_per_apply() {
    let (mut d, oc) = simple();
    d.limits.max_units_per_item = Some(3);
    assert_eq!(
        blocked_reason(&d, oc),
        "buying 4 units exceeds limits.max_units_per_item (3)"
    );

    let (mut d, oc) = simple();
    d.limits.max_units_per_item = Some(4);
    d.limits.max_units_per_apply = Some(3);
    let reason = blocked_reason(&d, oc.clone());
    assert!(
        reason.contains("limits.max_units_per_apply (3)"),
        "{reason}"
    );
    assert!(reason.contains("buy 4 units in total"), "{reason}");

    d.limits.max_units_per_apply = Some(4);
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Purchase);
}

#[test]
fn a_run_wide_cap_blocks_every_purchase_and_updates_the_summary() {
    let (d, oc) = simple();
    let mut plan = diff(&d, &obs(vec![oc]));
    plan.limit_total_units(10, "--max-units");
    assert_eq!(item_row(&plan, "web").action, Action::Purchase);
    plan.limit_total_units(3, "--max-units");
    let r = item_row(&plan, "web");
    assert_eq!(r.action, Action::Blocked);
    assert!(
        r.reason
            .as_deref()
            .unwrap_or("")
            .contains("more than --max-units (3)")
    );
    assert_eq!((plan.summary.to_buy, plan.summary.blocked), (0, 1));
}

#[test]
fn in_flight_doubt_blocks_purchases_and_says_to_wait() {
    let (d, mut oc) = simple();
    oc.in_flight_unknown = Some(InFlightUnknown::JournalUnreadable);
    let reason = blocked_reason(&d, oc.clone());
    assert!(reason.contains("wait 15 minutes"), "{reason}");
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert!(
        plan.customers[0]
            .notes
            .iter()
            .any(|n| n.contains("journal"))
    );
    assert_eq!(plan.exit_code(false), 1);

    // Items already owned stay ok.
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1"));
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Ok);
}

#[test]
fn a_missing_journal_blocks_purchases_naming_the_state_dir_and_the_way_out() {
    let (d, mut oc) = simple();
    oc.in_flight_unknown = Some(InFlightUnknown::JournalMissing {
        state_dir: ".reservoir".into(),
    });
    let reason = blocked_reason(&d, oc.clone());
    assert!(
        reason.starts_with("no purchase journal in .reservoir: "),
        "{reason}"
    );
    assert!(reason.contains("last 15 minutes"), "{reason}");
    assert!(reason.contains("--fresh-state"), "{reason}");
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert_eq!(plan.exit_code(true), 1);
    assert_eq!(plan.summary.to_buy, 0);

    // Nothing to buy: nothing blocked, no note.
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1"));
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Ok);
    assert!(
        plan.customers[0].notes.is_empty(),
        "{:?}",
        plan.customers[0].notes
    );
    assert_eq!(plan.exit_code(true), 0);
}

#[test]
fn a_failed_customer_gets_error_rows_and_others_are_still_planned() {
    let (mut d, oc) = simple();
    d.customers.push(dcust(
        C2,
        "fabrikam",
        vec![dsub(
            S2,
            SubscriptionKind::AzurePlan,
            vec![res("db", "SQLDB", Term::P1Y, 2)],
        )],
        vec![sw("win", "DG7GMGF0DWM3", "0002", 3)],
    ));
    let mut o = obs(vec![oc]);
    o.customers.push(CustomerObservation::Failed {
        customer_id: C2.into(),
        error: "reading subscriptions: 503 Service Unavailable".into(),
    });
    let plan = diff(&d, &o);
    let errors: Vec<_> = plan
        .rows
        .iter()
        .filter(|r| r.action == Action::Error)
        .collect();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("could not read customer fabrikam: reading subscriptions: 503")
    );
    assert_eq!(item_row(&plan, "web").action, Action::Purchase);
    assert_eq!(plan.summary.errors, 2);
    assert_eq!(plan.exit_code(true), 1);

    // Not observed at all: errors too.
    let plan = diff(&d, &obs(vec![]));
    assert!(plan.rows.iter().all(|r| r.action == Action::Error));
}

#[test]
fn a_catalog_error_or_missing_resolution_is_an_error_row() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::Error("products: 500".into());
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert_eq!(item_row(&plan, "web").action, Action::Error);
    oc.resolutions.clear();
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Error);
}

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

#[path = "diff_dup_tests.rs"]
mod duplicates;
