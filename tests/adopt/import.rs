//! `reservoir import`: round trips (import, then plan on its output buys nothing and shows no
//! surplus) on the demo world and on a generated world of 50 customers with random holdings,
//! the yaml-language-server modeline, `validate` accepting the output, and `--force`.

use super::support::{Sandbox, files};
use serde_json::Value;

/// Every row of a JSON plan whose action is a purchase, renewal or surplus.
fn changes(plan: &Value) -> Vec<Value> {
    plan["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| {
            let a = r["action"].as_str().unwrap_or_default();
            a != "ok"
        })
        .cloned()
        .collect()
}

/// Imports into `out`, validates and plans it: the plan must have nothing but `ok` rows.
fn round_trip(sb: &Sandbox, out: &str) -> Value {
    let dir = sb.path(out);
    let dir_s = dir.to_str().expect("utf-8 path");
    let run = sb.reservoir(&["import", "--out", dir_s]);
    assert_eq!(run.code, Some(0), "{run}");
    let validate = sb.reservoir(&["validate", dir_s]);
    assert_eq!(validate.code, Some(0), "{validate}");
    let plan = sb.reservoir(&["plan", dir_s, "--format", "json", "--detailed-exitcode"]);
    let json = plan.json();
    assert_eq!(changes(&json), Vec::<Value>::new(), "{plan}");
    assert_eq!(plan.code, Some(0), "{plan}");
    json
}

#[test]
fn import_of_the_demo_world_plans_no_purchase_and_no_surplus() {
    let sb = Sandbox::for_import();
    let plan = round_trip(&sb, "imported");
    let summary = &plan["summary"];
    assert_eq!(summary["to_buy"], 0, "{summary}");
    assert_eq!(summary["surplus"], 0, "{summary}");
    let f = files(&sb.path("imported"));
    assert_eq!(
        f.keys().cloned().collect::<Vec<_>>(),
        [
            "adatum.yaml",
            "contoso.yaml",
            "fabrikam.yaml",
            "northwind.yaml",
            "tailspin.yaml"
        ]
    );
    for (name, text) in &f {
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/manifest.schema.json\n"),
            "{name}:\n{text}"
        );
    }
    let contoso = &f["contoso.yaml"];
    for expected in [
        "        kind: azure-plan\n",
        "          - name: vm-standard-d2s-v5-eastus-p1y-shared\n            type: vm\n            sku: Standard_D2s_v5\n            region: eastus\n            term: P1Y\n            scope: shared\n            quantity: 2\n",
        "        sku: \"0002\"\n        quantity: 5\n",
        "      # Windows Server 2022 Standard - 2 Core License Pack\n",
        "expires 2027-",
    ] {
        assert!(
            contoso.contains(expected),
            "missing {expected:?} in:\n{contoso}"
        );
    }
    assert!(
        f["fabrikam.yaml"].contains("type: sql"),
        "{}",
        f["fabrikam.yaml"]
    );
}

#[test]
fn import_never_overwrites_without_force() {
    let sb = Sandbox::for_import();
    let dir = sb.path("imported");
    let dir_s = dir.to_str().expect("utf-8 path");
    assert_eq!(sb.reservoir(&["import", "--out", dir_s]).code, Some(0));
    let contoso = dir.join("contoso.yaml");
    std::fs::write(&contoso, "# edited by hand\n").expect("edit");
    let again = sb.reservoir(&["import", "--out", dir_s]);
    assert_eq!(again.code, Some(1), "{again}");
    assert!(
        again
            .stderr
            .contains("already exists; pass --force to overwrite it")
            && again.stderr.contains(".yaml"),
        "{again}"
    );
    assert_eq!(again.stdout, "", "{again}");
    assert_eq!(
        std::fs::read_to_string(&contoso).expect("read"),
        "# edited by hand\n",
        "nothing is written when a file exists"
    );
    let forced = sb.reservoir(&["import", "--out", dir_s, "--force"]);
    assert_eq!(forced.code, Some(0), "{forced}");
    assert!(
        std::fs::read_to_string(&contoso)
            .expect("read")
            .contains("Standard_D2s_v5")
    );
}

#[test]
fn import_of_one_customer_writes_only_its_file() {
    let sb = Sandbox::for_import();
    let dir = sb.path("one");
    let run = sb.reservoir(&[
        "--customer",
        "fabrikam",
        "import",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(
        files(&dir).keys().cloned().collect::<Vec<_>>(),
        ["fabrikam.yaml"]
    );
    assert_eq!(
        run.stdout.trim(),
        dir.join("fabrikam.yaml").display().to_string()
    );
}

/// A small deterministic generator (no dependency on a random crate's stream stability).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// Random holdings for every customer of the world: on each subscription 0–2 reservations of
/// distinct SKUs (types, regions, terms and scopes at random), and 0–1 software items.
/// `bump` adds units to some items (a second apply buys them in another order).
fn random_manifest(world: &reservoir::sandbox::World, seed: u64, bump: bool) -> String {
    const RESERVATIONS: &[(&str, &str)] = &[
        ("vm", "Standard_D2s_v5"),
        ("vm", "Standard_D4s_v5"),
        ("vm", "Standard_E4s_v5"),
        ("vm", "Standard_F4s_v2"),
        ("sql", "SQLDB_GP_Compute_Gen5"),
        ("cosmosdb", "Cosmos_DB_100_RUs"),
    ];
    const REGIONS: &[&str] = &["eastus", "westus2", "westeurope", "uksouth", "japaneast"];
    const SOFTWARE: &[(&str, &str)] = &[
        ("DG7GMGF0DWM3", "0002"),
        ("DG7GMGF0DWM3", "0003"),
        ("DG7GMGF0FKZV", "0001"),
    ];
    let mut rng = Lcg(seed);
    let mut y = String::from("version: 1\ncustomers:\n");
    for c in world.customers.values() {
        y.push_str(&format!("  - id: {}\n", c.id));
        let mut subs = String::new();
        for (j, s) in c.subscriptions.iter().enumerate() {
            let n = rng.next(3);
            let first = rng.next(RESERVATIONS.len());
            let mut items = String::new();
            for k in 0..n {
                let (t, sku) = RESERVATIONS[(first + k) % RESERVATIONS.len()];
                let region = REGIONS[rng.next(REGIONS.len())];
                let term = ["P1Y", "P3Y"][rng.next(2)];
                let scope = ["shared", "single"][rng.next(2)];
                let (base, extra, more) = (1 + rng.next(4), rng.next(2), 1 + rng.next(2));
                let q = base + if bump && extra == 0 { more } else { 0 };
                items.push_str(&format!(
                    "          - {{ name: r{j}-{k}, type: {t}, sku: {sku}, region: {region}, term: {term}, scope: {scope}, quantity: {q} }}\n"
                ));
            }
            if !items.is_empty() {
                subs.push_str(&format!(
                    "      - id: {}\n        kind: azure-plan\n        reservations:\n{items}",
                    s.id
                ));
            }
        }
        if !subs.is_empty() {
            y.push_str("    subscriptions:\n");
            y.push_str(&subs);
        }
        if rng.next(2) == 0 {
            let (p, sku) = SOFTWARE[rng.next(SOFTWARE.len())];
            let (base, extra) = (1 + rng.next(5), rng.next(2));
            let q = base + usize::from(bump && extra == 0);
            y.push_str(&format!(
                "    software:\n      - {{ name: sw, product: {p}, sku: \"{sku}\", quantity: {q} }}\n"
            ));
        }
    }
    y
}

#[test]
fn import_of_a_generated_world_of_50_customers_with_random_holdings_round_trips() {
    let sb = Sandbox::generated_for_import(50, 11);
    let world = sb.world();
    // Two applies: the second raises some quantities, so some items are held through two orders.
    for (folder, bump) in [("bought-1", false), ("bought-2", true)] {
        let dir = sb.manifest_in(folder, &random_manifest(&world, 42, bump));
        let apply = sb.reservoir(&["apply", dir.to_str().expect("utf-8"), "--auto-approve"]);
        assert_eq!(apply.code, Some(0), "{apply}");
    }
    // What was bought is what the second manifest declares: planning it changes nothing.
    let bought = sb.reservoir(&[
        "plan",
        sb.path("bought-2").to_str().expect("utf-8"),
        "--detailed-exitcode",
    ]);
    assert_eq!(bought.code, Some(0), "{bought}");

    let plan = round_trip(&sb, "imported");
    let imported = files(&sb.path("imported"));
    assert_eq!(imported.len(), 50);
    // Units bought by the two applies are one item with both orders in its comments.
    let two_orders = |t: &String| {
        let lines: Vec<&str> = t.lines().map(str::trim_start).collect();
        lines
            .windows(2)
            .any(|w| w[0].starts_with("# order ") && w[1].starts_with("# order "))
    };
    assert!(
        imported.values().any(two_orders),
        "no item is held through two orders"
    );
    // Every declared unit is owned, and the import declares as many units as were bought.
    let owned: u64 = plan["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["owned"].as_u64().unwrap_or(0))
        .sum();
    let second = random_manifest(&world, 42, true);
    let declared: u64 = second
        .split("quantity: ")
        .skip(1)
        .map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u64>().expect("a quantity")
        })
        .sum();
    assert!(declared > 0);
    assert_eq!(owned, declared, "{plan:#}");
}

#[test]
fn an_owned_savings_plan_is_imported_as_a_savings_plans_item_and_round_trips() {
    let sb = Sandbox::for_import();
    let yaml = format!(
        r#"
version: 1
customers:
  - id: {}
    savings_plans:
      - name: compute
        subscription: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        scope: shared
        term: P1Y
        billing: monthly
        hourly_commitment: "2.75"
        currency: USD
"#,
        crate::support::world::CONTOSO
    );
    let bought = sb.apply(&yaml, &[]);
    assert_eq!(bought.code, Some(0), "{bought}");
    round_trip(&sb, "imported");
    let contoso = &files(&sb.path("imported"))["contoso.yaml"];
    for expected in [
        "    savings_plans:\n      # compute\n      # order ",
        " (2.75/h, expires 20",
        "      - name: savings-plan-shared-p1y-monthly\n        subscription: \"9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10\"\n        scope: shared\n        term: P1Y\n        billing: monthly\n        currency: USD\n        hourly_commitment: \"2.75\"\n",
    ] {
        assert!(
            contoso.contains(expected),
            "missing {expected:?} in:\n{contoso}"
        );
    }
}
