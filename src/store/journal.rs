//! The journal seam: [`JournalStore`] is what a backend implements (append fenced by a lock
//! epoch, read per customer, list customers); [`Journal`] is the handle the rest of the crate
//! uses — it adds the clock, the test hook, the fence of the lease being held, replay and the
//! pending/settle logic on top of any backend.

use super::fs::FsError;
use super::record::{Record, SettleReason};
use super::replay::{IntentState, IntentView, replay};
use crate::manifest::PurchaseKey;
use crate::time::{Clock, SystemClock};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Observes appends; used by tests to simulate a process killed right after a journal step.
/// `before_append` returning `Err` makes the append fail without writing anything.
pub trait JournalHook: Send + Sync {
    fn before_append(&self, _customer_id: &str, _record: &Record) -> Result<(), HookRefusal> {
        Ok(())
    }
    fn after_append(&self, _customer_id: &str, _record: &Record) {}
}

/// Why a [`JournalHook`] refused an append (the hook's own words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HookRefusal(pub String);

impl From<&str> for HookRefusal {
    fn from(reason: &str) -> Self {
        HookRefusal(reason.to_owned())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot use journal file {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("journal file {path} is corrupt at line {line}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("journal file {path} is inconsistent")]
    Inconsistent {
        path: PathBuf,
        #[source]
        source: super::replay::ReplayError,
    },
    #[error("customer id {0:?} cannot name a journal file")]
    InvalidCustomerId(String),
    #[error("journal append for customer {customer_id} refused")]
    Refused {
        customer_id: String,
        #[source]
        source: HookRefusal,
    },
    /// The writer no longer holds the customer's lease with its epoch: another run took the lock
    /// over (or it was force-unlocked). Nothing more may be bought for this customer by this run.
    #[error(
        "journal append for customer {customer_id} fenced out: this run no longer holds the \
         customer's lock (epoch {epoch}); {detail}. Nothing more is bought for this customer"
    )]
    Fenced {
        customer_id: String,
        epoch: u64,
        detail: String,
    },
    /// The store could not be reached; what was written before is safe, nothing more is written.
    #[error(
        "the state store is unavailable ({what}); nothing more is written for customer {customer_id}"
    )]
    Unavailable {
        customer_id: String,
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Fs(FsError),
}

impl From<FsError> for JournalError {
    fn from(e: FsError) -> Self {
        match e {
            FsError::Io { path, source } => JournalError::Io { path, source },
            other => JournalError::Fs(other),
        }
    }
}

/// A customer's records as read, plus the torn tail that was ignored, if any.
#[derive(Debug, Clone, Default)]
pub struct CustomerRecords {
    pub records: Vec<Record>,
    /// The bytes of a torn last line (a crash mid-append), ignored.
    pub torn_tail: Option<String>,
}

/// A journal backend. Appends are durable when they return; `epoch` is the lock epoch the writer
/// holds (`None` only for stores that allow unlocked appends, i.e. the directory store in tests
/// and tools): a store refuses an append whose epoch is not the customer's current lease with
/// [`JournalError::Fenced`].
#[async_trait::async_trait]
pub trait JournalStore: Send + Sync {
    async fn append(
        &self,
        customer_id: &str,
        epoch: Option<u64>,
        record: &Record,
    ) -> Result<(), JournalError>;
    /// A customer's records in append order (empty when it has none).
    async fn read(&self, customer_id: &str) -> Result<CustomerRecords, JournalError>;
    /// Customers that have records, sorted.
    async fn customers(&self) -> Result<Vec<String>, JournalError>;
    /// Whether the journal exists at all (a directory store whose journal directory was lost
    /// does not; see [`crate::observe::PendingSource::is_missing`]).
    fn exists(&self) -> bool;
    /// Where a customer's records live, for messages.
    fn location(&self, customer_id: &str) -> PathBuf;
}

/// Whether a pending purchase is a placed order or a write whose outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingState {
    /// An order was placed (its id is known) and is not yet settled.
    Ordered,
    /// An unfinished intent: a cart creation or checkout may have been committed.
    OutcomeUnknown,
}

/// One line `plan` must count as pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOrder {
    pub intent_id: String,
    /// Set for [`PendingState::Ordered`].
    pub order_id: Option<String>,
    /// `None` only when an order line matched no intent line (then the whole customer's
    /// in-flight state should be treated as not ruled out).
    pub key: Option<PurchaseKey>,
    pub item_name: Option<String>,
    pub catalog_item_id: String,
    pub quantity: u32,
    pub state: PendingState,
    pub started_at: DateTime<Utc>,
    /// When the order was journalled as placed (set for [`PendingState::Ordered`]).
    pub ordered_at: Option<DateTime<Utc>>,
}

/// The purchase journal as the crate uses it, over any [`JournalStore`].
#[derive(Clone)]
pub struct Journal {
    store: Arc<dyn JournalStore>,
    clock: Arc<dyn Clock>,
    hook: Option<Arc<dyn JournalHook>>,
    /// `(customer, epoch)` of the lease this handle writes under.
    fence: Option<(String, u64)>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("location", &self.store.location("*"))
            .field("fence", &self.fence)
            .finish()
    }
}

impl Journal {
    /// A journal over `store`.
    pub fn new(store: Arc<dyn JournalStore>) -> Journal {
        Journal {
            store,
            clock: Arc::new(SystemClock::default()),
            hook: None,
            fence: None,
        }
    }

    /// The directory journal of `state_dir`, creating `<state_dir>/journal` if needed.
    pub fn open(state_dir: &Path) -> Result<Journal, JournalError> {
        let store = super::dir::DirJournal::open(state_dir)?;
        Ok(Journal::new(Arc::new(store)))
    }

    /// The directory journal of `state_dir` **without creating** `<state_dir>/journal`: while
    /// the directory does not exist, reads see an empty journal ([`Journal::exists`] says so) and
    /// appends fail, so nothing can be bought through it. Used when a lost journal must stay
    /// visibly lost (apply without `--fresh-state`).
    pub fn open_existing(state_dir: &Path) -> Journal {
        Journal::new(Arc::new(super::dir::DirJournal::open_existing(state_dir)))
    }

    /// Whether the journal exists.
    pub fn exists(&self) -> bool {
        self.store.exists()
    }

    /// Uses `clock` for the timestamps of records this journal writes itself (settlements).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Journal {
        self.clock = clock;
        self
    }

    /// Installs a hook around appends (fault injection in tests).
    pub fn with_hook(mut self, hook: Arc<dyn JournalHook>) -> Journal {
        self.hook = Some(hook);
        self
    }

    /// This journal writing under the lease `epoch` of `customer_id`: its appends for that
    /// customer are fenced by the epoch.
    pub fn fenced(&self, customer_id: &str, epoch: u64) -> Journal {
        let mut j = self.clone();
        j.fence = Some((customer_id.to_owned(), epoch));
        j
    }

    /// The journal's clock (wall time).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.wall()
    }

    /// Where a customer's records live (for messages).
    pub fn path(&self, customer_id: &str) -> Result<PathBuf, JournalError> {
        check_customer_id(customer_id)?;
        Ok(self.store.location(customer_id))
    }

    /// Customers that have records, sorted.
    pub async fn customers(&self) -> Result<Vec<String>, JournalError> {
        self.store.customers().await
    }

    /// Appends one record, durably, fenced by this handle's lease when it has one for the
    /// customer.
    pub async fn append(&self, customer_id: &str, record: &Record) -> Result<(), JournalError> {
        check_customer_id(customer_id)?;
        if let Some(hook) = &self.hook {
            hook.before_append(customer_id, record)
                .map_err(|source| JournalError::Refused {
                    customer_id: customer_id.to_owned(),
                    source,
                })?;
        }
        let epoch = self
            .fence
            .as_ref()
            .filter(|(c, _)| c == customer_id)
            .map(|(_, e)| *e);
        // A server that echoes a secret (in an error body, a cart answer) never gets it on disk.
        let scrubbed = crate::partner_center::secret::scrubbed(record);
        let record = scrubbed.as_ref().unwrap_or(record);
        self.store.append(customer_id, epoch, record).await?;
        if let Some(hook) = &self.hook {
            hook.after_append(customer_id, record);
        }
        Ok(())
    }

    /// Reads a customer's records (a torn last line is reported in
    /// [`CustomerRecords::torn_tail`]).
    pub async fn read(&self, customer_id: &str) -> Result<CustomerRecords, JournalError> {
        check_customer_id(customer_id)?;
        self.store.read(customer_id).await
    }

    /// Replays a customer's journal into intents.
    pub async fn intents(&self, customer_id: &str) -> Result<Vec<IntentView>, JournalError> {
        let records = self.read(customer_id).await?;
        replay(&records.records).map_err(|source| JournalError::Inconsistent {
            path: self.store.location(customer_id),
            source,
        })
    }

    /// What `plan` must count as pending for a customer: every line of an order that is placed
    /// but not settled, and every line of an intent whose outcome is unknown.
    pub async fn pending(&self, customer_id: &str) -> Result<Vec<PendingOrder>, JournalError> {
        Ok(pending_of(&self.intents(customer_id).await?))
    }

    /// Records that an order no longer counts as pending. Settling twice is a no-op.
    pub async fn settle(
        &self,
        customer_id: &str,
        order_id: &str,
        reason: SettleReason,
    ) -> Result<(), JournalError> {
        let already = self
            .read(customer_id)
            .await?
            .records
            .iter()
            .any(|r| matches!(r, Record::OrderSettled { order_id: o, .. } if o == order_id));
        if already {
            return Ok(());
        }
        let record = Record::OrderSettled {
            at: self.now(),
            order_id: order_id.to_owned(),
            reason,
        };
        self.append(customer_id, &record).await
    }
}

/// The pending lines of replayed intents.
fn pending_of(intents: &[IntentView]) -> Vec<PendingOrder> {
    let mut out = Vec::new();
    for view in intents {
        match &view.state {
            IntentState::Unfinished(_) => {
                // Conservative: every line, even those the cart flagged, until resolved.
                for line in &view.lines {
                    out.push(PendingOrder {
                        intent_id: view.intent_id.clone(),
                        order_id: None,
                        key: Some(line.key.clone()),
                        item_name: Some(line.item_name.clone()),
                        catalog_item_id: line.catalog_item_id.clone(),
                        quantity: line.units(),
                        state: PendingState::OutcomeUnknown,
                        started_at: view.started_at,
                        ordered_at: None,
                    });
                }
            }
            IntentState::Ordered { orders } => {
                for order in orders {
                    for ol in &order.lines {
                        let line = ol.line.and_then(|i| view.lines.get(i));
                        out.push(PendingOrder {
                            intent_id: view.intent_id.clone(),
                            order_id: Some(order.order_id.clone()),
                            key: line.map(|l| l.key.clone()),
                            item_name: line.map(|l| l.item_name.clone()),
                            catalog_item_id: ol.catalog_item_id.clone(),
                            // A savings plan's order line is one plan: it counts its commitment.
                            quantity: match line {
                                Some(l) if l.commitment.is_some() => l.units(),
                                _ => ol.quantity,
                            },
                            state: PendingState::Ordered,
                            started_at: view.started_at,
                            ordered_at: view.ordered_at,
                        });
                    }
                }
            }
            IntentState::Done
            | IntentState::Failed { .. }
            | IntentState::Abandoned { .. }
            | IntentState::Rejected { .. } => {}
        }
    }
    out
}

/// A customer id usable as a key in every store (and as a file name in the directory store).
pub(crate) fn check_customer_id(customer_id: &str) -> Result<(), JournalError> {
    if valid_customer_id(customer_id) {
        Ok(())
    } else {
        Err(JournalError::InvalidCustomerId(customer_id.to_owned()))
    }
}

pub(crate) fn valid_customer_id(customer_id: &str) -> bool {
    !customer_id.is_empty()
        && customer_id.len() <= 200
        && !customer_id.starts_with('.')
        && customer_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
