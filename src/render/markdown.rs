//! The Markdown rendering of a plan (`--format markdown`), for a pull-request comment: the summary
//! line first, a warning when anything irreversible is planned, one table per customer with its
//! details folded in `<details>`. Always shorter than [`LIMIT`] characters: when too long, details
//! are dropped from the last customer backwards, then whole customer tables, with a note saying
//! what was left out.

use crate::kinds;
use crate::plan::{Action, CustomerSummary, Plan, Row};
use std::fmt::Write;

/// Output is always strictly shorter than this many characters (GitHub's comment limit is 65,536).
pub const LIMIT: usize = 65_000;

/// Renders a plan as Markdown under [`LIMIT`] characters.
pub fn render(plan: &Plan) -> String {
    render_with_limit(plan, LIMIT)
}

/// Renders a plan as Markdown strictly shorter than `limit` characters (when the summary and
/// warning alone fit).
pub fn render_with_limit(plan: &Plan, limit: usize) -> String {
    let header = header(plan);
    let sections: Vec<Section> = plan.customers.iter().map(|c| section(plan, c)).collect();
    let n = sections.len();
    let table_len: Vec<usize> = sections.iter().map(|s| chars(&s.table)).collect();
    let details_len: Vec<usize> = sections.iter().map(|s| chars(&s.details)).collect();
    let size = |tables: usize, details: usize| -> usize {
        let note = trim_note(&sections, tables, details);
        chars(&header)
            + table_len[..tables].iter().sum::<usize>()
            + details_len[..details].iter().sum::<usize>()
            + chars(&note)
    };
    let (mut tables, mut details) = (n, n);
    while details > 0 && size(tables, details) >= limit {
        details -= 1;
    }
    while tables > 0 && size(tables, details) >= limit {
        tables -= 1;
    }
    let mut out = header;
    for (i, s) in sections.iter().enumerate().take(tables) {
        out.push_str(&s.table);
        if i < details {
            out.push_str(&s.details);
        }
    }
    out.push_str(&trim_note(&sections, tables, details));
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

struct Section {
    table: String,
    details: String,
    rows: usize,
}

fn header(plan: &Plan) -> String {
    let mut s = format!("**{}**\n\n", plan.summary.line());
    if let Some(w) = &plan.witnesses {
        let _ = write!(s, "{}\n\n", w.line());
    }
    if plan.has_irreversible() {
        let _ = write!(
            s,
            "> [!WARNING]\n> This plan buys {} unit(s) of {}. Purchases are **irreversible**: \
             review every `purchase` row before applying.\n\n",
            plan.summary.to_buy,
            kinds::all_plural()
        );
    }
    if plan.summary.blocked > 0 || plan.summary.errors > 0 {
        let _ = write!(
            s,
            "> [!CAUTION]\n> {} row(s) are blocked and {} could not be observed; see the reasons \
             below.\n\n",
            plan.summary.blocked, plan.summary.errors
        );
    }
    s
}

/// The note saying what was left out, or nothing when everything is shown.
fn trim_note(sections: &[Section], tables: usize, details: usize) -> String {
    let n = sections.len();
    if tables == n && details == n {
        return String::new();
    }
    let dropped_rows: usize = sections[tables..].iter().map(|s| s.rows).sum();
    let mut parts = Vec::new();
    let no_details = tables.min(n) - details.min(tables);
    if no_details > 0 {
        parts.push(format!("the details of {no_details} customer(s)"));
    }
    if tables < n {
        parts.push(format!(
            "the last {} customer(s) entirely ({dropped_rows} row(s))",
            n - tables
        ));
    }
    format!(
        "> [!NOTE]\n> This comment was trimmed to stay under {LIMIT} characters. Left out: {}. \
         Run `reservoir show` on the saved plan to see everything.\n",
        parts.join("; ")
    )
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
    t.push_str("| subscription | item | action | declared | owned | pending | to buy | reason |\n");
    t.push_str("|---|---|---|--:|--:|--:|--:|---|\n");
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
            "| {sub} | {item} | {} | {} | {} | {} | {} | {} |",
            action_cell(r),
            r.desired,
            r.owned,
            r.pending,
            r.to_buy,
            cell(r.reason.as_deref().unwrap_or(""))
        );
    }
    t.push('\n');
    Section {
        details: details(c, &rows),
        table: t,
        rows: rows.len(),
    }
}

fn action_cell(r: &Row) -> String {
    match r.action {
        Action::Purchase => format!("**purchase {}** ⚠️ irreversible", r.to_buy),
        Action::Renew => format!("**renew {}** ⚠️ irreversible", r.to_buy),
        Action::Surplus => format!("surplus {}", r.surplus),
        Action::Blocked => "**blocked**".to_owned(),
        Action::Error => "**error**".to_owned(),
        a => a.as_str().to_owned(),
    }
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
