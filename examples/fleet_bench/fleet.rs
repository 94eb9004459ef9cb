//! The client side of the benchmark: manifests matching the generated world, and one measured
//! plan run against the sandbox child (wall time, calls by category, 429s).

use reservoir::catalog::Catalog;
use reservoir::manifest::{self, DesiredState};
use reservoir::observe::{self, ObserveOptions, Reader};
use reservoir::partner_center::{Client, ClientConfig, Credentials, RateLimits, Stats};
use std::path::Path;
use std::time::{Duration, Instant};

/// Units declared per reservation.
pub const UNITS: u32 = 2;

/// A manifest declaring, for every customer of the generated world `(n, seed)`, one VM
/// reservation of [`UNITS`] units on each of its subscriptions (S = 1 to 3 per customer).
/// Against the fresh world every row is a purchase; once bought, the same manifest is a
/// no-change plan. Returns the desired state and the number of declared subscriptions.
pub fn desired(n: usize, seed: u64) -> anyhow::Result<(DesiredState, usize)> {
    let world = reservoir::sandbox::generate_world(n, seed);
    let mut yaml = String::with_capacity(n * 400);
    yaml.push_str("version: 1\ncustomers:\n");
    let mut subs = 0;
    for c in world.customers.values() {
        yaml.push_str(&format!("  - id: {}\n    subscriptions:\n", c.id));
        for s in &c.subscriptions {
            subs += 1;
            yaml.push_str(&format!(
                "      - id: {}\n        kind: azure-plan\n        reservations:\n          - {{ name: web, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: {UNITS} }}\n",
                s.id
            ));
        }
    }
    drop(world);
    let loaded = manifest::load_str(&[(Path::new("fleet.yaml"), &yaml)]).map_err(|d| {
        anyhow::anyhow!(
            "the generated manifest does not load: {:?}",
            d.errors.first()
        )
    })?;
    Ok((loaded.desired, subs))
}

/// How the client is set up for a run.
#[derive(Debug, Clone)]
pub struct ClientSetup {
    pub endpoint: url::Url,
    pub credentials: Credentials,
    pub limits: RateLimits,
    pub parallelism: usize,
}

impl ClientSetup {
    pub fn client(&self) -> anyhow::Result<Client> {
        let mut cfg = ClientConfig::new(self.endpoint.clone(), self.credentials.clone());
        cfg.rate_limits = self.limits;
        Ok(Client::new(cfg)?)
    }
}

/// What one run did.
#[derive(Debug, Clone)]
pub struct Measured {
    pub wall: Duration,
    pub stats: Stats,
    /// Plan summary: (units to buy, rows ok, rows in error).
    pub outcome: String,
}

impl Measured {
    /// Partner Center calls (token requests excluded).
    pub fn calls(&self) -> u64 {
        self.stats.requests - self.category("auth")
    }
    pub fn category(&self, c: &str) -> u64 {
        self.stats.by_category.get(c).copied().unwrap_or(0)
    }
}

/// Observes every customer and diffs (what `reservoir plan` does), timed.
pub async fn plan(
    setup: &ClientSetup,
    desired: &DesiredState,
    state_dir: &Path,
) -> anyhow::Result<Measured> {
    let client = setup.client()?;
    let reader = Reader::new(&client);
    let catalog = Catalog::new(reader.clone());
    let journal = observe::from_journal(state_dir);
    let opts = ObserveOptions {
        parallelism: setup.parallelism,
        state_dir: state_dir.to_path_buf(),
    };
    let t0 = Instant::now();
    let observation = observe::observe(desired, &reader, &catalog, journal.as_ref(), &opts).await;
    let plan = reservoir::plan::diff(desired, &observation);
    let wall = t0.elapsed();
    let s = &plan.summary;
    Ok(Measured {
        wall,
        stats: client.stats(),
        outcome: format!("buy {} / ok {} / err {}", s.to_buy, s.ok, s.errors),
    })
}

/// Peak resident memory of this process so far (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Gives every declared subscription the declared units, through the sandbox's admin API
/// (`POST /_sandbox/holdings`: a completed order placed in the past, attributed like apply's
/// orders), so the same manifest becomes a no-change plan. Not timed. Used when the bench
/// does not buy through apply.
pub async fn seed_holdings(endpoint: &url::Url, desired: &DesiredState) -> anyhow::Result<()> {
    use futures::StreamExt;
    let (product, sku) = reservoir::sandbox::catalog::catalog()
        .find_reservation(
            "AzureReservationsVM",
            true,
            "Standard_D2s_v5",
            "eastus",
            "1Year",
        )
        .ok_or_else(|| anyhow::anyhow!("the sandbox catalog has no Standard_D2s_v5 eastus P1Y"))?;
    let item = format!(
        "{}:{}:{}",
        product.id,
        sku.id,
        reservoir::sandbox::catalog::availability_id(&product.id, &sku.id, 0)
    );
    let url = format!("{endpoint}_sandbox/holdings");
    let http = reqwest::Client::new();
    let bodies: Vec<serde_json::Value> = desired
        .customers
        .iter()
        .flat_map(|c| {
            c.subscriptions.iter().map(|s| {
                serde_json::json!({
                    "customerId": c.id,
                    "catalogItemId": item,
                    "quantity": UNITS,
                    "termDuration": "P1Y",
                    "provisioningContext": {
                        "subscriptionId": s.id,
                        "scope": "shared",
                        "duration": "1Year",
                    },
                })
            })
        })
        .collect();
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(bodies)
        .map(|b| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let r = http.post(&url).json(&b).send().await?;
                anyhow::ensure!(r.status().is_success(), "seeding a holding: {}", r.status());
                Ok(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().collect()
}

/// `reservoir apply --auto-approve` as a library call: observe, preflight, then the run (lock →
/// resume → re-observe → re-plan → buy, per customer), timed.
pub async fn apply(
    setup: &ClientSetup,
    desired: &DesiredState,
    state_dir: &Path,
) -> anyhow::Result<Measured> {
    use reservoir::apply::{
        ApplyOptions, Approved, Backoff, Context, NoopReporter, RunOptions, preflight, run,
    };
    let client = setup.client()?;
    let store = reservoir::store::Store::dir(state_dir, true)?;
    let opts = RunOptions {
        parallelism: setup.parallelism,
        lock_timeout: Duration::from_secs(60),
        state_dir: state_dir.to_path_buf(),
        engine: ApplyOptions {
            backoff: Backoff::new(Duration::from_secs(1), 2, Duration::from_secs(30)),
            // The bench's own sandbox: no other runner, so no wait for the activity log's lag.
            activity_log_lag: Duration::ZERO,
            ..ApplyOptions::default()
        },
    };
    let t0 = Instant::now();
    let catalog = Catalog::new(Reader::new(&client));
    let observation = run::observe_all(desired, &client, &catalog, &store.journal, &opts).await;
    drop(catalog);
    let pre = preflight(desired, &observation, None, None);
    anyhow::ensure!(pre.refusal.is_none(), "apply refused: {:?}", pre.refusal);
    let ctx = Context {
        desired,
        client: &client,
        store: &store,
        reporter: &NoopReporter,
        opts: &opts,
    };
    let report = run::run(
        &ctx,
        Approved {
            shown: &pre.plan,
            saved: None,
        },
    )
    .await;
    let wall = t0.elapsed();
    let t = &report.totals;
    Ok(Measured {
        wall,
        stats: client.stats(),
        outcome: format!(
            "{} orders / {} units / {} failed / {} unknown",
            t.orders_placed, t.units_ordered, t.failed, t.unknown_lines
        ),
    })
}
