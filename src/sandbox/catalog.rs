//! The sandbox catalog: reservation products (one per target view × reservation scope × family),
//! software products, their SKUs with dynamic attributes and prices, and availability ids. Built
//! once, deterministically; availability ids depend on the world's rotation counters.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::OnceLock;

pub const REGIONS: &[(&str, &str)] = &[
    ("eastus", "US East"),
    ("westus2", "US West 2"),
    ("westeurope", "EU West"),
    ("northeurope", "EU North"),
    ("uksouth", "UK South"),
    ("germanywestcentral", "Germany West Central"),
    ("japaneast", "Japan East"),
    ("japanwest", "Japan West"),
];

/// What a product sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `reservation_type` as entitlements show it: `virtualmachines`, `sqldatabases`, `cosmosdb`.
    Reservation {
        reservation_type: &'static str,
    },
    SoftwarePerpetual,
    SoftwareSubscription,
    /// The Azure savings plan (read by customer, Azure plan customers only).
    SavingsPlan,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: String,
    pub title: String,
    pub description: String,
    /// `AzureReservationsVM`, `AzureReservationsSQL`, `AzureReservationsCosmosDb`,
    /// `SoftwarePerpetual` or `SoftwareSubscriptions`.
    pub view: &'static str,
    /// Reservation products exist once for legacy subscriptions and once for Azure plans.
    pub azure_plan: bool,
    pub kind: Kind,
    pub sub_type: &'static str,
    pub skus: Vec<Sku>,
}

#[derive(Debug, Clone)]
pub struct Sku {
    pub id: String,
    pub title: String,
    pub description: String,
    pub arm_sku_name: Option<String>,
    pub region: Option<(&'static str, &'static str)>,
    /// `1Year` / `3Years` for reservations.
    pub duration: Option<&'static str>,
    /// `P1Y` / `P3Y` (None for perpetual software).
    pub term: Option<&'static str>,
    pub cores: Option<u32>,
    pub ram: Option<u32>,
    pub category: &'static str,
    /// `InventoryCheck` is a purchase prerequisite (every reservation SKU, as in Partner Center).
    pub inventory_check: bool,
    /// Regions where the inventory check reports a restriction (only the documented case).
    pub restricted_regions: Vec<&'static str>,
    /// The unit price in USD.
    pub price_usd: f64,
    /// `supportedBillingCycles` (snake_case), one-time first.
    pub billing_cycles: Vec<&'static str>,
}

/// Customer segments, in the order availabilities are listed.
pub const SEGMENTS: &[&str] = &["commercial", "education", "government", "nonprofit"];

#[derive(Debug)]
pub struct Catalog {
    pub products: Vec<Product>,
    by_id: HashMap<String, usize>,
}

struct Family {
    view: &'static str,
    name: &'static str,
    title: &'static str,
    reservation_type: &'static str,
    sub_type: &'static str,
    category: &'static str,
    /// (armSkuName, cores, ram GB, hourly USD)
    sizes: &'static [(&'static str, u32, u32, f64)],
    /// Whether the inventory check restricts the family somewhere (NCv3 in Japan West).
    restricted: bool,
}

const FAMILIES: &[Family] = &[
    Family {
        view: "AzureReservationsVM",
        name: "Dsv5",
        title: "Reserved VM Instance, Dsv5 Series",
        reservation_type: "virtualmachines",
        sub_type: "VirtualMachines",
        category: "General purpose",
        sizes: &[
            ("Standard_D2s_v5", 2, 8, 0.096),
            ("Standard_D4s_v5", 4, 16, 0.192),
            ("Standard_D8s_v5", 8, 32, 0.384),
        ],
        restricted: false,
    },
    Family {
        view: "AzureReservationsVM",
        name: "Esv5",
        title: "Reserved VM Instance, Esv5 Series",
        reservation_type: "virtualmachines",
        sub_type: "VirtualMachines",
        category: "Memory optimized",
        sizes: &[
            ("Standard_E4s_v5", 4, 32, 0.252),
            ("Standard_E8s_v5", 8, 64, 0.504),
        ],
        restricted: false,
    },
    Family {
        view: "AzureReservationsVM",
        name: "Fsv2",
        title: "Reserved VM Instance, Fsv2 Series",
        reservation_type: "virtualmachines",
        sub_type: "VirtualMachines",
        category: "Compute optimized",
        sizes: &[("Standard_F4s_v2", 4, 8, 0.169)],
        restricted: false,
    },
    Family {
        view: "AzureReservationsVM",
        name: "NCv3",
        title: "Reserved VM Instance, NCv3 Series",
        reservation_type: "virtualmachines",
        sub_type: "VirtualMachines",
        category: "GPU",
        sizes: &[("Standard_NC6s_v3", 6, 112, 3.06)],
        restricted: true,
    },
    Family {
        view: "AzureReservationsSQL",
        name: "SQLDB_GP",
        title: "SQL Database Reserved Capacity, General Purpose Gen5",
        reservation_type: "sqldatabases",
        sub_type: "SQLDatabases",
        category: "SQL Database",
        sizes: &[("SQLDB_GP_Compute_Gen5", 1, 0, 0.2525)],
        restricted: false,
    },
    Family {
        view: "AzureReservationsSQL",
        name: "SQLDB_BC",
        title: "SQL Database Reserved Capacity, Business Critical Gen5",
        reservation_type: "sqldatabases",
        sub_type: "SQLDatabases",
        category: "SQL Database",
        sizes: &[("SQLDB_BC_Compute_Gen5", 1, 0, 0.68)],
        restricted: false,
    },
    Family {
        view: "AzureReservationsSQL",
        name: "SQLMI_GP",
        title: "SQL Managed Instance Reserved Capacity, General Purpose Gen5",
        reservation_type: "sqldatabases",
        sub_type: "SQLDatabases",
        category: "SQL Managed Instance",
        sizes: &[("SQLMI_GP_Compute_Gen5", 1, 0, 0.2525)],
        restricted: false,
    },
    Family {
        view: "AzureReservationsCosmosDb",
        name: "CosmosDb",
        title: "Azure Cosmos DB Reserved Capacity",
        reservation_type: "cosmosdb",
        sub_type: "CosmosDb",
        category: "Cosmos DB",
        sizes: &[
            ("Cosmos_DB_100_RUs", 0, 0, 0.008),
            ("Cosmos_DB_1000_RUs", 0, 0, 0.08),
        ],
        restricted: false,
    },
];

const ID_CHARS: &[u8] = b"0123456789BCDFGHJKLMNPQRSTVWXZ01";

/// A 12-character upper-case id: `prefix` followed by characters derived from `seed`.
pub fn derived_id(prefix: &str, seed: &str) -> String {
    let h = Sha256::digest(seed.as_bytes());
    let mut s = prefix.to_string();
    for b in h.iter() {
        if s.len() >= 12 {
            break;
        }
        s.push(ID_CHARS[(*b as usize) % 30] as char);
    }
    s
}

fn region_factor(region: &str) -> f64 {
    match region {
        r if r.starts_with("japan") => 1.15,
        "westeurope" | "northeurope" | "uksouth" | "germanywestcentral" => 1.05,
        _ => 1.0,
    }
}

fn build() -> Catalog {
    let mut products = Vec::new();
    for azure_plan in [false, true] {
        for fam in FAMILIES {
            let scope = if azure_plan { "AzurePlan" } else { "Legacy" };
            let id = derived_id("DZH318Z0", &format!("{}|{}|{}", fam.view, scope, fam.name));
            let mut skus = Vec::new();
            let mut n = 0;
            for (arm, cores, ram, hourly) in fam.sizes {
                for (region, region_name) in REGIONS {
                    for (duration, term, years, discount) in
                        [("1Year", "P1Y", 1.0, 0.62), ("3Years", "P3Y", 3.0, 0.42)]
                    {
                        n += 1;
                        let years_text = if years > 1.0 { "3 Years" } else { "1 Year" };
                        let price = hourly * 8760.0 * years * discount * region_factor(region);
                        skus.push(Sku {
                            id: format!("{n:04}"),
                            title: format!("{}, {arm}, {region_name}, {years_text}", fam.title),
                            description: format!(
                                "{arm} reservation in {region_name} for {years_text}"
                            ),
                            arm_sku_name: Some(arm.to_string()),
                            region: Some((region, region_name)),
                            duration: Some(duration),
                            term: Some(term),
                            cores: (*cores > 0).then_some(*cores),
                            ram: (*ram > 0).then_some(*ram),
                            category: fam.category,
                            inventory_check: true,
                            restricted_regions: if fam.restricted {
                                vec!["japanwest"]
                            } else {
                                vec![]
                            },
                            price_usd: (price * 100.0).round() / 100.0,
                            // A billing plan (monthly) for the Esv5 family only, so both cases
                            // exist (docs/partner-center.md, billing plans).
                            billing_cycles: if fam.name == "Esv5" {
                                vec!["one_time", "monthly"]
                            } else {
                                vec!["one_time"]
                            },
                        });
                    }
                }
            }
            products.push(Product {
                id,
                title: fam.title.to_string(),
                description: format!(
                    "{} ({})",
                    fam.title,
                    if azure_plan {
                        "Azure plan"
                    } else {
                        "legacy Azure subscriptions"
                    }
                ),
                view: fam.view,
                azure_plan,
                kind: Kind::Reservation {
                    reservation_type: fam.reservation_type,
                },
                sub_type: fam.sub_type,
                skus,
            });
        }
    }
    let software =
        |id: &str,
         title: &str,
         view: &'static str,
         kind: Kind,
         skus: Vec<(&str, &str, Option<&'static str>, f64)>| Product {
            id: id.to_string(),
            title: title.to_string(),
            description: title.to_string(),
            view,
            azure_plan: false,
            kind,
            sub_type: "",
            skus: skus
                .into_iter()
                .map(|(sku, t, term, usd)| Sku {
                    id: sku.to_string(),
                    title: t.to_string(),
                    description: t.to_string(),
                    arm_sku_name: None,
                    region: None,
                    duration: None,
                    term,
                    cores: None,
                    ram: None,
                    category: "Software",
                    inventory_check: false,
                    restricted_regions: vec![],
                    price_usd: usd,
                    billing_cycles: match term {
                        Some("P1Y") => vec!["one_time", "annual"],
                        Some(_) => vec!["one_time", "triennial"],
                        None => vec!["one_time"],
                    },
                })
                .collect(),
        };
    products.push(software(
        "DG7GMGF0DWM3",
        "Windows Server 2022",
        "SoftwarePerpetual",
        Kind::SoftwarePerpetual,
        vec![
            (
                "0002",
                "Windows Server 2022 Standard - 2 Core License Pack",
                None,
                123.0,
            ),
            (
                "0003",
                "Windows Server 2022 Datacenter - 2 Core License Pack",
                None,
                725.0,
            ),
        ],
    ));
    products.push(software(
        "DG7GMGF0FKZV",
        "SQL Server 2022 Standard",
        "SoftwarePerpetual",
        Kind::SoftwarePerpetual,
        vec![(
            "0001",
            "SQL Server 2022 Standard - 2 Core License Pack",
            None,
            3945.0,
        )],
    ));
    products.push(software(
        "DG7GMGF0FLR0",
        "SQL Server 2022 Standard subscription",
        "SoftwareSubscriptions",
        Kind::SoftwareSubscription,
        vec![
            (
                "0001",
                "SQL Server 2022 Standard - 2 Core - 3 Year subscription",
                Some("P3Y"),
                5412.0,
            ),
            (
                "0002",
                "SQL Server 2022 Standard - 2 Core - 1 Year subscription",
                Some("P1Y"),
                1859.0,
            ),
        ],
    ));
    products.push(super::savings::product());
    let by_id = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    Catalog { products, by_id }
}

/// The catalog (built on first use).
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(build)
}

impl Catalog {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.by_id
            .get(&id.to_ascii_uppercase())
            .map(|i| &self.products[*i])
    }
}

/// The availability id of a SKU under the world's rotation counters.
pub fn availability_id(product: &str, sku: &str, generation: u32) -> String {
    derived_id("DZH318Z", &format!("avail|{product}|{sku}|{generation}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let c = catalog();
        let mut ids: Vec<&str> = c.products.iter().map(|p| p.id.as_str()).collect();
        assert!(ids.iter().all(|i| i.len() == 12));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), c.products.len());
        let (p, s) = c
            .find_reservation(
                "AzureReservationsVM",
                true,
                "Standard_D2s_v5",
                "eastus",
                "1Year",
            )
            .unwrap();
        assert_eq!(
            p.id,
            derived_id("DZH318Z0", "AzureReservationsVM|AzurePlan|Dsv5")
        );
        assert_eq!(s.id, "0001");
        assert_eq!(
            c.products_for_view("azurereservationsvm", false)
                .unwrap()
                .len(),
            4
        );
        assert!(c.products_for_view("Bogus", false).is_none());
    }
}
