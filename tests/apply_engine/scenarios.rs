//! One test per failure scenario of issue 4.

use super::fake::{FakeWorld, Fault};
use super::harness::*;
use futures::FutureExt;
use reservoir::apply::{
    ApplyEvent, CartState, CustomerBatch, NoopReporter, OrderOutcomeStatus, RegistrationResult,
    Reporter, apply_customer, resume_customer,
};
use reservoir::store::{IntentState, JournalError, PendingState, Record};
use std::sync::Mutex;

#[test]
fn a_fault_free_apply_buys_exactly_the_declared_units_and_the_next_plan_is_empty() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [4, 2, 10, 3]);
    let run = run_process(&world, dir.path(), &desired, None);
    assert!(run.completed);
    assert_exact(&world, &desired_units(&desired));

    // receipt: orders with ids, lines, quantities, catalog ids; cart, request ids, plan hash
    let contoso = &run.outcomes[0];
    assert!(contoso.is_success(), "{contoso:#?}");
    assert_eq!(contoso.units_placed(), 16);
    assert_eq!(contoso.orders.len(), 2, "one order per order group");
    assert_eq!(contoso.plan_hashes, vec!["plan-hash-1".to_owned()]);
    let cart = &contoso.carts[0];
    assert_eq!(cart.state, CartState::Ordered);
    let sent = world.request_ids();
    assert!(sent.contains(&("create cart".into(), cart.create_request_id.clone())));
    let checkout_id = cart
        .checkout_request_id
        .clone()
        .expect("checkout request id");
    assert!(sent.contains(&("checkout".into(), checkout_id)));
    let placed: Vec<String> = world.orders().into_iter().map(|o| o.order_id).collect();
    for order in &contoso.orders {
        assert!(placed.contains(&order.order_id));
        assert_eq!(order.cart_id, cart.cart_id.clone().expect("cart id"));
        for l in &order.lines {
            assert!(l.key.is_some() && l.item_name.is_some());
            assert!(l.catalog_item_id.ends_with(":AV0"));
        }
    }

    // the journal makes the next plan propose nothing, even before entitlements show
    let j = journal(&world, dir.path(), None);
    for c in &desired {
        assert!(plan(&world, &j, c).wait().expect("plan").is_empty());
    }
    let again = run_process(&world, dir.path(), &desired, None);
    assert!(again.completed);
    assert_eq!(world.carts_created(), 2, "no new cart on a re-run");
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn commit_then_drop_on_cart_creation_resends_the_same_request_id() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [1, 1, 1, 1]);
    world.script([Fault::Drop, Fault::Drop]);
    let run = run_process(&world, dir.path(), &desired, None);
    assert!(run.completed);
    assert_exact(&world, &desired_units(&desired));
    let creates: Vec<String> = world
        .request_ids()
        .into_iter()
        .filter(|(op, _)| op == "create cart")
        .map(|(_, id)| id)
        .collect();
    assert_eq!(creates.len(), 4, "contoso sent three times, fabrikam once");
    assert_eq!(creates[0], creates[1]);
    assert_eq!(creates[1], creates[2]);
    assert_eq!(world.carts_created(), 2);
}

#[test]
fn commit_then_drop_on_checkout_rechecks_out_the_same_cart() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [2, 3, 4, 5]);
    // contoso: create ok, checkout dropped twice
    world.script([Fault::None, Fault::Drop, Fault::Drop]);
    let run = run_process(&world, dir.path(), &desired, None);
    assert!(run.completed);
    assert!(run.outcomes[0].is_success(), "{:#?}", run.outcomes[0]);
    assert_exact(&world, &desired_units(&desired));
    let checkouts: Vec<String> = world
        .request_ids()
        .into_iter()
        .filter(|(op, _)| op == "checkout")
        .map(|(_, id)| id)
        .collect();
    assert_eq!(checkouts.len(), 4);
    assert!(checkouts[..3].iter().all(|id| *id == checkouts[0]));
}

#[test]
fn a_write_that_stays_unknown_is_pending_and_resumed_by_the_next_run() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [1, 2, 3, 4]);
    // every checkout attempt of contoso is committed-then-dropped
    world.script([
        Fault::None,
        Fault::Drop,
        Fault::Drop,
        Fault::Drop,
        Fault::Drop,
    ]);
    let run = run_process(&world, dir.path(), &desired, None);
    assert!(run.completed);
    let contoso = &run.outcomes[0];
    assert!(contoso.in_doubt());
    assert_eq!(contoso.unknown.len(), 1);
    assert_eq!(contoso.unknown[0].step, "check out cart");

    // plan counts the unknown intent as pending: nothing to buy
    let j = journal(&world, dir.path(), None);
    let pending = j.pending(CONTOSO).wait().expect("pending");
    assert_eq!(pending.len(), 3);
    assert!(
        pending
            .iter()
            .all(|p| p.state == PendingState::OutcomeUnknown)
    );
    assert!(
        plan(&world, &j, &desired[0])
            .wait()
            .expect("plan")
            .is_empty()
    );

    let again = run_process(&world, dir.path(), &desired, None);
    assert!(again.completed);
    assert!(again.outcomes[0].is_success(), "{:#?}", again.outcomes[0]);
    assert_eq!(again.outcomes[0].orders.len(), 2);
    assert_exact(&world, &desired_units(&desired));
    assert_eq!(world.carts_created(), 2);
}

#[test]
fn a_process_killed_after_each_journal_step_never_buys_twice() {
    // a fault-free run of this world appends: intent, cart created, checkout started, checkout
    // result — per customer; kill after every one of them in turn.
    let probe = FakeWorld::new();
    let probe_dir = tempfile::tempdir().expect("tempdir");
    let d = small_world(&probe, [1, 1, 1, 1]);
    run_process(&probe, probe_dir.path(), &d, None);
    let steps = journal(&probe, probe_dir.path(), None)
        .read(CONTOSO)
        .wait()
        .expect("read")
        .records
        .len()
        + journal(&probe, probe_dir.path(), None)
            .read(FABRIKAM)
            .wait()
            .expect("read")
            .records
            .len();
    assert_eq!(steps, 8);

    for k in 1..=steps {
        let world = FakeWorld::new();
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = small_world(&world, [3, 1, 2, 2]);
        let killed = run_process(&world, dir.path(), &desired, Some(k));
        assert!(!killed.completed, "step {k}");
        assert_never_over(&world, &desired_units(&desired));
        let rerun = run_process(&world, dir.path(), &desired, None);
        assert!(rerun.completed, "step {k}");
        assert_exact(&world, &desired_units(&desired));
        let third = run_process(&world, dir.path(), &desired, None);
        assert!(third.completed);
        assert_exact(&world, &desired_units(&desired));
        assert_eq!(world.carts_created(), 2, "step {k}: one cart per customer");
    }
}

#[test]
fn already_submitted_after_a_lost_checkout_response_is_not_taken_as_a_failure() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    world.set_legacy_checkout();
    let desired = small_world(&world, [2, 1, 1, 1]);
    // contoso's checkout commits, the response is lost, the resend answers 800065
    world.script([Fault::None, Fault::Drop]);
    let run = run_process(&world, dir.path(), &desired, None);
    let contoso = &run.outcomes[0];
    assert!(contoso.failures.is_empty(), "{contoso:#?}");
    assert_eq!(contoso.unknown.len(), 1, "left pending, not failed");
    for _ in 0..2 {
        run_process(&world, dir.path(), &desired, None);
        assert_exact(&world, &desired_units(&desired));
    }
}

#[test]
fn a_process_killed_while_checkout_is_in_flight_resumes_the_same_checkout() {
    for fault in [Fault::KillBefore, Fault::KillAfter] {
        let world = FakeWorld::new();
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = small_world(&world, [2, 2, 2, 2]);
        world.script([Fault::None, fault]);
        let killed = run_process(&world, dir.path(), &desired, None);
        assert!(!killed.completed);
        let rerun = run_process(&world, dir.path(), &desired, None);
        assert!(rerun.completed);
        assert_exact(&world, &desired_units(&desired));
        let checkouts: Vec<String> = world
            .request_ids()
            .into_iter()
            .filter(|(op, _)| op == "checkout")
            .map(|(_, id)| id)
            .collect();
        assert_eq!(
            checkouts[0], checkouts[1],
            "{fault:?}: same request id on resume"
        );
    }
}

#[test]
fn an_expired_cart_is_abandoned_before_a_new_one_is_made() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [1, 1, 1, 1]);
    // killed right after contoso's cart was recorded; a week passes
    let killed = run_process(&world, dir.path(), &desired, Some(2));
    assert!(!killed.completed);
    world.expire_carts();
    let rerun = run_process(&world, dir.path(), &desired, None);
    assert!(rerun.completed);
    assert_exact(&world, &desired_units(&desired));
    let records = journal(&world, dir.path(), None)
        .read(CONTOSO)
        .wait()
        .expect("read")
        .records;
    let kinds: Vec<&str> = records.iter().map(|r| r.kind()).collect();
    let abandoned = kinds
        .iter()
        .position(|k| *k == "cart_abandoned")
        .expect("abandoned");
    let second_intent = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| **k == "intent")
        .nth(1)
        .map(|(i, _)| i)
        .expect("a second intent");
    assert!(abandoned < second_intent, "{kinds:?}");
}

#[test]
fn two_applies_started_together_on_one_state_dir_buy_exactly_once() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [3, 2, 1, 4]);
    std::thread::scope(|s| {
        let a = s.spawn(|| {
            futures::executor::block_on(async {
                let j = journal(&world, dir.path(), None);
                apply_all(&world, dir.path(), &j, &desired, &options(&world)).await
            })
        });
        let b = s.spawn(|| {
            futures::executor::block_on(async {
                let j = journal(&world, dir.path(), None);
                apply_all(&world, dir.path(), &j, &desired, &options(&world)).await
            })
        });
        a.join().expect("first apply");
        b.join().expect("second apply");
    });
    assert_exact(&world, &desired_units(&desired));
    assert_eq!(world.carts_created(), 2);
}

#[test]
fn storms_of_429_and_5xx_converge() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [2, 1, 3, 1]);
    let mut storm = vec![Fault::Throttle; 7];
    storm.extend([Fault::Transient; 6]);
    storm.extend([
        Fault::Throttle,
        Fault::Transient,
        Fault::Drop,
        Fault::Throttle,
    ]);
    world.script(storm);
    let mut runs = 0;
    loop {
        runs += 1;
        let run = run_process(&world, dir.path(), &desired, None);
        assert!(run.completed);
        assert_never_over(&world, &desired_units(&desired));
        if run.outcomes.iter().all(|o| o.is_success()) && world.units_ordered().len() == 4 {
            break;
        }
        assert!(runs < 8, "did not converge: {:#?}", run.outcomes);
    }
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn registration_pending_at_first_waits_then_buys() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut desired = small_world(&world, [1, 1, 1, 1]);
    desired[1].register = vec!["sub-f1".into()];
    world.set_registration_polls(3);
    let events = Recorder::default();
    let j = journal(&world, dir.path(), None);
    let opts = options(&world);
    let lines = plan(&world, &j, &desired[1]).wait().expect("plan");
    let batch = CustomerBatch {
        customer_id: FABRIKAM.into(),
        customer_name: Some("fabrikam".into()),
        plan_hash: "h".into(),
        register: vec!["sub-f1".into()],
        lines,
    };
    let out = apply_customer(&batch, &world, &j, &events, &opts)
        .now_or_never()
        .expect("never waits on the wall clock");
    assert_eq!(out.registrations[0].status, RegistrationResult::Registered);
    assert!(out.is_success(), "{out:#?}");
    assert_eq!(out.units_placed(), 1);
    let polls = events
        .0
        .lock()
        .expect("events")
        .iter()
        .filter(|e| matches!(e, ApplyEvent::RegistrationPolled { .. }))
        .count();
    assert_eq!(polls, 3, "progress is shown while registering");
}

#[test]
fn registration_that_never_completes_buys_nothing_on_that_subscription() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [1, 1, 1, 1]);
    world.set_registration_polls(1_000);
    let j = journal(&world, dir.path(), None);
    let mut opts = options(&world);
    opts.registration_timeout = std::time::Duration::from_secs(120);
    let batch = CustomerBatch {
        customer_id: CONTOSO.into(),
        customer_name: None,
        plan_hash: "h".into(),
        register: vec!["sub-c1".into()],
        lines: plan(&world, &j, &desired[0]).wait().expect("plan"),
    };
    let start = world.clock.now();
    let out = apply_customer(&batch, &world, &j, &NoopReporter, &opts)
        .now_or_never()
        .expect("completes");
    assert_eq!(out.registrations[0].status, RegistrationResult::TimedOut);
    assert!(
        world.clock.now() - start <= chrono::Duration::seconds(120),
        "bounded by the registration timeout"
    );
    // the software line (no subscription) is still bought; the two reservations are not
    assert_eq!(out.units_placed(), 1);
    assert_eq!(out.failures.len(), 2);
    assert!(out.failures.iter().all(|f| f.code == "not-registered"));
}

#[test]
fn a_failing_order_group_is_reported_and_the_next_plan_proposes_only_its_lines() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [2, 2, 5, 1]);
    world.fail_product("DG7GMGF0DWM3");
    let run = run_process(&world, dir.path(), &desired, None);
    let contoso = &run.outcomes[0];
    assert_eq!(contoso.failures.len(), 1, "{contoso:#?}");
    let f = &contoso.failures[0];
    assert_eq!(
        (f.code.as_str(), f.item_name.as_str()),
        ("800069", "windows-server")
    );
    assert!(f.description.contains("risk check"));
    assert_eq!(contoso.units_placed(), 4, "the reservations stand");

    let j = journal(&world, dir.path(), None);
    let next = plan(&world, &j, &desired[0]).wait().expect("plan");
    assert_eq!(next.len(), 1);
    assert_eq!(
        (next[0].item_name.as_str(), next[0].quantity),
        ("windows-server", 5)
    );

    world.heal_products();
    run_process(&world, dir.path(), &desired, None);
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn a_line_refused_by_the_cart_is_removed_before_checkout_and_reported() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [2, 3, 1, 1]);
    world.script([Fault::LineError]);
    let run = run_process(&world, dir.path(), &desired, None);
    let contoso = &run.outcomes[0];
    assert_eq!(contoso.failures.len(), 1);
    assert_eq!(contoso.failures[0].code, "10003");
    assert_eq!(contoso.units_placed(), 4);
    assert!(
        world
            .request_ids()
            .iter()
            .any(|(op, _)| op == "update cart")
    );
    let ordered = world.units_ordered();
    assert!(!ordered.contains_key(&desired[0].lines[0].key));
    // next run buys the refused line
    run_process(&world, dir.path(), &desired, None);
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn availability_not_found_at_checkout_re_resolves_and_builds_a_new_cart() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [2, 1, 1, 1]);
    let j = journal(&world, dir.path(), None);
    let lines = plan(&world, &j, &desired[0]).wait().expect("plan");
    world.rotate("DZH318Z0BQ3V", "Standard_D4s_v5");
    let batch = CustomerBatch {
        customer_id: CONTOSO.into(),
        customer_name: None,
        plan_hash: "h".into(),
        register: vec![],
        lines,
    };
    let out = apply_customer(&batch, &world, &j, &NoopReporter, &options(&world))
        .now_or_never()
        .expect("completes");
    assert!(out.is_success(), "{out:#?}");
    assert_eq!(out.carts.len(), 2);
    assert_eq!(out.carts[0].state, CartState::Abandoned);
    assert_eq!(out.carts[1].state, CartState::Ordered);
    let units = world.units_ordered();
    assert_eq!(units.get(&desired[0].lines[0].key), Some(&2));
    let d4 = out
        .orders
        .iter()
        .flat_map(|o| &o.lines)
        .find(|l| l.item_name.as_deref() == Some("standard_d4s_v5"))
        .expect("d4 ordered");
    assert!(
        d4.catalog_item_id.ends_with(":AV1"),
        "fresh availability id"
    );
}

#[test]
fn orders_not_yet_visible_as_entitlements_count_as_pending() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    world.set_entitlement_lag(3);
    let desired = small_world(&world, [1, 2, 3, 4]);
    run_process(&world, dir.path(), &desired, None);
    let j = journal(&world, dir.path(), None);
    assert!(
        plan(&world, &j, &desired[0])
            .wait()
            .expect("plan")
            .is_empty()
    );
    assert!(
        j.pending(CONTOSO)
            .wait()
            .expect("pending")
            .iter()
            .all(|p| p.state == PendingState::Ordered)
    );
    run_process(&world, dir.path(), &desired, None);
    for _ in 0..3 {
        world.tick();
    }
    assert!(
        plan(&world, &j, &desired[0])
            .wait()
            .expect("plan")
            .is_empty()
    );
    assert!(
        j.pending(CONTOSO).wait().expect("pending").is_empty(),
        "settled once entitled"
    );
    let intents = j.intents(CONTOSO).wait().expect("intents");
    assert!(intents.iter().all(|i| i.state == IntentState::Done));
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn a_cancelled_order_is_settled_on_resume_and_its_lines_proposed_again() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    world.set_entitlement_lag(10);
    let desired = small_world(&world, [1, 2, 3, 4]);
    let first = run_process(&world, dir.path(), &desired, None);
    let software_order = first.outcomes[0]
        .orders
        .iter()
        .find(|o| {
            o.lines
                .iter()
                .any(|l| l.item_name.as_deref() == Some("windows-server"))
        })
        .expect("software order")
        .order_id
        .clone();
    world.cancel_order(&software_order);
    let second = run_process(&world, dir.path(), &desired, None);
    let contoso = &second.outcomes[0];
    assert!(
        contoso
            .orders
            .iter()
            .any(|o| o.order_id == software_order && o.status == OrderOutcomeStatus::Cancelled)
    );
    // the cancelled units were bought again, the rest is still pending
    assert_eq!(contoso.units_placed(), 3);
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn an_unreadable_journal_stops_the_customer_instead_of_buying() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [1, 1, 1, 1]);
    let killed = run_process(&world, dir.path(), &desired, Some(3));
    assert!(!killed.completed);
    let j = journal(&world, dir.path(), None);
    let path = j.path(CONTOSO).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{{oops\n{text}")).expect("write");
    assert!(matches!(
        j.pending(CONTOSO).wait(),
        Err(JournalError::Corrupt { .. })
    ));
    let run = run_process(&world, dir.path(), &desired, None);
    assert!(run.outcomes[0].journal_error.is_some());
    assert!(run.outcomes[0].in_doubt());
    assert!(
        world
            .units_ordered()
            .keys()
            .all(|k| !format!("{k:?}").contains(CONTOSO))
    );
}

#[test]
fn a_torn_journal_tail_from_a_crash_is_reported_and_the_run_goes_on() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let desired = small_world(&world, [1, 1, 1, 1]);
    let j = journal(&world, dir.path(), None);
    std::fs::write(j.path(CONTOSO).expect("path"), br#"{"type":"intent","at":"#).expect("write");
    let events = Recorder::default();
    let out = resume_customer(CONTOSO, None, &world, &j, &events, &options(&world))
        .now_or_never()
        .expect("completes");
    assert!(out.journal_error.is_none());
    assert!(
        events
            .0
            .lock()
            .expect("events")
            .iter()
            .any(|e| matches!(e, ApplyEvent::JournalTornTail { .. }))
    );
    run_process(&world, dir.path(), &desired, None);
    assert_exact(&world, &desired_units(&desired));
}

#[test]
fn resume_with_nothing_unfinished_does_nothing() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let j = journal(&world, dir.path(), None);
    let out = resume_customer(CONTOSO, None, &world, &j, &NoopReporter, &options(&world))
        .now_or_never()
        .expect("completes");
    assert!(out.is_success());
    assert_eq!(world.calls(), 0);
}

#[test]
fn the_engine_future_is_send() {
    fn assert_send<T: Send>(_: T) {}
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let j = journal(&world, dir.path(), None);
    let opts = options(&world);
    let batch = CustomerBatch {
        customer_id: CONTOSO.into(),
        customer_name: None,
        plan_hash: "h".into(),
        register: vec![],
        lines: vec![],
    };
    assert_send(apply_customer(&batch, &world, &j, &NoopReporter, &opts));
    assert_send(resume_customer(
        CONTOSO,
        None,
        &world,
        &j,
        &NoopReporter,
        &opts,
    ));
    let _ = Record::kind;
}

#[derive(Default)]
struct Recorder(Mutex<Vec<ApplyEvent>>);

impl Reporter for Recorder {
    fn event(&self, _customer_id: &str, event: &ApplyEvent) {
        self.0.lock().expect("events").push(event.clone());
    }
}
