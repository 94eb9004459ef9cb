//! Cache expiry on the run's clock, end to end: `observe` against the in-process sandbox with a
//! client on a [`ManualClock`] keeps the customer profile for 30 days and the catalog views for
//! 24 hours in the state store's cache, and reads each again once the simulated clock passes its
//! expiry.

use super::*;
use crate::time::{Clock, ManualClock};
use std::time::Duration;

const DAY: u64 = 86_400;

/// What one observation asked Partner Center, by request path (the query dropped).
async fn paths_of_one_run(
    sandbox: &crate::sandbox::RunningSandbox,
    reader: &Reader,
    desired: &DesiredState,
    state: &std::path::Path,
) -> Vec<String> {
    let admin = sandbox.endpoint().join("_sandbox/requests").expect("url");
    let http = reqwest::Client::new();
    http.post(format!("{admin}/reset"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("reset");
    let opts = ObserveOptions::with_dir(1, state);
    let catalog = Catalog::new(reader.clone()).with_store_cache(opts.cache.clone());
    let obs = observe(desired, reader, &catalog, &NoJournal, &opts).await;
    assert!(
        matches!(
            obs.customers.first(),
            Some(crate::plan::CustomerObservation::Observed(_))
        ),
        "{:?}",
        obs.customers
    );
    let log: serde_json::Value = http
        .get(admin)
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    log["log"]
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .map(|p| p.split('?').next().unwrap_or(p).to_owned())
        .collect()
}

/// Catalog listings (products and SKUs; availabilities are read per run, never cached).
fn listings(paths: &[String]) -> usize {
    paths
        .iter()
        .filter(|p| p.starts_with("/v1/products") && !p.contains("/availabilities"))
        .count()
}

#[tokio::test]
async fn cached_profile_and_catalog_views_are_read_again_once_the_run_clock_passes_their_expiry() {
    let clock = ManualClock::new();
    let (sandbox, reader) = crate::partner_center::sandbox_reader_on(
        crate::sandbox::SandboxOptions::default(),
        5,
        std::sync::Arc::new(clock.clone()),
    )
    .await;
    let desired =
        crate::manifest::load_str(&[(std::path::Path::new("m.yaml"), super::tests::WEB_TIER_4)])
            .expect("manifest")
            .desired;
    let state = tempfile::tempdir().expect("tempdir");
    let profile = "customers/4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
    let run = || paths_of_one_run(&sandbox, &reader, &desired, state.path());
    let is_profile = |paths: &[String]| paths.iter().filter(|p| p.ends_with(profile)).count();

    let cold = run().await;
    assert_eq!(is_profile(&cold), 1, "{cold:#?}");
    let cold_products = listings(&cold);
    assert!(cold_products > 0, "{cold:#?}");

    clock.advance(Duration::from_secs(DAY - 60));
    let warm = run().await;
    assert_eq!(is_profile(&warm), 0, "profile from the cache: {warm:#?}");
    assert_eq!(listings(&warm), 0, "views from the cache: {warm:#?}");

    // Past 24 h (but not 30 days): the catalog views are read again, the profile is not.
    clock.advance(Duration::from_secs(120));
    let next_day = run().await;
    assert_eq!(is_profile(&next_day), 0, "{next_day:#?}");
    assert_eq!(listings(&next_day), cold_products, "{next_day:#?}");

    // Past 30 days from the first run: the profile is read again too.
    clock.advance(Duration::from_secs(29 * DAY));
    let next_month = run().await;
    assert_eq!(is_profile(&next_month), 1, "{next_month:#?}");
    assert!(clock.now() >= Duration::from_secs(30 * DAY));
    sandbox.shutdown().await;
}
