//! The PostgreSQL location: parsing a `postgres://` URL into a connection config and a TLS mode,
//! and the password-free form used in every message.

use tokio_postgres::config::Host;

/// How TLS is used (the URL's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain TCP. Only allowed to a loopback host.
    Disable,
    /// TLS when the server offers it (certificate verified), else plain.
    Prefer,
    /// TLS required; the certificate chain and host name are verified.
    Require,
    /// TLS required; the certificate chain and host name are verified.
    VerifyFull,
}

/// Why a state URL cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error("state URL {url}: {message}")]
    Invalid { url: String, message: String },
}

/// A parsed `postgres://` state location.
#[derive(Clone)]
pub struct PgLocation {
    pub config: tokio_postgres::Config,
    pub tls: TlsMode,
    /// The URL without its password.
    pub display: String,
}

impl std::fmt::Debug for PgLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLocation")
            .field("display", &self.display)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Whether `s` names a PostgreSQL store.
pub fn is_postgres_url(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    l.starts_with("postgres://") || l.starts_with("postgresql://")
}

/// `url` with any password replaced by `***` (best effort on unparseable input: everything
/// between `://user:` and `@` is hidden).
pub fn scrub(url: &str) -> String {
    if let Ok(mut u) = url::Url::parse(url) {
        if u.password().is_some() {
            let _ = u.set_password(Some("***"));
        }
        return u.to_string();
    }
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl PgLocation {
    /// Parses a state URL. `sslmode` may be `disable` (loopback hosts only), `prefer`
    /// (the default), `require` or `verify-full`; other query parameters are passed on.
    pub fn parse(raw: &str) -> Result<PgLocation, UrlError> {
        let display = scrub(raw);
        let invalid = |message: String| UrlError::Invalid {
            url: display.clone(),
            message,
        };
        let mut u = url::Url::parse(raw).map_err(|e| invalid(e.to_string()))?;
        let mut tls = TlsMode::Prefer;
        let mut rest: Vec<(String, String)> = Vec::new();
        for (k, v) in u.query_pairs() {
            if k == "sslmode" {
                tls = match v.as_ref() {
                    "disable" => TlsMode::Disable,
                    "prefer" | "allow" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-full" | "verify-ca" => TlsMode::VerifyFull,
                    other => {
                        return Err(invalid(format!(
                            "sslmode {other:?} is not one of disable, prefer, require, verify-full"
                        )));
                    }
                };
            } else {
                rest.push((k.into_owned(), v.into_owned()));
            }
        }
        if rest.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(rest);
        }
        let mut config: tokio_postgres::Config = u
            .as_str()
            .parse()
            .map_err(|e: tokio_postgres::Error| invalid(e.to_string()))?;
        config.ssl_mode(match tls {
            TlsMode::Disable => tokio_postgres::config::SslMode::Disable,
            TlsMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            TlsMode::Require | TlsMode::VerifyFull => tokio_postgres::config::SslMode::Require,
        });
        if config.get_application_name().is_none() {
            config.application_name("reservoir");
        }
        config.connect_timeout(std::time::Duration::from_secs(10));
        if tls == TlsMode::Disable && !config.get_hosts().iter().all(is_loopback) {
            return Err(invalid(
                "sslmode=disable is only allowed for a loopback host; use sslmode=require \
                 (Azure Database for PostgreSQL requires TLS)"
                    .into(),
            ));
        }
        Ok(PgLocation {
            config,
            tls,
            display,
        })
    }
}

fn is_loopback(host: &Host) -> bool {
    match host {
        Host::Tcp(h) => {
            h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        #[cfg(unix)]
        Host::Unix(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_and_sslmode_is_honoured() {
        let raw = "postgres://app:s3cr%40t@db.example.com:5432/reservoir?sslmode=require";
        let loc = PgLocation::parse(raw).expect("parse");
        assert_eq!(loc.tls, TlsMode::Require);
        assert!(!loc.display.contains("s3cr"), "{}", loc.display);
        assert!(!format!("{loc:?}").contains("s3cr"));
        assert_eq!(loc.config.get_password(), Some(&b"s3cr@t"[..]));

        let err = PgLocation::parse("postgres://app:hunter2@db.example.com/x?sslmode=disable")
            .expect_err("disable off loopback");
        assert!(err.to_string().contains("loopback"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = PgLocation::parse("postgres://app:hunter2@127.0.0.1/x?sslmode=bogus")
            .expect_err("bad mode");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let ok = PgLocation::parse("postgres://app:pw@127.0.0.1:5999/x?sslmode=disable")
            .expect("loopback may disable");
        assert_eq!(ok.tls, TlsMode::Disable);
        assert_eq!(scrub("postgres://u:p@w@h/db"), "postgres://u:***@h/db");
    }
}
