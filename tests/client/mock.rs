//! A tiny scripted Partner Center: axum on 127.0.0.1:0, a queue of canned responses per
//! (method, path) or a function of the call number, a token endpoint under
//! `/{tenant}/oauth2/token`, and a log of requests. Hostile answers: bodies trickled one byte at a
//! time, redirects, anything a test scripts.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use reservoir::partner_center::{
    Backoff, Client, ClientConfig, Credentials, ManualClock, RateLimits, RetryPolicy, Secret,
};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const CUSTOMER: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub const SUBSCRIPTION: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";
pub const CLIENT_SECRET: &str = "client-secret-value-xyz";
pub const REFRESH_TOKEN: &str = "refresh-token-value-abc";
pub const TENANT: &str = "partner-tenant";

/// A canned response.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send the body one byte at a time with this pause between bytes.
    pub trickle: Option<Duration>,
}

impl Canned {
    pub fn json(status: u16, v: serde_json::Value) -> Self {
        Canned {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
            trickle: None,
        }
    }
    pub fn empty(status: u16) -> Self {
        Canned {
            status,
            headers: vec![],
            body: vec![],
            trickle: None,
        }
    }
    pub fn trickled(mut self, pause: Duration) -> Self {
        self.trickle = Some(pause);
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn error(status: u16, code: serde_json::Value, description: &str) -> Self {
        Canned::json(
            status,
            serde_json::json!({"code": code, "description": description, "data": [], "source": "PartnerFD"}),
        )
    }
}

/// A recorded request.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, k: &str) -> Option<String> {
        self.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }
    pub fn is_token(&self) -> bool {
        self.path.ends_with("/oauth2/token")
    }
}

#[derive(Default)]
struct MockState {
    /// (METHOD, path) → queue; the last response repeats when the queue has one left.
    routes: HashMap<(String, String), VecDeque<Canned>>,
    /// (METHOD, path) → answer for the n-th call (0-based).
    dynamic: HashMap<(String, String), Dynamic>,
    calls: HashMap<(String, String), u32>,
    requests: Vec<Recorded>,
    tokens_issued: u32,
    token_expires_in: Option<String>,
}

type Dynamic = Arc<dyn Fn(u32) -> Canned + Send + Sync>;

#[derive(Clone, Default)]
pub struct Mock {
    state: Arc<Mutex<MockState>>,
    pub base: String,
}

impl Mock {
    pub async fn start() -> Mock {
        let mut mock = Mock::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        mock.base = format!("http://{}", listener.local_addr().expect("addr"));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(mock.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        mock
    }

    /// Queues responses for `METHOD path` (path without query).
    pub fn on(&self, method: &str, path: &str, responses: Vec<Canned>) -> &Self {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert((method.to_string(), path.to_string()), responses.into());
        self
    }

    /// Answers `METHOD path` with `f(n)` for the n-th call (0-based); takes precedence over `on`.
    pub fn on_fn(
        &self,
        method: &str,
        path: &str,
        f: impl Fn(u32) -> Canned + Send + Sync + 'static,
    ) {
        self.state
            .lock()
            .unwrap()
            .dynamic
            .insert((method.to_string(), path.to_string()), Arc::new(f));
    }

    pub fn token_expires_in(&self, v: &str) {
        self.state.lock().unwrap().token_expires_in = Some(v.to_string());
    }

    /// Every request but token requests.
    pub fn api_requests(&self) -> Vec<Recorded> {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| !r.is_token())
            .cloned()
            .collect()
    }

    pub fn token_requests(&self) -> Vec<Recorded> {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.is_token())
            .cloned()
            .collect()
    }

    pub fn authority(&self) -> String {
        self.base.clone()
    }
}

async fn handle(State(mock): State<Mock>, req: Request) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let headers = req.headers().clone();
    let body: Bytes = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let mut st = mock.state.lock().unwrap();
    st.requests.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        query,
        headers,
        body: body.to_vec(),
    });
    let key = (method, path.clone());
    let n = {
        let c = st.calls.entry(key.clone()).or_default();
        *c += 1;
        *c - 1
    };
    let canned = match (st.dynamic.get(&key).cloned(), st.routes.get_mut(&key)) {
        (Some(f), _) => Some(f(n)),
        (None, Some(q)) if q.len() > 1 => q.pop_front(),
        (None, Some(q)) => q.front().cloned(),
        (None, None) => None,
    };
    let canned = match canned {
        Some(c) => c,
        None if path.ends_with("/oauth2/token") => {
            st.tokens_issued += 1;
            let n = st.tokens_issued;
            let expires = st.token_expires_in.clone().unwrap_or_else(|| "3599".into());
            Canned::json(
                200,
                serde_json::json!({"token_type":"Bearer","expires_in": expires,"expires_on":"1700003600",
                    "access_token": format!("access-token-{n}"), "refresh_token": format!("rotated-refresh-{n}")}),
            )
        }
        None => Canned::error(404, serde_json::json!(0), "no canned response"),
    };
    drop(st);
    let status = StatusCode::from_u16(canned.status).unwrap();
    let mut resp = match canned.trickle {
        None => (status, canned.body).into_response(),
        Some(pause) => {
            let bytes = Arc::new(canned.body);
            let stream = futures::stream::unfold(0usize, move |i| {
                let bytes = bytes.clone();
                async move {
                    if i >= bytes.len() {
                        return None;
                    }
                    tokio::time::sleep(pause).await;
                    let one = Bytes::copy_from_slice(&bytes[i..=i]);
                    Some((Ok::<_, std::io::Error>(one), i + 1))
                }
            });
            (status, axum::body::Body::from_stream(stream)).into_response()
        }
    };
    for (k, v) in canned.headers {
        resp.headers_mut().append(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            axum::http::HeaderValue::from_str(&v).unwrap(),
        );
    }
    resp
}

/// A client on a manual clock with app-only credentials against the mock.
pub fn client(mock: &Mock, creds: Credentials) -> (Client, ManualClock) {
    let clock = ManualClock::new();
    let mut cfg = ClientConfig::new(url::Url::parse(&mock.base).unwrap(), creds);
    cfg.clock = Arc::new(clock.clone());
    cfg.rate_limits = RateLimits {
        partner_per_minute: 6000,
        customer_per_minute: 6000,
    };
    cfg.retry = RetryPolicy {
        max_attempts: 4,
        backoff: Backoff::new(Duration::from_secs(1), 2, Duration::from_secs(8)),
    };
    cfg.request_timeout = Duration::from_secs(10);
    (Client::new(cfg).unwrap(), clock)
}

pub fn app_only(mock: &Mock) -> Credentials {
    Credentials::app_only(
        TENANT,
        "client-id",
        Secret::new(CLIENT_SECRET),
        &mock.authority(),
    )
}

pub fn app_user(mock: &Mock) -> Credentials {
    Credentials::app_user(
        TENANT,
        "client-id",
        Secret::new(CLIENT_SECRET),
        Secret::new(REFRESH_TOKEN),
        &mock.authority(),
    )
}

pub fn v1(path: &str) -> String {
    format!("/v1{path}")
}
