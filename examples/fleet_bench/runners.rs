//! Several runners buying one fleet at once, each given a share of the customers (a pipeline
//! sharded over CI runners on several machines): with one PostgreSQL state store they take their
//! requests from the partner's window kept there (`reservoir_rate_grant`); with a directory
//! store each they pace themselves alone, together exceed the partner's budget and meet 429s.

use super::procs;
use super::world;
use reservoir::sandbox::World;
use std::path::Path;

/// What the runners took together: API calls and 429s at the server, the slowest runner's wall
/// time and the largest peak RSS.
pub struct Measured {
    pub calls: u64,
    pub throttled: u64,
    pub wall: f64,
    pub peak_mb: f64,
}

/// The sandbox and CLI settings of a run.
pub struct Setup<'a> {
    pub bin: &'a Path,
    pub world: &'a World,
    pub n: usize,
    pub seed: u64,
    pub rate: u32,
    pub latency_ms: u64,
}

/// `runners` applies at once on a fresh sandbox, sharing the PostgreSQL store at `postgres`
/// (a fresh database on that server) or each with its own directory store.
pub fn apply(s: &Setup<'_>, runners: usize, postgres: Option<&str>) -> anyhow::Result<Measured> {
    let sb = procs::Sandbox::start(s.bin, s.n, s.seed, s.rate, s.latency_ms)?;
    let tmp = tempfile::tempdir()?;
    let state = match postgres {
        Some(server) => Some(fresh_database(server)?),
        None => None,
    };
    let mut dirs = Vec::new();
    for i in 0..runners {
        let manifests = tmp.path().join(format!("manifests-{i}"));
        std::fs::create_dir_all(&manifests)?;
        std::fs::write(
            manifests.join("fleet.yaml"),
            world::manifest_part(s.world, runners, i),
        )?;
        dirs.push((manifests, tmp.path().join(format!("state-{i}"))));
    }
    sb.reset()?;
    let rate = s.rate.to_string();
    let ran: Vec<anyhow::Result<procs::Ran>> = std::thread::scope(|scope| {
        let handles: Vec<_> = dirs
            .iter()
            .map(|(manifests, state_dir)| {
                let (sb, rate, state) = (&sb, &rate, &state);
                scope.spawn(move || {
                    let (m, d) = (text(manifests)?, text(state_dir)?);
                    let mut args = vec!["--state-dir", d, "--rate-limit", rate, "--quiet"];
                    if let Some(url) = state {
                        args.extend(["--state", url.as_str()]);
                    }
                    args.extend(["apply", m, "--auto-approve"]);
                    procs::run(sb.cli(s.bin, &args), None)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("a runner's thread panicked"))?
            })
            .collect()
    });
    let mut measured = Measured {
        calls: 0,
        throttled: 0,
        wall: 0.0,
        peak_mb: 0.0,
    };
    for r in ran {
        let r = r?;
        anyhow::ensure!(r.success, "a runner failed for N = {}", s.n);
        measured.wall = measured.wall.max(r.wall.as_secs_f64());
        measured.peak_mb = measured.peak_mb.max(r.peak_mb);
    }
    (measured.calls, measured.throttled) = sb.counters()?;
    Ok(measured)
}

fn text(p: &Path) -> anyhow::Result<&str> {
    p.to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", p.display()))
}

/// A new database on `server` (a `postgres://` URL), for one measured run.
fn fresh_database(server: &str) -> anyhow::Result<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls).await?;
        let conn = tokio::spawn(conn);
        let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        drop(client);
        let _ = conn.await;
        let mut url = url::Url::parse(server)?;
        url.set_path(&format!("/{name}"));
        Ok(url.to_string())
    })
}
