//! Provenance: what a plan (or an apply) talked to and was made from — the endpoint, the
//! partner tenant, the commit of the manifests — and whether that was the sandbox, where nothing
//! real is bought. Every human-readable output names it (DESIGN §2); a saved plan records it and
//! `apply --plan` refuses a plan made against another endpoint or tenant ([`Provenance::mismatch`]).
//! Pure data: the CLI fills it in (`cli::provenance`).

use serde::{Deserialize, Serialize};

/// The sentence every output shows when the endpoint is the sandbox.
pub const SANDBOX_NOTE: &str = "sandbox: nothing real is bought";

/// What a plan or an apply ran against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `sandbox` for the embedded simulator, else the endpoint URL.
    pub endpoint: String,
    /// True against a sandbox (embedded or `reservoir sandbox serve`): nothing real is bought.
    pub sandbox: bool,
    /// The partner tenant the token was issued for, when known.
    pub partner_tenant: Option<String>,
    /// The commit of the manifests (`GITHUB_SHA`, else `git rev-parse HEAD`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// Why a saved plan does not belong to this run's endpoint or tenant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProvenanceMismatch {
    #[error(
        "the plan was made against endpoint {saved}, but this run talks to {current}; \
         run plan again against {current}"
    )]
    Endpoint { saved: String, current: String },
    #[error(
        "the plan was made for partner tenant {saved}, but these credentials are for partner \
         tenant {current}; run plan again with the credentials apply uses"
    )]
    Tenant { saved: String, current: String },
}

impl Provenance {
    /// One line naming the endpoint and tenant, e.g.
    /// `Endpoint: sandbox (embedded simulator) · partner tenant 0000… · sandbox: nothing real is bought`.
    pub fn line(&self) -> String {
        let mut s = format!("Endpoint: {}", self.endpoint_label());
        s.push_str(" · partner tenant ");
        s.push_str(self.partner_tenant.as_deref().unwrap_or("unknown"));
        if let Some(c) = &self.commit {
            s.push_str(" · commit ");
            s.push_str(short_commit(c));
        }
        if self.sandbox {
            s.push_str(" · ");
            s.push_str(SANDBOX_NOTE);
        }
        s
    }

    /// The endpoint as shown to people: the embedded sandbox is named as such.
    pub fn endpoint_label(&self) -> String {
        if self.endpoint == "sandbox" {
            "sandbox (embedded simulator)".to_owned()
        } else {
            self.endpoint.clone()
        }
    }

    /// Whether a plan made with `saved` may be applied with `self`: same endpoint and, when both
    /// know it, the same partner tenant.
    pub fn mismatch(&self, saved: &Provenance) -> Option<ProvenanceMismatch> {
        if normalise(&saved.endpoint) != normalise(&self.endpoint) {
            return Some(ProvenanceMismatch::Endpoint {
                saved: saved.endpoint.clone(),
                current: self.endpoint.clone(),
            });
        }
        match (&saved.partner_tenant, &self.partner_tenant) {
            (Some(s), Some(c)) if !s.eq_ignore_ascii_case(c) => Some(ProvenanceMismatch::Tenant {
                saved: s.clone(),
                current: c.clone(),
            }),
            _ => None,
        }
    }
}

/// The first 12 characters of a commit id.
pub fn short_commit(c: &str) -> &str {
    c.get(..12).unwrap_or(c)
}

fn normalise(endpoint: &str) -> String {
    endpoint.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(endpoint: &str, tenant: Option<&str>) -> Provenance {
        Provenance {
            endpoint: endpoint.to_owned(),
            sandbox: endpoint == "sandbox",
            partner_tenant: tenant.map(str::to_owned),
            commit: None,
        }
    }

    #[test]
    fn line_names_endpoint_tenant_and_the_sandbox() {
        let mut s = p("sandbox", Some("t-1"));
        s.commit = Some("0123456789abcdef0123".to_owned());
        assert_eq!(
            s.line(),
            "Endpoint: sandbox (embedded simulator) · partner tenant t-1 · commit 0123456789ab · \
             sandbox: nothing real is bought"
        );
        let real = p("https://api.partnercenter.microsoft.com/", None);
        assert_eq!(
            real.line(),
            "Endpoint: https://api.partnercenter.microsoft.com/ · partner tenant unknown"
        );
    }

    #[test]
    fn mismatch_names_both_sides() {
        let saved = p("sandbox", Some("t-1"));
        assert_eq!(p("sandbox", Some("T-1")).mismatch(&saved), None);
        assert_eq!(p("sandbox", None).mismatch(&saved), None);
        let e = p("https://x.example/", Some("t-1"))
            .mismatch(&saved)
            .unwrap();
        assert!(e.to_string().contains("endpoint sandbox"), "{e}");
        assert!(e.to_string().contains("https://x.example/"), "{e}");
        let e = p("sandbox", Some("t-2")).mismatch(&saved).unwrap();
        assert!(
            e.to_string().contains("t-1") && e.to_string().contains("t-2"),
            "{e}"
        );
    }
}
