//! Software: declared per customer by pinned catalog ids (`product` + `sku`), with an optional
//! billing cycle and term; no subscription and no provisioning context. Owns the software purchase
//! key, catalog resolution (the software views in turn), how software holdings match, the cart
//! line, and the words users see.

use super::declare::{Declaration, slug};
use super::reservation::same_product;
use super::{CartTerms, Kind, KindTotals, Purchasable, PurchaseKey};
use crate::catalog::{Buyer, Catalog, Freshness, ViewKey, catalog_item, failed};
use crate::manifest::{DesiredCustomer, DesiredSoftware, SourceRef, Term};
use crate::partner_center::wire::common::fold_enum;
use crate::plan::{Holding, Resolution, Row, market_available};
use std::collections::BTreeMap;

/// The kind in plural prose.
pub(super) const PLURAL: &str = "software";
/// The start of a "not sold" sentence.
pub(super) const SOLD_PHRASE: &str = "software is";

/// Software views tried in order: `Software` lists every kind; the specific views are tried when
/// it is refused or lacks the product.
const SOFTWARE_VIEWS: [&str; 3] = ["Software", "SoftwarePerpetual", "SoftwareSubscriptions"];

/// A declared software item.
#[derive(Debug, Clone, Copy)]
pub struct SoftwareItem<'a>(pub &'a DesiredSoftware);

impl DesiredSoftware {
    pub fn purchase_key(&self, customer_id: &str) -> PurchaseKey {
        PurchaseKey::Software {
            customer_id: customer_id.to_owned(),
            product_id: self.product_id.clone(),
            sku_id: self.sku_id.clone(),
        }
    }
}

/// The software of a customer, by name.
pub(super) fn items(dc: &DesiredCustomer) -> Vec<SoftwareItem<'_>> {
    let mut out: Vec<SoftwareItem<'_>> = dc.software.iter().map(SoftwareItem).collect();
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    out
}

/// `software PRODUCT/SKU` for a software holding.
pub(super) fn describe_holding(h: &Holding) -> String {
    format!("software {}/{}", h.product_id, h.sku_id)
}

impl Purchasable for SoftwareItem<'_> {
    const KIND: Kind = Kind::Software;

    fn key(&self, customer_id: &str) -> PurchaseKey {
        self.0.purchase_key(customer_id)
    }
    fn name(&self) -> &str {
        &self.0.name
    }
    fn quantity(&self) -> u32 {
        self.0.quantity
    }
    fn source(&self) -> &SourceRef {
        &self.0.source
    }
    fn subscription_id(&self) -> Option<String> {
        None
    }
    /// Software carries its term in [`Purchasable::what`], not on its rows.
    fn term(&self) -> Option<Term> {
        None
    }
    fn what(&self) -> String {
        let s = self.0;
        match &s.term {
            Some(t) => format!("software {}/{} {t}", s.product_id, s.sku_id),
            None => format!("software {}/{}", s.product_id, s.sku_id),
        }
    }
    fn pinned_ids(&self) -> Option<(String, String)> {
        Some((self.0.product_id.clone(), self.0.sku_id.clone()))
    }
    async fn resolve(
        &self,
        catalog: &Catalog,
        buyer: Buyer<'_>,
        freshness: Freshness,
    ) -> Resolution {
        catalog.resolve_software(buyer, self.0, freshness).await
    }
    /// A software holding of the same product+SKU (as resolved or as declared).
    fn holding_matches(&self, h: &Holding, res: Option<&Resolution>) -> bool {
        if h.kind.kind() != Kind::Software {
            return false;
        }
        let found = matches!(res, Some(Resolution::Found(ci))
            if same_product(&h.product_id, &h.sku_id, &ci.product_id, &ci.sku_id));
        found || same_product(&h.product_id, &h.sku_id, &self.0.product_id, &self.0.sku_id)
    }
    fn billing(&self) -> crate::prices::money::BillingPlan {
        match self.0.billing_cycle.as_deref() {
            Some("monthly") => crate::prices::money::BillingPlan::Monthly,
            _ => crate::prices::money::BillingPlan::Upfront,
        }
    }
    fn billing_cycle(&self, supported: &[String]) -> Result<String, super::CycleError> {
        software_cycle(self.0, supported)
    }
    fn resolved_identity(&self, res: Option<&Resolution>) -> Option<String> {
        let (product, sku) = match res {
            Some(Resolution::Found(ci)) => (ci.product_id.clone(), ci.sku_id.clone()),
            _ => self.pinned_ids()?,
        };
        Some(format!(
            "software catalog item {}/{}",
            product.to_ascii_uppercase(),
            sku.to_ascii_lowercase()
        ))
    }
}

/// See [`PurchaseKey::comparable`].
pub(super) fn comparable(key: PurchaseKey) -> PurchaseKey {
    match key {
        PurchaseKey::Software {
            customer_id,
            product_id,
            sku_id,
        } => PurchaseKey::Software {
            customer_id,
            product_id,
            sku_id: sku_id.to_ascii_lowercase(),
        },
        other => other,
    }
}

/// See [`PurchaseKey::same_slot`]: the same customer.
pub(super) fn same_slot(a: &PurchaseKey, b: &PurchaseKey) -> bool {
    match (a, b) {
        (
            PurchaseKey::Software {
                customer_id: c1, ..
            },
            PurchaseKey::Software {
                customer_id: c2, ..
            },
        ) => c1.eq_ignore_ascii_case(c2),
        _ => false,
    }
}

/// The declared billing cycle (`one_time` when none) and term, no provisioning context.
pub(super) fn cart_terms(dc: &DesiredCustomer, key: &PurchaseKey) -> Option<CartTerms> {
    let s = dc
        .software
        .iter()
        .find(|s| &s.purchase_key(&dc.id) == key)?;
    Some(CartTerms {
        billing_cycle: s
            .billing_cycle
            .clone()
            .unwrap_or_else(|| "one_time".to_owned()),
        term_duration: s.term.clone(),
        provisioning_context: BTreeMap::new(),
    })
}

/// The billing cycle of a software purchase, from the SKU: the declared `billing_cycle` (checked
/// against the SKU when resolving); else the SKU's only cycle; else `one_time` when offered; else
/// the cycle of the subscription's term (`annual` for P1Y, `triennial` for P3Y). Partner Center
/// refuses `one_time` for a subscription SKU that does not list it.
fn software_cycle(s: &DesiredSoftware, supported: &[String]) -> Result<String, super::CycleError> {
    if let Some(c) = &s.billing_cycle {
        return Ok(c.clone());
    }
    let has = |c: &str| supported.iter().any(|x| fold_enum(x) == fold_enum(c));
    match supported {
        [] => return Ok("one_time".to_owned()),
        [only] => return Ok(only.clone()),
        _ => {}
    }
    if has("one_time") {
        return Ok("one_time".to_owned());
    }
    let by_term = match s.term.as_deref() {
        Some("P1Y") => Some("annual"),
        Some("P3Y") => Some("triennial"),
        _ => None,
    };
    match by_term {
        Some(c) if has(c) => Ok(c.to_owned()),
        _ => Err(super::CycleError::Choose {
            offered: supported.to_vec(),
        }),
    }
}

/// Declares the software of a saved plan's row again. The row does not carry the billing cycle
/// (the SKU's only one is used, as for a manifest that omits it); the term is read from `what`.
pub(super) fn redeclare(
    dc: &mut DesiredCustomer,
    row: &Row,
    key: &PurchaseKey,
    source: &SourceRef,
) {
    let (
        PurchaseKey::Software {
            product_id, sku_id, ..
        },
        Some(name),
    ) = (key, &row.item)
    else {
        return;
    };
    dc.software.push(DesiredSoftware {
        name: name.clone(),
        product_id: product_id.clone(),
        sku_id: sku_id.clone(),
        quantity: row.desired,
        billing_cycle: None,
        term: row.what.split_whitespace().nth(2).map(str::to_owned),
        source: source.clone(),
        blocked_ok: None,
    });
}

/// `5 × software`.
pub(super) fn summary_parts(t: &KindTotals) -> Vec<String> {
    if t.units > 0 {
        vec![format!("{} × software", t.units)]
    } else {
        Vec::new()
    }
}

impl Catalog {
    /// Resolves a software item (pinned product and SKU) in the customer's country: the SKU must
    /// support the requested billing cycle, and an availability must offer the requested term
    /// (not read with [`Freshness::DeferAvailability`]).
    pub async fn resolve_software(
        &self,
        buyer: Buyer<'_>,
        s: &DesiredSoftware,
        freshness: Freshness,
    ) -> Resolution {
        if !market_available(buyer.country) {
            return Resolution::MarketUnavailable;
        }
        let mut first_error = None;
        let mut suggestions = Vec::new();
        let mut tried = Vec::new();
        for view_name in SOFTWARE_VIEWS {
            let key = ViewKey::new(buyer.country, false, view_name);
            let view = match self.view(&key).await {
                Ok(v) => v,
                Err(f) => {
                    first_error.get_or_insert(f);
                    continue;
                }
            };
            tried.push(view_name);
            let Some(entry) = view.find_id(&s.product_id, &s.sku_id).cloned() else {
                if suggestions.is_empty() {
                    suggestions = view.suggest_ids(&s.product_id, &s.sku_id);
                }
                continue;
            };
            let searched = format!(
                "{}: product {} SKU {}",
                key.describe(),
                s.product_id,
                s.sku_id
            );
            if let Some(cycle) = &s.billing_cycle {
                let supported = &entry.sku.supported_billing_cycles;
                if !supported.is_empty()
                    && !supported
                        .iter()
                        .any(|c| fold_enum(c.as_str()) == fold_enum(cycle))
                {
                    let list: Vec<&str> = supported.iter().map(|c| c.as_str()).collect();
                    return Resolution::NotFound {
                        searched: format!(
                            "{searched} with billing cycle {cycle} (the SKU supports {})",
                            list.join(", ")
                        ),
                        suggestions: Vec::new(),
                    };
                }
            }
            let missing = format!(
                "no availability for {}",
                s.term.as_deref().unwrap_or("any term")
            );
            let availability = match self
                .chosen_availability(
                    &key,
                    &entry,
                    s.term.as_deref(),
                    &searched,
                    &missing,
                    freshness,
                )
                .await
            {
                Ok(a) => a,
                Err(stop) => return stop,
            };
            let inventory = self
                .inventory_for(buyer, None, None, &entry, freshness)
                .await;
            return Resolution::Found(catalog_item(&entry, availability.as_ref(), inventory));
        }
        if tried.is_empty()
            && let Some(f) = first_error
        {
            return failed(f);
        }
        Resolution::NotFound {
            searched: format!(
                "{}, country {}: product {} SKU {}",
                tried.join("/"),
                buyer.country.to_ascii_uppercase(),
                s.product_id,
                s.sku_id
            ),
            suggestions,
        }
    }
}

/// The manifest item for a software holding (`import`): by catalog product and SKU ids.
pub(super) fn declare(h: &Holding) -> Result<Declaration, super::declare::Undeclarable> {
    if h.product_id.trim().is_empty() || h.sku_id.trim().is_empty() {
        return Err(super::declare::Undeclarable::NoCatalogIds);
    }
    let product = h.product_id.to_ascii_uppercase();
    Ok(Declaration {
        kind: Kind::Software,
        subscription_id: None,
        slot: format!("{} {}", product, h.sku_id.to_ascii_lowercase()),
        name: slug(&["software", &product, &h.sku_id]),
        fields: vec![("product", product), ("sku", h.sku_id.clone())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sw(term: Option<&str>, cycle: Option<&str>) -> DesiredSoftware {
        DesiredSoftware {
            name: "s".into(),
            product_id: "P".into(),
            sku_id: "0001".into(),
            quantity: 1,
            billing_cycle: cycle.map(str::to_owned),
            blocked_ok: None,
            term: term.map(str::to_owned),
            source: SourceRef {
                file: "m.yaml".into(),
                line: 1,
                column: 1,
            },
        }
    }

    fn cycles(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_billing_cycle_comes_from_the_sku_not_always_one_time() {
        let annual_only = cycles(&["annual"]);
        assert_eq!(
            software_cycle(&sw(Some("P1Y"), None), &annual_only),
            Ok("annual".into())
        );
        let both = cycles(&["annual", "triennial"]);
        assert_eq!(
            software_cycle(&sw(Some("P3Y"), None), &both),
            Ok("triennial".into())
        );
        assert_eq!(
            software_cycle(&sw(None, None), &cycles(&["one_time", "annual"])),
            Ok("one_time".into())
        );
        assert_eq!(software_cycle(&sw(None, None), &[]), Ok("one_time".into()));
        assert_eq!(
            software_cycle(&sw(Some("P1Y"), Some("monthly")), &both),
            Ok("monthly".into()),
            "a declared cycle is checked when resolving"
        );
        let err = software_cycle(&sw(None, None), &cycles(&["annual", "monthly"]))
            .expect_err("ambiguous");
        assert!(err.to_string().contains("declare billing_cycle"), "{err}");
    }
}
