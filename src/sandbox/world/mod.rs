//! The sandbox's world model: partner, customers, subscriptions, carts, orders and the stored
//! responses used for `MS-RequestId` replay. Serialized as the world file (camelCase JSON).

pub mod demo;
pub mod generate;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The whole simulated state. Customers are indexed by lower-case id.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct World {
    pub partner: Partner,
    /// Seconds added to the wall clock to get the sandbox's "now".
    #[serde(default)]
    pub clock_offset_seconds: i64,
    /// Bumped by a global availability rotation.
    #[serde(default)]
    pub availability_generation: u32,
    /// Extra rotation per `productId:skuId` (upper case).
    #[serde(default)]
    pub rotated_availabilities: BTreeMap<String, u32>,
    pub customers: BTreeMap<String, Customer>,
    #[serde(default)]
    pub carts: BTreeMap<String, Cart>,
    #[serde(default)]
    pub orders: BTreeMap<String, Order>,
    /// `MS-RequestId` → first response of a POST/PUT.
    #[serde(default)]
    pub replays: BTreeMap<String, StoredResponse>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("partner", &self.partner)
            .field("customers", &self.customers.len())
            .field("orders", &self.orders.len())
            .finish_non_exhaustive()
    }
}

impl World {
    pub fn customer(&self, id: &str) -> Option<&Customer> {
        self.customers.get(&id.to_ascii_lowercase())
    }
    pub fn customer_mut(&mut self, id: &str) -> Option<&mut Customer> {
        self.customers.get_mut(&id.to_ascii_lowercase())
    }
    /// Re-indexes customer order lists (after a world was replaced through the admin API).
    pub fn reindex(&mut self) {
        let customers: Vec<String> = self.customers.keys().cloned().collect();
        let mut fixed = BTreeMap::new();
        for key in customers {
            if let Some(mut c) = self.customers.remove(&key) {
                c.id = c.id.to_ascii_lowercase();
                c.order_ids.clear();
                fixed.insert(c.id.clone(), c);
            }
        }
        self.customers = fixed;
        let orders: Vec<Order> = self.orders.values().cloned().collect();
        self.orders.clear();
        for o in orders {
            self.insert_order(o);
        }
    }
    pub fn insert_order(&mut self, o: Order) {
        if let Some(c) = self.customers.get_mut(&o.customer_id.to_ascii_lowercase())
            && !c.order_ids.contains(&o.id)
        {
            c.order_ids.push(o.id.clone());
        }
        self.orders.insert(o.id.clone(), o);
    }
}

/// The partner tenant and the credentials the token endpoint accepts.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub name: String,
    pub mpn_id: String,
}

impl std::fmt::Debug for Partner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partner")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub domain: String,
    /// ISO 3166 alpha-2 (or a Microsoft pseudo-code).
    pub country: String,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Ids of this customer's orders (index into `World::orders`).
    #[serde(default)]
    pub order_ids: Vec<String>,
    /// The customer's segment (`commercial` when absent): the segment of the availabilities it
    /// may buy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

impl Customer {
    pub fn segment(&self) -> &str {
        self.segment.as_deref().unwrap_or("commercial")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionKind {
    AzurePlan,
    Legacy,
    /// Not an Azure subscription (e.g. a Microsoft 365 seat subscription): never buys reservations.
    NonAzure,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: String,
    pub kind: SubscriptionKind,
    /// `active`, `suspended`, ...
    pub status: String,
    pub registration: Registration,
    pub friendly_name: String,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Registration {
    NotRegistered,
    Registering { requested_at: DateTime<Utc> },
    Registered,
}

impl Registration {
    /// The status name at `now`, given the registration delay.
    pub fn status(&self, now: DateTime<Utc>, delay_secs: u64) -> &'static str {
        match self {
            Registration::NotRegistered => "NotRegistered",
            Registration::Registered => "Registered",
            Registration::Registering { requested_at } => {
                if now >= *requested_at + chrono::Duration::seconds(delay_secs as i64) {
                    "Registered"
                } else {
                    "Registering"
                }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    pub id: String,
    pub customer_id: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// `Active` or `Ordered`.
    pub status: String,
    pub lines: Vec<CartLine>,
    /// The first successful checkout's response body (checkout is idempotent per cart).
    #[serde(default)]
    pub checkout_result: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLine {
    pub id: i64,
    pub catalog_item_id: String,
    #[serde(default)]
    pub friendly_name: Option<String>,
    pub quantity: i64,
    pub billing_cycle: String,
    #[serde(default)]
    pub term_duration: Option<String>,
    /// As sent (keys keep their spelling).
    #[serde(default)]
    pub provisioning_context: BTreeMap<String, String>,
    pub order_group: String,
    pub currency_code: String,
    #[serde(default)]
    pub error: Option<LineError>,
    /// Savings plans: the hourly commitment asked for, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_commitment: Option<Commitment>,
}

/// A savings plan's `purchaseCommitment`: an amount per `grain` (hourly) in a currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitment {
    pub amount: f64,
    pub grain: String,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineError {
    pub error_code: i64,
    pub error_description: String,
    /// The request-level code a checkout of the cart fails with (default 800009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_code: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    pub alternate_id: String,
    pub customer_id: String,
    #[serde(default)]
    pub cart_id: Option<String>,
    pub created: DateTime<Utc>,
    pub status: String,
    pub currency_code: String,
    pub lines: Vec<OrderLine>,
    /// True for orders that came with the world (not placed through checkout).
    #[serde(default)]
    pub seed: bool,
    /// The billing cycle of the order's group (`one_time`, `annual`, ...).
    #[serde(default = "one_time")]
    pub billing_cycle: String,
    /// When a `completed` order stops showing as `pending` (None: at `created`). Fixed at
    /// placement; a knob change may only bring it forward, so a state reached is never undone.
    #[serde(default)]
    pub fulfilled_at: Option<DateTime<Utc>>,
    /// When the order shows in the customer's order list (None: `created` + the current delay).
    #[serde(default)]
    pub listed_at: Option<DateTime<Utc>>,
    /// When the order's `create_order` record shows in the activity log (None: at `created`).
    #[serde(default)]
    pub recorded_at: Option<DateTime<Utc>>,
    /// The `MS-CorrelationId` of the request that placed the order (activity log).
    #[serde(default)]
    pub correlation_id: Option<String>,
}

fn one_time() -> String {
    "one_time".into()
}

impl Order {
    /// Fixes when an order placed at `placed` is fulfilled, listed and recorded in the activity
    /// log, from the knobs in force.
    pub fn set_timings(&mut self, placed: DateTime<Utc>, knobs: &crate::sandbox::knobs::Knobs) {
        let secs = |s: u64| chrono::Duration::seconds(s.min(i64::MAX as u64 / 4_000) as i64);
        self.fulfilled_at = Some(placed + secs(knobs.fulfillment_delay_secs));
        self.listed_at = Some(placed + secs(knobs.order_list_delay_secs));
        self.recorded_at = Some(placed + secs(knobs.audit_lag_secs));
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub line_item_number: i64,
    pub catalog_item_id: String,
    pub quantity: i64,
    #[serde(default)]
    pub term_duration: Option<String>,
    #[serde(default)]
    pub provisioning_context: BTreeMap<String, String>,
    #[serde(default)]
    pub friendly_name: Option<String>,
    pub unit_price: f64,
    /// Set for reservations: the Azure reservation order id.
    #[serde(default)]
    pub reservation_order_id: Option<String>,
    #[serde(default)]
    pub reservation_id: Option<String>,
    /// Stable GUID used in the reservation artifact link.
    pub line_item_guid: String,
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// Savings plans: the hourly commitment bought.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_commitment: Option<Commitment>,
}

impl OrderLine {
    pub fn product_id(&self) -> &str {
        self.catalog_item_id.split(':').next().unwrap_or("")
    }
    pub fn sku_id(&self) -> &str {
        self.catalog_item_id.split(':').nth(1).unwrap_or("")
    }
    pub fn availability_id(&self) -> &str {
        self.catalog_item_id.split(':').nth(2).unwrap_or("")
    }
}

/// A response kept for `MS-RequestId` replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResponse {
    pub method: String,
    pub path: String,
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// When the first response was given (sandbox clock); the oldest are pruned first.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// At most this many `MS-RequestId` responses are kept.
pub const MAX_REPLAYS: usize = 10_000;

impl World {
    /// Keeps a response for replay, pruning the oldest beyond [`MAX_REPLAYS`].
    pub fn remember(&mut self, request_id: String, r: StoredResponse) {
        self.replays.insert(request_id, r);
        while self.replays.len() > MAX_REPLAYS {
            let oldest = self
                .replays
                .iter()
                .min_by_key(|(_, v)| v.at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.replays.remove(&k),
                None => break,
            };
        }
    }
}

/// A deterministic GUID-shaped id from a seed string (for demo and generated worlds).
pub fn stable_guid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}
