//! The HTTP server: axum router (admin API + the Partner Center API fallback, whose pipeline is
//! in `pipeline.rs`), response encoding (incl. trickled bodies and documented-shapes headers),
//! and [`start`] / [`RunningSandbox`].

use super::auth::Tokens;
use super::errors::SandboxError;
use super::faults::Faults;
use super::http::{ApiRequest, ApiResponse, Body};
use super::knobs::RateLimiter;
use super::routes;
use super::state::{Counters, Inner, LoggedRequest, Store};
use super::world::World;
use super::{SandboxOptions, WorldSource};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// The state shared by every request.
pub type Shared = Arc<Mutex<Inner>>;

pub(crate) fn lock(s: &Shared) -> MutexGuard<'_, Inner> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// Credentials of the sandbox's partner (Debug redacts the secrets).
#[derive(Clone, serde::Serialize)]
pub struct SandboxCredentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

impl std::fmt::Debug for SandboxCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxCredentials")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A sandbox serving in the background of the current tokio runtime.
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    /// The API base URL (`http://127.0.0.1:PORT`; API paths start with `/v1`).
    pub fn endpoint(&self) -> url::Url {
        url::Url::parse(&format!("http://{}", self.addr))
            .unwrap_or_else(|_| unreachable!("a socket address is a valid host"))
    }
    /// The token authority (same host: `POST {authority}/{tenant}/oauth2/token`).
    pub fn authority(&self) -> url::Url {
        self.endpoint()
    }
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn credentials(&self) -> SandboxCredentials {
        let g = lock(&self.shared);
        let p = &g.world.partner;
        SandboxCredentials {
            tenant_id: p.tenant_id.clone(),
            client_id: p.client_id.clone(),
            client_secret: p.client_secret.clone(),
            refresh_token: p.refresh_token.clone(),
        }
    }
    /// The current knobs.
    pub fn knobs(&self) -> super::Knobs {
        lock(&self.shared).knobs.clone()
    }
    /// Replaces the knobs (as `PUT /_sandbox/knobs` does); rate-limit windows restart.
    pub fn set_knobs(&self, knobs: super::Knobs) {
        lock(&self.shared).set_knobs(knobs);
    }
    /// Adds a scripted fault (as `POST /_sandbox/faults` does).
    pub fn add_fault(&self, rule: super::FaultRule) {
        lock(&self.shared).faults.rules.push(rule);
    }
    /// Moves the sandbox clock forward (as `POST /_sandbox/clock/advance` does).
    pub fn advance_clock(&self, seconds: u64) {
        let mut g = lock(&self.shared);
        let Inner { store, world, .. } = &mut *g;
        store.reload_if_changed(world);
        g.world.clock_offset_seconds += seconds as i64;
        g.persist();
    }
    /// A copy of the current world.
    pub fn world(&self) -> World {
        let mut g = lock(&self.shared);
        let Inner { store, world, .. } = &mut *g;
        store.reload_if_changed(world);
        world.clone()
    }

    /// Stops serving (waiting briefly for in-flight requests) and saves the world.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(std::time::Duration::from_secs(3), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
        let mut g = lock(&self.shared);
        let Inner { store, world, .. } = &mut *g;
        store.reload_if_changed(world);
        g.persist();
    }
}

/// Starts the sandbox on `opts.listen` in the background of the current tokio runtime.
pub async fn start(opts: SandboxOptions) -> Result<RunningSandbox, SandboxError> {
    install_quiet_panic_hook();
    let now = chrono::Utc::now();
    let (store, world) = match opts.world {
        WorldSource::Demo => (Store::memory(), super::demo_world(now)),
        WorldSource::Generated { customers, seed } => {
            (Store::memory(), super::generate_world(customers, seed))
        }
        WorldSource::File(path) => Store::open(path, || super::demo_world(now))?,
        WorldSource::GeneratedFile {
            path,
            customers,
            seed,
        } => Store::open(path, || super::generate_world(customers, seed))?,
    };
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| SandboxError::Listen {
            addr: opts.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SandboxError::Listen {
            addr: opts.listen,
            source,
        })?;
    let shared: Shared = Arc::new(Mutex::new(Inner {
        world,
        store,
        knobs: opts.knobs,
        faults: Faults::default(),
        tokens: Tokens::default(),
        counters: Counters::default(),
        limiter: RateLimiter::default(),
        checkouts_in_flight: Default::default(),
    }));
    let app = routes::admin::router()
        .fallback(api)
        .with_state(shared.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    tracing::info!("sandbox listening on http://{addr}");
    Ok(RunningSandbox {
        addr,
        shared,
        stop: Some(stop),
        task,
    })
}

/// The panic payload used to drop a connection after committing a write.
pub(crate) struct DropConnection;

fn install_quiet_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<DropConnection>().is_none() {
                previous(info);
            }
        }));
    });
}

pub(crate) fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

async fn api(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = headers
        .get("MS-RequestId")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let correlation_id = headers
        .get("MS-CorrelationId")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let write = method == Method::POST || method == Method::PUT;
    let lower: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .map(|s| percent_decode(s).to_ascii_lowercase())
        .collect();
    let mut outcome = super::pipeline::handle(&shared, method, uri, headers, body).await;
    let documented = lock(&shared).knobs.documented_shapes;
    let (request_id, correlation_id) = if documented {
        super::shapes::apply(&mut outcome, &lower, write);
        (
            super::shapes::doubled(&request_id),
            super::shapes::doubled(&correlation_id),
        )
    } else {
        (request_id, correlation_id)
    };
    let mut resp = into_http(outcome);
    let h = resp.headers_mut();
    for (k, v) in [
        ("ms-requestid", request_id),
        ("ms-correlationid", correlation_id),
        ("ms-serverid", "sandbox".to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(HeaderName::from_static(k), v);
        }
    }
    resp
}

fn into_http(mut r: ApiResponse) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(t) = r.trickle.take() {
        let (chunk, delay_ms) = *t;
        return trickled(r, chunk, delay_ms, status);
    }
    let mut resp = match r.body {
        Body::Empty => (status, [("content-length", "0")]).into_response(),
        Body::Json(v) => (
            status,
            [("content-type", "application/json; charset=utf-8")],
            v.to_string(),
        )
            .into_response(),
        Body::Bytes { content_type, data } => {
            (status, [("content-type", content_type)], data).into_response()
        }
    };
    for (k, v) in r.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(&v)) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

/// The answer with its body sent `chunk` bytes at a time, `delay_ms` apart (`slow_body`).
fn trickled(r: ApiResponse, chunk: usize, delay_ms: u64, status: StatusCode) -> Response {
    let (content_type, data): (&str, Vec<u8>) = match r.body {
        Body::Empty => ("application/json", vec![]),
        Body::Json(v) => (
            "application/json; charset=utf-8",
            v.to_string().into_bytes(),
        ),
        Body::Bytes { content_type, data } => (content_type, data),
    };
    let chunks: Vec<Bytes> = data.chunks(chunk).map(Bytes::copy_from_slice).collect();
    let stream = futures::stream::unfold(
        (chunks.into_iter(), true),
        move |(mut it, first)| async move {
            let next = it.next()?;
            if !first {
                tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            }
            Some((Ok::<Bytes, std::io::Error>(next), (it, false)))
        },
    );
    let mut resp = Response::new(axum::body::Body::from_stream(stream));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert("content-type", v);
    }
    for (k, v) in r.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(&v)) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

pub(crate) fn log(g: &mut Inner, req: &ApiRequest, status: u16) {
    let (category, customer_id) = routes::category(&req.lower, &req.segs);
    g.counters.record(LoggedRequest {
        method: req.method.to_string(),
        path: req.full_path(),
        category,
        customer_id,
        status,
        request_id: req.header("ms-requestid").map(str::to_string),
    });
}

/// Replaces the world (admin API), keeping the store.
pub(crate) fn replace_world(g: &mut Inner, mut world: World) {
    world.reindex();
    g.world = world;
    g.persist();
}
