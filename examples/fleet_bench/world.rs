//! The benchmark's job, derived from the generated world: the manifest (one VM reservation on every
//! subscription of every customer), the same job as JSON for the sequential script, and the
//! **minimum** number of calls it needs (issue 13), computed from the manifest and the world, not
//! from the calls made.

use reservoir::sandbox::World;
use std::collections::BTreeSet;

/// What one customer declares, per subscription.
pub const SKU: &str = "Standard_D2s_v5";
pub const REGION: &str = "eastus";
pub const TERM: &str = "P1Y";
pub const SCOPE: &str = "shared";

/// The manifest YAML.
pub fn manifest(world: &World) -> String {
    manifest_part(world, 1, 0)
}

/// The manifest of one runner's share when `parts` runners split the customers (every
/// `parts`-th customer, from the `part`-th).
pub fn manifest_part(world: &World, parts: usize, part: usize) -> String {
    let mut yaml = String::from("version: 1\ncustomers:\n");
    for c in world.customers.values().skip(part).step_by(parts.max(1)) {
        yaml.push_str(&format!("  - id: {}\n    subscriptions:\n", c.id));
        for s in &c.subscriptions {
            yaml.push_str(&format!(
                "      - id: {}\n        kind: azure-plan\n        reservations:\n          - {{ name: web, type: vm, sku: {SKU}, region: {REGION}, term: {TERM}, scope: {SCOPE}, quantity: 1 }}\n",
                s.id
            ));
        }
    }
    yaml
}

/// The same job for the sequential script.
pub fn script_input(world: &World) -> serde_json::Value {
    serde_json::Value::Array(
        world
            .customers
            .values()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "subscriptions": c.subscriptions.iter().map(|s| serde_json::json!({
                        "id": s.id, "sku": SKU, "region": REGION, "term": TERM,
                        "scope": SCOPE, "quantity": 1,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The minimum calls of each phase.
#[derive(Debug, Clone, Copy)]
pub struct Minimum {
    /// Buying everything: per customer 5 + S (customer, subscriptions, entitlements, S
    /// registration statuses, cart, checkout); per country the 3 catalog reads (products, the
    /// SKUs of the one product, its availabilities) and the price sheet (the plan states what it
    /// will cost, DESIGN §4; issue 13 counts prices as reads per run); 1 per run for the activity
    /// log. No inventory check: the cart checks inventory (docs/partner-center.md §8).
    pub purchase: u64,
    /// A no-change plan with the country and registrations cached: per customer 2
    /// (subscriptions, entitlements); 1 per run for the activity log.
    pub no_change: u64,
}

pub fn minimum(world: &World) -> Minimum {
    let customers = world.customers.len() as u64;
    let subscriptions: u64 = world
        .customers
        .values()
        .map(|c| c.subscriptions.len() as u64)
        .sum();
    let countries: BTreeSet<&str> = world
        .customers
        .values()
        .map(|c| c.country.as_str())
        .collect();
    Minimum {
        purchase: 5 * customers + subscriptions + 4 * countries.len() as u64 + 1,
        no_change: 2 * customers + 1,
    }
}
