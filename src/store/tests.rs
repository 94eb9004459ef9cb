//! Unit tests of the directory journal, replay and customer locks.

use super::*;
use crate::manifest::{PurchaseKey, ReservationTarget, ReservationType, Scope, Term};
use chrono::{TimeZone, Utc};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

const C: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 10, 2, 11)
        .single()
        .expect("valid date")
}

fn line(sku: &str, qty: u32) -> PurchaseLine {
    PurchaseLine {
        commitment: None,
        key: PurchaseKey::Reservation {
            customer_id: C.into(),
            subscription_id: "sub-1".into(),
            reservation_type: ReservationType::Vm,
            target: ReservationTarget::Arm {
                arm_sku_name: sku.into(),
                arm_region_name: "eastus".into(),
            },
            term: Term::P1Y,
            scope: Scope::Shared,
        },
        item_name: sku.to_lowercase(),
        catalog_item_id: format!("PROD:{sku}:AV1"),
        product_id: "PROD".into(),
        sku_id: sku.into(),
        quantity: qty,
        billing_cycle: "one_time".into(),
        term_duration: Some("P1Y".into()),
        provisioning_context: BTreeMap::from([("subscriptionId".into(), "sub-1".into())]),
        friendly_name: None,
        estimate: None,
    }
}

fn intent(id: &str, lines: Vec<PurchaseLine>) -> Record {
    Record::Intent {
        at: at(),
        intent_id: id.into(),
        plan_hash: "hash".into(),
        lines,
        create_request_id: format!("req-{id}"),
    }
}

fn cart(id: &str) -> Record {
    Record::CartCreated {
        at: at(),
        intent_id: id.into(),
        cart_id: format!("cart-{id}"),
        expires_at: Some(at()),
        line_errors: vec![],
        line_groups: vec![LineGroup {
            line: 0,
            order_group: "0".into(),
        }],
    }
}

fn checkout_started(id: &str) -> Record {
    Record::CheckoutStarted {
        at: at(),
        intent_id: id.into(),
        cart_id: format!("cart-{id}"),
        request_id: format!("co-{id}"),
    }
}

fn result(id: &str, qty: u32) -> Record {
    Record::CheckoutResult {
        at: at(),
        intent_id: id.into(),
        cart_id: format!("cart-{id}"),
        orders: vec![OrderRecord {
            order_id: format!("order-{id}"),
            lines: vec![OrderedLine {
                line: Some(0),
                catalog_item_id: "PROD:A:AV1".into(),
                quantity: qty,
                price: None,
            }],
        }],
        order_errors: vec![],
    }
}

#[tokio::test]
async fn records_round_trip_and_replay_to_each_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    for r in [
        intent("a", vec![line("A", 2)]),
        cart("a"),
        checkout_started("a"),
        result("a", 2),
        intent("b", vec![line("B", 1)]),
        cart("b"),
        intent("c", vec![line("C", 3)]),
        Record::CartAbandoned {
            at: at(),
            intent_id: "c".into(),
            cart_id: None,
            reason: "expired".into(),
        },
    ] {
        j.append(C, &r).await.expect("append");
    }
    let intents = j.intents(C).await.expect("intents");
    assert_eq!(intents.len(), 3);
    assert!(matches!(intents[0].state, IntentState::Ordered { .. }));
    assert_eq!(
        intents[1].state,
        IntentState::Unfinished(IntentStep::Checkout {
            cart_id: "cart-b".into(),
            request_id: None
        })
    );
    assert!(matches!(intents[2].state, IntentState::Abandoned { .. }));

    let pending = j.pending(C).await.expect("pending");
    let summary: Vec<(Option<String>, u32, PendingState)> = pending
        .iter()
        .map(|p| (p.order_id.clone(), p.quantity, p.state))
        .collect();
    assert_eq!(
        summary,
        vec![
            (Some("order-a".into()), 2, PendingState::Ordered),
            (None, 1, PendingState::OutcomeUnknown)
        ]
    );

    j.settle(C, "order-a", SettleReason::Entitled)
        .await
        .expect("settle");
    j.settle(C, "order-a", SettleReason::Entitled)
        .await
        .expect("settle twice");
    let intents = j.intents(C).await.expect("intents");
    assert_eq!(intents[0].state, IntentState::Done);
    assert_eq!(j.pending(C).await.expect("pending").len(), 1);
    let settles = j
        .read(C)
        .await
        .expect("read")
        .records
        .iter()
        .filter(|r| matches!(r, Record::OrderSettled { .. }))
        .count();
    assert_eq!(settles, 1, "settling twice writes once");
    assert_eq!(j.customers().await.expect("customers"), vec![C.to_owned()]);
}

#[tokio::test]
async fn every_record_kind_survives_a_round_trip_through_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    let all = vec![
        intent("a", vec![line("A", 2), line("B", 1)]),
        Record::CartCreated {
            at: at(),
            intent_id: "a".into(),
            cart_id: "cart-a".into(),
            expires_at: Some(at()),
            line_errors: vec![LineError {
                line: 1,
                code: "10003".into(),
                description: "inventory not available".into(),
            }],
            line_groups: vec![LineGroup {
                line: 0,
                order_group: "0".into(),
            }],
        },
        Record::CartUpdateStarted {
            at: at(),
            intent_id: "a".into(),
            cart_id: "cart-a".into(),
            request_id: "up-a".into(),
            removed_lines: vec![1],
        },
        Record::CartUpdateDone {
            at: at(),
            intent_id: "a".into(),
            cart_id: "cart-a".into(),
            line_groups: vec![LineGroup {
                line: 0,
                order_group: "OMS-0".into(),
            }],
        },
        checkout_started("a"),
        Record::CheckoutResult {
            at: at(),
            intent_id: "a".into(),
            cart_id: "cart-a".into(),
            orders: vec![],
            order_errors: vec![OrderErrorRecord {
                order_group: "OMS-0".into(),
                code: "800069".into(),
                description: "risk".into(),
                lines: vec![0],
            }],
        },
        intent("b", vec![]),
        Record::IntentFailed {
            at: at(),
            intent_id: "b".into(),
            code: "800002".into(),
            description: "bad".into(),
        },
        Record::OrderSettled {
            at: at(),
            order_id: "o".into(),
            reason: SettleReason::Cancelled,
        },
    ];
    for r in &all {
        j.append(C, r).await.expect("append");
    }
    assert_eq!(j.read(C).await.expect("read").records, all);
    let v = j.intents(C).await.expect("intents");
    assert_eq!(v[0].line_groups.get(&0).map(String::as_str), Some("OMS-0"));
    assert!(matches!(v[0].state, IntentState::Failed { ref code, .. } if code == "800069"));
    assert!(matches!(v[1].state, IntentState::Failed { .. }));
    assert!(j.pending(C).await.expect("pending").is_empty());
}

#[test]
fn unfinished_checkout_resumes_with_the_recorded_request_id() {
    let v = replay(&[
        intent("a", vec![line("A", 1)]),
        cart("a"),
        checkout_started("a"),
    ])
    .expect("replay");
    assert_eq!(
        v[0].state,
        IntentState::Unfinished(IntentStep::Checkout {
            cart_id: "cart-a".into(),
            request_id: Some("co-a".into())
        })
    );
    let v = replay(&[intent("a", vec![line("A", 1)])]).expect("replay");
    assert_eq!(
        v[0].state,
        IntentState::Unfinished(IntentStep::CreateCart {
            request_id: "req-a".into()
        })
    );
}

#[test]
fn replay_rejects_records_out_of_protocol() {
    assert!(replay(&[cart("a")]).is_err(), "cart before intent");
    assert!(
        replay(&[intent("a", vec![]), intent("a", vec![])]).is_err(),
        "intent twice"
    );
    assert!(
        replay(&[intent("a", vec![]), checkout_started("a")]).is_err(),
        "checkout before cart"
    );
    assert!(
        replay(&[intent("a", vec![]), cart("a"), result("a", 1), cart("a")]).is_err(),
        "second cart after checkout"
    );
    assert!(
        replay(&[intent("a", vec![]), cart("a")]).is_err(),
        "order group of a line the intent does not have"
    );
}

#[tokio::test]
async fn a_torn_last_line_is_ignored_reported_and_cut_by_the_next_append() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    j.append(C, &intent("a", vec![line("A", 1)]))
        .await
        .expect("append");
    let path = j.path(C).expect("path");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open file");
    f.write_all(br#"{"type":"cart_created","at":"2026-"#)
        .expect("write torn");
    drop(f);

    let read = j.read(C).await.expect("a torn tail is not an error");
    assert_eq!(read.records.len(), 1);
    assert!(read.torn_tail.is_some());
    assert_eq!(j.pending(C).await.expect("pending").len(), 1);

    j.append(C, &cart("a"))
        .await
        .expect("append after torn tail");
    let read = j.read(C).await.expect("read");
    assert_eq!(read.records.len(), 2);
    assert!(read.torn_tail.is_none());
}

#[tokio::test]
async fn a_whole_last_record_without_newline_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    j.append(C, &intent("a", vec![line("A", 1)]))
        .await
        .expect("append");
    let path = j.path(C).expect("path");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str(&serde_json::to_string(&cart("a")).expect("json"));
    std::fs::write(&path, text).expect("write");
    assert_eq!(j.read(C).await.expect("read").records.len(), 2);
    j.append(C, &checkout_started("a")).await.expect("append");
    assert_eq!(j.read(C).await.expect("read").records.len(), 3);
}

#[tokio::test]
async fn corruption_before_the_last_line_makes_the_customer_unreadable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    j.append(C, &intent("a", vec![line("A", 1)]))
        .await
        .expect("append");
    let path = j.path(C).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("garbage\n{text}")).expect("write");
    let err = j.pending(C).await.expect_err("corrupt");
    assert!(
        matches!(err, JournalError::Corrupt { line: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("corrupt at line 1"));
    // a complete (newline-terminated) last line that does not parse is corruption too
    std::fs::write(&path, format!("{text}not json\n")).expect("write");
    assert!(matches!(
        j.read(C).await,
        Err(JournalError::Corrupt { line: 2, .. })
    ));
}

#[tokio::test]
async fn a_missing_journal_is_empty_and_bad_customer_ids_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    assert!(j.pending(C).await.expect("pending").is_empty());
    assert!(matches!(
        j.append("../etc", &intent("a", vec![])).await,
        Err(JournalError::InvalidCustomerId(_))
    ));
}

fn holder(pid: u32) -> HolderInfo {
    HolderInfo {
        pid,
        host: "ci-7".into(),
        command: "reservoir apply".into(),
        started_at: at(),
        ci_run: None,
    }
}

#[test]
fn a_second_lock_waits_then_names_the_holder_and_a_dropped_lock_is_free() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = CustomerLock::acquire(dir.path(), C, holder(4242)).expect("first");
    let err = CustomerLock::acquire(dir.path(), C, holder(1)).expect_err("busy");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "customer {C} is locked by pid 4242 on host ci-7 (reservoir apply) since 2026-01-02 10:02:11"
        )),
        "{msg}"
    );
    // another customer is independent
    let other = CustomerLock::acquire(dir.path(), "other", holder(1));
    assert!(other.is_ok());
    drop(first);
    let again = CustomerLock::acquire(dir.path(), C, holder(2)).expect("free");
    assert_eq!(again.customer_id(), C);
}

#[test]
fn a_lock_held_by_a_killed_process_is_taken_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("locks")).expect("mkdir");
    let lock_file = dir.path().join("locks").join(format!("{C}.lock"));
    // A real second process takes the same OS lock and reports when it has it.
    // The shell holds fd 9 and then becomes `sleep`, so killing it kills the only holder.
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            "exec 9>\"$1\"; flock 9; echo locked; exec sleep 600",
            "sh",
        ])
        .arg(&lock_file)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn flock");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first_line)
        .expect("read");
    assert_eq!(first_line.trim(), "locked");

    let err = CustomerLock::acquire(dir.path(), C, holder(1)).expect_err("busy");
    assert!(err.to_string().contains("holder unknown"), "{err}");

    child.kill().expect("kill");
    child.wait().expect("wait");
    CustomerLock::acquire(dir.path(), C, holder(1))
        .expect("the dead holder's lock is released by the os");
}

#[tokio::test]
async fn the_async_lock_refuses_while_held_and_takes_a_released_lock() {
    // Through the one async acquire path that apply uses (store::acquire over the dir backend).
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::dir(dir.path(), true).expect("store");
    let clock = crate::time::ManualClock::new();
    let take = |pid: u32| {
        let h = holder(pid);
        let (locks, clock) = (store.locks.clone(), &clock);
        async move {
            acquire(
                locks.as_ref(),
                clock,
                C,
                &h,
                Duration::ZERO,
                lock_backoff(),
                &|_| {},
            )
            .await
        }
    };
    let held = take(7).await.expect("first");
    let err = take(8).await.expect_err("busy");
    assert!(matches!(err, LockError::Busy { holder: Some(ref h), .. } if h.pid == 7));
    store.locks.release(held).await.expect("release");
    take(8).await.expect("free after release");
}

#[tokio::test]
async fn a_secret_echoed_into_a_record_never_reaches_the_journal_file() {
    let secret = "journal-test-secret-7d2a61";
    crate::partner_center::secret::register(secret);
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    j.append(C, &intent("s", vec![line("S", 1)]))
        .await
        .expect("intent");
    j.append(
        C,
        &Record::CartAbandoned {
            at: at(),
            intent_id: "s".into(),
            cart_id: None,
            reason: format!("500 from the server: Authorization: Bearer {secret}"),
        },
    )
    .await
    .expect("abandoned");
    let text = std::fs::read_to_string(j.path(C).expect("path")).expect("read");
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("Bearer ***"), "{text}");
    let back = j.read(C).await.expect("read back");
    assert_eq!(back.records.len(), 2);
}
