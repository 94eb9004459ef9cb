//! Journal record types. One JSON object per line, tagged by `type`; every record carries the
//! time it was written (`at`) and, except for settlements, the intent it belongs to.
//!
//! The record set is the write-ahead protocol of `apply` (DESIGN.md §5): an [`Record::Intent`] is
//! durable before the cart is created, a [`Record::CheckoutStarted`] before the checkout is sent,
//! and so on, so a crash at any point leaves enough on disk to resume without repeating a write.

use crate::manifest::PurchaseKey;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line to buy: everything needed to (re)build its cart line, plus the purchase key that
/// `plan` uses to count it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLine {
    pub key: PurchaseKey,
    /// The manifest item name (for output).
    pub item_name: String,
    /// The availability's catalog item id (`product:sku:availability`).
    pub catalog_item_id: String,
    pub product_id: String,
    pub sku_id: String,
    pub quantity: u32,
    /// Wire value, e.g. `one_time`.
    pub billing_cycle: String,
    /// `P1Y` / `P3Y` for reservations.
    pub term_duration: Option<String>,
    /// Reservations: `subscriptionId`, `scope`, `duration`.
    pub provisioning_context: BTreeMap<String, String>,
    pub friendly_name: Option<String>,
    /// The plan's price estimate for this line, when the plan had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<crate::prices::money::RowMoney>,
    /// Savings plans: the hourly commitment bought (the line's `quantity` is then 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<crate::manifest::PurchaseCommitment>,
}

impl PurchaseLine {
    /// What the line counts for its item: its quantity, or for a savings plan its hourly
    /// commitment in thousandths (the unit plan rows count savings plans in).
    pub fn units(&self) -> u32 {
        self.commitment
            .as_ref()
            .map_or(self.quantity, |c| c.hourly.0)
    }
}

/// A cart line the service flagged with an `error` at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// Index into the intent's `lines`.
    pub line: usize,
    pub code: String,
    pub description: String,
}

/// The order group the service put a cart line in. (A list, not a map: integer map keys do not
/// survive serde's internally tagged enums.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineGroup {
    /// Index into the intent's `lines`.
    pub line: usize,
    pub order_group: String,
}

/// One order placed at checkout, with the intent lines it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub order_id: String,
    pub lines: Vec<OrderedLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderedLine {
    /// Index into the intent's `lines`; `None` when the order line matched no intent line
    /// (then `key` is unknown and the customer's state counts as not ruled out).
    pub line: Option<usize>,
    pub catalog_item_id: String,
    pub quantity: u32,
    /// What the order line says it costs (the binding price), when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<crate::prices::money::OrderPrice>,
}

/// One failed order group at checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderErrorRecord {
    pub order_group: String,
    pub code: String,
    pub description: String,
    /// Indexes into the intent's `lines`.
    pub lines: Vec<usize>,
}

/// Why a journalled order no longer counts as pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettleReason {
    /// Its units show up as entitlements.
    Entitled,
    /// The order was cancelled.
    Cancelled,
}

/// A journal record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// Written (and fsynced) before the cart is created.
    Intent {
        at: DateTime<Utc>,
        intent_id: String,
        plan_hash: String,
        lines: Vec<PurchaseLine>,
        /// The `MS-RequestId` the cart creation carries (and every resend of it).
        create_request_id: String,
    },
    CartCreated {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: String,
        expires_at: Option<DateTime<Utc>>,
        line_errors: Vec<LineError>,
        /// The server-assigned `orderGroup` of each line.
        #[serde(default)]
        line_groups: Vec<LineGroup>,
    },
    /// Written before the update that removes failed lines is sent.
    CartUpdateStarted {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: String,
        request_id: String,
        removed_lines: Vec<usize>,
    },
    CartUpdateDone {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: String,
        /// The `orderGroup` of each line after the update.
        #[serde(default)]
        line_groups: Vec<LineGroup>,
    },
    /// Written before the checkout is sent.
    CheckoutStarted {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: String,
        request_id: String,
    },
    CheckoutResult {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: String,
        orders: Vec<OrderRecord>,
        order_errors: Vec<OrderErrorRecord>,
    },
    /// The cart (if any) can no longer be checked out; nothing was bought through this intent
    /// that is not recorded in a `checkout_result`.
    CartAbandoned {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: Option<String>,
        reason: String,
    },
    /// The cart the server returned (at creation, update, or when re-read before a resumed
    /// checkout) differs from the journalled lines: it is never checked out, and nothing is
    /// bought through this intent.
    CartRejected {
        at: DateTime<Utc>,
        intent_id: String,
        cart_id: String,
        /// Each difference, in words (`line 0 (web): quantity 8, asked 4`).
        differences: Vec<String>,
    },
    /// A definite failure: nothing was bought through this intent.
    IntentFailed {
        at: DateTime<Utc>,
        intent_id: String,
        code: String,
        description: String,
    },
    OrderSettled {
        at: DateTime<Utc>,
        order_id: String,
        reason: SettleReason,
    },
    /// `reservoir state unlock --force` broke the customer's lock: who did, and whose lock it
    /// was. The old holder's later appends are fenced out.
    LockBroken {
        at: DateTime<Utc>,
        by: crate::store::lock::HolderInfo,
        holder: Option<crate::store::lock::HolderInfo>,
        epoch: u64,
    },
}

impl Record {
    /// The intent this record belongs to (`None` for settlements and broken locks).
    pub fn intent_id(&self) -> Option<&str> {
        match self {
            Record::Intent { intent_id, .. }
            | Record::CartCreated { intent_id, .. }
            | Record::CartUpdateStarted { intent_id, .. }
            | Record::CartUpdateDone { intent_id, .. }
            | Record::CheckoutStarted { intent_id, .. }
            | Record::CheckoutResult { intent_id, .. }
            | Record::CartAbandoned { intent_id, .. }
            | Record::CartRejected { intent_id, .. }
            | Record::IntentFailed { intent_id, .. } => Some(intent_id),
            Record::OrderSettled { .. } | Record::LockBroken { .. } => None,
        }
    }

    /// The record's type tag, as written.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Intent { .. } => "intent",
            Record::CartCreated { .. } => "cart_created",
            Record::CartUpdateStarted { .. } => "cart_update_started",
            Record::CartUpdateDone { .. } => "cart_update_done",
            Record::CheckoutStarted { .. } => "checkout_started",
            Record::CheckoutResult { .. } => "checkout_result",
            Record::CartAbandoned { .. } => "cart_abandoned",
            Record::CartRejected { .. } => "cart_rejected",
            Record::IntentFailed { .. } => "intent_failed",
            Record::OrderSettled { .. } => "order_settled",
            Record::LockBroken { .. } => "lock_broken",
        }
    }
}
