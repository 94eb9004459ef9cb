//! One catalog view: the products Partner Center lists for a (country, reservation scope, target
//! view) and the SKUs of every product, or of the products a run's manifests need
//! ([`super::wanted`]), read once and indexed by
//! (armSkuName, armRegionName, duration) and by (product id, SKU id). Also the "did you mean"
//! suggestions for items that match nothing.

use crate::manifest::Term;
use crate::observe::wire_values::term_from_wire;
use crate::partner_center::ApiError;
use crate::partner_center::Reader;
use crate::partner_center::wire::{Product, ReservationScope, Sku, TargetView};
use futures::{StreamExt, TryStreamExt};
use std::collections::{BTreeSet, HashMap};

/// What a view is keyed by. `country` is upper-case; `view` is the `targetView` wire value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ViewKey {
    pub country: String,
    /// `reservationScope=AzurePlan` (Azure plan reservations) or none (legacy, software).
    pub azure_plan: bool,
    pub view: String,
}

impl ViewKey {
    pub fn new(country: &str, azure_plan: bool, view: &str) -> Self {
        ViewKey {
            country: country.trim().to_ascii_uppercase(),
            azure_plan,
            view: view.to_owned(),
        }
    }

    pub(crate) fn scope(&self) -> Option<ReservationScope> {
        self.azure_plan.then_some(ReservationScope::AzurePlan)
    }

    /// `AzureReservationsVM, Azure plan, country US`.
    pub fn describe(&self) -> String {
        let scope = if self.view.starts_with("AzureReservations") {
            if self.azure_plan {
                ", Azure plan"
            } else {
                ", legacy (no reservationScope)"
            }
        } else {
            ""
        };
        format!("{}{scope}, country {}", self.view, self.country)
    }
}

/// One SKU of the view with the attributes reservations are matched on.
#[derive(Debug, Clone)]
pub struct SkuEntry {
    /// Upper-case product id.
    pub product_id: String,
    pub product_title: Option<String>,
    pub sku: Sku,
    /// `dynamicAttributes.armSkuName` as Partner Center spells it.
    pub arm_sku_name: Option<String>,
    /// `dynamicAttributes.armRegionName`, lower-case.
    pub arm_region_name: Option<String>,
    /// `dynamicAttributes.duration` as a term.
    pub term: Option<Term>,
}

impl SkuEntry {
    pub(crate) fn new(product: &Product, sku: Sku) -> Self {
        SkuEntry {
            product_id: product.id.trim().to_ascii_uppercase(),
            product_title: product.title.clone(),
            arm_sku_name: sku.dynamic_str("armSkuName"),
            arm_region_name: sku
                .dynamic_str("armRegionName")
                .map(|r| r.to_ascii_lowercase()),
            term: sku
                .dynamic_str("duration")
                .as_deref()
                .and_then(term_from_wire),
            sku,
        }
    }

    /// The SKU title, else the product title, else `PRODUCT/SKU`.
    pub fn title(&self) -> String {
        self.sku
            .title
            .clone()
            .or_else(|| self.product_title.clone())
            .unwrap_or_else(|| format!("{}/{}", self.product_id, self.sku.id))
    }
}

/// The products of one view and the SKUs of those listed (every product unless the view was
/// read for a run's wanted items only: [`super::wanted`]).
#[derive(Debug)]
pub struct View {
    pub key: ViewKey,
    pub products: Vec<Product>,
    pub skus: Vec<SkuEntry>,
    /// Upper-case ids of the products whose SKUs are in `skus`.
    listed: BTreeSet<String>,
    by_arm: HashMap<(String, String, Option<Term>), Vec<usize>>,
    by_id: HashMap<(String, String), usize>,
}

fn product_id(p: &Product) -> String {
    p.id.trim().to_ascii_uppercase()
}

impl View {
    /// Lists the view's products, then each product's SKUs (a few products at a time).
    pub async fn load(reader: &Reader, key: ViewKey) -> Result<View, ApiError> {
        Self::load_wanted(reader, key, None).await
    }

    /// Lists the view's products, then the SKUs of the products likely to hold the `wanted`
    /// items; the SKUs of every other product only when a wanted item is still missing. With
    /// `None`, every product's SKUs.
    pub async fn load_wanted(
        reader: &Reader,
        key: ViewKey,
        wanted: Option<&super::wanted::Wanted>,
    ) -> Result<View, ApiError> {
        let target = TargetView::parse(&key.view);
        let products = reader
            .list_products(&key.country, &target, key.scope().as_ref())
            .await?;
        let view = View::from_listed(key, products, Vec::new(), BTreeSet::new());
        let Some(wanted) = wanted else {
            let all: Vec<String> = view.products.iter().map(product_id).collect();
            return view.extend(reader, &all).await;
        };
        let likely: Vec<String> = wanted
            .likely_products(&view.products)
            .into_iter()
            .map(product_id)
            .collect();
        let view = view.extend(reader, &likely).await?;
        if wanted.answered_by(&view) {
            return Ok(view);
        }
        let all: Vec<String> = view.products.iter().map(product_id).collect();
        view.extend(reader, &all).await
    }

    /// This view with the SKUs of `products` (upper-case ids of the view's products) listed
    /// too; products already listed, or not in the view, are not read.
    pub async fn extend(self, reader: &Reader, products: &[String]) -> Result<View, ApiError> {
        let scope = self.key.scope();
        let todo: Vec<(usize, &Product)> = self
            .products
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                let id = product_id(p);
                products.contains(&id) && !self.listed.contains(&id)
            })
            .collect();
        if todo.is_empty() {
            return Ok(self);
        }
        let jobs: Vec<_> = todo
            .iter()
            .map(|(i, p)| {
                let scope = scope.clone();
                let country = self.key.country.clone();
                async move {
                    reader
                        .list_skus(&p.id, &country, scope.as_ref())
                        .await
                        .map(|s| (*i, s))
                }
            })
            .collect();
        let lists: Vec<(usize, Vec<Sku>)> = futures::stream::iter(jobs)
            .buffer_unordered(4)
            .try_collect()
            .await?;
        let View {
            key,
            products,
            skus,
            mut listed,
            ..
        } = self;
        let mut by_product: Vec<Vec<SkuEntry>> = vec![Vec::new(); products.len()];
        for e in skus {
            if let Some(i) = products.iter().position(|p| product_id(p) == e.product_id) {
                by_product[i].push(e);
            }
        }
        for (i, list) in lists {
            listed.insert(product_id(&products[i]));
            by_product[i] = list
                .into_iter()
                .map(|s| SkuEntry::new(&products[i], s))
                .collect();
        }
        let skus = by_product.into_iter().flatten().collect();
        Ok(View::from_listed(key, products, skus, listed))
    }

    /// Builds the indexes over already-read products and SKUs (every product listed).
    pub fn from_parts(key: ViewKey, products: Vec<Product>, skus: Vec<SkuEntry>) -> View {
        let listed = products.iter().map(product_id).collect();
        Self::from_listed(key, products, skus, listed)
    }

    /// Builds the indexes over already-read products and the SKUs of the `listed` products.
    pub fn from_listed(
        key: ViewKey,
        products: Vec<Product>,
        skus: Vec<SkuEntry>,
        listed: BTreeSet<String>,
    ) -> View {
        let mut by_arm: HashMap<_, Vec<usize>> = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, e) in skus.iter().enumerate() {
            if let (Some(n), Some(r)) = (&e.arm_sku_name, &e.arm_region_name) {
                by_arm
                    .entry((n.to_ascii_lowercase(), r.clone(), e.term))
                    .or_default()
                    .push(i);
            }
            by_id
                .entry((e.product_id.clone(), e.sku.id.to_ascii_lowercase()))
                .or_insert(i);
        }
        View {
            key,
            products,
            skus,
            listed,
            by_arm,
            by_id,
        }
    }

    /// Whether every product's SKUs are listed.
    pub fn is_complete(&self) -> bool {
        self.products
            .iter()
            .all(|p| self.listed.contains(&product_id(p)))
    }

    /// Upper-case ids of the products whose SKUs are listed.
    pub fn listed(&self) -> &BTreeSet<String> {
        &self.listed
    }

    /// Ids among `products` that are products of this view whose SKUs are not listed yet.
    pub fn unlisted_of(&self, products: &BTreeSet<String>) -> Vec<String> {
        self.products
            .iter()
            .map(product_id)
            .filter(|id| products.contains(id) && !self.listed.contains(id))
            .collect()
    }

    /// The SKU for (armSkuName, armRegionName, term), case-insensitive.
    pub fn find_arm(&self, sku_name: &str, region: &str, term: Term) -> Option<&SkuEntry> {
        let k = (
            sku_name.to_ascii_lowercase(),
            region.to_ascii_lowercase(),
            Some(term),
        );
        self.by_arm
            .get(&k)
            .and_then(|v| v.first())
            .map(|i| &self.skus[*i])
    }

    /// The SKU with these catalog ids, case-insensitive.
    pub fn find_id(&self, product_id: &str, sku_id: &str) -> Option<&SkuEntry> {
        let k = (
            product_id.trim().to_ascii_uppercase(),
            sku_id.trim().to_ascii_lowercase(),
        );
        self.by_id.get(&k).map(|i| &self.skus[*i])
    }

    /// Close matches for an armSkuName/region/term that matched nothing: the same armSkuName in
    /// other regions or for the other term, then similar armSkuNames in the same region.
    pub fn suggest_arm(&self, sku_name: &str, region: &str, term: Term) -> Vec<String> {
        let name = sku_name.to_ascii_lowercase();
        let region = region.to_ascii_lowercase();
        let mut spelled = None;
        let mut other_regions: Vec<&str> = Vec::new();
        let mut other_terms: Vec<&str> = Vec::new();
        let mut similar: Vec<(usize, String)> = Vec::new();
        for e in &self.skus {
            let (Some(n), Some(r)) = (&e.arm_sku_name, &e.arm_region_name) else {
                continue;
            };
            let n_low = n.to_ascii_lowercase();
            if n_low == name {
                spelled.get_or_insert(n.as_str());
                if *r != region && e.term == Some(term) && !other_regions.contains(&r.as_str()) {
                    other_regions.push(r);
                } else if *r == region && e.term != Some(term) {
                    let d = e.term.map_or("another term", |t| t.duration());
                    if !other_terms.contains(&d) {
                        other_terms.push(d);
                    }
                }
            } else if *r == region && e.term == Some(term) {
                let d = strsim::levenshtein(&n_low, &name);
                if d <= (name.len() / 4).max(2) && !similar.iter().any(|(_, s)| s == n) {
                    similar.push((d, n.clone()));
                }
            }
        }
        similar.sort();
        let mut out: Vec<String> = similar
            .into_iter()
            .take(3)
            .map(|(_, n)| format!("{n} in {region}"))
            .collect();
        if let Some(n) = spelled {
            other_terms.sort_unstable();
            for d in other_terms {
                out.push(format!("{n} in {region} for {d}"));
            }
            other_regions.sort_unstable();
            if !other_regions.is_empty() {
                out.push(format!("{n} in {}", other_regions.join(" or ")));
            }
        }
        out
    }

    /// Close matches for catalog ids that matched nothing: other SKUs of the same product, or
    /// products with a similar id.
    pub fn suggest_ids(&self, product_id: &str, sku_id: &str) -> Vec<String> {
        let p = product_id.trim().to_ascii_uppercase();
        let mut out: Vec<String> = self
            .skus
            .iter()
            .filter(|e| e.product_id == p && !e.sku.id.eq_ignore_ascii_case(sku_id))
            .map(|e| format!("{}/{} ({})", e.product_id, e.sku.id, e.title()))
            .take(5)
            .collect();
        if out.is_empty() {
            let mut similar: Vec<(usize, String)> = self
                .products
                .iter()
                .map(|x| x.id.to_ascii_uppercase())
                .filter(|id| *id != p)
                .map(|id| (strsim::levenshtein(&id, &p), id))
                .filter(|(d, _)| *d <= 2)
                .collect();
            similar.sort();
            similar.dedup();
            out = similar
                .into_iter()
                .take(3)
                .map(|(_, id)| format!("product {id}"))
                .collect();
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn sku(product: &str, id: &str, name: &str, region: &str, duration: &str) -> Sku {
        serde_json::from_value(json!({
            "id": id, "productId": product, "title": format!("{name} {region} {duration}"),
            "minimumQuantity": 1, "maximumQuantity": 999,
            "purchasePrerequisites": ["AzureSubscriptionRegistration"],
            "dynamicAttributes": { "armSkuName": name, "armRegionName": region, "duration": duration },
        }))
        .expect("sku json")
    }

    pub(crate) fn view(skus: &[(&str, &str, &str, &str, &str)]) -> View {
        let key = ViewKey::new("us", true, "AzureReservationsVM");
        let mut products: Vec<Product> = Vec::new();
        let mut entries = Vec::new();
        for (p, id, n, r, d) in skus {
            if !products.iter().any(|x| x.id == *p) {
                products.push(Product {
                    id: p.to_string(),
                    title: Some(format!("family {p}")),
                    ..Product::default()
                });
            }
            let product = products
                .iter()
                .find(|x| x.id == *p)
                .expect("product")
                .clone();
            entries.push(SkuEntry::new(&product, sku(p, id, n, r, d)));
        }
        View::from_parts(key, products, entries)
    }

    #[test]
    fn finds_by_arm_name_region_and_term_case_insensitively() {
        let v = view(&[
            ("P1", "0001", "Standard_D2s_v5", "eastus", "1Year"),
            ("P1", "0002", "Standard_D2s_v5", "eastus", "3Years"),
        ]);
        let e = v
            .find_arm("standard_d2s_V5", "EastUS", Term::P3Y)
            .expect("found");
        assert_eq!(e.sku.id, "0002");
        assert!(
            v.find_arm("Standard_D2s_v5", "westus2", Term::P1Y)
                .is_none()
        );
        assert_eq!(
            v.find_id("p1", "0001").map(|e| e.sku.id.as_str()),
            Some("0001")
        );
        assert_eq!(
            v.key.describe(),
            "AzureReservationsVM, Azure plan, country US"
        );
    }

    #[test]
    fn suggests_other_regions_terms_and_similar_names() {
        let v = view(&[
            ("P1", "0001", "Standard_D4s_v5", "westus2", "3Years"),
            ("P1", "0002", "Standard_D4s_v5", "eastus", "1Year"),
            ("P1", "0003", "Standard_D8s_v5", "eastus", "3Years"),
            ("P2", "0001", "Standard_NC6s_v3", "eastus", "3Years"),
        ]);
        let s = v.suggest_arm("Standard_D4s_v5", "eastus", Term::P3Y);
        assert_eq!(
            s,
            vec![
                "Standard_D8s_v5 in eastus",
                "Standard_D4s_v5 in eastus for 1Year",
                "Standard_D4s_v5 in westus2",
            ]
        );
        let s = v.suggest_arm("Standard_D4s_v6", "eastus", Term::P3Y);
        assert_eq!(s, vec!["Standard_D8s_v5 in eastus"]);
        assert_eq!(
            v.suggest_ids("P1", "0009").first().map(String::as_str),
            Some("P1/0001 (Standard_D4s_v5 westus2 3Years)")
        );
        assert_eq!(
            v.suggest_ids("P3", "0001"),
            vec!["product P1", "product P2"]
        );
    }
}
