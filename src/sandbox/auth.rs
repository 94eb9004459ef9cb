//! Authentication: the Entra-ID-shaped token endpoint (`POST /{tenant}/oauth2/token` and
//! `/oauth2/v2.0/token`, `client_credentials` and `refresh_token` grants) and bearer-token checks.
//! Tokens are opaque random strings held in memory, valid one hour on the wall clock (not the
//! sandbox clock, so advancing it does not invalidate a client's cached token).

use super::http::ApiResponse;
use super::world::Partner;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;

/// Kinds of access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    AppOnly,
    AppUser,
}

#[derive(Default)]
pub struct Tokens {
    issued: HashMap<String, (TokenKind, DateTime<Utc>)>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} issued)", self.issued.len())
    }
}

const LIFETIME_SECS: i64 = 3599;

impl Tokens {
    /// The kind of a valid `Authorization: Bearer` value at `now`.
    pub fn check(&self, authorization: Option<&str>, now: DateTime<Utc>) -> Option<TokenKind> {
        let value = authorization?.trim();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))?
            .trim();
        let (kind, expires) = self.issued.get(token)?;
        (now < *expires).then_some(*kind)
    }

    /// Handles a token request (form-encoded body) for `tenant`.
    pub fn token_endpoint(
        &mut self,
        partner: &Partner,
        tenant: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> ApiResponse {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        if !tenant.eq_ignore_ascii_case(&partner.tenant_id) {
            return aad_error(
                400,
                "invalid_request",
                90002,
                &format!("Tenant '{tenant}' not found."),
            );
        }
        if field("client_id") != partner.client_id
            || field("client_secret") != partner.client_secret
        {
            return aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided.",
            );
        }
        // Azure AD Graph tokens were retired for Partner Center (deprecate-azure-active-
        // directory-graph-token): the deprecated audience is refused outright.
        if [field("resource"), field("scope")]
            .iter()
            .any(|v| v.to_ascii_lowercase().contains("graph.windows.net"))
        {
            return aad_error(
                400,
                "invalid_resource",
                500011,
                "The resource https://graph.windows.net is no longer accepted for Partner Center; request https://api.partnercenter.microsoft.com.",
            );
        }
        let kind = match field("grant_type") {
            "client_credentials" => TokenKind::AppOnly,
            "refresh_token" => {
                if field("refresh_token") != partner.refresh_token {
                    return aad_error(
                        400,
                        "invalid_grant",
                        70000,
                        "The provided refresh token is invalid or expired.",
                    );
                }
                TokenKind::AppUser
            }
            other => {
                return aad_error(
                    400,
                    "unsupported_grant_type",
                    70003,
                    &format!("The app requested an unsupported grant type '{other}'."),
                );
            }
        };
        self.issued.retain(|_, (_, exp)| *exp > now);
        let token = format!(
            "sbx.{}.{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let expires = now + chrono::Duration::seconds(LIFETIME_SECS);
        self.issued.insert(token.clone(), (kind, expires));
        let resource = if field("resource").is_empty() {
            "https://api.partnercenter.microsoft.com"
        } else {
            field("resource")
        };
        let mut body = json!({
            "token_type": "Bearer",
            "expires_in": LIFETIME_SECS.to_string(),
            "ext_expires_in": LIFETIME_SECS.to_string(),
            "expires_on": expires.timestamp().to_string(),
            "not_before": now.timestamp().to_string(),
            "resource": resource,
            "access_token": token,
        });
        if kind == TokenKind::AppUser {
            body["scope"] = json!("user_impersonation");
            body["refresh_token"] = json!(partner.refresh_token);
            body["id_token"] = json!("sandbox.id.token");
        }
        ApiResponse::ok(body)
    }
}

fn aad_error(status: u16, error: &str, code: i64, text: &str) -> ApiResponse {
    ApiResponse::json(
        status,
        json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {text}"),
            "error_codes": [code],
            "timestamp": Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        }),
    )
}
