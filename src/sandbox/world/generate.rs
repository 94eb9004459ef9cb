//! Generated worlds for scale tests: N customers spread over the available markets, each with
//! one to three registered Azure plan subscriptions, sharing the demo partner and the catalog.

use super::demo::demo_partner;
use super::{Customer, Registration, Subscription, SubscriptionKind, World, stable_guid};
use crate::sandbox::markets::AVAILABLE_SAMPLE;
use chrono::Utc;
use std::collections::BTreeMap;

/// A deterministic world of `n` customers for `seed`.
pub fn generate_world(n: usize, seed: u64) -> World {
    let created = Utc::now() - chrono::Duration::days(400);
    let mut customers = BTreeMap::new();
    for i in 0..n {
        let id = stable_guid(&format!("gen|{seed}|customer|{i}"));
        let mix = (i as u64).wrapping_mul(2654435761).wrapping_add(seed);
        let country = AVAILABLE_SAMPLE[(mix as usize) % AVAILABLE_SAMPLE.len()];
        let subs = 1 + (mix / 7 % 3) as usize;
        let subscriptions = (0..subs)
            .map(|j| Subscription {
                id: stable_guid(&format!("gen|{seed}|sub|{i}|{j}")),
                kind: SubscriptionKind::AzurePlan,
                status: "active".into(),
                registration: Registration::Registered,
                friendly_name: format!("Azure plan {}", j + 1),
                created,
            })
            .collect();
        let name = format!("Customer {i:05}");
        customers.insert(
            id.clone(),
            Customer {
                id,
                domain: format!("customer{i:05}.onmicrosoft.com"),
                name,
                country: country.to_string(),
                subscriptions,
                order_ids: vec![],
                segment: None,
            },
        );
    }
    World {
        partner: demo_partner(),
        clock_offset_seconds: 0,
        availability_generation: 0,
        rotated_availabilities: BTreeMap::new(),
        customers,
        carts: BTreeMap::new(),
        orders: BTreeMap::new(),
        replays: BTreeMap::new(),
    }
}
