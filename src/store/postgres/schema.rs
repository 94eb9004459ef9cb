//! The schema, created and migrated by reservoir: `reservoir_schema_version` records what was
//! applied; every migration runs in one transaction that first takes
//! `pg_advisory_xact_lock` (transaction-scoped, so it works through PgBouncer's transaction
//! pooling), so runners starting at once apply each migration exactly once.

use super::PgError;

/// Advisory lock key of migrations ("reservoir" in ASCII, truncated to fit an i64).
const MIGRATION_LOCK: i64 = 0x7265_7365_7276_6f69;

/// Migrations, in order; the version is the index + 1.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE SEQUENCE reservoir_lock_epoch;
CREATE TABLE reservoir_locks (
    customer_id text PRIMARY KEY,
    holder jsonb NOT NULL,
    epoch bigint NOT NULL,
    acquired_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE TABLE reservoir_journal (
    id bigserial PRIMARY KEY,
    customer_id text NOT NULL,
    epoch bigint,
    record jsonb NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservoir_journal_customer ON reservoir_journal (customer_id, id);
CREATE TABLE reservoir_cache (
    namespace text NOT NULL,
    key text NOT NULL,
    value jsonb NOT NULL,
    expires_at timestamptz,
    PRIMARY KEY (namespace, key)
);
"#,
    r#"
CREATE TABLE reservoir_rate_grants (
    partner text NOT NULL,
    granted_at timestamptz NOT NULL,
    n integer NOT NULL
);
CREATE INDEX reservoir_rate_grants_partner ON reservoir_rate_grants (partner, granted_at);
-- One call grants up to `want` sends of `per_minute` in a sliding window of `window_ms`, shared
-- by every run of the partner. The advisory lock serialises the partner's callers until the
-- calling statement commits; a VOLATILE function takes a fresh snapshot per query, so the sum
-- read after the lock sees every grant committed before it. clock_timestamp(), not now(): the
-- time after the lock was taken.
CREATE FUNCTION reservoir_rate_grant(p text, want integer, per_minute integer, window_ms integer)
RETURNS TABLE (granted integer, retry_ms bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    used bigint;
    oldest timestamptz;
    t timestamptz;
    span interval := make_interval(secs => window_ms / 1000.0);
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('reservoir_rate_grant:' || p, 0));
    t := clock_timestamp();
    DELETE FROM reservoir_rate_grants g WHERE g.partner = p AND g.granted_at <= t - span;
    SELECT coalesce(sum(g.n), 0), min(g.granted_at) INTO used, oldest
        FROM reservoir_rate_grants g WHERE g.partner = p;
    granted := least(want, greatest(per_minute - used, 0))::integer;
    IF granted > 0 THEN
        INSERT INTO reservoir_rate_grants (partner, granted_at, n) VALUES (p, t, granted);
        retry_ms := 0;
    ELSE
        retry_ms := greatest(
            coalesce(ceil(extract(epoch FROM (oldest + span - t)) * 1000), 1000), 1)::bigint;
    END IF;
    RETURN NEXT;
END
$fn$;
"#,
];

/// The schema version this build knows.
pub fn known_version() -> i32 {
    MIGRATIONS.len() as i32
}

/// Brings the schema up to [`known_version`]; returns how many migrations this call applied.
pub async fn migrate(client: &tokio_postgres::Client) -> Result<usize, PgError> {
    client
        .batch_execute("BEGIN")
        .await
        .map_err(PgError::Migrate)?;
    let result = migrate_in_tx(client).await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let ended = client.batch_execute(end).await.map_err(PgError::Migrate);
    let applied = result?;
    ended?;
    Ok(applied)
}

async fn migrate_in_tx(client: &tokio_postgres::Client) -> Result<usize, PgError> {
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(PgError::Migrate)?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS reservoir_schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .await
        .map_err(PgError::Migrate)?;
    let row = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM reservoir_schema_version",
            &[],
        )
        .await
        .map_err(PgError::Migrate)?;
    let current: i32 = row.get(0);
    if current > known_version() {
        return Err(PgError::TooNew {
            found: current,
            known: known_version(),
        });
    }
    let mut applied = 0;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        client.batch_execute(sql).await.map_err(PgError::Migrate)?;
        let version = i as i32 + 1;
        client
            .execute(
                "INSERT INTO reservoir_schema_version (version) VALUES ($1)",
                &[&version],
            )
            .await
            .map_err(PgError::Migrate)?;
        applied += 1;
    }
    Ok(applied)
}
