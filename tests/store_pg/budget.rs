//! The partner's request window shared through PostgreSQL by every runner: grants from several
//! connections never exceed the minute's budget together, each partner has its own window, and
//! an empty grant says when to ask again.

use super::common::*;
use reservoir::partner_center::SharedBudget;
use reservoir::store::postgres::PgStore;
use std::time::Duration;

async fn two_runners() -> Option<(PgStore, PgStore)> {
    let server = server()?;
    let url = fresh_database(&server).await;
    let a = PgStore::connect(&url).await.expect("first runner");
    let b = PgStore::connect(&url).await.expect("second runner");
    Some((a, b))
}

#[tokio::test]
async fn two_runners_share_one_minute_of_the_partners_budget() {
    let Some((a, b)) = two_runners().await else {
        return;
    };
    let first = a.grant("p", 20, 30).await.expect("grant");
    assert_eq!(first.granted, 20);
    let second = b.grant("p", 20, 30).await.expect("grant");
    assert_eq!(second.granted, 10, "what is left of the minute");
    let empty = a.grant("p", 5, 30).await.expect("grant");
    assert_eq!(empty.granted, 0);
    assert!(
        empty.retry_in > Duration::from_secs(55) && empty.retry_in <= Duration::from_secs(61),
        "until the first grant leaves the window: {:?}",
        empty.retry_in
    );
    let other = b.grant("q", 5, 30).await.expect("grant");
    assert_eq!(other.granted, 5, "another partner has its own window");
}

#[tokio::test]
async fn concurrent_grants_never_exceed_the_budget() {
    let Some((a, b)) = two_runners().await else {
        return;
    };
    let asks = (0..40).map(|i| {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { store.grant("p", 3, 50).await.expect("grant").granted }
    });
    let total: u32 = futures::future::join_all(asks).await.into_iter().sum();
    assert_eq!(total, 50, "40 asks of 3 from two runners, 50 a minute");
}
