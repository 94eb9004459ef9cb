//! Customers, subscriptions and registration (docs/partner-center.md §7).

use crate::partner_center::error::ApiError;
use crate::partner_center::http::{Call, Category, RequestId};
use crate::partner_center::wire::{
    Customer, RegistrationAccepted, RegistrationStatus, Subscription,
};
use crate::partner_center::{Client, guid};
use reqwest::Method;

impl Client {
    /// `GET /v1/customers/{id}`.
    pub async fn get_customer(&self, customer_id: &str) -> Result<Customer, ApiError> {
        let c = guid("customer id", customer_id)?;
        self.get_json(
            self.url(&["customers", c], &[]),
            Category::Customer,
            Some(c),
        )
        .await
    }

    /// `GET /v1/customers` — every customer, following seek paging (`links.next` +
    /// `MS-ContinuationToken`).
    pub async fn list_customers(&self, page_size: Option<u32>) -> Result<Vec<Customer>, ApiError> {
        let size = page_size.map(|s| s.to_string());
        let q: Vec<(&str, &str)> = size
            .as_deref()
            .map(|s| vec![("size", s)])
            .unwrap_or_default();
        self.collect_pages(Call::get(
            self.url(&["customers"], &q),
            Category::Customer,
            None,
        ))
        .await
    }

    /// `GET /v1/customers/{id}/subscriptions`.
    pub async fn list_subscriptions(
        &self,
        customer_id: &str,
    ) -> Result<Vec<Subscription>, ApiError> {
        let c = guid("customer id", customer_id)?;
        let url = self.url(&["customers", c, "subscriptions"], &[]);
        self.collect_pages(Call::get(url, Category::Customer, Some(c)))
            .await
    }

    /// `GET /v1/customers/{id}/subscriptions/{subscription-id}`.
    pub async fn get_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> Result<Subscription, ApiError> {
        let c = guid("customer id", customer_id)?;
        let s = guid("subscription id", subscription_id)?;
        self.get_json(
            self.url(&["customers", c, "subscriptions", s], &[]),
            Category::Customer,
            Some(c),
        )
        .await
    }

    /// `POST …/subscriptions/{id}/registrations` → 202 with a `Location` header.
    pub async fn register_subscription(
        &self,
        customer_id: &str,
        subscription_id: &str,
        request_id: RequestId,
    ) -> Result<RegistrationAccepted, ApiError> {
        let c = guid("customer id", customer_id)?;
        let s = guid("subscription id", subscription_id)?;
        let url = self.url(&["customers", c, "subscriptions", s, "registrations"], &[]);
        let call = self.write_call::<()>(
            Method::POST,
            url,
            Category::Customer,
            Some(c),
            None,
            request_id,
        )?;
        let reply = self.execute(&call).await?;
        Ok(RegistrationAccepted {
            location: reply.header("location"),
        })
    }

    /// `GET …/subscriptions/{id}/registrationstatus`.
    pub async fn get_registration_status(
        &self,
        customer_id: &str,
        subscription_id: &str,
    ) -> Result<RegistrationStatus, ApiError> {
        let c = guid("customer id", customer_id)?;
        let s = guid("subscription id", subscription_id)?;
        let url = self.url(
            &["customers", c, "subscriptions", s, "registrationstatus"],
            &[],
        );
        self.get_json(url, Category::Customer, Some(c)).await
    }
}
