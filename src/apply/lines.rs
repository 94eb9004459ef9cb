//! Mapping between an intent's lines and what the service answers: cart lines to send, line
//! errors and order groups of a cart, and a checkout result's orders and order errors back onto
//! the intent's lines.

use super::commerce::{Cart, CartLine, CheckoutOutcome};
use super::receipt::ReceiptLine;
use crate::store::{
    IntentView, LineError, LineGroup, OrderErrorRecord, OrderRecord, OrderedLine, PurchaseLine,
};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn cart_lines(view: &IntentView, indexes: &[usize]) -> Vec<CartLine> {
    indexes
        .iter()
        .filter_map(|i| {
            view.lines.get(*i).map(|l| CartLine {
                id: *i,
                line: l.clone(),
            })
        })
        .collect()
}

pub(crate) fn receipt_line(line: &PurchaseLine) -> ReceiptLine {
    ReceiptLine {
        item_name: Some(line.item_name.clone()),
        key: Some(line.key.clone()),
        catalog_item_id: line.catalog_item_id.clone(),
        quantity: line.quantity,
        estimate: line.estimate.clone(),
        order_price: None,
    }
}

pub(crate) fn cart_details(view: &IntentView, cart: &Cart) -> (Vec<LineError>, Vec<LineGroup>) {
    let mut errors = Vec::new();
    let mut groups = Vec::new();
    for l in &cart.lines {
        let Some(id) = l.id.filter(|i| *i < view.lines.len()) else {
            continue;
        };
        if let Some((code, description)) = &l.error {
            errors.push(LineError {
                line: id,
                code: code.clone(),
                description: description.clone(),
            });
        }
        if let Some(g) = &l.order_group {
            groups.push(LineGroup {
                line: id,
                order_group: g.clone(),
            });
        }
    }
    (errors, groups)
}

pub(crate) fn same_context(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> bool {
    let norm = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase()))
            .collect()
    };
    norm(a) == norm(b)
}

/// Maps a checkout result onto the intent's lines: each order line to the cart line it came
/// from (same catalog item, preferring the same provisioning context), each failed order group to
/// the lines of that group.
pub(crate) fn map_checkout(
    view: &IntentView,
    active: &[usize],
    result: &CheckoutOutcome,
) -> (Vec<OrderRecord>, Vec<OrderErrorRecord>) {
    let mut claimed: BTreeSet<usize> = BTreeSet::new();
    let mut orders = Vec::new();
    for order in &result.orders {
        let mut lines = Vec::new();
        for ol in &order.lines {
            let candidates: Vec<usize> = active
                .iter()
                .copied()
                .filter(|i| !claimed.contains(i))
                .filter(|i| {
                    view.lines[*i]
                        .catalog_item_id
                        .eq_ignore_ascii_case(&ol.catalog_item_id)
                })
                .collect();
            let pick = candidates
                .iter()
                .copied()
                .find(|i| {
                    same_context(
                        &view.lines[*i].provisioning_context,
                        &ol.provisioning_context,
                    )
                })
                .or_else(|| candidates.first().copied());
            if let Some(i) = pick {
                claimed.insert(i);
            }
            lines.push(OrderedLine {
                line: pick,
                catalog_item_id: ol.catalog_item_id.clone(),
                quantity: ol.quantity,
                price: ol.price.clone(),
            });
        }
        orders.push(OrderRecord {
            order_id: order.order_id.clone(),
            lines,
        });
    }
    let mut errors = Vec::new();
    for err in &result.order_errors {
        let mut lines: Vec<usize> = active
            .iter()
            .copied()
            .filter(|i| !claimed.contains(i))
            .filter(|i| view.line_groups.get(i) == Some(&err.order_group))
            .collect();
        if lines.is_empty() && view.line_groups.is_empty() {
            lines = active
                .iter()
                .copied()
                .filter(|i| !claimed.contains(i))
                .collect();
        }
        claimed.extend(lines.iter().copied());
        errors.push(OrderErrorRecord {
            order_group: err.order_group.clone(),
            code: err.code.clone(),
            description: err.description.clone(),
            lines,
        });
    }
    (orders, errors)
}
