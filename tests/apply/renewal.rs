//! Renewals (issue 16 item 3), real binary against the sandbox: a reservation 20 days from expiry
//! with `renew_before: 30d` is a `renew` row naming the expiring order and date; apply buys it
//! once; the next plan has nothing to do and a second apply buys nothing. Without
//! `renew_before` the same holding counts as owned and plan warns that it expires.

use super::support::*;
use serde_json::{Value, json};

const SUB: &str = "9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10";

/// contoso's subscription with `renew` (D4s_v5 westeurope P1Y shared × 2), `renew_before` as given.
fn manifest(renew_before: Option<&str>) -> String {
    let renew = renew_before
        .map(|r| format!("\n            renew_before: {r}"))
        .unwrap_or_default();
    format!(
        r#"
version: 1
customers:
  - id: {CONTOSO}
    name: contoso
    subscriptions:
      - id: {SUB}
        kind: azure-plan
        reservations:
          - name: renew
            type: vm
            sku: Standard_D4s_v5
            region: westeurope
            term: P1Y
            scope: shared
            quantity: 2{renew}
"#
    )
}

fn plan_json(sb: &Sandbox, yaml: &str) -> Value {
    sb.plan(yaml, &["--format", "json"]).json()
}

/// Seeds 2 units of the item bought 345 days ago for a year: they expire in 20 days.
fn seed_expiring(sb: &Sandbox, yaml: &str) -> String {
    let plan = plan_json(sb, yaml);
    let item = row(&plan, "renew")["resolved"]["catalog_item_id"]
        .as_str()
        .expect("resolved")
        .to_owned();
    let v = sb.post_admin(
        "holdings",
        &json!({
            "customerId": CONTOSO, "catalogItemId": item, "quantity": 2,
            "termDuration": "P1Y", "daysAgo": 345,
            "provisioningContext": { "subscriptionId": SUB, "scope": "shared", "duration": "1Year" },
        }),
    );
    v["id"].as_str().expect("order id").to_owned()
}

fn units(sb: &Sandbox) -> u64 {
    sb.units(CONTOSO)
}

#[test]
fn an_expiring_reservation_is_renewed_once_before_the_gap_opens() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0}));
    let yaml = manifest(Some("30d"));
    let order = seed_expiring(&sb, &yaml);
    let before = units(&sb);

    let plan = plan_json(&sb, &yaml);
    let r = row(&plan, "renew");
    assert_eq!(r["action"], "renew", "{r:#}");
    assert_eq!(r["to_buy"], 2, "{r:#}");
    assert_eq!(r["owned"], 0, "expiring units do not count as owned: {r:#}");
    assert_eq!(r["irreversible"], true);
    let reason = r["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&order),
        "names the expiring order: {reason}"
    );
    assert!(reason.contains("renew_before 30d"), "{reason}");
    let expiry = (chrono::Utc::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let day_after = (chrono::Utc::now() + chrono::Duration::days(21))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        reason.contains(&expiry) || reason.contains(&day_after),
        "names the expiry date: {reason}"
    );
    let text = sb.plan(&yaml, &[]);
    assert!(text.stdout.contains("renew 2 × renew"), "{}", text.all());
    let detailed = sb.plan(&yaml, &["--detailed-exitcode"]);
    assert_eq!(
        detailed.code,
        Some(2),
        "a renewal is a change: {}",
        detailed.all()
    );

    let run = sb.apply(&yaml, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(
        units(&sb),
        before + 2,
        "the renewal is bought once: {}",
        run.all()
    );

    let again = plan_json(&sb, &yaml);
    let r = row(&again, "renew");
    assert!(
        r["action"] == "ok" || r["action"] == "pending",
        "re-plan has nothing to do: {r:#}"
    );
    assert_eq!(again["summary"]["to_buy"], 0, "{again:#}");
    let detailed = sb.plan(&yaml, &["--detailed-exitcode"]);
    assert_eq!(detailed.code, Some(0), "{}", detailed.all());
    let run = sb.apply(&yaml, &[]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(
        units(&sb),
        before + 2,
        "a second apply buys nothing: {}",
        run.all()
    );
}

#[test]
fn without_renew_before_expiring_units_count_and_plan_warns() {
    let sb = Sandbox::start();
    let yaml = manifest(None);
    let order = seed_expiring(&sb, &yaml);
    let plan = plan_json(&sb, &yaml);
    let r = row(&plan, "renew");
    assert_eq!(r["action"], "ok", "{r:#}");
    assert_eq!(r["owned"], 2, "{r:#}");
    // The warning is a mark on the row (not a customer note): units, date, orders, what to do.
    let mark = &r["expires_soon"];
    assert_eq!(mark["units"], 2, "{r:#}");
    let message = mark["message"].as_str().unwrap_or_default();
    assert!(message.contains(&order), "the mark names the order: {r:#}");
    assert!(message.contains("renew_before"), "{r:#}");
    let expires = mark["expires"]
        .as_str()
        .expect("the expiry date")
        .to_owned();
    let notes = plan["customers"][0]["notes"].to_string();
    assert!(!notes.contains(&order), "not a customer note: {notes}");
    let text = sb.plan(&yaml, &[]);
    assert_eq!(text.code, Some(0), "{}", text.all());
    let row_line = text
        .stdout
        .lines()
        .find(|l| l.contains("ok renew"))
        .unwrap_or_default();
    assert!(
        row_line.contains(&format!("[expires {expires}]")),
        "the row is marked with the date: {}",
        text.all()
    );
    assert!(
        text.stdout.contains("(in 19 days)") || text.stdout.contains("(in 20 days)"),
        "{}",
        text.all()
    );
    let md = sb.plan(&yaml, &["--format", "markdown"]);
    assert!(
        md.stdout.contains(&format!("⏳ expires {expires}")) && md.stdout.contains(&order),
        "the Markdown row is marked too: {}",
        md.all()
    );
    // A window shorter than what is left: still owned, no renewal.
    let plan = plan_json(&sb, &manifest(Some("10d")));
    assert_eq!(row(&plan, "renew")["action"], "ok", "{plan:#}");
}

#[test]
fn renew_before_is_validated_with_a_location() {
    let sb = Sandbox::start();
    let dir = sb.manifest(&manifest(Some("soon")));
    let mut cmd = sb.command(false);
    cmd.arg("validate").arg(&dir);
    let run = sb.run(cmd);
    assert_eq!(run.code, Some(1), "{}", run.all());
    let out = run.all();
    assert!(
        out.contains("renew_before \"soon\" is not a duration"),
        "{out}"
    );
    assert!(out.contains("m.yaml:17:"), "names the line: {out}");
}

#[test]
fn a_saved_plan_renews_without_the_manifests() {
    let sb = Sandbox::start();
    sb.knobs(json!({"fulfillmentDelaySecs": 0}));
    let yaml = manifest(Some("30d"));
    seed_expiring(&sb, &yaml);
    let before = units(&sb);
    let saved = sb.dir.path().join("plan.json");
    let run = sb.plan(&yaml, &["--out", saved.to_str().expect("utf-8")]);
    assert!(run.stdout.contains("renew 2"), "{}", run.all());
    let mut cmd = sb.command(false);
    cmd.args(["apply", "--auto-approve", "--plan"]).arg(&saved);
    let run = sb.run(cmd);
    assert_eq!(run.code, Some(0), "{}", run.all());
    assert_eq!(
        units(&sb),
        before + 2,
        "the saved renewal is bought: {}",
        run.all()
    );
    let mut cmd = sb.command(false);
    cmd.args(["apply", "--auto-approve", "--plan"]).arg(&saved);
    let run = sb.run(cmd);
    assert_eq!(units(&sb), before + 2, "and only once: {}", run.all());
}
