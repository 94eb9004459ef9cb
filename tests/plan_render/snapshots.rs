//! Snapshots of the three formats on the demo fixture, and the Markdown size cap.

use crate::fixture;
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
        "Plan: buy 12 units (4 × P3Y, 3 × P1Y, 5 × software), register 2 subscriptions, 4 blocked, 1 pending, 1 surplus, 2 errors."
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
fn markdown_of_a_huge_plan_is_trimmed_under_the_limit_and_says_so() {
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
    assert!(
        md.contains("This comment was trimmed"),
        "{}",
        &md[md.len() - 500..]
    );
    let tables =
        md.matches("\n### customer-").count() + usize::from(md.contains("**\n\n### customer-"));
    let note = md
        .lines()
        .rev()
        .find(|l| l.contains("trimmed"))
        .unwrap_or_default();
    let left_out = 400 - md.matches("| item |").count();
    assert!(left_out > 0 && tables < 400, "{note}");
    assert!(
        note.contains(&format!("the last {left_out} customer(s) entirely")),
        "{note}"
    );
    // The first customers come first; no details survive a cut this deep.
    assert!(md.contains("customer-0000"));
    assert!(!md.contains("<details>"));
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
