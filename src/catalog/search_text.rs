//! The words of `catalog search`: the ready-to-paste manifest item of an offer and the text
//! listing (one block per offer: what it is, its terms, billing plans, bounds and inventory, then
//! the item). JSON is the [`SearchResult`] itself.

use super::search::{Offer, OfferType, SearchResult};
use crate::kinds::slug;

/// The manifest list item that buys one unit of the offer: under a subscription's
/// `reservations:` for reservations (by ARM names, the first term offered), under the customer's
/// `software:` for software (by catalog ids).
pub fn manifest_item(o: &Offer) -> String {
    match (o.offer_type, &o.arm_sku_name, &o.arm_region_name) {
        (OfferType::SavingsPlan, _, _) => super::search_savings::manifest_item(o, None),
        (OfferType::Software, _, _) | (_, None, _) | (_, _, None) => {
            let sku = o.sku_ids.first().map(String::as_str).unwrap_or_default();
            format!(
                "- name: {}\n  product: {}\n  sku: \"{sku}\"\n  quantity: 1\n",
                slug(&[&o.title]),
                o.product_id
            )
        }
        (t, Some(sku), Some(region)) => {
            let term = o
                .terms
                .iter()
                .find(|t| t.as_str() == "P1Y")
                .or(o.terms.first())
                .map(|t| format!("  term: {t}\n"))
                .unwrap_or_default();
            format!(
                "- name: {}\n  type: {}\n  sku: {sku}\n  region: {region}\n{term}  scope: shared\n  \
                 quantity: 1\n",
                slug(&[sku, region]),
                t.as_str()
            )
        }
    }
}

/// The text listing.
pub fn text(r: &SearchResult) -> String {
    let name = if r.customer_name.is_empty() {
        r.customer_id.clone()
    } else {
        format!("{} ({})", r.customer_name, r.customer_id)
    };
    let mut out = format!(
        "Catalog of {name}: country {}, segment {}, {} subscriptions{}\n",
        r.country,
        r.segment,
        r.subscription_kind,
        r.subscription_id
            .as_deref()
            .map(|s| format!(" (items go under subscription {s})"))
            .unwrap_or_default()
    );
    if r.offers.is_empty() {
        out.push_str("\nNothing matches.\n");
    }
    for o in &r.offers {
        out.push('\n');
        out.push_str(&heading(o));
        out.push('\n');
        let mut facts = Vec::new();
        if !o.terms.is_empty() {
            facts.push(format!("terms {}", o.terms.join(", ")));
        }
        if !o.billing_plans.is_empty() {
            facts.push(format!("billing {}", o.billing_plans.join(", ")));
        }
        match (o.min_quantity, o.max_quantity) {
            (Some(a), Some(b)) => facts.push(format!("quantity {a}–{b}")),
            (Some(a), None) => facts.push(format!("quantity ≥ {a}")),
            (None, Some(b)) => facts.push(format!("quantity ≤ {b}")),
            (None, None) => {}
        }
        if let Some(m) = &o.minimum_commitment {
            facts.push(format!("minimum commitment {m}"));
        }
        if let Some(p) = &o.price {
            facts.push(format!("price {p}"));
        }
        facts.push(format!("inventory {}", o.inventory));
        out.push_str(&format!("  {}\n", facts.join(" · ")));
        for line in o.manifest_item.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    for e in &r.errors {
        out.push_str(&format!("\nerror: {e}\n"));
    }
    for n in &r.notes {
        out.push_str(&format!("\nnote: {n}\n"));
    }
    out
}

/// `vm Standard_D4s_v5 eastus — title [PRODUCT]`, `software — title [PRODUCT/SKU]`.
fn heading(o: &Offer) -> String {
    match (&o.arm_sku_name, &o.arm_region_name) {
        (Some(s), Some(r))
            if !matches!(o.offer_type, OfferType::Software | OfferType::SavingsPlan) =>
        {
            format!(
                "{} {s} {r} — {} [{}]",
                o.offer_type.as_str(),
                o.title,
                o.product_id
            )
        }
        _ => format!(
            "{} — {} [{}/{}]",
            o.offer_type.as_str(),
            o.title,
            o.product_id,
            o.sku_ids.join(",")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(t: OfferType, arm: Option<(&str, &str)>) -> Offer {
        Offer {
            minimum_commitment: None,
            price: None,
            offer_type: t,
            product_id: "DZH318Z0BQ4Q".into(),
            sku_ids: vec!["0001".into(), "0002".into()],
            title: "SQL Server Standard 2022".into(),
            arm_sku_name: arm.map(|(s, _)| s.to_owned()),
            arm_region_name: arm.map(|(_, r)| r.to_owned()),
            terms: vec!["P3Y".into(), "P1Y".into()],
            billing_plans: vec!["one_time".into()],
            min_quantity: Some(1),
            max_quantity: Some(1000),
            inventory: "not required".into(),
            manifest_item: String::new(),
        }
    }

    #[test]
    fn items_are_valid_manifest_list_items() {
        assert_eq!(
            manifest_item(&offer(OfferType::Vm, Some(("Standard_D4s_v5", "eastus")))),
            "- name: standard-d4s-v5-eastus\n  type: vm\n  sku: Standard_D4s_v5\n  region: eastus\n  \
             term: P1Y\n  scope: shared\n  quantity: 1\n"
        );
        assert_eq!(
            manifest_item(&offer(OfferType::Software, None)),
            "- name: sql-server-standard-2022\n  product: DZH318Z0BQ4Q\n  sku: \"0001\"\n  \
             quantity: 1\n"
        );
    }
}
