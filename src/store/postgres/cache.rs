//! [`Cache`] over PostgreSQL: a `reservoir_cache` row per entry.

use super::PgStore;
use crate::store::cache::{Cache, CacheEntry, CacheError, CacheKey, check_address};

fn store_err(what: String, e: tokio_postgres::Error) -> CacheError {
    CacheError::Store {
        what,
        source: Box::new(e),
    }
}

#[async_trait::async_trait]
impl Cache for PgStore {
    async fn put(&self, namespace: &str, key: &str, entry: &CacheEntry) -> Result<(), CacheError> {
        check_address(namespace, key)?;
        self.client
            .execute(
                "INSERT INTO reservoir_cache (namespace, key, value, expires_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (namespace, key) DO UPDATE
                   SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
                &[&namespace, &key, &entry.value, &entry.expires_at],
            )
            .await
            .map_err(|e| store_err(format!("{namespace}/{key}"), e))?;
        Ok(())
    }

    async fn list(&self, namespace: &str) -> Result<Vec<CacheKey>, CacheError> {
        let prefix = if namespace.is_empty() {
            String::new()
        } else {
            format!("{namespace}/")
        };
        let rows = self
            .client
            .query(
                "SELECT namespace, key FROM reservoir_cache
                 WHERE $1 = '' OR namespace = $2 OR starts_with(namespace, $3)
                 ORDER BY namespace, key",
                &[&namespace, &namespace, &prefix],
            )
            .await
            .map_err(|e| store_err(format!("{namespace}/*"), e))?;
        Ok(rows
            .iter()
            .map(|r| CacheKey {
                namespace: r.get(0),
                key: r.get(1),
            })
            .collect())
    }

    async fn entry(&self, namespace: &str, key: &str) -> Result<Option<CacheEntry>, CacheError> {
        check_address(namespace, key)?;
        let row = self
            .client
            .query_opt(
                "SELECT value, expires_at FROM reservoir_cache WHERE namespace = $1 AND key = $2",
                &[&namespace, &key],
            )
            .await
            .map_err(|e| store_err(format!("{namespace}/{key}"), e))?;
        Ok(row.map(|r| CacheEntry {
            value: r.get(0),
            expires_at: r.get(1),
        }))
    }
}
