//! Harness: a sandbox serving a generated world in this process, a manifest declaring one VM
//! reservation on every subscription, holdings bought through the client (as apply would), a
//! plan run through the library (observe + diff), and the sandbox's request counters.

use reservoir::catalog::{Buyer, Catalog, Freshness};
use reservoir::manifest::{self, DesiredState};
use reservoir::observe::{self, ObserveOptions, Reader};
use reservoir::partner_center::wire::{BillingCycle, CartLineItemRequest, CartRequest};
use reservoir::partner_center::{
    Client, ClientConfig, Credentials, RateLimits, RequestId, Secret, Stats,
};
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
    http: reqwest::Client,
}

/// What one plan run cost.
pub struct Costs {
    pub plan: Plan,
    pub stats: Stats,
    /// Sandbox-side API calls per customer id (everything under `/customers/{id}`).
    pub by_customer: BTreeMap<String, u64>,
    /// Sandbox-side calls by category.
    pub by_category: BTreeMap<String, u64>,
}

impl Costs {
    pub fn category(&self, c: &str) -> u64 {
        self.by_category.get(c).copied().unwrap_or(0)
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
        Fleet {
            sandbox,
            client,
            desired,
            state: tempfile::tempdir().expect("tempdir"),
            http: reqwest::Client::new(),
        }
    }

    fn admin(&self, path: &str) -> String {
        format!("{}_sandbox/{path}", self.sandbox.endpoint())
    }

    pub async fn reset_requests(&self) {
        self.http
            .post(self.admin("requests/reset"))
            .send()
            .await
            .expect("reset");
    }

    pub async fn counters(&self) -> Value {
        self.http
            .get(self.admin("requests"))
            .send()
            .await
            .expect("requests")
            .json()
            .await
            .expect("json")
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
                    let cart = CartRequest {
                        id: None,
                        line_items: vec![CartLineItemRequest {
                            purchase_commitment: None,
                            id: 0,
                            catalog_item_id: ci.catalog_item_id.clone(),
                            friendly_name: None,
                            quantity: i64::from(units),
                            billing_cycle: BillingCycle::OneTime,
                            term_duration: Some(r.term.as_str().into()),
                            provisioning_context: BTreeMap::from([
                                ("subscriptionId".to_owned(), ds.id.clone()),
                                ("scope".to_owned(), "shared".to_owned()),
                                ("duration".to_owned(), r.term.duration().to_owned()),
                            ]),
                            participants: vec![],
                            attestation_accepted: None,
                        }],
                        partner_on_record_attestation_accepted: None,
                    };
                    let created = self
                        .client
                        .create_cart(&dc.id, &cart, RequestId::new())
                        .await
                        .expect("cart");
                    self.client
                        .checkout_cart(&dc.id, &created.id, RequestId::new())
                        .await
                        .expect("checkout");
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
        let catalog = Catalog::new(reader.clone()).with_store_cache(opts.cache.clone());
        let observation =
            observe::observe(&self.desired, &reader, &catalog, journal.as_ref(), &opts).await;
        let plan = reservoir::plan::diff(&self.desired, &observation);
        self.costs(plan, client.stats()).await
    }

    /// `reservoir apply --auto-approve` through the library (observe, preflight, run), counting
    /// the calls on the sandbox side. Returns the costs and the units ordered.
    pub async fn apply(&self, parallelism: usize) -> (Costs, u32) {
        use reservoir::apply::{
            ApplyOptions, Approved, Context, NoopReporter, RunOptions, preflight, run,
        };
        self.reset_requests().await;
        let client = client(&self.sandbox, RateLimits::new(1_000_000, 1_000_000));
        let store = reservoir::store::Store::dir(self.state.path(), true).expect("store");
        let opts = RunOptions {
            parallelism,
            lock_timeout: std::time::Duration::from_secs(30),
            // The test's own sandbox: no other runner, so no wait for the activity log's lag.
            engine: ApplyOptions {
                activity_log_lag: std::time::Duration::ZERO,
                ..ApplyOptions::default()
            },
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
        }
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

pub fn client(sandbox: &RunningSandbox, limits: RateLimits) -> Client {
    let c = sandbox.credentials();
    let creds = Credentials::app_user(
        &c.tenant_id,
        &c.client_id,
        Secret::new(c.client_secret),
        Secret::new(c.refresh_token),
        sandbox.authority().as_str().trim_end_matches('/'),
    );
    let mut cfg = ClientConfig::new(sandbox.endpoint(), creds);
    cfg.rate_limits = limits;
    Client::new(cfg).expect("client")
}
