//! FX rates (docs/partner-center.md, prices): `CurrencyCode,USDPerUnit,Month` CSV, one month's
//! rate holding for the whole month. Used only to show an approximate amount in another currency,
//! clearly labelled as a conversion — never to add amounts of different currencies.

use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One month's rates: USD per unit of each currency (upper-case codes; USD is 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FxRates {
    /// `YYYYMM`.
    pub month: String,
    pub usd_per_unit: BTreeMap<String, Decimal>,
}

/// Why an FX rate list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    #[error("the FX rate list has no CurrencyCode,USDPerUnit header")]
    Header,
    #[error("FX rate line {line} is not CurrencyCode,USDPerUnit,Month: {text:?}")]
    Line { line: usize, text: String },
    #[error("FX rate line {line} gives {code} twice with different rates")]
    Conflict { line: usize, code: String },
}

impl FxRates {
    /// Parses the CSV (header names compared case-insensitively; blank lines skipped). A rate
    /// that is not a positive number, or a currency given twice with different rates, is an
    /// error: a conversion is never made from a doubtful rate.
    pub fn parse(text: &str) -> Result<FxRates, FxError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or(FxError::Header)?;
        let cols: Vec<String> = header
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let at = |name: &str| cols.iter().position(|c| c == name);
        let (Some(code_at), Some(rate_at)) = (at("currencycode"), at("usdperunit")) else {
            return Err(FxError::Header);
        };
        let month_at = at("month");
        let mut out = FxRates::default();
        for (i, l) in lines {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            let bad = || FxError::Line {
                line: i + 1,
                text: l.to_owned(),
            };
            let code = f.get(code_at).filter(|c| c.len() == 3).ok_or_else(bad)?;
            let rate: Decimal = f
                .get(rate_at)
                .and_then(|r| r.parse().ok())
                .filter(|r: &Decimal| *r > Decimal::ZERO)
                .ok_or_else(bad)?;
            if let Some(m) = month_at.and_then(|m| f.get(m)) {
                out.month = (*m).to_owned();
            }
            let code = code.to_ascii_uppercase();
            match out.usd_per_unit.insert(code.clone(), rate) {
                Some(old) if old != rate => {
                    return Err(FxError::Conflict { line: i + 1, code });
                }
                _ => {}
            }
        }
        out.usd_per_unit.entry("USD".into()).or_insert(Decimal::ONE);
        Ok(out)
    }

    /// `amount` USD in `currency` at this month's rate, rounded to cents (`None`: no rate).
    pub fn from_usd(&self, amount: Decimal, currency: &str) -> Option<Decimal> {
        let rate = self.usd_per_unit.get(&currency.to_ascii_uppercase())?;
        Some((amount / *rate).round_dp(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_convert_and_doubtful_ones_are_refused() {
        let r = FxRates::parse("CurrencyCode,USDPerUnit,Month\nEUR,1.25,202611\ngbp,1.6,202611\n")
            .expect("rates");
        assert_eq!(r.month, "202611");
        assert_eq!(
            r.from_usd(Decimal::new(100, 0), "eur"),
            Some(Decimal::new(80, 0))
        );
        assert_eq!(
            r.from_usd(Decimal::new(100, 0), "USD"),
            Some(Decimal::new(100, 0))
        );
        assert_eq!(r.from_usd(Decimal::ONE, "JPY"), None);
        assert!(matches!(
            FxRates::parse("CurrencyCode,USDPerUnit\nEUR,0\n"),
            Err(FxError::Line { line: 2, .. })
        ));
        assert!(matches!(
            FxRates::parse("CurrencyCode,USDPerUnit\nEUR,1.1\nEUR,1.2\n"),
            Err(FxError::Conflict { .. })
        ));
        assert_eq!(FxRates::parse("a,b\n"), Err(FxError::Header));
    }
}
