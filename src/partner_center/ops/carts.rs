//! Carts and checkout (docs/partner-center.md §9). Writes carry the caller's `MS-RequestId`.

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Category, RequestId};
use crate::partner_center::wire::{Cart, CartCheckoutResult, CartRequest};
use crate::partner_center::{Client, guid, segment};
use reqwest::Method;

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

    /// `PUT /v1/customers/{id}/carts/{cart-id}` (replaces the line items; 201 or 200).
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
        let call = self.write_call(
            Method::PUT,
            url,
            Category::Cart,
            Some(c),
            Some(cart),
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
