//! `blocked_ok: "<reason>"` (DESIGN §3, issue 15 item 3): an acknowledged block is still shown,
//! with its reason, but the run exits 0 (2 with changes); a *different* block of the same item
//! still fails.

use super::support::*;

/// tailspin is in RU, where reservations are not sold; contoso buys one more unit.
const TAILSPIN: &str = r#"
version: 1
customers:
  - id: 1a7b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c05
    name: tailspin
    subscriptions:
      - id: 0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17
        kind: azure-plan
        reservations:
          - name: baseline
            type: vm
            sku: Standard_D2s_v5
            region: westeurope
            quantity: 2
            blocked_ok: "RU: not sold there; TICKET-12"
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    software:
      - name: windows-server
        product: DG7GMGF0DWM3
        sku: "0002"
        quantity: 6
"#;

#[test]
fn an_acknowledged_block_is_shown_and_the_run_stays_green() {
    let sb = Sandbox::start();
    let run = sb.plan(TAILSPIN, &["--detailed-exitcode"]);
    assert_eq!(
        run.code,
        Some(2),
        "changes, nothing failing\n{}\n{}",
        run.stdout,
        run.stderr
    );
    // (Text rows wrap at 120 columns: compared with line breaks as spaces.)
    assert!(
        crate::support::flat(&run.stdout).contains(
            "x blocked (acknowledged) baseline: vm Standard_D2s_v5 westeurope P1Y shared — \
             customer tailspin is in RU"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("(blocked_ok: RU: not sold there; TICKET-12)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 blocked (1 acknowledged)"),
        "{}",
        run.stdout
    );
    assert_eq!(sb.plan(TAILSPIN, &[]).code, Some(0));

    let json = sb.plan(TAILSPIN, &["--format", "json"]).json();
    let r = row(&json, "baseline");
    assert_eq!(r["action"], "blocked");
    assert_eq!(r["acknowledged"], "RU: not sold there; TICKET-12");
    assert_eq!(json["summary"]["acknowledged"], 1);

    let md = sb.plan(TAILSPIN, &["--format", "markdown"]).stdout;
    assert!(md.contains("| blocked (acknowledged) |"), "{md}");
    assert!(!md.contains("[!CAUTION]"), "nothing failing: {md}");
}

#[test]
fn a_different_block_of_an_acknowledged_item_still_fails() {
    let sb = Sandbox::start();
    // contoso is in the US, where reservations are sold; its block is a subscription Partner
    // Center does not know, which `blocked_ok` (written for a market that does not sell) does
    // not cover.
    let unknown_subscription = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    subscriptions:
      - id: 00000000-0000-4000-8000-000000000099
        kind: azure-plan
        reservations:
          - name: web-tier
            type: vm
            sku: Standard_D2s_v5
            region: eastus
            quantity: 2
            blocked_ok: "not sold in this market"
"#;
    let run = sb.plan(unknown_subscription, &["--detailed-exitcode"]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("x blocked web-tier")
            && run.stdout.contains("was not found for customer contoso"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("acknowledged"), "{}", run.stdout);
}

#[test]
fn an_empty_blocked_ok_is_a_manifest_error() {
    let sb = Sandbox::start();
    let empty = TAILSPIN.replace("\"RU: not sold there; TICKET-12\"", "\"  \"");
    let run = sb.plan(&empty, &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("blocked_ok needs a reason"),
        "{}",
        run.stderr
    );
}
