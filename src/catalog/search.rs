//! `reservoir catalog search`: what one customer can buy. The customer's country (billing
//! profile) and the kind of its Azure subscriptions (Azure plan or legacy) decide which catalog
//! views are read; the customer segment is [`CUSTOMER_SEGMENT`]. Each offer carries what a
//! manifest needs — ARM SKU name, region, terms, billing plans, quantity bounds, inventory
//! restrictions — and a ready-to-paste manifest item ([`super::search_text`]).
//!
//! Read-only: everything goes through the [`Reader`] (via the run's [`Catalog`]). Prices come from
//! the partner price sheet when it can be read ([`super::search_prices`]); savings plans are
//! listed by [`super::search_savings`].

use super::{CUSTOMER_SEGMENT, Catalog, Freshness, SkuEntry, ViewKey};
use crate::catalog::resolve::Buyer;
use crate::manifest::{ReservationType, SubscriptionKind};
use crate::observe::Reader;
use crate::observe::wire_values::kind_from_offer_id;
use crate::partner_center::ApiError;
use crate::plan::{Inventory, market_available};
use serde::Serialize;
use std::collections::BTreeMap;

/// The software views searched (the same as software resolution reads).
const SOFTWARE_VIEWS: [&str; 3] = ["Software", "SoftwarePerpetual", "SoftwareSubscriptions"];

/// More offers than this are listed without their inventory check (one call each).
const MAX_INVENTORY_CHECKS: usize = 40;

/// What `--type` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum OfferType {
    /// Virtual machine reservations.
    Vm,
    /// SQL Database reservations.
    Sql,
    /// Cosmos DB reservations.
    Cosmosdb,
    /// Software (perpetual licences and software subscriptions).
    Software,
    /// Azure savings plans (Azure plan customers).
    SavingsPlan,
}

impl OfferType {
    pub const ALL: [OfferType; 5] = [
        OfferType::Vm,
        OfferType::Sql,
        OfferType::Cosmosdb,
        OfferType::Software,
        OfferType::SavingsPlan,
    ];

    fn reservation_type(self) -> Option<ReservationType> {
        match self {
            OfferType::Vm => Some(ReservationType::Vm),
            OfferType::Sql => Some(ReservationType::Sql),
            OfferType::Cosmosdb => Some(ReservationType::Cosmosdb),
            OfferType::Software | OfferType::SavingsPlan => None,
        }
    }

    /// The manifest spelling: `vm`, `sql`, `cosmosdb`, `software`, `savings-plan`.
    pub fn as_str(self) -> &'static str {
        match self {
            OfferType::Vm => "vm",
            OfferType::Sql => "sql",
            OfferType::Cosmosdb => "cosmosdb",
            OfferType::Software => "software",
            OfferType::SavingsPlan => "savings-plan",
        }
    }
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Empty: every type.
    pub types: Vec<OfferType>,
    /// An ARM region name (reservations only), compared case-insensitively.
    pub region: Option<String>,
    /// Words that must all appear (case-insensitively) in the SKU name, title or ids.
    pub text: Option<String>,
}

/// One thing the customer can buy (a reservation SKU with every term it is sold for, or a
/// software SKU).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    #[serde(rename = "type")]
    pub offer_type: OfferType,
    pub product_id: String,
    /// Catalog SKU ids, one per term for reservations (in `terms` order).
    pub sku_ids: Vec<String>,
    pub title: String,
    pub arm_sku_name: Option<String>,
    pub arm_region_name: Option<String>,
    /// `P1Y`, `P3Y` (reservations); empty for software.
    pub terms: Vec<String>,
    /// Supported billing cycles (`one_time`, `monthly`, …).
    pub billing_plans: Vec<String>,
    pub min_quantity: Option<i64>,
    pub max_quantity: Option<i64>,
    /// `not required`, `available`, `restricted (…)`, or `checked at purchase`.
    pub inventory: String,
    /// The manifest item to paste (YAML, a list item).
    pub manifest_item: String,
    /// Savings plans: the least hourly commitment, e.g. `0.001 USD/h`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_commitment: Option<String>,
    /// The price of one unit for the term from the partner price sheet, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
}

/// The answer for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResult {
    pub customer_id: String,
    pub customer_name: String,
    pub country: String,
    pub segment: String,
    /// `azure-plan` or `legacy`: the reservation catalog searched.
    pub subscription_kind: String,
    /// The subscription the manifest items go under, when the customer has one of that kind.
    pub subscription_id: Option<String>,
    pub offers: Vec<Offer>,
    /// Views that could not be read, with why.
    pub errors: Vec<String>,
    /// Caveats (prices, markets, skipped inventory checks).
    pub notes: Vec<String>,
}

/// Why a search could not start.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("reading customer {customer}")]
    Customer {
        customer: String,
        #[source]
        source: ApiError,
    },
    #[error("reading the subscriptions of customer {customer}")]
    Subscriptions {
        customer: String,
        #[source]
        source: ApiError,
    },
    #[error("Partner Center gives customer {customer} no country in its billing profile")]
    NoCountry { customer: String },
}

/// Searches what customer `customer_id` can buy.
pub async fn search(
    reader: &Reader,
    catalog: &Catalog,
    customer_id: &str,
    query: &Query,
) -> Result<SearchResult, SearchError> {
    let id = customer_id.to_ascii_lowercase();
    let customer = reader
        .get_customer(&id)
        .await
        .map_err(|source| SearchError::Customer {
            customer: id.clone(),
            source,
        })?;
    let country = customer
        .country()
        .map(|c| c.trim().to_ascii_uppercase())
        .ok_or_else(|| SearchError::NoCountry {
            customer: id.clone(),
        })?;
    let subs =
        reader
            .list_subscriptions(&id)
            .await
            .map_err(|source| SearchError::Subscriptions {
                customer: id.clone(),
                source,
            })?;
    let kinds: Vec<(String, SubscriptionKind)> = subs
        .iter()
        .filter_map(|s| {
            Some((
                s.id.to_ascii_lowercase(),
                kind_from_offer_id(s.offer_id.as_deref()?)?,
            ))
        })
        .collect();
    // Azure plan unless the customer only has legacy subscriptions.
    let kind = if kinds.iter().any(|(_, k)| *k == SubscriptionKind::AzurePlan) || kinds.is_empty() {
        SubscriptionKind::AzurePlan
    } else {
        SubscriptionKind::Legacy
    };
    let subscription_id = kinds
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(s, _)| s.clone());
    let mut result = SearchResult {
        customer_id: id.clone(),
        customer_name: customer
            .company_profile
            .as_ref()
            .and_then(|p| p.company_name.clone())
            .unwrap_or_default(),
        country: country.clone(),
        segment: CUSTOMER_SEGMENT.to_owned(),
        subscription_kind: match kind {
            SubscriptionKind::AzurePlan => "azure-plan",
            SubscriptionKind::Legacy => "legacy",
        }
        .to_owned(),
        subscription_id: subscription_id.clone(),
        offers: Vec::new(),
        errors: Vec::new(),
        notes: Vec::new(),
    };
    if !market_available(&country) {
        result.notes.push(format!(
            "{country} is a market where {} are not sold",
            crate::kinds::all_market_names()
        ));
        return Ok(result);
    }
    let types = if query.types.is_empty() {
        OfferType::ALL.to_vec()
    } else {
        query.types.clone()
    };
    let azure_plan = kind == SubscriptionKind::AzurePlan;
    let mut entries: Vec<(OfferType, SkuEntry)> = Vec::new();
    let savings = types.contains(&OfferType::SavingsPlan);
    for t in types.into_iter().filter(|t| *t != OfferType::SavingsPlan) {
        let views: Vec<ViewKey> = match t.reservation_type() {
            Some(rt) => vec![ViewKey::new(&country, azure_plan, rt.target_view())],
            None => SOFTWARE_VIEWS
                .iter()
                .map(|v| ViewKey::new(&country, false, v))
                .collect(),
        };
        for key in views {
            match catalog.view(&key).await {
                Ok(v) => entries.extend(
                    v.skus
                        .iter()
                        .filter(|e| matches(t, e, query))
                        .map(|e| (t, e.clone())),
                ),
                Err(f) => result.errors.push(format!("{}: {f}", key.describe())),
            }
        }
    }
    let buyer = Buyer {
        customer_id: &id,
        country: &country,
    };
    let check = entries.len() <= MAX_INVENTORY_CHECKS;
    if !check {
        result.notes.push(format!(
            "{} offers: inventory is not checked for each (narrow the search with --region or \
             TEXT); the cart checks it when apply buys",
            entries.len()
        ));
    }
    let mut grouped: BTreeMap<(OfferType, String, String, String), Offer> = BTreeMap::new();
    for (t, e) in entries {
        let inventory = if !e.sku.requires("InventoryCheck") {
            "not required".to_owned()
        } else if check {
            let inv = catalog
                .inventory_for(
                    buyer,
                    subscription_id.as_deref(),
                    e.arm_region_name.as_deref(),
                    &e,
                    Freshness::Cached,
                )
                .await;
            match inv {
                Inventory::NotRequired => "not required".to_owned(),
                Inventory::Available => "available".to_owned(),
                Inventory::Restricted { reason } => format!("restricted ({reason})"),
                Inventory::Unknown | Inventory::ByCart => "checked at purchase".to_owned(),
            }
        } else {
            "checked at purchase".to_owned()
        };
        let group = (
            t,
            e.product_id.clone(),
            e.arm_sku_name.clone().unwrap_or_else(|| e.sku.id.clone()),
            e.arm_region_name.clone().unwrap_or_default(),
        );
        let offer = grouped.entry(group).or_insert_with(|| Offer {
            offer_type: t,
            product_id: e.product_id.clone(),
            sku_ids: Vec::new(),
            // A reservation SKU's own title names one term; the product's names the family.
            title: match t {
                OfferType::Software => e.title(),
                _ => e.product_title.clone().unwrap_or_else(|| e.title()),
            },
            arm_sku_name: e.arm_sku_name.clone(),
            arm_region_name: e.arm_region_name.clone(),
            terms: Vec::new(),
            billing_plans: Vec::new(),
            min_quantity: e.sku.minimum_quantity,
            max_quantity: e.sku.maximum_quantity,
            inventory: inventory.clone(),
            manifest_item: String::new(),
            minimum_commitment: None,
            price: None,
        });
        // Software views overlap (`Software` lists what `SoftwarePerpetual` does).
        if offer.sku_ids.contains(&e.sku.id) {
            continue;
        }
        offer.sku_ids.push(e.sku.id.clone());
        if let Some(term) = e.term {
            offer.terms.push(term.as_str().to_owned());
        }
        for c in &e.sku.supported_billing_cycles {
            let c = c.as_str().to_owned();
            if !offer.billing_plans.contains(&c) {
                offer.billing_plans.push(c);
            }
        }
        if offer.inventory != inventory && inventory.starts_with("restricted") {
            offer.inventory = inventory;
        }
    }
    result.offers = grouped
        .into_values()
        .map(|mut o| {
            o.manifest_item = super::search_text::manifest_item(&o);
            o
        })
        .collect();
    if savings {
        super::search_savings::add_offer(reader, &id, kind, query, &mut result).await;
    }
    super::search_prices::add_prices(reader, &mut result).await;
    Ok(result)
}

/// Whether a SKU of type `t` answers the query.
fn matches(t: OfferType, e: &SkuEntry, q: &Query) -> bool {
    if let Some(region) = &q.region {
        if t == OfferType::Software {
            return false;
        }
        if !e
            .arm_region_name
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(region.trim()))
        {
            return false;
        }
    }
    let Some(text) = &q.text else {
        return true;
    };
    let haystack = [
        e.arm_sku_name.clone().unwrap_or_default(),
        e.title(),
        e.product_id.clone(),
        e.sku.id.clone(),
        e.arm_region_name.clone().unwrap_or_default(),
    ]
    .join(" ")
    .to_ascii_lowercase();
    text.split_whitespace()
        .all(|w| haystack.contains(&w.to_ascii_lowercase()))
}
