//! Filling in a [`Provenance`]: the endpoint and partner tenant of a connection, and the commit
//! the manifests come from (`GITHUB_SHA`, else `git rev-parse HEAD` in the manifests' folder
//! when it is a git work tree). The model and its rendering live in [`crate::plan::provenance`].

use crate::plan::Provenance;
use std::path::Path;

/// The provenance of a connection: `sandbox` for the embedded simulator; any other endpoint by
/// its URL. A plain-`http` loopback endpoint is a simulator too (`reservoir sandbox serve`):
/// Partner Center is only served over https.
pub fn of_endpoint(embedded: bool, base: &url::Url, partner_tenant: Option<String>) -> Provenance {
    let loopback_http =
        base.scheme() == "http" && crate::partner_center::endpoint::is_loopback(base);
    Provenance {
        endpoint: if embedded {
            "sandbox".to_owned()
        } else {
            base.as_str().to_owned()
        },
        sandbox: embedded || loopback_http,
        partner_tenant,
        commit: None,
    }
}

/// `provenance` with the commit of the manifests at `paths` (the first one decides):
/// `github_sha` ([`crate::settings::Settings::commit`]) when set, else git's `HEAD` there.
pub fn with_commit(
    mut provenance: Provenance,
    github_sha: Option<&str>,
    paths: &[std::path::PathBuf],
) -> Provenance {
    provenance.commit = match github_sha {
        Some(sha) => Some(sha.to_owned()),
        None => commit(paths.first().map(|p| p.as_path())),
    };
    provenance
}

/// The `HEAD` commit of the git work tree holding `path`.
fn commit(path: Option<&Path>) -> Option<String> {
    let path = path.unwrap_or(Path::new("."));
    let dir = if path.is_dir() {
        path
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "--quiet", "HEAD"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let sha = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (sha.len() >= 7 && sha.chars().all(|c| c.is_ascii_hexdigit())).then_some(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_is_a_sandbox_and_https_is_not() {
        let local = url::Url::parse("http://127.0.0.1:8080/").unwrap();
        assert!(of_endpoint(false, &local, None).sandbox);
        let real = url::Url::parse("https://api.partnercenter.microsoft.com/").unwrap();
        let p = of_endpoint(false, &real, Some("t".into()));
        assert!(!p.sandbox);
        assert_eq!(p.endpoint, "https://api.partnercenter.microsoft.com/");
        assert_eq!(of_endpoint(true, &local, None).endpoint, "sandbox");
    }
}
