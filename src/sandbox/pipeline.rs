//! The request pipeline behind the fallback route: token endpoint, checkout-in-flight marks
//! (409/800064), auth, scripted faults (including the hostile answers of `hostile.rs`), then
//! rate limits → `MS-RequestId` replay → route → persist, under the sandbox's lock.

use super::auth::TokenKind;
use super::errors::{api_error, app_only_forbidden, too_many_requests, unauthorized};
use super::faults::FaultKind;
use super::http::{ApiRequest, ApiResponse, Body};
use super::routes::{self, Ctx};
use super::server::{DropConnection, Shared, lock, log, percent_decode};
use super::state::{Inner, LoggedRequest};
use super::world::{StoredResponse, World};
use axum::http::{HeaderMap, Method, Uri};
use bytes::Bytes;

pub(crate) async fn handle(
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
    // `/v1` for the API; `/v1.0/sales/…` for the price sheet (another host in Partner Center, the
    // same server here).
    let prefix = match segs.first().map(|s| s.to_ascii_lowercase()).as_deref() {
        Some("v1") => "/v1",
        Some("v1.0") => "/v1.0",
        _ => return api_error(404, 404, format!("no resource at {raw_path}")),
    };
    let segs: Vec<String> = segs[1..].to_vec();
    let req = ApiRequest {
        prefix,
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
    // Held until the checkout ends, however it ends (answer, dropped connection, panic).
    let _in_flight = match checkout_in_flight(shared, &req) {
        Some(Err(busy)) => return busy,
        Some(Ok(ms)) => {
            let guard = InFlight {
                shared: shared.clone(),
                key: checkout_key(&req),
            };
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            Some(guard)
        }
        None => None,
    };
    let result = handle_locked(shared, &mut req, &path_and_query);
    match result {
        Ok(ms) => {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            api_error(504, 504, "Gateway timeout (sandbox fault).")
        }
        Err(resp) => resp,
    }
}

/// A cart's checkout in flight; the mark is cleared on drop.
struct InFlight {
    shared: Shared,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.shared).checkouts_in_flight.remove(&self.key);
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
        let full_path = req.full_path();
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
                    &format!("{}{path_and_query}", req.prefix),
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
            Some(FaultKind::Availabilities { mode }) => {
                let r = serve(&mut g, req, now);
                return Err(super::hostile::availabilities(r, mode, &g.world));
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
