//! [`Commerce`]: the Partner Center operations the apply engine drives, and how their failures
//! are classified. The engine is written against this trait so it can be tested against an
//! in-memory fake; the real implementation wraps `partner_center::Client`.
//!
//! # Error mapping the real implementation must follow
//!
//! The client has already done its own retries (5xx, 429 with `Retry-After`, connection resets)
//! with the **same** `MS-RequestId` before returning an error here.
//!
//! | what happened | [`CommerceError`] |
//! |---|---|
//! | 4xx with a Partner Center error body, nothing committed (400, 401, 403, 409/800060 excluded) | `Definite { code, description }` |
//! | 404 or 400 with code 400019 (availability not found) | `AvailabilityNotFound` |
//! | 404 with code 800008 on a cart (cart not found) | `CartNotFound` |
//! | the cart's `expirationTimestamp` has passed / cart expired error | `CartExpired` |
//! | a **write** that timed out, lost its connection after sending, or got 5xx/429 after the client's retries; 409/800064 (cart being processed); 409/800060 (order in progress) | `OutcomeUnknown` |
//! | a **read** that still fails with 5xx/429/timeout after the client's retries | `Transient` |
//! | 400/800065 (cart already submitted) on checkout | `OutcomeUnknown` (the engine re-checks out with the same id and reads the cart) |
//!
//! When in doubt for a write, answer `OutcomeUnknown`: the engine then never issues a *new*
//! write for the same lines — it resends the same request id or leaves the intent unfinished
//! (counted as pending) for the next run.

use crate::store::PurchaseLine;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

/// How a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommerceError {
    /// The service answered with an error: nothing was committed by this call.
    #[error("partner center refused the request: {code} {description}")]
    Definite { code: String, description: String },
    /// A write may or may not have been committed (timeout, dropped connection, 5xx after a
    /// write was sent).
    #[error("the outcome of the request is unknown")]
    OutcomeUnknown,
    /// A read failed after retries (5xx, 429, timeout). For writes, use `OutcomeUnknown`.
    #[error("partner center is unavailable: {0}")]
    Transient(#[source] Unavailable),
    /// 400019: the availability (catalog item id) is no longer valid; re-resolve it.
    #[error("availability not found (400019)")]
    AvailabilityNotFound,
    #[error("cart not found (800008)")]
    CartNotFound,
    #[error("cart expired")]
    CartExpired,
}

impl CommerceError {
    /// The error code as reported to users.
    pub fn code(&self) -> String {
        match self {
            CommerceError::Definite { code, .. } => code.clone(),
            CommerceError::OutcomeUnknown => "outcome-unknown".into(),
            CommerceError::Transient(_) => "transient".into(),
            CommerceError::AvailabilityNotFound => "400019".into(),
            CommerceError::CartNotFound => "800008".into(),
            CommerceError::CartExpired => "cart-expired".into(),
        }
    }

    /// The description as reported to users.
    pub fn description(&self) -> String {
        match self {
            CommerceError::Definite { description, .. } => description.clone(),
            other => other.to_string(),
        }
    }
}

/// Why Partner Center was unavailable: the message, and the error it came from (kept as the
/// `source`, never flattened). Two are equal when their messages are.
#[derive(Debug, Clone)]
pub struct Unavailable {
    message: String,
    cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Unavailable {
    /// An error with its cause; the message is the cause's.
    pub fn caused_by(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Unavailable {
            message: cause.to_string(),
            cause: Some(Arc::new(cause)),
        }
    }
}

impl From<String> for Unavailable {
    fn from(message: String) -> Self {
        Unavailable {
            message,
            cause: None,
        }
    }
}

impl From<&str> for Unavailable {
    fn from(message: &str) -> Self {
        message.to_owned().into()
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl PartialEq for Unavailable {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

impl Eq for Unavailable {}

/// A subscription's registration status for reserved-instance purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Registered,
    Registering,
    NotRegistered,
}

/// A cart line as sent (the engine builds these from [`PurchaseLine`]s; `id` is the index of the
/// line in the journalled intent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub id: usize,
    pub line: PurchaseLine,
}

/// A cart line as the service answered it: what the cart now holds (the engine compares it with
/// what was sent before anything is checked out), its order group, and its error, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CartLineResult {
    /// The `id` the line was sent with; `None` when the answer carries no usable id.
    pub id: Option<usize>,
    pub catalog_item_id: Option<String>,
    /// As answered (a negative or missing quantity is kept as such, to be refused).
    pub quantity: Option<i64>,
    /// Wire value, e.g. `one_time`.
    pub billing_cycle: Option<String>,
    pub term_duration: Option<String>,
    pub provisioning_context: BTreeMap<String, String>,
    pub order_group: Option<String>,
    /// `(code, description)` when the service flagged the line.
    pub error: Option<(String, String)>,
    /// A savings plan's `purchaseCommitment` as answered (`None`: the line carries none).
    pub commitment: Option<AnsweredCommitment>,
}

/// A cart line's `purchaseCommitment` as the service answered it, each part as given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnsweredCommitment {
    /// The amount per `grain`.
    pub amount: Option<rust_decimal::Decimal>,
    pub grain: Option<String>,
    pub currency: Option<String>,
}

impl CartLineResult {
    /// The line exactly as it was sent (what a faithful service echoes), with `id`.
    pub fn echo(id: usize, line: &PurchaseLine) -> CartLineResult {
        CartLineResult {
            id: Some(id),
            catalog_item_id: Some(line.catalog_item_id.clone()),
            quantity: Some(i64::from(line.quantity)),
            billing_cycle: Some(line.billing_cycle.clone()),
            term_duration: line.term_duration.clone(),
            provisioning_context: line.provisioning_context.clone(),
            order_group: None,
            error: None,
            commitment: line.commitment.as_ref().map(|c| AnsweredCommitment {
                amount: Some(c.hourly.amount()),
                grain: Some("hourly".to_owned()),
                currency: Some(c.currency.to_ascii_lowercase()),
            }),
        }
    }
}

/// A created (or re-read) cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    pub cart_id: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub status: CartStatus,
    pub lines: Vec<CartLineResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartStatus {
    Active,
    Ordered,
}

/// One line of a placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrderLine {
    /// The order line's `offerId` (= catalog item id).
    pub catalog_item_id: String,
    pub quantity: u32,
    pub provisioning_context: BTreeMap<String, String>,
    /// What the order line says it costs, when it says.
    pub price: Option<crate::prices::money::OrderPrice>,
}

/// An order placed by a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    pub order_id: String,
    /// The customer the order says it is for (`referenceCustomerId`), when given.
    pub customer_id: Option<String>,
    pub lines: Vec<PlacedOrderLine>,
}

/// A failed order group in a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderGroupError {
    pub order_group: String,
    pub code: String,
    pub description: String,
}

/// `CartCheckoutResult`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckoutOutcome {
    pub orders: Vec<PlacedOrder>,
    pub order_errors: Vec<OrderGroupError>,
}

/// An order's status, read by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Completed,
    Pending,
    Cancelled,
    /// Any other documented status (`partial success`, `error`, …).
    Other,
}

/// An order read by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderInfo {
    pub order_id: String,
    pub status: OrderStatus,
    pub lines: Vec<PlacedOrderLine>,
}

/// The Partner Center operations `apply` needs. Every write takes the `MS-RequestId` it must
/// carry; implementations must send exactly that id (and reuse it on their own retries).
pub trait Commerce: Send + Sync {
    /// `POST …/subscriptions/{id}/registrations`.
    fn register_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
        request_id: &str,
    ) -> impl Future<Output = Result<(), CommerceError>> + Send;

    /// `GET …/subscriptions/{id}/registrationstatus`.
    fn registration_status(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> impl Future<Output = Result<RegistrationStatus, CommerceError>> + Send;

    /// `POST …/carts` with `billingCycle`, `termDuration`, `provisioningContext` per line.
    fn create_cart(
        &self,
        customer_id: &str,
        lines: &[CartLine],
        request_id: &str,
    ) -> impl Future<Output = Result<Cart, CommerceError>> + Send;

    /// `GET …/carts/{id}`; `CartNotFound` / `CartExpired` when it is gone.
    fn get_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
    ) -> impl Future<Output = Result<Cart, CommerceError>> + Send;

    /// `PUT …/carts/{id}`: replaces the cart's lines with `lines`.
    fn update_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        lines: &[CartLine],
        request_id: &str,
    ) -> impl Future<Output = Result<Cart, CommerceError>> + Send;

    /// `POST …/carts/{id}/checkout` (idempotent per cart).
    fn checkout(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id: &str,
    ) -> impl Future<Output = Result<CheckoutOutcome, CommerceError>> + Send;

    /// `GET …/orders/{id}`.
    fn get_order(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> impl Future<Output = Result<OrderInfo, CommerceError>> + Send;

    /// Re-resolves a line's catalog item (after 400019): the same line with a fresh
    /// `catalog_item_id`, or a `Definite` error when it is no longer sold.
    fn resolve_line(
        &self,
        customer_id: &str,
        line: &PurchaseLine,
    ) -> impl Future<Output = Result<PurchaseLine, CommerceError>> + Send;
}
