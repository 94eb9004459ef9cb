//! `orders`: the customers' orders with their line items (docs/partner-center.md §10), and one
//! order with the provisioning status of each line (§10). The order list can lag up to
//! 15 minutes behind checkout; the view says so.

use super::customers::CustomerRef;
use super::{ViewError, day, iso_date, money};
use crate::partner_center::wire::{
    Order, OrderBillingType, OrderLineItem, OrderLineItemProvisioningStatus,
};
use crate::partner_center::{ApiError, Reader};
use crate::render::table::Table;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use rust_decimal::Decimal;
use serde::Serialize;

/// What the output says about the list's lag.
pub const LAG_NOTE: &str = "note: Partner Center's order list can lag up to 15 minutes behind checkout; an order placed just now may be missing here (`reservoir orders show CUSTOMER ORDER_ID` reads it by id).";

/// `--billing-cycle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BillingCycleFilter {
    #[value(name = "one_time")]
    OneTime,
    Monthly,
    Annual,
}

impl BillingCycleFilter {
    fn wire(self) -> OrderBillingType {
        match self {
            BillingCycleFilter::OneTime => OrderBillingType::OneTime,
            BillingCycleFilter::Monthly => OrderBillingType::Monthly,
            BillingCycleFilter::Annual => OrderBillingType::Annual,
        }
    }
}

/// The `orders` output.
#[derive(Debug, Clone, Serialize)]
pub struct OrdersReport {
    pub note: String,
    pub orders: Vec<OrderView>,
}

/// One order.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub customer_id: String,
    pub customer_name: String,
    pub id: String,
    pub alternate_id: Option<String>,
    #[serde(with = "iso_date")]
    pub created: Option<DateTime<Utc>>,
    pub status: Option<String>,
    pub billing_cycle: Option<String>,
    pub currency: Option<String>,
    pub total_price: Option<Decimal>,
    pub lines: Vec<OrderLineView>,
}

/// One order line; the provisioning fields are filled by `orders show` only.
#[derive(Debug, Clone, Serialize)]
pub struct OrderLineView {
    pub line_item_number: Option<i64>,
    pub offer_id: Option<String>,
    pub friendly_name: Option<String>,
    pub quantity: Option<i64>,
    pub term_duration: Option<String>,
    pub subscription_id: Option<String>,
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioning_status: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provisioned: Vec<ProvisionedQuantity>,
}

/// `{quantity, status}` of a provisioning line.
#[derive(Debug, Clone, Serialize)]
pub struct ProvisionedQuantity {
    pub quantity: Option<i64>,
    pub status: Option<String>,
}

fn line_view(l: &OrderLineItem) -> OrderLineView {
    OrderLineView {
        line_item_number: l.line_item_number,
        offer_id: l.offer_id.clone(),
        friendly_name: l.friendly_name.clone(),
        quantity: l.quantity,
        term_duration: l.term_duration.clone(),
        subscription_id: l
            .context("subscriptionId")
            .or_else(|| l.subscription_id.clone()),
        scope: l.context("scope"),
        provisioning_status: None,
        provisioned: Vec::new(),
    }
}

/// An order as the views show it.
pub fn order_view(c: &CustomerRef, o: &Order) -> OrderView {
    OrderView {
        customer_id: c.id.clone(),
        customer_name: c.name.clone(),
        id: o.id.clone(),
        alternate_id: o.alternate_id.clone(),
        created: o.creation_date,
        status: o.status.as_ref().map(|s| s.as_str().to_string()),
        billing_cycle: o.billing_cycle.as_ref().map(|b| b.as_str().to_string()),
        currency: o.currency_code.clone(),
        total_price: o.total_price,
        lines: o.line_items.iter().map(line_view).collect(),
    }
}

/// Every selected customer's orders (optionally one billing cycle, created at or after
/// `since`), oldest first per customer.
pub async fn list(
    client: &Reader,
    customers: &[CustomerRef],
    billing: Option<BillingCycleFilter>,
    since: Option<DateTime<Utc>>,
    parallelism: usize,
) -> Result<OrdersReport, ViewError> {
    let jobs: Vec<_> = customers
        .iter()
        .map(|c| async move {
            let raw = match billing {
                Some(b) => client.list_orders_by_billing_type(&c.id, &b.wire()).await?,
                None => client.list_orders(&c.id).await?,
            };
            let mut views: Vec<OrderView> = raw
                .iter()
                .filter(|o| since.is_none_or(|s| o.creation_date.is_some_and(|d| d >= s)))
                .map(|o| order_view(c, o))
                .collect();
            views.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
            Ok::<_, ViewError>(views)
        })
        .collect();
    let per_customer: Vec<Vec<OrderView>> = futures::stream::iter(jobs)
        .buffered(parallelism.max(1))
        .try_collect()
        .await?;
    let orders = per_customer.into_iter().flatten().collect();
    Ok(OrdersReport {
        note: LAG_NOTE.to_string(),
        orders,
    })
}

/// One order by id, with the provisioning status of each line (App+User credentials).
pub async fn show(
    client: &Reader,
    customer: &CustomerRef,
    order_id: &str,
) -> Result<OrderView, ViewError> {
    let order = match client.get_order(&customer.id, order_id).await {
        Ok(o) => o,
        Err(ApiError::Http { status: 404, .. }) => {
            return Err(ViewError::UnknownOrder {
                customer: customer.name.clone(),
                order: order_id.to_string(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let mut view = order_view(customer, &order);
    match client
        .get_order_provisioning_status(&customer.id, &order.id)
        .await
    {
        Ok(status) => attach_provisioning(&mut view, &status),
        // App-only credentials cannot read provisioning status: show the order without it.
        Err(e @ ApiError::AppUserRequired { .. }) => tracing::warn!("{e}"),
        Err(e) => return Err(e.into()),
    }
    Ok(view)
}

/// Puts each provisioning line on the order line with the same number.
pub fn attach_provisioning(view: &mut OrderView, status: &[OrderLineItemProvisioningStatus]) {
    for line in &mut view.lines {
        if let Some(s) = status
            .iter()
            .find(|s| s.line_item_number.is_some() && s.line_item_number == line.line_item_number)
        {
            line.provisioning_status = s.status.as_ref().map(|x| x.as_str().to_string());
            line.provisioned = s
                .quantity_provisioning_information
                .iter()
                .map(|q| ProvisionedQuantity {
                    quantity: q.quantity,
                    status: q.status.as_ref().map(|x| x.as_str().to_string()),
                })
                .collect();
        }
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// One row per order line (orders without lines get one row with empty line cells).
pub fn table(orders: &[OrderView], with_provisioning: bool, text: bool) -> Table {
    let mut headers = vec![
        "customer",
        "order",
        "created",
        "status",
        "billing",
        "currency",
        "total",
        "line",
        "offer",
        "name",
        "qty",
        "term",
        "subscription",
        "scope",
    ];
    if with_provisioning {
        headers.push("provisioning");
    }
    // Left out first when too wide; one order's own id (`orders show`) is known already.
    let mut droppable = vec![
        "subscription",
        "line",
        "offer",
        "scope",
        "billing",
        "created",
    ];
    if with_provisioning {
        droppable.insert(0, "order");
    }
    let mut t = Table::new(&headers)
        .right(&["total", "line", "qty"])
        .droppable(&droppable)
        .wrap(&["name"]);
    for o in orders {
        let created = if text {
            day(o.created.as_ref())
        } else {
            super::iso_opt(o.created.as_ref())
        };
        let head = vec![
            if o.customer_name.is_empty() {
                o.customer_id.clone()
            } else {
                o.customer_name.clone()
            },
            o.id.clone(),
            created,
            opt(&o.status),
            opt(&o.billing_cycle),
            opt(&o.currency),
            money(o.total_price),
        ];
        if o.lines.is_empty() {
            t.push(head);
            continue;
        }
        for l in &o.lines {
            let mut row = head.clone();
            row.extend([
                opt(&l.line_item_number),
                opt(&l.offer_id),
                opt(&l.friendly_name),
                opt(&l.quantity),
                opt(&l.term_duration),
                opt(&l.subscription_id),
                opt(&l.scope),
            ]);
            if with_provisioning {
                let detail: Vec<String> = l
                    .provisioned
                    .iter()
                    .map(|p| format!("{}×{}", opt(&p.quantity), opt(&p.status)))
                    .collect();
                row.push(match (&l.provisioning_status, detail.is_empty()) {
                    (Some(s), true) => s.clone(),
                    (Some(s), false) => format!("{s} ({})", detail.join(", ")),
                    (None, _) => String::new(),
                });
            }
            t.push(row);
        }
    }
    t
}
