//! A realistic desired + observed state modelled on docs/demo-world.md, built by hand.

use reservoir::manifest::*;
use reservoir::plan::*;
use std::collections::BTreeMap;

pub(crate) use crate::support::world::*;

/// A customer the demo world does not have (the fixture's own).
pub const WINGTIP: &str = "9f4a6b2c-7d3e-4f0a-b1c2-8d4e6f0a2b06";
pub const WINGTIP_PLAN: &str = "1b2d4f6a-8c0e-4a2b-9c4d-7e9f1a3b5c18";

fn src(line: usize) -> SourceRef {
    SourceRef {
        file: "customers.yaml".into(),
        line,
        column: 9,
    }
}

pub fn vm(
    name: &str,
    ty: ReservationType,
    sku: &str,
    region: &str,
    term: Term,
    qty: u32,
) -> DesiredReservation {
    DesiredReservation {
        renew_before: None,
        name: name.into(),
        reservation_type: ty,
        target: ReservationTarget::Arm {
            arm_sku_name: sku.into(),
            arm_region_name: region.into(),
        },
        term,
        scope: Scope::Shared,
        quantity: qty,
        billing: Default::default(),
        source: src(10),
        blocked_ok: None,
    }
}

pub fn software(name: &str, product: &str, sku: &str, qty: u32) -> DesiredSoftware {
    DesiredSoftware {
        name: name.into(),
        product_id: product.into(),
        sku_id: sku.into(),
        quantity: qty,
        billing_cycle: None,
        term: None,
        source: src(20),
        blocked_ok: None,
    }
}

pub fn sub(
    id: &str,
    kind: SubscriptionKind,
    reservations: Vec<DesiredReservation>,
) -> DesiredSubscription {
    DesiredSubscription {
        id: id.into(),
        kind,
        reservations,
        source: src(5),
    }
}

pub fn customer(
    id: &str,
    name: &str,
    subs: Vec<DesiredSubscription>,
    sw: Vec<DesiredSoftware>,
) -> DesiredCustomer {
    DesiredCustomer {
        savings_plans: Vec::new(),
        id: id.into(),
        name: Some(name.into()),
        subscriptions: subs,
        software: sw,
        source: src(2),
    }
}

pub fn osub(
    id: &str,
    kind: SubscriptionKind,
    status: &str,
    reg: Registration,
) -> (String, ObservedSubscription) {
    (
        id.into(),
        ObservedSubscription {
            id: id.into(),
            status: SubscriptionStatus::from_wire(status),
            kind,
            registration: reg,
        },
    )
}

pub fn found(product: &str, sku: &str, title: &str) -> Resolution {
    Resolution::Found(CatalogItem {
        product_id: product.into(),
        sku_id: sku.into(),
        availability: Some(reservoir::plan::ChosenAvailability {
            id: format!("DZH318XZ{sku}"),
            catalog_item_id: format!("{product}:{sku}:DZH318XZ{sku}"),
        }),
        title: title.into(),
        min_quantity: 1,
        max_quantity: 999_999_999,
        requires_registration: true,
        inventory: Inventory::NotRequired,
        billing_cycles: vec![],
    })
}

pub fn reservation_holding(
    sub: &str,
    product: &str,
    sku: &str,
    term: Term,
    qty: u32,
    order: &str,
    title: &str,
) -> Holding {
    Holding {
        kind: HoldingKind::Reservation(ReservationAttribution {
            subscription_id: Some(sub.into()),
            term: Some(term),
            scope: Some(Scope::Shared),
            reservation_type: None,
            arm_sku_name: None,
            arm_region_name: None,
        }),
        product_id: product.into(),
        sku_id: sku.into(),
        quantity: qty,
        order_id: order.into(),
        expiry: Some("2027-03-01T00:00:00Z".into()),
        title: Some(title.into()),
    }
}

fn base(
    id: &str,
    name: &str,
    country: &str,
    subs: Vec<(String, ObservedSubscription)>,
) -> ObservedCustomer {
    ObservedCustomer {
        id: id.into(),
        company_name: Some(format!("{name} Ltd")),
        country: country.into(),
        subscriptions: subs.into_iter().collect::<BTreeMap<_, _>>(),
        holdings: vec![],
        holdings_source: HoldingsSource::Entitlements,
        credentials: CredentialsKind::AppUser,
        pending: vec![],
        in_flight_unknown: None,
        resolutions: vec![],
    }
}

fn resolve(oc: &mut ObservedCustomer, key: PurchaseKey, r: Resolution) {
    oc.resolutions.push(ItemResolution { key, resolution: r });
}

/// The desired and observed state of the demo world, with something of every action.
pub fn demo() -> (DesiredState, Observation) {
    use ReservationType::*;
    use SubscriptionKind::*;
    use Term::*;

    let contoso = customer(
        CONTOSO,
        "contoso",
        vec![
            sub(
                CONTOSO_LEGACY,
                Legacy,
                vec![vm("batch", Vm, "Standard_E4s_v5", "westus2", P1Y, 2)],
            ),
            sub(
                CONTOSO_PLAN,
                AzurePlan,
                vec![
                    vm("web-small", Vm, "Standard_D2s_v5", "eastus", P1Y, 2),
                    vm("web-tier", Vm, "Standard_D4s_v5", "eastus", P3Y, 4),
                ],
            ),
        ],
        vec![
            software("sql-server", "DG7GMGF0FKZV", "0001", 2),
            software("windows-server", "DG7GMGF0DWM3", "0002", 10),
        ],
    );
    let fabrikam = customer(
        FABRIKAM,
        "fabrikam",
        vec![
            sub(
                FABRIKAM_PLAN,
                AzurePlan,
                vec![vm(
                    "sql-gp",
                    Sql,
                    "SQLDB_GP_Compute_Gen5",
                    "uksouth",
                    P3Y,
                    2,
                )],
            ),
            sub(
                FABRIKAM_SUSPENDED,
                AzurePlan,
                vec![vm("cache", Vm, "Standard_E8s_v5", "uksouth", P1Y, 1)],
            ),
        ],
        vec![],
    );
    let northwind = customer(
        NORTHWIND,
        "northwind",
        vec![
            sub(
                NORTHWIND_PLAN,
                AzurePlan,
                vec![
                    vm(
                        "analytics",
                        Vm,
                        "Standard_F4s_v2",
                        "germanywestcentral",
                        P1Y,
                        1,
                    ),
                    vm(
                        "next-gen",
                        Vm,
                        "Standard_D4s_v6",
                        "germanywestcentral",
                        P3Y,
                        2,
                    ),
                ],
            ),
            sub(
                NORTHWIND_LEGACY,
                AzurePlan,
                vec![vm(
                    "docs",
                    Cosmosdb,
                    "Cosmos_DB_100_RUs",
                    "westeurope",
                    P1Y,
                    3,
                )],
            ),
        ],
        vec![],
    );
    let adatum = customer(
        ADATUM,
        "adatum",
        vec![sub(
            ADATUM_PLAN,
            AzurePlan,
            vec![vm("gpu", Vm, "Standard_NC6s_v3", "japanwest", P3Y, 1)],
        )],
        vec![],
    );
    let tailspin = customer(
        TAILSPIN,
        "tailspin",
        vec![sub(
            TAILSPIN_PLAN,
            AzurePlan,
            vec![vm("web", Vm, "Standard_D2s_v5", "westeurope", P1Y, 1)],
        )],
        vec![],
    );
    let wingtip = customer(
        WINGTIP,
        "wingtip",
        vec![sub(
            WINGTIP_PLAN,
            AzurePlan,
            vec![vm("app", Vm, "Standard_D8s_v5", "westus2", P1Y, 2)],
        )],
        vec![],
    );

    // contoso: US, App+User, entitlements.
    let mut oc = base(
        CONTOSO,
        "contoso",
        "US",
        vec![
            osub(CONTOSO_PLAN, AzurePlan, "active", Registration::Registered),
            osub(
                CONTOSO_LEGACY,
                Legacy,
                "active",
                Registration::NotRegistered,
            ),
        ],
    );
    let c_sub = |i: usize| &contoso.subscriptions[i];
    resolve(
        &mut oc,
        c_sub(0).reservations[0].purchase_key(CONTOSO, CONTOSO_LEGACY),
        found(
            "DZH318Z0BQ5L",
            "0012",
            "Reserved VM Instance, Standard_E4s_v5, US West 2, 1 Year",
        ),
    );
    resolve(
        &mut oc,
        c_sub(1).reservations[0].purchase_key(CONTOSO, CONTOSO_PLAN),
        found(
            "DZH318Z0BQ3Q",
            "0001",
            "Reserved VM Instance, Standard_D2s_v5, US East, 1 Year",
        ),
    );
    resolve(
        &mut oc,
        c_sub(1).reservations[1].purchase_key(CONTOSO, CONTOSO_PLAN),
        found(
            "DZH318Z0BQ3Q",
            "0004",
            "Reserved VM Instance, Standard_D4s_v5, US East, 3 Years",
        ),
    );
    resolve(
        &mut oc,
        contoso.software[0].purchase_key(CONTOSO),
        found(
            "DG7GMGF0FKZV",
            "0001",
            "SQL Server 2022 Standard - 2 Core License Pack",
        ),
    );
    resolve(
        &mut oc,
        contoso.software[1].purchase_key(CONTOSO),
        found(
            "DG7GMGF0DWM3",
            "0002",
            "Windows Server 2022 Standard - 2 Core License Pack",
        ),
    );
    oc.holdings.push(reservation_holding(
        CONTOSO_PLAN,
        "DZH318Z0BQ3Q",
        "0001",
        P1Y,
        2,
        "8f0c1a2b3c4d",
        "Standard_D2s_v5 eastus",
    ));
    let mut cosmos = reservation_holding(
        CONTOSO_PLAN,
        "DZH318Z0BQ9C",
        "0003",
        P1Y,
        1,
        "7e1d2c3b4a59",
        "Cosmos DB 100 RU/s westeurope",
    );
    if let HoldingKind::Reservation(a) = &mut cosmos.kind {
        a.reservation_type = Some(Cosmosdb);
        a.arm_sku_name = Some("Cosmos_DB_100_RUs".into());
        a.arm_region_name = Some("westeurope".into());
    }
    oc.holdings.push(cosmos);
    oc.holdings.push(Holding {
        kind: HoldingKind::Software,
        product_id: "DG7GMGF0DWM3".into(),
        sku_id: "0002".into(),
        quantity: 5,
        order_id: "6a2b3c4d5e6f".into(),
        expiry: None,
        title: Some("Windows Server 2022 Standard - 2 Core License Pack".into()),
    });
    oc.pending.push(PendingPurchase {
        order_id: Some("1c2d3e4f5a6b".into()),
        key: contoso.software[0].purchase_key(CONTOSO),
        product_id: "DG7GMGF0FKZV".into(),
        sku_id: "0001".into(),
        quantity: 2,
    });
    let contoso_obs = oc;

    // fabrikam: GB, app-only credentials → holdings from orders.
    let mut oc = base(
        FABRIKAM,
        "fabrikam",
        "GB",
        vec![
            osub(FABRIKAM_PLAN, AzurePlan, "active", Registration::Registered),
            osub(
                FABRIKAM_SUSPENDED,
                AzurePlan,
                "suspended",
                Registration::NotRegistered,
            ),
        ],
    );
    oc.holdings_source = HoldingsSource::Orders;
    oc.credentials = CredentialsKind::AppOnly;
    resolve(
        &mut oc,
        fabrikam.subscriptions[0].reservations[0].purchase_key(FABRIKAM, FABRIKAM_PLAN),
        found(
            "DZH318Z0BQ4S",
            "0021",
            "Reserved SQL Database, SQLDB_GP_Compute_Gen5, UK South, 3 Years",
        ),
    );
    resolve(
        &mut oc,
        fabrikam.subscriptions[1].reservations[0].purchase_key(FABRIKAM, FABRIKAM_SUSPENDED),
        found(
            "DZH318Z0BQ5L",
            "0033",
            "Reserved VM Instance, Standard_E8s_v5, UK South, 1 Year",
        ),
    );
    oc.holdings.push(reservation_holding(
        FABRIKAM_PLAN,
        "DZH318Z0BQ4S",
        "0021",
        P3Y,
        4,
        "3d4e5f6a7b8c",
        "SQLDB_GP_Compute_Gen5 uksouth",
    ));
    let fabrikam_obs = oc;

    // northwind: DE, a NotRegistered Azure plan, and a legacy subscription declared as Azure plan.
    let mut oc = base(
        NORTHWIND,
        "northwind",
        "DE",
        vec![
            osub(
                NORTHWIND_PLAN,
                AzurePlan,
                "active",
                Registration::NotRegistered,
            ),
            osub(NORTHWIND_LEGACY, Legacy, "active", Registration::Registered),
        ],
    );
    let n0 = &northwind.subscriptions[0];
    resolve(
        &mut oc,
        n0.reservations[0].purchase_key(NORTHWIND, NORTHWIND_PLAN),
        found(
            "DZH318Z0BQ7F",
            "0041",
            "Reserved VM Instance, Standard_F4s_v2, Germany West Central, 1 Year",
        ),
    );
    resolve(
        &mut oc,
        n0.reservations[1].purchase_key(NORTHWIND, NORTHWIND_PLAN),
        Resolution::NotFound {
            searched: "AzureReservationsVM (Azure plan, country DE): Standard_D4s_v6 in germanywestcentral for 3Years".into(),
            suggestions: vec!["Standard_D4s_v5".into(), "Standard_D8s_v5".into()],
        },
    );
    resolve(
        &mut oc,
        northwind.subscriptions[1].reservations[0].purchase_key(NORTHWIND, NORTHWIND_LEGACY),
        found(
            "DZH318Z0BQ9C",
            "0051",
            "Reserved Cosmos DB, 100 RU/s, EU West, 1 Year",
        ),
    );
    let northwind_obs = oc;

    // adatum: JP, the GPU SKU needs the inventory check and is restricted in japanwest.
    let mut oc = base(
        ADATUM,
        "adatum",
        "JP",
        vec![osub(
            ADATUM_PLAN,
            AzurePlan,
            "active",
            Registration::Registered,
        )],
    );
    let mut gpu = found(
        "DZH318Z0BQ8N",
        "0061",
        "Reserved VM Instance, Standard_NC6s_v3, JP West, 3 Years",
    );
    if let Resolution::Found(ci) = &mut gpu {
        ci.inventory = Inventory::Restricted {
            reason: "NotAvailableForSubscription (Location japanwest)".into(),
        };
    }
    resolve(
        &mut oc,
        adatum.subscriptions[0].reservations[0].purchase_key(ADATUM, ADATUM_PLAN),
        gpu,
    );
    let adatum_obs = oc;

    // tailspin: RU, an unavailable market.
    let mut oc = base(
        TAILSPIN,
        "tailspin",
        "RU",
        vec![osub(
            TAILSPIN_PLAN,
            AzurePlan,
            "active",
            Registration::Registered,
        )],
    );
    resolve(
        &mut oc,
        tailspin.subscriptions[0].reservations[0].purchase_key(TAILSPIN, TAILSPIN_PLAN),
        Resolution::MarketUnavailable,
    );
    let tailspin_obs = oc;

    let desired = DesiredState {
        customers: vec![tailspin, contoso, northwind, fabrikam, adatum, wingtip],
        limits: Limits {
            max_units_per_apply: Some(50),
            max_units_per_item: Some(20),
            ..Limits::default()
        },
        manifest_hash: "5f2c9d1e8a7b6c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d".into(),
    };
    let observation = Observation {
        observed_at: None,
        customers: vec![
            CustomerObservation::Observed(contoso_obs),
            CustomerObservation::Observed(fabrikam_obs),
            CustomerObservation::Observed(northwind_obs),
            CustomerObservation::Observed(adatum_obs),
            CustomerObservation::Observed(tailspin_obs),
            CustomerObservation::Failed {
                customer_id: WINGTIP.into(),
                error: "reading subscriptions: 503 Service Unavailable after 4 attempts".into(),
            },
        ],
        witnesses: None,
        prices: Default::default(),
    };
    let observation = Observation {
        prices: price_book(&observation),
        ..observation
    };
    (desired, observation)
}

/// Price sheets for the demo: every catalog item found for a customer in US, DE or JP gets a
/// price in the market's currency (reservations 1,234.50 per term, software 99.00, JPY 185,000),
/// except Standard_E4s_v5, missing from the sheet; GB (fabrikam, app-only credentials) has no
/// access to prices.
fn price_book(o: &Observation) -> reservoir::prices::PriceBook {
    use reservoir::prices::{PriceBook, PriceSheet, SheetObservation};
    let mut rows: BTreeMap<(String, &str), Vec<String>> = BTreeMap::new();
    for c in &o.customers {
        let CustomerObservation::Observed(oc) = c else {
            continue;
        };
        let currency = match oc.country.as_str() {
            "US" => "USD",
            "DE" => "EUR",
            "JP" => "JPY",
            _ => continue,
        };
        for r in &oc.resolutions {
            let Resolution::Found(ci) = &r.resolution else {
                continue;
            };
            if let PurchaseKey::Reservation {
                target: ReservationTarget::Arm { arm_sku_name, .. },
                ..
            } = &r.key
                && arm_sku_name == "Standard_E4s_v5"
            {
                continue;
            }
            let (view, price, term) = match &r.key {
                PurchaseKey::Software { .. } => ("software", "99.00", String::new()),
                PurchaseKey::Reservation { term, .. } if currency == "JPY" => {
                    ("azure_reservations", "185000", term.as_str().to_owned())
                }
                PurchaseKey::Reservation { term, .. } => {
                    ("azure_reservations", "1234.50", term.as_str().to_owned())
                }
                // Savings plans price themselves (their commitment), not from the sheet.
                PurchaseKey::SavingsPlan { .. } => continue,
            };
            rows.entry((oc.country.clone(), view))
                .or_default()
                .push(format!(
                    "{},{},{term},{currency},{price}",
                    ci.product_id, ci.sku_id
                ));
        }
    }
    let mut book = PriceBook::default();
    for ((market, view), lines) in rows {
        let csv = format!(
            "ProductId,SkuId,TermDuration,Currency,UnitPrice\n{}\n",
            lines.join("\n")
        );
        let sheet = PriceSheet::parse(&csv).expect("fixture price sheet");
        book.insert(&market, view, SheetObservation::Read { sheet });
    }
    book.insert(
        "GB",
        "azure_reservations",
        SheetObservation::Unavailable {
            reason: reservoir::prices::read::APP_ONLY.into(),
        },
    );
    book
}

/// A plan of `customers` customers with `items` purchase rows each, for size tests.
pub fn big(customers: usize, items: usize) -> (DesiredState, Observation) {
    let mut desired = Vec::new();
    let mut observed = Vec::new();
    for c in 0..customers {
        let cid = format!("00000000-0000-4000-8000-{c:012}");
        let sid = format!("10000000-0000-4000-8000-{c:012}");
        let reservations: Vec<_> = (0..items)
            .map(|i| {
                vm(
                    &format!("item-{i:03}"),
                    ReservationType::Vm,
                    &format!("Standard_D{i}s_v5"),
                    "eastus",
                    Term::P1Y,
                    1,
                )
            })
            .collect();
        let dc = customer(
            &cid,
            &format!("customer-{c:04}"),
            vec![sub(&sid, SubscriptionKind::AzurePlan, reservations)],
            vec![],
        );
        let mut oc = base(
            &cid,
            "c",
            "US",
            vec![osub(
                &sid,
                SubscriptionKind::AzurePlan,
                "active",
                Registration::Registered,
            )],
        );
        // Each item resolves to its own SKU: two items resolving to the same one would be a
        // duplicate declaration (an error row).
        for (i, r) in dc.subscriptions[0].reservations.iter().enumerate() {
            resolve(
                &mut oc,
                r.purchase_key(&cid, &sid),
                found(
                    "DZH318Z0BQ3Q",
                    &format!("{:04}", i + 1),
                    "Reserved VM Instance",
                ),
            );
        }
        desired.push(dc);
        observed.push(CustomerObservation::Observed(oc));
    }
    (
        DesiredState {
            customers: desired,
            limits: Limits::default(),
            manifest_hash: "00".into(),
        },
        Observation {
            observed_at: None,
            customers: observed,
            witnesses: None,
            prices: Default::default(),
        },
    )
}
