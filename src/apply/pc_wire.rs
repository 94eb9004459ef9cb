//! Wire conversions of [`super::pc`]: the cart request built from purchase lines (a savings
//! plan's line carries its `purchaseCommitment`), and the cart, order lines and order status
//! read back from Partner Center's answers.

use super::commerce::{
    AnsweredCommitment, Cart, CartLine, CartLineResult, CartStatus, OrderStatus, PlacedOrderLine,
};
use crate::partner_center::wire::{self, BillingCycle, CartLineItemRequest, CartRequest};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn context_text(map: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    map.iter()
        .filter_map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Null => return None,
                other => other.to_string(),
            };
            Some((k.clone(), v))
        })
        .collect()
}

pub(super) fn cart_request(lines: &[CartLine]) -> CartRequest {
    CartRequest {
        id: None,
        line_items: lines
            .iter()
            .map(|l| CartLineItemRequest {
                id: l.id as i64,
                catalog_item_id: l.line.catalog_item_id.clone(),
                friendly_name: l.line.friendly_name.clone(),
                quantity: i64::from(l.line.quantity),
                billing_cycle: BillingCycle::parse(&l.line.billing_cycle),
                term_duration: l.line.term_duration.clone(),
                provisioning_context: l.line.provisioning_context.clone(),
                participants: Vec::new(),
                attestation_accepted: None,
                purchase_commitment: l.line.commitment.as_ref().map(|c| {
                    crate::partner_center::wire::savings::PurchaseCommitmentRequest {
                        amount: c.hourly.amount(),
                        grain: "hourly".to_owned(),
                        currency: c.currency.to_ascii_lowercase(),
                    }
                }),
            })
            .collect(),
        partner_on_record_attestation_accepted: None,
    }
}

pub(super) fn cart_from_wire(cart: wire::Cart) -> Cart {
    Cart {
        cart_id: cart.id,
        expires_at: cart.expiration_timestamp,
        status: match cart.status {
            Some(wire::CartStatus::Ordered) => CartStatus::Ordered,
            _ => CartStatus::Active,
        },
        lines: cart
            .line_items
            .into_iter()
            .map(|l| CartLineResult {
                id: l.id.and_then(|i| usize::try_from(i).ok()),
                catalog_item_id: Some(l.catalog_item_id).filter(|c| !c.trim().is_empty()),
                quantity: l.quantity,
                billing_cycle: l.billing_cycle.map(|b| b.as_str().to_owned()),
                term_duration: l.term_duration,
                provisioning_context: context_text(&l.provisioning_context),
                order_group: l.order_group,
                commitment: l.purchase_commitment.map(|c| AnsweredCommitment {
                    amount: c.amount,
                    grain: c.grain,
                    currency: c.currency,
                }),
                error: l.error.map(|e| {
                    (
                        e.error_code.unwrap_or_else(|| "0".to_owned()),
                        e.error_description.unwrap_or_default(),
                    )
                }),
            })
            .collect(),
    }
}

pub(super) fn order_lines(order: &wire::Order) -> Vec<PlacedOrderLine> {
    order
        .line_items
        .iter()
        .map(|l| PlacedOrderLine {
            price: l
                .pricing
                .as_ref()
                .map(|p| crate::prices::money::OrderPrice {
                    currency: order.currency_code.clone(),
                    unit_price: p.price.or(p.discounted_price).or(p.list_price),
                    extended_price: p.extended_price,
                }),
            catalog_item_id: l.offer_id.clone().unwrap_or_default(),
            quantity: l
                .quantity
                .and_then(|q| u32::try_from(q).ok())
                .unwrap_or_default(),
            provisioning_context: context_text(&l.provisioning_context),
        })
        .collect()
}

pub(super) fn order_status(s: Option<&wire::OrderStatus>) -> OrderStatus {
    match s {
        Some(wire::OrderStatus::Completed) => OrderStatus::Completed,
        Some(wire::OrderStatus::Pending) => OrderStatus::Pending,
        Some(wire::OrderStatus::Cancelled) => OrderStatus::Cancelled,
        _ => OrderStatus::Other,
    }
}
