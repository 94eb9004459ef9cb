//! The plan's totals ([`Summary`]): units to buy per kind and term, registrations, blocked,
//! pending and surplus rows, money per currency, and the one-line summary every format shows.
//! Split from [`super::model`], which re-exports it.

use super::model::{Action, ItemKind, Row, is_zero};
use crate::kinds::KindTotals;
use crate::manifest::Term;
use crate::prices::Totals;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Totals over the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Units to buy, all kinds.
    pub to_buy: u32,
    /// Units to buy per kind (only kinds with units to buy), and per term within a kind.
    #[serde(default)]
    pub to_buy_by_kind: BTreeMap<ItemKind, KindTotals>,
    /// Purchase and renew rows (cart lines apply would check out).
    pub purchases: u32,
    /// Units to buy that renew expiring units (`renew` rows; also counted in `to_buy`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub renew: u32,
    /// Subscriptions to register.
    pub register: u32,
    pub blocked: u32,
    /// Blocked rows acknowledged by `blocked_ok` (counted in `blocked` too).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub acknowledged: u32,
    pub pending: u32,
    pub ok: u32,
    pub surplus: u32,
    pub errors: u32,
    pub unmanaged: u32,
    /// What the purchase rows commit, per currency (estimates from the price sheet; never
    /// added across currencies), and how many have no price.
    #[serde(default, skip_serializing_if = "Totals::is_empty")]
    pub commitment: Totals,
}

impl Summary {
    /// Totals computed from rows.
    pub fn from_rows(rows: &[Row], unmanaged: &[Row]) -> Self {
        let mut s = Summary {
            unmanaged: unmanaged.len() as u32,
            ..Summary::default()
        };
        for r in rows {
            match r.action {
                Action::Register => s.register += 1,
                Action::Purchase | Action::Renew => {
                    s.purchases += 1;
                    if r.action == Action::Renew {
                        s.renew = s.renew.saturating_add(r.to_buy);
                    }
                    if let Some(m) = &r.money {
                        s.commitment.add(m);
                    }
                    // A savings plan counts as one unit, whatever its commitment.
                    let units = r.kind.units_bought(r.to_buy);
                    s.to_buy += units;
                    if units > 0 {
                        s.to_buy_by_kind
                            .entry(r.kind)
                            .or_default()
                            .add(r.term, units);
                    }
                }
                Action::Pending => s.pending += 1,
                Action::Ok => s.ok += 1,
                Action::Surplus => s.surplus += 1,
                Action::Blocked => {
                    s.blocked += 1;
                    s.acknowledged += u32::from(r.acknowledged.is_some());
                }
                Action::Error => s.errors += 1,
                Action::Unmanaged => s.unmanaged += 1,
            }
        }
        s
    }

    /// Whether applying the plan would do anything.
    pub fn has_changes(&self) -> bool {
        self.to_buy > 0 || self.register > 0
    }

    /// Units to buy of one kind, for one term when `term` is given.
    pub fn to_buy_of(&self, kind: ItemKind, term: Option<Term>) -> u32 {
        let Some(t) = self.to_buy_by_kind.get(&kind) else {
            return 0;
        };
        match term {
            Some(term) => t.by_term.get(&term).copied().unwrap_or(0),
            None => t.units,
        }
    }

    /// Blocked rows not acknowledged by `blocked_ok`: these fail the run.
    pub fn unacknowledged_blocked(&self) -> u32 {
        self.blocked.saturating_sub(self.acknowledged)
    }

    /// The process exit code: 1 when anything is blocked (and not acknowledged with
    /// `blocked_ok`) or an error; otherwise with `--detailed-exitcode` 2 when there are changes,
    /// else 0.
    pub fn exit_code(&self, detailed: bool) -> crate::exit::ExitStatus {
        use crate::exit::ExitStatus;
        if self.unacknowledged_blocked() > 0 || self.errors > 0 {
            ExitStatus::Error
        } else if detailed && self.has_changes() {
            ExitStatus::Changes
        } else {
            ExitStatus::Success
        }
    }

    /// The one-line summary every format shows, e.g.
    /// `Plan: buy 6 units (4 × P3Y, 2 × P1Y), register 1 subscription, 2 blocked, 0 pending, 1 surplus.`
    pub fn line(&self) -> String {
        let mut s = String::from("Plan: ");
        if self.to_buy == 0 {
            s.push_str("buy nothing");
        } else {
            let parts: Vec<String> = ItemKind::ALL
                .iter()
                .filter_map(|k| Some(k.summary_parts(self.to_buy_by_kind.get(k)?)))
                .flatten()
                .collect();
            s.push_str(&format!("buy {}", plural(self.to_buy, "unit", "units")));
            let mut parts = parts.join(", ");
            if self.renew > 0 {
                if !parts.is_empty() {
                    parts.push_str("; ");
                }
                parts.push_str(&format!("{} renewing expiring ones", self.renew));
            }
            // A plan saved before totals were kept per kind has none: no empty parentheses.
            if !parts.is_empty() {
                s.push_str(&format!(" ({parts})"));
            }
        }
        let blocked = if self.acknowledged > 0 {
            format!(
                "{} blocked ({} acknowledged)",
                self.blocked, self.acknowledged
            )
        } else {
            format!("{} blocked", self.blocked)
        };
        s.push_str(&format!(
            ", register {}, {blocked}, {} pending, {} surplus",
            plural(self.register, "subscription", "subscriptions"),
            self.pending,
            self.surplus
        ));
        if self.errors > 0 {
            s.push_str(&format!(", {}", plural(self.errors, "error", "errors")));
        }
        s.push('.');
        if let Some(m) = self.money_line() {
            s.push(' ');
            s.push_str(&m);
        }
        s
    }

    /// `Estimated commitment: USD 41,280.00.` when the plan buys anything priced or unpriced.
    pub fn money_line(&self) -> Option<String> {
        if self.commitment.is_empty() {
            return None;
        }
        Some(format!(
            "Estimated commitment: {}.",
            self.commitment.describe()
        ))
    }
}

/// `1 unit`, `2 units`.
pub fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_spells_terms_and_plurals() {
        let mut reservations = KindTotals::default();
        reservations.add(Some(Term::P1Y), 2);
        reservations.add(Some(Term::P3Y), 4);
        let s = Summary {
            to_buy: 6,
            to_buy_by_kind: BTreeMap::from([(ItemKind::Reservation, reservations)]),
            register: 1,
            blocked: 2,
            surplus: 1,
            ..Summary::default()
        };
        assert_eq!(
            s.line(),
            "Plan: buy 6 units (4 × P3Y, 2 × P1Y), register 1 subscription, 2 blocked, 0 pending, 1 surplus."
        );
        assert_eq!(
            Summary::default().line(),
            "Plan: buy nothing, register 0 subscriptions, 0 blocked, 0 pending, 0 surplus."
        );
    }

    #[test]
    fn renewals_are_counted_in_the_units_to_buy_and_named_in_the_summary_line() {
        let mut reservations = KindTotals::default();
        reservations.add(Some(Term::P1Y), 3);
        let s = Summary {
            to_buy: 3,
            renew: 2,
            to_buy_by_kind: BTreeMap::from([(ItemKind::Reservation, reservations)]),
            ..Summary::default()
        };
        assert_eq!(
            s.line(),
            "Plan: buy 3 units (3 × P1Y; 2 renewing expiring ones), register 0 subscriptions, \
             0 blocked, 0 pending, 0 surplus."
        );
        assert!(s.has_changes());
        assert!(Action::Renew.buys() && Action::Renew.is_change());
    }

    #[test]
    fn exit_codes() {
        let none = Summary::default();
        assert_eq!(none.exit_code(true), 0);
        let changes = Summary {
            to_buy: 1,
            ..Summary::default()
        };
        assert_eq!(changes.exit_code(true), 2);
        assert_eq!(changes.exit_code(false), 0);
        let blocked = Summary {
            to_buy: 1,
            blocked: 1,
            ..Summary::default()
        };
        assert_eq!(blocked.exit_code(true), 1);
        assert_eq!(blocked.exit_code(false), 1);
        let acknowledged = Summary {
            acknowledged: 1,
            ..blocked.clone()
        };
        assert_eq!(acknowledged.exit_code(true), 2);
        assert_eq!(acknowledged.exit_code(false), 0);
        assert!(acknowledged.line().contains("1 blocked (1 acknowledged)"));
        let different = Summary {
            blocked: 2,
            ..acknowledged
        };
        assert_eq!(
            different.exit_code(false),
            1,
            "a different block still fails"
        );
    }
}
