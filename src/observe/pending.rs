//! Purchases the local journal knows about that Partner Center may not show yet, mapped into
//! [`PendingPurchase`]s. The journal is reached through [`PendingSource`] so `observe` does not
//! depend on how apply stores it; [`from_journal`] is the one place that connects the two.

use crate::manifest::PurchaseKey;
use std::path::Path;

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
pub trait PendingSource: Send + Sync {
    /// The customer's unsettled purchase lines. `Err` (one line) when the journal cannot be
    /// read: holdings may then miss recent orders.
    fn pending(&self, customer_id: &str) -> Result<Vec<JournalEntry>, String>;
}

/// No journal (nothing was ever bought by this state dir, or a test).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoJournal;

impl PendingSource for NoJournal {
    fn pending(&self, _customer_id: &str) -> Result<Vec<JournalEntry>, String> {
        Ok(Vec::new())
    }
}

/// The purchase journal of a state dir as a [`PendingSource`].
///
/// Wiring point for `crate::journal` (branch applycore): until its API is in `main`, this
/// returns [`NoJournal`] when the journal directory does not exist and an always-failing
/// source otherwise, so an existing journal is never silently ignored (`plan` then reports
/// that in-flight orders cannot be ruled out).
pub fn from_journal(state_dir: &Path) -> Box<dyn PendingSource> {
    let dir = state_dir.join("journal");
    if !dir.exists() {
        return Box::new(NoJournal);
    }
    Box::new(Unreadable(format!(
        "this reservoir cannot read the purchase journal in {}",
        dir.display()
    )))
}

struct Unreadable(String);

impl PendingSource for Unreadable {
    fn pending(&self, _customer_id: &str) -> Result<Vec<JournalEntry>, String> {
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
