//! The text rendering of a plan (`--format text`, the default): per customer, per subscription a
//! unified diff of owned vs declared (surplus is never drawn as a removal), then the
//! rows; notes; the endpoint, partner tenant and commit (provenance); the summary as the last
//! line. Colour (plain ANSI codes) only when the caller allows it.

use crate::kinds;
use crate::plan::{Action, Plan, Row};
use similar::TextDiff;
use std::fmt::Write;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const MAGENTA: &str = "\x1b[35m";

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

/// Renders a plan as text. `color`: whether ANSI colour codes may be used.
pub fn render(plan: &Plan, color: bool) -> String {
    let p = Painter { color };
    let mut out = String::new();
    for c in &plan.customers {
        let mut header = format!("{} ({})", c.name, c.id);
        if let Some(country) = &c.country {
            let _ = write!(header, " · {country}");
        }
        if let Some(src) = c.holdings_source {
            let _ = write!(header, " · holdings from {}", src.as_str());
        }
        let _ = writeln!(out, "{}", p.paint(BOLD, &header));
        if let Some(e) = &c.error {
            let _ = writeln!(out, "  {}", p.paint(RED, &format!("error: {e}")));
        }
        let rows: Vec<&Row> = plan.rows.iter().filter(|r| r.customer_id == c.id).collect();
        let unmanaged: Vec<&Row> = plan
            .unmanaged
            .iter()
            .filter(|r| r.customer_id == c.id)
            .collect();
        for group in groups(&rows, &unmanaged) {
            render_group(&mut out, &p, &group, &rows, &unmanaged, c.error.is_none());
        }
        for n in &c.notes {
            let _ = writeln!(out, "  {}", p.paint(YELLOW, &format!("note: {n}")));
        }
        if !c.commitment.is_empty() {
            let _ = writeln!(out, "  estimated commitment: {}", c.commitment.describe());
        }
        out.push('\n');
    }
    if let Some(w) = &plan.witnesses {
        let _ = writeln!(out, "{}", p.paint(DIM, &w.line()));
    }
    if let Some(prov) = &plan.provenance {
        let style = if prov.sandbox { YELLOW } else { DIM };
        let _ = writeln!(out, "{}", p.paint(style, &prov.line()));
    }
    let _ = writeln!(out, "{}", p.paint(BOLD, &plan.summary.line()));
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
    out: &mut String,
    p: &Painter,
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
    let _ = writeln!(out, "  {title}");
    let theirs: Vec<&Row> = unmanaged
        .iter()
        .filter(|r| &r.subscription_id == sub)
        .copied()
        .collect();
    if observed {
        render_diff(out, p, &mine, &theirs);
    }
    for r in mine.iter().chain(theirs.iter()) {
        let _ = writeln!(out, "    {}", row_line(p, r));
        if !r.cannot_undo.is_empty() {
            let _ = writeln!(
                out,
                "      {}",
                p.paint(
                    DIM,
                    &format!("cannot be undone: {}", r.cannot_undo.join("; "))
                )
            );
        }
    }
}

/// A unified diff of what is owned vs what is declared in this group, one line per item.
/// Nothing owned is ever cancelled, so the declared side counts at least what is owned: surplus
/// and unmanaged holdings stay as they are (context lines), never drawn as removals.
fn render_diff(out: &mut String, p: &Painter, rows: &[&Row], unmanaged: &[&Row]) {
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
        let styled = if line.starts_with("+++") || line.starts_with("---") {
            p.paint(BOLD, line)
        } else if line.starts_with("@@") {
            p.paint(CYAN, line)
        } else if line.starts_with('+') {
            p.paint(GREEN, line)
        } else if line.starts_with('-') {
            p.paint(RED, line)
        } else {
            line.to_owned()
        };
        let _ = writeln!(out, "    {styled}");
    }
}

fn lines(v: &[String]) -> String {
    v.iter().map(|l| format!("{l}\n")).collect()
}

/// One row: a marker, the action, the item and its reason.
fn row_line(p: &Painter, r: &Row) -> String {
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
    let mut s = p.paint(style, &format!("{marker} {head}"));
    if r.irreversible {
        s.push(' ');
        s.push_str(&p.paint(&format!("{BOLD}{RED}"), "(irreversible)"));
    }
    if let Some(m) = &r.money {
        s.push_str(&format!(" · {}", r.kind.describe_money(m)));
    }
    if let Some(reason) = &r.reason {
        s.push_str(&p.paint(DIM, &format!(" — {reason}")));
    }
    if let Some(ack) = &r.acknowledged {
        s.push_str(&p.paint(DIM, &format!(" (blocked_ok: {ack})")));
    }
    s
}
