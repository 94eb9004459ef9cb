//! Prices: the partner price sheet as observed data (docs/partner-center.md, prices). A sheet is
//! parsed from its CSV ([`sheet`]), read once per market, view and month per run and cached in
//! the state store ([`read`]); the plan joins it to catalog items by product id, SKU id and term
//! ([`PriceBook::lookup`]) and never guesses: a missing sheet, a refused read (app-only
//! credentials, 403/800043) or an item missing from the sheet is a price *unknown*, with the
//! reason. [`money`] formats amounts and keeps totals per currency (currencies are never added).

pub mod fx;
pub mod money;
pub mod read;
pub mod sheet;

pub use money::{Totals, format_amount};
pub use sheet::{PriceEntry, PriceSheet, SheetError};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The price-sheet view of reservations.
pub const RESERVATIONS_VIEW: &str = "azure_reservations";
/// The price-sheet view of software.
pub const SOFTWARE_VIEW: &str = "software";

/// One (market, view) price sheet as the run observed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SheetObservation {
    Read {
        sheet: PriceSheet,
    },
    /// Not readable; `reason` says why in words (e.g. no access to prices, 403/800043).
    Unavailable {
        reason: String,
    },
}

/// Every price sheet a run read, keyed by `MARKET/view` (market upper-case).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBook {
    #[serde(default)]
    pub sheets: BTreeMap<String, SheetObservation>,
}

/// What the price sheet says about one catalog item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(PriceEntry),
    /// The price is unknown; why, in words.
    Unknown(String),
}

/// The key of a sheet in [`PriceBook::sheets`].
pub fn sheet_key(market: &str, view: &str) -> String {
    format!("{}/{view}", market.to_ascii_uppercase())
}

impl PriceBook {
    /// Records a sheet (or why it could not be read).
    pub fn insert(&mut self, market: &str, view: &str, sheet: SheetObservation) {
        self.sheets.insert(sheet_key(market, view), sheet);
    }

    /// The price of `product_id`/`sku_id` for `term` (ignored when `None`) in `market`'s `view`.
    pub fn lookup(
        &self,
        market: &str,
        view: &str,
        product_id: &str,
        sku_id: &str,
        term: Option<&str>,
    ) -> Lookup {
        match self.sheets.get(&sheet_key(market, view)) {
            None => Lookup::Unknown(format!(
                "the {view} price sheet for market {} was not read",
                market.to_ascii_uppercase()
            )),
            Some(SheetObservation::Unavailable { reason }) => Lookup::Unknown(reason.clone()),
            Some(SheetObservation::Read { sheet }) => sheet.lookup(product_id, sku_id, term),
        }
    }
}
