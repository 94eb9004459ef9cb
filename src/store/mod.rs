//! The state store: the purchase journal, the per-customer locks (leases with fencing epochs)
//! and caches, behind async traits, with one implementation per backend. Knows nothing about
//! HTTP.
//!
//! * [`record`] — the journal record types; [`mod@replay`] folds a customer's records into
//!   per-intent state (pure).
//! * [`journal`] — [`JournalStore`] (the backend trait: fenced append, read, list) and
//!   [`Journal`], the handle everything else uses (pending, settle, hooks, fences).
//! * [`lock`] — [`Locks`] (acquire/renew/release/list/force-unlock), [`Lease`], [`HolderInfo`],
//!   and [`acquire`], the waiting loop on the one [`crate::time::Clock`].
//! * [`cache`] — [`Cache`]: keyed JSON blobs with optional expiry.
//! * [`dir`] — the directory backend; [`postgres`] — the PostgreSQL backend; [`state_dir`] — [`StateDir`], every path under it;
//!   [`fs`] — no-follow/ownership-checked opens and the one atomic-write helper.
//!
//! A [`Store`] bundles one backend's journal, locks and cache: a new backend is one new
//! implementation of the three traits plus a constructor here.

pub mod cache;
pub mod dir;
pub mod fs;
pub mod journal;
pub mod lock;
pub mod plan_file;
pub mod postgres;
pub mod record;
pub mod replay;
pub mod state_dir;

pub use cache::{Cache, CacheEntry, CacheError, CacheKey};
pub use dir::CustomerLock;
pub use journal::{
    CustomerRecords, HookRefusal, Journal, JournalError, JournalHook, JournalStore, PendingOrder,
    PendingState,
};
pub use lock::{HolderInfo, Lease, LockError, LockInfo, Locks, acquire, lock_backoff};
pub use record::*;
pub use replay::{IntentState, IntentStep, IntentView, advance, replay};
pub use state_dir::StateDir;

use std::path::Path;
use std::sync::Arc;

/// One backend's journal, locks and cache.
#[derive(Clone)]
pub struct Store {
    pub journal: Journal,
    pub locks: Arc<dyn Locks>,
    pub cache: Arc<dyn Cache>,
    /// The partner's request window shared by every run using the store (PostgreSQL); `None`
    /// for a directory, which one machine uses (its commands carry the window in the cache).
    pub budget: Option<Arc<dyn crate::partner_center::SharedBudget>>,
    /// Where the store is, for messages (never contains a password).
    pub location: String,
    /// The run's clock: journal timestamps, lock waits and cache expiry ([`Store::with_clock`]).
    pub clock: Arc<dyn crate::time::Clock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish()
    }
}

impl Store {
    /// The directory store at `state_dir`. With `create`, the journal directory is created; without
    /// it nothing is created (a lost journal stays visibly lost, see [`Journal::open_existing`]).
    pub fn dir(state_dir: &Path, create: bool) -> Result<Store, JournalError> {
        let journal = if create {
            Journal::open(state_dir)?
        } else {
            StateDir::new(state_dir).check()?;
            Journal::open_existing(state_dir)
        };
        Ok(Store {
            journal,
            locks: Arc::new(dir::DirLocks::new(state_dir)),
            cache: Arc::new(dir::DirCache::new(state_dir)),
            budget: None,
            location: state_dir.display().to_string(),
            clock: crate::time::system(),
        })
    }

    /// The same store on `clock` (its journal's timestamps too).
    pub fn with_clock(mut self, clock: Arc<dyn crate::time::Clock>) -> Store {
        self.journal = self.journal.with_clock(clock.clone());
        self.clock = clock;
        self
    }
}

/// Where the state store is: a directory, or a `postgres://` URL (kept private: it may hold a
/// password; [`StateLocation::display`] never shows it).
#[derive(Clone)]
pub enum StateLocation {
    Dir(std::path::PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for StateLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl StateLocation {
    /// A `--state` value: a `postgres://` (or `postgresql://`) URL, else a directory.
    pub fn parse(s: &str) -> StateLocation {
        if postgres::url::is_postgres_url(s) {
            StateLocation::Postgres(s.trim().to_owned())
        } else {
            StateLocation::Dir(s.into())
        }
    }

    /// For messages: the directory, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            StateLocation::Dir(p) => p.display().to_string(),
            StateLocation::Postgres(u) => postgres::url::scrub(u),
        }
    }
}

/// Why a store cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Dir(#[from] JournalError),
    #[error(transparent)]
    Postgres(#[from] postgres::PgError),
}

impl Store {
    /// Opens the store at `location` (`create`: see [`Store::dir`]; a PostgreSQL store always
    /// exists once its schema is migrated).
    pub async fn open(location: &StateLocation, create: bool) -> Result<Store, OpenError> {
        match location {
            StateLocation::Dir(p) => Ok(Store::dir(p, create)?),
            StateLocation::Postgres(url) => Ok(postgres::open(url).await?),
        }
    }
}

#[cfg(test)]
mod clock_tests;
#[cfg(test)]
mod seam_tests;
#[cfg(test)]
mod tests;
