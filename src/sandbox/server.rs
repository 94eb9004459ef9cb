//! The HTTP server: axum router (admin API + the Partner Center API fallback), the request
//! pipeline (latency → auth → faults → rate limits → `MS-RequestId` replay → route → persist),
//! and [`start`] / [`RunningSandbox`].

use super::auth::{TokenKind, Tokens};
use super::errors::{SandboxError, api_error, app_only_forbidden, too_many_requests, unauthorized};
use super::faults::{FaultKind, Faults};
use super::http::{ApiRequest, ApiResponse, Body};
use super::knobs::RateLimiter;
use super::routes::{self, Ctx};
use super::state::{Counters, Inner, LoggedRequest, Store};
use super::world::{StoredResponse, World};
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
struct DropConnection;

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

fn percent_decode(s: &str) -> String {
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
    let mut outcome = handle(&shared, method, uri, headers, body).await;
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

fn log(g: &mut Inner, req: &ApiRequest, status: u16) {
    let (category, customer_id) = routes::category(&req.lower, &req.segs);
    g.counters.record(LoggedRequest {
        method: req.method.to_string(),
        path: format!("/v1{}", req.path),
        category,
        customer_id,
        status,
        request_id: req.header("ms-requestid").map(str::to_string),
    });
}

async fn handle(
    shared: &Shared,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResponse {
    let raw_path = uri.path().to_string();
    let segs: Vec<String> = raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();

    // The token endpoint: /{tenant}/oauth2/token or /{tenant}/oauth2/v2.0/token.
    if method == Method::POST
        && segs.len() >= 3
        && segs[1].eq_ignore_ascii_case("oauth2")
        && segs.last().is_some_and(|s| s.eq_ignore_ascii_case("token"))
    {
        return match token_locked(shared, &raw_path, &segs[0], &body) {
            Ok(resp) => resp,
            Err(ms) => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                api_error(504, 504, "Gateway timeout (sandbox fault).")
            }
        };
    }
    if !segs.first().is_some_and(|s| s.eq_ignore_ascii_case("v1")) {
        return api_error(404, 404, format!("no resource at {raw_path}"));
    }
    let segs: Vec<String> = segs[1..].to_vec();
    let req = ApiRequest {
        lower: segs.iter().map(|s| s.to_ascii_lowercase()).collect(),
        path: format!("/{}", segs.join("/")),
        segs,
        method,
        query,
        headers,
        body,
        app_user: false,
    };
    let latency = lock(shared).knobs.latency_ms;
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    let mut req = req;
    let path_and_query = match uri.query() {
        Some(q) => format!("{}?{q}", req.path),
        None => req.path.clone(),
    };
    let checkout_wait = checkout_in_flight(shared, &req);
    if let Some(Err(busy)) = checkout_wait {
        return busy;
    }
    if let Some(Ok(ms)) = checkout_wait {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    let result = handle_locked(shared, &mut req, &path_and_query);
    if let Some(Ok(_)) = checkout_wait {
        lock(shared).checkouts_in_flight.remove(&checkout_key(&req));
    }
    match result {
        Ok(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            api_error(504, 504, "Gateway timeout (sandbox fault).")
        }
        Err(resp) => resp,
    }
}

/// The cart a checkout request names (lower case), or "" for other requests.
fn checkout_key(req: &ApiRequest) -> String {
    match req.lower.as_slice() {
        [c, customer, k, cart, checkout]
            if c == "customers" && k == "carts" && checkout == "checkout" =>
        {
            format!("{customer}/{cart}")
        }
        _ => String::new(),
    }
}

/// For a checkout while `checkoutProcessingMs` is set: Err(409/800064) when another checkout of
/// the same cart is being processed, else Ok(ms to hold it) after marking it in flight.
fn checkout_in_flight(shared: &Shared, req: &ApiRequest) -> Option<Result<u64, ApiResponse>> {
    let key = checkout_key(req);
    if key.is_empty() || req.method != Method::POST {
        return None;
    }
    let mut g = lock(shared);
    let ms = g.knobs.checkout_processing_ms;
    if ms == 0 {
        return None;
    }
    if !g.checkouts_in_flight.insert(key) {
        log(&mut g, req, 409);
        return Some(Err(api_error(
            409,
            800064,
            "The cart is being processed by another request; try again later.",
        )));
    }
    Some(Ok(ms))
}

/// The token endpoint under the lock (scripted faults first): Ok(answer) or Err(ms to hang).
fn token_locked(
    shared: &Shared,
    raw_path: &str,
    tenant: &str,
    body: &[u8],
) -> Result<ApiResponse, u64> {
    let mut g = lock(shared);
    let Inner { store, world, .. } = &mut *g;
    store.reload_if_changed(world);
    let resp = match g.faults.take_token(raw_path) {
        Some(kind) => token_fault(kind, raw_path, body)?,
        None => {
            let Inner { world, tokens, .. } = &mut *g;
            tokens.token_endpoint(&world.partner, tenant, body, chrono::Utc::now())
        }
    };
    g.counters.record(LoggedRequest {
        method: "POST".into(),
        path: raw_path.to_string(),
        category: "token",
        customer_id: None,
        status: resp.status,
        request_id: None,
    });
    Ok(resp)
}

/// A scripted fault on the token endpoint: Ok(answer) or Err(ms to hang).
fn token_fault(kind: FaultKind, path: &str, body: &[u8]) -> Result<ApiResponse, u64> {
    Ok(match kind {
        FaultKind::Redirect { status, location } => {
            super::hostile::redirect(status, location.as_deref(), path)
        }
        FaultKind::EchoSecret { status } => super::hostile::echo_token_form(status, body),
        FaultKind::RateLimit {
            retry_after_seconds,
        } => too_many_requests(retry_after_seconds),
        FaultKind::Hang { hang_ms } => return Err(hang_ms),
        FaultKind::ApiError {
            status,
            code,
            description,
        } => api_error(
            status,
            code,
            description.unwrap_or_else(|| "sandbox fault".into()),
        ),
        FaultKind::ServerError { status } => api_error(
            status,
            500,
            "Service is temporarily unavailable (sandbox fault).",
        ),
        _ => api_error(500, 500, "sandbox fault"),
    })
}

/// Auth, faults and the route under the lock: Ok(ms to hang) or Err(the answer).
fn handle_locked(
    shared: &Shared,
    req: &mut ApiRequest,
    path_and_query: &str,
) -> Result<u64, ApiResponse> {
    {
        let mut g = lock(shared);
        let Inner { store, world, .. } = &mut *g;
        store.reload_if_changed(world);
        let now = g.now();
        match g
            .tokens
            .check(req.header("authorization"), chrono::Utc::now())
        {
            None => {
                log(&mut g, req, 401);
                return Err(unauthorized());
            }
            Some(kind) => req.app_user = kind == TokenKind::AppUser,
        }
        if !req.app_user && routes::app_user_only(&req.lower) {
            log(&mut g, req, 403);
            return Err(app_only_forbidden());
        }
        let full_path = format!("/v1{}", req.path);
        match g.faults.take(req.method.as_str(), &full_path) {
            Some(FaultKind::ServerError { status }) => {
                log(&mut g, req, status);
                return Err(api_error(
                    status,
                    500,
                    "Service is temporarily unavailable (sandbox fault).",
                ));
            }
            Some(FaultKind::RateLimit {
                retry_after_seconds,
            }) => {
                log(&mut g, req, 429);
                return Err(too_many_requests(retry_after_seconds));
            }
            Some(FaultKind::Hang { hang_ms }) => {
                log(&mut g, req, 504);
                Some(hang_ms)
            }
            Some(FaultKind::CommitThenDrop) => {
                let resp = serve(&mut g, req, now);
                let write = matches!(
                    req.method,
                    Method::POST | Method::PUT | Method::PATCH | Method::DELETE
                );
                drop(g);
                if write {
                    std::panic::panic_any(DropConnection);
                }
                return Err(resp);
            }
            Some(FaultKind::ApiError {
                status,
                code,
                description,
            }) => {
                log(&mut g, req, status);
                return Err(api_error(
                    status,
                    code,
                    description.unwrap_or_else(|| {
                        format!("Request failed with code {code} (sandbox fault).")
                    }),
                ));
            }
            Some(FaultKind::Redirect { status, location }) => {
                log(&mut g, req, status);
                return Err(super::hostile::redirect(
                    status,
                    location.as_deref(),
                    &format!("/v1{path_and_query}"),
                ));
            }
            Some(FaultKind::EchoSecret { status }) => {
                log(&mut g, req, status);
                return Err(super::hostile::echo_secret(
                    status,
                    req.header("authorization"),
                    &req.body,
                ));
            }
            Some(FaultKind::SlowBody {
                chunk_bytes,
                chunk_delay_ms,
            }) => {
                let mut r = serve(&mut g, req, now);
                r.trickle = Some(Box::new((chunk_bytes.max(1), chunk_delay_ms)));
                return Err(r);
            }
            Some(FaultKind::EndlessPaging) => {
                let r = serve(&mut g, req, now);
                return Err(super::hostile::endless_page(r, path_and_query));
            }
            Some(FaultKind::MalformedEntitlements { mode }) => {
                let r = serve(&mut g, req, now);
                return Err(super::hostile::malformed_entitlements(r, mode));
            }
            Some(FaultKind::CheckoutAnswer { mode }) => {
                let r = serve(&mut g, req, now);
                let other = other_customer(&g.world, req.segs.get(1).map_or("", String::as_str));
                return Err(super::hostile::checkout_answer(r, mode, &other));
            }
            Some(FaultKind::CartMismatch { mode }) => {
                if let Some(b) = super::hostile::mismatch_cart(&req.body, mode, &g.world) {
                    req.body = b;
                }
                None
            }
            Some(FaultKind::FailOrderGroup { .. }) | None => None,
        }
        .map_or_else(|| Err(serve(&mut g, req, now)), Ok)
    }
}

/// Some customer other than `customer` (for the `other_customer` checkout answer).
fn other_customer(world: &World, customer: &str) -> String {
    world
        .customers
        .keys()
        .find(|k| !k.eq_ignore_ascii_case(customer))
        .cloned()
        .unwrap_or_else(|| "00000000-0000-4000-8000-000000000000".into())
}

/// Rate limits, replay, the route itself, persistence and logging (under the lock).
fn serve(g: &mut Inner, req: &ApiRequest, now: chrono::DateTime<chrono::Utc>) -> ApiResponse {
    let (_, customer) = routes::category(&req.lower, &req.segs);
    if let Some(limit) = g.knobs.partner_rate_limit
        && let Err(wait) = g.limiter.check("partner", limit, now)
    {
        log(g, req, 429);
        return too_many_requests(wait);
    }
    if let (Some(limit), Some(c)) = (g.knobs.customer_rate_limit, &customer)
        && let Err(wait) = g.limiter.check(&format!("partner+{c}"), limit, now)
    {
        log(g, req, 429);
        return too_many_requests(wait);
    }
    let is_write = matches!(req.method, Method::POST | Method::PUT);
    let replay_key = req
        .header("ms-requestid")
        .filter(|_| is_write)
        .map(str::to_string);
    if let Some(key) = &replay_key
        && let Some(stored) = g.world.replays.get(key)
        && stored.method == req.method.as_str()
        && stored.path.eq_ignore_ascii_case(&req.path)
    {
        let mut r = match &stored.body {
            Some(v) => ApiResponse::json(stored.status, v.clone()),
            None => ApiResponse::empty(stored.status),
        };
        r.headers = stored.headers.clone();
        log(g, req, r.status);
        return r;
    }
    let mut ctx = Ctx {
        world: &mut g.world,
        knobs: &g.knobs,
        faults: &mut g.faults,
        now,
        mutated: false,
    };
    let resp = routes::dispatch(&mut ctx, req);
    let mut mutated = ctx.mutated;
    if let Some(key) = replay_key
        && resp.status < 500
        && resp.status != 429
    {
        g.world.remember(
            key,
            StoredResponse {
                method: req.method.to_string(),
                path: req.path.clone(),
                status: resp.status,
                headers: resp.headers.clone(),
                body: match &resp.body {
                    Body::Json(v) => Some(v.clone()),
                    _ => None,
                },
                at: Some(now),
            },
        );
        mutated = true;
    }
    if mutated {
        g.persist();
    }
    log(g, req, resp.status);
    resp
}

/// Replaces the world (admin API), keeping the store.
pub(crate) fn replace_world(g: &mut Inner, mut world: World) {
    world.reindex();
    g.world = world;
    g.persist();
}
