//! The simulator's own request/response model (independent of axum's types in the handlers),
//! plus the shared JSON helpers: links, collections, case-insensitive property lookup.

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use serde_json::{Value, json};

/// A parsed API request, as the route handlers see it.
#[derive(Debug)]
pub struct ApiRequest {
    pub method: Method,
    /// The version prefix the request was sent under: `/v1`, or `/v1.0` for the pricing paths.
    pub prefix: &'static str,
    /// The path after the prefix (starting with `/`).
    pub path: String,
    /// Path segments after `v1`, as sent.
    pub segs: Vec<String>,
    /// The same segments, lower-cased.
    pub lower: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// True for App+User tokens.
    pub app_user: bool,
}

impl ApiRequest {
    /// The full path, prefix included (what fault rules and the request log match).
    pub fn full_path(&self) -> String {
        format!("{}{}", self.prefix, self.path)
    }

    /// A query parameter, name matched case-insensitively.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The body as JSON (an empty body reads as `null`).
    pub fn json(&self) -> Result<Value, ApiResponse> {
        if self.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            super::errors::bad_request(format!("the request body is not valid json: {e}"))
        })
    }
}

/// A response body.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(Value),
    Bytes {
        content_type: &'static str,
        data: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Send the body this many bytes at a time, pausing this many milliseconds between chunks
    /// (the `slow_body` fault).
    pub trickle: Option<Box<(usize, u64)>>,
}

impl ApiResponse {
    pub fn json(status: u16, v: Value) -> Self {
        ApiResponse {
            status,
            headers: vec![],
            body: Body::Json(v),
            trickle: None,
        }
    }
    pub fn ok(v: Value) -> Self {
        Self::json(200, v)
    }
    pub fn empty(status: u16) -> Self {
        ApiResponse {
            status,
            headers: vec![],
            body: Body::Empty,
            trickle: None,
        }
    }
    pub fn with_header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

/// A GET link.
pub fn link(uri: impl Into<String>) -> Value {
    json!({ "uri": uri.into(), "method": "GET", "headers": [] })
}

/// A plain (unpaged) collection.
pub fn collection(items: Vec<Value>, self_uri: &str) -> Value {
    json!({
        "totalCount": items.len(),
        "items": items,
        "links": { "self": link(self_uri) },
        "attributes": { "objectType": "Collection" },
    })
}

/// Looks up a property by name, case-insensitively.
pub fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A string property (numbers are accepted and turned into strings).
pub fn str_ci(v: &Value, key: &str) -> Option<String> {
    match get_ci(v, key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer property (numeric strings are accepted).
pub fn int_ci(v: &Value, key: &str) -> Option<i64> {
    match get_ci(v, key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
