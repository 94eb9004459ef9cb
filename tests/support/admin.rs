//! The sandbox's admin API (`/_sandbox/…`: orders, request log, faults, knobs, world, clock)
//! from async tests; the blocking [`super::Sandbox`] goes through it too.

use serde_json::Value;

/// An HTTP client for one sandbox's admin API.
#[derive(Clone)]
pub(crate) struct Admin {
    http: reqwest::Client,
    /// The sandbox's base URL, without a trailing `/`.
    base: String,
}

impl Admin {
    pub(crate) fn new(base: &str) -> Admin {
        Admin {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `METHOD /_sandbox/<path>` (with or without the `/_sandbox/` prefix), asserting success;
    /// the JSON answer, or `null` for an empty one.
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Value {
        let path = path.trim_start_matches('/');
        let path = path.strip_prefix("_sandbox/").unwrap_or(path);
        let url = format!("{}/_sandbox/{path}", self.base);
        let mut req = self.http.request(method, &url);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("admin call");
        assert!(resp.status().is_success(), "{url}: {}", resp.status());
        let text = resp.text().await.expect("admin body");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Value {
        let body = (!body.is_null()).then_some(body);
        self.call(reqwest::Method::POST, path, body).await
    }

    pub(crate) async fn put(&self, path: &str, body: &Value) -> Value {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Value {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// The request log since the last reset.
    pub(crate) async fn requests(&self) -> Vec<Value> {
        self.get("requests").await["log"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) async fn reset_requests(&self) {
        self.post("requests/reset", &Value::Null).await;
    }

    /// Every order the sandbox holds, seed orders included.
    pub(crate) async fn all_orders(&self) -> Vec<Value> {
        self.get("orders").await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}
