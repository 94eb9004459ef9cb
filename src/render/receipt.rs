//! The text rendering of what `apply` did: each customer's result (orders, registrations,
//! failures, unconfirmed outcomes), the endpoint, and the summary line — and, before confirming,
//! the rows a saved plan blocked that the plan shown no longer carries.

use crate::apply::{ApplyReport, CustomerReport};

/// Rows the saved plan blocked (or could not observe) that the plan shown above no longer
/// carries — a plan rebuilt from the saved one declares only what it could act on — so the user
/// sees before confirming what will not be bought.
pub fn saved_blocked_text(saved: &crate::plan::Plan, shown: &crate::plan::Plan) -> String {
    use crate::plan::Action;
    let is_blocked = |a: &Action| matches!(a, Action::Blocked | Action::Error);
    let lines: Vec<String> = saved
        .rows
        .iter()
        .filter(|r| is_blocked(&r.action))
        .filter(|r| {
            !shown
                .rows
                .iter()
                .any(|s| is_blocked(&s.action) && s.label() == r.label())
        })
        .map(|r| {
            format!(
                "  x {}: {}",
                r.label(),
                r.reason.as_deref().unwrap_or("blocked")
            )
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nBlocked in the saved plan (apply does not act on these):\n{}\n",
        lines.join("\n")
    )
}

/// Each customer's result, the endpoint, then the summary line (which says so when the
/// endpoint is a sandbox: nothing real was bought).
pub fn results_text(report: &ApplyReport, provenance: &crate::plan::Provenance) -> String {
    let mut s = String::from("\n");
    for c in &report.customers {
        customer_text(&mut s, c);
    }
    s.push_str(&provenance.line());
    s.push('\n');
    s.push_str(&report.summary_line());
    if provenance.sandbox {
        s.push_str(" (sandbox: nothing real was bought)");
    }
    s.push('\n');
    s
}

fn customer_text(s: &mut String, c: &CustomerReport) {
    let o = &c.outcome;
    let name = o.customer_name.as_deref().unwrap_or(&o.customer_id);
    let status = serde_json::to_value(c.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    s.push_str(&format!("{name}: {status}\n"));
    for r in &o.registrations {
        match &r.detail {
            Some(d) => s.push_str(&format!(
                "  registration of {}: {} ({d})\n",
                r.subscription_id, r.status
            )),
            None => s.push_str(&format!(
                "  registration of {}: {}\n",
                r.subscription_id, r.status
            )),
        }
    }
    for order in &o.orders {
        let units: u32 = order.lines.iter().map(|l| l.quantity).sum();
        let items: Vec<String> = order
            .lines
            .iter()
            .map(|l| {
                let mut t = format!(
                    "{} × {}",
                    l.quantity,
                    l.item_name.as_deref().unwrap_or(&l.catalog_item_id)
                );
                if let Some(p) = &l.order_price {
                    t.push_str(&format!(" at {}", p.describe()));
                }
                if let Some((cur, amount)) = l.estimate.as_ref().and_then(|e| e.commitment()) {
                    t.push_str(&format!(
                        " (estimated {})",
                        crate::prices::format_amount(cur, amount)
                    ));
                }
                t
            })
            .collect();
        s.push_str(&format!(
            "  order {} {}{} ({units} unit(s): {})\n",
            order.order_id,
            order.status,
            if order.resumed {
                " (resumed: an interrupted run had started it)"
            } else {
                ""
            },
            items.join(", ")
        ));
    }
    for f in &o.failures {
        s.push_str(&format!(
            "  failed: {} × {} — {} {}\n",
            f.quantity, f.item_name, f.code, f.description
        ));
    }
    for u in &o.unknown {
        let items: Vec<String> = u
            .lines
            .iter()
            .map(|l| {
                l.item_name
                    .clone()
                    .unwrap_or_else(|| l.catalog_item_id.clone())
            })
            .collect();
        s.push_str(&format!(
            "  unconfirmed: '{}' for {} — counted as pending; the next apply resumes it\n",
            u.step,
            items.join(", ")
        ));
    }
    for a in &o.anomalies {
        s.push_str(&format!("  did not add up: {a}\n"));
    }
    if let Some(e) = &o.journal_error {
        s.push_str(&format!("  journal error: {e}\n"));
    }
    if let Some(e) = &c.error {
        s.push_str(&format!("  not applied: {e}\n"));
    }
    for b in &c.blocked {
        s.push_str(&format!("  blocked: {b}\n"));
    }
}
