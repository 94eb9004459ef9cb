//! Shared sandbox state (world, knobs, faults, tokens, counters, rate limits) and world
//! persistence: atomic writes (tmp + fsync + rename) and reload when another process changed
//! the file.

use super::auth::Tokens;
use super::errors::SandboxError;
use super::faults::Faults;
use super::knobs::{Knobs, RateLimiter};
use super::world::World;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where (and whether) the world is persisted.
#[derive(Debug, Default)]
pub struct Store {
    pub path: Option<PathBuf>,
    stamp: Option<(SystemTime, u64)>,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl Store {
    pub fn memory() -> Self {
        Store::default()
    }

    /// Loads the world at `path`, or creates it with `init` when the file does not exist.
    pub fn open(
        path: PathBuf,
        init: impl FnOnce() -> World,
    ) -> Result<(Store, World), SandboxError> {
        let mut store = Store {
            path: Some(path.clone()),
            stamp: None,
        };
        if path.exists() {
            let world = read_world(&path)?;
            store.stamp = stamp(&path);
            Ok((store, world))
        } else {
            let world = init();
            store.save(&world)?;
            Ok((store, world))
        }
    }

    /// Replaces `world` with the file's content when the file changed since we last saw it.
    pub fn reload_if_changed(&mut self, world: &mut World) {
        let Some(path) = &self.path else { return };
        let now = stamp(path);
        if now.is_none() || now == self.stamp {
            return;
        }
        match read_world(path) {
            Ok(w) => {
                *world = w;
                self.stamp = now;
            }
            Err(e) => tracing::warn!("sandbox: keeping the in-memory world: {e}"),
        }
    }

    /// Writes the world atomically (no-op for in-memory worlds).
    pub fn save(&mut self, world: &World) -> Result<(), SandboxError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let err = |source| SandboxError::WriteWorld {
            path: path.clone(),
            source,
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        let data = serde_json::to_vec(world).map_err(|e| err(std::io::Error::other(e)))?;
        tmp.write_all(&data).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        self.stamp = stamp(path);
        Ok(())
    }
}

fn read_world(path: &Path) -> Result<World, SandboxError> {
    let data = std::fs::read(path).map_err(|source| SandboxError::ReadWorld {
        path: path.to_path_buf(),
        source,
    })?;
    let mut w: World =
        serde_json::from_slice(&data).map_err(|source| SandboxError::ParseWorld {
            path: path.to_path_buf(),
            source,
        })?;
    w.reindex();
    Ok(w)
}

/// One logged API request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub category: &'static str,
    pub customer_id: Option<String>,
    pub status: u16,
    /// The `MS-RequestId` header the request carried (absent when it carried none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Request counters for tests (`GET /_sandbox/requests`).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub total: u64,
    /// Requests answered 429 (throttled).
    pub throttled: u64,
    pub by_category: BTreeMap<&'static str, u64>,
    pub by_customer: BTreeMap<String, u64>,
    /// The most recent requests (at most 10,000).
    pub log: VecDeque<LoggedRequest>,
}

impl Counters {
    pub fn record(&mut self, r: LoggedRequest) {
        self.total += 1;
        if r.status == 429 {
            self.throttled += 1;
        }
        *self.by_category.entry(r.category).or_default() += 1;
        if let Some(c) = &r.customer_id {
            *self.by_customer.entry(c.clone()).or_default() += 1;
        }
        // A ring: dropping the oldest entry is O(1) however long the run.
        if self.log.len() >= 10_000 {
            self.log.pop_front();
        }
        self.log.push_back(r);
    }
}

/// Everything behind the sandbox's one lock.
#[derive(Debug)]
pub struct Inner {
    pub world: World,
    pub store: Store,
    pub knobs: Knobs,
    pub faults: Faults,
    pub tokens: Tokens,
    pub counters: Counters,
    pub limiter: RateLimiter,
    /// Carts (`customer/cart`, lower case) whose checkout is being processed.
    pub checkouts_in_flight: std::collections::HashSet<String>,
}

impl Inner {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        super::clock::now(self.world.clock_offset_seconds)
    }

    /// Replaces the knobs without undoing any state reached under the old ones: an order already
    /// fulfilled, listed or recorded stays so, a registration already complete stays complete (a
    /// shorter delay may bring pending ones forward). Rate-limit windows restart.
    pub fn set_knobs(&mut self, knobs: Knobs) {
        let Inner { store, world, .. } = self;
        store.reload_if_changed(world);
        let now = self.now();
        let old = std::mem::replace(&mut self.knobs, knobs);
        let new = &self.knobs;
        let secs = |s: u64| chrono::Duration::seconds(s.min(i64::MAX as u64 / 4_000) as i64);
        for o in self.world.orders.values_mut() {
            let fulfilled = o.fulfilled_at.unwrap_or(o.created);
            o.fulfilled_at = Some(fulfilled.min(o.created + secs(new.fulfillment_delay_secs)));
            let listed = o
                .listed_at
                .unwrap_or(o.created + secs(old.order_list_delay_secs));
            o.listed_at = Some(listed.min(o.created + secs(new.order_list_delay_secs)));
            let recorded = o.recorded_at.unwrap_or(o.created);
            o.recorded_at = Some(recorded.min(o.created + secs(new.audit_lag_secs)));
        }
        for c in self.world.customers.values_mut() {
            for s in &mut c.subscriptions {
                if matches!(
                    s.registration,
                    super::world::Registration::Registering { .. }
                ) && s.registration.status(now, old.registration_delay_secs) == "Registered"
                {
                    s.registration = super::world::Registration::Registered;
                }
            }
        }
        self.limiter.reset();
        self.persist();
    }

    /// Saves, logging (not failing the request) when the disk refuses.
    pub fn persist(&mut self) {
        if let Err(e) = self.store.save(&self.world) {
            tracing::error!("sandbox: {e}: {:?}", std::error::Error::source(&e));
        }
    }
}
