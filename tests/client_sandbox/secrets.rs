//! Secrets never reach a failing call's error text (Display or Debug), checked with the real
//! values: the client secret, the refresh token and the access token in use.

use super::common::*;
use reservoir::partner_center::{ApiError, Client, ClientConfig, Credentials, ManualClock, Secret};
use reservoir::sandbox::FaultKind;
use std::sync::Arc;

fn assert_clean(err: &ApiError, secrets: &[&str]) {
    let shown = format!("{err} | {err:?} | {:?}", std::error::Error::source(err));
    for s in secrets {
        assert!(!s.is_empty());
        assert!(!shown.contains(s), "error text leaks a secret: {shown}");
    }
}

/// Gets an access token from the sandbox directly (as any tool would).
async fn token(env: &Env) -> String {
    let c = env.sandbox.credentials();
    let url = format!(
        "{}/{}/oauth2/token",
        env.sandbox.authority().as_str().trim_end_matches('/'),
        c.tenant_id
    );
    let body: serde_json::Value = reqwest::Client::new()
        .post(url)
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
            ("refresh_token", c.refresh_token.as_str()),
            ("resource", "https://api.partnercenter.microsoft.com"),
        ])
        .send()
        .await
        .expect("token call")
        .json()
        .await
        .expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

#[tokio::test]
async fn failing_calls_do_not_show_secrets() {
    let env = start().await;
    let creds = env.sandbox.credentials();
    let access = token(&env).await;
    let secrets = [
        creds.client_secret.as_str(),
        creds.refresh_token.as_str(),
        access.as_str(),
    ];

    // A ready access token: 404, exhausted 5xx, and a dropped connection.
    let clock = ManualClock::new();
    let mut cfg = ClientConfig::new(
        env.sandbox.endpoint(),
        Credentials::AccessToken(Secret::new(access.clone())),
    );
    cfg.clock = Arc::new(clock.clone());
    let with_token = Client::new(cfg).expect("client");
    let e = with_token
        .get_customer("00000000-0000-4000-8000-000000000000")
        .await
        .expect_err("unknown customer");
    assert_clean(&e, &secrets);
    env.fault(
        "GET",
        "/v1/invoices/summary",
        FaultKind::ServerError { status: 503 },
        100,
    );
    let e = with_token.get_invoice_summary().await.expect_err("503");
    assert_clean(&e, &secrets);
    assert!(format!("{with_token:?}").find(&access).is_none());

    // App+User credentials: a failing call after a successful token fetch.
    let e = env
        .client
        .get_order(CONTOSO, "no-such-order")
        .await
        .expect_err("unknown order");
    assert_clean(&e, &secrets);
    let e = env.client.get_invoice_summary().await.expect_err("503");
    assert_clean(&e, &secrets);

    // Token request refused: a wrong refresh token (the real secret is still sent).
    let wrong_refresh = "wrong-refresh-token-value-123";
    let bad = client_with(
        &env.sandbox,
        Credentials::app_user(
            &creds.tenant_id,
            &creds.client_id,
            Secret::new(creds.client_secret.clone()),
            Secret::new(wrong_refresh.to_string()),
            env.sandbox.authority().as_str().trim_end_matches('/'),
        ),
        &clock,
    );
    let e = bad.get_customer(CONTOSO).await.expect_err("token refused");
    assert!(matches!(e, ApiError::Auth { .. }), "{e:?}");
    assert_clean(&e, &[secrets[0], secrets[1], wrong_refresh]);

    // Token request refused: a wrong client secret.
    let wrong_secret = "wrong-client-secret-value-456";
    let bad = client_with(
        &env.sandbox,
        Credentials::app_only(
            &creds.tenant_id,
            &creds.client_id,
            Secret::new(wrong_secret.to_string()),
            env.sandbox.authority().as_str().trim_end_matches('/'),
        ),
        &clock,
    );
    let e = bad.get_customer(CONTOSO).await.expect_err("token refused");
    assert_clean(&e, &[secrets[0], secrets[1], wrong_secret]);
}

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn logs_at_trace_level_do_not_show_secrets() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let env = start().await;
    let creds = env.sandbox.credentials();
    // Successful calls (a token is fetched), a throttled and retried one, and failures.
    env.client.get_customer(CONTOSO).await.expect("customer");
    env.fault(
        "GET",
        "/v1/customers/*",
        FaultKind::RateLimit {
            retry_after_seconds: 2,
        },
        1,
    );
    env.client.get_customer(CONTOSO).await.expect("customer");
    let _ = env.client.get_order(CONTOSO, "no-such-order").await;
    let clock = ManualClock::new();
    let bad = client_with(
        &env.sandbox,
        Credentials::app_user(
            &creds.tenant_id,
            &creds.client_id,
            Secret::new(creds.client_secret.clone()),
            Secret::new("wrong-refresh-token-value-789".to_string()),
            env.sandbox.authority().as_str().trim_end_matches('/'),
        ),
        &clock,
    );
    let _ = bad.get_customer(CONTOSO).await;
    let access = token(&env).await;
    let text =
        String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|p| p.into_inner())).to_string();
    assert!(
        !text.is_empty(),
        "the subscriber captured the client's logs"
    );
    for s in [
        creds.client_secret.as_str(),
        creds.refresh_token.as_str(),
        "wrong-refresh-token-value-789",
        "sbx.",
        access.as_str(),
    ] {
        assert!(!text.contains(s), "logs leak {s:?}");
    }
}
