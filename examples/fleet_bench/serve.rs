//! The sandbox side of the benchmark: a child process (this example re-executed with the hidden
//! `serve` argument) that serves a generated world in memory and prints one JSON line with its
//! endpoint and credentials. Keeping it in another process keeps its memory out of the bench's
//! peak RSS. The child stops when its stdin closes (the bench exits or drops it).

use reservoir::partner_center::{Credentials, Secret};
use reservoir::sandbox::{Knobs, SandboxOptions, WorldSource};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

/// What the child serves.
#[derive(Debug, Clone, Copy)]
pub struct ServeSpec {
    pub customers: usize,
    pub seed: u64,
    pub latency_ms: u64,
    /// Server-side throttles in requests per minute (None = unlimited).
    pub partner_limit: Option<u32>,
    pub customer_limit: Option<u32>,
}

impl ServeSpec {
    fn args(&self) -> Vec<String> {
        let mut a = vec![
            "serve".to_string(),
            self.customers.to_string(),
            self.seed.to_string(),
            self.latency_ms.to_string(),
        ];
        a.push(self.partner_limit.map_or("-".into(), |r| r.to_string()));
        a.push(self.customer_limit.map_or("-".into(), |r| r.to_string()));
        a
    }

    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let get = |i: usize| {
            args.get(i)
                .map(String::as_str)
                .ok_or_else(|| anyhow::anyhow!("serve: missing argument {i}"))
        };
        let limit = |s: &str| -> anyhow::Result<Option<u32>> {
            Ok(if s == "-" { None } else { Some(s.parse()?) })
        };
        Ok(ServeSpec {
            customers: get(0)?.parse()?,
            seed: get(1)?.parse()?,
            latency_ms: get(2)?.parse()?,
            partner_limit: limit(get(3)?)?,
            customer_limit: limit(get(4)?)?,
        })
    }
}

/// The running child and how to reach it.
pub struct SandboxChild {
    child: Child,
    pub endpoint: url::Url,
    pub credentials: Credentials,
}

impl SandboxChild {
    /// Re-executes this example as `serve …` and reads its endpoint line.
    pub fn spawn(spec: ServeSpec) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(spec.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("the sandbox child has no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let v: serde_json::Value = serde_json::from_str(line.trim())
            .map_err(|e| anyhow::anyhow!("the sandbox child said {line:?}: {e}"))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let endpoint = url::Url::parse(&s("endpoint"))?;
        let credentials = Credentials::app_user(
            &s("tenant_id"),
            &s("client_id"),
            Secret::new(s("client_secret")),
            Secret::new(s("refresh_token")),
            endpoint.as_str().trim_end_matches('/'),
        );
        Ok(SandboxChild {
            child,
            endpoint,
            credentials,
        })
    }
}

impl Drop for SandboxChild {
    fn drop(&mut self) {
        // Closing stdin asks the child to stop; kill it (by its own handle) if it lingers.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child's entry point: serve until stdin closes.
pub fn serve_main(args: &[String]) -> anyhow::Result<()> {
    let spec = ServeSpec::parse(args)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let sandbox = reservoir::sandbox::start(SandboxOptions {
            world: WorldSource::Generated {
                customers: spec.customers,
                seed: spec.seed,
            },
            knobs: Knobs {
                latency_ms: spec.latency_ms,
                // Generated subscriptions are registered already; orders settle at once.
                registration_delay_secs: 0,
                order_list_delay_secs: 0,
                fulfillment_delay_secs: 0,
                partner_rate_limit: spec.partner_limit,
                customer_rate_limit: spec.customer_limit,
                ..Knobs::default()
            },
            ..SandboxOptions::default()
        })
        .await?;
        let c = sandbox.credentials();
        let line = serde_json::json!({
            "endpoint": sandbox.endpoint().as_str(),
            "tenant_id": c.tenant_id,
            "client_id": c.client_id,
            "client_secret": c.client_secret,
            "refresh_token": c.refresh_token,
        });
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}")?;
            out.flush()?;
        }
        // Wait for the parent to close our stdin (or die).
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await?;
        sandbox.shutdown().await;
        anyhow::Ok(())
    })
}
