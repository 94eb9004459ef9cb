//! Money on the plan: each purchase row gets its price, billing plan and commitment from the
//! price sheets the run observed ([`crate::prices::PriceBook`], observed data like holdings), and
//! each customer its totals per currency. Pure: a missing or refused sheet makes the row's price
//! *unknown* with the reason, never a guess.

use crate::kinds;
use crate::manifest::{DesiredState, Term};
use crate::plan::model::{CustomerSummary, Row};
use crate::plan::observed::{CustomerObservation, Observation};
use crate::prices::Lookup;
use crate::prices::money::{BillingPlan, RowMoney};

/// Months in a term.
pub fn months(term: Term) -> u32 {
    match term {
        Term::P1Y => 12,
        Term::P3Y => 36,
    }
}

/// Prices every purchase row of `rows`, applies the manifest's money limits
/// ([`crate::plan::money_limits`]) and totals what is left per customer.
pub fn price_rows(
    rows: &mut [Row],
    customers: &mut [CustomerSummary],
    desired: &DesiredState,
    observed: &Observation,
) {
    for r in rows.iter_mut().filter(|r| r.action.buys() && r.to_buy > 0) {
        let item = r.key.as_ref().and_then(|k| kinds::find(desired, k));
        let billing = item.map(|i| i.billing()).unwrap_or(BillingPlan::Upfront);
        // Savings plans price themselves: the commitment is hourly × hours in the term.
        r.money = Some(match item.and_then(|i| i.own_price()) {
            Some((unit_price, currency)) => {
                RowMoney::known(unit_price, &currency, r.to_buy, billing, r.term.map(months))
            }
            None => price_row(r, billing, observed),
        });
        r.cannot_undo = r
            .key
            .as_ref()
            .map(kinds::irreversible::cannot_undo)
            .unwrap_or_default();
    }
    crate::plan::money_limits::enforce_manifest(rows, &desired.limits);
    customer_totals(rows, customers);
}

/// Each customer's commitment: the money of its purchase rows, per currency.
pub fn customer_totals(rows: &[Row], customers: &mut [CustomerSummary]) {
    for c in customers.iter_mut() {
        c.commitment = Default::default();
        for r in rows
            .iter()
            .filter(|r| r.customer_id == c.id && r.action.buys())
        {
            if let Some(m) = &r.money {
                c.commitment.add(m);
            }
        }
    }
}

fn price_row(r: &Row, billing: BillingPlan, observed: &Observation) -> RowMoney {
    let unknown = |reason: String| RowMoney::Unknown { billing, reason };
    let country = match observed.customer(&r.customer_id) {
        Some(CustomerObservation::Observed(oc)) => oc.country.clone(),
        _ => return unknown("the customer's market is not known".into()),
    };
    let Some(res) = &r.resolved else {
        return unknown("the item is not resolved to a catalog item".into());
    };
    let lookup = observed.prices.lookup(
        &country,
        r.kind.price_view(),
        &res.product_id,
        &res.sku_id,
        r.term.map(Term::as_str),
    );
    match lookup {
        Lookup::Found(e) => RowMoney::known(
            e.unit_price,
            &e.currency,
            r.to_buy,
            billing,
            r.term.map(months),
        ),
        Lookup::Unknown(reason) => unknown(reason),
    }
}
