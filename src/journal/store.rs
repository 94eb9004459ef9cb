//! [`Journal`]: the on-disk store. One append-only JSON-lines file per customer under
//! `<state_dir>/journal/<customer-id>.jsonl`.
//!
//! Durability: every append is written whole with one `write_all` and fsynced before it returns;
//! creating a file also fsyncs its directory. A crash mid-write leaves at most a torn last line,
//! which reads ignore (and report) and the next append cuts off. Any other damage is a
//! [`JournalError`], which callers must treat as "in-flight purchases not ruled out".

use super::record::{Record, SettleReason};
use super::replay::{IntentState, IntentView, replay};
use crate::manifest::PurchaseKey;
use chrono::{DateTime, Utc};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where timestamps come from (injectable for tests).
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Observes appends; used by tests to simulate a process killed right after a journal step.
/// `before_append` returning `Err` makes the append fail without writing anything.
pub trait JournalHook: Send + Sync {
    fn before_append(&self, _customer_id: &str, _record: &Record) -> Result<(), String> {
        Ok(())
    }
    fn after_append(&self, _customer_id: &str, _record: &Record) {}
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
    #[error("journal file {path} is inconsistent: {message}")]
    Inconsistent { path: PathBuf, message: String },
    #[error("customer id {0:?} cannot name a journal file")]
    InvalidCustomerId(String),
    #[error("journal append for customer {customer_id} refused: {message}")]
    Refused {
        customer_id: String,
        message: String,
    },
}

/// A customer's records as read, plus the torn tail that was ignored, if any.
#[derive(Debug, Clone, Default)]
pub struct CustomerRecords {
    pub records: Vec<Record>,
    /// The bytes of a torn last line (a crash mid-append), ignored.
    pub torn_tail: Option<String>,
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

/// The purchase journal under a state dir.
#[derive(Clone)]
pub struct Journal {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    hook: Option<Arc<dyn JournalHook>>,
    append_lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("dir", &self.dir).finish()
    }
}

impl Journal {
    /// Opens (creating if needed) `<state_dir>/journal`.
    pub fn open(state_dir: &Path) -> Result<Journal, JournalError> {
        let dir = state_dir.join("journal");
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).map_err(|source| JournalError::Io {
                path: dir.clone(),
                source,
            })?;
            sync_dir(state_dir)?;
        }
        Ok(Journal {
            dir,
            clock: Arc::new(SystemClock),
            hook: None,
            append_lock: Arc::new(Mutex::new(())),
        })
    }

    /// The journal of `state_dir` **without creating** `<state_dir>/journal`: while the
    /// directory does not exist, reads see an empty journal ([`Journal::exists`] says so) and
    /// appends fail, so nothing can be bought through it. Used when a lost journal must stay
    /// visibly lost (apply without `--fresh-state`).
    pub fn open_existing(state_dir: &Path) -> Journal {
        Journal {
            dir: state_dir.join("journal"),
            clock: Arc::new(SystemClock),
            hook: None,
            append_lock: Arc::new(Mutex::new(())),
        }
    }

    /// Whether `<state_dir>/journal` exists.
    pub fn exists(&self) -> bool {
        self.dir.is_dir()
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

    /// The journal's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The journal file of a customer.
    pub fn path(&self, customer_id: &str) -> Result<PathBuf, JournalError> {
        check_customer_id(customer_id)?;
        Ok(self.dir.join(format!("{customer_id}.jsonl")))
    }

    /// Customers that have a journal file, sorted.
    pub fn customers(&self) -> Result<Vec<String>, JournalError> {
        let entries = std::fs::read_dir(&self.dir).map_err(|source| JournalError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".jsonl") {
                out.push(id.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Appends one record: written whole and fsynced (and the directory fsynced when the file
    /// is new) before this returns.
    pub fn append(&self, customer_id: &str, record: &Record) -> Result<(), JournalError> {
        let path = self.path(customer_id)?;
        if let Some(hook) = &self.hook {
            hook.before_append(customer_id, record)
                .map_err(|message| JournalError::Refused {
                    customer_id: customer_id.to_owned(),
                    message,
                })?;
        }
        let mut line = serde_json::to_string(record).map_err(|source| JournalError::Corrupt {
            path: path.clone(),
            line: 0,
            source,
        })?;
        line.push('\n');
        let _guard = self
            .append_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let io = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        if existed {
            repair_tail(&mut file).map_err(io)?;
        }
        file.write_all(line.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        if !existed {
            sync_dir(&self.dir)?;
        }
        drop(_guard);
        if let Some(hook) = &self.hook {
            hook.after_append(customer_id, record);
        }
        Ok(())
    }

    /// Reads a customer's records. A missing file is an empty journal; a torn last line is
    /// ignored and reported in [`CustomerRecords::torn_tail`]; anything else unparseable is
    /// [`JournalError::Corrupt`].
    pub fn read(&self, customer_id: &str) -> Result<CustomerRecords, JournalError> {
        let path = self.path(customer_id)?;
        let text = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(CustomerRecords::default());
            }
            Err(source) => return Err(JournalError::Io { path, source }),
        };
        parse_records(&path, &text)
    }

    /// Replays a customer's journal into intents.
    pub fn intents(&self, customer_id: &str) -> Result<Vec<IntentView>, JournalError> {
        let records = self.read(customer_id)?;
        replay(&records.records).map_err(|message| JournalError::Inconsistent {
            path: self.dir.join(format!("{customer_id}.jsonl")),
            message,
        })
    }

    /// What `plan` must count as pending for a customer: every line of an order that is placed
    /// but not settled, and every line of an intent whose outcome is unknown.
    pub fn pending(&self, customer_id: &str) -> Result<Vec<PendingOrder>, JournalError> {
        let mut out = Vec::new();
        for view in self.intents(customer_id)? {
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
                            quantity: line.quantity,
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
                                quantity: ol.quantity,
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
        Ok(out)
    }

    /// Records that an order no longer counts as pending. Settling twice is a no-op.
    pub fn settle(
        &self,
        customer_id: &str,
        order_id: &str,
        reason: SettleReason,
    ) -> Result<(), JournalError> {
        let already = self
            .read(customer_id)?
            .records
            .iter()
            .any(|r| matches!(r, Record::OrderSettled { order_id: o, .. } if o == order_id));
        if already {
            return Ok(());
        }
        self.append(
            customer_id,
            &Record::OrderSettled {
                at: self.now(),
                order_id: order_id.to_owned(),
                reason,
            },
        )
    }
}

fn parse_records(path: &Path, bytes: &[u8]) -> Result<CustomerRecords, JournalError> {
    let mut out = CustomerRecords::default();
    let ends_clean = bytes.last().is_none_or(|b| *b == b'\n');
    let mut chunks: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    // `split` yields a trailing empty chunk after the final newline.
    if ends_clean {
        chunks.pop();
    }
    let count = chunks.len();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let is_torn_candidate = i + 1 == count && !ends_clean;
        match serde_json::from_slice::<Record>(chunk) {
            Ok(r) => out.records.push(r),
            Err(_) if is_torn_candidate => {
                out.torn_tail = Some(String::from_utf8_lossy(chunk).into_owned());
            }
            Err(source) => {
                return Err(JournalError::Corrupt {
                    path: path.to_owned(),
                    line: i + 1,
                    source,
                });
            }
        }
    }
    Ok(out)
}

/// Before appending to a file whose last line is torn: cut the torn bytes off (the append they
/// belonged to never returned), or, when they parse as a whole record, end them with a newline
/// (exactly what a read accepts).
fn repair_tail(file: &mut File) -> std::io::Result<()> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(());
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    if last[0] == b'\n' {
        return Ok(());
    }
    file.seek(SeekFrom::Start(0))?;
    let mut all = Vec::new();
    file.read_to_end(&mut all)?;
    let start = all.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    if serde_json::from_slice::<Record>(&all[start..]).is_ok() {
        file.write_all(b"\n")?;
    } else {
        file.set_len(start as u64)?;
    }
    file.sync_all()
}

fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| JournalError::Io {
            path: dir.to_owned(),
            source,
        })
}

pub(crate) fn check_customer_id(customer_id: &str) -> Result<(), JournalError> {
    let ok = !customer_id.is_empty()
        && !customer_id.starts_with('.')
        && customer_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(JournalError::InvalidCustomerId(customer_id.to_owned()))
    }
}
