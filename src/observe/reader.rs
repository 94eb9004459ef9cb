//! [`Reader`]: the read-only face of the Partner Center client. `observe` and `catalog` only ever
//! hold a `Reader`, which exposes GETs and the read-only inventory check — no cart, checkout or
//! registration method exists on it, so `plan` has no code path that can write (DESIGN.md §1,
//! promise 2).

use crate::partner_center::wire::{
    Availability, Customer, Entitlement, EntitlementType, InventoryCheckRequest, InventoryItem,
    ItemType, Order, OrderBillingType, Product, RegistrationStatus, ReservationScope, Sku,
    Subscription, TargetView,
};
use crate::partner_center::{ApiError, Client, CredentialsKind, Stats};

/// A Partner Center client that can only read.
#[derive(Clone, Debug)]
pub struct Reader {
    client: Client,
}

impl Reader {
    /// Wraps a client; the wrapper never hands the client back.
    pub fn new(client: &Client) -> Self {
        Reader {
            client: client.clone(),
        }
    }

    /// The kind of credentials the client uses.
    pub fn credentials_kind(&self) -> CredentialsKind {
        self.client.credentials_kind()
    }

    /// Request counters of the underlying client.
    pub fn stats(&self) -> Stats {
        self.client.stats()
    }

    /// The price sheet of a market and view for a month (`YYYYMM`), as CSV text.
    pub async fn get_price_sheet(
        &self,
        market: &str,
        view: &str,
        month: &str,
    ) -> Result<String, ApiError> {
        self.client.get_price_sheet(market, view, month).await
    }

    pub async fn get_customer(&self, customer_id: &str) -> Result<Customer, ApiError> {
        self.client.get_customer(customer_id).await
    }

    pub async fn list_subscriptions(
        &self,
        customer_id: &str,
    ) -> Result<Vec<Subscription>, ApiError> {
        self.client.list_subscriptions(customer_id).await
    }

    pub async fn get_registration_status(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> Result<RegistrationStatus, ApiError> {
        self.client
            .get_registration_status(customer_id, subscription_id)
            .await
    }

    /// Every entitlement of every type, with `expiryDate` (`showExpiry=true`).
    pub async fn list_all_entitlements(
        &self,
        customer_id: &str,
    ) -> Result<Vec<Entitlement>, ApiError> {
        self.client
            .list_entitlements(customer_id, None::<&EntitlementType>, true)
            .await
    }

    pub async fn get_order(&self, customer_id: &str, order_id: &str) -> Result<Order, ApiError> {
        self.client.get_order(customer_id, order_id).await
    }

    /// The customer's one-time orders (`billingType=OneTime`).
    pub async fn list_one_time_orders(&self, customer_id: &str) -> Result<Vec<Order>, ApiError> {
        self.client
            .list_orders_by_billing_type(customer_id, &OrderBillingType::OneTime)
            .await
    }

    pub async fn list_products(
        &self,
        country: &str,
        view: &TargetView,
        scope: Option<&ReservationScope>,
    ) -> Result<Vec<Product>, ApiError> {
        self.client.list_products(country, view, scope).await
    }

    /// A product's `productType` (`GET /v1/products/{id}?country=`; Azure-plan reservation
    /// products are asked for again with `reservationScope=AzurePlan` when the first answer is a
    /// 404). `None` when the product gives no type.
    pub async fn get_product_type(
        &self,
        product_id: &str,
        country: &str,
    ) -> Result<Option<ItemType>, ApiError> {
        let p = match self.client.get_product(product_id, country, None).await {
            Err(e) if e.is_not_found() => {
                self.client
                    .get_product(product_id, country, Some(&ReservationScope::AzurePlan))
                    .await?
            }
            r => r?,
        };
        Ok(p.product_type)
    }

    pub async fn list_skus(
        &self,
        product_id: &str,
        country: &str,
        scope: Option<&ReservationScope>,
    ) -> Result<Vec<Sku>, ApiError> {
        self.client.list_skus(product_id, country, scope).await
    }

    /// The availabilities of a SKU for one segment (`targetSegment`, e.g. `commercial`).
    pub async fn list_availabilities(
        &self,
        product_id: &str,
        sku_id: &str,
        country: &str,
        scope: Option<&ReservationScope>,
        segment: &str,
    ) -> Result<Vec<Availability>, ApiError> {
        self.client
            .list_availabilities_for_segment(product_id, sku_id, country, scope, segment)
            .await
    }

    /// The partner activity log (`GET /v1/auditrecords`, every page; partner-center-api.md §14).
    pub async fn list_audit_records(
        &self,
        query: &crate::partner_center::wire::audit::AuditQuery,
    ) -> Result<Vec<crate::partner_center::wire::audit::AuditRecord>, ApiError> {
        self.client.list_audit_records(query).await
    }

    /// The inventory check: a POST that reads (docs/partner-center.md §8).
    pub async fn check_inventory(
        &self,
        country: &str,
        request: &InventoryCheckRequest,
    ) -> Result<Vec<InventoryItem>, ApiError> {
        self.client.check_inventory(country, request).await
    }
}
