//! The Markdown comment's last resort (issue 15 item 7): a fleet so large that even one line of
//! counts per changed customer exceeds the size limit gets every changed customer by name, the
//! plan's summary still first, under the limit; and when even the names do not fit, the ones
//! left out are counted in the note, never silently dropped.

use super::fixture;
use reservoir::plan::diff;
use reservoir::render::markdown;

/// 2,000 customers with one purchase each: the table of counts alone is over 65,000 characters.
fn too_big_for_counts() -> reservoir::plan::Plan {
    let (d, o) = fixture::big(2000, 1);
    diff(&d, &o)
}

#[test]
fn markdown_of_a_fleet_too_big_for_the_counts_table_names_every_changed_customer() {
    let plan = too_big_for_counts();
    assert_eq!(plan.customers.len(), 2000);
    let md = markdown::render(&plan);
    let len = md.chars().count();
    assert!(len < markdown::LIMIT, "{len} chars");
    assert!(
        md.starts_with("**Plan: buy 2000 units"),
        "the summary (with money, when priced) comes first:\n{}",
        &md[..200.min(md.len())]
    );
    assert!(
        !md.contains("| customer | to buy (units) |"),
        "no table of counts: it does not fit"
    );
    let listed = md
        .lines()
        .find_map(|l| l.strip_prefix("Customers with changes or problems: "))
        .expect("the names-only list");
    let names: Vec<&str> = listed.trim_end_matches('.').split(", ").collect();
    assert_eq!(names.len(), 2000, "every changed customer is named");
    for c in [0, 1, 999, 1999] {
        assert!(names.contains(&format!("customer-{c:04}").as_str()), "{c}");
    }
    let note = md
        .lines()
        .find(|l| l.contains("This comment was shortened"))
        .expect("a note says what was left out");
    assert!(
        note.contains(&format!("under {} characters", markdown::LIMIT))
            && note.contains("names 2000 of 2000 customers with changes or problems"),
        "{note}"
    );
}

#[test]
fn when_even_the_names_do_not_fit_the_note_counts_the_ones_left_out_under_the_limit() {
    let plan = too_big_for_counts();
    let limit = 8_000;
    let md = markdown::render_with_limit(&plan, limit);
    assert!(md.chars().count() < limit, "{} chars", md.chars().count());
    let listed = md
        .lines()
        .find_map(|l| l.strip_prefix("Customers with changes or problems: "))
        .expect("the names-only list");
    let shown = listed.trim_end_matches('.').split(", ").count();
    assert!(shown > 0 && shown < 2000, "{shown} names");
    let note = md
        .lines()
        .find(|l| l.contains("This comment was shortened"))
        .expect("the note");
    assert!(
        note.contains(&format!("under {limit} characters"))
            && note.contains(&format!("names {shown} of 2000 customers")),
        "{note}"
    );
}
