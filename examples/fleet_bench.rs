//! Fleet benchmark (issue 13): the `reservoir` CLI, run as a user runs it (its default
//! parallelism), against `reservoir sandbox serve` throttled like Partner Center, measured against
//! the **minimum** number of calls the job needs — and side by side with a sequential script that
//! follows the documented flow, on the same world.
//!
//! ```sh
//! cargo build --release && cargo run --release --example fleet_bench -- --customers 50,200
//! ```
//!
//! Options [defaults]: `--customers N[,N…]` [50,200]; `--rate-limit` requests/min [500, Partner
//! Center's published limit]; `--scaled-rate-limit` [5000] used instead for N above
//! `--scale-above` [200] (so N = 1000 and 5000 finish in minutes while the throttle, not the
//! 20 ms latency × parallelism 8 = 24,000 calls/min, stays what binds; the table says which rate
//! applied); `--latency-ms` per call [20]; `--seed` [1]; `--script-max N` [1000]: the sequential
//! script runs only up to this N (it is slow by design); `--runners K` [0: not measured]: also K
//! applies at once, each buying every K-th customer, on a fresh sandbox — once sharing one
//! PostgreSQL store (a fresh database on `--postgres URL` [`RESERVOIR_BENCH_POSTGRES`], when
//! given) and once with a directory store each — reporting their calls and 429s together.
//!
//! Per N, on a fresh sandbox and state dir (the world: N generated customers with 1–3 Azure plan
//! subscriptions each, one VM reservation declared on each subscription), each phase a separate
//! process started on a quiet minute (the server's sliding window empty, as for separate CI jobs):
//! 1. `reservoir apply --auto-approve` (buys everything),
//! 2. `reservoir plan` (no change; first),
//! 3. `reservoir plan` (no change; repeat: caches),
//!
//! and meanwhile, on a second sandbox serving the same world with its own throttle,
//! `examples/fleet_bench/sequential.py` buys the same.
//!
//! Reported per phase: calls (server-side, token requests excluded) and calls per customer; the
//! minimum ([`world::minimum`]) and calls ÷ minimum; wall and wall ÷ (minimum ÷ rate); 429s; the
//! peak RSS of the process measured (the CLI, or the Python script). `apply` reads the activity
//! log no earlier than its lag (10 s, DESIGN §5 step 7) after each customer was observed: any
//! wait left is in the wall time.

#[path = "fleet_bench/procs.rs"]
mod procs;
#[path = "fleet_bench/runners.rs"]
mod runners;
#[path = "fleet_bench/world.rs"]
mod world;

use std::path::PathBuf;

#[derive(Debug, Clone)]
struct Args {
    customers: Vec<usize>,
    rate: u32,
    scaled_rate: u32,
    scale_above: usize,
    latency_ms: u64,
    seed: u64,
    script_max: usize,
    /// Runners buying the fleet at once, each a share of the customers (0: not measured).
    runners: usize,
    /// The PostgreSQL server the runners share a store on (a fresh database per N).
    postgres: Option<String>,
}

impl Args {
    fn parse(raw: &[String]) -> anyhow::Result<Self> {
        let mut a = Args {
            customers: vec![50, 200],
            rate: 500,
            scaled_rate: 5_000,
            scale_above: 200,
            latency_ms: 20,
            seed: 1,
            script_max: 1000,
            runners: 0,
            postgres: std::env::var("RESERVOIR_BENCH_POSTGRES").ok(),
        };
        let mut it = raw.iter();
        while let Some(flag) = it.next() {
            let value = it
                .next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
            match flag.as_str() {
                "--customers" => {
                    a.customers = value
                        .split(',')
                        .map(|n| n.trim().parse())
                        .collect::<Result<_, _>>()?
                }
                "--rate-limit" => a.rate = value.parse()?,
                "--scaled-rate-limit" => a.scaled_rate = value.parse()?,
                "--scale-above" => a.scale_above = value.parse()?,
                "--latency-ms" => a.latency_ms = value.parse()?,
                "--seed" => a.seed = value.parse()?,
                "--script-max" => a.script_max = value.parse()?,
                "--runners" => a.runners = value.parse()?,
                "--postgres" => a.postgres = Some(value.clone()),
                other => anyhow::bail!("unknown option {other}"),
            }
        }
        Ok(a)
    }
}

/// One measured phase.
struct Row {
    n: usize,
    rate: u32,
    phase: &'static str,
    calls: u64,
    minimum: u64,
    throttled: u64,
    wall: f64,
    peak_mb: f64,
}

impl Row {
    fn line(&self) -> String {
        let ideal = self.minimum as f64 * 60.0 / f64::from(self.rate);
        format!(
            "| {} | {}/min | {} | {} | {:.2} | {} | {:.2} | {:.1} s | {:.1} s | {:.2} | {} | {:.0} MB |",
            self.n,
            self.rate,
            self.phase,
            self.calls,
            self.calls as f64 / self.n as f64,
            self.minimum,
            self.calls as f64 / self.minimum as f64,
            self.wall,
            ideal,
            self.wall / ideal,
            self.throttled,
            self.peak_mb
        )
    }
}

fn bench(args: &Args, n: usize, bin: &std::path::Path) -> anyhow::Result<Vec<Row>> {
    let rate = if n > args.scale_above {
        args.scaled_rate
    } else {
        args.rate
    };
    let world = reservoir::sandbox::world::generate::generate_world(n, args.seed);
    let min = world::minimum(&world);
    let tmp = tempfile::tempdir()?;
    let manifests = tmp.path().join("manifests");
    std::fs::create_dir_all(&manifests)?;
    std::fs::write(manifests.join("fleet.yaml"), world::manifest(&world))?;
    let state = tmp.path().join("state");
    let (m, s) = (path(&manifests)?, path(&state)?);
    let rate_s = rate.to_string();
    let common = ["--state-dir", s, "--rate-limit", &rate_s, "--quiet"];

    // The sequential script buys the same on its own sandbox (same world, its own throttle),
    // at the same time: only the CPU is shared, and both are bound by the throttle.
    let script = (n <= args.script_max).then(|| {
        let (bin, seed, latency) = (bin.to_path_buf(), args.seed, args.latency_ms);
        let input = serde_json::to_vec(&world::script_input(&world));
        std::thread::spawn(move || -> anyhow::Result<Row> {
            let sb = procs::Sandbox::start(&bin, n, seed, rate, latency)?;
            sb.reset()?;
            let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("examples/fleet_bench/sequential.py");
            let mut cmd = std::process::Command::new("python3");
            cmd.arg(script).args(sb.script_args());
            let ran = procs::run(cmd, Some(&input?))?;
            anyhow::ensure!(ran.success, "the sequential script failed for N = {n}");
            let (calls, throttled) = sb.counters()?;
            Ok(Row {
                n,
                rate,
                phase: "sequential script (purchase)",
                calls,
                minimum: min.purchase,
                throttled,
                wall: ran.wall.as_secs_f64(),
                peak_mb: ran.peak_mb,
            })
        })
    });

    let mut rows = Vec::new();
    let sb = procs::Sandbox::start(bin, n, args.seed, rate, args.latency_ms)?;
    let phases: [(&str, Vec<&str>, u64); 3] = [
        (
            "reservoir apply",
            vec!["apply", m, "--auto-approve"],
            min.purchase,
        ),
        (
            "reservoir plan (no change, 1st)",
            vec!["plan", m],
            min.no_change,
        ),
        (
            "reservoir plan (no change, repeat)",
            vec!["plan", m],
            min.no_change,
        ),
    ];
    for (i, (phase, cmd_args, minimum)) in phases.into_iter().enumerate() {
        if i > 0 {
            // Each phase is a separate run (as separate CI jobs are): it starts on a quiet
            // minute, so the server's window holds none of the previous phase's calls.
            std::thread::sleep(QUIET);
        }
        sb.reset()?;
        let mut all: Vec<&str> = common.to_vec();
        all.extend(cmd_args);
        let ran = procs::run(sb.cli(bin, &all), None)?;
        anyhow::ensure!(ran.success, "{phase} failed for N = {n}");
        let (calls, throttled) = sb.counters()?;
        rows.push(Row {
            n,
            rate,
            phase,
            calls,
            minimum,
            throttled,
            wall: ran.wall.as_secs_f64(),
            peak_mb: ran.peak_mb,
        });
        eprintln!("{}", rows.last().map(Row::line).unwrap_or_default());
    }
    drop(sb);
    if args.runners > 1 {
        let setup = runners::Setup {
            bin,
            world: &world,
            n,
            seed: args.seed,
            rate,
            latency_ms: args.latency_ms,
        };
        let shared = args
            .postgres
            .as_deref()
            .map(|pg| (RUNNERS_SHARED, Some(pg)));
        for (phase, postgres) in shared.into_iter().chain([(RUNNERS_APART, None)]) {
            let m = runners::apply(&setup, args.runners, postgres)?;
            // A phase name per K (the table's rows hold `'static` names; a handful per run).
            let phase: &'static str = Box::leak(format!("{} {phase}", args.runners).into());
            rows.push(Row {
                n,
                rate,
                phase,
                calls: m.calls,
                minimum: min.purchase,
                throttled: m.throttled,
                wall: m.wall,
                peak_mb: m.peak_mb,
            });
            eprintln!("{}", rows.last().map(Row::line).unwrap_or_default());
        }
    }
    if let Some(handle) = script {
        let row = handle
            .join()
            .map_err(|_| anyhow::anyhow!("the script thread panicked"))??;
        eprintln!("{}", row.line());
        rows.push(row);
    }
    Ok(rows)
}

/// The runners' phases (`--runners K`): one PostgreSQL store shared, or a directory store each.
const RUNNERS_SHARED: &str = "runners, one PostgreSQL store (apply)";
const RUNNERS_APART: &str = "runners, a directory store each (apply)";

/// The pause between phases: the server's sliding minute, and a margin.
const QUIET: std::time::Duration = std::time::Duration::from_secs(61);

fn path(p: &std::path::Path) -> anyhow::Result<&str> {
    p.to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", p.display()))
}

fn main() -> anyhow::Result<()> {
    reservoir::partner_center::install_crypto_provider();
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args = Args::parse(&raw)?;
    let bin = procs::reservoir_bin()?;
    let mut rows = Vec::new();
    for &n in &args.customers {
        rows.extend(bench(&args, n, &bin)?);
    }
    println!(
        "| customers | throttle | phase | calls | calls/customer | minimum | calls ÷ minimum | wall | minimum ÷ rate | wall ÷ (minimum ÷ rate) | 429s | peak RSS |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!("{}", r.line());
    }
    println!();
    for &n in &args.customers {
        let wall = |p: &str| {
            rows.iter()
                .find(|r| r.n == n && r.phase == p)
                .map(|r| r.wall)
        };
        if let (Some(ours), Some(script)) = (
            wall("reservoir apply"),
            wall("sequential script (purchase)"),
        ) {
            println!(
                "N = {n}: the sequential script took {:.2}× reservoir's wall time to buy the same",
                script / ours
            );
        }
    }
    Ok(())
}
