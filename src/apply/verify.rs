//! Cart verification (DESIGN.md §5 step 6): the cart the server returns — at creation, after an
//! update, and when re-read before a resumed checkout — must hold exactly the journalled lines
//! that were sent: the same ids, catalog items, quantities, terms, billing cycles, provisioning
//! contexts and savings-plan commitments, nothing missing, nothing added. Any difference means the cart is not checked out.

use super::commerce::{Cart, CartLineResult};
use super::lines::same_context;
use crate::store::{IntentView, PurchaseLine};
use std::collections::BTreeMap;

/// Every difference between `cart` and the intent lines `expected` (indexes into `view.lines`),
/// in words; empty when the cart is exactly what was sent.
pub(crate) fn cart_differences(view: &IntentView, expected: &[usize], cart: &Cart) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    for answered in &cart.lines {
        let Some(id) = answered.id else {
            out.push(format!(
                "a line without an id ({}) that was not asked for",
                describe(answered)
            ));
            continue;
        };
        *seen.entry(id).or_default() += 1;
        match view.lines.get(id).filter(|_| expected.contains(&id)) {
            None => out.push(format!(
                "line {id} ({}) was not asked for",
                describe(answered)
            )),
            Some(line) if seen[&id] == 1 => line_differences(id, line, answered, &mut out),
            Some(line) => out.push(format!(
                "line {id} ({}) appears {} times",
                line.item_name, seen[&id]
            )),
        }
    }
    for id in expected {
        if !seen.contains_key(id)
            && let Some(line) = view.lines.get(*id)
        {
            out.push(format!("line {id} ({}) is missing", line.item_name));
        }
    }
    out
}

fn describe(l: &CartLineResult) -> String {
    format!(
        "{} × {}",
        l.quantity.map_or_else(|| "?".to_owned(), |q| q.to_string()),
        l.catalog_item_id.as_deref().unwrap_or("no catalog item")
    )
}

fn text(v: Option<&str>) -> &str {
    v.unwrap_or("none")
}

/// Whether two optional wire strings are the same value (case and surrounding blanks aside; an
/// empty string is no value).
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_lowercase)
    };
    norm(a) == norm(b)
}

fn line_differences(id: usize, sent: &PurchaseLine, got: &CartLineResult, out: &mut Vec<String>) {
    let name = &sent.item_name;
    if !same(got.catalog_item_id.as_deref(), Some(&sent.catalog_item_id)) {
        out.push(format!(
            "line {id} ({name}): catalog item {}, asked {}",
            text(got.catalog_item_id.as_deref()),
            sent.catalog_item_id
        ));
    }
    if got.quantity != Some(i64::from(sent.quantity)) {
        out.push(format!(
            "line {id} ({name}): quantity {}, asked {}",
            got.quantity
                .map_or_else(|| "none".to_owned(), |q| q.to_string()),
            sent.quantity
        ));
    }
    if !same(got.billing_cycle.as_deref(), Some(&sent.billing_cycle)) {
        out.push(format!(
            "line {id} ({name}): billing cycle {}, asked {}",
            text(got.billing_cycle.as_deref()),
            sent.billing_cycle
        ));
    }
    if !same(got.term_duration.as_deref(), sent.term_duration.as_deref()) {
        out.push(format!(
            "line {id} ({name}): term {}, asked {}",
            text(got.term_duration.as_deref()),
            text(sent.term_duration.as_deref())
        ));
    }
    if !same_context(&got.provisioning_context, &sent.provisioning_context) {
        out.push(format!(
            "line {id} ({name}): provisioning context {}, asked {}",
            context(&got.provisioning_context),
            context(&sent.provisioning_context)
        ));
    }
    if let Some(diff) = commitment_difference(sent, got) {
        out.push(format!("line {id} ({name}): {diff}"));
    }
}

/// How the answered `purchaseCommitment` differs from the one sent (a savings plan's money is
/// in its commitment, not its quantity of 1), in words; `None` when it is the same. A line sent
/// without a commitment must come back without an amount.
fn commitment_difference(sent: &PurchaseLine, got: &CartLineResult) -> Option<String> {
    let answered = got.commitment.as_ref().filter(|c| c.amount.is_some());
    let Some(asked) = &sent.commitment else {
        return answered.map(|c| format!("commitment {} was not asked for", commitment_text(c)));
    };
    let asked_text = format!(
        "{} {}/h",
        asked.currency.to_ascii_uppercase(),
        asked.hourly.text()
    );
    let Some(c) = answered else {
        return Some(format!("no commitment, asked {asked_text}"));
    };
    let same_amount = c.amount == Some(asked.hourly.amount());
    let same_grain = same(c.grain.as_deref(), Some("hourly"));
    let same_currency = same(c.currency.as_deref(), Some(&asked.currency));
    (!(same_amount && same_grain && same_currency))
        .then(|| format!("commitment {}, asked {asked_text}", commitment_text(c)))
}

fn commitment_text(c: &super::commerce::AnsweredCommitment) -> String {
    format!(
        "{} {}/{}",
        text(c.currency.as_deref()).to_ascii_uppercase(),
        c.amount
            .map_or_else(|| "none".to_owned(), |a| a.normalize().to_string()),
        text(c.grain.as_deref())
    )
}

fn context(m: &BTreeMap<String, String>) -> String {
    if m.is_empty() {
        return "none".to_owned();
    }
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::commerce::{AnsweredCommitment, CartStatus};
    use crate::manifest::PurchaseKey;
    use crate::store::{Record, replay};

    fn line(name: &str, qty: u32) -> PurchaseLine {
        PurchaseLine {
            commitment: None,
            key: PurchaseKey::Software {
                customer_id: "c".into(),
                product_id: "P".into(),
                sku_id: name.into(),
            },
            item_name: name.into(),
            catalog_item_id: format!("P:{name}:A"),
            product_id: "P".into(),
            sku_id: name.into(),
            quantity: qty,
            billing_cycle: "one_time".into(),
            term_duration: Some("P1Y".into()),
            provisioning_context: BTreeMap::from([
                ("subscriptionId".into(), "s1".into()),
                ("scope".into(), "shared".into()),
            ]),
            friendly_name: None,
            estimate: None,
        }
    }

    fn view(lines: Vec<PurchaseLine>) -> IntentView {
        let rec = Record::Intent {
            at: chrono::Utc::now(),
            intent_id: "i".into(),
            plan_hash: "h".into(),
            lines,
            create_request_id: "r".into(),
        };
        replay(&[rec]).expect("replays").remove(0)
    }

    fn cart(lines: Vec<CartLineResult>) -> Cart {
        Cart {
            cart_id: "c1".into(),
            expires_at: None,
            status: CartStatus::Active,
            lines,
        }
    }

    #[test]
    fn a_faithful_echo_has_no_differences_whatever_the_case() {
        let v = view(vec![line("a", 4), line("b", 1)]);
        let mut a = CartLineResult::echo(0, &v.lines[0]);
        a.provisioning_context
            .insert("scope".into(), "Shared".into());
        a.billing_cycle = Some("ONE_TIME".into());
        let c = cart(vec![a, CartLineResult::echo(1, &v.lines[1])]);
        assert_eq!(cart_differences(&v, &[0, 1], &c), Vec::<String>::new());
    }

    #[test]
    fn every_field_that_differs_is_named() {
        let v = view(vec![line("a", 4), line("b", 1)]);
        let mut a = CartLineResult::echo(0, &v.lines[0]);
        a.quantity = Some(8);
        a.catalog_item_id = Some("P:other:A".into());
        a.term_duration = Some("P3Y".into());
        a.billing_cycle = Some("monthly".into());
        a.provisioning_context
            .insert("scope".into(), "single".into());
        let d = cart_differences(&v, &[0, 1], &cart(vec![a]));
        assert_eq!(
            d,
            vec![
                "line 0 (a): catalog item P:other:A, asked P:a:A",
                "line 0 (a): quantity 8, asked 4",
                "line 0 (a): billing cycle monthly, asked one_time",
                "line 0 (a): term P3Y, asked P1Y",
                "line 0 (a): provisioning context {scope=single, subscriptionId=s1}, asked \
                 {scope=shared, subscriptionId=s1}",
                "line 1 (b) is missing",
            ]
        );
    }

    #[test]
    fn added_duplicated_and_unidentified_lines_are_differences() {
        let v = view(vec![line("a", 4), line("b", 1)]);
        let a = CartLineResult::echo(0, &v.lines[0]);
        let mut anon = a.clone();
        anon.id = None;
        let d = cart_differences(
            &v,
            &[0],
            &cart(vec![
                a.clone(),
                a,
                CartLineResult::echo(1, &v.lines[1]),
                anon,
            ]),
        );
        assert_eq!(
            d,
            vec![
                "line 0 (a) appears 2 times",
                "line 1 (1 × P:b:A) was not asked for",
                "a line without an id (4 × P:a:A) that was not asked for",
            ]
        );
    }

    fn savings_line(hourly: u32) -> PurchaseLine {
        PurchaseLine {
            commitment: Some(crate::manifest::PurchaseCommitment {
                hourly: crate::manifest::HourlyCommitment(hourly),
                currency: "USD".into(),
            }),
            quantity: 1,
            ..line("plan", 1)
        }
    }

    #[test]
    fn a_savings_plan_commitment_must_come_back_as_sent() {
        let v = view(vec![savings_line(5_000)]);
        let echo = CartLineResult::echo(0, &v.lines[0]);
        assert_eq!(
            cart_differences(&v, &[0], &cart(vec![echo.clone()])),
            Vec::<String>::new(),
            "5.000 answered as 5 (any scale, any case) is the same commitment"
        );
        let mut doubled = echo.clone();
        doubled.commitment = Some(AnsweredCommitment {
            amount: Some(rust_decimal::Decimal::new(10, 0)),
            grain: Some("Hourly".into()),
            currency: Some("USD".into()),
        });
        let mut dropped = echo.clone();
        dropped.commitment = None;
        let mut daily = echo;
        daily.commitment.as_mut().expect("commitment").grain = Some("daily".into());
        assert_eq!(
            cart_differences(&v, &[0], &cart(vec![doubled])),
            vec!["line 0 (plan): commitment USD 10/Hourly, asked USD 5.00/h"]
        );
        assert_eq!(
            cart_differences(&v, &[0], &cart(vec![dropped])),
            vec!["line 0 (plan): no commitment, asked USD 5.00/h"]
        );
        assert_eq!(
            cart_differences(&v, &[0], &cart(vec![daily])),
            vec!["line 0 (plan): commitment USD 5/daily, asked USD 5.00/h"]
        );
    }

    #[test]
    fn a_commitment_on_a_line_sent_without_one_is_a_difference() {
        let v = view(vec![line("a", 4)]);
        let mut a = CartLineResult::echo(0, &v.lines[0]);
        a.commitment = Some(AnsweredCommitment {
            amount: Some(rust_decimal::Decimal::new(1, 0)),
            grain: Some("hourly".into()),
            currency: Some("usd".into()),
        });
        assert_eq!(
            cart_differences(&v, &[0], &cart(vec![a])),
            vec!["line 0 (a): commitment USD 1/hourly was not asked for"]
        );
    }
}
