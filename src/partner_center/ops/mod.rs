//! One async method per Partner Center operation, one file per area.

mod audit;
mod carts;
mod catalog;
mod customer_catalog;
mod customers;
mod entitlements;
mod invoices;
mod orders;

use super::Client;
use super::error::ApiError;
use super::http::{Call, Category, RequestId};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

impl Client {
    /// GET one resource.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        category: Category,
        customer: Option<&str>,
    ) -> Result<T, ApiError> {
        self.execute(&Call::get(url, category, customer))
            .await?
            .json()
    }

    /// A write call (POST/PUT) with an optional JSON body and the caller's request id.
    pub(crate) fn write_call<B: Serialize>(
        &self,
        method: Method,
        url: Url,
        category: Category,
        customer: Option<&str>,
        body: Option<&B>,
        request_id: RequestId,
    ) -> Result<Call, ApiError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| ApiError::Config {
                what: "cannot encode the request body".into(),
                source: Some(Box::new(e)),
            })?;
        let mut call = Call::get(url, category, customer);
        call.method = method;
        call.body = body;
        call.request_id = request_id;
        call.write = true;
        Ok(call)
    }
}

/// Query pairs for the catalog's optional `reservationScope`.
fn with_scope<'a>(
    mut q: Vec<(&'a str, &'a str)>,
    scope: Option<&'a super::wire::ReservationScope>,
) -> Vec<(&'a str, &'a str)> {
    if let Some(s) = scope {
        q.push(("reservationScope", s.as_str()));
    }
    q
}
