//! [`DirJournal`]: the directory journal backend. One append-only JSON-lines file per customer
//! ([`StateDir::journal_file`]).
//!
//! Durability: every append is written whole with one `write_all` and fsynced before it returns;
//! creating a file also fsyncs its directory. A crash mid-write leaves at most a torn last line,
//! which reads ignore (and report) and the next append cuts off. Any other damage is a
//! [`JournalError`], which callers must treat as "in-flight purchases not ruled out".
//!
//! Files are opened without following symlinks and must be owned by the current user. A fenced
//! append checks the customer's lock epoch file ([`super::lock`]) and carries its epoch in the
//! written line (`"epoch": N`, ignored by readers).

use super::lock::read_epoch;
use crate::store::fs::{ensure_dir, open_state_file, read_state_file, sync_dir};
use crate::store::journal::{CustomerRecords, JournalError, JournalStore, valid_customer_id};
use crate::store::record::Record;
use crate::store::state_dir::StateDir;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal under a state dir.
#[derive(Debug)]
pub struct DirJournal {
    state: StateDir,
    append_lock: Mutex<()>,
}

impl DirJournal {
    /// Opens (creating if needed) the journal directory of `state_dir`.
    pub fn open(state_dir: &Path) -> Result<DirJournal, JournalError> {
        let journal = DirJournal::open_existing(state_dir);
        journal.state.check()?;
        ensure_dir(&journal.state.journal_dir())?;
        Ok(journal)
    }

    /// The journal of `state_dir` without creating anything (see
    /// [`crate::store::Journal::open_existing`]).
    pub fn open_existing(state_dir: &Path) -> DirJournal {
        DirJournal {
            state: StateDir::new(state_dir),
            append_lock: Mutex::new(()),
        }
    }

    fn append_sync(
        &self,
        customer_id: &str,
        epoch: Option<u64>,
        record: &Record,
    ) -> Result<(), JournalError> {
        let path = self.state.journal_file(customer_id);
        self.state.check()?;
        if let Some(epoch) = epoch {
            let current = read_epoch(&self.state, customer_id)?;
            if current != epoch {
                return Err(JournalError::Fenced {
                    customer_id: customer_id.to_owned(),
                    epoch,
                    detail: format!("the lock's epoch is now {current}"),
                });
            }
        }
        let mut line = line_of(record, epoch).map_err(|source| JournalError::Corrupt {
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
        let existed = std::fs::symlink_metadata(&path).is_ok();
        let mut file = open_state_file(
            &path,
            OpenOptions::new().create(true).read(true).append(true),
        )?;
        if existed {
            repair_tail(&mut file).map_err(io)?;
        }
        file.write_all(line.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        if !existed {
            sync_dir(&self.state.journal_dir())?;
        }
        Ok(())
    }
}

/// The JSON line of a record, with the writer's epoch when it has one.
fn line_of(record: &Record, epoch: Option<u64>) -> Result<String, serde_json::Error> {
    let mut value = serde_json::to_value(record)?;
    if let (Some(epoch), Some(map)) = (epoch, value.as_object_mut()) {
        map.insert("epoch".into(), epoch.into());
    }
    serde_json::to_string(&value)
}

#[async_trait::async_trait]
impl JournalStore for DirJournal {
    async fn append(
        &self,
        customer_id: &str,
        epoch: Option<u64>,
        record: &Record,
    ) -> Result<(), JournalError> {
        self.append_sync(customer_id, epoch, record)
    }

    async fn read(&self, customer_id: &str) -> Result<CustomerRecords, JournalError> {
        let path = self.state.journal_file(customer_id);
        self.state.check()?;
        match read_state_file(&path)? {
            Some(bytes) => parse_records(&path, &bytes),
            None => Ok(CustomerRecords::default()),
        }
    }

    async fn customers(&self) -> Result<Vec<String>, JournalError> {
        let dir = self.state.journal_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(JournalError::Io { path: dir, source }),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".jsonl")
                && valid_customer_id(id)
            {
                out.push(id.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    fn exists(&self) -> bool {
        self.state.journal_dir().is_dir()
    }

    fn location(&self, customer_id: &str) -> PathBuf {
        self.state.journal_file(customer_id)
    }
}

/// Parses a journal file's bytes: a torn last line is reported, any other bad line is an error.
pub(crate) fn parse_records(path: &Path, bytes: &[u8]) -> Result<CustomerRecords, JournalError> {
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
