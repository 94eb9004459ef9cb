//! Migrations, leases, fencing and failure handling of the PostgreSQL store (library level).

use super::common::*;
use reservoir::store::postgres::PgStore;
use reservoir::store::{HolderInfo, JournalError, Locks, Record, SettleReason, Store};
use std::time::Duration;

const C: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";

fn settled(order: &str) -> Record {
    Record::OrderSettled {
        at: chrono::Utc::now(),
        order_id: order.into(),
        reason: SettleReason::Entitled,
    }
}

async fn open(url: &str) -> Store {
    reservoir::store::postgres::open(url).await.expect("open")
}

#[tokio::test]
async fn two_migrations_started_together_create_the_schema_once() {
    let Some(server) = server() else { return };
    let url = fresh_database(&server).await;
    let (a, b) = tokio::join!(PgStore::connect(&url), PgStore::connect(&url));
    a.expect("first runner");
    b.expect("second runner");
    let c = client(&url).await;
    let rows = c
        .query("SELECT version FROM reservoir_schema_version", &[])
        .await
        .expect("versions");
    assert_eq!(
        rows.len() as i32,
        reservoir::store::postgres::schema::known_version(),
        "each migration applied exactly once"
    );
    PgStore::connect(&url)
        .await
        .expect("a third start is a no-op");
}

#[tokio::test]
async fn one_lease_per_customer_and_an_expired_holder_is_fenced_out() {
    let Some(server) = server() else { return };
    let url = fresh_database(&server).await;
    let a = PgStore::connect(&url)
        .await
        .expect("a")
        .with_lease(Duration::from_secs(1));
    let b = PgStore::connect(&url)
        .await
        .expect("b")
        .with_lease(Duration::from_secs(1));
    let (ha, hb) = (
        HolderInfo::current("runner a", chrono::Utc::now()),
        HolderInfo::current("runner b", chrono::Utc::now()),
    );
    let (la, lb) = tokio::join!(a.try_acquire(C, &ha), b.try_acquire(C, &hb));
    let (la, lb) = (la.expect("a"), lb.expect("b"));
    assert!(
        la.is_some() != lb.is_some(),
        "exactly one runner holds the lease"
    );
    let (winner, loser, lease) = match (la, lb) {
        (Some(l), None) => (a.clone(), b.clone(), l),
        (None, Some(l)) => (b.clone(), a.clone(), l),
        _ => unreachable!(),
    };
    let wj = reservoir::store::Journal::new(std::sync::Arc::new(winner.clone()));
    let fenced = wj.fenced(C, lease.epoch);
    fenced
        .append(C, &settled("o1"))
        .await
        .expect("append under the lease");
    let info = loser.holder(C).await.expect("holder").expect("held");
    assert_eq!(info.epoch, lease.epoch);
    assert!(info.expires_at.is_some());

    // The holder pauses: its renewals stop, the lease runs out on the server clock.
    let epoch = lease.epoch;
    drop(lease);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let taken = loser
        .try_acquire(C, &HolderInfo::current("takeover", chrono::Utc::now()))
        .await
        .expect("take over")
        .expect("the expired lease is free");
    assert!(taken.epoch > epoch, "epochs only grow");
    let err = fenced.append(C, &settled("o2")).await.expect_err("fenced");
    assert!(matches!(err, JournalError::Fenced { .. }), "{err}");
    let lj = reservoir::store::Journal::new(std::sync::Arc::new(loser.clone()));
    lj.fenced(C, taken.epoch)
        .append(C, &settled("o3"))
        .await
        .expect("the new holder writes");
    let records = lj.read(C).await.expect("read").records;
    let ids: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::OrderSettled { order_id, .. } => Some(order_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["o1", "o3"], "nothing from the fenced-out writer");
    // Release by the old epoch deletes nothing.
    loser.release(taken).await.expect("release");
    assert!(loser.holder(C).await.expect("holder").is_none());
}

#[tokio::test]
async fn renewal_keeps_a_live_lease_and_force_unlock_is_journalled() {
    let Some(server) = server() else { return };
    let url = fresh_database(&server).await;
    let a = PgStore::connect(&url)
        .await
        .expect("a")
        .with_lease(Duration::from_secs(1));
    let lease = a
        .try_acquire(C, &HolderInfo::current("long run", chrono::Utc::now()))
        .await
        .expect("acquire")
        .expect("free");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(
        a.try_acquire(C, &HolderInfo::current("other", chrono::Utc::now()))
            .await
            .expect("try")
            .is_none(),
        "renewed in the background while the run lives"
    );
    let store = open(&url).await;
    let broken = store
        .locks
        .force_unlock(C, &HolderInfo::current("operator", chrono::Utc::now()))
        .await
        .expect("unlock")
        .expect("was held");
    assert_eq!(broken.epoch, lease.epoch);
    let records = store.journal.read(C).await.expect("read").records;
    assert!(
        matches!(records.last(), Some(Record::LockBroken { by, .. }) if by.command == "operator"),
        "{records:?}"
    );
    let fenced = store.journal.fenced(C, lease.epoch);
    assert!(fenced.append(C, &settled("late")).await.is_err());
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(lease.is_lost(), "the renewal noticed the lease is gone");
}

#[tokio::test]
async fn a_lost_connection_fails_closed_and_never_shows_the_password() {
    let Some(server) = server() else { return };
    let url = fresh_database(&server).await;
    let store = open(&url).await;
    let lease = store
        .locks
        .try_acquire(C, &HolderInfo::current("run", chrono::Utc::now()))
        .await
        .expect("acquire")
        .expect("free");
    let journal = store.journal.fenced(C, lease.epoch);
    journal.append(C, &settled("o1")).await.expect("append");
    // The server drops every connection of the store's database.
    let admin = client(&server).await;
    let db = url::Url::parse(&url)
        .expect("url")
        .path()
        .trim_start_matches('/')
        .to_owned();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            &[&db],
        )
        .await
        .expect("terminate");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let err = journal
        .append(C, &settled("o2"))
        .await
        .expect_err("fails closed");
    assert!(matches!(err, JournalError::Unavailable { .. }), "{err}");
    assert!(err.to_string().contains("nothing more is written"), "{err}");

    let password = url::Url::parse(&server)
        .expect("url")
        .password()
        .unwrap_or_default()
        .to_owned();
    let mut closed = url::Url::parse(&url).expect("url");
    closed.set_port(Some(1)).expect("port");
    let err = match reservoir::store::postgres::open(closed.as_str()).await {
        Ok(_) => panic!("nothing listens on port 1"),
        Err(e) => e,
    };
    let mut chain = err.to_string();
    let mut src = std::error::Error::source(&err);
    while let Some(s) = src {
        chain.push_str(&format!(": {s}"));
        src = s.source();
    }
    assert!(chain.contains("cannot connect"), "{chain}");
    assert!(
        !password.is_empty() && !chain.contains(&password),
        "{chain}"
    );
}
