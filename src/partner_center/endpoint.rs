//! `--endpoint` / `RESERVOIR_ENDPOINT`: `sandbox`, `global`, `china` or a URL (plain http only
//! for loopback hosts).

use std::net::IpAddr;
use url::Url;

/// Base URL of the global (and US Government) Partner Center.
pub const GLOBAL_URL: &str = "https://api.partnercenter.microsoft.com";
/// Base URL of Partner Center operated by 21Vianet.
pub const CHINA_URL: &str = "https://partner.partnercenterapi.microsoftonline.cn";

/// Where API calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSpec {
    /// The embedded simulator (started by the caller; its URL is known only once it runs).
    Sandbox,
    /// A Partner Center base URL (without `/v1`).
    Url(Url),
}

/// A rejected `--endpoint` value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error(
        "endpoint {0:?} is neither `sandbox`, `global`, `china` nor a URL (e.g. https://api.partnercenter.microsoft.com)"
    )]
    NotAUrl(String),
    #[error(
        "endpoint {0:?} uses plain http on a non-loopback host; use https (plain http is only allowed for 127.0.0.1, ::1 or localhost)"
    )]
    InsecureHttp(String),
    #[error("endpoint {0:?} has unsupported scheme {1:?}; use https")]
    UnsupportedScheme(String, String),
    #[error("endpoint {0:?} must not carry credentials, a query or a fragment")]
    Extras(String),
    #[error(
        "PARTNER_CENTER_AUTHORITY {0:?} uses plain http on a non-loopback host; use https (plain http is only allowed for 127.0.0.1, ::1 or localhost), so that the client secret and refresh token never travel in clear text"
    )]
    InsecureAuthority(String),
    #[error(
        "PARTNER_CENTER_AUTHORITY {0:?} is not an https URL without credentials, query or fragment (e.g. https://login.microsoftonline.com)"
    )]
    InvalidAuthority(String),
}

/// Checks a token authority (`PARTNER_CENTER_AUTHORITY`) with the endpoint rule: https, or plain
/// http to a loopback host only; no user info, query or fragment.
pub fn check_authority(raw: &str) -> Result<Url, EndpointError> {
    let invalid = || EndpointError::InvalidAuthority(raw.to_string());
    let url = Url::parse(raw.trim()).map_err(|_| invalid())?;
    if url.host().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(EndpointError::InsecureAuthority(raw.to_string())),
        _ => Err(invalid()),
    }
}

impl EndpointSpec {
    /// Parses an `--endpoint` value (names are case-insensitive).
    pub fn parse(raw: &str) -> Result<Self, EndpointError> {
        let s = raw.trim();
        match s.to_ascii_lowercase().as_str() {
            "sandbox" | "" => return Ok(EndpointSpec::Sandbox),
            "global" => return Ok(EndpointSpec::Url(fixed(GLOBAL_URL))),
            "china" => return Ok(EndpointSpec::Url(fixed(CHINA_URL))),
            _ => {}
        }
        let url = Url::parse(s).map_err(|_| EndpointError::NotAUrl(raw.to_string()))?;
        if url.host().is_none() {
            return Err(EndpointError::NotAUrl(raw.to_string()));
        }
        if !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(EndpointError::Extras(raw.to_string()));
        }
        match url.scheme() {
            "https" => Ok(EndpointSpec::Url(url)),
            "http" if is_loopback(&url) => Ok(EndpointSpec::Url(url)),
            "http" => Err(EndpointError::InsecureHttp(raw.to_string())),
            other => Err(EndpointError::UnsupportedScheme(
                raw.to_string(),
                other.to_string(),
            )),
        }
    }
}

impl std::str::FromStr for EndpointSpec {
    type Err = EndpointError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EndpointSpec::parse(s)
    }
}

fn fixed(s: &str) -> Url {
    Url::parse(s).expect("built-in endpoint URL is valid")
}

/// True when the URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!(
            EndpointSpec::parse("sandbox").unwrap(),
            EndpointSpec::Sandbox
        );
        assert_eq!(
            EndpointSpec::parse("GLOBAL").unwrap(),
            EndpointSpec::Url(fixed(GLOBAL_URL))
        );
        assert_eq!(
            EndpointSpec::parse("china").unwrap(),
            EndpointSpec::Url(fixed(CHINA_URL))
        );
        assert!(matches!(
            EndpointSpec::parse("https://pc.example.com"),
            Ok(EndpointSpec::Url(_))
        ));
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:1",
            "http://localhost:3000",
        ] {
            assert!(EndpointSpec::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn the_authority_follows_the_endpoint_rule() {
        assert!(check_authority("https://login.microsoftonline.com").is_ok());
        assert!(check_authority("http://127.0.0.1:9/").is_ok());
        assert!(matches!(
            check_authority("http://login.example.com"),
            Err(EndpointError::InsecureAuthority(_))
        ));
        for bad in [
            "ftp://x.example",
            "login",
            "https://u:p@x.example",
            "https://x?q=1",
        ] {
            assert!(
                matches!(
                    check_authority(bad),
                    Err(EndpointError::InvalidAuthority(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_plain_http_off_loopback_and_junk() {
        let e = EndpointSpec::parse("http://api.partnercenter.microsoft.com").unwrap_err();
        assert!(matches!(e, EndpointError::InsecureHttp(_)));
        assert!(e.to_string().contains("https"));
        assert!(matches!(
            EndpointSpec::parse("http://10.0.0.1"),
            Err(EndpointError::InsecureHttp(_))
        ));
        assert!(matches!(
            EndpointSpec::parse("globl"),
            Err(EndpointError::NotAUrl(_))
        ));
        assert!(matches!(
            EndpointSpec::parse("ftp://x.example"),
            Err(EndpointError::UnsupportedScheme(..))
        ));
        assert!(matches!(
            EndpointSpec::parse("https://u:p@x.example"),
            Err(EndpointError::Extras(_))
        ));
    }
}
