//! Purchases the local journal knows about that Partner Center may not show yet, mapped into
//! [`PendingPurchase`]s. The journal is reached through [`PendingSource`] so `observe` does not
//! depend on how apply stores it; [`from_journal`] connects it to [`crate::store::Journal`].

use crate::manifest::PurchaseKey;
use crate::store::{Journal, JournalError};
use std::path::Path;
use std::sync::Arc;

/// Why the journal's unsettled lines cannot be read: holdings may then miss recent orders. The
/// journal's (or the state store's) error is kept whole, shared by every customer asking.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PendingError {
    /// The journal could not be opened or read.
    #[error(transparent)]
    Journal(Arc<JournalError>),
    /// The state store holding the journal could not be opened.
    #[error(transparent)]
    Store(Arc<dyn std::error::Error + Send + Sync>),
}

/// One journalled purchase line not yet settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The order checkout returned; `None` while the outcome of the write is unknown.
    pub order_id: Option<String>,
    /// The declared item it was bought for; `None` when the journal cannot say (then in-flight
    /// orders of the customer cannot be ruled out).
    pub key: Option<PurchaseKey>,
    /// `product:sku:availability`.
    pub catalog_item_id: String,
    pub quantity: u32,
}

/// Where pending purchases come from.
#[async_trait::async_trait]
pub trait PendingSource: Send + Sync {
    /// The customer's unsettled purchase lines. `Err` when the journal cannot be read: holdings
    /// may then miss recent orders.
    async fn pending(&self, customer_id: &str) -> Result<Vec<JournalEntry>, PendingError>;

    /// True when there is no journal at all (the state dir never had one, or lost it). It reads
    /// as empty: the partner activity log witnesses what another run bought (the plan says the
    /// journal was missing).
    fn is_missing(&self) -> bool {
        false
    }
}

/// An empty journal that exists (tests, and library callers that keep no journal). It is not
/// [`PendingSource::is_missing`]: use [`from_journal`] for a state dir.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoJournal;

#[async_trait::async_trait]
impl PendingSource for NoJournal {
    async fn pending(&self, _customer_id: &str) -> Result<Vec<JournalEntry>, PendingError> {
        Ok(Vec::new())
    }
}

/// The purchase journal of a state dir as a [`PendingSource`], read-only (it never creates
/// anything): an empty source that [`PendingSource::is_missing`] when `<state_dir>/journal`
/// does not exist; otherwise the journal, or — when it cannot even be opened — a source that
/// always fails, so an existing journal is never silently ignored (`plan` then says in-flight
/// orders cannot be ruled out).
pub fn from_journal(state_dir: &Path) -> Box<dyn PendingSource> {
    if !crate::store::StateDir::new(state_dir)
        .journal_dir()
        .exists()
    {
        return Box::new(Missing);
    }
    match Journal::open(state_dir) {
        Ok(j) => Box::new(j),
        Err(e) => Box::new(Unreadable(PendingError::Journal(Arc::new(e)))),
    }
}

/// A store's journal as a [`PendingSource`], or — when the store could not be opened — a source
/// that always fails with that error (so `plan` says in-flight orders cannot be ruled out).
pub fn from_store(store: anyhow::Result<crate::store::Store>) -> Box<dyn PendingSource> {
    match store {
        Ok(s) => Box::new(s.journal),
        Err(e) => {
            let e: Box<dyn std::error::Error + Send + Sync> = e.into();
            Box::new(Unreadable(PendingError::Store(Arc::from(e))))
        }
    }
}

#[async_trait::async_trait]
impl PendingSource for Journal {
    async fn pending(&self, customer_id: &str) -> Result<Vec<JournalEntry>, PendingError> {
        let lines = Journal::pending(self, customer_id)
            .await
            .map_err(|e| PendingError::Journal(Arc::new(e)))?;
        Ok(lines
            .into_iter()
            .map(|p| JournalEntry {
                order_id: p.order_id,
                key: p.key,
                catalog_item_id: p.catalog_item_id,
                quantity: p.quantity,
            })
            .collect())
    }
    fn is_missing(&self) -> bool {
        !self.exists()
    }
}

/// A state dir without a journal directory.
struct Missing;

#[async_trait::async_trait]
impl PendingSource for Missing {
    async fn pending(&self, _customer_id: &str) -> Result<Vec<JournalEntry>, PendingError> {
        Ok(Vec::new())
    }
    fn is_missing(&self) -> bool {
        true
    }
}

struct Unreadable(PendingError);

#[async_trait::async_trait]
impl PendingSource for Unreadable {
    async fn pending(&self, _customer_id: &str) -> Result<Vec<JournalEntry>, PendingError> {
        Err(self.0.clone())
    }
}

/// Product and SKU of a catalog item id (`product:sku:availability`).
pub fn split_catalog_item(id: &str) -> (String, String) {
    let mut parts = id.split(':');
    let p = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    let s = parts.next().unwrap_or_default().trim().to_owned();
    (p, s)
}
