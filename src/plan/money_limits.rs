//! Money guardrails (DESIGN §3): `limits.max_commitment` for a whole run,
//! `limits.max_commitment_per_customer` for each customer, and `apply --max-commitment`. When the
//! purchase rows under a limit commit more than it allows, every one of them is blocked, naming
//! the limit, the total and the rows. A guardrail fails **closed**: a row whose price is unknown,
//! or priced in another currency than the limit's (currencies are never converted), cannot be
//! shown to be under the limit, so its group is blocked too. Pure, like the diff.

use crate::manifest::Limits;
use crate::plan::model::{Action, Plan, Row, Summary};
use crate::prices::money::{Money, RowMoney};
use rust_decimal::Decimal;

/// The manifest's run-wide money limit.
pub const RUN_LIMIT: &str = "limits.max_commitment";
/// The manifest's per-customer money limit.
pub const CUSTOMER_LIMIT: &str = "limits.max_commitment_per_customer";
/// The command-line money limit.
pub const FLAG_LIMIT: &str = "--max-commitment";

/// How many rows a reason names before it says "and N more".
const NAMED_ROWS: usize = 8;

/// Applies the manifest's money limits to the rows of a plan.
pub fn enforce_manifest(rows: &mut [Row], limits: &Limits) {
    if let Some(m) = &limits.max_commitment_per_customer {
        let ids: std::collections::BTreeSet<String> =
            rows.iter().map(|r| r.customer_id.clone()).collect();
        for id in ids {
            enforce(rows, m, CUSTOMER_LIMIT, Some(&id));
        }
    }
    if let Some(m) = &limits.max_commitment {
        enforce(rows, m, RUN_LIMIT, None);
    }
}

fn buying(r: &Row, customer: Option<&str>) -> bool {
    // Renewals commit money too.
    r.action.buys() && r.to_buy > 0 && customer.is_none_or(|c| r.customer_id == c)
}

/// Blocks the purchase rows (of `customer`, or all) when they commit more than `limit` or cannot
/// be shown not to. Returns whether it blocked anything.
pub fn enforce(rows: &mut [Row], limit: &Money, name: &str, customer: Option<&str>) -> bool {
    let mut total = Decimal::ZERO;
    let mut unchecked: Vec<String> = Vec::new();
    let mut named: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| buying(r, customer)) {
        match &r.money {
            Some(RowMoney::Known {
                currency,
                commitment,
                ..
            }) if currency.eq_ignore_ascii_case(&limit.currency) => {
                total += *commitment;
                named.push(format!(
                    "{} ({})",
                    r.label(),
                    crate::prices::format_amount(currency, *commitment)
                ));
            }
            Some(RowMoney::Known { currency, .. }) => unchecked.push(format!(
                "{} is priced in {currency}, not {} (currencies are never converted)",
                r.label(),
                limit.currency
            )),
            Some(RowMoney::Unknown { reason, .. }) => {
                unchecked.push(format!("{} has no price: {reason}", r.label()))
            }
            None => unchecked.push(format!("{} has no price", r.label())),
        }
    }
    let whose = match customer {
        Some(_) => " for this customer",
        None => "",
    };
    let reason = if !unchecked.is_empty() {
        format!(
            "{name} ({limit}) cannot be checked{whose}, so nothing is bought: {}",
            list(&unchecked)
        )
    } else if total > limit.amount {
        format!(
            "the plan would commit {}{whose}, more than {name} ({limit}): {}",
            crate::prices::format_amount(&limit.currency, total),
            list(&named)
        )
    } else {
        return false;
    };
    for r in rows.iter_mut().filter(|r| buying(r, customer)) {
        r.reason = Some(reason.clone());
        r.action = Action::Blocked;
        r.to_buy = 0;
        r.irreversible = false;
        r.cannot_undo.clear();
    }
    true
}

fn list(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(NAMED_ROWS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > NAMED_ROWS {
        s.push_str(&format!("; and {} more", items.len() - NAMED_ROWS));
    }
    s
}

/// Whether a blocked row was blocked by a money guardrail.
pub fn blocked_by_money_limit(r: &Row) -> bool {
    r.action == Action::Blocked
        && r.reason.as_deref().is_some_and(|s| {
            [RUN_LIMIT, CUSTOMER_LIMIT, FLAG_LIMIT]
                .iter()
                .any(|n| s.starts_with(n) || s.contains(&format!("more than {n} (")))
        })
}

impl Plan {
    /// Applies a run-wide money limit (`apply --max-commitment`) to a computed plan and
    /// recomputes the totals. Pure, like the diff.
    pub fn limit_commitment(&mut self, limit: &Money, name: &str) {
        if enforce(&mut self.rows, limit, name, None) {
            self.summary = Summary::from_rows(&self.rows, &self.unmanaged);
            crate::plan::money::customer_totals(&self.rows, &mut self.customers);
        }
    }

    /// Why apply must refuse the whole run: some rows are blocked by a money guardrail (the
    /// reason names the limit and the rows).
    pub fn money_refusal(&self) -> Option<String> {
        let r = self.rows.iter().find(|r| blocked_by_money_limit(r))?;
        Some(format!(
            "{}; nothing was done",
            r.reason.as_deref().unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::Basis;
    use crate::prices::money::BillingPlan;
    use std::str::FromStr;

    fn usd(s: &str) -> Money {
        Money::parse(s).expect("money")
    }

    fn row(customer: &str, item: &str, money: Option<RowMoney>) -> Row {
        Row {
            customer_id: customer.into(),
            customer_name: customer.into(),
            subscription_id: None,
            item: Some(item.into()),
            kind: crate::kinds::Kind::Software,
            what: item.into(),
            key: None,
            term: None,
            action: Action::Purchase,
            desired: 2,
            owned: 0,
            pending: 0,
            to_buy: 2,
            surplus: 0,
            resolved: None,
            irreversible: true,
            reason: None,
            basis: Basis::default(),
            fingerprint: String::new(),
            money,
            cannot_undo: Vec::new(),
            renew_before: None,
            expires_soon: None,
            acknowledged: None,
            declare: None,
        }
    }

    fn priced(amount: &str, currency: &str) -> Option<RowMoney> {
        let unit = Decimal::from_str(amount).expect("decimal") / Decimal::from(2);
        Some(RowMoney::known(
            unit,
            currency,
            2,
            BillingPlan::Upfront,
            None,
        ))
    }

    #[test]
    fn a_run_over_the_limit_is_blocked_naming_the_rows() {
        let mut rows = vec![
            row("a", "x", priced("600", "USD")),
            row("b", "y", priced("500", "USD")),
        ];
        assert!(!enforce(
            &mut rows.clone(),
            &usd("1100USD"),
            RUN_LIMIT,
            None
        ));
        assert!(enforce(&mut rows, &usd("1000 USD"), RUN_LIMIT, None));
        let reason = rows[1].reason.clone().expect("reason");
        assert!(
            reason.starts_with(
                "the plan would commit USD 1,100.00, more than limits.max_commitment (USD 1,000.00): \
                 a / x (USD 600.00); b / y (USD 500.00)"
            ),
            "{reason}"
        );
        assert!(
            rows.iter()
                .all(|r| r.action == Action::Blocked && r.to_buy == 0)
        );
        assert!(rows.iter().all(blocked_by_money_limit));
    }

    #[test]
    fn an_unknown_price_or_another_currency_fails_the_limit_closed() {
        let unknown = Some(RowMoney::Unknown {
            billing: BillingPlan::Upfront,
            reason: "403 code 800043".into(),
        });
        let mut rows = vec![row("a", "x", priced("1", "USD")), row("a", "y", unknown)];
        assert!(enforce(&mut rows, &usd("1000000"), FLAG_LIMIT, None));
        let reason = rows[0].reason.clone().expect("reason");
        assert!(
            reason.contains("--max-commitment (USD 1,000,000.00) cannot be checked")
                && reason.contains("a / y has no price: 403 code 800043"),
            "{reason}"
        );
        let mut rows = vec![row("a", "x", priced("1", "EUR"))];
        assert!(enforce(&mut rows, &usd("10USD"), RUN_LIMIT, None));
        assert!(
            rows[0]
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("priced in EUR, not USD")),
            "{:?}",
            rows[0].reason
        );
    }

    #[test]
    fn a_per_customer_limit_blocks_only_that_customer() {
        let mut rows = vec![
            row("a", "x", priced("600", "USD")),
            row("b", "y", priced("500", "USD")),
        ];
        let limits = Limits {
            max_commitment_per_customer: Some(usd("550USD")),
            ..Limits::default()
        };
        enforce_manifest(&mut rows, &limits);
        assert_eq!(rows[0].action, Action::Blocked);
        assert!(
            rows[0]
                .reason
                .as_deref()
                .is_some_and(|r| r
                    .contains("for this customer, more than limits.max_commitment_per_customer")),
            "{:?}",
            rows[0].reason
        );
        assert_eq!(rows[1].action, Action::Purchase);
    }

    #[test]
    fn money_limits_parse_amount_and_currency() {
        assert_eq!(usd("250000").to_string(), "USD 250,000.00");
        assert_eq!(usd("250,000.50eur").to_string(), "EUR 250,000.50");
        assert_eq!(usd("GBP 10").to_string(), "GBP 10.00");
        assert!(Money::parse("-5USD").is_err());
        let e = Money::parse("lots").expect_err("not an amount");
        assert!(e.to_string().contains("e.g. 250000USD"), "{e}");
        // The decimal parser's error is kept as the cause.
        let cause = std::error::Error::source(&e).expect("a cause");
        assert!(cause.is::<rust_decimal::Error>(), "{cause}");
    }
}
