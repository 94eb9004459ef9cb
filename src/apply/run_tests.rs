//! Unit tests of the pure parts of the run: guardrails, saved-plan comparison, and the batch a
//! customer's re-plan may act on (capped at the shown plan).

use super::*;
use crate::apply::preflight::{Refusal, check_saved, preflight};
use crate::manifest::{
    DesiredReservation, DesiredSoftware, DesiredSubscription, Limits, ReservationTarget,
    ReservationType, Scope, SourceRef, SubscriptionKind, Term,
};
use crate::plan::Registration;
use crate::plan::SavedPlan;
use crate::plan::{
    CatalogItem, CredentialsKind, HoldingsSource, Inventory, ItemResolution, ObservedCustomer,
    ObservedSubscription, Resolution, SubscriptionStatus,
};
use chrono::Utc;

const C: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
const S: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

fn src() -> SourceRef {
    SourceRef {
        file: "m.yaml".into(),
        line: 1,
        column: 1,
    }
}

fn desired(vm: u32, software: u32) -> DesiredState {
    DesiredState {
        customers: vec![DesiredCustomer {
            savings_plans: Vec::new(),
            id: C.into(),
            name: Some("contoso".into()),
            subscriptions: vec![DesiredSubscription {
                id: S.into(),
                kind: SubscriptionKind::AzurePlan,
                reservations: vec![DesiredReservation {
                    renew_before: None,
                    name: "web".into(),
                    reservation_type: ReservationType::Vm,
                    target: ReservationTarget::Arm {
                        arm_sku_name: "Standard_D4s_v5".into(),
                        arm_region_name: "eastus".into(),
                    },
                    term: Term::P3Y,
                    scope: Scope::Shared,
                    quantity: vm,
                    billing: Default::default(),
                    source: src(),
                    blocked_ok: None,
                }],
                source: src(),
            }],
            software: vec![DesiredSoftware {
                name: "sql".into(),
                product_id: "DG7GMGF0FKZV".into(),
                sku_id: "0001".into(),
                quantity: software,
                billing_cycle: None,
                term: None,
                source: src(),
                blocked_ok: None,
            }],
            source: src(),
        }],
        limits: Limits::default(),
        manifest_hash: "h".into(),
    }
}

fn found(product: &str, sku: &str) -> Resolution {
    Resolution::Found(CatalogItem {
        product_id: product.into(),
        sku_id: sku.into(),
        availability: Some(crate::plan::ChosenAvailability {
            id: "AV".into(),
            catalog_item_id: format!("{product}:{sku}:AV"),
        }),
        title: "t".into(),
        min_quantity: 1,
        max_quantity: 1000,
        requires_registration: false,
        inventory: Inventory::NotRequired,
        billing_cycles: vec![],
    })
}

fn observed(d: &DesiredState, registration: Registration) -> (ObservedCustomer, Observation) {
    let dc = &d.customers[0];
    let ds = &dc.subscriptions[0];
    let oc = ObservedCustomer {
        id: C.into(),
        company_name: None,
        country: "US".into(),
        subscriptions: BTreeMap::from([(
            S.to_owned(),
            ObservedSubscription {
                id: S.into(),
                status: SubscriptionStatus::Active,
                kind: SubscriptionKind::AzurePlan,
                registration,
            },
        )]),
        holdings: Vec::new(),
        holdings_source: HoldingsSource::Entitlements,
        credentials: CredentialsKind::AppUser,
        pending: Vec::new(),
        in_flight_unknown: None,
        resolutions: vec![
            ItemResolution {
                key: ds.reservations[0].purchase_key(C, S),
                resolution: found("DZH318Z0AAAA", "0001"),
            },
            ItemResolution {
                key: dc.software[0].purchase_key(C),
                resolution: found("DG7GMGF0FKZV", "0001"),
            },
        ],
    };
    let obs = Observation {
        observed_at: None,
        customers: vec![CustomerObservation::Observed(oc.clone())],
        witnesses: None,
        prices: Default::default(),
    };
    (oc, obs)
}

#[test]
fn a_batch_never_buys_more_than_the_shown_plan() {
    let shown_state = desired(2, 3);
    let (_, shown_obs) = observed(&shown_state, Registration::Registered);
    let shown = diff(&shown_state, &shown_obs);
    // The re-plan under the lock wants more (the manifest grew meanwhile): capped.
    let fresh_state = desired(4, 5);
    let (oc, fresh_obs) = observed(&fresh_state, Registration::Registered);
    let fresh = diff(&fresh_state, &fresh_obs);
    let batch = build_batch(&fresh_state.customers[0], &shown, &fresh, &oc, "ph");
    let q: Vec<(String, u32)> = batch
        .lines
        .iter()
        .map(|l| (l.item_name.clone(), l.quantity))
        .collect();
    assert_eq!(q, vec![("web".to_owned(), 2), ("sql".to_owned(), 3)]);
    assert!(batch.register.is_empty());
    assert_eq!(batch.plan_hash, "ph");
}

#[test]
fn a_batch_buys_less_when_the_re_plan_needs_less_and_nothing_the_shown_plan_lacked() {
    let d = desired(4, 3);
    let (_, o) = observed(&d, Registration::Registered);
    let shown = diff(&d, &o);
    let fresh_state = desired(1, 3);
    let (oc, fresh_obs) = observed(&fresh_state, Registration::Registered);
    let fresh = diff(&fresh_state, &fresh_obs);
    let batch = build_batch(&d.customers[0], &shown, &fresh, &oc, "ph");
    assert_eq!(batch.lines[0].quantity, 1);

    let nothing_shown = desired(0, 0);
    let (_, o) = observed(&nothing_shown, Registration::Registered);
    let shown = diff(&nothing_shown, &o);
    let batch = build_batch(&d.customers[0], &shown, &fresh, &oc, "ph");
    assert!(batch.lines.is_empty(), "{batch:?}");
}

#[test]
fn reservation_lines_carry_one_time_term_and_provisioning_context() {
    let d = desired(2, 1);
    let (oc, o) = observed(&d, Registration::Registering);
    let plan = diff(&d, &o);
    let batch = build_batch(&d.customers[0], &plan, &plan, &oc, "ph");
    let vm = &batch.lines[0];
    assert_eq!(vm.billing_cycle, "one_time");
    assert_eq!(vm.term_duration.as_deref(), Some("P3Y"));
    assert_eq!(vm.catalog_item_id, "DZH318Z0AAAA:0001:AV");
    assert_eq!(
        vm.provisioning_context,
        BTreeMap::from([
            ("subscriptionId".to_owned(), S.to_owned()),
            ("scope".to_owned(), "shared".to_owned()),
            ("duration".to_owned(), "3Years".to_owned()),
        ])
    );
    let sw = &batch.lines[1];
    assert_eq!(sw.billing_cycle, "one_time");
    assert!(sw.provisioning_context.is_empty());
    assert_eq!(sw.term_duration, None);
    assert_eq!(
        batch.register,
        vec![S.to_owned()],
        "a registering subscription is waited for"
    );
}

#[test]
fn guardrails_refuse_the_whole_run() {
    let mut d = desired(4, 3);
    let (_, o) = observed(&d, Registration::Registered);
    let p = preflight(&d, &o, None, Some(6));
    assert_eq!(
        p.refusal.as_ref().map(ToString::to_string).as_deref(),
        Some("the plan would buy 7 units, more than --max-units (6); nothing was done")
    );
    assert!(
        !p.plan.has_changes(),
        "the shown plan blocks every purchase"
    );
    assert!(preflight(&d, &o, None, Some(7)).refusal.is_none());
    d.limits.max_units_per_apply = Some(5);
    let p = preflight(&d, &o, None, None);
    assert!(matches!(
        p.refusal,
        Some(Refusal::TooManyUnits {
            total: 7,
            max: 5,
            ..
        })
    ));
}

#[test]
fn a_saved_plan_that_no_longer_holds_is_refused_naming_the_change() {
    let d = desired(4, 3);
    let (_, o) = observed(&d, Registration::Registered);
    let saved = diff(&d, &o);
    assert!(preflight(&d, &o, Some(&saved), None).refusal.is_none());
    let (mut oc, _) = observed(&d, Registration::Registered);
    oc.resolutions[0].resolution = found("DZH318Z0AAAA", "0002");
    let changed = Observation {
        observed_at: None,
        customers: vec![CustomerObservation::Observed(oc)],
        witnesses: None,
        prices: Default::default(),
    };
    let p = preflight(&d, &changed, Some(&saved), None);
    let text = p.refusal.map(|r| r.to_string()).unwrap_or_default();
    assert!(text.contains("no longer holds"), "{text}");
    assert!(text.contains("contoso / 9a51d0e2"), "{text}");
    assert!(text.contains("catalog"), "{text}");
}

#[test]
fn an_expired_saved_plan_is_refused() {
    let d = desired(1, 1);
    let (_, o) = observed(&d, Registration::Registered);
    let now = Utc::now();
    let saved = SavedPlan::new(diff(&d, &o), now, chrono::Duration::hours(1));
    assert!(check_saved(&saved, now).is_ok());
    let later = now + chrono::Duration::hours(2);
    let e = check_saved(&saved, later).expect_err("expired");
    assert!(
        e.to_string().starts_with("the saved plan expired at"),
        "{e}"
    );
}

#[test]
fn a_plan_rebuilt_from_a_saved_plan_compares_equal_to_it() {
    let d = desired(4, 3);
    let (_, o) = observed(&d, Registration::NotRegistered);
    let saved = diff(&d, &o);
    let rebuilt = super::super::from_plan::desired_from_plan(&saved, std::path::Path::new("p"));
    assert_eq!(rebuilt.manifest_hash, d.manifest_hash);
    assert_eq!(rebuilt.customers[0].name.as_deref(), Some("contoso"));
    let p = preflight(&rebuilt, &o, Some(&saved), None);
    assert!(p.refusal.is_none(), "{:?}", p.refusal);
    assert_eq!(p.plan.rows, saved.rows);
}

#[test]
fn max_units_on_a_saved_plan_refuses_as_a_guardrail_not_as_a_stale_plan() {
    let d = desired(4, 3);
    let (_, o) = observed(&d, Registration::Registered);
    let saved = diff(&d, &o);
    let p = preflight(&d, &o, Some(&saved), Some(2));
    assert!(
        matches!(
            p.refusal,
            Some(Refusal::TooManyUnits {
                total: 7,
                max: 2,
                ..
            })
        ),
        "{:?}",
        p.refusal
    );
}
