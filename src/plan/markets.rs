//! Markets where Azure reservations and software are not sold (docs/partner-center.md §13), kept
//! as data. Both documents Microsoft publishes (`purchase-azure-reservations`,
//! `make-a-one-time-purchase`) list the same 110 markets, so one list serves both.

/// Country codes of the unavailable markets, as Partner Center spells them. Four are Microsoft
/// pseudo-codes, not ISO 3166: Saba `XS`, Sint Eustatius `XE`, Jan Mayen `XJ`, Kosovo `XK`.
pub const UNAVAILABLE_MARKETS: &[&str] = &[
    "AX", "AS", "AD", "AI", "AQ", "AG", "AW", "BJ", "BT", "BQ", "BV", "BR", "IO", "VG", "BF", "BI",
    "KH", "CF", "TD", "CN", "CX", "CC", "KM", "CG", "CD", "CK", "DJ", "DM", "GQ", "ER", "FK", "GF",
    "PF", "TF", "GA", "GM", "GI", "GL", "GD", "GP", "GU", "GG", "GN", "GW", "GY", "HT", "HM", "IM",
    "XJ", "JE", "KI", "XK", "LA", "LS", "LR", "MG", "MW", "MV", "ML", "MH", "MQ", "MR", "YT", "FM",
    "MS", "MZ", "MM", "NR", "NC", "NE", "NU", "NF", "MP", "PW", "PG", "PN", "RE", "RU", "XS", "BL",
    "LC", "MF", "PM", "VC", "WS", "SM", "ST", "SC", "SL", "XE", "SX", "SB", "SO", "GS", "SS", "SH",
    "SR", "SJ", "SZ", "TL", "TG", "TK", "TO", "TC", "TV", "UM", "VU", "VA", "WF", "YE",
];

/// Whether Azure reservations and software can be bought for a customer in `country`
/// (ISO alpha-2 or Microsoft pseudo-code, case-insensitive).
pub fn market_available(country: &str) -> bool {
    let c = country.trim();
    !UNAVAILABLE_MARKETS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_the_110_published_markets_once_each() {
        let mut v = UNAVAILABLE_MARKETS.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 110);
        assert_eq!(UNAVAILABLE_MARKETS.len(), 110);
    }

    #[test]
    fn demo_world_markets() {
        assert!(!market_available("RU"));
        assert!(!market_available("ru"));
        assert!(!market_available("XK"));
        for ok in ["US", "GB", "DE", "JP"] {
            assert!(market_available(ok), "{ok}");
        }
    }
}
