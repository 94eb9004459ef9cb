//! The text rendering of a plan (`--format text`, the default): per customer, per subscription a
//! unified diff of owned vs declared (surplus is never drawn as a removal), then the
//! rows; notes; the endpoint, partner tenant and commit (provenance); the summary as the last
//! line. Colour (plain ANSI codes) only when the caller allows it. The customers' lines fit
//! [`FIT_WIDTH`] columns (wrapped onto indented continuation lines) unless every line is asked
//! for at full length (`--wide`); the footer (witnesses, provenance, summary) stays one line each.

mod fit;

use crate::kinds;
use crate::plan::{Action, Plan, Row};
use crate::render::table::FIT_WIDTH;
use fit::{Fit, Part};
use similar::TextDiff;
use std::fmt::Write;

const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const MAGENTA: &str = "\x1b[35m";
const BOLD_RED: &str = "\x1b[1m\x1b[31m";

/// Renders a plan as text fitted to [`FIT_WIDTH`] columns. `color`: whether ANSI colour codes
/// may be used.
pub fn render(plan: &Plan, color: bool) -> String {
    render_fitted(plan, color, Some(FIT_WIDTH))
}

/// Renders a plan as text; `width`: the columns every line fits (wrapped), `None` for every
/// line at full length (`--wide`).
pub fn render_fitted(plan: &Plan, color: bool, width: Option<usize>) -> String {
    let mut out = String::new();
    let mut p = Fit {
        out: &mut out,
        color,
        width,
    };
    for c in &plan.customers {
        let mut header = format!("{} ({})", c.name, c.id);
        if let Some(country) = &c.country {
            let _ = write!(header, " · {country}");
        }
        if let Some(src) = c.holdings_source {
            let _ = write!(header, " · holdings from {}", src.as_str());
        }
        p.line(0, BOLD, &header);
        if let Some(e) = &c.error {
            p.line(2, RED, &format!("error: {e}"));
        }
        let rows: Vec<&Row> = plan.rows.iter().filter(|r| r.customer_id == c.id).collect();
        let unmanaged: Vec<&Row> = plan
            .unmanaged
            .iter()
            .filter(|r| r.customer_id == c.id)
            .collect();
        for group in groups(&rows, &unmanaged) {
            render_group(&mut p, &group, &rows, &unmanaged, c.error.is_none());
        }
        for n in &c.notes {
            p.line(2, YELLOW, &format!("note: {n}"));
        }
        if !c.commitment.is_empty() {
            p.line(
                2,
                "",
                &format!("estimated commitment: {}", c.commitment.describe()),
            );
        }
        p.out.push('\n');
    }
    // The footer lines stay whole, as CI logs and scripts read them: what was checked, where,
    // and the summary last.
    p.width = None;
    if let Some(w) = &plan.witnesses {
        p.line(0, DIM, &w.line());
    }
    if let Some(prov) = &plan.provenance {
        let style = if prov.sandbox { YELLOW } else { DIM };
        p.line(0, style, &prov.line());
    }
    p.line(0, BOLD, &plan.summary.line());
    out
}

/// The subscriptions (in order) and then `None` for rows of no subscription, that have rows.
fn groups(rows: &[&Row], unmanaged: &[&Row]) -> Vec<Option<String>> {
    let mut subs: Vec<Option<String>> = Vec::new();
    for r in rows.iter().chain(unmanaged) {
        if !subs.contains(&r.subscription_id) {
            subs.push(r.subscription_id.clone());
        }
    }
    subs.sort_by(|a, b| match (a, b) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    subs
}

fn render_group(
    p: &mut Fit<'_>,
    sub: &Option<String>,
    rows: &[&Row],
    unmanaged: &[&Row],
    observed: bool,
) {
    let mine: Vec<&Row> = rows
        .iter()
        .filter(|r| &r.subscription_id == sub)
        .copied()
        .collect();
    let title = match sub {
        Some(s) => {
            // `status/kind/registration` as observed, e.g. `active/azure-plan/Registered`.
            match mine.iter().find_map(|r| r.basis.subscription.as_ref()) {
                Some(state) => format!(
                    "subscription {s} ({}, {}, {})",
                    state.status.as_str(),
                    match state.kind {
                        crate::manifest::SubscriptionKind::AzurePlan => "azure-plan",
                        crate::manifest::SubscriptionKind::Legacy => "legacy",
                    },
                    state.registration.as_str()
                ),
                None => format!("subscription {s}"),
            }
        }
        None => kinds::CUSTOMER_LEVEL_GROUP.to_owned(),
    };
    p.line(2, "", &title);
    let theirs: Vec<&Row> = unmanaged
        .iter()
        .filter(|r| &r.subscription_id == sub)
        .copied()
        .collect();
    if observed {
        render_diff(p, &mine, &theirs);
    }
    for r in mine.iter().chain(theirs.iter()) {
        p.parts(4, &row_parts(r));
        if !r.cannot_undo.is_empty() {
            let text = format!("cannot be undone: {}", r.cannot_undo.join("; "));
            p.line(6, DIM, &text);
        }
    }
}

/// A unified diff of what is owned vs what is declared in this group, one line per item.
/// Nothing owned is ever cancelled, so the declared side counts at least what is owned: surplus
/// and unmanaged holdings stay as they are (context lines), never drawn as removals.
fn render_diff(p: &mut Fit<'_>, rows: &[&Row], unmanaged: &[&Row]) {
    let mut owned: Vec<String> = Vec::new();
    let mut after: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| r.action != Action::Register) {
        if r.owned > 0 {
            owned.push(format!("{} ×{}", r.what, r.kind.amount(r.owned)));
        }
        after.push(format!(
            "{} ×{}",
            r.what,
            r.kind.amount(r.desired.max(r.owned))
        ));
    }
    for r in unmanaged {
        owned.push(format!("{} ×{}", r.what, r.kind.amount(r.owned)));
        after.push(format!("{} ×{}", r.what, r.kind.amount(r.owned)));
    }
    owned.sort();
    after.sort();
    let old = lines(&owned);
    let new = lines(&after);
    if old == new {
        return;
    }
    let diff = TextDiff::from_lines(&old, &new);
    let text = diff
        .unified_diff()
        .context_radius(1000)
        .header("owned", "declared (owned units are never cancelled)")
        .to_string();
    for line in text.lines() {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with("@@") {
            CYAN
        } else if line.starts_with('+') {
            GREEN
        } else if line.starts_with('-') {
            RED
        } else {
            ""
        };
        // A wrapped diff line repeats its marker (`+`, `-` or ` `) on each continuation line.
        p.line_keeping(4, style, line, 1);
    }
}

fn lines(v: &[String]) -> String {
    v.iter().map(|l| format!("{l}\n")).collect()
}

/// One row: a marker, the action and the item; then whether it can be undone, its money, its
/// reason and its acknowledgement, each a part that gets its own line when the row is too wide.
fn row_parts(r: &Row) -> Vec<Part<'static>> {
    let name = r.item.as_deref().unwrap_or("");
    let item = if name.is_empty() {
        r.what.clone()
    } else {
        format!("{name}: {}", r.what)
    };
    let (marker, style, head) = match r.action {
        Action::Purchase => (
            "+",
            GREEN,
            format!("purchase {} × {item}", r.kind.amount(r.to_buy)),
        ),
        Action::Renew => (
            "+",
            GREEN,
            format!("renew {} × {item}", r.kind.amount(r.to_buy)),
        ),
        Action::Register => (
            "~",
            CYAN,
            format!(
                "register the subscription for {}",
                kinds::REGISTRATION_KIND.plural()
            ),
        ),
        Action::Pending => (
            ">",
            YELLOW,
            format!("pending {} × {item}", r.kind.amount(r.pending)),
        ),
        Action::Ok => (
            "=",
            DIM,
            format!("ok {item} ({} owned)", r.kind.amount(r.owned)),
        ),
        Action::Surplus => (
            "^",
            YELLOW,
            format!("surplus {} × {item}", r.kind.amount(r.surplus)),
        ),
        Action::Blocked if r.acknowledged.is_some() => {
            ("x", YELLOW, format!("blocked (acknowledged) {item}"))
        }
        Action::Blocked => ("x", RED, format!("blocked {item}")),
        Action::Error => ("!", RED, format!("error {item}")),
        Action::Unmanaged => (
            "?",
            MAGENTA,
            format!("unmanaged {} × {}", r.kind.amount(r.owned), r.what),
        ),
    };
    let mut parts = vec![Part {
        sep: "",
        style,
        text: format!("{marker} {head}"),
    }];
    if let Some(mark) = &r.expires_soon {
        parts.push(Part {
            sep: " ",
            style: YELLOW,
            text: format!("[{}]", mark.short()),
        });
    }
    if r.irreversible {
        parts.push(Part {
            sep: " ",
            style: BOLD_RED,
            text: "(irreversible)".to_owned(),
        });
    }
    if let Some(m) = &r.money {
        parts.push(Part {
            sep: "",
            style: "",
            text: format!(" · {}", r.kind.describe_money(m)),
        });
    }
    if let Some(reason) = &r.reason {
        parts.push(Part {
            sep: "",
            style: DIM,
            text: format!(" — {reason}"),
        });
    }
    if let Some(mark) = &r.expires_soon {
        parts.push(Part {
            sep: "",
            style: YELLOW,
            text: format!(" — {}", mark.message),
        });
    }
    if let Some(ack) = &r.acknowledged {
        parts.push(Part {
            sep: "",
            style: DIM,
            text: format!(" (blocked_ok: {ack})"),
        });
    }
    parts
}
