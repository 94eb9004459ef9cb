//! Checkout answers that do not add up (issue 11 item 7): an empty `201` (no order and no order
//! error), the same order listed twice, an order for another customer, or lines the answer does
//! not account for. None of these may be read as "nothing bought" (which would re-propose the
//! lines and lead to a second cart) nor counted twice.
//!
//! * Empty answer, or lines not accounted for: the outcome stays unknown — the intent is left
//!   unfinished, its lines count as pending, and the next run resends the same checkout.
//! * The same order twice: counted once.
//! * An order for another customer: journalled (so its lines stay pending by order id) but
//!   reported as unconfirmed, until it is confirmed by id.

use super::commerce::{CheckoutOutcome, PlacedOrder};
use crate::store::{OrderErrorRecord, OrderRecord};
use std::collections::BTreeSet;

/// A checkout answer, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CheckedAnswer {
    /// The answer with every order listed once.
    pub result: CheckoutOutcome,
    /// What did not add up, in words.
    pub anomalies: Vec<String>,
    /// Orders that cannot be taken as placed for this customer (read them by id to confirm).
    pub unconfirmed: BTreeSet<String>,
    /// No order and no order error: the outcome is unknown.
    pub empty: bool,
}

/// Checks a checkout answer of `cart_id` for `customer_id`.
pub(crate) fn check_answer(
    customer_id: &str,
    cart_id: &str,
    result: &CheckoutOutcome,
) -> CheckedAnswer {
    let mut out = CheckedAnswer {
        result: CheckoutOutcome {
            orders: Vec::new(),
            order_errors: result.order_errors.clone(),
        },
        ..CheckedAnswer::default()
    };
    if result.orders.is_empty() && result.order_errors.is_empty() {
        out.empty = true;
        out.anomalies.push(format!(
            "the checkout of cart {cart_id} was answered without any order or order error; \
             whether it ordered is unknown, so its lines stay pending"
        ));
        return out;
    }
    for order in &result.orders {
        if let Some(other) = &order.customer_id
            && !other.trim().eq_ignore_ascii_case(customer_id)
        {
            out.anomalies.push(format!(
                "the checkout of cart {cart_id} answered order {} for another customer ({other}); \
                 its lines stay pending until the order is confirmed by id",
                order.order_id
            ));
            out.unconfirmed.insert(order.order_id.clone());
        }
        match out
            .result
            .orders
            .iter_mut()
            .find(|o| o.order_id == order.order_id)
        {
            None => out.result.orders.push(order.clone()),
            Some(first) => {
                out.anomalies.push(format!(
                    "the checkout of cart {cart_id} listed order {} more than once; it is \
                     counted once",
                    order.order_id
                ));
                merge(first, order);
            }
        }
    }
    out
}

/// Folds a repeated listing of an order into the first one: lines it did not list are added
/// (a repeat with identical lines adds nothing).
fn merge(first: &mut PlacedOrder, again: &PlacedOrder) {
    let mut unmatched: Vec<_> = first.lines.iter().collect();
    let mut extra = Vec::new();
    for line in &again.lines {
        match unmatched.iter().position(|l| *l == line) {
            Some(i) => {
                unmatched.remove(i);
            }
            None => extra.push(line.clone()),
        }
    }
    first.lines.extend(extra);
}

/// Active lines (indexes) the mapped answer accounts for with neither an order line nor an
/// order error.
pub(crate) fn unaccounted(
    active: &[usize],
    orders: &[OrderRecord],
    errors: &[OrderErrorRecord],
) -> Vec<usize> {
    let covered: BTreeSet<usize> = orders
        .iter()
        .flat_map(|o| o.lines.iter().filter_map(|l| l.line))
        .chain(errors.iter().flat_map(|e| e.lines.iter().copied()))
        .collect();
    active
        .iter()
        .copied()
        .filter(|i| !covered.contains(i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::commerce::PlacedOrderLine;

    fn order(id: &str, customer: Option<&str>, qty: u32) -> PlacedOrder {
        PlacedOrder {
            order_id: id.into(),
            customer_id: customer.map(str::to_owned),
            lines: vec![PlacedOrderLine {
                catalog_item_id: "P:S:A".into(),
                quantity: qty,
                provisioning_context: Default::default(),
                price: None,
            }],
        }
    }

    #[test]
    fn an_empty_answer_is_unknown_not_nothing_bought() {
        let c = check_answer("c", "cart", &CheckoutOutcome::default());
        assert!(c.empty);
        assert_eq!(c.anomalies.len(), 1);
    }

    #[test]
    fn the_same_order_twice_is_counted_once() {
        let answer = CheckoutOutcome {
            orders: vec![order("o1", Some("C"), 2), order("o1", Some("c"), 2)],
            order_errors: vec![],
        };
        let c = check_answer("c", "cart", &answer);
        assert_eq!(c.result.orders, vec![order("o1", Some("C"), 2)]);
        assert!(c.anomalies[0].contains("more than once"), "{c:?}");
        assert!(c.unconfirmed.is_empty());
    }

    #[test]
    fn an_order_for_another_customer_is_unconfirmed() {
        let answer = CheckoutOutcome {
            orders: vec![order("o1", Some("someone-else"), 2), order("o2", None, 1)],
            order_errors: vec![],
        };
        let c = check_answer("c", "cart", &answer);
        assert_eq!(c.result.orders.len(), 2);
        assert_eq!(c.unconfirmed, BTreeSet::from(["o1".to_owned()]));
        assert!(c.anomalies[0].contains("another customer (someone-else)"));
    }
}
