//! Token endpoint, bearer checks, App+User-only operations, header echo.

use super::common::*;

#[tokio::test]
async fn token_endpoint_issues_both_kinds_and_rejects_bad_credentials() {
    let s = start().await;
    let t = s.token("client_credentials").await;
    assert_eq!(t.status, 200);
    assert_eq!(t.body["token_type"], "Bearer");
    assert_eq!(t.body["expires_in"], "3599");
    assert!(t.body["expires_on"].is_string());
    let u = s.token("refresh_token").await;
    assert_eq!(u.status, 200);
    assert_eq!(u.body["scope"], "user_impersonation");

    let c = s.sandbox.credentials();
    let bad = s
        .send(
            s.http
                .post(s.url(&format!("/{}/oauth2/token", c.tenant_id)))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", c.client_id.as_str()),
                    ("client_secret", "wrong"),
                ]),
        )
        .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.body["error"], "invalid_client");
    let bad_refresh = s
        .send(
            s.http
                .post(s.url(&format!("/{}/oauth2/v2.0/token", c.tenant_id)))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", c.client_id.as_str()),
                    ("client_secret", c.client_secret.as_str()),
                    ("refresh_token", "nope"),
                ]),
        )
        .await;
    assert_eq!(bad_refresh.status, 400);
    assert_eq!(bad_refresh.body["error"], "invalid_grant");
}

#[tokio::test]
async fn calls_without_a_valid_token_get_401() {
    let s = start().await;
    let none = s
        .send(s.http.get(s.url(&format!("/v1/customers/{CONTOSO}"))))
        .await;
    assert_eq!(none.status, 401);
    let bogus = s
        .send(
            s.http
                .get(s.url(&format!("/v1/customers/{CONTOSO}")))
                .bearer_auth("bogus"),
        )
        .await;
    assert_eq!(bogus.status, 401);
    assert_eq!(bogus.body["source"], "PartnerFD");
}

#[tokio::test]
async fn app_only_tokens_are_refused_on_app_user_operations() {
    let s = start().await;
    for path in [
        format!("/v1/customers/{CONTOSO}/entitlements"),
        "/v1/invoices/summaries".to_string(),
        "/v1/invoices/G000000001".to_string(),
        "/v1/invoices/G000000001/documents/statement".to_string(),
        format!("/v1/customers/{CONTOSO}/orders/x/provisioningstatus"),
    ] {
        let r = s.get_app_only(&path).await;
        assert_eq!(r.status, 403, "{path}");
        assert_eq!(r.body["code"], 900329, "{path}");
        assert!(r.body["data"].is_array());
    }
    // Operations open to app-only tokens.
    assert_eq!(
        s.get_app_only(&format!("/v1/customers/{CONTOSO}"))
            .await
            .status,
        200
    );
    assert_eq!(s.get_app_only("/v1/invoices/summary").await.status, 200);
    assert_eq!(s.get_app_only("/v1/invoices").await.status, 200);
    assert_eq!(
        s.get(&format!("/v1/customers/{CONTOSO}/entitlements"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn request_and_correlation_ids_are_echoed() {
    let s = start().await;
    let r = s
        .send(
            s.http
                .get(s.url(&format!("/v1/customers/{CONTOSO}")))
                .bearer_auth(&s.app_user)
                .header("MS-RequestId", "11111111-1111-4111-8111-111111111111")
                .header("MS-CorrelationId", "22222222-2222-4222-8222-222222222222"),
        )
        .await;
    assert_eq!(
        r.header("ms-requestid").as_deref(),
        Some("11111111-1111-4111-8111-111111111111")
    );
    assert_eq!(
        r.header("ms-correlationid").as_deref(),
        Some("22222222-2222-4222-8222-222222222222")
    );
}
