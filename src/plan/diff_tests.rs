//! Unit tests of the pure diff (and of `compare`, which needs the same builders).

use super::*;
use crate::manifest::{
    DesiredReservation, DesiredSoftware, DesiredSubscription, ReservationTarget, ReservationType,
    Scope, SourceRef, SubscriptionKind, Term,
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
        renew_before: None,
        name: name.into(),
        reservation_type: ReservationType::Vm,
        target: ReservationTarget::Arm {
            arm_sku_name: sku.into(),
            arm_region_name: "eastus".into(),
        },
        term,
        scope: Scope::Shared,
        quantity: qty,
        billing: Default::default(),
        source: src(),
        blocked_ok: None,
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
        blocked_ok: None,
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
        savings_plans: Vec::new(),
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
        availability: Some(crate::plan::ChosenAvailability {
            id: "AV01".into(),
            catalog_item_id: format!("{product}:{sku}:AV01"),
        }),
        title: format!("{product} {sku}"),
        min_quantity: 1,
        max_quantity: 999_999_999,
        requires_registration: true,
        inventory: Inventory::NotRequired,
        billing_cycles: vec![],
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
        observed_at: None,
        customers: cs.into_iter().map(CustomerObservation::Observed).collect(),
        witnesses: None,
        prices: Default::default(),
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

#[path = "diff_blocker_tests.rs"]
mod blockers;
#[path = "diff_matching_tests.rs"]
mod matching;
#[path = "diff_renewal_tests.rs"]
mod renewal;
