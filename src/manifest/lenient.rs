//! A lenient read of a file that does not fit the model, so its values are still checked.
//!
//! When `structure` has found the structural problems of a file, the same located tree is read
//! into the [`Manifest`] model here, as far as it goes: unknown fields are ignored, lists and
//! mappings of the wrong type are read as empty, and every value that is missing or of the wrong
//! type becomes a *gap* — a placeholder with an unknown location (see [`is_gap`]). Checks pass over
//! gaps silently (the structural problem is already reported), and an item holding a gap is
//! checked field by field but never merged, so it causes no follow-on errors (no duplicate
//! purchase key from a defaulted term, no "has no region" for a mistyped region).

use super::model::{
    Customer, Defaults, Limits, Manifest, Number, Reservation, Software, Subscription,
};
use super::structure::{Node, Raw};
use serde_saphyr::{Location, Spanned};

/// One key and value of a mapping.
type Entry = (Spanned<String>, Node);

/// True for a value that could not be read (missing or of the wrong type): its structural problem
/// is already reported, so checks skip it and the item holding it is not merged.
pub(super) fn is_gap<T>(v: &Spanned<T>) -> bool {
    v.referenced.line() == 0
}

/// Reads the tree of a file that failed to parse into the model, with gaps where it does not fit.
pub(super) fn read(tree: &Node) -> Manifest {
    let e = entries(tree);
    Manifest {
        version: number(field(e, "version")),
        defaults: match field(e, "defaults") {
            None => None,
            Some(n) if matches!(n.value, Raw::Null) => None,
            Some(n) => Some(match &n.value {
                Raw::Map(d) => Defaults {
                    term: opt_text(field(d, "term")),
                    scope: opt_text(field(d, "scope")),
                    renew_before: opt_text(field(d, "renew_before")),
                },
                // Not a mapping: neither default is known, so items that rely on one are not
                // merged (a built-in default could make two items look like one purchase).
                _ => Defaults {
                    term: Some(gap()),
                    scope: Some(gap()),
                    renew_before: Some(gap()),
                },
            }),
        },
        limits: field(e, "limits").and_then(|n| match &n.value {
            Raw::Map(l) => Some(Limits {
                max_units_per_apply: opt_number(field(l, "max_units_per_apply")),
                max_units_per_item: opt_number(field(l, "max_units_per_item")),
                // Money limits are read by the strict parser only: a file with structural
                // problems does not load, so no guardrail is ever dropped silently.
                max_commitment: None,
                max_commitment_per_customer: None,
            }),
            _ => None,
        }),
        customers: list(field(e, "customers"), customer),
    }
}

fn customer(e: &[Entry]) -> Customer {
    Customer {
        id: text(field(e, "id")),
        name: opt_text(field(e, "name")),
        subscriptions: list(field(e, "subscriptions"), subscription),
        software: list(field(e, "software"), software),
        savings_plans: list(field(e, "savings_plans"), savings_plan),
    }
}

fn subscription(e: &[Entry]) -> Subscription {
    Subscription {
        id: text(field(e, "id")),
        kind: text(field(e, "kind")),
        reservations: list(field(e, "reservations"), reservation),
    }
}

fn reservation(e: &[Entry]) -> Reservation {
    Reservation {
        name: text(field(e, "name")),
        reservation_type: text(field(e, "type")),
        sku: text(field(e, "sku")),
        region: opt_text(field(e, "region")),
        product: opt_text(field(e, "product")),
        term: opt_text(field(e, "term")),
        scope: opt_text(field(e, "scope")),
        quantity: number(field(e, "quantity")),
        renew_before: opt_text(field(e, "renew_before")),
        billing: opt_text(field(e, "billing")),
        blocked_ok: opt_text(field(e, "blocked_ok")),
    }
}

fn software(e: &[Entry]) -> Software {
    Software {
        name: text(field(e, "name")),
        product: text(field(e, "product")),
        sku: text(field(e, "sku")),
        quantity: number(field(e, "quantity")),
        term: opt_text(field(e, "term")),
        billing_cycle: opt_text(field(e, "billing_cycle")),
        blocked_ok: opt_text(field(e, "blocked_ok")),
    }
}

fn savings_plan(e: &[Entry]) -> super::model_savings::SavingsPlan {
    super::model_savings::SavingsPlan {
        name: text(field(e, "name")),
        subscription: text(field(e, "subscription")),
        scope: opt_text(field(e, "scope")),
        entitlement: opt_text(field(e, "entitlement")),
        term: opt_text(field(e, "term")),
        billing: opt_text(field(e, "billing")),
        hourly_commitment: number(field(e, "hourly_commitment")),
        currency: text(field(e, "currency")),
        blocked_ok: opt_text(field(e, "blocked_ok")),
    }
}

/// The entries of a mapping node; none for anything else.
fn entries(node: &Node) -> &[Entry] {
    match &node.value {
        Raw::Map(e) => e,
        _ => &[],
    }
}

fn field<'a>(entries: &'a [Entry], name: &str) -> Option<&'a Node> {
    entries
        .iter()
        .find(|(k, _)| k.value == name)
        .map(|(_, v)| v)
}

/// The items of a list that are mappings, each read by `item`. Anything else (an empty value,
/// a scalar or mapping instead of the list, an item that is not a mapping) reads as nothing.
fn list<T>(node: Option<&Node>, item: fn(&[Entry]) -> T) -> Vec<T> {
    match node.map(|n| &n.value) {
        Some(Raw::Seq(items)) => items
            .iter()
            .filter_map(|i| match &i.value {
                Raw::Map(e) => Some(item(e)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A placeholder for a value that could not be read; its content is never looked at.
fn gap<T: From<String>>() -> Spanned<T> {
    Spanned::new(T::from(String::new()), Location::UNKNOWN, Location::UNKNOWN)
}

fn located<T>(value: T, node: &Node) -> Spanned<T> {
    Spanned::new(value, node.referenced, node.defined)
}

/// A required text value (a string or a [`Choice`](super::model::Choice)): a gap unless a scalar.
fn text<T: From<String>>(node: Option<&Node>) -> Spanned<T> {
    match node.and_then(|n| n.value.text().map(|t| located(T::from(t), n))) {
        Some(v) => v,
        None => gap(),
    }
}

/// An optional text value: absent when missing or empty, a gap when of the wrong type.
fn opt_text<T: From<String>>(node: Option<&Node>) -> Option<Spanned<T>> {
    match node {
        None => None,
        Some(n) if matches!(n.value, Raw::Null) => None,
        Some(n) => Some(text(Some(n))),
    }
}

/// A required number, read as serde reads [`Number`]; a gap unless a scalar.
fn number(node: Option<&Node>) -> Spanned<Number> {
    let Some(n) = node else { return gap() };
    match &n.value {
        Raw::Int(i) => located(Number::Int(*i), n),
        Raw::Other(s) => located(Number::Other(s.clone()), n),
        Raw::Str(s) => located(Number::Text(s.clone()), n),
        Raw::Null | Raw::Seq(_) | Raw::Map(_) => gap(),
    }
}

/// An optional number: absent when missing or empty, a gap when of the wrong type.
fn opt_number(node: Option<&Node>) -> Option<Spanned<Number>> {
    match node {
        None => None,
        Some(n) if matches!(n.value, Raw::Null) => None,
        Some(n) => Some(number(Some(n))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::diagnostics::SourceFile;
    use std::path::Path;

    fn read_text(text: &str) -> Manifest {
        let file = SourceFile::new(Path::new("m.yaml"), text.to_owned());
        read(&super::super::structure::tree(&file).expect("a YAML tree"))
    }

    #[test]
    fn well_formed_values_keep_their_place_and_the_rest_are_gaps() {
        let m = read_text(
            "version: 1\ncustomers:\n  - id: contoso\n    colour: blue\n    subscriptions:\n      \
             - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10\n        kind: [legacy]\n        \
             reservations:\n          - name: web\n            quantitiy: 2\n            term: P2Y\n",
        );
        assert_eq!(m.version.value, Number::Int(1));
        let c = &m.customers[0];
        assert_eq!(c.id.value, "contoso");
        assert_eq!(c.id.referenced.line(), 3);
        assert!(c.name.is_none());
        let s = &c.subscriptions[0];
        assert!(is_gap(&s.kind), "a list is not a kind");
        let r = &s.reservations[0];
        assert_eq!(r.name.value, "web");
        assert!(is_gap(&r.quantity), "a misspelt field is missing");
        assert!(is_gap(&r.sku));
        assert!(r.region.is_none());
        assert_eq!(r.term.as_ref().map(|t| t.value.raw.as_str()), Some("P2Y"));
    }

    #[test]
    fn a_mistyped_defaults_leaves_no_default_and_items_that_are_not_mappings_are_skipped() {
        let m = read_text("version: x\ndefaults: P3Y\ncustomers: [contoso, {id: a}]\n");
        assert_eq!(m.version.value, Number::Text("x".into()));
        let d = m.defaults.expect("defaults given");
        assert!(d.term.as_ref().is_some_and(is_gap));
        assert!(d.scope.as_ref().is_some_and(is_gap));
        assert_eq!(m.customers.len(), 1);
        assert_eq!(m.customers[0].id.value, "a");
    }
}
