//! The real binary against the hostile mock: an echoed secret never reaches its output, an
//! insecure `PARTNER_CENTER_AUTHORITY` is refused before anything is sent, and `--timeout` /
//! `RESERVOIR_TIMEOUT` bound a trickling answer.

use super::mock::*;
use serde_json::json;
use std::process::Output;
use std::time::{Duration, Instant};

/// Runs `reservoir ARGS` with App+User credentials for `authority` and a fresh state dir.
async fn run(authority: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let state = tempfile::tempdir().expect("tempdir");
    let mut cmd = crate::support::reservoir();
    cmd.args(args)
        .arg("--state-dir")
        .arg(state.path())
        .env("PARTNER_CENTER_TENANT_ID", TENANT)
        .env("PARTNER_CENTER_CLIENT_ID", "client-id")
        .env("PARTNER_CENTER_CLIENT_SECRET", CLIENT_SECRET)
        .env("PARTNER_CENTER_REFRESH_TOKEN", REFRESH_TOKEN)
        .env("PARTNER_CENTER_AUTHORITY", authority)
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run reservoir"))
        .await
        .expect("join");
    drop(state);
    out
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_secret_never_reaches_the_binary_output() {
    let mock = Mock::start().await;
    let echo = format!(
        "rejected client_secret={CLIENT_SECRET} refresh_token={REFRESH_TOKEN} token=access-token-1"
    );
    mock.on(
        "GET",
        &v1(&format!("/customers/{CUSTOMER}")),
        vec![Canned::error(400, json!(800002), &echo)],
    );
    let out = run(
        &mock.authority(),
        &[
            "orders",
            "--customer",
            CUSTOMER,
            "--endpoint",
            &mock.base,
            "-vv",
        ],
        &[("RESERVOIR_LOG", "trace")],
    )
    .await;
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    for secret in [CLIENT_SECRET, REFRESH_TOKEN, "access-token-1"] {
        assert!(!shown.contains(secret), "{secret} printed:\n{shown}");
    }
    assert!(shown.contains("client_secret=***"), "{shown}");
    assert!(shown.contains("800002"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insecure_authority_is_refused_before_anything_is_sent() {
    let mock = Mock::start().await;
    let out = run(
        "http://login.example.com",
        &["orders", "--customer", CUSTOMER, "--endpoint", &mock.base],
        &[],
    )
    .await;
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("PARTNER_CENTER_AUTHORITY"), "{shown}");
    assert!(shown.contains("https"), "{shown}");
    assert!(mock.token_requests().is_empty() && mock.api_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeout_setting_bounds_a_trickling_answer() {
    let mock = Mock::start().await;
    let mut slow = Canned::json(200, json!({"id": CUSTOMER})).trickled(Duration::from_millis(50));
    slow.body.extend(std::iter::repeat_n(b' ', 400)); // ~20 s at this pace
    mock.on("GET", &v1(&format!("/customers/{CUSTOMER}")), vec![slow]);
    let args = ["orders", "--customer", CUSTOMER, "--endpoint", &mock.base];
    let started = Instant::now();
    let out = run(&mock.authority(), &args, &[("RESERVOIR_TIMEOUT", "1s")]).await;
    let took = started.elapsed();
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(took < Duration::from_secs(6), "took {took:?}: {shown}");
    assert!(shown.contains("timed out"), "{shown}");

    // a value that is not a duration is a usage error naming it
    let mut bad = args.to_vec();
    bad.extend(["--timeout", "soon"]);
    let out = run(&mock.authority(), &bad, &[]).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("soon"), "{}", text(&out));
}
