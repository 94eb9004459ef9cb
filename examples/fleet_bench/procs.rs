//! The processes of the benchmark: `reservoir sandbox serve` (a child serving the generated world
//! with the throttle), the `reservoir` CLI run as a user runs it (its peak memory taken from the
//! child's own rusage, `wait4`), and the sandbox's request counters.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `reservoir` binary next to this example (`target/<profile>/reservoir`).
pub fn reservoir_bin() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| anyhow::anyhow!("cannot find the target dir from {}", exe.display()))?;
    let bin = dir.join("reservoir");
    anyhow::ensure!(
        bin.is_file(),
        "{} is missing: build it first (cargo build --release)",
        bin.display()
    );
    Ok(bin)
}

/// A running `reservoir sandbox serve`.
pub struct Sandbox {
    child: Child,
    pub endpoint: String,
    pub creds: Value,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

impl Sandbox {
    /// Serves a generated world of `n` customers throttled at `rate` requests/min (partner-wide
    /// and per customer), every call taking `latency_ms`; orders and registrations settle at once.
    pub fn start(
        bin: &Path,
        n: usize,
        seed: u64,
        rate: u32,
        latency_ms: u64,
    ) -> anyhow::Result<Self> {
        let mut child = Command::new(bin)
            .args(["sandbox", "serve", "--generate-customers"])
            .arg(n.to_string())
            .args([
                "--seed",
                &seed.to_string(),
                "--latency-ms",
                &latency_ms.to_string(),
            ])
            .args([
                "--throttle-partner",
                &rate.to_string(),
                "--throttle-customer",
                &rate.to_string(),
            ])
            .args(["--registration-delay", "0", "--order-list-delay", "0"])
            .args(["--fulfillment-delay", "0", "--audit-lag", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("the sandbox has no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let creds: Value = serde_json::from_str(line.trim())
            .map_err(|e| anyhow::anyhow!("the sandbox said {line:?}: {e}"))?;
        let endpoint = creds["endpoint"].as_str().unwrap_or_default().to_owned();
        Ok(Sandbox {
            child,
            endpoint,
            creds,
            http: reqwest::Client::new(),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
        })
    }

    fn cred(&self, k: &str) -> String {
        self.creds[k].as_str().unwrap_or_default().to_owned()
    }

    /// The credentials as the sequential script takes them.
    pub fn script_args(&self) -> Vec<String> {
        vec![
            self.endpoint.clone(),
            self.cred("tenant_id"),
            self.cred("client_id"),
            self.cred("client_secret"),
            self.cred("refresh_token"),
        ]
    }

    pub fn reset(&self) -> anyhow::Result<()> {
        self.rt.block_on(async {
            self.http
                .post(format!("{}/_sandbox/requests/reset", self.endpoint))
                .send()
                .await?
                .error_for_status()?;
            Ok(())
        })
    }

    /// (API calls other than token requests, 429 answers) since the last reset.
    pub fn counters(&self) -> anyhow::Result<(u64, u64)> {
        let v: Value = self.rt.block_on(async {
            self.http
                .get(format!("{}/_sandbox/requests", self.endpoint))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await
        })?;
        let total = v["total"].as_u64().unwrap_or(0);
        let token = v["byCategory"]["token"].as_u64().unwrap_or(0);
        Ok((total - token, v["throttled"].as_u64().unwrap_or(0)))
    }

    /// `reservoir <args>` against this sandbox with a clean environment.
    pub fn cli(&self, bin: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin);
        for (k, _) in std::env::vars() {
            if k.starts_with("PARTNER_CENTER_") || k.starts_with("RESERVOIR_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("PARTNER_CENTER_TENANT_ID", self.cred("tenant_id"))
            .env("PARTNER_CENTER_CLIENT_ID", self.cred("client_id"))
            .env("PARTNER_CENTER_CLIENT_SECRET", self.cred("client_secret"))
            .env("PARTNER_CENTER_REFRESH_TOKEN", self.cred("refresh_token"))
            .env("PARTNER_CENTER_AUTHORITY", &self.endpoint)
            .arg("--endpoint")
            .arg(&self.endpoint)
            .args(args);
        cmd
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a child process took.
pub struct Ran {
    pub wall: Duration,
    /// Peak resident memory of the child, in MB.
    pub peak_mb: f64,
    pub success: bool,
}

/// Runs `cmd` to the end (stdin closed, stdout captured, stderr dropped) and takes its peak RSS
/// from its own rusage.
pub fn run(mut cmd: Command, stdin: Option<&[u8]>) -> anyhow::Result<Ran> {
    use std::io::{Read, Write};
    let t0 = Instant::now();
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(data)?;
    }
    // Drained so the child never blocks on a full pipe; the output itself is not needed.
    if let Some(mut out) = child.stdout.take() {
        let mut sink = Vec::new();
        out.read_to_end(&mut sink)?;
    }
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data filled by the kernel; `pid` is our own child, not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    anyhow::ensure!(
        r == pid,
        "wait4 failed: {}",
        std::io::Error::last_os_error()
    );
    let wall = t0.elapsed();
    // Linux reports ru_maxrss in kilobytes.
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // The child is reaped: forget the handle without waiting again.
    std::mem::forget(child);
    Ok(Ran {
        wall,
        peak_mb,
        success,
    })
}
