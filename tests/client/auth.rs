//! Tokens: client credentials and refresh-token grants, caching, one refresh on 401,
//! 403/900329, and no secret in any error or Debug output.

use super::mock::*;
use reservoir::partner_center::{ApiError, Credentials, CredentialsKind, Secret};
use serde_json::json;
use std::time::Duration;

fn customer_body() -> serde_json::Value {
    json!({"id": CUSTOMER, "billingProfile": {"defaultAddress": {"country": "US"}}})
}

#[tokio::test]
async fn app_only_token_is_fetched_once_and_cached_across_calls() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(200, customer_body())],
    );
    let (client, _) = client(&mock, app_only(&mock));
    assert_eq!(client.credentials_kind(), CredentialsKind::AppOnly);
    for _ in 0..3 {
        client.get_customer(CUSTOMER).await.unwrap();
    }
    let tokens = mock.token_requests();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].path, format!("/{TENANT}/oauth2/token"));
    let form = tokens[0].form();
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["resource"], "https://api.partnercenter.microsoft.com");
    assert_eq!(form["client_id"], "client-id");
    for r in mock.api_requests() {
        assert_eq!(
            r.header("authorization").as_deref(),
            Some("Bearer access-token-1")
        );
    }
    assert_eq!(client.stats().by_category.get("auth"), Some(&1));
}

#[tokio::test]
async fn token_is_renewed_shortly_before_expiry() {
    let mock = Mock::start().await;
    mock.token_expires_in("3600");
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(200, customer_body())],
    );
    let (client, clock) = client(&mock, app_only(&mock));
    client.get_customer(CUSTOMER).await.unwrap();
    clock.advance(Duration::from_secs(3000));
    client.get_customer(CUSTOMER).await.unwrap();
    assert_eq!(
        mock.token_requests().len(),
        1,
        "still valid well before expiry"
    );
    clock.advance(Duration::from_secs(400)); // within the 5-minute buffer
    client.get_customer(CUSTOMER).await.unwrap();
    assert_eq!(mock.token_requests().len(), 2);
}

#[tokio::test]
async fn app_user_uses_the_refresh_token_and_keeps_the_rotated_one() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![
            Canned::json(200, customer_body()),
            Canned::error(401, json!(0), "expired"),
            Canned::json(200, customer_body()),
        ],
    );
    let (client, _) = client(&mock, app_user(&mock));
    assert_eq!(client.credentials_kind(), CredentialsKind::AppUser);
    client.get_customer(CUSTOMER).await.unwrap();
    client.get_customer(CUSTOMER).await.unwrap();
    let tokens = mock.token_requests();
    assert_eq!(tokens.len(), 2);
    let first = tokens[0].form();
    assert_eq!(first["grant_type"], "refresh_token");
    assert_eq!(first["refresh_token"], REFRESH_TOKEN);
    assert_eq!(first["scope"], "openid");
    assert_eq!(tokens[1].form()["refresh_token"], "rotated-refresh-1");
}

#[tokio::test]
async fn a_401_refreshes_exactly_once_then_retries() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}"));
    mock.on(
        "GET",
        &path,
        vec![
            Canned::error(401, json!(0), "token expired"),
            Canned::json(200, customer_body()),
        ],
    );
    let (client, clock) = client(&mock, app_only(&mock));
    let c = client.get_customer(CUSTOMER).await.unwrap();
    assert_eq!(c.country(), Some("US"));
    assert_eq!(mock.token_requests().len(), 2);
    let api = mock.api_requests();
    assert_eq!(api.len(), 2);
    assert_eq!(
        api[1].header("authorization").as_deref(),
        Some("Bearer access-token-2")
    );
    assert_eq!(api[0].header("ms-requestid"), api[1].header("ms-requestid"));
    assert!(clock.sleeps().is_empty(), "a 401 retry does not back off");

    // a second 401 in a row is final
    mock.on("GET", &path, vec![Canned::error(401, json!(0), "still no")]);
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        mock.token_requests().len(),
        3,
        "exactly one refresh per operation"
    );
    assert_eq!(mock.api_requests().len(), 4);
}

#[tokio::test]
async fn app_only_on_app_user_resource_is_a_distinct_error() {
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}/entitlements")),
        vec![Canned::error(
            403,
            json!(900329),
            "resource does not support application-only authentication",
        )],
    );
    let (client, _) = client(&mock, app_only(&mock));
    let err = client
        .list_entitlements(CUSTOMER, None, false)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::AppUserRequired { .. }), "{err:?}");
    assert!(err.to_string().contains("App+User"), "{err}");
    assert_eq!(err.code(), Some("900329"));
    assert_eq!(mock.api_requests().len(), 1, "not retried");

    // the code may also arrive as a string
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}/entitlements")),
        vec![Canned::error(403, json!("900329"), "x")],
    );
    let err = client
        .list_entitlements(CUSTOMER, None, false)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::AppUserRequired { .. }));
}

#[tokio::test]
async fn secrets_never_appear_in_errors_or_debug() {
    let mock = Mock::start().await;
    mock.on("POST", &format!("/{TENANT}/oauth2/token"), vec![Canned::json(
        400,
        json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}),
    )]);
    let creds = app_user(&mock);
    let (client, _) = client(&mock, creds.clone());
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    let shown = format!("{err} | {err:?} | {creds:?} | {client:?}");
    for secret in [CLIENT_SECRET, REFRESH_TOKEN] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("invalid_client"), "{shown}");

    // an API error after a successful token: no access token in it either
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::error(404, json!(20002), "no relationship")],
    );
    let (client, _) = super::mock::client(
        &mock,
        Credentials::AccessToken(Secret::new("ready-made-access-token")),
    );
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    let shown = format!("{err} | {err:?} | {client:?}");
    assert!(
        !shown.contains("ready-made-access-token") && !shown.contains("access-token"),
        "{shown}"
    );
    assert_eq!(
        mock.api_requests()[0].header("authorization").as_deref(),
        Some("Bearer ready-made-access-token")
    );
    assert!(mock.token_requests().is_empty());
}
