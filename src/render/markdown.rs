//! The Markdown rendering of a plan (`--format markdown`), for a pull-request comment.
//!
//! Summary first ([`headline`]: the plan's totals — the one place a money summary goes), then the
//! endpoint, partner tenant, commit and manifest hash, the witnesses, warnings, and one line
//! counting the customers with nothing to do. Only customers with changes, problems, pending,
//! surplus or unmanaged rows are listed: one table each, details folded in `<details>`. Surplus
//! and unmanaged holdings are shown as such (never as removals), unmanaged ones with the manifest
//! item, in ARM names, that would declare them.
//!
//! Always shorter than [`LIMIT`] characters, without leaving out a listed customer: when too
//! long, details are dropped from the last customer backwards, then the last customers' tables
//! become one line each in a table of counts; only if even that does not fit are the remaining
//! customers named in one list (and, at absurd sizes, cut with a note).

use crate::kinds;
use crate::plan::{Action, CustomerSummary, Plan, Row};
use std::fmt::Write;

/// Output is always strictly shorter than this many characters (GitHub's comment limit is 65,536).
pub const LIMIT: usize = 65_000;

/// Renders a plan as Markdown under [`LIMIT`] characters.
pub fn render(plan: &Plan) -> String {
    render_with_limit(plan, LIMIT)
}

/// The comment's first line: the plan's summary (with the money summary, when the plan has one).
pub fn headline(plan: &Plan) -> String {
    format!("**{}**\n\n", plan.summary.line())
}

/// Renders a plan as Markdown strictly shorter than `limit` characters (when the header alone
/// fits).
pub fn render_with_limit(plan: &Plan, limit: usize) -> String {
    let listed: Vec<&CustomerSummary> = plan.customers.iter().filter(|c| listed(plan, c)).collect();
    let header = header(plan, plan.customers.len() - listed.len());
    let sections: Vec<Section> = listed.iter().map(|c| section(plan, c)).collect();
    let n = sections.len();
    let prefix = |f: &dyn Fn(&Section) -> usize| -> Vec<usize> {
        let mut v = vec![0];
        for s in &sections {
            v.push(v.last().copied().unwrap_or(0) + f(s));
        }
        v
    };
    let tables = prefix(&|s| chars(&s.table));
    let details = prefix(&|s| chars(&s.details));
    let counts = prefix(&|s| chars(&s.counts));
    let base = chars(&header);
    // Every table with the details of the first `d` customers.
    let fits = |len: usize| len < limit;
    for d in (0..=n).rev() {
        let note = note(n - d, 0, limit);
        if fits(base + tables[n] + details[d] + chars(&note)) {
            let mut out = header;
            for (i, s) in sections.iter().enumerate() {
                out.push_str(&s.table);
                if i < d {
                    out.push_str(&s.details);
                }
            }
            out.push_str(&note);
            return out;
        }
    }
    // The tables of the first `k` customers, the rest as counts.
    for k in (0..n).rev() {
        let note = note(k, n - k, limit);
        let len = base + tables[k] + chars(COUNTS_HEAD) + counts[n] - counts[k] + chars(&note);
        if fits(len) {
            let mut out = header;
            for s in &sections[..k] {
                out.push_str(&s.table);
            }
            out.push_str(COUNTS_HEAD);
            for s in &sections[k..] {
                out.push_str(&s.counts);
            }
            out.push('\n');
            out.push_str(&note);
            return out;
        }
    }
    names_only(header, &sections, limit)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Whether a customer is listed: it has something to do, a problem, or something to report.
fn listed(plan: &Plan, c: &CustomerSummary) -> bool {
    c.error.is_some()
        || plan
            .rows
            .iter()
            .chain(&plan.unmanaged)
            .any(|r| r.customer_id == c.id && (r.action != Action::Ok || r.expires_soon.is_some()))
}

struct Section {
    table: String,
    details: String,
    /// One line of the table of counts.
    counts: String,
    name: String,
}

const COUNTS_HEAD: &str = "| customer | to buy (units) | register | pending | blocked | \
                           errors | surplus | unmanaged |\n|---|--:|--:|--:|--:|--:|--:|--:|\n";

fn header(plan: &Plan, unchanged: usize) -> String {
    let mut s = headline(plan);
    if let Some(p) = &plan.provenance {
        let _ = write!(
            s,
            "{} · manifests `{}`\n\n",
            p.line(),
            crate::plan::provenance::short_commit(&plan.manifest_hash)
        );
    }
    if let Some(w) = &plan.witnesses {
        let _ = write!(s, "{}\n\n", w.line());
    }
    if plan.has_irreversible() {
        let _ = writeln!(
            s,
            "> [!WARNING]\n> This plan buys {} unit(s) of {}. Purchases are **irreversible**: \
             review every `purchase` row before applying.",
            plan.summary.to_buy,
            kinds::all_plural()
        );
        // What cannot be undone, once per rule of the table that concerns a row.
        for rule in kinds::irreversible::RULES {
            if plan
                .rows
                .iter()
                .any(|r| r.cannot_undo.iter().any(|t| t == rule.text))
            {
                let _ = writeln!(s, "> - Cannot be undone: {} — {}.", rule.text, rule.source);
            }
        }
        s.push('\n');
    }
    let failing = plan.summary.unacknowledged_blocked();
    if failing > 0 || plan.summary.errors > 0 {
        let _ = write!(
            s,
            "> [!CAUTION]\n> {failing} row(s) are blocked and {} could not be observed; see the \
             reasons below.\n\n",
            plan.summary.errors
        );
    }
    if plan.summary.acknowledged > 0 {
        let _ = write!(
            s,
            "{} blocked row(s) are acknowledged with `blocked_ok` and do not fail the run.\n\n",
            plan.summary.acknowledged
        );
    }
    if unchanged > 0 {
        let _ = write!(
            s,
            "{unchanged} customer(s) with nothing to do are not listed.\n\n"
        );
    }
    s
}

/// The note saying what was shortened, or nothing when everything is shown.
fn note(without_details: usize, as_counts: usize, limit: usize) -> String {
    let mut parts = Vec::new();
    if without_details > 0 {
        parts.push(format!("the details of {without_details} customer(s)"));
    }
    if as_counts > 0 {
        parts.push(format!(
            "the rows of the last {as_counts} customer(s), shown as counts"
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "> [!NOTE]\n> This comment was shortened to stay under {limit} characters: left out are \
         {}. Run `reservoir show` on the saved plan to see everything.\n",
        parts.join(" and ")
    )
}

/// The last resort: every listed customer by name (cut, with a note, if even that is too long).
fn names_only(header: String, sections: &[Section], limit: usize) -> String {
    let mut out = header;
    out.push_str("Customers with changes or problems: ");
    let mut shown = 0;
    for (i, s) in sections.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        // Keep room for the closing note (under 300 characters).
        if chars(&out) + chars(sep) + chars(&s.name) + 300 >= limit {
            break;
        }
        out.push_str(sep);
        out.push_str(&s.name);
        shown += 1;
    }
    out.push_str(".\n\n");
    let _ = write!(
        out,
        "> [!NOTE]\n> This comment was shortened to stay under {limit} characters: it names {shown} \
         of {} customers with changes or problems and shows no rows. Run `reservoir show` on the \
         saved plan to see everything.\n",
        sections.len()
    );
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn section(plan: &Plan, c: &CustomerSummary) -> Section {
    let rows: Vec<&Row> = plan
        .rows
        .iter()
        .chain(&plan.unmanaged)
        .filter(|r| r.customer_id == c.id)
        .collect();
    let mut t = format!("### {}", cell(&c.name));
    if let Some(country) = &c.country {
        let _ = write!(t, " · {country}");
    }
    t.push_str("\n\n");
    if let Some(e) = &c.error {
        let _ = writeln!(t, "**Error:** {}\n", cell(e));
    }
    if let Some(src) = c.holdings_source {
        let _ = writeln!(t, "Holdings from {}.\n", src.as_str());
    }
    if !c.commitment.is_empty() {
        let _ = writeln!(t, "Estimated commitment: {}.\n", c.commitment.describe());
    }
    t.push_str(
        "| subscription | item | action | declared | owned | pending | to buy | commitment (estimate) | reason |\n",
    );
    t.push_str("|---|---|---|--:|--:|--:|--:|--:|---|\n");
    for r in &rows {
        let sub = r
            .subscription_id
            .as_deref()
            .map_or(kinds::CUSTOMER_LEVEL_GROUP.to_owned(), |s| format!("`{s}`"));
        let item = match &r.item {
            Some(name) => format!("{} <sub>{}</sub>", cell(name), cell(&r.what)),
            None => cell(&r.what),
        };
        let _ = writeln!(
            t,
            "| {sub} | {item} | {} | {} | {} | {} | {} | {} | {} |",
            action_cell(r),
            r.kind.amount(r.desired),
            r.kind.amount(r.owned),
            r.kind.amount(r.pending),
            r.kind.amount(r.to_buy),
            cell(
                &r.money
                    .as_ref()
                    .map(|m| r.kind.describe_money(m))
                    .unwrap_or_default()
            ),
            reason_cell(r)
        );
    }
    t.push('\n');
    Section {
        details: details(c, &rows),
        counts: counts_line(c, &rows),
        name: cell(&c.name),
        table: t,
    }
}

fn counts_line(c: &CustomerSummary, rows: &[&Row]) -> String {
    let count = |a: Action| rows.iter().filter(|r| r.action == a).count();
    let units: u32 = rows.iter().map(|r| r.kind.units_bought(r.to_buy)).sum();
    let errors = count(Action::Error) + usize::from(c.error.is_some());
    format!(
        "| {} | {units} | {} | {} | {} | {errors} | {} | {} |\n",
        cell(&c.name),
        count(Action::Register),
        count(Action::Pending),
        count(Action::Blocked),
        count(Action::Surplus),
        count(Action::Unmanaged),
    )
}

fn action_cell(r: &Row) -> String {
    let action = action_text(r);
    match &r.expires_soon {
        Some(mark) => format!("{action} ⏳ {}", mark.short()),
        None => action,
    }
}

fn action_text(r: &Row) -> String {
    match r.action {
        Action::Purchase => format!("**purchase {}** ⚠️ irreversible", r.kind.amount(r.to_buy)),
        Action::Renew => format!("**renew {}** ⚠️ irreversible", r.kind.amount(r.to_buy)),
        Action::Surplus => format!("surplus {} (kept)", r.kind.amount(r.surplus)),
        Action::Blocked if r.acknowledged.is_some() => "blocked (acknowledged)".to_owned(),
        Action::Blocked => "**blocked**".to_owned(),
        Action::Error => "**error**".to_owned(),
        a => a.as_str().to_owned(),
    }
}

fn reason_cell(r: &Row) -> String {
    let mut s = cell(r.reason.as_deref().unwrap_or(""));
    if let Some(ack) = &r.acknowledged {
        let _ = write!(s, " — blocked_ok: {}", cell(ack));
    }
    if let Some(mark) = &r.expires_soon {
        let sep = if s.is_empty() { "" } else { "; " };
        let _ = write!(s, "{sep}{}", cell(&mark.message));
    }
    if let Some(yaml) = &r.declare {
        let _ = write!(s, "; to manage it, declare `{}`", yaml.replace('`', "'"));
    }
    s
}

fn details(c: &CustomerSummary, rows: &[&Row]) -> String {
    let mut d = format!(
        "<details><summary>Details for {}</summary>\n\n",
        cell(&c.name)
    );
    let _ = writeln!(d, "- customer id `{}`", c.id);
    if let Some(cr) = c.credentials {
        let cr = match cr {
            crate::plan::CredentialsKind::AppOnly => "app-only",
            crate::plan::CredentialsKind::AppUser => "App+User",
        };
        let _ = writeln!(d, "- credentials: {cr}");
    }
    for n in &c.notes {
        let _ = writeln!(d, "- note: {}", cell(n));
    }
    for r in rows {
        let name = r.item.as_deref().unwrap_or(&r.what);
        let _ = write!(d, "- {} `{}`", cell(name), r.fingerprint);
        if let Some(res) = &r.resolved {
            let id = res
                .catalog_item_id
                .clone()
                .unwrap_or_else(|| format!("{}:{}", res.product_id, res.sku_id));
            let _ = write!(d, ": `{id}`");
            if let Some(title) = &res.title {
                let _ = write!(d, " — {}", cell(title));
            }
        }
        d.push('\n');
    }
    d.push_str("\n</details>\n\n");
    d
}
