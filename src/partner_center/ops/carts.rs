//! Carts and checkout (partner-center-api.md §7). Writes carry the caller's `MS-RequestId`.

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Category, RequestId};
use crate::partner_center::wire::{Cart, CartCheckoutResult, CartRequest};
use crate::partner_center::{Client, guid, segment};
use reqwest::Method;
use serde_json::Value;

/// The cart as read, with the request's line items (and attestation, when given) in place of
/// its own.
fn full_cart(current: Value, cart_id: &str, cart: &CartRequest) -> Result<Value, ApiError> {
    let Value::Object(mut full) = current else {
        return Err(ApiError::Decode {
            method: "GET".into(),
            path: format!("cart {cart_id}"),
            status: 200,
            message: "the cart read before the update is not a JSON object".into(),
        });
    };
    let encode = |e: serde_json::Error| ApiError::Config {
        what: "cannot encode the cart".into(),
        source: Some(Box::new(e)),
    };
    let Value::Object(request) = serde_json::to_value(cart).map_err(encode)? else {
        return Err(ApiError::config(
            "a cart request must encode as a JSON object",
        ));
    };
    full.entry("id")
        .or_insert_with(|| Value::String(cart_id.to_string()));
    for (k, v) in request {
        if k != "id" {
            full.insert(k, v);
        }
    }
    Ok(Value::Object(full))
}

impl Client {
    /// `POST /v1/customers/{id}/carts` → the created cart (201).
    pub async fn create_cart(
        &self,
        customer_id: &str,
        cart: &CartRequest,
        request_id: RequestId,
    ) -> Result<Cart, ApiError> {
        let c = guid("customer id", customer_id)?;
        let url = self.url(&["customers", c, "carts"], &[]);
        let call = self.write_call(
            Method::POST,
            url,
            Category::Cart,
            Some(c),
            Some(cart),
            request_id,
        )?;
        self.execute(&call).await?.json()
    }

    /// `GET /v1/customers/{id}/carts/{cart-id}`.
    pub async fn get_cart(&self, customer_id: &str, cart_id: &str) -> Result<Cart, ApiError> {
        let c = guid("customer id", customer_id)?;
        let k = segment("cart id", cart_id)?;
        self.get_json(
            self.url(&["customers", c, "carts", k], &[]),
            Category::Cart,
            Some(c),
        )
        .await
    }

    /// `PUT /v1/customers/{id}/carts/{cart-id}` (replaces the line items; 201 or 200). The
    /// documented body is the full cart: the cart is read first (`GET`, nothing written yet) and
    /// sent back with its server fields (id, timestamps, status, links…) and `cart`'s line items.
    pub async fn update_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        cart: &CartRequest,
        request_id: RequestId,
    ) -> Result<Cart, ApiError> {
        let c = guid("customer id", customer_id)?;
        let k = segment("cart id", cart_id)?;
        let url = self.url(&["customers", c, "carts", k], &[]);
        let current: Value = self.get_json(url.clone(), Category::Cart, Some(c)).await?;
        let body = full_cart(current, k, cart)?;
        let call = self.write_call(
            Method::PUT,
            url,
            Category::Cart,
            Some(c),
            Some(&body),
            request_id,
        )?;
        self.execute(&call).await?.json()
    }

    /// `POST /v1/customers/{id}/carts/{cart-id}/checkout` (idempotent per cart).
    pub async fn checkout_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        request_id: RequestId,
    ) -> Result<CartCheckoutResult, ApiError> {
        let c = guid("customer id", customer_id)?;
        let k = segment("cart id", cart_id)?;
        let url = self.url(&["customers", c, "carts", k, "checkout"], &[]);
        let call =
            self.write_call::<()>(Method::POST, url, Category::Cart, Some(c), None, request_id)?;
        self.execute(&call).await?.json()
    }
}
