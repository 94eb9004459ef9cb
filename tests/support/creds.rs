//! The sandbox's credentials and library clients against a sandbox, plus a purchase made
//! through the client (cart and checkout, as apply would) to set up holdings.

use reservoir::manifest::Term;
use reservoir::partner_center::wire::{BillingCycle, CartLineItemRequest, CartRequest};
use reservoir::partner_center::{
    Client, ClientConfig, Credentials, ManualClock, RateLimits, RequestId, Secret,
};
use reservoir::sandbox::RunningSandbox;
use std::collections::BTreeMap;
use std::sync::Arc;

/// App+User credentials of `s` (client secret and refresh token).
pub(crate) fn app_user(s: &RunningSandbox) -> Credentials {
    let c = s.credentials();
    Credentials::app_user(
        &c.tenant_id,
        &c.client_id,
        Secret::new(c.client_secret),
        Secret::new(c.refresh_token),
        s.authority().as_str().trim_end_matches('/'),
    )
}

/// App-only credentials of `s` (client secret, no refresh token).
pub(crate) fn app_only(s: &RunningSandbox) -> Credentials {
    let c = s.credentials();
    Credentials::app_only(
        &c.tenant_id,
        &c.client_id,
        Secret::new(c.client_secret),
        s.authority().as_str().trim_end_matches('/'),
    )
}

/// An App+User client of `s` with the given rate limits.
pub(crate) fn client(s: &RunningSandbox, limits: RateLimits) -> Client {
    let mut cfg = ClientConfig::new(s.endpoint(), app_user(s));
    cfg.rate_limits = limits;
    Client::new(cfg).expect("the client builds")
}

/// A client with the given credentials whose waits go to `clock`.
pub(crate) fn client_with(s: &RunningSandbox, creds: Credentials, clock: &ManualClock) -> Client {
    let mut cfg = ClientConfig::new(s.endpoint(), creds);
    cfg.clock = Arc::new(clock.clone());
    Client::new(cfg).expect("the client builds")
}

/// Buys `quantity` of the reservation `catalog_item_id` on `subscription` (shared scope) with
/// one cart and one checkout through `client`.
pub(crate) async fn buy_reservation(
    client: &Client,
    customer: &str,
    subscription: &str,
    catalog_item_id: &str,
    term: Term,
    quantity: u32,
) {
    let cart = CartRequest {
        id: None,
        line_items: vec![CartLineItemRequest {
            purchase_commitment: None,
            id: 0,
            catalog_item_id: catalog_item_id.to_owned(),
            friendly_name: None,
            quantity: i64::from(quantity),
            billing_cycle: BillingCycle::OneTime,
            term_duration: Some(term.as_str().into()),
            provisioning_context: BTreeMap::from([
                ("subscriptionId".to_owned(), subscription.to_owned()),
                ("scope".to_owned(), "shared".to_owned()),
                ("duration".to_owned(), term.duration().to_owned()),
            ]),
            participants: vec![],
            attestation_accepted: None,
        }],
        partner_on_record_attestation_accepted: None,
    };
    let created = client
        .create_cart(customer, &cart, RequestId::new())
        .await
        .expect("cart");
    let result = client
        .checkout_cart(customer, &created.id, RequestId::new())
        .await
        .expect("checkout");
    assert_eq!(result.orders.len(), 1, "one order placed");
}
