//! What a customer owns: its entitlements (orders fetched by id to attribute them), or its
//! one-time orders when the credentials are app-only.

use super::Context;
use super::error::CustomerError;
use crate::kinds;
use crate::observe::holdings::{self, Orders};
use crate::partner_center::wire::{Entitlement, Order};
use crate::partner_center::{ApiError, CredentialsKind as ClientCredentials};
use crate::plan::HoldingsSource;
use std::collections::{BTreeMap, BTreeSet};

/// What was listed to find the customer's holdings.
pub(super) enum Listed {
    Entitlements(Vec<Entitlement>),
    Orders(Vec<Order>),
}

impl Context<'_> {
    /// The customer's entitlements, or its one-time orders when the credentials are app-only
    /// (known up front, or learnt from a 403/900329).
    pub(super) async fn list_holdings(&self, id: &str) -> Result<Listed, CustomerError> {
        if self.reader.credentials_kind() != ClientCredentials::AppOnly {
            match self.reader.list_all_entitlements(id).await {
                Ok(ents) => return Ok(Listed::Entitlements(ents)),
                Err(ApiError::AppUserRequired { .. }) => {
                    tracing::info!(
                        "entitlements of {id} need App+User credentials; reading one-time orders"
                    );
                }
                Err(e) => return Err(CustomerError::Entitlements(e)),
            }
        }
        self.reader
            .list_one_time_orders(id)
            .await
            .map(Listed::Orders)
            .map_err(CustomerError::OneTimeOrders)
    }

    /// Holdings from the listed entitlements (orders fetched by id to attribute them, unless
    /// cached) or one-time orders. A malformed answer is an error naming the call and the field.
    pub(super) async fn holdings(
        &self,
        id: &str,
        country: &str,
        listed: Listed,
    ) -> Result<(holdings::Holdings, HoldingsSource), CustomerError> {
        let orders = Orders {
            reader: self.reader,
            cache: self.cache,
            customer_id: id,
        };
        // The catalog's views may be partial (read for the declared items): list the products
        // the holdings name, so their SKU facts are known as with whole views.
        let products: BTreeSet<String> = match &listed {
            Listed::Entitlements(ents) => ents
                .iter()
                .filter_map(|e| e.product_id.as_deref())
                .map(|p| p.trim().to_ascii_uppercase())
                .collect(),
            Listed::Orders(list) => list
                .iter()
                .flat_map(|o| &o.line_items)
                .filter_map(|l| l.offer_id.as_deref())
                .filter_map(|o| o.split(':').next())
                .map(|p| p.trim().to_ascii_uppercase())
                .collect(),
        };
        self.catalog.cover(country, &products).await;
        let list = match listed {
            Listed::Entitlements(ents) => {
                let ids = holdings::orders_to_attribute(&ents);
                let by_id = orders
                    .by_id(ids, true)
                    .await
                    .map_err(|(order_id, source)| CustomerError::Order { order_id, source })?;
                let h = holdings::from_entitlements(id, &ents, &by_id, self.catalog)?;
                return Ok((h, HoldingsSource::Entitlements));
            }
            Listed::Orders(list) => list,
        };
        let summaries: Vec<_> = list
            .iter()
            .map(crate::observe::order_cache::OrderSummary::from_wire)
            .collect();
        let summaries = holdings::distinct_orders(id, summaries)?;
        for o in &summaries {
            self.cache.put(id, o).await;
        }
        let mut product_kinds = BTreeMap::new();
        for p in holdings::products_to_classify(&summaries, self.catalog) {
            let kind = match self.catalog.product_type(country, &p).await {
                Ok(t) => t.as_ref().and_then(kinds::kind_of_product_type),
                Err(e) => {
                    tracing::warn!("the catalog type of product {p} is unknown: {e}");
                    None
                }
            };
            product_kinds.insert(p, kind);
        }
        let h = holdings::from_orders(id, &summaries, self.catalog, &product_kinds)?;
        Ok((h, HoldingsSource::Orders))
    }
}
