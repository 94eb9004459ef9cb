//! [`CustomerLock`]: one apply per customer at a time, across processes and CI jobs sharing a
//! state dir.
//!
//! The lock is an OS advisory lock (`File::try_lock`, i.e. `flock`) on
//! `<state_dir>/locks/<customer-id>.lock`, so the OS releases it when the holder dies — a lock
//! left by a dead process is simply free. Who holds it is written to a sidecar
//! `<customer-id>.holder.json` after acquiring, so a waiter that gives up can name the holder.

use super::store::check_customer_id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Who holds (or wants) a customer lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderInfo {
    pub pid: u32,
    pub host: String,
    /// e.g. `reservoir apply`.
    pub command: String,
    pub started_at: DateTime<Utc>,
}

impl HolderInfo {
    /// This process, running `command`, now.
    pub fn current(command: &str) -> HolderInfo {
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
            started_at: Utc::now(),
        }
    }
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
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("customer {customer} is locked by {}; waited {}s", holder_text(.holder), .waited.as_secs())]
    Busy {
        customer: String,
        holder: Option<HolderInfo>,
        waited: Duration,
    },
    #[error("cannot use lock file {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("customer id {0:?} cannot name a lock file")]
    InvalidCustomerId(String),
}

fn holder_text(holder: &Option<HolderInfo>) -> String {
    match holder {
        Some(h) => h.to_string(),
        None => "another process (holder unknown)".to_owned(),
    }
}

/// A held customer lock; released on drop (and by the OS if the process dies).
#[derive(Debug)]
pub struct CustomerLock {
    file: Option<File>,
    holder_path: PathBuf,
    customer_id: String,
}

/// The error for a lock still held after waiting `waited`, naming its holder.
fn busy(state_dir: &Path, customer_id: &str, waited: Duration) -> LockError {
    LockError::Busy {
        customer: customer_id.to_owned(),
        holder: read_holder(&holder_path(state_dir, customer_id)),
        waited,
    }
}

impl CustomerLock {
    /// Takes the lock, retrying until `timeout` has passed (a zero timeout tries once). Blocks the
    /// calling thread between attempts: call it from `spawn_blocking` in async code.
    pub fn acquire(
        state_dir: &Path,
        customer_id: &str,
        timeout: Duration,
        holder: HolderInfo,
    ) -> Result<CustomerLock, LockError> {
        let started = Instant::now();
        loop {
            if let Some(lock) = Self::try_acquire(state_dir, customer_id, &holder)? {
                return Ok(lock);
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(busy(state_dir, customer_id, waited));
            }
            std::thread::sleep((timeout - waited).min(Duration::from_millis(100)));
        }
    }

    /// [`CustomerLock::acquire`] for async callers: waits on the tokio timer between attempts.
    pub async fn acquire_async(
        state_dir: &Path,
        customer_id: &str,
        timeout: Duration,
        holder: HolderInfo,
    ) -> Result<CustomerLock, LockError> {
        let started = Instant::now();
        loop {
            if let Some(lock) = Self::try_acquire(state_dir, customer_id, &holder)? {
                return Ok(lock);
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(busy(state_dir, customer_id, waited));
            }
            tokio::time::sleep((timeout - waited).min(Duration::from_millis(100))).await;
        }
    }

    /// One attempt: `Ok(None)` when another holder has it.
    pub fn try_acquire(
        state_dir: &Path,
        customer_id: &str,
        holder: &HolderInfo,
    ) -> Result<Option<CustomerLock>, LockError> {
        if check_customer_id(customer_id).is_err() {
            return Err(LockError::InvalidCustomerId(customer_id.to_owned()));
        }
        let dir = state_dir.join("locks");
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| LockError::Io { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("{customer_id}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(source)) => return Err(LockError::Io { path, source }),
        }
        let holder_path = holder_path(state_dir, customer_id);
        write_holder(&holder_path, holder).map_err(io(&holder_path))?;
        Ok(Some(CustomerLock {
            file: Some(file),
            holder_path,
            customer_id: customer_id.to_owned(),
        }))
    }

    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }
}

impl Drop for CustomerLock {
    fn drop(&mut self) {
        // Remove the sidecar while still holding the lock, so it never names a past holder of a
        // lock someone else now holds.
        let _ = std::fs::remove_file(&self.holder_path);
        if let Some(file) = self.file.take() {
            let _ = file.unlock();
        }
    }
}

fn holder_path(state_dir: &Path, customer_id: &str) -> PathBuf {
    state_dir
        .join("locks")
        .join(format!("{customer_id}.holder.json"))
}

fn write_holder(path: &Path, holder: &HolderInfo) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    let text = serde_json::to_vec_pretty(holder).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn read_holder(path: &Path) -> Option<HolderInfo> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}
