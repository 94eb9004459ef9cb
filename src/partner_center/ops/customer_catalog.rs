//! The catalog read by customer (docs/partner-center.md §8, "by customer"): the country comes
//! from the customer. Savings plans are listed this way only, for Azure plan customers.

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category};
use crate::partner_center::wire::{Availability, Sku};
use crate::partner_center::{Client, segment};

impl Client {
    /// `GET /v1/customers/{id}/products/{product}/skus?targetView=`.
    pub async fn list_customer_skus(
        &self,
        customer_id: &str,
        product_id: &str,
        target_view: &str,
    ) -> Result<Vec<Sku>, ApiError> {
        let c = segment("customer id", customer_id)?;
        let p = segment("product id", product_id)?;
        let url = self.url(
            &["customers", c, "products", p, "skus"],
            &[("targetView", target_view)],
        );
        self.collect_pages(Call::get(url, Category::Catalog, Some(customer_id)))
            .await
    }

    /// `GET /v1/customers/{id}/products/{product}/skus/{sku}/availabilities?targetView=&targetSegment=`.
    pub async fn list_customer_availabilities(
        &self,
        customer_id: &str,
        product_id: &str,
        sku_id: &str,
        target_view: &str,
        target_segment: &str,
    ) -> Result<Vec<Availability>, ApiError> {
        let c = segment("customer id", customer_id)?;
        let p = segment("product id", product_id)?;
        let s = segment("sku id", sku_id)?;
        let url = self.url(
            &["customers", c, "products", p, "skus", s, "availabilities"],
            &[
                ("targetView", target_view),
                ("targetSegment", target_segment),
            ],
        );
        self.collect_pages(Call::get(url, Category::Catalog, Some(customer_id)))
            .await
    }
}
