//! [`Reader`]: the read-only face of the Partner Center client. `observe` and `catalog` only ever
//! hold a `Reader`, which exposes GETs and the read-only inventory check — no cart, checkout or
//! registration method exists on it, so `plan` has no code path that can write (DESIGN.md §1,
//! promise 2).

use crate::partner_center::wire::{
    Availability, Customer, Entitlement, EntitlementType, InventoryCheckRequest, InventoryItem,
    Invoice, InvoiceSummary, ItemType, Link, OneTimeInvoiceLineItem, Order, OrderBillingType,
    OrderLineItemProvisioningStatus, Product, RegistrationStatus, ReservationScope,
    ReservedInstanceArtifactDetails, Sku, Subscription, TargetView,
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

    /// The client's clock (the run's time source).
    pub fn clock(&self) -> &std::sync::Arc<dyn crate::time::Clock> {
        self.client.clock()
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

    /// The FX rates of a month (`YYYYMM`), as CSV text.
    pub async fn get_fx_rates(&self, month: &str) -> Result<String, ApiError> {
        self.client.get_fx_rates(month).await
    }

    /// A product's SKUs read by customer (savings plans).
    pub async fn list_customer_skus(
        &self,
        customer_id: &str,
        product_id: &str,
        target_view: &str,
    ) -> Result<Vec<Sku>, ApiError> {
        self.client
            .list_customer_skus(customer_id, product_id, target_view)
            .await
    }

    /// A SKU's availabilities read by customer, for one segment (savings plans).
    pub async fn list_customer_availabilities(
        &self,
        customer_id: &str,
        product_id: &str,
        sku_id: &str,
        target_view: &str,
        segment: &str,
    ) -> Result<Vec<Availability>, ApiError> {
        self.client
            .list_customer_availabilities(customer_id, product_id, sku_id, target_view, segment)
            .await
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

/// The reads of the lifecycle and billing views (`orders`, `entitlements`, `invoices`,
/// `reconcile`), which hold a `Reader` too.
impl Reader {
    /// The partner's customers (every page).
    pub async fn list_customers(&self, page_size: Option<u32>) -> Result<Vec<Customer>, ApiError> {
        self.client.list_customers(page_size).await
    }

    /// Every order of the customer, all billing types.
    pub async fn list_orders(&self, customer_id: &str) -> Result<Vec<Order>, ApiError> {
        self.client.list_orders(customer_id).await
    }

    /// The customer's orders of one billing type.
    pub async fn list_orders_by_billing_type(
        &self,
        customer_id: &str,
        billing_type: &OrderBillingType,
    ) -> Result<Vec<Order>, ApiError> {
        self.client
            .list_orders_by_billing_type(customer_id, billing_type)
            .await
    }

    /// The customer's entitlements, optionally of one type.
    pub async fn list_entitlements(
        &self,
        customer_id: &str,
        entitlement_type: Option<&EntitlementType>,
        show_expiry: bool,
    ) -> Result<Vec<Entitlement>, ApiError> {
        self.client
            .list_entitlements(customer_id, entitlement_type, show_expiry)
            .await
    }

    /// The provisioning status of each line of an order.
    pub async fn get_order_provisioning_status(
        &self,
        customer_id: &str,
        order_id: &str,
    ) -> Result<Vec<OrderLineItemProvisioningStatus>, ApiError> {
        self.client
            .get_order_provisioning_status(customer_id, order_id)
            .await
    }

    /// The details behind an entitlement's reservation link.
    pub async fn get_reservation_details(
        &self,
        customer_id: &str,
        link: &Link,
    ) -> Result<ReservedInstanceArtifactDetails, ApiError> {
        self.client.get_reservation_details(customer_id, link).await
    }

    pub async fn get_invoice_summary(&self) -> Result<InvoiceSummary, ApiError> {
        self.client.get_invoice_summary().await
    }

    pub async fn list_invoice_summaries(&self) -> Result<Vec<InvoiceSummary>, ApiError> {
        self.client.list_invoice_summaries().await
    }

    pub async fn list_invoices(&self, page_size: u32) -> Result<Vec<Invoice>, ApiError> {
        self.client.list_invoices(page_size).await
    }

    pub async fn get_invoice(&self, invoice_id: &str) -> Result<Invoice, ApiError> {
        self.client.get_invoice(invoice_id).await
    }

    pub async fn list_onetime_line_items(
        &self,
        invoice_id: &str,
        page_size: u32,
    ) -> Result<Vec<OneTimeInvoiceLineItem>, ApiError> {
        self.client
            .list_onetime_line_items(invoice_id, page_size)
            .await
    }

    /// The invoice's PDF statement.
    pub async fn get_invoice_statement(&self, invoice_id: &str) -> Result<bytes::Bytes, ApiError> {
        self.client.get_invoice_statement(invoice_id).await
    }
}

/// A `Reader` on App+User credentials against a sandbox started with `options`, paced far above
/// anything a test spends (60,000/min), making `max_attempts` attempts per call. For library tests
/// that read through the sandbox.
#[cfg(test)]
pub(crate) async fn sandbox_reader(
    options: crate::sandbox::SandboxOptions,
    max_attempts: u32,
) -> (crate::sandbox::RunningSandbox, Reader) {
    sandbox_reader_on(options, max_attempts, crate::time::system()).await
}

/// [`sandbox_reader`] whose client runs on `clock` (its waits, retries and limiter).
#[cfg(test)]
pub(crate) async fn sandbox_reader_on(
    options: crate::sandbox::SandboxOptions,
    max_attempts: u32,
    clock: std::sync::Arc<dyn crate::time::Clock>,
) -> (crate::sandbox::RunningSandbox, Reader) {
    use crate::partner_center::{ClientConfig, Credentials, Secret};
    let sandbox = crate::sandbox::start(options).await.expect("sandbox");
    let c = sandbox.credentials();
    let creds = Credentials::app_user(
        &c.tenant_id,
        &c.client_id,
        Secret::new(c.client_secret),
        Secret::new(c.refresh_token),
        sandbox.authority().as_str().trim_end_matches('/'),
    );
    let mut config = ClientConfig::new(sandbox.endpoint(), creds);
    config.rate_limits = crate::partner_center::RateLimits::new(60_000, 60_000);
    config.retry.max_attempts = max_attempts;
    config.clock = clock;
    let reader = Reader::new(&Client::new(config).expect("client"));
    (sandbox, reader)
}
