//! Reading the price sheets a run needs: each (market, view) once per run, and once per month
//! across runs through the state store's cache (namespace `prices/<market>/<view>`, key
//! `m<YYYYMM>`, expiring when the month ends). A sheet that cannot be read becomes
//! [`SheetObservation::Unavailable`] with the reason; nothing here fails the run.

use super::{PriceBook, PriceSheet, SheetObservation};
use crate::observe::Reader;
use crate::partner_center::CredentialsKind;
use crate::store::{Cache, CacheEntry};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Why app-only credentials get no prices.
pub const APP_ONLY: &str = "the price sheet needs App+User credentials (the run uses app-only \
    credentials, which Partner Center refuses prices to)";

const FORMAT: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
struct CacheFile {
    format: u32,
    sheet: PriceSheet,
}

/// The `(market, view)` sheets the observed customers need: each customer's country (where the
/// kinds are sold) with the price-sheet view of every item the plan may buy — those observe
/// resolved with their availability, which it reads only for rows with a shortfall (issue 13:
/// a no-change plan reads no price sheet). Savings plans price themselves.
pub fn wanted(
    desired: &crate::manifest::DesiredState,
    customers: &[crate::plan::CustomerObservation],
) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for c in customers {
        let crate::plan::CustomerObservation::Observed(oc) = c else {
            continue;
        };
        // Nothing is bought where the kinds are not sold: no sheet to read.
        if !crate::plan::market_available(&oc.country) {
            continue;
        }
        let Some(dc) = desired
            .customers
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(&oc.id))
        else {
            continue;
        };
        for item in crate::kinds::items(dc) {
            let may_buy = matches!(
                oc.resolution(&item.key(&dc.id)),
                Some(crate::plan::Resolution::Found(ci)) if ci.availability.is_some()
            );
            if may_buy && item.own_price().is_none() {
                out.insert((
                    oc.country.to_ascii_uppercase(),
                    item.kind().price_view().to_owned(),
                ));
            }
        }
    }
    out
}

/// `YYYYMM` of `now`.
pub fn month_of(now: DateTime<Utc>) -> String {
    format!("{:04}{:02}", now.year(), now.month())
}

fn next_month(now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (y, m) = if now.month() == 12 {
        (now.year() + 1, 1)
    } else {
        (now.year(), now.month() + 1)
    };
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()
}

/// Reads every wanted `(market, view)` sheet (market upper-case) for the month of `now`.
pub async fn read(
    reader: &Reader,
    wanted: &BTreeSet<(String, String)>,
    cache: Option<Arc<dyn Cache>>,
    now: DateTime<Utc>,
) -> PriceBook {
    let mut book = PriceBook::default();
    let month = month_of(now);
    for (market, view) in wanted {
        let obs = if reader.credentials_kind() == CredentialsKind::AppOnly {
            SheetObservation::Unavailable {
                reason: APP_ONLY.to_owned(),
            }
        } else {
            one(reader, market, view, &month, cache.as_deref(), now).await
        };
        book.insert(market, view, obs);
    }
    book
}

async fn one(
    reader: &Reader,
    market: &str,
    view: &str,
    month: &str,
    cache: Option<&dyn Cache>,
    now: DateTime<Utc>,
) -> SheetObservation {
    let ns = format!("prices/{}/{view}", market.to_ascii_lowercase());
    let key = format!("m{month}");
    if let Some(c) = cache
        && let Ok(Some(v)) = c.get(&ns, &key, now).await
        && let Ok(f) = serde_json::from_value::<CacheFile>(v)
        && f.format == FORMAT
    {
        return SheetObservation::Read { sheet: f.sheet };
    }
    let text = match reader.get_price_sheet(market, view, month).await {
        Ok(t) => t,
        Err(e) => {
            return SheetObservation::Unavailable {
                reason: refused(&e, market, view),
            };
        }
    };
    let sheet = match PriceSheet::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            return SheetObservation::Unavailable {
                reason: format!(
                    "the {view} price sheet for market {market} cannot be read: {}",
                    crate::error_chain::one_line(&e)
                ),
            };
        }
    };
    if let Some(c) = cache
        && let Ok(value) = serde_json::to_value(CacheFile {
            format: FORMAT,
            sheet: sheet.clone(),
        })
    {
        let entry = CacheEntry {
            expires_at: next_month(now),
            value,
        };
        if let Err(e) = c.put(&ns, &key, &entry).await {
            tracing::warn!("cannot cache the {view} price sheet for {market}: {e}");
        }
    }
    SheetObservation::Read { sheet }
}

/// The reason for a failed read, in words.
fn refused(e: &crate::partner_center::ApiError, market: &str, view: &str) -> String {
    if e.status() == Some(403) && e.code_number() == Some(800043) {
        return "Partner Center refuses access to pricing information (403, code 800043): the \
                signed-in user needs the Admin or Sales agent role"
            .to_owned();
    }
    if matches!(e, crate::partner_center::ApiError::AppUserRequired { .. }) {
        return APP_ONLY.to_owned();
    }
    format!(
        "reading the {view} price sheet for market {market} failed: {}",
        crate::error_chain::one_line(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_expiry() {
        let t = Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 0, 0)
            .single()
            .expect("t");
        assert_eq!(month_of(t), "202612");
        assert_eq!(
            next_month(t),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single()
        );
    }
}
