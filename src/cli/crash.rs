//! Fault injection for the kill tests, compiled only with the `fault-injection` cargo feature
//! (never in a release binary): `RESERVOIR_TEST_CRASH_AFTER=<point>` aborts the process at a
//! point of the purchase protocol, to test resuming after a kill.
//!
//! Points: after the journal record `intent`, `cart_created`, `cart_update_started`,
//! `checkout_started` or `checkout_result` is durable; and `cart_sent` / `checkout_sent`: after
//! Partner Center answered the cart creation / checkout, before the answer is journalled (the
//! process dies as it is about to append `cart_created` / `checkout_result`).

use super::output;
use crate::store::{HookRefusal, JournalHook, Record, Store};
use std::sync::Arc;

/// The test crash point environment variable.
const CRASH_ENV: &str = "RESERVOIR_TEST_CRASH_AFTER";

/// Aborts the process at one point of the journal.
struct CrashAt {
    /// The record kind the point is about.
    kind: &'static str,
    /// Before that record is written (a write answered, not journalled) or after it is durable.
    before: bool,
    /// The point's name, for the message.
    point: String,
}

impl CrashAt {
    fn abort(&self) -> ! {
        output::eprint(&format!(
            "reservoir: test crash point {} reached; aborting",
            self.point
        ));
        std::process::abort()
    }
}

impl JournalHook for CrashAt {
    fn before_append(&self, _customer_id: &str, record: &Record) -> Result<(), HookRefusal> {
        if self.before && record.kind() == self.kind {
            self.abort();
        }
        Ok(())
    }

    fn after_append(&self, _customer_id: &str, record: &Record) {
        if !self.before && record.kind() == self.kind {
            self.abort();
        }
    }
}

/// `store` with the crash hook `RESERVOIR_TEST_CRASH_AFTER` asks for, if any.
pub(super) fn install(mut store: Store) -> anyhow::Result<Store> {
    if let Some(hook) = hook_from_env()? {
        store.journal = store.journal.with_hook(hook);
    }
    Ok(store)
}

fn hook_from_env() -> anyhow::Result<Option<Arc<dyn JournalHook>>> {
    let Ok(v) = std::env::var(CRASH_ENV) else {
        return Ok(None);
    };
    let point = v.trim().to_owned();
    let (kind, before) = match point.as_str() {
        "" => return Ok(None),
        "cart_sent" => ("cart_created", true),
        "checkout_sent" => ("checkout_result", true),
        "intent" => ("intent", false),
        "cart_created" => ("cart_created", false),
        "cart_update_started" => ("cart_update_started", false),
        "checkout_started" => ("checkout_started", false),
        "checkout_result" => ("checkout_result", false),
        other => anyhow::bail!("{CRASH_ENV}={other:?} is not a known crash point"),
    };
    Ok(Some(Arc::new(CrashAt {
        kind,
        before,
        point,
    })))
}
