//! [`StateDir`]: the one owner of every path under a directory state store.
//!
//! ```text
//! <state>/journal/<customer>.jsonl        purchase journal (append-only JSON lines)
//! <state>/locks/<customer>.lock           OS advisory lock file
//! <state>/locks/<customer>.holder.json    who holds the lock (sidecar)
//! <state>/locks/<customer>.epoch          lock epoch counter (only grows)
//! <state>/cache/<namespace>/<key>.json    caches (e.g. completed orders)
//! <state>/sandbox/world.json              the embedded sandbox's world
//! ```

use super::fs::{FsError, check_dir};
use std::path::{Path, PathBuf};

/// A state directory and the paths inside it. Constructing one touches nothing on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(root: impl Into<PathBuf>) -> StateDir {
        StateDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Refuses a state dir that is a symlink or is owned by another user (when it exists).
    pub fn check(&self) -> Result<(), FsError> {
        if std::fs::symlink_metadata(&self.root).is_err() {
            return Ok(());
        }
        check_dir(&self.root)
    }

    pub fn journal_dir(&self) -> PathBuf {
        self.root.join("journal")
    }

    /// The journal file of a customer (the id must already be checked as a file name).
    pub fn journal_file(&self, customer_id: &str) -> PathBuf {
        self.journal_dir().join(format!("{customer_id}.jsonl"))
    }

    pub fn locks_dir(&self) -> PathBuf {
        self.root.join("locks")
    }

    pub fn lock_file(&self, customer_id: &str) -> PathBuf {
        self.locks_dir().join(format!("{customer_id}.lock"))
    }

    pub fn holder_file(&self, customer_id: &str) -> PathBuf {
        self.locks_dir().join(format!("{customer_id}.holder.json"))
    }

    pub fn epoch_file(&self, customer_id: &str) -> PathBuf {
        self.locks_dir().join(format!("{customer_id}.epoch"))
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    pub fn sandbox_world(&self) -> PathBuf {
        self.root.join("sandbox").join("world.json")
    }
}
