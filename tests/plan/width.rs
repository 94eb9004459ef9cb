//! Plan text fits 120 columns (issue 15 item 11): on a fleet with long customer and item names,
//! long reasons and money, every line of `plan` is at most 120 characters, wrapped rather than
//! cut (the words are exactly those of `plan --wide`, which keeps every line whole). The footer
//! (what was checked for recent purchases, the endpoint line, the summary) stays one line each,
//! for the CI logs and scripts that read them whole.

use super::support::*;

/// contoso and tailspin under very long names: a purchase with money, a blocked item (reservations
/// are not sold in RU) with its long reason, and a block acknowledged with a long note.
fn long_named_fleet() -> String {
    let long = "a-very-long-item-name-that-a-platform-team-generated-from-its-naming-convention";
    format!(
        r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso-holdings-international-europe-middle-east-and-africa-production-workloads
    subscriptions:
      - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        kind: azure-plan
        reservations:
          - name: {long}-batch
            type: vm
            sku: Standard_D4s_v5
            region: eastus
            term: P3Y
            scope: shared
            quantity: 4
  - id: 1a7b3c5d-9e0f-4a2b-8c4d-6e8f0a2b4c05
    name: tailspin-toys-and-games-russia-production-landing-zone-workloads-subscription-one
    subscriptions:
      - id: 0a1c3e5f-7b9d-4e1f-9d3a-6c8d0e2f4a17
        kind: azure-plan
        reservations:
          - name: {long}-web
            type: vm
            sku: Standard_D2s_v5
            region: westeurope
            quantity: 2
            blocked_ok: "RU: not sold there, acknowledged by the platform team after review in TICKET-12345 of the quarterly plan"
"#
    )
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[test]
fn plan_text_on_a_long_named_fleet_fits_120_columns_and_wide_keeps_every_line_whole() {
    let sb = Sandbox::start();
    let yaml = long_named_fleet();
    let fitted = sb.plan(&yaml, &[]);
    assert_eq!(fitted.code, Some(0), "{}", fitted.all());
    let (body, footer) = fitted
        .stdout
        .trim_end()
        .rsplit_once("\n\n")
        .expect("customers, then the footer");
    let footer: Vec<&str> = footer.lines().collect();
    assert!(
        footer.len() == 3
            && footer[0].starts_with("Recent purchases checked with:")
            && footer[1].starts_with("Endpoint:")
            && footer[2].starts_with("Plan: buy 4 units"),
        "{footer:#?}"
    );
    let too_wide: Vec<&str> = body.lines().filter(|l| l.chars().count() > 120).collect();
    assert!(too_wide.is_empty(), "lines past 120 columns: {too_wide:#?}");

    let wide = sb.plan(&yaml, &["--wide"]);
    assert_eq!(wide.code, Some(0), "{}", wide.all());
    assert!(
        wide.stdout.lines().any(|l| l.chars().count() > 120),
        "the fleet is long-named enough to need wrapping:\n{}",
        wide.stdout
    );
    assert_eq!(
        words(&fitted.stdout),
        words(&wide.stdout),
        "wrapping changes only where lines break\n--- fitted\n{}\n--- wide\n{}",
        fitted.stdout,
        wide.stdout
    );
    // A wrapped row keeps its parts together under it: the reason follows the row it explains.
    let at = fitted
        .stdout
        .find("blocked (acknowledged)")
        .expect("the blocked row");
    let after = &fitted.stdout[at..];
    assert!(
        after.find("RU").is_some_and(|i| i < 400),
        "the reason follows its row:\n{}",
        fitted.stdout
    );
}
