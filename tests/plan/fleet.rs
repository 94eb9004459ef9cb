//! Many customers: a failing customer does not stop the others, catalog calls do not grow with
//! the number of customers; the examples against the embedded sandbox; saved plans.

use super::support::*;
use serde_json::{Value, json};

#[test]
fn a_customer_that_cannot_be_read_gets_error_rows_and_the_others_are_planned() {
    let sb = Sandbox::start();
    sb.fault(json!({
        "method": "GET",
        "path": format!("/v1/customers/{FABRIKAM}/entitlements*"),
        "kind": "server_error",
        "status": 403,
    }));
    let run = sb.plan(MATCHING, &["--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let plan = run.json();
    assert_eq!(row(&plan, "sql")["action"], "error");
    let reason = row(&plan, "sql")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(reason.contains("reading entitlements"), "{reason}");
    // The row's one line carries the cause: the failed call with its status.
    assert!(
        reason.contains(&format!(
            "reading entitlements: GET /v1/customers/{FABRIKAM}/entitlements"
        )),
        "{reason}"
    );
    assert!(reason.contains("HTTP 403"), "{reason}");
    assert_eq!(row(&plan, "web-tier")["action"], "ok");
    assert_eq!(row(&plan, "windows-server")["action"], "ok");
}

/// Adds `n` copies of contoso (US, one registered Azure plan, nothing owned) and returns a
/// manifest declaring one reservation and one software item for the first `k` of them.
fn clones(sb: &Sandbox, n: usize) -> Vec<(String, String)> {
    let mut w = sb.world_json();
    let template = w["customers"][CONTOSO].clone();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("aaaaaaaa-0000-4000-8000-{i:012}");
        let sub = format!("bbbbbbbb-0000-4000-8000-{i:012}");
        let mut c = template.clone();
        c["id"] = Value::from(id.clone());
        c["orderIds"] = json!([]);
        let mut s = c["subscriptions"][0].clone();
        s["id"] = Value::from(sub.clone());
        c["subscriptions"] = json!([s]);
        w["customers"][&id] = c;
        ids.push((id, sub));
    }
    sb.put_world(&w);
    ids
}

fn fleet_manifest(ids: &[(String, String)]) -> String {
    let mut m = String::from("version: 1\ncustomers:\n");
    for (id, sub) in ids {
        m.push_str(&format!(
            "  - id: {id}\n    subscriptions:\n      - id: {sub}\n        kind: azure-plan\n        reservations:\n          - {{ name: web, type: vm, sku: Standard_D2s_v5, region: eastus, term: P1Y, scope: shared, quantity: 2 }}\n          - {{ name: gpu, type: vm, sku: Standard_NC6s_v3, region: eastus, term: P3Y, scope: shared, quantity: 1 }}\n    software:\n      - {{ name: ws, product: DG7GMGF0DWM3, sku: \"0002\", quantity: 1 }}\n"
        ));
    }
    m
}

fn catalog_calls(sb: &Sandbox) -> usize {
    sb.requests()
        .iter()
        .filter(|r| r["category"] == "catalog")
        .count()
}

#[test]
fn catalog_calls_do_not_grow_with_the_number_of_customers() {
    let sb = Sandbox::start();
    let ids = clones(&sb, 6);
    sb.reset_requests();
    let run = sb.plan(&fleet_manifest(&ids[..1]), &["--format", "json"]);
    assert_eq!(run.json()["summary"]["purchases"], 3, "{}", run.stdout);
    let one = catalog_calls(&sb);
    // The same start for the second run: no catalog view kept in the state store.
    let views = sb.state_dir().join("cache").join("catalog");
    assert!(views.is_dir(), "the first plan kept its catalog views");
    std::fs::remove_dir_all(&views).expect("forget the cached views");
    sb.reset_requests();
    let run = sb.plan(
        &fleet_manifest(&ids),
        &["--format", "json", "--parallelism", "6"],
    );
    assert_eq!(run.json()["summary"]["purchases"], 18, "{}", run.stderr);
    let six = catalog_calls(&sb);
    assert!(one > 0);
    assert_eq!(one, six, "catalog calls for 1 customer vs 6");
    // A repeat reads the products and SKUs from the state store: only availabilities remain.
    sb.reset_requests();
    let run = sb.plan(
        &fleet_manifest(&ids),
        &["--format", "json", "--parallelism", "6"],
    );
    assert_eq!(run.json()["summary"]["purchases"], 18, "{}", run.stderr);
    let repeat = catalog_calls(&sb);
    let listings = sb
        .requests()
        .iter()
        .filter(|r| r["category"] == "catalog")
        .filter(|r| {
            !r["path"]
                .as_str()
                .unwrap_or_default()
                .contains("availabilities")
        })
        .count();
    assert!(repeat < six, "{repeat} catalog calls on a repeat vs {six}");
    assert_eq!(listings, 0, "no product or SKU listing on a repeat");
}

#[test]
fn the_examples_plan_against_the_embedded_sandbox() {
    let state = tempfile::tempdir().expect("tempdir");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut cmd = crate::support::reservoir();
    // A fixed commit, so the snapshot does not change with every commit of this repository.
    let out = cmd
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .arg("--state-dir")
        .arg(state.path())
        .arg("plan")
        .arg(&examples)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the examples' blocked items are acknowledged with blocked_ok\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("purchase 4 × batch-tier"), "{stdout}");
    assert!(stdout.contains("inventory is restricted"), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("Plan: buy"),
        "{stdout}"
    );
    assert!(
        state.path().join("sandbox/world.json").is_file(),
        "the world is saved"
    );
    insta::assert_snapshot!("examples_text", stdout);
}

/// The examples' Markdown comment: contoso's savings-plan row with its hourly commitment and
/// what it commits over the term, next to the reservations and software.
#[test]
fn the_examples_markdown_shows_the_savings_plan_and_its_commitment() {
    let state = tempfile::tempdir().expect("tempdir");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut cmd = assert_cmd::Command::cargo_bin("reservoir").expect("binary");
    for (k, _) in std::env::vars() {
        if k.starts_with("PARTNER_CENTER_") || k.starts_with("RESERVOIR_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .arg("--state-dir")
        .arg(state.path())
        .args(["plan", "--format", "markdown"])
        .arg(&examples)
        .output()
        .expect("runs");
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{md}");
    assert!(
        md.contains("| **purchase 2.50/h** ⚠️ irreversible | 2.50/h | 0.00/h | 0.00/h | 2.50/h | USD 21,900.00 (USD 2.50/h × 8,760 h; monthly USD 1,825.00) |"),
        "{md}"
    );
    // Row fingerprints cover holdings' expiry, which moves with the clock: masked.
    let masked: String = md
        .lines()
        .map(|l| match l.split_once(" `") {
            Some((head, rest))
                if l.starts_with("- ")
                    && rest.len() > 17
                    && rest.as_bytes()[16] == b'`'
                    && rest[..16].bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                format!("{head} `<fingerprint>`{}\n", &rest[17..])
            }
            _ => format!("{l}\n"),
        })
        .collect();
    insta::assert_snapshot!("examples_markdown", masked);
}

#[test]
fn a_saved_plan_shown_later_renders_like_the_live_plan() {
    let sb = Sandbox::start();
    let file = sb.dir.path().join("plan.json");
    let manifest = MATCHING.replace("quantity: 5", "quantity: 8");
    for format in ["text", "markdown", "json"] {
        let live = sb.plan(
            &manifest,
            &[
                "--format",
                format,
                "--out",
                file.to_str().expect("utf-8 path"),
            ],
        );
        assert_eq!(live.code, Some(0), "{}", live.stderr);
        let shown = sb.reservoir(&[
            "show",
            file.to_str().expect("utf-8 path"),
            "--format",
            format,
        ]);
        assert_eq!(shown.code, Some(0), "{}", shown.stderr);
        // `show` first says when the plan was made and expires; JSON is the saved file, which
        // adds `created_at` and `expires_at` to the live JSON.
        if format == "json" {
            let mut shown: Value = serde_json::from_str(&shown.stdout).expect("json");
            let obj = shown.as_object_mut().expect("object");
            assert!(obj.remove("created_at").is_some() && obj.remove("expires_at").is_some());
            let live: Value = serde_json::from_str(&live.stdout).expect("json");
            assert_eq!(shown, live, "{format}");
        } else {
            let (made, rest) = shown.stdout.split_once("\n\n").expect("a made line");
            assert!(
                made.starts_with("Plan made ") && made.contains(" · expires "),
                "{made}"
            );
            assert_eq!(rest, live.stdout, "{format}");
        }
    }
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("saved")).expect("json");
    assert!(saved["expires_at"].is_string());
    assert_eq!(saved["summary"]["to_buy"], 3);
}
