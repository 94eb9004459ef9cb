//! The directory store's locks: [`CustomerLock`] is an OS advisory lock (`flock`) on
//! [`StateDir::lock_file`], so the OS releases it when the holder dies — a lock left by a dead
//! process is simply free. Who holds it is written to a sidecar ([`StateDir::holder_file`]) after
//! acquiring, so a waiter that gives up can name the holder. Each acquisition increments the
//! customer's epoch ([`StateDir::epoch_file`]); [`DirLocks`] puts this behind [`Locks`].
//!
//! A flock has no expiry: a live holder keeps it until it exits. `force_unlock` bumps the epoch
//! (fencing the holder's later appends) and removes the lock file, so the next run locks a fresh
//! file.

use crate::store::fs::{FsError, atomic_write, ensure_dir, open_state_file, read_state_file};
use crate::store::journal::valid_customer_id;
use crate::store::lock::{HolderInfo, Lease, LeaseGuard, LockError, LockInfo, Locks};
use crate::store::state_dir::StateDir;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A held customer lock; released on drop (and by the OS if the process dies).
#[derive(Debug)]
pub struct CustomerLock {
    file: Option<File>,
    holder_path: PathBuf,
    customer_id: String,
    epoch: u64,
}

impl LeaseGuard for CustomerLock {}

/// The error for a lock still held after waiting `waited`, naming its holder.
fn busy(state: &StateDir, customer_id: &str, waited: Duration) -> LockError {
    LockError::Busy {
        customer: customer_id.to_owned(),
        holder: read_holder(&state.holder_file(customer_id)).map(Box::new),
        waited,
    }
}

impl CustomerLock {
    /// Takes the lock now, or fails with [`LockError::Busy`] naming the holder. It never waits:
    /// waiting is [`crate::store::acquire`]'s, on the run's clock (so every lock wait can be
    /// simulated).
    pub fn acquire(
        state_dir: &Path,
        customer_id: &str,
        holder: HolderInfo,
    ) -> Result<CustomerLock, LockError> {
        match Self::try_acquire(state_dir, customer_id, &holder)? {
            Some(lock) => Ok(lock),
            None => Err(busy(&StateDir::new(state_dir), customer_id, Duration::ZERO)),
        }
    }

    /// One attempt: `Ok(None)` when another holder has it.
    pub fn try_acquire(
        state_dir: &Path,
        customer_id: &str,
        holder: &HolderInfo,
    ) -> Result<Option<CustomerLock>, LockError> {
        if !valid_customer_id(customer_id) {
            return Err(LockError::InvalidCustomerId(customer_id.to_owned()));
        }
        let state = StateDir::new(state_dir);
        state.check()?;
        ensure_dir(&state.locks_dir())?;
        let path = state.lock_file(customer_id);
        let file = open_state_file(
            &path,
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true),
        )?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(source)) => return Err(LockError::Io { path, source }),
        }
        let epoch = read_epoch(&state, customer_id)? + 1;
        atomic_write(&state.epoch_file(customer_id), epoch.to_string().as_bytes())?;
        let holder_path = state.holder_file(customer_id);
        let text = serde_json::to_vec_pretty(holder).map_err(|e| LockError::Io {
            path: holder_path.clone(),
            source: std::io::Error::other(e),
        })?;
        atomic_write(&holder_path, &text)?;
        Ok(Some(CustomerLock {
            file: Some(file),
            holder_path,
            customer_id: customer_id.to_owned(),
            epoch,
        }))
    }

    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// The epoch this acquisition got.
    pub fn epoch(&self) -> u64 {
        self.epoch
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

/// The customer's current lock epoch (0 before the first acquisition).
pub(crate) fn read_epoch(state: &StateDir, customer_id: &str) -> Result<u64, FsError> {
    let path = state.epoch_file(customer_id);
    match read_state_file(&path)? {
        None => Ok(0),
        Some(bytes) => String::from_utf8_lossy(&bytes)
            .trim()
            .parse()
            .map_err(|e| FsError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            }),
    }
}

fn read_holder(path: &Path) -> Option<HolderInfo> {
    let bytes = read_state_file(path).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// [`Locks`] over the OS locks of a state dir.
#[derive(Debug, Clone)]
pub struct DirLocks {
    state: StateDir,
}

impl DirLocks {
    pub fn new(state_dir: &Path) -> DirLocks {
        DirLocks {
            state: StateDir::new(state_dir),
        }
    }

    /// Whether someone holds the customer's OS lock right now (probing it without keeping it).
    fn held(&self, customer_id: &str) -> Result<bool, LockError> {
        let path = self.state.lock_file(customer_id);
        let file = match open_state_file(&path, OpenOptions::new().read(true).write(true)) {
            Ok(f) => f,
            Err(FsError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(false);
            }
            Err(e) => return Err(e.into()),
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                Ok(false)
            }
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }

    fn info(&self, customer_id: &str) -> Result<Option<LockInfo>, LockError> {
        if !valid_customer_id(customer_id) {
            return Err(LockError::InvalidCustomerId(customer_id.to_owned()));
        }
        if !self.held(customer_id)? {
            return Ok(None);
        }
        let holder = read_holder(&self.state.holder_file(customer_id));
        Ok(Some(LockInfo {
            customer_id: customer_id.to_owned(),
            acquired_at: holder.as_ref().map(|h| h.started_at),
            holder,
            epoch: read_epoch(&self.state, customer_id)?,
            expires_at: None,
        }))
    }
}

#[async_trait::async_trait]
impl Locks for DirLocks {
    async fn try_acquire(
        &self,
        customer_id: &str,
        holder: &HolderInfo,
    ) -> Result<Option<Lease>, LockError> {
        let lock = CustomerLock::try_acquire(self.state.root(), customer_id, holder)?;
        Ok(lock.map(|l| Lease::new(customer_id, l.epoch, holder.clone(), Box::new(l))))
    }

    async fn renew(&self, lease: &Lease) -> Result<(), LockError> {
        let current = read_epoch(&self.state, &lease.customer_id)?;
        if current != lease.epoch {
            return Err(LockError::Lost {
                customer: lease.customer_id.clone(),
                epoch: lease.epoch,
                detail: format!("the lock's epoch is now {current}"),
            });
        }
        Ok(())
    }

    async fn release(&self, lease: Lease) -> Result<(), LockError> {
        drop(lease);
        Ok(())
    }

    async fn holder(&self, customer_id: &str) -> Result<Option<LockInfo>, LockError> {
        self.info(customer_id)
    }

    async fn list(&self) -> Result<Vec<LockInfo>, LockError> {
        let dir = self.state.locks_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(LockError::Io { path: dir, source }),
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".lock").map(str::to_owned)
            })
            .filter(|id| valid_customer_id(id))
            .collect();
        ids.sort();
        let mut out = Vec::new();
        for id in ids {
            if let Some(info) = self.info(&id)? {
                out.push(info);
            }
        }
        Ok(out)
    }

    async fn force_unlock(
        &self,
        customer_id: &str,
        _by: &HolderInfo,
    ) -> Result<Option<LockInfo>, LockError> {
        let Some(info) = self.info(customer_id)? else {
            return Ok(None);
        };
        let epoch = read_epoch(&self.state, customer_id)? + 1;
        atomic_write(
            &self.state.epoch_file(customer_id),
            epoch.to_string().as_bytes(),
        )?;
        for path in [
            self.state.lock_file(customer_id),
            self.state.holder_file(customer_id),
        ] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(LockError::Io { path, source }),
            }
        }
        Ok(Some(info))
    }
}
