//! Unit tests of the store seam over the directory backend: symlinks and foreign owners are
//! refused, lock waits run on the simulated clock and name the holder, force-unlock fences the
//! old holder's appends, and the cache honours expiry.

use super::*;
use crate::time::{Clock, ManualClock};
use chrono::{TimeZone, Utc};
use std::time::Duration;

const C: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";

fn settled(order: &str) -> Record {
    Record::OrderSettled {
        at: Utc
            .with_ymd_and_hms(2026, 1, 2, 10, 0, 0)
            .single()
            .expect("date"),
        order_id: order.into(),
        reason: SettleReason::Entitled,
    }
}

fn holder(command: &str) -> HolderInfo {
    let mut h = HolderInfo::current(command, chrono::Utc::now());
    h.ci_run = None;
    h
}

#[tokio::test]
async fn a_symlinked_journal_file_is_refused_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::open(dir.path()).expect("open");
    let target = dir.path().join("elsewhere.txt");
    std::fs::write(&target, "not a journal\n").expect("write");
    let link = dir.path().join("journal").join(format!("{C}.jsonl"));
    std::os::unix::fs::symlink(&target, &link).expect("symlink");

    let err = j.append(C, &settled("o1")).await.expect_err("refused");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    let err = j.read(C).await.expect_err("refused");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "not a journal\n",
        "the link's target is untouched"
    );
}

#[tokio::test]
async fn a_state_dir_owned_by_another_user_is_refused() {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let dir = tempfile::tempdir().expect("tempdir");
    let foreign = if root {
        // As root (CI): hand a state dir to `nobody`.
        let state = dir.path().join("state");
        std::fs::create_dir(&state).expect("mkdir");
        std::os::unix::fs::chown(&state, Some(65534), Some(65534)).expect("chown");
        state
    } else {
        // As a normal user: a directory owned by root.
        std::path::PathBuf::from("/")
    };
    let err = Journal::open(&foreign).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("not by the current user"), "{text}");
    assert!(text.contains(&foreign.display().to_string()), "{text}");
    let err = Store::dir(&foreign, false).expect_err("refused without creating too");
    assert!(err.to_string().contains("owned by user id"), "{err}");

    if root {
        // A journal file owned by another user, in our own state dir, is refused as well.
        let j = Journal::open(dir.path()).expect("open");
        j.append(C, &settled("o1")).await.expect("append");
        let file = dir.path().join("journal").join(format!("{C}.jsonl"));
        std::os::unix::fs::chown(&file, Some(65534), Some(65534)).expect("chown");
        let err = j.read(C).await.expect_err("refused");
        assert!(err.to_string().contains("owned by user id 65534"), "{err}");
    }
}

#[tokio::test]
async fn a_lock_wait_runs_on_the_clock_and_names_the_holder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::dir(dir.path(), true).expect("store");
    let first = store
        .locks
        .try_acquire(C, &holder("ci job 7"))
        .await
        .expect("acquire")
        .expect("free");
    let clock = ManualClock::new();
    let waited_for = std::sync::Mutex::new(None);
    let started = std::time::Instant::now();
    let err = acquire(
        store.locks.as_ref(),
        &clock,
        C,
        &holder("second"),
        Duration::from_secs(60),
        lock_backoff(),
        &|info| *waited_for.lock().expect("lock") = info.and_then(|i| i.holder.clone()),
    )
    .await
    .expect_err("busy");
    assert!(started.elapsed() < Duration::from_secs(5), "simulated wait");
    assert_eq!(clock.now(), Duration::from_secs(60), "waited the timeout");
    assert!(
        clock.sleeps().len() > 3,
        "with backoff: {:?}",
        clock.sleeps()
    );
    let text = err.to_string();
    assert!(
        text.contains("ci job 7") && text.contains("waited 60s"),
        "{text}"
    );
    let seen = waited_for.lock().expect("lock").clone().expect("holder");
    assert_eq!(seen.command, "ci job 7");

    let listed = store.locks.list().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].epoch, first.epoch);
    store.locks.release(first).await.expect("release");
    assert!(store.locks.list().await.expect("list").is_empty());
    let next = acquire(
        store.locks.as_ref(),
        &clock,
        C,
        &holder("second"),
        Duration::ZERO,
        lock_backoff(),
        &|_| {},
    )
    .await
    .expect("free after release");
    assert_eq!(next.epoch, 2, "the epoch only grows");
}

#[tokio::test]
async fn force_unlock_fences_the_old_holders_appends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::dir(dir.path(), true).expect("store");
    let lease = store
        .locks
        .try_acquire(C, &holder("stuck run"))
        .await
        .expect("acquire")
        .expect("free");
    let fenced = store.journal.fenced(C, lease.epoch);
    fenced.append(C, &settled("o1")).await.expect("append");
    let line = std::fs::read_to_string(dir.path().join("journal").join(format!("{C}.jsonl")))
        .expect("read");
    assert!(
        line.contains("\"epoch\":1"),
        "records carry the epoch: {line}"
    );

    let broken = store
        .locks
        .force_unlock(C, &holder("operator"))
        .await
        .expect("unlock")
        .expect("was held");
    assert_eq!(
        broken.holder.map(|h| h.command).as_deref(),
        Some("stuck run")
    );
    let err = fenced.append(C, &settled("o2")).await.expect_err("fenced");
    assert!(
        matches!(err, JournalError::Fenced { epoch: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no longer holds"), "{err}");
    assert!(
        store.locks.renew(&lease).await.is_err(),
        "the lease is lost"
    );

    let taken = store
        .locks
        .try_acquire(C, &holder("next run"))
        .await
        .expect("acquire")
        .expect("free after force-unlock");
    assert_eq!(taken.epoch, 3);
    let records = store.journal.read(C).await.expect("read").records;
    assert_eq!(
        records,
        vec![settled("o1")],
        "nothing written after the fence"
    );
}

#[tokio::test]
async fn the_cache_round_trips_lists_and_expires() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::dir(dir.path(), true).expect("store");
    let now = Utc::now();
    let entry = |v: i64, expires_at| CacheEntry {
        expires_at,
        value: serde_json::json!({ "v": v }),
    };
    store
        .cache
        .put("orders/c1", "o1", &entry(1, None))
        .await
        .expect("put");
    store
        .cache
        .put(
            "prices/c1",
            "p1",
            &entry(2, Some(now + chrono::Duration::hours(1))),
        )
        .await
        .expect("put");
    let got = store.cache.get("orders/c1", "o1", now).await.expect("get");
    assert_eq!(got, Some(serde_json::json!({ "v": 1 })));
    let later = now + chrono::Duration::hours(2);
    assert_eq!(
        store
            .cache
            .get("prices/c1", "p1", later)
            .await
            .expect("get"),
        None
    );
    assert!(
        store
            .cache
            .get("prices/c1", "p1", now)
            .await
            .expect("get")
            .is_some()
    );
    let all = store.cache.list("").await.expect("list");
    let names: Vec<String> = all
        .iter()
        .map(|k| format!("{}/{}", k.namespace, k.key))
        .collect();
    assert_eq!(names, ["orders/c1/o1", "prices/c1/p1"]);
    assert!(store.cache.put("../x", "k", &entry(3, None)).await.is_err());
}
