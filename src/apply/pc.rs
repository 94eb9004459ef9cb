//! [`PartnerCenterCommerce`]: the [`Commerce`] the apply engine drives in production — a wrapper
//! over [`partner_center::Client`](crate::partner_center::Client) for registrations, carts,
//! checkout and orders, and over the run's [`Catalog`] for re-resolving a stale catalog item.
//!
//! It implements the error mapping table of [`super::commerce`]: the client has already retried
//! 5xx, 429 and connection failures with the same `MS-RequestId`, so a write that still has no
//! answer is `OutcomeUnknown`, and only a refusal with a Partner Center error body is `Definite`.

use super::commerce::{
    Cart, CartLine, CartStatus, CheckoutOutcome, Commerce, CommerceError, OrderGroupError,
    OrderInfo, PlacedOrder, RegistrationStatus, Unavailable,
};
use super::pc_wire::{cart_from_wire, cart_request, order_lines, order_status};
use crate::catalog::{Buyer, Catalog, Freshness};
use crate::kinds;
use crate::manifest::DesiredState;
use crate::partner_center::wire::{self, RegistrationState};
use crate::partner_center::{ApiError, Client, RequestId};
use crate::plan::{Inventory, Resolution};
use crate::store::PurchaseLine;
use std::collections::BTreeMap;

/// The production [`Commerce`]: Partner Center through the client, catalog through the run's
/// cache (read fresh).
pub struct PartnerCenterCommerce<'a> {
    client: &'a Client,
    catalog: &'a Catalog,
    desired: &'a DesiredState,
    /// `expirationTimestamp` of each cart seen in an answer (cart expiry, see [`expired`]).
    cart_expiry: std::sync::Mutex<BTreeMap<String, chrono::DateTime<chrono::Utc>>>,
    /// Where placed orders are remembered for the next plan's attribution, if anywhere.
    placed: Option<crate::observe::order_cache::OrderCache>,
}

impl<'a> PartnerCenterCommerce<'a> {
    /// `desired` is used to re-resolve lines (after 400019) from their purchase key.
    pub fn new(client: &'a Client, catalog: &'a Catalog, desired: &'a DesiredState) -> Self {
        PartnerCenterCommerce {
            client,
            catalog,
            desired,
            cart_expiry: Default::default(),
            placed: None,
        }
    }

    /// Remembers every order checkout places in the state store's order cache, so the next plan
    /// attributes its entitlements without reading the order again.
    pub fn remembering_orders(mut self, cache: crate::observe::order_cache::OrderCache) -> Self {
        self.placed = Some(cache);
        self
    }

    fn remember(&self, cart: &wire::Cart) {
        if let Some(t) = cart.expiration_timestamp {
            self.cart_expiry
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(cart.id.clone(), t);
        }
    }

    /// Classifies a failed cart write (update, checkout): [`write_error`], or `CartExpired`
    /// when the refusal concerns a cart past its `expirationTimestamp` (known from an earlier
    /// answer, or read now).
    async fn cart_write_error(
        &self,
        customer_id: &str,
        cart_id: &str,
        e: ApiError,
    ) -> CommerceError {
        let mapped = write_error(&e);
        if !matches!(mapped, CommerceError::Definite { .. }) {
            return keep_cause(mapped, e);
        }
        let known = self
            .cart_expiry
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(cart_id)
            .copied();
        let expires_at = match known {
            Some(t) => Some(t),
            None => match self.client.get_cart(customer_id, cart_id).await {
                Ok(cart) => cart.expiration_timestamp,
                Err(_) => None,
            },
        };
        if expired(&e, expires_at, self.client.clock().wall()) {
            CommerceError::CartExpired
        } else {
            mapped
        }
    }
}

fn request_id(s: &str) -> Result<RequestId, CommerceError> {
    RequestId::parse(s).map_err(|e| CommerceError::Definite {
        code: "invalid-request-id".into(),
        description: e.to_string(),
    })
}

fn is_code(e: &ApiError, code: &str) -> bool {
    e.code().is_some_and(|c| c.trim() == code)
}

fn definite(e: &ApiError) -> CommerceError {
    CommerceError::Definite {
        code: e
            .code()
            .map(str::to_owned)
            .or_else(|| e.status().map(|s| format!("http-{s}")))
            .unwrap_or_else(|| "error".to_owned()),
        description: match e {
            ApiError::Http {
                description: Some(d),
                ..
            } => d.clone(),
            other => other.to_string(),
        },
    }
}

/// Classifies a failed write (the module-doc table of [`super::commerce`]).
fn write_error(e: &ApiError) -> CommerceError {
    if is_code(e, "400019") {
        return CommerceError::AvailabilityNotFound;
    }
    if is_code(e, "800008") {
        return CommerceError::CartNotFound;
    }
    if ["800060", "800064", "800065"].iter().any(|c| is_code(e, c)) {
        return CommerceError::OutcomeUnknown;
    }
    if e.outcome_unknown() {
        return CommerceError::OutcomeUnknown;
    }
    match e {
        ApiError::Throttled { .. } => CommerceError::OutcomeUnknown,
        ApiError::Http { status, .. } if *status >= 500 || *status == 408 => {
            CommerceError::OutcomeUnknown
        }
        // A success status whose body could not be read: the write happened.
        ApiError::Decode { status, .. } if *status < 300 => CommerceError::OutcomeUnknown,
        ApiError::Transport { .. } => CommerceError::Transient(e.to_string().into()),
        ApiError::Auth {
            retryable: true, ..
        } => CommerceError::Transient(e.to_string().into()),
        _ => definite(e),
    }
}

/// `mapped` with `e` kept as the cause of a transient failure (the classification works on a
/// borrowed error; this keeps the error itself).
fn keep_cause(mapped: CommerceError, e: ApiError) -> CommerceError {
    match mapped {
        CommerceError::Transient(_) => CommerceError::Transient(Unavailable::caused_by(e)),
        other => other,
    }
}

/// Classifies a failed read.
fn read_error(e: &ApiError) -> CommerceError {
    if is_code(e, "800008") {
        return CommerceError::CartNotFound;
    }
    match e {
        ApiError::Throttled { .. }
        | ApiError::Transport { .. }
        | ApiError::Decode { .. }
        | ApiError::Auth {
            retryable: true, ..
        } => CommerceError::Transient(e.to_string().into()),
        ApiError::Http { status, .. } if *status >= 500 || *status == 408 => {
            CommerceError::Transient(e.to_string().into())
        }
        _ => definite(e),
    }
}

/// Whether a refused cart write is the cart's expiry: a refusal (4xx) of a cart whose
/// `expirationTimestamp` has passed. Recognised by the code and the cart's own timestamp, never
/// by the wording of the description. `now` is the run's clock.
fn expired(
    e: &ApiError,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    let refused = matches!(e, ApiError::Http { status, .. } if (400..500).contains(status))
        && !e.outcome_unknown();
    refused && expires_at.is_some_and(|t| t <= now)
}

impl Commerce for PartnerCenterCommerce<'_> {
    async fn register_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
        request_id_text: &str,
    ) -> Result<(), CommerceError> {
        let rid = request_id(request_id_text)?;
        self.client
            .register_subscription(customer_id, subscription_id, rid)
            .await
            .map(|_| ())
            .map_err(|e| keep_cause(write_error(&e), e))
    }

    async fn registration_status(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> Result<RegistrationStatus, CommerceError> {
        let s = self
            .client
            .get_registration_status(customer_id, subscription_id)
            .await
            .map_err(|e| keep_cause(read_error(&e), e))?;
        Ok(match s.status {
            RegistrationState::Registered => RegistrationStatus::Registered,
            RegistrationState::Registering => RegistrationStatus::Registering,
            _ => RegistrationStatus::NotRegistered,
        })
    }

    async fn create_cart(
        &self,
        customer_id: &str,
        lines: &[CartLine],
        request_id_text: &str,
    ) -> Result<Cart, CommerceError> {
        let rid = request_id(request_id_text)?;
        let got = self
            .client
            .create_cart(customer_id, &cart_request(lines), rid)
            .await;
        if let Ok(cart) = &got {
            self.remember(cart);
        }
        got.map(cart_from_wire)
            .map_err(|e| keep_cause(write_error(&e), e))
    }

    async fn get_cart(&self, customer_id: &str, cart_id: &str) -> Result<Cart, CommerceError> {
        let cart = self
            .client
            .get_cart(customer_id, cart_id)
            .await
            .map_err(|e| keep_cause(read_error(&e), e))?;
        self.remember(&cart);
        let cart = cart_from_wire(cart);
        if cart.status == CartStatus::Active
            && cart
                .expires_at
                .is_some_and(|t| t <= self.client.clock().wall())
        {
            return Err(CommerceError::CartExpired);
        }
        Ok(cart)
    }

    async fn update_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        lines: &[CartLine],
        request_id_text: &str,
    ) -> Result<Cart, CommerceError> {
        let rid = request_id(request_id_text)?;
        let mut body = cart_request(lines);
        body.id = Some(cart_id.to_owned());
        match self
            .client
            .update_cart(customer_id, cart_id, &body, rid)
            .await
        {
            Ok(cart) => {
                self.remember(&cart);
                Ok(cart_from_wire(cart))
            }
            Err(e) => Err(self.cart_write_error(customer_id, cart_id, e).await),
        }
    }

    async fn checkout(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id_text: &str,
    ) -> Result<CheckoutOutcome, CommerceError> {
        let rid = request_id(request_id_text)?;
        let got = self.client.checkout_cart(customer_id, cart_id, rid).await;
        let result = match got {
            Ok(r) => r,
            Err(e) => return Err(self.cart_write_error(customer_id, cart_id, e).await),
        };
        if let Some(cache) = &self.placed {
            for o in &result.orders {
                cache
                    .put_placed(
                        customer_id,
                        &crate::observe::order_cache::OrderSummary::from_wire(o),
                    )
                    .await;
            }
        }
        Ok(CheckoutOutcome {
            orders: result
                .orders
                .iter()
                .map(|o| PlacedOrder {
                    order_id: o.id.clone(),
                    customer_id: o.reference_customer_id.clone(),
                    lines: order_lines(o),
                })
                .collect(),
            order_errors: result
                .order_errors
                .into_iter()
                .map(|e| OrderGroupError {
                    order_group: e.order_group_id.unwrap_or_default(),
                    code: e.code.unwrap_or_else(|| "0".to_owned()),
                    description: e.description.unwrap_or_default(),
                })
                .collect(),
        })
    }

    async fn get_order(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> Result<OrderInfo, CommerceError> {
        let o = self
            .client
            .get_order(customer_id, order_id)
            .await
            .map_err(|e| keep_cause(read_error(&e), e))?;
        Ok(OrderInfo {
            order_id: o.id.clone(),
            status: order_status(o.status.as_ref()),
            lines: order_lines(&o),
        })
    }

    async fn resolve_line(
        &self,
        customer_id: &str,
        line: &PurchaseLine,
    ) -> Result<PurchaseLine, CommerceError> {
        let customer = self
            .client
            .get_customer(customer_id)
            .await
            .map_err(|e| keep_cause(read_error(&e), e))?;
        let country = customer
            .country()
            .map(|c| c.trim().to_ascii_uppercase())
            .ok_or_else(|| CommerceError::Definite {
                code: "no-country".into(),
                description: format!("customer {customer_id} has no country"),
            })?;
        let buyer = Buyer {
            customer_id,
            country: &country,
        };
        let Some(item) = kinds::find(self.desired, &line.key) else {
            return Err(not_declared(line));
        };
        let resolution = item.resolve(self.catalog, buyer, Freshness::Fresh).await;
        match resolution {
            Resolution::Found(ci) => {
                if let Inventory::Restricted { reason } = &ci.inventory {
                    return Err(CommerceError::Definite {
                        code: "inventory-restricted".into(),
                        description: reason.clone(),
                    });
                }
                // A fresh resolution always reads the availability.
                let Some(catalog_item_id) = ci.catalog_item_id().map(str::to_owned) else {
                    return Err(CommerceError::Transient(
                        format!("{}: the catalog gave no availability", line.item_name).into(),
                    ));
                };
                let mut fresh = line.clone();
                fresh.catalog_item_id = catalog_item_id;
                fresh.product_id = ci.product_id;
                fresh.sku_id = ci.sku_id;
                Ok(fresh)
            }
            Resolution::Error(e) => Err(CommerceError::Transient(e.into())),
            other => Err(CommerceError::Definite {
                code: "not-in-catalog".into(),
                description: format!(
                    "{} can no longer be resolved in the catalog: {other:?}",
                    line.item_name
                ),
            }),
        }
    }
}

fn not_declared(line: &PurchaseLine) -> CommerceError {
    CommerceError::Definite {
        code: "not-declared".into(),
        description: format!(
            "{} is no longer declared in the manifests; not re-resolving it",
            line.item_name
        ),
    }
}

#[cfg(test)]
#[path = "pc_tests.rs"]
mod tests;
