//! Items that buy the same thing once resolved: one declared by ARM names (`sku` + `region`) and
//! one by catalog ids (`product` + `sku`), in one file or two. Their purchase keys differ, so the
//! manifest check cannot see it; after catalog resolution they name the same catalog item for the
//! same subscription, term and scope. Left alone, the first would count every holding and the
//! second would buy again on every run, so the plan makes both `error` rows naming every
//! declaration, and buys nothing for that customer.

use super::{Item, PurchaseKey};
use crate::plan::Resolution;
use std::collections::BTreeMap;

/// Declared items of one customer that resolve to the same purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The purchase keys of every item involved (two or more).
    pub keys: Vec<PurchaseKey>,
    /// One sentence naming each item with its file:line:column and what they all buy.
    pub reason: String,
}

/// The duplicates among a customer's items; `resolution` gives each key's catalog resolution.
pub fn duplicates<'a, 'r>(
    customer_id: &str,
    items: &[Item<'a>],
    resolution: impl Fn(&PurchaseKey) -> Option<&'r Resolution>,
) -> Vec<Duplicate> {
    let mut groups: BTreeMap<(super::Kind, String), Vec<&Item<'a>>> = BTreeMap::new();
    for item in items {
        let key = item.key(customer_id);
        if let Some(identity) = item.resolved_identity(resolution(&key)) {
            groups
                .entry((item.kind(), identity))
                .or_default()
                .push(item);
        }
    }
    groups
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|((_, identity), mut v)| {
            v.sort_by(|a, b| (a.source(), a.name()).cmp(&(b.source(), b.name())));
            let names: Vec<String> = v
                .iter()
                .map(|i| format!("\"{}\" at {}", i.name(), i.source()))
                .collect();
            let listed = match names.split_last() {
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            let all = if v.len() == 2 { "both" } else { "all" };
            Duplicate {
                keys: v.iter().map(|i| i.key(customer_id)).collect(),
                reason: format!(
                    "declared more than once: {listed} {all} buy {identity}; nothing is bought \
                     for this customer until it is declared once, with the total quantity"
                ),
            }
        })
        .collect()
}
