//! Azure savings plans (docs/partner-center.md, savings plans): declared per customer with an
//! hourly commitment, bought on an Azure plan subscription (`shared` scope) or for one Azure
//! subscription (`single` scope, its entitlement id), for a term and a billing plan. App+User
//! credentials and Azure plan customers only.
//!
//! **"At least" in commitment.** A row counts the hourly commitment in thousandths of the
//! currency unit ([`HourlyCommitment`]): declared vs owned (the sum of the active savings-plan
//! subscriptions' `lineItems[].purchaseCommitment` at the key, see [`observed`]) vs pending
//! (journalled lines carry their commitment). A shortfall is one new plan for the difference,
//! at least the SKU's `minimumPurchaseCommitment`; more owned than declared is surplus. Its
//! commitment is hourly × 8,760 hours per year of the term, in its currency.
//!
//! **Matching.** A holding counts for an item with the same scope (and entitlement for
//! `single`, when the subscription names it; one that does not counts, so that a doubt buys
//! less rather than twice), term, billing plan and currency. The Azure plan subscription it was bought under
//! is not compared: a subscription of a savings plan does not name it, and a `shared` plan
//! applies to the customer's whole billing account anyway.

pub mod catalog;
pub mod observed;

use super::declare::{Declaration, Undeclarable};
use super::{CartTerms, Kind, KindTotals, Purchasable, PurchaseKey};
use crate::catalog::{Buyer, Catalog, Freshness};
use crate::manifest::{
    DesiredCustomer, DesiredSavingsPlan, HourlyCommitment, PurchaseCommitment, Scope, SourceRef,
    Term,
};
use crate::plan::{Holding, Resolution, Row};
use crate::prices::money::BillingPlan;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The savings-plan product (`productType {id: Azure, subType: SavingsPlan}`).
pub const PRODUCT_ID: &str = "DZH318Z09V6F";
/// The view the customer-scoped catalog is asked for.
pub const TARGET_VIEW: &str = "Azure";
/// Hours in a year of a savings-plan term.
pub const HOURS_PER_YEAR: u32 = 8_760;

/// The kind in plural prose.
pub(super) const PLURAL: &str = "savings plans";
/// The kind's name in a sentence about markets.
pub(super) const MARKET_NAME: &str = "Azure savings plans";
/// The start of a "not sold" sentence.
pub(super) const SOLD_PHRASE: &str = "Azure savings plans are";

/// A declared savings plan.
#[derive(Debug, Clone, Copy)]
pub struct SavingsPlanItem<'a>(pub &'a DesiredSavingsPlan);

/// What a savings-plan holding is attributed to, from its subscription (`None`: not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavingsPlanAttribution {
    pub scope: Option<Scope>,
    /// Lower-case entitlement id of a `single`-scope plan, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entitlement_id: Option<String>,
    pub term: Option<Term>,
    pub billing: Option<BillingPlan>,
    /// Upper-case ISO 4217 code of the commitment.
    pub currency: Option<String>,
}

impl DesiredSavingsPlan {
    pub fn purchase_key(&self, customer_id: &str) -> PurchaseKey {
        PurchaseKey::SavingsPlan {
            customer_id: customer_id.to_owned(),
            subscription_id: self.subscription_id.clone(),
            entitlement_id: self.entitlement_id.clone(),
            scope: self.scope,
            term: self.term,
            billing: self.billing,
        }
    }
}

/// The savings plans of a customer, by name.
pub(super) fn items(dc: &DesiredCustomer) -> Vec<SavingsPlanItem<'_>> {
    let mut out: Vec<SavingsPlanItem<'_>> = dc.savings_plans.iter().map(SavingsPlanItem).collect();
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    out
}

/// `savings plan USD shared P1Y upfront`, with `single <entitlement>` for a single scope.
fn describe(
    currency: Option<&str>,
    scope: Option<Scope>,
    entitlement: Option<&str>,
    term: Option<Term>,
    billing: Option<BillingPlan>,
) -> String {
    let scope = match (scope, entitlement) {
        (Some(Scope::Single), Some(e)) => format!("single {e}"),
        (s, _) => s.map_or("?", Scope::as_str).to_owned(),
    };
    format!(
        "savings plan {} {scope} {} {}",
        currency.unwrap_or("?"),
        term.map_or("?", Term::as_str),
        billing.map_or("?", BillingPlan::as_str)
    )
}

/// Describes a savings-plan holding the way declared items are described.
pub(super) fn describe_holding(a: &SavingsPlanAttribution) -> String {
    describe(
        a.currency.as_deref(),
        a.scope,
        a.entitlement_id.as_deref(),
        a.term,
        a.billing,
    )
}

/// A row's count in words: the hourly commitment, e.g. `5.00/h`.
pub(super) fn amount(n: u32) -> String {
    format!("{}/h", HourlyCommitment(n).text())
}

/// `USD 43,800.00 (USD 5.00/h × 8,760 h, upfront)`, `USD 43,800.00 (USD 5.00/h × 8,760 h;
/// monthly USD 3,650.00)`.
pub(super) fn describe_money(m: &crate::prices::money::RowMoney) -> String {
    use crate::prices::money::{RowMoney, format_amount};
    let RowMoney::Known {
        unit_price,
        currency,
        billing,
        commitment,
        monthly,
        ..
    } = m
    else {
        return m.describe();
    };
    if unit_price.is_zero() {
        return m.describe();
    }
    use rust_decimal::prelude::ToPrimitive;
    let hourly = (*commitment / *unit_price)
        .round()
        .to_u32()
        .map_or_else(|| "?".to_owned(), |t| HourlyCommitment(t).text());
    let hours = (*unit_price * Decimal::from(HourlyCommitment::GRAIN))
        .round()
        .to_u64()
        .unwrap_or_default();
    let per_hour = format!(
        "{currency} {hourly}/h × {},{:03} h",
        hours / 1000,
        hours % 1000
    );
    match monthly {
        Some(x) => format!(
            "{} ({per_hour}; monthly {})",
            format_amount(currency, *commitment),
            format_amount(currency, *x)
        ),
        None => format!(
            "{} ({per_hour}, {})",
            format_amount(currency, *commitment),
            billing.as_str()
        ),
    }
}

impl SavingsPlanItem<'_> {
    /// The price of one counted unit (a thousandth per hour) over the whole term: 0.001 × 8,760
    /// × years, in the declared currency. The commitment of a row is then exactly hourly ×
    /// hours in the term.
    pub fn unit_price(&self) -> (Decimal, String) {
        let years = match self.0.term {
            Term::P1Y => 1,
            Term::P3Y => 3,
        };
        let price = Decimal::new(i64::from(HOURS_PER_YEAR) * years, 3);
        (price, self.0.currency.clone())
    }
}

impl Purchasable for SavingsPlanItem<'_> {
    const KIND: Kind = Kind::SavingsPlan;

    fn key(&self, customer_id: &str) -> PurchaseKey {
        self.0.purchase_key(customer_id)
    }
    fn name(&self) -> &str {
        &self.0.name
    }
    /// The declared hourly commitment, in thousandths.
    fn quantity(&self) -> u32 {
        self.0.hourly_commitment.0
    }
    fn source(&self) -> &SourceRef {
        &self.0.source
    }
    fn subscription_id(&self) -> Option<String> {
        Some(self.0.subscription_id.to_ascii_lowercase())
    }
    fn term(&self) -> Option<Term> {
        Some(self.0.term)
    }
    fn what(&self) -> String {
        let p = self.0;
        describe(
            Some(&p.currency),
            Some(p.scope),
            p.entitlement_id.as_deref(),
            Some(p.term),
            Some(p.billing),
        )
    }
    fn pinned_ids(&self) -> Option<(String, String)> {
        None
    }
    async fn resolve(
        &self,
        catalog: &Catalog,
        buyer: Buyer<'_>,
        freshness: Freshness,
    ) -> Resolution {
        catalog.resolve_savings_plan(buyer, self.0, freshness).await
    }
    fn holding_matches(&self, h: &Holding, _res: Option<&Resolution>) -> bool {
        let Some(a) = h.kind.savings_plan() else {
            return false;
        };
        let p = self.0;
        // A single-scope plan whose subscription does not name its entitlement still counts:
        // counting it can only buy less, never a second plan.
        let entitlement_ok = match (p.scope, a.entitlement_id.as_deref()) {
            (Scope::Single, Some(held)) => p
                .entitlement_id
                .as_deref()
                .is_some_and(|want| held.eq_ignore_ascii_case(want)),
            _ => true,
        };
        a.scope == Some(p.scope)
            && entitlement_ok
            && a.term == Some(p.term)
            && a.billing == Some(p.billing)
            && a.currency
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(&p.currency))
    }
    fn billing(&self) -> BillingPlan {
        self.0.billing
    }
    fn billing_cycle(&self, supported: &[String]) -> Result<String, crate::kinds::CycleError> {
        super::reservation::reservation_cycle(self.0.billing, supported)
    }
    /// The key says everything a savings plan buys: duplicates are caught by the manifest.
    fn resolved_identity(&self, _res: Option<&Resolution>) -> Option<String> {
        None
    }
}

/// See [`PurchaseKey::comparable`]: ids compared in lower case.
pub(super) fn comparable(key: PurchaseKey) -> PurchaseKey {
    match key {
        PurchaseKey::SavingsPlan {
            customer_id,
            subscription_id,
            entitlement_id,
            scope,
            term,
            billing,
        } => PurchaseKey::SavingsPlan {
            customer_id: customer_id.to_ascii_lowercase(),
            subscription_id: subscription_id.to_ascii_lowercase(),
            entitlement_id: entitlement_id.map(|e| e.to_ascii_lowercase()),
            scope,
            term,
            billing,
        },
        other => other,
    }
}

/// The cart line's terms: the billing plan's cycle, `termDuration`, and the provisioning
/// context `{scope: shared, subscriptionId}` or `{scope: single, entitlementId}`.
pub(super) fn cart_terms(key: &PurchaseKey) -> Option<CartTerms> {
    let PurchaseKey::SavingsPlan {
        subscription_id,
        entitlement_id,
        scope,
        term,
        billing,
        ..
    } = key
    else {
        return None;
    };
    let mut context = BTreeMap::from([("scope".to_owned(), scope.as_str().to_owned())]);
    match (scope, entitlement_id) {
        (Scope::Single, Some(e)) => context.insert("entitlementId".to_owned(), e.clone()),
        _ => context.insert("subscriptionId".to_owned(), subscription_id.clone()),
    };
    Some(CartTerms {
        billing_cycle: billing.wire_cycle().to_owned(),
        term_duration: Some(term.as_str().to_owned()),
        provisioning_context: context,
    })
}

/// The commitment a cart line for `key` buys: `thousandths` per hour in the item's currency
/// (`None` when the customer no longer declares the item).
pub(super) fn commitment(
    dc: &DesiredCustomer,
    key: &PurchaseKey,
    thousandths: u32,
) -> Option<PurchaseCommitment> {
    let p = dc
        .savings_plans
        .iter()
        .find(|p| &p.purchase_key(&dc.id) == key)?;
    Some(PurchaseCommitment {
        hourly: HourlyCommitment(thousandths),
        currency: p.currency.clone(),
    })
}

/// Declares the savings plan of a saved plan's row again. The currency is the one the row's
/// money is in (a savings plan's price is always known).
pub(super) fn redeclare(
    dc: &mut DesiredCustomer,
    row: &Row,
    key: &PurchaseKey,
    source: &SourceRef,
) {
    let (
        PurchaseKey::SavingsPlan {
            subscription_id,
            entitlement_id,
            scope,
            term,
            billing,
            ..
        },
        Some(name),
    ) = (key, &row.item)
    else {
        return;
    };
    let currency = match &row.money {
        Some(crate::prices::money::RowMoney::Known { currency, .. }) => currency.clone(),
        _ => return,
    };
    dc.savings_plans.push(DesiredSavingsPlan {
        name: name.clone(),
        subscription_id: subscription_id.clone(),
        scope: *scope,
        entitlement_id: entitlement_id.clone(),
        term: *term,
        billing: *billing,
        hourly_commitment: HourlyCommitment(row.desired),
        currency,
        source: source.clone(),
        blocked_ok: None,
    });
}

/// `1 × savings plan` (each purchase row is one plan).
pub(super) fn summary_parts(t: &KindTotals) -> Vec<String> {
    match t.units {
        0 => Vec::new(),
        1 => vec!["1 × savings plan".to_owned()],
        n => vec![format!("{n} × savings plans")],
    }
}

/// The `savings_plans:` item of a savings-plan holding, without its `subscription` (the
/// holding does not name the Azure plan it was bought under; `import` adds one of the
/// customer's, which matching does not compare).
pub(super) fn declare(h: &Holding) -> Result<Declaration, Undeclarable> {
    let Some(a) = h.kind.savings_plan() else {
        return Err(Undeclarable::NotASavingsPlan);
    };
    let (Some(scope), Some(term), Some(billing), Some(currency)) =
        (a.scope, a.term, a.billing, a.currency.as_deref())
    else {
        return Err(Undeclarable::NoSavingsPlanTerms);
    };
    let mut fields = vec![("scope", scope.as_str().to_owned())];
    match (scope, &a.entitlement_id) {
        (Scope::Single, Some(e)) => fields.push(("entitlement", e.clone())),
        (Scope::Single, None) => {
            return Err(Undeclarable::NoEntitlement);
        }
        (Scope::Shared, _) => {}
    }
    fields.extend([
        ("term", term.as_str().to_owned()),
        ("billing", billing.as_str().to_owned()),
        ("currency", currency.to_ascii_uppercase()),
    ]);
    Ok(Declaration {
        kind: Kind::SavingsPlan,
        subscription_id: None,
        slot: describe_holding(a),
        name: super::slug(&[
            "savings-plan",
            scope.as_str(),
            term.as_str(),
            billing.as_str(),
        ]),
        fields,
    })
}

#[cfg(test)]
mod tests;
