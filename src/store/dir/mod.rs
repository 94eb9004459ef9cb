//! The directory store: journal files, OS advisory locks with an epoch counter, and cache files
//! under one [`crate::store::StateDir`]. For one machine; several runners on different machines
//! need the PostgreSQL store.

pub mod cache;
pub mod journal;
pub mod lock;

pub use cache::DirCache;
pub use journal::DirJournal;
pub use lock::{CustomerLock, DirLocks};
