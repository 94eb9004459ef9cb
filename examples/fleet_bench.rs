//! Fleet benchmark (issue 6): plan and apply over N generated customers against the sandbox,
//! with per-call latency and Partner Center-style rate limits, measuring calls per customer,
//! catalog calls, 429s, wall time against the ideal, and peak memory.
//!
//! ```sh
//! cargo run --release --example fleet_bench -- --customers 100,1000,5000
//! ```
//!
//! Options (defaults in brackets): `--customers N[,N…]` [100,1000], `--latency-ms` [20],
//! `--parallelism` [32], `--rate-limit` requests/min for the limit-bound scenario [30000],
//! `--customer-rate-limit` [3000], `--client-rate-limit` (the client's own partner-wide budget
//! in the limit scenario; default `--rate-limit`), `--scenarios latency,limit` [both], `--seed` [1], `--no-apply`
//! (give the customers their holdings through the sandbox's admin API instead of buying them).
//!
//! Phases per scenario, on one state dir: plan (everything to buy) → apply (buys it) → plan (no
//! change; reads each new order once) → plan (no change again; orders come from the cache).
//!
//! Two scenarios per N, each on a fresh sandbox:
//! * **latency**: every call takes `--latency-ms`, no throttling; ideal = calls × latency ÷ P.
//! * **limit**: the sandbox throttles at `--rate-limit`/min partner-wide and
//!   `--customer-rate-limit`/min per customer (sliding minute, 429 + `Retry-After`), and the
//!   client is configured with the same figures; ideal = calls ÷ rate (or the latency bound when
//!   that is larger).
//!
//! Each N runs in its own process (so peak memory is per N), and the sandbox runs in a child of
//! that process (so its memory is not counted).

#[path = "fleet_bench/fleet.rs"]
mod fleet;
#[path = "fleet_bench/serve.rs"]
mod serve;

use fleet::{ClientSetup, Measured};
use reservoir::partner_center::RateLimits;
use serde::{Deserialize, Serialize};
use serve::{SandboxChild, ServeSpec};

#[derive(Debug, Clone)]
struct Args {
    customers: Vec<usize>,
    latency_ms: u64,
    parallelism: usize,
    rate_limit: u32,
    customer_rate_limit: u32,
    /// The client's partner-wide budget in the limit scenario (default: `rate_limit`); set it
    /// higher than the server's to watch the limiter adapt to 429s.
    client_rate_limit: Option<u32>,
    scenarios: Vec<String>,
    seed: u64,
    /// Buy through apply (false: seed the holdings through the sandbox's admin API).
    apply: bool,
    json: bool,
}

impl Args {
    fn parse(raw: &[String]) -> anyhow::Result<Self> {
        let mut a = Args {
            customers: vec![100, 1000],
            latency_ms: 20,
            parallelism: 32,
            rate_limit: 30_000,
            customer_rate_limit: 3_000,
            client_rate_limit: None,
            scenarios: vec!["latency".into(), "limit".into()],
            seed: 1,
            apply: true,
            json: false,
        };
        let mut it = raw.iter();
        while let Some(flag) = it.next() {
            if flag == "--json" {
                a.json = true;
                continue;
            }
            if flag == "--no-apply" {
                a.apply = false;
                continue;
            }
            let value = it
                .next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
            let list = || value.split(',').map(str::trim).filter(|s| !s.is_empty());
            match flag.as_str() {
                "--customers" => {
                    a.customers = list().map(str::parse).collect::<Result<_, _>>()?;
                }
                "--latency-ms" => a.latency_ms = value.parse()?,
                "--parallelism" => a.parallelism = value.parse()?,
                "--rate-limit" => a.rate_limit = value.parse()?,
                "--customer-rate-limit" => a.customer_rate_limit = value.parse()?,
                "--client-rate-limit" => a.client_rate_limit = Some(value.parse()?),
                "--scenarios" => a.scenarios = list().map(str::to_string).collect(),
                "--seed" => a.seed = value.parse()?,
                other => anyhow::bail!("unknown option {other}"),
            }
        }
        Ok(a)
    }

    fn to_args(&self, n: usize) -> Vec<String> {
        vec![
            "--customers".into(),
            n.to_string(),
            "--latency-ms".into(),
            self.latency_ms.to_string(),
            "--parallelism".into(),
            self.parallelism.to_string(),
            "--rate-limit".into(),
            self.rate_limit.to_string(),
            "--customer-rate-limit".into(),
            self.customer_rate_limit.to_string(),
            "--scenarios".into(),
            self.scenarios.join(","),
            "--seed".into(),
            self.seed.to_string(),
            "--json".into(),
        ]
        .into_iter()
        .chain((!self.apply).then(|| "--no-apply".to_string()))
        .chain(
            self.client_rate_limit
                .into_iter()
                .flat_map(|r| ["--client-rate-limit".to_string(), r.to_string()]),
        )
        .collect()
    }
}

/// One line of the results table.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    customers: usize,
    subscriptions: usize,
    scenario: String,
    phase: String,
    calls: u64,
    catalog: u64,
    throttled: u64,
    wall_s: f64,
    ideal_s: f64,
    /// Calls per minute sustained, and the configured limit (limit scenario).
    per_minute: f64,
    limit: Option<u32>,
    peak_mb: f64,
    outcome: String,
}

impl Row {
    fn new(a: &Args, n: usize, subs: usize, scenario: &str, phase: &str, m: &Measured) -> Self {
        let calls = m.calls();
        let wall_s = m.wall.as_secs_f64();
        let latency_bound =
            calls as f64 * a.latency_ms as f64 / 1000.0 / a.parallelism.max(1) as f64;
        let limit = (scenario == "limit").then_some(a.rate_limit);
        let rate_bound = limit.map_or(0.0, |r| calls as f64 * 60.0 / f64::from(r));
        Row {
            customers: n,
            subscriptions: subs,
            scenario: scenario.into(),
            phase: phase.into(),
            calls,
            catalog: m.category("catalog"),
            throttled: m.stats.throttled,
            wall_s,
            ideal_s: latency_bound.max(rate_bound),
            per_minute: if wall_s > 0.0 {
                calls as f64 * 60.0 / wall_s
            } else {
                0.0
            },
            limit,
            peak_mb: fleet::peak_rss() as f64 / (1024.0 * 1024.0),
            outcome: m.outcome.clone(),
        }
    }
}

fn main() -> anyhow::Result<()> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.first().map(String::as_str) == Some("serve") {
        return serve::serve_main(&raw[1..]);
    }
    let args = Args::parse(&raw)?;
    if args.customers.len() == 1 {
        let rows = one_n(&args, args.customers[0])?;
        if args.json {
            for r in &rows {
                println!("{}", serde_json::to_string(r)?);
            }
        } else {
            print_table(&args, &rows);
        }
        return Ok(());
    }
    // One process per N, so each N's peak memory is its own.
    let exe = std::env::current_exe()?;
    let mut rows = Vec::new();
    for &n in &args.customers {
        eprintln!("fleet_bench: N = {n}…");
        let out = std::process::Command::new(&exe)
            .args(args.to_args(n))
            .stderr(std::process::Stdio::inherit())
            .output()?;
        anyhow::ensure!(out.status.success(), "the run for N = {n} failed");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            rows.push(serde_json::from_str::<Row>(line)?);
        }
    }
    print_table(&args, &rows);
    Ok(())
}

/// Every scenario for one N, in this process.
fn one_n(a: &Args, n: usize) -> anyhow::Result<Vec<Row>> {
    reservoir::partner_center::install_crypto_provider();
    let rt = tokio::runtime::Runtime::new()?;
    let (desired, subs) = fleet::desired(n, a.seed)?;
    let mut rows = Vec::new();
    for scenario in &a.scenarios {
        let limited = match scenario.as_str() {
            "latency" => false,
            "limit" => true,
            other => anyhow::bail!("unknown scenario {other} (latency, limit)"),
        };
        let child = SandboxChild::spawn(ServeSpec {
            customers: n,
            seed: a.seed,
            latency_ms: a.latency_ms,
            partner_limit: limited.then_some(a.rate_limit),
            customer_limit: limited.then_some(a.customer_rate_limit),
        })?;
        let setup = ClientSetup {
            endpoint: child.endpoint.clone(),
            credentials: child.credentials.clone(),
            limits: if limited {
                RateLimits::new(
                    a.client_rate_limit.unwrap_or(a.rate_limit),
                    a.customer_rate_limit,
                )
            } else {
                // No throttle: the limiter must not be what binds.
                RateLimits::new(10_000_000, 10_000_000)
            },
            parallelism: a.parallelism,
        };
        let state = tempfile::tempdir()?;
        let mut run = |phase: &str, m: Measured| {
            let row = Row::new(a, n, subs, scenario, phase, &m);
            eprintln!(
                "  {scenario:<7} {phase:<26} {:>7} calls {:>7.1}s {:>5} 429s ({})",
                row.calls, row.wall_s, row.throttled, row.outcome
            );
            rows.push(row);
        };
        run(
            "plan (all to buy)",
            rt.block_on(fleet::plan(&setup, &desired, state.path()))?,
        );
        if a.apply {
            run(
                "apply",
                rt.block_on(fleet::apply(&setup, &desired, state.path()))?,
            );
        } else {
            rt.block_on(fleet::seed_holdings(&child.endpoint, &desired))?;
        }
        run(
            "plan (no change, 1st)",
            rt.block_on(fleet::plan(&setup, &desired, state.path()))?,
        );
        run(
            "plan (no change, repeat)",
            rt.block_on(fleet::plan(&setup, &desired, state.path()))?,
        );
        drop(child);
    }
    Ok(rows)
}

fn print_table(a: &Args, rows: &[Row]) {
    println!(
        "fleet_bench: latency {} ms/call, parallelism {}, limit scenario {}/min partner-wide and {}/min per customer (sandbox; client partner-wide budget {}/min)\n",
        a.latency_ms,
        a.parallelism,
        a.rate_limit,
        a.customer_rate_limit,
        a.client_rate_limit.unwrap_or(a.rate_limit)
    );
    println!(
        "| customers | scenario | phase | calls/customer | catalog calls | 429s | wall | ideal | wall ÷ ideal | rate sustained | peak memory |"
    );
    println!("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let per_customer = (r.calls - r.catalog) as f64 / r.customers.max(1) as f64;
        let rate = match r.limit {
            Some(l) => format!(
                "{:.0}/min ({:.0}% of {l})",
                r.per_minute,
                r.per_minute * 100.0 / f64::from(l)
            ),
            None => format!("{:.0}/min", r.per_minute),
        };
        println!(
            "| {} | {} | {} | {:.2} | {} | {} | {} | {} | {:.2} | {} | {:.0} MB |",
            r.customers,
            r.scenario,
            r.phase,
            per_customer,
            r.catalog,
            r.throttled,
            secs(r.wall_s),
            secs(r.ideal_s),
            if r.ideal_s > 0.0 {
                r.wall_s / r.ideal_s
            } else {
                0.0
            },
            rate,
            r.peak_mb
        );
    }
}

fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}
