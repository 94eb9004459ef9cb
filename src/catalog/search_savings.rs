//! `catalog search --type savings-plan`: the savings-plan SKUs a customer can buy, read through
//! the customer-scoped catalog (Azure plan customers only), with their terms, billing plans and
//! minimum hourly commitment, and a ready-to-paste `savings_plans:` item.

use super::search::{Offer, OfferType, Query, SearchResult};
use crate::kinds::savings_plan::catalog::{minimum_commitment, sku_term};
use crate::kinds::savings_plan::{PRODUCT_ID, TARGET_VIEW};
use crate::manifest::SubscriptionKind;
use crate::partner_center::Reader;

/// What stands for the Azure plan subscription in an item when the customer has none.
const NO_SUBSCRIPTION: &str = "<azure-plan-subscription-id>";

/// The `savings_plans:` list item for an offer: the first term offered, shared, upfront, and the
/// SKU's minimum as the hourly commitment (raise it to what the customer should hold).
pub(super) fn manifest_item(o: &Offer, subscription_id: Option<&str>) -> String {
    let term = o
        .terms
        .iter()
        .find(|t| t.as_str() == "P1Y")
        .or(o.terms.first())
        .map_or("P1Y", String::as_str);
    let (amount, currency) = o
        .minimum_commitment
        .as_deref()
        .and_then(|m| m.split_once(' '))
        .map_or(("1.00", "USD"), |(a, c)| (a, c.trim_end_matches("/h")));
    format!(
        "- name: compute-savings\n  subscription: {}\n  scope: shared\n  term: {term}\n  \
         billing: upfront\n  hourly_commitment: \"{amount}\"\n  currency: {currency}\n",
        subscription_id.unwrap_or(NO_SUBSCRIPTION)
    )
}

/// Adds the savings-plan offer of customer `id` to `result` (or why there is none).
pub(super) async fn add_offer(
    reader: &Reader,
    id: &str,
    kind: SubscriptionKind,
    query: &Query,
    result: &mut SearchResult,
) {
    if query.region.is_some() {
        return;
    }
    if let Some(text) = &query.text {
        let haystack =
            format!("compute_savings_plan azure savings plan {PRODUCT_ID}").to_ascii_lowercase();
        if !text
            .split_whitespace()
            .all(|w| haystack.contains(&w.to_ascii_lowercase()))
        {
            return;
        }
    }
    if kind != SubscriptionKind::AzurePlan {
        result
            .notes
            .push("savings plans are sold to Azure plan customers only".to_owned());
        return;
    }
    let skus = match reader.list_customer_skus(id, PRODUCT_ID, TARGET_VIEW).await {
        Ok(s) => s,
        Err(e) => {
            result.errors.push(format!(
                "savings plans (customer catalog {TARGET_VIEW}, product {PRODUCT_ID}): {e}"
            ));
            return;
        }
    };
    let mut offer = Offer {
        offer_type: OfferType::SavingsPlan,
        product_id: PRODUCT_ID.to_owned(),
        sku_ids: Vec::new(),
        title: "Azure savings plan".to_owned(),
        arm_sku_name: None,
        arm_region_name: None,
        terms: Vec::new(),
        billing_plans: Vec::new(),
        min_quantity: None,
        max_quantity: None,
        inventory: "not required".to_owned(),
        manifest_item: String::new(),
        minimum_commitment: None,
        price: None,
    };
    for sku in &skus {
        let term = match sku_term(sku) {
            Ok(t) => t,
            Err(e) => {
                result.errors.push(e.to_string());
                continue;
            }
        };
        offer.arm_sku_name = offer
            .arm_sku_name
            .take()
            .or_else(|| sku.dynamic_str("armSkuName"));
        offer.sku_ids.push(sku.id.clone());
        offer.terms.push(term.as_str().to_owned());
        for c in &sku.supported_billing_cycles {
            let c = c.as_str().to_owned();
            if !offer.billing_plans.contains(&c) {
                offer.billing_plans.push(c);
            }
        }
        match minimum_commitment(sku) {
            Ok(Some((m, currency))) => {
                offer.minimum_commitment = Some(format!(
                    "{} {}/h",
                    m.text(),
                    currency.unwrap_or_else(|| "USD".to_owned())
                ));
            }
            Ok(None) => {}
            Err(e) => result.errors.push(e.to_string()),
        }
    }
    if offer.sku_ids.is_empty() {
        return;
    }
    offer.manifest_item = manifest_item(&offer, result.subscription_id.as_deref());
    result.offers.push(offer);
    result.notes.push(
        "a savings plan commits its hourly amount × 8,760 hours a year of its term; savings plans \
         are final and need App+User credentials"
            .to_owned(),
    );
}
