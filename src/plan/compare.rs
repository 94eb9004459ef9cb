//! Comparing a saved plan with a fresh one, for `apply --plan`: which rows that act (register,
//! purchase) no longer hold, and what changed in the observations they rest on.

use crate::plan::model::{Action, Basis, Plan, Row};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One difference that matters between a saved plan and a fresh one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub customer_id: String,
    pub customer_name: String,
    pub subscription_id: Option<String>,
    /// The item name, or what the row is about when it has none; `None` for plan-wide changes.
    pub item: Option<String>,
    /// Whether the saved or fresh row buys something.
    pub irreversible: bool,
    /// What changed, in words.
    pub change: String,
}

impl std::fmt::Display for RowChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.customer_id.is_empty() {
            return write!(f, "{}", self.change);
        }
        write!(f, "{}", self.customer_name)?;
        if let Some(s) = &self.subscription_id {
            write!(f, " / {s}")?;
        }
        if let Some(i) = &self.item {
            write!(f, " / {i}")?;
        }
        write!(f, ": {}", self.change)
    }
}

/// What changed between `saved` and `fresh` for rows that act (in either plan), plus a change of
/// manifest hash. Empty when applying `saved` is still exactly what `fresh` would do.
pub fn compare(saved: &Plan, fresh: &Plan) -> Vec<RowChange> {
    let mut out = Vec::new();
    if saved.manifest_hash != fresh.manifest_hash {
        out.push(RowChange {
            customer_id: String::new(),
            customer_name: String::new(),
            subscription_id: None,
            item: None,
            irreversible: false,
            change: format!(
                "the manifests changed since the plan was saved (hash {} → {})",
                short(&saved.manifest_hash),
                short(&fresh.manifest_hash)
            ),
        });
    }
    let fresh_rows: BTreeMap<_, &Row> = fresh.rows.iter().map(|r| (r.identity(), r)).collect();
    let saved_rows: BTreeMap<_, &Row> = saved.rows.iter().map(|r| (r.identity(), r)).collect();
    for s in saved.rows.iter().filter(|r| r.action.is_change()) {
        match fresh_rows.get(&s.identity()) {
            None => out.push(change(
                s,
                s.irreversible,
                "is no longer in the plan".to_owned(),
            )),
            Some(f) => {
                if let Some(c) = row_change(s, f) {
                    out.push(change(s, s.irreversible || f.irreversible, c));
                }
            }
        }
    }
    for f in fresh.rows.iter().filter(|r| r.action.is_change()) {
        if !saved_rows.contains_key(&f.identity()) {
            out.push(change(
                f,
                f.irreversible,
                format!("{} was not in the saved plan", describe_action(f)),
            ));
        } else if let Some(s) = saved_rows.get(&f.identity())
            && !s.action.is_change()
        {
            out.push(change(
                f,
                f.irreversible,
                format!(
                    "the saved plan said {}, now {}",
                    describe_action(s),
                    describe_action(f)
                ),
            ));
        }
    }
    out
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

fn change(r: &Row, irreversible: bool, change: String) -> RowChange {
    RowChange {
        customer_id: r.customer_id.clone(),
        customer_name: r.customer_name.clone(),
        subscription_id: r.subscription_id.clone(),
        item: Some(r.item.clone().unwrap_or_else(|| r.what.clone())),
        irreversible,
        change,
    }
}

fn describe_action(r: &Row) -> String {
    match r.action {
        Action::Purchase => format!("purchase {}", r.kind.amount(r.to_buy)),
        Action::Renew => format!("renew {}", r.kind.amount(r.to_buy)),
        Action::Surplus => format!("surplus {}", r.kind.amount(r.surplus)),
        a => a.as_str().to_owned(),
    }
}

/// What differs between a saved acting row and its fresh counterpart, if anything.
fn row_change(s: &Row, f: &Row) -> Option<String> {
    let mut parts = Vec::new();
    if s.action != f.action || s.to_buy != f.to_buy {
        parts.push(format!(
            "the saved plan said {}, now {}",
            describe_action(s),
            describe_action(f)
        ));
    }
    if s.fingerprint != f.fingerprint || s.basis != f.basis {
        parts.extend(basis_changes(&s.basis, &f.basis));
        if parts.is_empty() {
            parts.push("the observations it rests on changed".to_owned());
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn basis_changes(s: &Basis, f: &Basis) -> Vec<String> {
    fn opt<T: std::fmt::Display>(o: &Option<T>) -> String {
        o.as_ref()
            .map_or_else(|| "nothing".to_owned(), ToString::to_string)
    }
    let mut v = Vec::new();
    if s.owned != f.owned {
        v.push(format!("owned {} → {}", s.owned, f.owned));
    }
    if s.pending != f.pending {
        v.push(format!("pending {} → {}", s.pending, f.pending));
    }
    if s.subscription != f.subscription {
        v.push(format!(
            "subscription {} → {}",
            opt(&s.subscription),
            opt(&f.subscription)
        ));
    }
    if s.catalog != f.catalog {
        v.push(format!("catalog {} → {}", opt(&s.catalog), opt(&f.catalog)));
    }
    if s.country != f.country {
        v.push(format!("country {} → {}", opt(&s.country), opt(&f.country)));
    }
    v
}
