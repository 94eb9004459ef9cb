//! The built-in demo world, exactly as docs/demo-world.md specifies.

use super::{
    Customer, Order, OrderLine, Partner, Registration, Subscription, SubscriptionKind, World,
    stable_guid,
};
use crate::sandbox::catalog::{availability_id, catalog};
use crate::sandbox::markets;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub const TENANT_ID: &str = "5e1c0a42-7f3b-4d9e-8c21-000000000001";
pub const CLIENT_ID: &str = "6f2d1b53-8a4c-4e0f-9d32-000000000002";
pub const CLIENT_SECRET: &str = "sandbox-demo-client-secret";
pub const REFRESH_TOKEN: &str = "sandbox-demo-refresh-token";

pub const CONTOSO: &str = "4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01";
pub const FABRIKAM: &str = "7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02";
pub const NORTHWIND: &str = "2c9e4b7a-1f6d-4a8e-9b3c-5d7f0e1a2b03";
pub const ADATUM: &str = "8e3f5a1b-6c2d-4e9f-a0b4-7c1d3e5f6a04";
pub const TAILSPIN: &str = "1a7b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c05";

/// The demo partner (credentials as documented).
pub fn demo_partner() -> Partner {
    Partner {
        tenant_id: TENANT_ID.into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        refresh_token: REFRESH_TOKEN.into(),
        name: "Reservoir Demo Partner".into(),
        mpn_id: "4900001".into(),
    }
}

fn sub(
    id: &str,
    kind: SubscriptionKind,
    status: &str,
    registered: bool,
    created: DateTime<Utc>,
) -> Subscription {
    Subscription {
        id: id.into(),
        kind,
        status: status.into(),
        registration: if registered {
            Registration::Registered
        } else {
            Registration::NotRegistered
        },
        friendly_name: match kind {
            SubscriptionKind::AzurePlan => "Azure plan".into(),
            SubscriptionKind::Legacy => "Microsoft Azure".into(),
            SubscriptionKind::NonAzure => "Microsoft 365 E3".into(),
        },
        created,
    }
}

fn customer(id: &str, name: &str, country: &str, subs: Vec<Subscription>) -> Customer {
    Customer {
        id: id.into(),
        name: name.into(),
        domain: format!("{}.onmicrosoft.com", name.to_ascii_lowercase()),
        country: country.into(),
        subscriptions: subs,
        order_ids: vec![],
        segment: None,
    }
}

/// The demo world, with holdings placed `now - 60 days`.
pub fn demo_world(now: DateTime<Utc>) -> World {
    use SubscriptionKind::{AzurePlan, Legacy};
    let created = now - chrono::Duration::days(400);
    let customers = vec![
        customer(
            CONTOSO,
            "Contoso",
            "US",
            vec![
                sub(
                    "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10",
                    AzurePlan,
                    "active",
                    true,
                    created,
                ),
                sub(
                    "3c8e2f10-5a6b-4d7c-9e8f-0a1b2c3d4e11",
                    Legacy,
                    "active",
                    false,
                    created,
                ),
            ],
        ),
        customer(
            FABRIKAM,
            "Fabrikam",
            "GB",
            vec![
                sub(
                    "b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12",
                    AzurePlan,
                    "active",
                    true,
                    created,
                ),
                sub(
                    "c5e7a9b1-3d5f-4a7b-9c1d-2e4f6a8b0c13",
                    AzurePlan,
                    "suspended",
                    false,
                    created,
                ),
            ],
        ),
        customer(
            NORTHWIND,
            "Northwind",
            "DE",
            vec![
                sub(
                    "d6f8b0c2-4e6a-4b8c-a0d2-3f5a7b9c1d14",
                    AzurePlan,
                    "active",
                    false,
                    created,
                ),
                sub(
                    "e7a9c1d3-5f7b-4c9d-b1e3-4a6b8c0d2e15",
                    Legacy,
                    "active",
                    true,
                    created,
                ),
            ],
        ),
        customer(
            ADATUM,
            "Adatum",
            "JP",
            vec![sub(
                "f8b0d2e4-6a8c-4d0e-8c2f-5b7c9d1e3f16",
                AzurePlan,
                "active",
                true,
                created,
            )],
        ),
        customer(
            TAILSPIN,
            "Tailspin",
            "RU",
            vec![sub(
                "0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17",
                AzurePlan,
                "active",
                true,
                created,
            )],
        ),
    ];
    let mut world = World {
        partner: demo_partner(),
        clock_offset_seconds: 0,
        availability_generation: 0,
        rotated_availabilities: BTreeMap::new(),
        customers: customers.into_iter().map(|c| (c.id.clone(), c)).collect(),
        carts: BTreeMap::new(),
        orders: BTreeMap::new(),
        replays: BTreeMap::new(),
    };
    let placed = now - chrono::Duration::days(60);
    let orders = [
        reservation_order(
            CONTOSO,
            "US",
            "AzureReservationsVM",
            "Standard_D2s_v5",
            "eastus",
            "1Year",
            "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10",
            2,
            placed,
        ),
        software_order(CONTOSO, "US", "DG7GMGF0DWM3", "0002", 5, placed),
        reservation_order(
            FABRIKAM,
            "GB",
            "AzureReservationsSQL",
            "SQLDB_GP_Compute_Gen5",
            "uksouth",
            "3Years",
            "b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12",
            4,
            placed,
        ),
    ];
    for o in orders.into_iter().flatten() {
        world.insert_order(o);
    }
    world
}

/// A completed reservation order on an Azure plan, as if placed at `placed`.
#[allow(clippy::too_many_arguments)]
pub fn reservation_order(
    customer_id: &str,
    country: &str,
    view: &str,
    arm: &str,
    region: &str,
    duration: &str,
    subscription_id: &str,
    quantity: i64,
    placed: DateTime<Utc>,
) -> Option<Order> {
    let (p, s) = catalog().find_reservation(view, true, arm, region, duration)?;
    let seed = format!("{customer_id}|{}|{}|{placed}", p.id, s.id);
    let (currency, _) = markets::currency(country);
    let mut ctx = BTreeMap::new();
    ctx.insert("subscriptionId".to_string(), subscription_id.to_string());
    ctx.insert("scope".to_string(), "shared".to_string());
    ctx.insert("duration".to_string(), duration.to_string());
    Some(Order {
        id: stable_guid(&format!("order|{seed}")),
        alternate_id: stable_guid(&format!("alt|{seed}")).replace('-', "")[..12].to_string(),
        customer_id: customer_id.into(),
        cart_id: None,
        created: placed,
        status: "completed".into(),
        currency_code: currency.into(),
        lines: vec![OrderLine {
            line_item_number: 0,
            catalog_item_id: format!("{}:{}:{}", p.id, s.id, availability_id(&p.id, &s.id, 0)),
            quantity,
            term_duration: s.term.map(str::to_string),
            provisioning_context: ctx,
            friendly_name: Some(format!("{arm} {region}")),
            unit_price: markets::convert(s.price_usd, currency),
            reservation_order_id: Some(stable_guid(&format!("ro|{seed}"))),
            reservation_id: Some(stable_guid(&format!("r|{seed}"))),
            line_item_guid: stable_guid(&format!("li|{seed}")),
            subscription_id: Some(stable_guid(&format!("sub|{seed}"))),
            purchase_commitment: None,
        }],
        seed: true,
        billing_cycle: "one_time".into(),
        fulfilled_at: None,
        listed_at: None,
        recorded_at: None,
        correlation_id: None,
    })
}

/// A completed software order, as if placed at `placed`.
pub fn software_order(
    customer_id: &str,
    country: &str,
    product: &str,
    sku: &str,
    quantity: i64,
    placed: DateTime<Utc>,
) -> Option<Order> {
    let p = catalog().product(product)?;
    let s = p.sku(sku)?;
    let seed = format!("{customer_id}|{}|{}|{placed}", p.id, s.id);
    let (currency, _) = markets::currency(country);
    Some(Order {
        id: stable_guid(&format!("order|{seed}")),
        alternate_id: stable_guid(&format!("alt|{seed}")).replace('-', "")[..12].to_string(),
        customer_id: customer_id.into(),
        cart_id: None,
        created: placed,
        status: "completed".into(),
        currency_code: currency.into(),
        lines: vec![OrderLine {
            line_item_number: 0,
            catalog_item_id: format!("{}:{}:{}", p.id, s.id, availability_id(&p.id, &s.id, 0)),
            quantity,
            term_duration: s.term.map(str::to_string),
            provisioning_context: BTreeMap::new(),
            friendly_name: Some(s.title.clone()),
            unit_price: markets::convert(s.price_usd, currency),
            reservation_order_id: None,
            reservation_id: None,
            line_item_guid: stable_guid(&format!("li|{seed}")),
            subscription_id: None,
            purchase_commitment: None,
        }],
        seed: true,
        billing_cycle: "one_time".into(),
        fulfilled_at: None,
        listed_at: None,
        recorded_at: None,
        correlation_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_world_matches_the_spec() {
        let w = demo_world(Utc::now());
        let countries: Vec<(&str, &str)> = w
            .customers
            .values()
            .map(|c| (c.name.as_str(), c.country.as_str()))
            .collect();
        assert_eq!(countries.len(), 5);
        for (id, country) in [
            (CONTOSO, "US"),
            (FABRIKAM, "GB"),
            (NORTHWIND, "DE"),
            (ADATUM, "JP"),
            (TAILSPIN, "RU"),
        ] {
            assert_eq!(w.customer(id).map(|c| c.country.as_str()), Some(country));
        }
        let subs: usize = w.customers.values().map(|c| c.subscriptions.len()).sum();
        assert_eq!(subs, 8);
        let fab = w.customer(FABRIKAM).unwrap();
        let suspended = fab
            .subscriptions
            .iter()
            .find(|s| s.status == "suspended")
            .unwrap();
        assert_eq!(suspended.id, "c5e7a9b1-3d5f-4a7b-9c1d-2e4f6a8b0c13");
        assert_eq!(suspended.registration, Registration::NotRegistered);
        assert_eq!(w.orders.len(), 3);
        assert!(w.orders.values().all(|o| o.seed && o.status == "completed"));
        let qty: Vec<i64> = {
            let mut q: Vec<i64> = w.orders.values().map(|o| o.lines[0].quantity).collect();
            q.sort();
            q
        };
        assert_eq!(qty, vec![2, 4, 5]);
        assert_eq!(w.customer(CONTOSO).unwrap().order_ids.len(), 2);
    }
}
