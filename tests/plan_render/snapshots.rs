//! Snapshots of the three formats on the demo fixture, and the Markdown size cap.

use super::fixture;
use reservoir::plan::{Action, diff};
use reservoir::render::{Format, markdown, render_plan};

fn demo_plan() -> reservoir::plan::Plan {
    let (d, o) = fixture::demo();
    diff(&d, &o)
}

#[test]
fn demo_plan_has_every_action() {
    let plan = demo_plan();
    for a in [
        Action::Register,
        Action::Purchase,
        Action::Pending,
        Action::Ok,
        Action::Surplus,
        Action::Blocked,
        Action::Error,
    ] {
        assert!(plan.rows.iter().any(|r| r.action == a), "no {a:?} row");
    }
    assert!(!plan.unmanaged.is_empty());
    assert_eq!(plan.exit_code(true), 1, "blocked rows make the exit code 1");
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!("text", render_plan(&demo_plan(), Format::Text, false));
}

#[test]
fn text_has_colour_only_when_allowed() {
    let plan = demo_plan();
    assert!(!render_plan(&plan, Format::Text, false).contains('\x1b'));
    let coloured = render_plan(&plan, Format::Text, true);
    assert!(coloured.contains("\x1b[32m+ purchase"), "{coloured}");
}

#[test]
fn text_ends_with_the_summary_line() {
    let text = render_plan(&demo_plan(), Format::Text, false);
    let last = text.lines().last().unwrap_or_default();
    assert_eq!(
        last,
        "Plan: buy 12 units (4 × P3Y, 3 × P1Y, 5 × software), register 2 subscriptions, 4 blocked, 1 pending, 1 surplus, 2 errors. \
         Estimated commitment: EUR 1,234.50, USD 5,433.00 + 1 row without a price."
    );
}

#[test]
fn json_snapshot() {
    let json = render_plan(&demo_plan(), Format::Json, false);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["format_version"], "1");
    insta::assert_snapshot!("json", json);
}

#[test]
fn markdown_snapshot() {
    let md = render_plan(&demo_plan(), Format::Markdown, false);
    assert!(md.starts_with("**Plan: buy 12 units"));
    assert!(md.contains("> [!WARNING]"));
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn markdown_of_a_huge_plan_stays_under_the_limit_without_losing_a_customer() {
    let (d, o) = fixture::big(400, 40);
    let plan = diff(&d, &o);
    let full_rows = plan.rows.len();
    assert_eq!(full_rows, 16_000);
    let md = markdown::render(&plan);
    assert!(
        md.chars().count() < markdown::LIMIT,
        "{} chars",
        md.chars().count()
    );
    assert!(md.starts_with("**Plan: buy 16000 units"));
    assert!(md.contains("> [!WARNING]"));
    let note = md
        .lines()
        .rev()
        .find(|l| l.contains("This comment was shortened"))
        .unwrap_or_default();
    // The first customers keep their tables; the others become one line of counts each — no
    // customer is left out (the comment used to drop the last ones entirely).
    let tables = md.matches("| item |").count();
    assert!(tables > 0 && tables < 400, "{tables} tables");
    assert!(
        note.contains(&format!(
            "the rows of the last {} customer(s), shown as counts",
            400 - tables
        )),
        "{note}"
    );
    assert!(md.contains("| customer | to buy (units) |"));
    for c in 0..400 {
        assert!(
            md.contains(&format!("customer-{c:04}")),
            "customer-{c:04} is named"
        );
    }
    assert!(!md.contains("<details>"));
}

/// The plan of `n` generated customers where only every third has something to do.
fn mostly_unchanged(n: usize) -> reservoir::plan::Plan {
    let (d, o) = fixture::big(n, 3);
    let mut plan = diff(&d, &o);
    let changed = |id: &str| id.ends_with(['0', '3', '6', '9']);
    for r in plan.rows.iter_mut().filter(|r| !changed(&r.customer_id)) {
        r.action = reservoir::plan::Action::Ok;
        r.owned = r.desired;
        r.to_buy = 0;
        r.irreversible = false;
        r.reason = None;
    }
    plan.summary = reservoir::plan::Summary::from_rows(&plan.rows, &plan.unmanaged);
    plan
}

#[test]
fn markdown_of_a_thousand_customers_lists_every_changed_one_and_counts_the_rest() {
    let plan = mostly_unchanged(1000);
    let changed: Vec<&str> = plan
        .customers
        .iter()
        .filter(|c| c.id.ends_with(['0', '3', '6', '9']))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(changed.len(), 400);
    let md = markdown::render(&plan);
    assert!(md.chars().count() < 65_000, "{} chars", md.chars().count());
    assert!(md.starts_with("**Plan: buy 1200 units"), "summary first");
    for name in &changed {
        assert!(
            md.contains(&format!("{name} ")) || md.contains(&format!("{name} |")),
            "{name}"
        );
    }
    assert!(
        md.contains("600 customer(s) with nothing to do are not listed."),
        "unchanged customers are counted in one line"
    );
    assert!(
        !md.contains("customer-0001"),
        "an unchanged customer is not listed"
    );
}

#[test]
fn markdown_shows_unmanaged_holdings_as_items_to_paste_never_as_removals() {
    let md = render_plan(&demo_plan(), Format::Markdown, false);
    let unmanaged: Vec<&str> = md.lines().filter(|l| l.contains("| unmanaged |")).collect();
    assert!(!unmanaged.is_empty(), "{md}");
    for l in unmanaged {
        assert!(l.contains("to manage it, declare `{ name: "), "{l}");
        assert!(!l.contains("remove") && !l.contains("cancel"), "{l}");
    }
}

#[test]
fn markdown_drops_details_before_tables() {
    let (d, o) = fixture::big(3, 5);
    let plan = diff(&d, &o);
    let full = markdown::render(&plan);
    assert!(!full.contains("trimmed"));
    assert_eq!(full.matches("<details>").count(), 3);
    // Just short enough to lose the last customer's details but keep every table.
    let limit = full.chars().count() - 50;
    let md = markdown::render_with_limit(&plan, limit);
    assert!(md.chars().count() < limit);
    assert_eq!(md.matches("| item |").count(), 3);
    assert!(md.matches("<details>").count() < 3);
    assert!(md.contains("the details of"), "{md}");
}

#[test]
fn text_never_draws_surplus_or_unmanaged_holdings_as_removals() {
    let plan = demo_plan();
    let text = render_plan(&plan, Format::Text, false);
    let kept: Vec<&reservoir::plan::Row> = plan
        .rows
        .iter()
        .chain(&plan.unmanaged)
        .filter(|r| {
            matches!(
                r.action,
                reservoir::plan::Action::Surplus | reservoir::plan::Action::Unmanaged
            )
        })
        .collect();
    assert!(!kept.is_empty());
    for r in kept {
        let removal = format!("    -{} ×", r.what);
        assert!(
            !text.lines().any(|l| l.starts_with(&removal)),
            "{} drawn as a removal:\n{text}",
            r.what
        );
    }
}
