//! Errors: the typed [`SandboxError`] of the library API, and the Partner Center error bodies the
//! simulator answers with (`{code, description, data, source}`, and the 429 body).

use super::http::ApiResponse;
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on {addr}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the sandbox world {}", path.display())]
    ReadWorld {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the sandbox world {} is not valid", path.display())]
    ParseWorld {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write the sandbox world {}", path.display())]
    WriteWorld {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid sandbox url")]
    Url(#[from] url::ParseError),
}

/// A Partner Center error response.
pub fn api_error(status: u16, code: i64, description: impl Into<String>) -> ApiResponse {
    ApiResponse::json(
        status,
        json!({ "code": code, "description": description.into(), "data": [], "source": "PartnerFD" }),
    )
}

pub fn not_found(code: i64, what: impl std::fmt::Display) -> ApiResponse {
    api_error(404, code, format!("{what} was not found"))
}

pub fn bad_request(description: impl Into<String>) -> ApiResponse {
    api_error(400, 800002, description)
}

pub fn app_only_forbidden() -> ApiResponse {
    api_error(
        403,
        900329,
        "This resource does not support application-only authentication.",
    )
}

pub fn unauthorized() -> ApiResponse {
    let mut r = api_error(
        401,
        401,
        "Authorization token is missing, invalid or expired.",
    );
    r.headers.push((
        "WWW-Authenticate".into(),
        "OAuth realm=urn:cpsvc:cpid:sandbox".into(),
    ));
    r
}

/// The documented throttling answer.
pub fn too_many_requests(retry_after: u64) -> ApiResponse {
    let mut r = ApiResponse::json(
        429,
        json!({ "statusCode": 429, "message": format!("Rate limit is exceeded. Try again in {retry_after} seconds.") }),
    );
    r.headers
        .push(("Retry-After".into(), retry_after.to_string()));
    r
}
