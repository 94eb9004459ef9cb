//! [`JournalStore`] over PostgreSQL: one row per record. An append is a single
//! `INSERT … SELECT … WHERE EXISTS (the customer's lock row with this epoch, unexpired by the
//! server clock)`; zero rows inserted means the writer was fenced out.

use super::PgStore;
use crate::store::journal::{CustomerRecords, JournalError, JournalStore};
use crate::store::record::Record;
use std::path::PathBuf;

pub(crate) fn unavailable(customer_id: &str, what: &str, e: tokio_postgres::Error) -> JournalError {
    JournalError::Unavailable {
        customer_id: customer_id.to_owned(),
        what: what.to_owned(),
        source: Box::new(e),
    }
}

#[async_trait::async_trait]
impl JournalStore for PgStore {
    async fn append(
        &self,
        customer_id: &str,
        epoch: Option<u64>,
        record: &Record,
    ) -> Result<(), JournalError> {
        let Some(epoch) = epoch else {
            return Err(JournalError::Fenced {
                customer_id: customer_id.to_owned(),
                epoch: 0,
                detail: "the PostgreSQL store only accepts appends under the customer's lock"
                    .into(),
            });
        };
        let value = serde_json::to_value(record).map_err(|source| JournalError::Corrupt {
            path: JournalStore::location(self, customer_id),
            line: 0,
            source,
        })?;
        let epoch_i = epoch as i64;
        let inserted = self
            .client
            .execute(
                "INSERT INTO reservoir_journal (customer_id, epoch, record)
                 SELECT $1, $2, $3
                 WHERE EXISTS (SELECT 1 FROM reservoir_locks
                               WHERE customer_id = $1 AND epoch = $2 AND expires_at > now())",
                &[&customer_id, &epoch_i, &value],
            )
            .await
            .map_err(|e| {
                unavailable(
                    customer_id,
                    "appending to the journal; the append may or may not be stored",
                    e,
                )
            })?;
        if inserted == 0 {
            return Err(JournalError::Fenced {
                customer_id: customer_id.to_owned(),
                epoch,
                detail: "its lease expired or was taken over".into(),
            });
        }
        Ok(())
    }

    async fn read(&self, customer_id: &str) -> Result<CustomerRecords, JournalError> {
        let rows = self
            .client
            .query(
                "SELECT record FROM reservoir_journal WHERE customer_id = $1 ORDER BY id",
                &[&customer_id],
            )
            .await
            .map_err(|e| unavailable(customer_id, "reading the journal", e))?;
        let mut out = CustomerRecords::default();
        for (i, row) in rows.iter().enumerate() {
            let value: serde_json::Value = row.get(0);
            let record = serde_json::from_value(value).map_err(|source| JournalError::Corrupt {
                path: JournalStore::location(self, customer_id),
                line: i + 1,
                source,
            })?;
            out.records.push(record);
        }
        Ok(out)
    }

    async fn customers(&self) -> Result<Vec<String>, JournalError> {
        let rows = self
            .client
            .query(
                "SELECT DISTINCT customer_id FROM reservoir_journal ORDER BY customer_id",
                &[],
            )
            .await
            .map_err(|e| unavailable("*", "listing journal customers", e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn exists(&self) -> bool {
        true
    }

    fn location(&self, customer_id: &str) -> PathBuf {
        PathBuf::from(format!("{}#journal/{customer_id}", self.location))
    }
}

impl PgStore {
    /// Appends a record without a lease (copying a directory store, recording a force-unlock).
    pub async fn append_unfenced(
        &self,
        customer_id: &str,
        record: &Record,
    ) -> Result<(), JournalError> {
        let value = serde_json::to_value(record).map_err(|source| JournalError::Corrupt {
            path: JournalStore::location(self, customer_id),
            line: 0,
            source,
        })?;
        self.client
            .execute(
                "INSERT INTO reservoir_journal (customer_id, epoch, record) VALUES ($1, NULL, $2)",
                &[&customer_id, &value],
            )
            .await
            .map_err(|e| unavailable(customer_id, "appending to the journal", e))?;
        Ok(())
    }
}
