//! `Secret`: a string whose `Debug` and `Display` never show its value, and the process-wide
//! scrubber.
//!
//! Every [`Secret`] built in this process (client secret, refresh token — configured or rotated —,
//! access tokens obtained, `PARTNER_CENTER_ACCESS_TOKEN`) registers its value. [`scrub`] replaces
//! every registered value with `***` in any text, so that what a server answers (error bodies,
//! echoed headers, links) can be printed, logged or stored. The client scrubs every error it
//! returns; the journal, receipts and logs can call [`scrub`] on anything else that originates
//! from a server answer.
//!
//! Values shorter than [`MIN_SCRUBBED_LEN`] characters are not registered (scrubbing `"a"` would
//! garble every message; real secrets are far longer). Besides the raw value, its
//! form-urlencoded and JSON-escaped spellings are registered too (a server may echo either).

use std::borrow::Cow;
use std::fmt;
use std::sync::{LazyLock, RwLock};

/// What a scrubbed value is replaced with.
pub const MASK: &str = "***";
/// Shorter values are not registered for scrubbing.
pub const MIN_SCRUBBED_LEN: usize = 6;
/// At most this many values are remembered (the oldest are dropped first; access tokens are
/// fetched at most once a minute, so this covers days of running).
const MAX_REGISTERED: usize = 4096;

static REGISTRY: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Registers a secret value (and its encoded spellings) for [`scrub`].
pub fn register(value: &str) {
    if value.chars().count() < MIN_SCRUBBED_LEN {
        return;
    }
    let mut spellings = vec![value.to_string()];
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    spellings.push(form);
    if let Ok(json) = serde_json::to_string(value) {
        spellings.push(json.trim_matches('"').to_string());
    }
    let mut reg = REGISTRY.write().unwrap_or_else(|p| p.into_inner());
    for s in spellings {
        if !reg.contains(&s) {
            reg.push(s);
        }
    }
    // Longest first, so that a value containing another is masked whole.
    reg.sort_by_key(|s| std::cmp::Reverse(s.len()));
    if reg.len() > MAX_REGISTERED {
        let excess = reg.len() - MAX_REGISTERED;
        reg.drain(..excess);
    }
}

/// `text` with every registered secret value replaced by [`MASK`].
pub fn scrub(text: &str) -> Cow<'_, str> {
    let reg = REGISTRY.read().unwrap_or_else(|p| p.into_inner());
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for s in reg.iter() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), MASK));
        }
    }
    out
}

/// Scrubs every string (and object key) inside a JSON value in place, so a secret is caught
/// whatever escaping serialisation would give it. Returns whether anything was replaced.
pub fn scrub_json(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let clean = match scrub(s) {
                Cow::Owned(c) => Some(c),
                Cow::Borrowed(_) => None,
            };
            clean.map(|c| *s = c).is_some()
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, i| scrub_json(i) | acc),
        Value::Object(map) => {
            let mut changed = false;
            let entries = std::mem::take(map);
            for (k, mut val) in entries {
                changed |= scrub_json(&mut val);
                let key = scrub(&k).into_owned();
                changed |= key != k;
                map.insert(key, val);
            }
            changed
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `value` with every known secret scrubbed from its strings, when it held one (`None`: nothing
/// to scrub, or it does not round-trip through JSON). For records written to disk: the journal,
/// the receipt.
pub fn scrubbed<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> Option<T> {
    let mut v = serde_json::to_value(value).ok()?;
    if !scrub_json(&mut v) {
        return None;
    }
    serde_json::from_value(v).ok()
}

/// Scrubs a `String` in place (no allocation when nothing matches).
pub fn scrub_in_place(text: &mut String) {
    if let Cow::Owned(s) = scrub(text) {
        *text = s;
    }
}

/// A secret (client secret, refresh token, access token). Printing it shows `[redacted]`;
/// the value is only reachable through [`Secret::expose`]. Building one registers the value
/// with the process-wide scrubber.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value (and registers it for [`scrub`]).
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// The raw value, for building a request. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

/// An error cause whose `Display` and `Debug` are scrubbed; the original error stays reachable
/// ([`Scrubbed::inner`]) and its own causes continue the chain.
pub struct Scrubbed(pub Box<dyn std::error::Error + Send + Sync + 'static>);

impl Scrubbed {
    /// Wraps an error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Scrubbed(Box::new(e))
    }

    /// The wrapped error (e.g. to downcast it).
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.0.as_ref()
    }
}

impl fmt::Display for Scrubbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&scrub(&self.0.to_string()))
    }
}

impl fmt::Debug for Scrubbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&scrub(&format!("{:?}", self.0)))
    }
}

impl std::error::Error for Scrubbed {
    /// The wrapped error's own cause, as is: wrap errors whose *own* text may echo a server
    /// answer (a JSON decoding error quoting the body); transport causes (io errors) carry none.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?} {s} {s:#?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn scrubs_registered_values_and_their_encodings() {
        let _s = Secret::new("sEcr3t+va/lue\"x");
        let text = "echo sEcr3t+va/lue\"x and sEcr3t%2Bva%2Flue%22x and sEcr3t+va/lue\\\"x";
        let out = scrub(text);
        assert!(!out.contains("sEcr3t"), "{out}");
        assert_eq!(out.matches(MASK).count(), 3, "{out}");
        // short values are not registered
        let _short = Secret::new("abc");
        assert_eq!(scrub("abc abc"), "abc abc");
    }

    #[test]
    fn a_scrubbed_cause_keeps_its_chain() {
        let _s = Secret::new("chain-secret-42");
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer with chain-secret-42")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Scrubbed::new(Outer(io));
        assert_eq!(e.to_string(), "outer with ***");
        assert!(!format!("{e:?}").contains("chain-secret-42"));
        let cause = std::error::Error::source(&e).expect("cause");
        assert_eq!(
            cause.downcast_ref::<std::io::Error>().map(|e| e.kind()),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
        assert!(e.inner().downcast_ref::<Outer>().is_some());
    }
}
