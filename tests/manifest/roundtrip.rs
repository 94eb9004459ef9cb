//! Property: any manifest the model serialises loads back equal — the YAML reservoir would write
//! for a manifest parses into the same manifest, and loads into a desired state holding every item
//! with the same values.

use proptest::prelude::*;
use reservoir::manifest::{self, model};
use serde_saphyr::{Location, Spanned};
use std::path::Path;

fn sp<T>(v: T) -> Spanned<T> {
    Spanned::new(v, Location::UNKNOWN, Location::UNKNOWN)
}

fn guid(seed: u32, i: usize) -> String {
    format!("{seed:08x}-0a1b-4c2d-8e3f-{i:012x}")
}

fn choice<E: model::ChoiceSet + PartialEq>(
    values: &'static [(&'static str, E)],
) -> impl Strategy<Value = model::Choice<E>> {
    (0..values.len()).prop_map(move |i| model::Choice::new(values[i].0))
}

fn reservation(i: usize) -> impl Strategy<Value = model::Reservation> {
    (
        choice(<model::ReservationType as model::ChoiceSet>::VALUES),
        proptest::option::of(choice(<model::Term as model::ChoiceSet>::VALUES)),
        proptest::option::of(choice(<model::Scope as model::ChoiceSet>::VALUES)),
        1i64..5000,
        any::<bool>(),
        // Regions and SKU names must be real ones (validate knows ARM regions and SKU shapes).
        proptest::sample::select(vec![
            "eastus",
            "EastUS2",
            "westeurope",
            "japaneast",
            "uksouth",
            "swedencentral",
        ]),
    )
        .prop_map(
            move |(t, term, scope, q, pinned, region)| model::Reservation {
                name: sp(format!("item-{i}")),
                reservation_type: sp(t.clone()),
                sku: sp(if pinned {
                    format!("{i:04}")
                } else {
                    match t.raw.as_str() {
                        "sql" => format!("SQLDB_GP_Compute_Gen{i}"),
                        "cosmosdb" => format!("Cosmos_DB_{i}00_RUs"),
                        _ => format!("Standard_D{i}s_v5"),
                    }
                }),
                region: (!pinned).then(|| sp(region.to_owned())),
                product: pinned.then(|| sp(format!("DZH318Z0B{i:03}"))),
                term: term.map(sp),
                scope: scope.map(sp),
                quantity: sp(model::Number::Int(q)),
                renew_before: None,
                billing: None,
                blocked_ok: None,
            },
        )
}

fn software(i: usize) -> impl Strategy<Value = model::Software> {
    (
        1i64..1000,
        proptest::option::of(choice(<model::Term as model::ChoiceSet>::VALUES)),
        proptest::option::of(choice(<model::BillingCycle as model::ChoiceSet>::VALUES)),
    )
        .prop_map(move |(q, term, cycle)| model::Software {
            name: sp(format!("software-{i}")),
            product: sp("DG7GMGF0DWM3".into()),
            sku: sp(format!("{i:04}")),
            quantity: sp(model::Number::Int(q)),
            term: term.map(sp),
            billing_cycle: cycle.map(sp),
            blocked_ok: None,
        })
}

fn subscription(seed: u32, i: usize) -> impl Strategy<Value = model::Subscription> {
    (
        choice(<model::SubscriptionKind as model::ChoiceSet>::VALUES),
        (1usize..4).prop_flat_map(|n| (0..n).map(reservation).collect::<Vec<_>>()),
    )
        .prop_map(move |(kind, reservations)| model::Subscription {
            id: sp(guid(seed, 1000 + i)),
            kind: sp(kind),
            reservations,
        })
}

fn customer(seed: u32, i: usize) -> impl Strategy<Value = model::Customer> {
    (
        proptest::option::of("[a-z][a-z0-9 -]{0,20}[a-z0-9]"),
        (0usize..3).prop_flat_map(move |n| {
            (0..n)
                .map(|j| subscription(seed, i * 10 + j))
                .collect::<Vec<_>>()
        }),
        (0usize..3).prop_flat_map(|n| (0..n).map(software).collect::<Vec<_>>()),
    )
        .prop_map(move |(name, subscriptions, software)| model::Customer {
            savings_plans: Vec::new(),
            id: sp(guid(seed, i)),
            name: name.map(|n| sp(format!("{n}-{i}"))),
            subscriptions,
            software,
        })
}

fn manifest() -> impl Strategy<Value = model::Manifest> {
    (
        any::<u32>(),
        proptest::option::of(choice(<model::Term as model::ChoiceSet>::VALUES)),
        proptest::option::of(1i64..10_000),
    )
        .prop_flat_map(|(seed, term, max_apply)| {
            (1usize..4)
                .prop_flat_map(move |n| (0..n).map(|i| customer(seed, i)).collect::<Vec<_>>())
                .prop_map(move |customers| model::Manifest {
                    version: sp(model::Number::Int(1)),
                    defaults: term.clone().map(|t| model::Defaults {
                        term: Some(sp(t)),
                        scope: None,
                        renew_before: None,
                    }),
                    limits: max_apply.map(|m| model::Limits {
                        max_units_per_apply: Some(sp(model::Number::Int(m))),
                        max_units_per_item: None,
                        max_commitment: None,
                        max_commitment_per_customer: None,
                    }),
                    customers,
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn serialised_manifests_load_back_equal(m in manifest()) {
        let yaml = serde_saphyr::to_string(&m).unwrap();
        let back: model::Manifest = serde_saphyr::from_str(&yaml)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&m).unwrap()
        );

        let loaded = manifest::load_str(&[(Path::new("gen.yaml"), yaml.as_str())])
            .map_err(|d| TestCaseError::fail(format!("{}\n{yaml}", d.to_plain())))?;
        let items: usize = m.customers.iter().map(|c| {
            c.software.len() + c.subscriptions.iter().map(|s| s.reservations.len()).sum::<usize>()
        }).sum();
        prop_assert_eq!(loaded.item_count(), items);
        let total: u64 = loaded.desired.customers.iter().map(|c| {
            c.software.iter().map(|s| u64::from(s.quantity)).sum::<u64>()
                + c.subscriptions.iter().flat_map(|s| &s.reservations).map(|r| u64::from(r.quantity)).sum::<u64>()
        }).sum();
        let expected: u64 = m.customers.iter().map(|c| {
            c.software.iter().map(|s| s.quantity.value.as_int().unwrap() as u64).sum::<u64>()
                + c.subscriptions.iter().flat_map(|s| &s.reservations).map(|r| r.quantity.value.as_int().unwrap() as u64).sum::<u64>()
        }).sum();
        prop_assert_eq!(total, expected);
    }
}
