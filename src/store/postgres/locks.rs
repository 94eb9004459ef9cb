//! [`Locks`] over PostgreSQL: leases, not session locks. A `reservoir_locks` row per customer
//! holds the holder, `acquired_at`, `expires_at` and an epoch from a global sequence (so it only
//! grows). Acquire inserts, or takes over an expired row, in one statement on the server clock;
//! a background task renews the lease every third of its length while the run lives; release
//! deletes the row only if the epoch still matches.

use super::PgStore;
use crate::store::lock::{HolderInfo, Lease, LeaseGuard, LockError, LockInfo, Locks};
use crate::store::record::Record;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn unavailable(what: &str, e: tokio_postgres::Error) -> LockError {
    LockError::Unavailable {
        what: what.to_owned(),
        source: Box::new(e),
    }
}

/// Keeps renewing a lease; stops when dropped.
#[derive(Debug)]
struct Renewal {
    task: tokio::task::JoinHandle<()>,
    lost: Arc<AtomicBool>,
}

impl LeaseGuard for Renewal {
    fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn info_of(row: &tokio_postgres::Row) -> LockInfo {
    let holder: serde_json::Value = row.get("holder");
    let epoch: i64 = row.get("epoch");
    LockInfo {
        customer_id: row.get("customer_id"),
        holder: serde_json::from_value(holder).ok(),
        epoch: epoch as u64,
        acquired_at: Some(row.get("acquired_at")),
        expires_at: Some(row.get("expires_at")),
    }
}

impl PgStore {
    async fn renew_once(&self, customer_id: &str, epoch: u64) -> Result<(), LockError> {
        let secs = self.lease.as_secs_f64();
        let n = self
            .client
            .execute(
                "UPDATE reservoir_locks SET expires_at = now() + make_interval(secs => $3)
                 WHERE customer_id = $1 AND epoch = $2 AND expires_at > now()",
                &[&customer_id, &(epoch as i64), &secs],
            )
            .await
            .map_err(|e| unavailable("renewing a lease", e))?;
        if n == 0 {
            return Err(LockError::Lost {
                customer: customer_id.to_owned(),
                epoch,
                detail: "the lease expired or was taken over".into(),
            });
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Locks for PgStore {
    async fn try_acquire(
        &self,
        customer_id: &str,
        holder: &HolderInfo,
    ) -> Result<Option<Lease>, LockError> {
        if !crate::store::journal::valid_customer_id(customer_id) {
            return Err(LockError::InvalidCustomerId(customer_id.to_owned()));
        }
        let holder_json = serde_json::to_value(holder).map_err(|e| LockError::Unavailable {
            what: "describing the holder".into(),
            source: Box::new(e),
        })?;
        let secs = self.lease.as_secs_f64();
        let row = self
            .client
            .query_opt(
                "INSERT INTO reservoir_locks AS l (customer_id, holder, epoch, acquired_at, expires_at)
                 VALUES ($1, $2, nextval('reservoir_lock_epoch'), now(), now() + make_interval(secs => $3))
                 ON CONFLICT (customer_id) DO UPDATE
                   SET holder = EXCLUDED.holder, epoch = EXCLUDED.epoch,
                       acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
                   WHERE l.expires_at <= now()
                 RETURNING l.epoch",
                &[&customer_id, &holder_json, &secs],
            )
            .await
            .map_err(|e| unavailable("taking a lock", e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let epoch: i64 = row.get(0);
        let epoch = epoch as u64;
        let lost = Arc::new(AtomicBool::new(false));
        let store = self.clone();
        let customer = customer_id.to_owned();
        let flag = lost.clone();
        let every = self.lease / 3;
        // Deliberately real time, not the run's clock: the lease runs out on the server's clock
        // (`now()` in SQL), which a simulated clock cannot move, so renewals must keep pace
        // with real time.
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = store.renew_once(&customer, epoch).await {
                    tracing::warn!("lease of customer {customer} not renewed: {e}");
                    if matches!(e, LockError::Lost { .. }) {
                        flag.store(true, Ordering::SeqCst);
                        return;
                    }
                }
            }
        });
        Ok(Some(Lease::new(
            customer_id,
            epoch,
            holder.clone(),
            Box::new(Renewal { task, lost }),
        )))
    }

    async fn renew(&self, lease: &Lease) -> Result<(), LockError> {
        self.renew_once(&lease.customer_id, lease.epoch).await
    }

    async fn release(&self, lease: Lease) -> Result<(), LockError> {
        let customer = lease.customer_id.clone();
        let epoch = lease.epoch as i64;
        drop(lease);
        self.client
            .execute(
                "DELETE FROM reservoir_locks WHERE customer_id = $1 AND epoch = $2",
                &[&customer, &epoch],
            )
            .await
            .map_err(|e| unavailable("releasing a lock", e))?;
        Ok(())
    }

    async fn holder(&self, customer_id: &str) -> Result<Option<LockInfo>, LockError> {
        let row = self
            .client
            .query_opt(
                "SELECT customer_id, holder, epoch, acquired_at, expires_at FROM reservoir_locks
                 WHERE customer_id = $1 AND expires_at > now()",
                &[&customer_id],
            )
            .await
            .map_err(|e| unavailable("reading a lock", e))?;
        Ok(row.as_ref().map(info_of))
    }

    async fn list(&self) -> Result<Vec<LockInfo>, LockError> {
        let rows = self
            .client
            .query(
                "SELECT customer_id, holder, epoch, acquired_at, expires_at FROM reservoir_locks
                 WHERE expires_at > now() ORDER BY customer_id",
                &[],
            )
            .await
            .map_err(|e| unavailable("listing locks", e))?;
        Ok(rows.iter().map(info_of).collect())
    }

    async fn force_unlock(
        &self,
        customer_id: &str,
        by: &HolderInfo,
    ) -> Result<Option<LockInfo>, LockError> {
        let row = self
            .client
            .query_opt(
                "DELETE FROM reservoir_locks WHERE customer_id = $1
                 RETURNING customer_id, holder, epoch, acquired_at, expires_at",
                &[&customer_id],
            )
            .await
            .map_err(|e| unavailable("breaking a lock", e))?;
        let Some(info) = row.as_ref().map(info_of) else {
            return Ok(None);
        };
        let record = Record::LockBroken {
            // When the operator's command started (its clock), not the server's time.
            at: by.started_at,
            by: by.clone(),
            holder: info.holder.clone(),
            epoch: info.epoch,
        };
        self.append_unfenced(customer_id, &record)
            .await
            .map_err(|e| LockError::Unavailable {
                what: "journalling the broken lock".into(),
                source: Box::new(e),
            })?;
        Ok(Some(info))
    }
}
