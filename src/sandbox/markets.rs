//! Markets: where reservations and one-time software are not offered (docs/partner-center.md §13,
//! kept as data, including Microsoft's pseudo-codes), and each country's currency.

/// The 110 markets where Azure reservations and software subscriptions are unavailable.
pub const UNAVAILABLE_MARKETS: &[&str] = &[
    "AX", "AS", "AD", "AI", "AQ", "AG", "AW", "BJ", "BT", "BQ", "BV", "BR", "IO", "VG", "BF", "BI",
    "KH", "CF", "TD", "CN", "CX", "CC", "KM", "CG", "CD", "CK", "DJ", "DM", "GQ", "ER", "FK", "GF",
    "PF", "TF", "GA", "GM", "GI", "GL", "GD", "GP", "GU", "GG", "GN", "GW", "GY", "HT", "HM", "IM",
    "XJ", "JE", "KI", "XK", "LA", "LS", "LR", "MG", "MW", "MV", "ML", "MH", "MQ", "MR", "YT", "FM",
    "MS", "MZ", "MM", "NR", "NC", "NE", "NU", "NF", "MP", "PW", "PG", "PN", "RE", "RU", "XS", "BL",
    "LC", "MF", "PM", "VC", "WS", "SM", "ST", "SC", "SL", "XE", "SX", "SB", "SO", "GS", "SS", "SH",
    "SR", "SJ", "SZ", "TL", "TG", "TK", "TO", "TC", "TV", "UM", "VU", "VA", "WF", "YE",
];

/// Countries the generated worlds spread customers over (all available markets).
pub const AVAILABLE_SAMPLE: &[&str] = &[
    "US", "GB", "DE", "FR", "NL", "JP", "CA", "AU", "IE", "IT", "ES", "SE", "DK", "NO", "CH", "AT",
    "BE", "FI", "PL", "IN", "SG", "NZ", "MX", "ZA",
];

const EURO: &[&str] = &[
    "DE", "FR", "NL", "IE", "IT", "ES", "AT", "BE", "FI", "PT", "LU", "GR", "SK", "SI", "EE", "LV",
    "LT", "MT", "CY", "HR",
];

/// Whether reservations and software are unavailable for customers in `country`.
pub fn is_unavailable(country: &str) -> bool {
    UNAVAILABLE_MARKETS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(country))
}

/// The currency (code, symbol) the catalog quotes in for `country`.
pub fn currency(country: &str) -> (&'static str, &'static str) {
    let c = country.to_ascii_uppercase();
    if c == "GB" {
        ("GBP", "£")
    } else if c == "JP" {
        ("JPY", "¥")
    } else if EURO.contains(&c.as_str()) {
        ("EUR", "€")
    } else {
        ("USD", "$")
    }
}

/// Converts a USD price into `code`, rounded like a price list (JPY has no minor unit).
pub fn convert(usd: f64, code: &str) -> f64 {
    let v = match code {
        "EUR" => usd * 0.92,
        "GBP" => usd * 0.79,
        "JPY" => return (usd * 150.0).round(),
        _ => usd,
    };
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_110_markets_and_pseudo_codes() {
        assert_eq!(UNAVAILABLE_MARKETS.len(), 110);
        for code in ["XS", "XE", "XJ", "XK", "RU", "CN", "BR"] {
            assert!(is_unavailable(code));
        }
        assert!(!is_unavailable("us"));
        assert!(AVAILABLE_SAMPLE.iter().all(|c| !is_unavailable(c)));
    }
}
