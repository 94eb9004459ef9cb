//! Harness: a sandbox serving a generated world in this process, a manifest declaring one VM
//! reservation on every subscription, holdings bought through the client (as apply would), a
//! plan run through the library (observe + diff), and the sandbox's request counters.

use crate::support::admin::Admin;
use crate::support::creds::{buy_reservation, client};
use reservoir::catalog::{Buyer, Catalog, Freshness};
use reservoir::manifest::{self, DesiredState};
use reservoir::observe::{self, ObserveOptions, Reader};
use reservoir::partner_center::{Client, RateLimits, Stats};
use reservoir::plan::{Plan, Resolution};
use reservoir::sandbox::{Knobs, RunningSandbox, SandboxOptions, WorldSource};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Fleet {
    pub sandbox: RunningSandbox,
    pub client: Client,
    pub desired: DesiredState,
    pub state: tempfile::TempDir,
    admin: Admin,
}

/// What one plan run cost.
pub struct Costs {
    pub plan: Plan,
    pub stats: Stats,
    /// Sandbox-side API calls per customer id (everything under `/customers/{id}`).
    pub by_customer: BTreeMap<String, u64>,
    /// Sandbox-side calls by category.
    pub by_category: BTreeMap<String, u64>,
    /// The paths of the sandbox-side calls, in order (the last 10,000).
    pub paths: Vec<String>,
}

impl Costs {
    pub fn category(&self, c: &str) -> u64 {
        self.by_category.get(c).copied().unwrap_or(0)
    }

    /// The paths of the calls whose path contains `fragment` (case-insensitive).
    pub fn paths_with(&self, fragment: &str) -> Vec<&str> {
        let f = fragment.to_ascii_lowercase();
        self.paths
            .iter()
            .filter(|p| p.to_ascii_lowercase().contains(&f))
            .map(String::as_str)
            .collect()
    }
}

/// One reservation of `units` on every subscription of every customer of the world.
pub fn manifest(world: &reservoir::sandbox::World, units: u32) -> DesiredState {
    let mut yaml = String::from("version: 1\ncustomers:\n");
    for c in world.customers.values() {
        yaml.push_str(&format!("  - id: {}\n    subscriptions:\n", c.id));
        for s in &c.subscriptions {
            yaml.push_str(&format!(
                "      - id: {}\n        kind: azure-plan\n        reservations:\n          - {{ name: web, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: {units} }}\n",
                s.id
            ));
        }
    }
    manifest::load_str(&[(Path::new("fleet.yaml"), &yaml)])
        .expect("the generated manifest loads")
        .desired
}

impl Fleet {
    /// A generated world of `n` customers (seed 7) and a manifest of `units` per subscription.
    pub async fn start(n: usize, units: u32) -> Fleet {
        reservoir::partner_center::install_crypto_provider();
        let sandbox = reservoir::sandbox::start(SandboxOptions {
            world: WorldSource::Generated {
                customers: n,
                seed: 7,
            },
            knobs: Knobs {
                registration_delay_secs: 0,
                order_list_delay_secs: 0,
                fulfillment_delay_secs: 0,
                ..Knobs::default()
            },
            ..SandboxOptions::default()
        })
        .await
        .expect("the sandbox starts");
        let desired = manifest(&sandbox.world(), units);
        let client = client(&sandbox, RateLimits::new(1_000_000, 1_000_000));
        let admin = Admin::new(sandbox.endpoint().as_str());
        Fleet {
            sandbox,
            client,
            desired,
            state: tempfile::tempdir().expect("tempdir"),
            admin,
        }
    }

    pub async fn reset_requests(&self) {
        self.admin.reset_requests().await;
    }

    pub async fn counters(&self) -> Value {
        self.admin.get("requests").await
    }

    /// Buys `units` of the declared reservation on every declared subscription, through the
    /// client (cart + checkout), as apply would.
    pub async fn buy_everything(&self, units: u32) {
        let catalog = Catalog::new(Reader::new(&self.client));
        let world = self.sandbox.world();
        for dc in &self.desired.customers {
            let country = world.customer(&dc.id).expect("customer").country.clone();
            for ds in &dc.subscriptions {
                for r in &ds.reservations {
                    let buyer = Buyer {
                        customer_id: &dc.id,
                        country: &country,
                    };
                    let res = catalog
                        .resolve_reservation(buyer, &ds.id, ds.kind, r, Freshness::Cached)
                        .await;
                    let Resolution::Found(ci) = res else {
                        panic!("cannot resolve the reservation for {}: {res:?}", dc.id);
                    };
                    buy_reservation(
                        &self.client,
                        &dc.id,
                        &ds.id,
                        ci.catalog_item_id()
                            .expect("a resolution reads the availability"),
                        r.term,
                        units,
                    )
                    .await;
                }
            }
        }
    }

    /// Observes and diffs every declared customer with a fresh client (what `reservoir plan`
    /// does), counting the calls on both sides.
    pub async fn plan(&self, parallelism: usize) -> Costs {
        self.reset_requests().await;
        let client = client(&self.sandbox, RateLimits::new(1_000_000, 1_000_000));
        let reader = Reader::new(&client);
        let journal = observe::from_journal(self.state.path());
        let opts = ObserveOptions::with_dir(parallelism, self.state.path());
        let catalog = Catalog::new(reader.clone())
            .with_store_cache(opts.cache.clone())
            .for_desired(&self.desired);
        let observation =
            observe::observe(&self.desired, &reader, &catalog, journal.as_ref(), &opts).await;
        let plan = reservoir::plan::diff(&self.desired, &observation);
        self.costs(plan, client.stats()).await
    }

    /// `reservoir apply --auto-approve` through the library (observe, preflight, run), counting
    /// the calls on the sandbox side. Returns the costs and the units ordered. The test's own
    /// sandbox has no other runner, so the check before checkout does not wait for the activity
    /// log's lag.
    pub async fn apply(&self, parallelism: usize) -> (Costs, u32) {
        self.apply_with_lag(parallelism, std::time::Duration::ZERO)
            .await
    }

    /// [`Fleet::apply`] with `--activity-log-lag` set to `lag`, as a user's run has it.
    pub async fn apply_with_lag(
        &self,
        parallelism: usize,
        lag: std::time::Duration,
    ) -> (Costs, u32) {
        use reservoir::apply::{
            ApplyOptions, Approved, Context, NoopReporter, RunOptions, preflight, run,
        };
        self.reset_requests().await;
        let client = client(&self.sandbox, RateLimits::new(1_000_000, 1_000_000));
        let store = reservoir::store::Store::dir(self.state.path(), true).expect("store");
        let opts = RunOptions {
            parallelism,
            lock_timeout: std::time::Duration::from_secs(30),
            engine: ApplyOptions {
                activity_log_lag: lag,
                ..ApplyOptions::default()
            },
            inventory: reservoir::observe::InventoryCheck::Cart,
        };
        let ctx = Context {
            desired: &self.desired,
            client: &client,
            store: &store,
            reporter: &NoopReporter,
            opts: &opts,
        };
        let prepared = run::prepare(&ctx).await;
        let pre = preflight(&self.desired, &prepared.observation, None, None);
        assert!(pre.refusal.is_none(), "{:?}", pre.refusal);
        let report = run::run(
            &ctx,
            &prepared,
            Approved {
                shown: &pre.plan,
                saved: None,
            },
        )
        .await;
        assert_eq!(report.totals.failed, 0, "{report:#?}");
        let costs = self.costs(pre.plan, client.stats()).await;
        (costs, report.totals.units_ordered)
    }

    async fn costs(&self, plan: Plan, stats: Stats) -> Costs {
        let counters = self.counters().await;
        let map = |v: &Value| -> BTreeMap<String, u64> {
            v.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                        .collect()
                })
                .unwrap_or_default()
        };
        Costs {
            plan,
            stats,
            by_customer: map(&counters["byCustomer"]),
            by_category: map(&counters["byCategory"]),
            paths: counters["log"]
                .as_array()
                .map(|log| {
                    log.iter()
                        .filter_map(|r| r["path"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The markets (customer countries) of the world.
    pub fn markets(&self) -> usize {
        let world = self.sandbox.world();
        let countries: std::collections::BTreeSet<String> = world
            .customers
            .values()
            .map(|c| c.country.clone())
            .collect();
        countries.len()
    }

    /// Declared subscriptions per customer id.
    pub fn declared_subscriptions(&self) -> BTreeMap<String, usize> {
        self.desired
            .customers
            .iter()
            .map(|c| (c.id.to_ascii_lowercase(), c.subscriptions.len()))
            .collect()
    }
}
