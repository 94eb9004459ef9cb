//! The sandbox clock (`now = wall clock + offset`) and the date formats it writes.

use chrono::{DateTime, SecondsFormat, Utc};

/// The sandbox's "now" for a world clock offset.
pub fn now(offset_seconds: i64) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(offset_seconds)
}

/// ISO 8601 with `Z` and 7 fractional digits at most (what Partner Center writes).
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A date-only timestamp without zone (`2026-11-21T00:00:00`), as invoices show.
pub fn zoneless_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT00:00:00").to_string()
}

/// Adds an ISO duration `P1Y` / `P3Y` / `P1M` (years and months only) to `t`.
pub fn add_term(t: DateTime<Utc>, term: &str) -> Option<DateTime<Utc>> {
    let t_up = term.to_ascii_uppercase();
    let rest = t_up.strip_prefix('P')?;
    let unit = rest.chars().last()?;
    let n: u32 = rest[..rest.len() - unit.len_utf8()].parse().ok()?;
    let months = match unit {
        'Y' => n * 12,
        'M' => n,
        _ => return None,
    };
    t.checked_add_months(chrono::Months::new(months))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_add_years() {
        let t = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap();
        assert_eq!(ts(add_term(t, "P1Y").unwrap()), "2027-01-31T00:00:00.000Z");
        assert_eq!(ts(add_term(t, "p3y").unwrap()), "2029-01-31T00:00:00.000Z");
        assert!(add_term(t, "bogus").is_none());
    }
}
