//! Catalog: products, SKUs, availabilities, inventory (partner-center-api.md §6).

use super::with_scope;
use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category, RequestId};
use crate::partner_center::wire::{
    Availability, InventoryCheckRequest, InventoryItem, Product, ReservationScope, Sku, TargetView,
};
use crate::partner_center::{Client, segment};
use reqwest::Method;

fn country(c: &str) -> Result<&str, ApiError> {
    let c = c.trim();
    if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        Ok(c)
    } else {
        Err(ApiError::InvalidInput {
            what: "country",
            value: c.to_string(),
            reason: "expected a two-letter country code like US".into(),
        })
    }
}

impl Client {
    /// `GET /v1/products?country=&targetView=[&reservationScope=AzurePlan]`.
    pub async fn list_products(
        &self,
        country_code: &str,
        target_view: &TargetView,
        reservation_scope: Option<&ReservationScope>,
    ) -> Result<Vec<Product>, ApiError> {
        let q = with_scope(
            vec![
                ("country", country(country_code)?),
                ("targetView", target_view.as_str()),
            ],
            reservation_scope,
        );
        self.collect_pages(Call::get(
            self.url(&["products"], &q),
            Category::Catalog,
            None,
        ))
        .await
    }

    /// `GET /v1/products/{id}?country=`.
    pub async fn get_product(
        &self,
        product_id: &str,
        country_code: &str,
        reservation_scope: Option<&ReservationScope>,
    ) -> Result<Product, ApiError> {
        let p = segment("product id", product_id)?;
        let q = with_scope(vec![("country", country(country_code)?)], reservation_scope);
        self.get_json(self.url(&["products", p], &q), Category::Catalog, None)
            .await
    }

    /// `GET /v1/products/{id}/skus?country=`.
    pub async fn list_skus(
        &self,
        product_id: &str,
        country_code: &str,
        reservation_scope: Option<&ReservationScope>,
    ) -> Result<Vec<Sku>, ApiError> {
        let p = segment("product id", product_id)?;
        let q = with_scope(vec![("country", country(country_code)?)], reservation_scope);
        self.collect_pages(Call::get(
            self.url(&["products", p, "skus"], &q),
            Category::Catalog,
            None,
        ))
        .await
    }

    /// `GET /v1/products/{id}/skus/{sku}?country=`.
    pub async fn get_sku(
        &self,
        product_id: &str,
        sku_id: &str,
        country_code: &str,
        reservation_scope: Option<&ReservationScope>,
    ) -> Result<Sku, ApiError> {
        let p = segment("product id", product_id)?;
        let s = segment("sku id", sku_id)?;
        let q = with_scope(vec![("country", country(country_code)?)], reservation_scope);
        self.get_json(
            self.url(&["products", p, "skus", s], &q),
            Category::Catalog,
            None,
        )
        .await
    }

    /// `GET /v1/products/{id}/skus/{sku}/availabilities?country=`.
    pub async fn list_availabilities(
        &self,
        product_id: &str,
        sku_id: &str,
        country_code: &str,
        reservation_scope: Option<&ReservationScope>,
    ) -> Result<Vec<Availability>, ApiError> {
        let p = segment("product id", product_id)?;
        let s = segment("sku id", sku_id)?;
        let q = with_scope(vec![("country", country(country_code)?)], reservation_scope);
        let url = self.url(&["products", p, "skus", s, "availabilities"], &q);
        self.collect_pages(Call::get(url, Category::Catalog, None))
            .await
    }

    /// `GET /v1/products/{id}/skus/{sku}/availabilities?country=&targetSegment=` (§6.6: without
    /// `targetSegment` every segment but nonprofit is returned).
    pub async fn list_availabilities_for_segment(
        &self,
        product_id: &str,
        sku_id: &str,
        country_code: &str,
        reservation_scope: Option<&ReservationScope>,
        target_segment: &str,
    ) -> Result<Vec<Availability>, ApiError> {
        let p = segment("product id", product_id)?;
        let s = segment("sku id", sku_id)?;
        let mut q = vec![("country", country(country_code)?)];
        q.push(("targetSegment", target_segment));
        let q = with_scope(q, reservation_scope);
        let url = self.url(&["products", p, "skus", s, "availabilities"], &q);
        self.collect_pages(Call::get(url, Category::Catalog, None))
            .await
    }

    /// `GET /v1/products/{id}/skus/{sku}/availabilities/{availability}?country=`.
    pub async fn get_availability(
        &self,
        product_id: &str,
        sku_id: &str,
        availability_id: &str,
        country_code: &str,
        reservation_scope: Option<&ReservationScope>,
    ) -> Result<Availability, ApiError> {
        let p = segment("product id", product_id)?;
        let s = segment("sku id", sku_id)?;
        let a = segment("availability id", availability_id)?;
        let q = with_scope(vec![("country", country(country_code)?)], reservation_scope);
        let url = self.url(&["products", p, "skus", s, "availabilities", a], &q);
        self.get_json(url, Category::Catalog, None).await
    }

    /// `POST /v1/extensions/product/checkinventory?country=` → a bare array of items. Read-only,
    /// so it is retried like a read.
    pub async fn check_inventory(
        &self,
        country_code: &str,
        request: &InventoryCheckRequest,
    ) -> Result<Vec<InventoryItem>, ApiError> {
        let q = [("country", country(country_code)?)];
        let url = self.url(&["extensions", "product", "checkinventory"], &q);
        let customer = request
            .inventory_context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("customerId"))
            .map(|(_, v)| v.as_str());
        let mut call = self.write_call(
            Method::POST,
            url,
            Category::Catalog,
            customer,
            Some(request),
            RequestId::new(),
        )?;
        call.write = false;
        self.execute(&call).await?.json()
    }
}
