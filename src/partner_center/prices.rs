//! The partner price sheet (docs/partner-center.md, prices): `GET
//! {pricing host}/v1.0/sales/pricesheets(Market='{cc}',PricesheetView='{view}')/$value?timeline=current&month=YYYYMM`.
//! It lives on **another host with another token audience** than the rest of the API:
//! `api.partner.microsoft.com` for the global cloud (`--endpoint global` implies both hosts); a
//! URL endpoint (or the sandbox) serves both paths itself. App+User only. The answer is CSV,
//! deflate-compressed when asked with `Accept-Encoding: deflate`; this module returns the text.

use super::auth::{self, Credentials};
use super::error::ApiError;
use super::http::{Call, Category};
use super::{Client, endpoint};
use std::io::Read;
use url::Url;

/// Base URL of the global pricing host.
pub const GLOBAL_PRICING_URL: &str = "https://api.partner.microsoft.com/";
/// Token audience of the pricing host.
pub const PRICING_RESOURCE: &str = "https://api.partner.microsoft.com";

/// The pricing base URL and credentials for an API base URL: the global Partner Center implies
/// the global pricing host; any other endpoint serves the price sheet itself. The token audience
/// is the pricing host's, except for the 21Vianet cloud (which keeps its own).
pub(crate) fn pricing_host(base_url: &Url, credentials: &Credentials) -> (Url, Credentials) {
    let global = Url::parse(endpoint::GLOBAL_URL).ok();
    let is_global = base_url.host_str() == global.as_ref().and_then(Url::host_str);
    let url = if is_global {
        Url::parse(GLOBAL_PRICING_URL).unwrap_or_else(|_| base_url.clone())
    } else {
        base_url.clone()
    };
    let creds = match credentials {
        Credentials::Client { resource, .. } if resource == auth::CHINA_RESOURCE => {
            credentials.clone()
        }
        _ => credentials.clone().with_resource(PRICING_RESOURCE),
    };
    (url, creds)
}

impl Client {
    /// The price sheet of one market and view for a month (`YYYYMM`), as CSV text (inflated when
    /// the answer is deflate-compressed). A 403 with code 800043 means the partner has no access
    /// to prices.
    pub async fn get_price_sheet(
        &self,
        market: &str,
        view: &str,
        month: &str,
    ) -> Result<String, ApiError> {
        let bad = |what: &'static str, value: &str| ApiError::InvalidInput {
            what,
            value: value.to_owned(),
            reason: "expected letters, digits or underscores".into(),
        };
        let plain =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain(market) || market.len() != 2 {
            return Err(bad("market", market));
        }
        if !plain(view) {
            return Err(bad("price sheet view", view));
        }
        if month.len() != 6 || !month.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad("month", month));
        }
        let mut url = self.inner.price_url.clone();
        url.set_path(&format!(
            "{}v1.0/sales/pricesheets(Market='{}',PricesheetView='{view}')/$value",
            url.path(),
            market.to_ascii_lowercase()
        ));
        url.query_pairs_mut()
            .append_pair("timeline", "current")
            .append_pair("month", month);
        self.sales_csv(url, "price sheet").await
    }

    /// The FX rates of a month (`YYYYMM`) as CSV text (`CurrencyCode,USDPerUnit,Month`), from
    /// `GET {pricing host}/v1.0/sales/fxrates(Month='YYYYMM')/$value`; see [`crate::prices::fx`].
    pub async fn get_fx_rates(&self, month: &str) -> Result<String, ApiError> {
        if month.len() != 6 || !month.chars().all(|c| c.is_ascii_digit()) {
            return Err(ApiError::InvalidInput {
                what: "month",
                value: month.to_owned(),
                reason: "expected YYYYMM".into(),
            });
        }
        let mut url = self.inner.price_url.clone();
        url.set_path(&format!(
            "{}v1.0/sales/fxrates(Month='{month}')/$value",
            url.path()
        ));
        self.sales_csv(url, "FX rate list").await
    }

    /// A CSV answer of the pricing host (`what` names it in errors), inflated when deflated.
    async fn sales_csv(&self, url: Url, what: &str) -> Result<String, ApiError> {
        let mut call = Call::get(url, Category::Prices, None);
        call.accept = "text/csv";
        call.headers
            .push(("Accept-Encoding".into(), "deflate".into()));
        let reply = self.execute(&call).await?;
        let encoding = reply.header("content-encoding").unwrap_or_default();
        let bytes = if encoding.eq_ignore_ascii_case("deflate") {
            inflate(&reply.body).map_err(|e| ApiError::Decode {
                method: reply.method.clone(),
                path: reply.path.clone(),
                status: reply.status,
                message: format!("the deflate-compressed {what} cannot be inflated ({e})"),
            })?
        } else {
            reply.body.to_vec()
        };
        String::from_utf8(bytes).map_err(|e| ApiError::Decode {
            method: reply.method,
            path: reply.path,
            status: reply.status,
            message: format!("the {what} is not UTF-8 text ({e})"),
        })
    }
}

/// Inflates an HTTP `deflate` body: zlib-wrapped as RFC 9110 says, or raw deflate as some servers
/// send it.
fn inflate(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if flate2::read::ZlibDecoder::new(body)
        .read_to_end(&mut out)
        .is_ok()
    {
        return Ok(out);
    }
    out.clear();
    flate2::read::DeflateDecoder::new(body).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn global_endpoint_implies_the_pricing_host_and_audience() {
        let base = Url::parse("https://api.partnercenter.microsoft.com/").expect("url");
        let creds = Credentials::app_user(
            "t",
            "c",
            super::super::Secret::new("s"),
            super::super::Secret::new("r"),
            auth::DEFAULT_AUTHORITY,
        );
        let (url, c) = pricing_host(&base, &creds);
        assert_eq!(url.as_str(), GLOBAL_PRICING_URL);
        assert!(matches!(c, Credentials::Client { resource, .. } if resource == PRICING_RESOURCE));
        let local = Url::parse("http://127.0.0.1:8080/").expect("url");
        assert_eq!(pricing_host(&local, &creds).0, local);
    }

    #[test]
    fn inflates_zlib_and_raw_deflate() {
        let text = b"ProductId,SkuId\nP,0001\n";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text).expect("write");
        assert_eq!(inflate(&z.finish().expect("zlib")).expect("inflate"), text);
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        d.write_all(text).expect("write");
        assert_eq!(
            inflate(&d.finish().expect("deflate")).expect("inflate"),
            text
        );
    }
}
