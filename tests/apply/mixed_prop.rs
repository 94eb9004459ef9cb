//! The property behind issue 11 item 1, through the library against the sandbox in-process:
//! over random schedules of app-only and App+User applies on one state dir, with random
//! fulfilment and order-list delays and clock jumps, the units owned never exceed
//! max(declared, owned before), and once every source has caught up an apply converges to exactly
//! the declared units. Reservoir's clock follows the sandbox clock, so settlements (which wait
//! for every holdings source) really happen along the way.

use super::mixed::{FABRIKAM, FABRIKAM_YAML};
use super::support::Sandbox;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use reservoir::apply::run::{Approved, Context, RunOptions, prepare, run};
use reservoir::apply::{ApplyOptions, Backoff, NoopReporter, Preflight, preflight};
use reservoir::partner_center::{Client, ClientConfig, Credentials, RateLimits, Secret};
use reservoir::store::Store;
use reservoir::time::{Clock, SystemClock};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Units fabrikam's manifest declares (it owns none of them before).
const DECLARED: u64 = 2;

/// Real time, with the wall clock moved by the sandbox's clock offset.
struct SandboxClock(Arc<AtomicI64>, SystemClock);

impl Clock for SandboxClock {
    fn now(&self) -> Duration {
        self.1.now()
    }
    fn sleep(&self, d: Duration) -> futures::future::BoxFuture<'static, ()> {
        self.1.sleep(d)
    }
    fn wall(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.0.load(Ordering::SeqCst))
    }
}

fn client(sb: &Sandbox, app_only: bool) -> Client {
    let (tenant, app, secret) = (
        "5e1c0a42-7f3b-4d9e-8c21-000000000001",
        "6f2d1b53-8a4c-4e0f-9d32-000000000002",
        Secret::new("sandbox-demo-client-secret"),
    );
    let creds = if app_only {
        Credentials::app_only(tenant, app, secret, &sb.url)
    } else {
        Credentials::app_user(
            tenant,
            app,
            secret,
            Secret::new("sandbox-demo-refresh-token"),
            &sb.url,
        )
    };
    let base = url::Url::parse(&sb.url).expect("url");
    let mut config = ClientConfig::new(base, creds);
    config.rate_limits = RateLimits::new(60_000, 60_000);
    Client::new(config).expect("client")
}

/// One `apply --auto-approve` as the CLI runs it: observe, plan, run.
async fn apply_once(client: &Client, state_dir: &Path, clock: Arc<dyn Clock>) {
    let loaded = reservoir::manifest::load_str(&[(Path::new("fabrikam.yaml"), FABRIKAM_YAML)])
        .expect("manifest");
    let desired = loaded.desired;
    let mut store = Store::dir(state_dir, true).expect("store");
    store.journal = store.journal.clone().with_clock(clock.clone());
    let opts = RunOptions {
        parallelism: 1,
        lock_timeout: Duration::from_secs(10),
        engine: ApplyOptions {
            backoff: Backoff::new(Duration::from_millis(1), 2, Duration::from_millis(5)),
            clock,
            // The test's own sandbox: no other runner, so no wait for the activity log's lag.
            activity_log_lag: Duration::ZERO,
            ..ApplyOptions::default()
        },
        inventory: reservoir::observe::InventoryCheck::Cart,
    };
    let ctx = Context {
        desired: &desired,
        client,
        store: &store,
        reporter: &NoopReporter,
        opts: &opts,
    };
    let prepared = prepare(&ctx).await;
    let Preflight { plan, .. } = preflight(&desired, &prepared.observation, None, None);
    run(
        &ctx,
        &prepared,
        Approved {
            shown: &plan,
            saved: None,
        },
    )
    .await;
}

#[derive(Debug, Clone)]
struct Step {
    app_only: bool,
    advance_secs: u64,
}

fn step() -> impl Strategy<Value = Step> {
    (
        any::<bool>(),
        prop_oneof![Just(0u64), Just(300), Just(1000), Just(1900), Just(3600)],
    )
        .prop_map(|(app_only, advance_secs)| Step {
            app_only,
            advance_secs,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mixed_credentials_never_own_more_than_declared(
        fulfilment in prop_oneof![Just(0u64), Just(600), Just(1800), Just(4000)],
        order_list in prop_oneof![Just(0u64), Just(300), Just(900)],
        steps in prop::collection::vec(step(), 2..6),
    ) {
        let sb = Sandbox::start();
        sb.knobs(serde_json::json!({
            "fulfillmentDelaySecs": fulfilment,
            "orderListDelaySecs": order_list,
        }));
        let offset = Arc::new(AtomicI64::new(0));
        let clock: Arc<dyn Clock> = Arc::new(SandboxClock(offset.clone(), SystemClock::default()));
        let state_dir = sb.state_dir();
        for (i, s) in steps.iter().enumerate() {
            let c = client(&sb, s.app_only);
            sb.block_on(apply_once(&c, &state_dir, clock.clone()));
            let units = sb.units(FABRIKAM);
            prop_assert!(units <= DECLARED, "after step {i} of {steps:?}: {units} units");
            if s.advance_secs > 0 {
                sb.advance(s.advance_secs);
                offset.fetch_add(s.advance_secs as i64, Ordering::SeqCst);
            }
        }
        // Every source caught up: both kinds of run converge and buy nothing more.
        sb.advance(2 * 86_400);
        offset.fetch_add(2 * 86_400, Ordering::SeqCst);
        for app_only in [false, true, false] {
            let c = client(&sb, app_only);
            sb.block_on(apply_once(&c, &state_dir, clock.clone()));
            prop_assert_eq!(sb.units(FABRIKAM), DECLARED, "{:?}", steps);
        }
    }
}
