//! A hostile or broken server cannot abuse the client: no redirect off the configured host (and
//! none at all for the token endpoint), secrets echoed in answers are masked, every wait is
//! bounded (Retry-After, endless paging, trickling and huge bodies, tiny token lifetimes), and a
//! refused connection keeps its io cause.

use super::mock::*;
use reservoir::partner_center::{ApiError, Client, ClientConfig, Credentials, Limits, Secret};
use serde_json::json;
use std::time::{Duration, Instant};

fn customer_body() -> serde_json::Value {
    json!({"id": CUSTOMER, "companyProfile": {"companyName": "Contoso"}, "billingProfile": {"defaultAddress": {"country": "US"}}})
}

/// A client like `mock::client` with changed limits and timeout.
fn client_with(mock: &Mock, creds: Credentials, limits: Limits, timeout: Duration) -> Client {
    let (_, clock) = client(mock, creds.clone());
    let mut cfg = ClientConfig::new(url::Url::parse(&mock.base).unwrap(), creds);
    cfg.clock = std::sync::Arc::new(clock);
    cfg.retry.max_attempts = 4;
    cfg.limits = limits;
    cfg.request_timeout = timeout;
    Client::new(cfg).unwrap()
}

#[tokio::test]
async fn a_cross_host_redirect_is_refused_and_never_followed() {
    let mock = Mock::start().await;
    let elsewhere = Mock::start().await; // another loopback port: another host
    let path = v1(&format!("/customers/{CUSTOMER}"));
    elsewhere.on("GET", &path, vec![Canned::json(200, customer_body())]);
    mock.on(
        "GET",
        &path,
        vec![Canned::empty(302).header("Location", &format!("{}{path}?leak=1", elsewhere.base))],
    );
    let (client, _) = super::mock::client(&mock, app_user(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Redirect { status: 302, .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    for part in [
        "GET",
        path.as_str(),
        "302",
        elsewhere.base.as_str(),
        "refused",
    ] {
        assert!(shown.contains(part), "{part} missing: {shown}");
    }
    assert!(
        !shown.contains("leak=1"),
        "only the target's origin is shown: {shown}"
    );
    assert!(
        elsewhere.api_requests().is_empty(),
        "the redirect was followed"
    );
    assert_eq!(mock.api_requests().len(), 1, "a redirect is not retried");

    // a write redirected elsewhere: refused, and its outcome is open
    let carts = v1(&format!("/customers/{CUSTOMER}/carts"));
    mock.on(
        "POST",
        &carts,
        vec![Canned::empty(307).header("Location", &format!("{}{carts}", elsewhere.base))],
    );
    let req = reservoir::partner_center::wire::CartRequest::default();
    let err = client
        .create_cart(CUSTOMER, &req, reservoir::partner_center::RequestId::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Redirect { status: 307, .. }),
        "{err:?}"
    );
    assert!(err.outcome_unknown());
    assert!(elsewhere.api_requests().is_empty());
}

#[tokio::test]
async fn a_same_host_redirect_is_followed() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}"));
    let moved = v1(&format!("/customers/{CUSTOMER}/moved"));
    mock.on(
        "GET",
        &path,
        vec![Canned::empty(307).header("Location", &moved)],
    );
    mock.on("GET", &moved, vec![Canned::json(200, customer_body())]);
    let (client, _) = super::mock::client(&mock, app_only(&mock));
    let c = client.get_customer(CUSTOMER).await.unwrap();
    assert_eq!(c.id, CUSTOMER);
    let reqs = mock.api_requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].header("authorization").as_deref(),
        Some("Bearer access-token-1")
    );
}

#[tokio::test]
async fn the_token_endpoint_follows_no_redirect() {
    let mock = Mock::start().await;
    let elsewhere = Mock::start().await;
    let token_path = format!("/{TENANT}/oauth2/token");
    mock.on(
        "POST",
        &token_path,
        vec![Canned::empty(307).header("Location", &format!("{}{token_path}", elsewhere.base))],
    );
    let (client, _) = super::mock::client(&mock, app_user(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Auth {
                status: Some(307),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("redirect"), "{err}");
    assert!(
        elsewhere.token_requests().is_empty(),
        "the client secret and refresh token were re-sent to another host"
    );
    assert_eq!(mock.token_requests().len(), 1, "not retried");
    assert!(mock.api_requests().is_empty());
}

#[tokio::test]
async fn secrets_echoed_by_the_server_are_masked() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}"));
    // access-token-1 is what the mock issues first
    let echo = format!(
        "bad request from client_secret={CLIENT_SECRET} refresh_token={REFRESH_TOKEN} Authorization: Bearer access-token-1"
    );
    mock.on("GET", &path, vec![Canned::error(400, json!(800002), &echo)]);
    let (client, _) = super::mock::client(&mock, app_user(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    let shown = format!("{err} | {err:?} | {err:#}");
    for secret in [CLIENT_SECRET, REFRESH_TOKEN, "access-token-1"] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    assert!(shown.contains("client_secret=***"), "{shown}");
    assert!(shown.contains("Bearer ***"), "{shown}");

    // the token endpoint echoing the form back
    let mock = Mock::start().await;
    mock.on("POST", &format!("/{TENANT}/oauth2/token"), vec![Canned::json(
        400,
        json!({"error": "invalid_grant", "error_description": format!("refresh token {REFRESH_TOKEN} with secret {CLIENT_SECRET} is not valid")}),
    )]);
    let (client, _) = super::mock::client(&mock, app_user(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    let shown = format!("{err} | {err:?}");
    assert!(
        !shown.contains(CLIENT_SECRET) && !shown.contains(REFRESH_TOKEN),
        "{shown}"
    );
    assert!(
        shown.contains("refresh token *** with secret ***"),
        "{shown}"
    );

    // a ready access token echoed in a next link that points elsewhere
    let mock = Mock::start().await;
    let ready = "ready-access-token-echoed-9f2";
    mock.on("GET", &v1(&format!("/customers/{CUSTOMER}/orders")), vec![Canned::json(
        200,
        json!({"items": [], "links": {"next": {"uri": format!("https://evil.example/v1/x?t={ready}")}}}),
    )]);
    let (client, _) = super::mock::client(&mock, Credentials::AccessToken(Secret::new(ready)));
    let err = client.list_orders(CUSTOMER).await.unwrap_err();
    let shown = format!("{err} | {err:?}");
    assert!(!shown.contains(ready), "{shown}");
    assert!(shown.contains("t=***"), "{shown}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_at_once_naming_the_wait() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}"));
    mock.on(
        "GET",
        &path,
        vec![
            Canned::json(
                429,
                json!({"statusCode": 429, "message": "Rate limit is exceeded."}),
            )
            .header("Retry-After", "86400"),
        ],
    );
    let (client, clock) = super::mock::client(&mock, app_only(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::RetryAfterTooLong {
                asked_secs: 86400,
                cap_secs: 120,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("86400"), "{err}");
    assert!(err.to_string().contains(&path), "{err}");
    assert_eq!(
        clock.sleeps().iter().sum::<Duration>(),
        Duration::ZERO,
        "waited"
    );
    assert_eq!(mock.api_requests().len(), 1);

    // a Retry-After within the cap is still honoured
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &path,
        vec![
            Canned::json(429, json!({"message": "slow down"})).header("Retry-After", "100"),
            Canned::json(200, customer_body()),
        ],
    );
    let (client, clock) = super::mock::client(&mock, app_only(&mock));
    client.get_customer(CUSTOMER).await.unwrap();
    assert!(clock.sleeps().iter().sum::<Duration>() >= Duration::from_secs(100));
}

#[tokio::test]
async fn endless_paging_ends_with_a_clear_error() {
    // a next link that always moves on
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}/orders"));
    mock.on_fn("GET", &path, |n| {
        Canned::json(
            200,
            json!({"items": [{"id": format!("o{n}")}],
            "links": {"next": {"uri": format!("/customers/{CUSTOMER}/orders?offset={}", n + 1)}}}),
        )
    });
    let limits = Limits {
        max_pages: 25,
        ..Limits::default()
    };
    let client = client_with(&mock, app_user(&mock), limits, Duration::from_secs(10));
    let err = client.list_orders(CUSTOMER).await.unwrap_err();
    assert!(matches!(err, ApiError::Paging { .. }), "{err:?}");
    assert!(err.to_string().contains("more than 25 pages"), "{err}");
    assert_eq!(mock.api_requests().len(), 25);

    // the same continuation token under ever-changing links
    let mock = Mock::start().await;
    mock.on_fn("GET", &path, |n| {
        Canned::json(
            200,
            json!({"items": [{"id": format!("o{n}")}],
            "links": {"next": {"uri": format!("/customers/{CUSTOMER}/orders?page={n}"),
                "headers": [{"key": "MS-ContinuationToken", "value": "same-token"}]}}}),
        )
    });
    let (client, _) = super::mock::client(&mock, app_user(&mock));
    let err = client.list_orders(CUSTOMER).await.unwrap_err();
    assert!(
        err.to_string().contains("continuation token repeats"),
        "{err}"
    );
    assert_eq!(mock.api_requests().len(), 2);

    // empty pages that keep announcing another one
    let mock = Mock::start().await;
    mock.on_fn("GET", &path, |n| {
        Canned::json(
            200,
            json!({"items": [],
            "links": {"next": {"uri": format!("/customers/{CUSTOMER}/orders?offset={n}")}}}),
        )
    });
    let (client, _) = super::mock::client(&mock, app_user(&mock));
    let err = client.list_orders(CUSTOMER).await.unwrap_err();
    assert!(err.to_string().contains("empty pages"), "{err}");
    assert_eq!(mock.api_requests().len(), Limits::default().max_empty_pages);

    // too many items
    let mock = Mock::start().await;
    mock.on_fn("GET", &path, |n| {
        let items: Vec<_> = (0..10)
            .map(|i| json!({"id": format!("o{n}-{i}")}))
            .collect();
        Canned::json(
            200,
            json!({"items": items,
            "links": {"next": {"uri": format!("/customers/{CUSTOMER}/orders?offset={}", n + 1)}}}),
        )
    });
    let limits = Limits {
        max_items: 35,
        ..Limits::default()
    };
    let client = client_with(&mock, app_user(&mock), limits, Duration::from_secs(10));
    let err = client.list_orders(CUSTOMER).await.unwrap_err();
    assert!(err.to_string().contains("more than 35 items"), "{err}");
    assert_eq!(mock.api_requests().len(), 4);
}

#[tokio::test]
async fn a_trickling_body_fails_at_the_deadline() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}"));
    let mut slow = Canned::json(200, customer_body()).trickled(Duration::from_millis(50));
    slow.body.extend(std::iter::repeat_n(b' ', 200)); // ~15 s at this pace
    mock.on("GET", &path, vec![slow]);
    let client = client_with(
        &mock,
        app_only(&mock),
        Limits::default(),
        Duration::from_secs(1),
    );
    let started = Instant::now();
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(matches!(err, ApiError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(err.to_string().contains("1s"), "names the deadline: {err}");
    assert_eq!(
        mock.api_requests().len(),
        1,
        "a slow answer is not asked again"
    );
}

#[tokio::test]
async fn a_huge_body_is_refused_without_reading_it_all() {
    let limits = Limits {
        max_body_bytes: 1024,
        ..Limits::default()
    };
    let path = v1(&format!("/customers/{CUSTOMER}"));
    // announced by Content-Length
    let mock = Mock::start().await;
    let mut big = Canned::json(200, customer_body());
    big.body.extend(std::iter::repeat_n(b' ', 4096));
    mock.on("GET", &path, vec![big.clone()]);
    let client = client_with(
        &mock,
        app_only(&mock),
        limits.clone(),
        Duration::from_secs(10),
    );
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::BodyTooLarge {
                limit_bytes: 1024,
                status: 200,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("1024 bytes"), "{err}");
    assert_eq!(mock.api_requests().len(), 1);

    // streamed without a length
    let mock = Mock::start().await;
    mock.on("GET", &path, vec![big.trickled(Duration::ZERO)]);
    let client = client_with(&mock, app_only(&mock), limits, Duration::from_secs(10));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(matches!(err, ApiError::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn a_zero_token_lifetime_does_not_fetch_a_token_per_call() {
    let mock = Mock::start().await;
    mock.token_expires_in("0");
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::json(200, customer_body())],
    );
    let (client, clock) = super::mock::client(&mock, app_only(&mock));
    for _ in 0..5 {
        client.get_customer(CUSTOMER).await.unwrap();
    }
    assert_eq!(mock.token_requests().len(), 1);
    clock.advance(Duration::from_secs(61));
    client.get_customer(CUSTOMER).await.unwrap();
    assert_eq!(mock.token_requests().len(), 2, "renewed after the floor");
}

#[tokio::test]
async fn a_refused_connection_keeps_its_io_cause() {
    let mut mock = Mock::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tokens = mock.authority();
    mock.base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let creds = Credentials::app_only(TENANT, "client-id", Secret::new(CLIENT_SECRET), &tokens);
    let (client, _) = super::mock::client(&mock, creds);
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot connect (connection refused)"),
        "{err}"
    );
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&err);
    let mut io = None;
    while let Some(c) = cause {
        if let Some(e) = c.downcast_ref::<std::io::Error>() {
            io = Some(e.kind());
        }
        cause = c.source();
    }
    assert_eq!(io, Some(std::io::ErrorKind::ConnectionRefused), "{err:?}");
}

#[tokio::test]
async fn partner_center_codes_are_integers_when_numeric() {
    let mock = Mock::start().await;
    let path = v1(&format!("/customers/{CUSTOMER}"));
    mock.on(
        "GET",
        &path,
        vec![Canned::error(403, json!("20002"), "no relationship")],
    );
    let (client, _) = super::mock::client(&mock, app_only(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert_eq!(
        (err.code(), err.code_number()),
        (Some("20002"), Some(20002))
    );
    let mock = Mock::start().await;
    mock.on(
        "GET",
        &path,
        vec![Canned::error(400, json!("InvalidInput"), "bad")],
    );
    let (client, _) = super::mock::client(&mock, app_only(&mock));
    let err = client.get_customer(CUSTOMER).await.unwrap_err();
    assert_eq!(
        (err.code(), err.code_number()),
        (Some("InvalidInput"), None)
    );
}

#[test]
fn an_insecure_authority_is_refused_like_an_insecure_endpoint() {
    let creds = Credentials::app_only(
        TENANT,
        "client-id",
        Secret::new(CLIENT_SECRET),
        "http://login.example.com",
    );
    let cfg = ClientConfig::new(url::Url::parse("https://api.example.com").unwrap(), creds);
    let err = Client::new(cfg).unwrap_err();
    assert!(
        err.to_string().contains("PARTNER_CENTER_AUTHORITY"),
        "{err}"
    );
    assert!(err.to_string().contains("https"), "{err}");
}
