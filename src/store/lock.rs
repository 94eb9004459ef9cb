//! The lock seam: [`Locks`] is what a backend implements — one run per customer at a time, as a
//! lease with a holder description and an epoch that only grows. [`acquire`] waits for a lock
//! with backoff on the one [`Clock`] (so lock waits are simulated in tests) and names the holder
//! when it gives up.

use crate::time::{Backoff, Clock};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Who holds (or wants) a customer lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderInfo {
    pub pid: u32,
    pub host: String,
    /// e.g. `reservoir apply`.
    pub command: String,
    pub started_at: DateTime<Utc>,
    /// The CI run, when known (`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_run: Option<String>,
}

impl HolderInfo {
    /// This process, running `command`, since `started_at` (the run's [`Clock::wall`]).
    pub fn current(command: &str, started_at: DateTime<Utc>) -> HolderInfo {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .unwrap_or_else(|| "unknown-host".to_owned());
        HolderInfo {
            pid: std::process::id(),
            host,
            command: command.to_owned(),
            started_at,
            ci_run: ci_run_url(),
        }
    }
}

/// The GitHub Actions run URL from the environment, when all three variables are set.
fn ci_run_url() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let server = var("GITHUB_SERVER_URL")?;
    let repo = var("GITHUB_REPOSITORY")?;
    let run = var("GITHUB_RUN_ID")?;
    Some(format!(
        "{}/{}/actions/runs/{}",
        server.trim_end_matches('/'),
        repo,
        run
    ))
}

impl std::fmt::Display for HolderInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on host {} ({}) since {}",
            self.pid,
            self.host,
            self.command,
            self.started_at.format("%Y-%m-%d %H:%M:%S UTC")
        )?;
        if let Some(run) = &self.ci_run {
            write!(f, ", CI run {run}")?;
        }
        Ok(())
    }
}

/// A lock as a store sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockInfo {
    pub customer_id: String,
    /// `None` when the store cannot say (a directory lock whose sidecar is missing).
    pub holder: Option<HolderInfo>,
    pub epoch: u64,
    pub acquired_at: Option<DateTime<Utc>>,
    /// When the lease runs out unless renewed (`None`: held until the holder process exits).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("customer {customer} is locked by {}; waited {}s", holder_text(.holder), .waited.as_secs())]
    Busy {
        customer: String,
        holder: Option<Box<HolderInfo>>,
        waited: Duration,
    },
    #[error("cannot use lock file {path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("customer id {0:?} cannot name a lock")]
    InvalidCustomerId(String),
    #[error("the lock of customer {customer} was lost (epoch {epoch}): {detail}")]
    Lost {
        customer: String,
        epoch: u64,
        detail: String,
    },
    #[error("the state store is unavailable ({what})")]
    Unavailable {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Fs(#[from] crate::store::fs::FsError),
}

fn holder_text(holder: &Option<Box<HolderInfo>>) -> String {
    match holder {
        Some(h) => h.to_string(),
        None => "another process (holder unknown)".to_owned(),
    }
}

/// What keeps a lease alive (a held OS lock, a renewal task); dropping it gives the lease up as
/// far as the backend can without I/O.
pub trait LeaseGuard: Send + Sync + std::fmt::Debug {
    /// Whether the backend knows the lease is lost (a renewal found it taken over).
    fn lost(&self) -> bool {
        false
    }
}

/// A held lease on a customer. Journal appends made under it carry its `epoch`
/// ([`crate::store::Journal::fenced`]). Give it back with [`Locks::release`].
#[derive(Debug)]
pub struct Lease {
    pub customer_id: String,
    pub epoch: u64,
    pub holder: HolderInfo,
    pub(crate) guard: Box<dyn LeaseGuard>,
}

impl Lease {
    pub fn new(
        customer_id: &str,
        epoch: u64,
        holder: HolderInfo,
        guard: Box<dyn LeaseGuard>,
    ) -> Lease {
        Lease {
            customer_id: customer_id.to_owned(),
            epoch,
            holder,
            guard,
        }
    }

    /// Whether the lease is known to be lost (appends would be fenced out).
    pub fn is_lost(&self) -> bool {
        self.guard.lost()
    }
}

/// A lock backend.
#[async_trait::async_trait]
pub trait Locks: Send + Sync {
    /// One attempt: `Ok(None)` when another live holder has it.
    async fn try_acquire(
        &self,
        customer_id: &str,
        holder: &HolderInfo,
    ) -> Result<Option<Lease>, LockError>;
    /// Extends the lease; [`LockError::Lost`] when it is no longer ours.
    async fn renew(&self, lease: &Lease) -> Result<(), LockError>;
    /// Gives the lease back (only if it is still ours).
    async fn release(&self, lease: Lease) -> Result<(), LockError>;
    /// The current holder of a customer's lock, if it is held.
    async fn holder(&self, customer_id: &str) -> Result<Option<LockInfo>, LockError>;
    /// Every held lock.
    async fn list(&self) -> Result<Vec<LockInfo>, LockError>;
    /// Breaks a customer's lock whoever holds it (the holder's later journal appends are fenced
    /// out); returns what was broken.
    async fn force_unlock(
        &self,
        customer_id: &str,
        by: &HolderInfo,
    ) -> Result<Option<LockInfo>, LockError>;
}

/// Takes a customer's lock, retrying with `backoff` on `clock` until `timeout` has passed (a
/// zero timeout tries once); gives up with [`LockError::Busy`] naming the holder. `waiting` is
/// called once, with the holder, when the first attempt finds the lock taken.
pub async fn acquire(
    locks: &dyn Locks,
    clock: &dyn Clock,
    customer_id: &str,
    holder: &HolderInfo,
    timeout: Duration,
    backoff: Backoff,
    waiting: &(dyn Fn(Option<&LockInfo>) + Send + Sync),
) -> Result<Lease, LockError> {
    let started = clock.now();
    let mut waits = backoff;
    let mut first = true;
    loop {
        if let Some(lease) = locks.try_acquire(customer_id, holder).await? {
            return Ok(lease);
        }
        let waited = clock.now().saturating_sub(started);
        if first || waited >= timeout {
            let info = locks.holder(customer_id).await.ok().flatten();
            if first {
                waiting(info.as_ref());
                first = false;
            }
            if waited >= timeout {
                return Err(LockError::Busy {
                    customer: customer_id.to_owned(),
                    holder: info.and_then(|i| i.holder).map(Box::new),
                    waited,
                });
            }
        }
        let next = waits.next().unwrap_or(Duration::from_secs(1));
        clock.sleep(next.min(timeout - waited)).await;
    }
}

/// The backoff of lock waits: 100 ms doubling up to 2 s.
pub fn lock_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(100), 2, Duration::from_secs(2))
}
