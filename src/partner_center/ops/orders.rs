//! Orders and provisioning status (docs/partner-center.md §10).

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category};
use crate::partner_center::wire::{Order, OrderBillingType, OrderLineItemProvisioningStatus};
use crate::partner_center::{Client, guid, segment};

impl Client {
    /// `GET /v1/customers/{id}/orders/{order-id}`.
    pub async fn get_order(&self, customer_id: &str, order_id: &str) -> Result<Order, ApiError> {
        let c = guid("customer id", customer_id)?;
        let o = segment("order id", order_id)?;
        self.get_json(
            self.url(&["customers", c, "orders", o], &[]),
            Category::Order,
            Some(c),
        )
        .await
    }

    /// `GET /v1/customers/{id}/orders`. New orders may take 15 minutes to appear here.
    pub async fn list_orders(&self, customer_id: &str) -> Result<Vec<Order>, ApiError> {
        let c = guid("customer id", customer_id)?;
        let url = self.url(&["customers", c, "orders"], &[]);
        self.collect_pages(Call::get(url, Category::Order, Some(c)))
            .await
    }

    /// `GET /v1/customers/{id}/orders?billingType=OneTime` (and other billing types).
    pub async fn list_orders_by_billing_type(
        &self,
        customer_id: &str,
        billing_type: &OrderBillingType,
    ) -> Result<Vec<Order>, ApiError> {
        let c = guid("customer id", customer_id)?;
        let url = self.url(
            &["customers", c, "orders"],
            &[("billingType", billing_type.as_str())],
        );
        self.collect_pages(Call::get(url, Category::Order, Some(c)))
            .await
    }

    /// `GET …/orders/{order-id}/provisioningstatus` (App+User only).
    pub async fn get_order_provisioning_status(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> Result<Vec<OrderLineItemProvisioningStatus>, ApiError> {
        let c = guid("customer id", customer_id)?;
        let o = segment("order id", order_id)?;
        let url = self.url(&["customers", c, "orders", o, "provisioningstatus"], &[]);
        self.collect_pages(Call::get(url, Category::Order, Some(c)))
            .await
    }
}
