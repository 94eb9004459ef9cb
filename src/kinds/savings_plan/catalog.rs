//! Resolving a savings plan in the catalog read by customer: the product's SKUs
//! (`GET /v1/customers/{c}/products/DZH318Z09V6F/skus`, kept a day in the state store's cache),
//! the one whose `termDuration` is the
//! declared term, and its availability for the customer's segment (read only for a row with a
//! shortfall: [`Freshness::DeferAvailability`]). The SKU's string-valued
//! `minimumPurchaseCommitment` becomes the row's minimum (in thousandths per hour). The
//! documented `"termDuration": "PY"` defect is read, then refused: a SKU whose term cannot be
//! read makes the item an error, never a guess. App-only credentials cannot buy savings plans.

use super::{PRODUCT_ID, TARGET_VIEW};
use crate::catalog::{Buyer, CUSTOMER_SEGMENT, Catalog, Freshness, SkuEntry, catalog_item, failed};
use crate::manifest::{DesiredSavingsPlan, HourlyCommitment, Term};
use crate::observe::wire_values::term_from_wire;
use crate::partner_center::CredentialsKind;
use crate::partner_center::wire::{Availability, Sku};
use crate::plan::{Inventory, Resolution, market_available};

/// A savings-plan SKU whose term or minimum commitment cannot be read: the item is an error,
/// never a guess.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkuError {
    #[error("savings-plan SKU {sku} gives termDuration {term:?}, which is not a term")]
    Term { sku: String, term: String },
    #[error("savings-plan SKU {sku} gives no termDuration")]
    NoTerm { sku: String },
    #[error("savings-plan SKU {sku} minimumPurchaseCommitment has grain {grain:?}, not Hourly")]
    Grain { sku: String, grain: String },
    #[error(
        "savings-plan SKU {sku} minimumPurchaseCommitment amount {amount} is not a usable hourly \
         amount"
    )]
    Amount {
        sku: String,
        amount: rust_decimal::Decimal,
    },
}

/// The term a savings-plan SKU is for (`dynamicAttributes.termDuration`), or why it cannot be
/// read (`"PY"` and other unusable values).
pub fn sku_term(sku: &Sku) -> Result<Term, SkuError> {
    let raw = sku
        .dynamic_str("termDuration")
        .or_else(|| sku.dynamic_str("duration"));
    match raw.as_deref().map(str::trim) {
        Some(t) => term_from_wire(t).ok_or_else(|| SkuError::Term {
            sku: sku.id.clone(),
            term: t.to_owned(),
        }),
        None => Err(SkuError::NoTerm {
            sku: sku.id.clone(),
        }),
    }
}

/// The SKU's `minimumPurchaseCommitment` in thousandths per hour and its currency; `Ok(None)`
/// when the SKU states none. A minimum that is not an hourly amount of at most three decimals
/// is an error.
pub fn minimum_commitment(
    sku: &Sku,
) -> Result<Option<(HourlyCommitment, Option<String>)>, SkuError> {
    let Some(m) = &sku.minimum_purchase_commitment else {
        return Ok(None);
    };
    if let Some(g) = &m.grain
        && !g.trim().eq_ignore_ascii_case("hourly")
    {
        return Err(SkuError::Grain {
            sku: sku.id.clone(),
            grain: g.clone(),
        });
    }
    let Some(amount) = m.amount else {
        return Ok(None);
    };
    let hourly = HourlyCommitment::from_decimal(amount).ok_or_else(|| SkuError::Amount {
        sku: sku.id.clone(),
        amount,
    })?;
    let currency = m
        .currency_code
        .as_ref()
        .and_then(|c| c.code.clone())
        .map(|c| c.trim().to_ascii_uppercase());
    Ok(Some((hourly, currency)))
}

impl Catalog {
    /// Resolves a savings plan for `buyer` (see the module doc). With
    /// [`Freshness::DeferAvailability`] the SKU is listed (its id attributes recent orders,
    /// its minimum bounds the row) but its availabilities are not.
    pub async fn resolve_savings_plan(
        &self,
        buyer: Buyer<'_>,
        p: &DesiredSavingsPlan,
        freshness: Freshness,
    ) -> Resolution {
        if !market_available(buyer.country) {
            return Resolution::MarketUnavailable;
        }
        let reader = self.reader();
        if reader.credentials_kind() == CredentialsKind::AppOnly {
            return Resolution::NeedsAppUser;
        }
        let skus = match self
            .customer_skus(buyer.customer_id, PRODUCT_ID, TARGET_VIEW)
            .await
        {
            Ok(s) => s,
            Err(e) if e.is_not_found() => {
                return Resolution::NotFound {
                    searched: format!(
                        "the savings-plan product {PRODUCT_ID} in customer {}'s catalog (it is \
                         sold to Azure plan customers only)",
                        buyer.customer_id
                    ),
                    suggestions: Vec::new(),
                };
            }
            Err(e) => return failed((&e).into()),
        };
        let mut found = None;
        for sku in skus.iter() {
            match sku_term(sku) {
                Ok(t) if t == p.term => found = Some(sku.clone()),
                Ok(_) => {}
                Err(e) => return Resolution::Error(e.to_string()),
            }
        }
        let searched = format!(
            "customer catalog {TARGET_VIEW}: savings-plan product {PRODUCT_ID} for {}",
            p.term.as_str()
        );
        let Some(sku) = found else {
            return Resolution::NotFound {
                searched,
                suggestions: Vec::new(),
            };
        };
        let minimum = match minimum_commitment(&sku) {
            Ok(m) => m,
            Err(e) => return Resolution::Error(e.to_string()),
        };
        if let Some((_, Some(c))) = &minimum
            && !c.eq_ignore_ascii_case(&p.currency)
        {
            return Resolution::Ambiguous {
                reason: format!(
                    "the savings-plan SKU {} states its minimum commitment in {c}, not {}: \
                     declare currency: {c}",
                    sku.id, p.currency
                ),
            };
        }
        let entry = SkuEntry {
            product_id: PRODUCT_ID.to_owned(),
            product_title: Some("Azure savings plan".to_owned()),
            arm_sku_name: sku.dynamic_str("armSkuName"),
            arm_region_name: None,
            term: Some(p.term),
            sku: sku.clone(),
        };
        let with = |availability: Option<&Availability>| {
            let mut item = catalog_item(&entry, availability, Inventory::NotRequired);
            // Quantities of a savings-plan row are hourly commitments.
            item.min_quantity = minimum.as_ref().map_or(1, |(m, _)| m.0);
            item.max_quantity = u32::MAX;
            Resolution::Found(item)
        };
        if !freshness.reads_availability() {
            return with(None);
        }
        let list = match reader
            .list_customer_availabilities(
                buyer.customer_id,
                PRODUCT_ID,
                &sku.id,
                TARGET_VIEW,
                CUSTOMER_SEGMENT,
            )
            .await
        {
            Ok(l) => l,
            Err(e) => return failed((&e).into()),
        };
        let availability =
            match crate::catalog::pick_availability(&list, CUSTOMER_SEGMENT, Some(p.term.as_str()))
            {
                Ok(Some(a)) => a,
                Ok(None) => {
                    return Resolution::NotFound {
                        searched: format!("{searched} (no availability for the term)"),
                        suggestions: Vec::new(),
                    };
                }
                Err(e) => {
                    return Resolution::Ambiguous {
                        reason: format!("{searched}: {e}"),
                    };
                }
            };
        with(Some(&availability))
    }
}
