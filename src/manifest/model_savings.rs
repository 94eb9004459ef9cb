//! The manifest's `savings_plans:` item as written (DESIGN §3): an Azure savings plan of at least
//! `hourly_commitment` per hour, in `currency`, for a term, scope and billing plan, on an Azure
//! plan subscription (shared scope) or an Azure subscription entitlement (single scope).

use super::model::{BillingPlan, Choice, GUID_PATTERN, Number, Scope, Term};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// A decimal amount of at most three decimals, e.g. `"5.00"` or `0.25`.
pub const COMMITMENT_PATTERN: &str = "^[0-9]+(\\.[0-9]{1,3})?$";

/// An Azure savings plan: "at least `hourly_commitment` per hour at this key" (customer,
/// subscription or entitlement, scope, term, billing). A shortfall is bought as a new plan for
/// the difference. Savings plans cannot be cancelled or exchanged.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavingsPlan {
    /// Item name, unique within the customer's savings plans.
    #[schemars(with = "String", length(min = 1))]
    pub name: Spanned<String>,
    /// The customer's Azure plan subscription id (a GUID) the plan is bought under.
    #[schemars(with = "String", regex(pattern = GUID_PATTERN))]
    pub subscription: Spanned<String>,
    /// `shared` (every subscription of the customer's billing account, default) or `single`
    /// (one Azure subscription, named by `entitlement`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scope>")]
    pub scope: Option<Spanned<Choice<Scope>>>,
    /// For `scope: single`: the Azure subscription (entitlement) id the plan applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = GUID_PATTERN))]
    pub entitlement: Option<Spanned<String>>,
    /// Term: `P1Y` or `P3Y`. Default: the file's `defaults.term`, else `P1Y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Term>")]
    pub term: Option<Spanned<Choice<Term>>>,
    /// How the plan is paid: `upfront` (default) or `monthly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BillingPlan>")]
    pub billing: Option<Spanned<Choice<BillingPlan>>>,
    /// The hourly commitment the customer should hold at least, e.g. `"5.00"` (a positive
    /// decimal with at most three decimals; quote it to keep it exact).
    #[schemars(with = "String", regex(pattern = COMMITMENT_PATTERN))]
    pub hourly_commitment: Spanned<Number>,
    /// ISO 4217 currency code of the commitment, e.g. `USD`.
    #[schemars(with = "String", regex(pattern = "^[A-Za-z]{3}$"))]
    pub currency: Spanned<String>,
    /// Acknowledges a known block with its reason (see reservations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", length(min = 1))]
    pub blocked_ok: Option<Spanned<String>>,
}
