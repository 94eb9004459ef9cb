//! The manifest as written (format v1): the serde model the YAML is read into and the JSON
//! Schema is generated from. Values carry their source location ([`Spanned`]) so validation can
//! point at them; enum-like fields are read as text ([`Choice`]) so that an unknown value is
//! reported together with every other problem instead of stopping the parse.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_saphyr::Spanned;
use std::borrow::Cow;
use std::marker::PhantomData;

/// A reservoir manifest (format v1): which reservations and software each customer should own.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "reservoir manifest")]
pub struct Manifest {
    /// Manifest format version. Only `1` is supported.
    #[schemars(with = "u32", range(min = 1, max = 1))]
    pub version: Spanned<Number>,
    /// Values applied to every item of this file that omits them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    /// Guardrails against buying more than intended. When several files set a limit, they must
    /// agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// The customers this file declares items for. A customer may appear in several files.
    #[serde(
        default,
        deserialize_with = "tight",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub customers: Vec<Customer>,
}

/// Defaults for the items of one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Reservation term used when an item omits `term` (built-in default: `P1Y`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Term>")]
    pub term: Option<Spanned<Choice<Term>>>,
    /// Reservation scope used when an item omits `scope` (built-in default: `shared`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scope>")]
    pub scope: Option<Spanned<Choice<Scope>>>,
    /// Renewal window used when a reservation omits `renew_before` (e.g. `30d`): units expiring
    /// within it do not count as owned, so plan proposes their renewal. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = DURATION_PATTERN))]
    pub renew_before: Option<Spanned<String>>,
}

/// Guardrails. `apply` refuses a plan that exceeds them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Most units one `apply` run may buy, over all customers and items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub max_units_per_apply: Option<Spanned<Number>>,
    /// Largest `quantity` any single item may declare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub max_units_per_item: Option<Spanned<Number>>,
    /// The most one `apply` run may commit, e.g. `{ amount: 250000, currency: USD }`. A run over
    /// it, or with a purchase whose price is unknown or in another currency, is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_commitment: Option<MoneyLimit>,
    /// The most one `apply` run may commit for any one customer (same rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_commitment_per_customer: Option<MoneyLimit>,
}

/// A money limit: an amount and its currency (prices are never converted between currencies).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyLimit {
    /// A positive amount, e.g. `250000` or `1250.50`.
    #[schemars(with = "f64", range(min = 0))]
    pub amount: Spanned<Number>,
    /// ISO 4217 currency code, e.g. `USD`.
    #[schemars(with = "String", regex(pattern = "^[A-Za-z]{3}$"))]
    pub currency: Spanned<String>,
}

/// A CSP customer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The customer's tenant id (a GUID).
    #[schemars(with = "String", regex(pattern = GUID_PATTERN))]
    pub id: Spanned<String>,
    /// A label for output and for `--customer`. Must be the same wherever the customer appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// The customer's Azure subscriptions and the reservations each should carry.
    #[serde(
        default,
        deserialize_with = "tight",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subscriptions: Vec<Subscription>,
    /// Software (perpetual licences and software subscriptions) the customer should own.
    #[serde(
        default,
        deserialize_with = "tight",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub software: Vec<Software>,
    /// Azure savings plans the customer should hold (Azure plan customers, App+User credentials).
    #[serde(
        default,
        deserialize_with = "tight",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub savings_plans: Vec<super::model_savings::SavingsPlan>,
}

/// An Azure subscription of the customer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// The subscription id (a GUID): the Azure plan's id, or the `MS-AZR-0145P` subscription's id.
    #[schemars(with = "String", regex(pattern = GUID_PATTERN))]
    pub id: Spanned<String>,
    /// `azure-plan` (new commerce) or `legacy` (offer `MS-AZR-0145P`).
    #[schemars(with = "SubscriptionKind")]
    pub kind: Spanned<Choice<SubscriptionKind>>,
    /// Reservations this subscription should carry.
    #[serde(
        default,
        deserialize_with = "tight",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reservations: Vec<Reservation>,
}

/// A reservation: "at least `quantity` units of this SKU, term and scope".
///
/// Name what to buy either by `sku` + `region` (the SKU's `armSkuName` and `armRegionName`) or
/// by pinned catalog ids `product` + `sku`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["region"]}, {"required": ["product"]}]))]
pub struct Reservation {
    /// Item name, unique within the subscription.
    #[schemars(with = "String", length(min = 1))]
    pub name: Spanned<String>,
    /// What is reserved: virtual machines, SQL Database compute, or Cosmos DB throughput.
    #[serde(rename = "type")]
    #[schemars(with = "ReservationType")]
    pub reservation_type: Spanned<Choice<ReservationType>>,
    /// The SKU's `armSkuName` (e.g. `Standard_D4s_v5`), or the catalog SKU id when `product` is
    /// given.
    #[schemars(with = "String", regex(pattern = ARM_NAME_PATTERN))]
    pub sku: Spanned<String>,
    /// The SKU's `armRegionName` (e.g. `eastus`). Omit it when `product` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = REGION_PATTERN))]
    pub region: Option<Spanned<String>>,
    /// A pinned catalog product id (e.g. `DZH318Z0BSTK`); then `sku` is the catalog SKU id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = CATALOG_ID_PATTERN))]
    pub product: Option<Spanned<String>>,
    /// Term: `P1Y` (one year) or `P3Y` (three years). Default: the file's `defaults.term`, else `P1Y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Term>")]
    pub term: Option<Spanned<Choice<Term>>>,
    /// Scope: `shared` (all the customer's subscriptions) or `single` (this subscription).
    /// Default: the file's `defaults.scope`, else `shared`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Scope>")]
    pub scope: Option<Spanned<Choice<Scope>>>,
    /// Units the customer should own at least (a positive integer).
    #[schemars(with = "u32", range(min = 1))]
    pub quantity: Spanned<Number>,
    /// Renew before expiry (e.g. `30d`, `6w`): units expiring within this window do not count as
    /// owned, so plan proposes a `renew` before the gap opens. Default: the file's
    /// `defaults.renew_before`, else none (plan only warns 60 days ahead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", regex(pattern = DURATION_PATTERN))]
    pub renew_before: Option<Spanned<String>>,
    /// How the reservation is paid: `upfront` (default) or `monthly`, when the SKU's
    /// `supportedBillingCycles` offers it (checked at plan time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BillingPlan>")]
    pub billing: Option<Spanned<Choice<BillingPlan>>>,
    /// Acknowledges a known block with its reason (e.g. `"RU: not sold; see TICKET-12"`): when
    /// the item cannot be bought because the product is not sold in the customer's market or its
    /// inventory is restricted, the row is still shown but does not fail the run. Any other block
    /// still fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", length(min = 1))]
    pub blocked_ok: Option<Spanned<String>>,
}

/// Software from the catalog: a perpetual licence or a software subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// Item name, unique within the customer's software.
    #[schemars(with = "String", length(min = 1))]
    pub name: Spanned<String>,
    /// Catalog product id (e.g. `DG7GMGF0DWM3`).
    #[schemars(with = "String", regex(pattern = CATALOG_ID_PATTERN))]
    pub product: Spanned<String>,
    /// Catalog SKU id (e.g. `"0002"`; quote it so YAML keeps the leading zeros).
    #[schemars(with = "String", regex(pattern = CATALOG_ID_PATTERN))]
    pub sku: Spanned<String>,
    /// Units (licences) the customer should own at least (a positive integer).
    #[schemars(with = "u32", range(min = 1))]
    pub quantity: Spanned<Number>,
    /// Term, for software subscriptions that offer several. Omit for perpetual software.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Term>")]
    pub term: Option<Spanned<Choice<Term>>>,
    /// Billing cycle, when the SKU offers several. Omit to use the SKU's only one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<BillingCycle>")]
    pub billing_cycle: Option<Spanned<Choice<BillingCycle>>>,
    /// Acknowledges a known block with its reason (e.g. `"RU: not sold; see TICKET-12"`): when
    /// the item cannot be bought because the product is not sold in the customer's market or its
    /// inventory is restricted, the row is still shown but does not fail the run. Any other block
    /// still fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>", length(min = 1))]
    pub blocked_ok: Option<Spanned<String>>,
}

/// A number as written. Anything that is not an integer (`2.5`, `many`, `"3"`) is kept as text
/// so validation reports it with every other problem instead of stopping the parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Number {
    /// An integer.
    Int(i64),
    /// Another number or a boolean, as written (`2.5`, `true`).
    Other(String),
    /// A string (`"3"`, `many`).
    Text(String),
}

impl Number {
    /// The value when it is an integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Other(_) | Number::Text(_) => None,
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Other(s) => write!(f, "{s}"),
            Number::Text(s) => write!(f, "{s:?}"),
        }
    }
}

/// Text read as serde reads a string into [`Number`].
impl From<String> for Number {
    fn from(s: String) -> Self {
        Number::Text(s)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Int(i) => s.serialize_i64(*i),
            Number::Other(o) | Number::Text(o) => s.serialize_str(o),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(i64::try_from(v).map_or_else(|_| Number::Other(v.to_string()), Number::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                Ok(Number::Other(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Number, E> {
                Ok(Number::Other(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Number, E> {
                Ok(Number::Text(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Number, E> {
                Ok(Number::Other(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A GUID in its hyphenated form.
pub const GUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// A plausible ARM SKU name: letters, digits, `_`, `-`, `.`.
pub const ARM_NAME_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
/// A plausible ARM region name: letters and digits.
pub const REGION_PATTERN: &str = "^[A-Za-z0-9]+$";
/// A duration such as `30d`, `6w` or `2months` (humantime syntax).
pub const DURATION_PATTERN: &str = "^[0-9]+ ?[A-Za-z]+( ?[0-9]+ ?[A-Za-z]+)*$";
/// A catalog product or SKU id: letters and digits.
pub const CATALOG_ID_PATTERN: &str = "^[A-Za-z0-9]+$";

/// A value from a fixed set, kept as written. Parsing happens in validation, so an unknown value
/// is one more collected problem (naming the allowed values) rather than the end of the parse.
pub struct Choice<E> {
    pub raw: String,
    _kind: PhantomData<E>,
}

/// The fixed set behind a [`Choice`].
pub trait ChoiceSet: Sized + Copy + 'static {
    /// Every value with its spelling in manifests.
    const VALUES: &'static [(&'static str, Self)];
    /// What the field is called in messages.
    const WHAT: &'static str;
}

impl<E: ChoiceSet> Choice<E> {
    pub fn new(raw: impl Into<String>) -> Self {
        Choice {
            raw: raw.into(),
            _kind: PhantomData,
        }
    }
    /// The value for a spelling from the set (exact match).
    pub fn parse(&self) -> Option<E> {
        E::VALUES
            .iter()
            .find(|(s, _)| *s == self.raw)
            .map(|(_, v)| *v)
    }
    /// The allowed spellings, comma-separated.
    pub fn allowed() -> String {
        E::VALUES
            .iter()
            .map(|(s, _)| *s)
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// The spelling of a value.
    pub fn of(value: E) -> Self
    where
        E: PartialEq,
    {
        let raw = E::VALUES
            .iter()
            .find(|(_, v)| *v == value)
            .map(|(s, _)| *s)
            .unwrap_or_default();
        Choice::new(raw)
    }
}

impl<E> From<String> for Choice<E> {
    fn from(raw: String) -> Self {
        Choice {
            raw,
            _kind: PhantomData,
        }
    }
}

impl<E> Clone for Choice<E> {
    fn clone(&self) -> Self {
        Choice {
            raw: self.raw.clone(),
            _kind: PhantomData,
        }
    }
}

impl<E> std::fmt::Debug for Choice<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.raw)
    }
}

impl<E> PartialEq for Choice<E> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<E> Serialize for Choice<E> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de, E> Deserialize<'de> for Choice<E> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|raw| Choice {
            raw,
            _kind: PhantomData,
        })
    }
}

impl<E: JsonSchema> JsonSchema for Choice<E> {
    fn schema_name() -> Cow<'static, str> {
        E::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        E::json_schema(generator)
    }
}

pub use super::desired::{ReservationType, Scope, SubscriptionKind, Term};

/// Billing cycle of a software SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingCycle {
    /// Paid once, up front.
    OneTime,
    /// Paid every month.
    Monthly,
    /// Paid every year.
    Annual,
}

pub use crate::prices::money::BillingPlan;

impl ChoiceSet for BillingPlan {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("upfront", BillingPlan::Upfront),
        ("monthly", BillingPlan::Monthly),
    ];
    const WHAT: &'static str = "billing plan";
}
impl ChoiceSet for Term {
    const VALUES: &'static [(&'static str, Self)] = &[("P1Y", Term::P1Y), ("P3Y", Term::P3Y)];
    const WHAT: &'static str = "term";
}
impl ChoiceSet for Scope {
    const VALUES: &'static [(&'static str, Self)] =
        &[("shared", Scope::Shared), ("single", Scope::Single)];
    const WHAT: &'static str = "scope";
}
impl ChoiceSet for SubscriptionKind {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("azure-plan", SubscriptionKind::AzurePlan),
        ("legacy", SubscriptionKind::Legacy),
    ];
    const WHAT: &'static str = "subscription kind";
}
impl ChoiceSet for ReservationType {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("vm", ReservationType::Vm),
        ("sql", ReservationType::Sql),
        ("cosmosdb", ReservationType::Cosmosdb),
    ];
    const WHAT: &'static str = "reservation type";
}
impl ChoiceSet for BillingCycle {
    const VALUES: &'static [(&'static str, Self)] = &[
        ("one_time", BillingCycle::OneTime),
        ("monthly", BillingCycle::Monthly),
        ("annual", BillingCycle::Annual),
    ];
    const WHAT: &'static str = "billing cycle";
}

impl BillingCycle {
    /// The wire value (`one_time`, `monthly`, `annual`).
    pub fn as_str(self) -> &'static str {
        match self {
            BillingCycle::OneTime => "one_time",
            BillingCycle::Monthly => "monthly",
            BillingCycle::Annual => "annual",
        }
    }
}

/// A list read with no spare capacity: serde grows a list of unknown length to at least four
/// elements, and a manifest item is large (every field keeps its location), so a fleet of
/// one-item lists would hold about four times the memory it needs while the manifests are read.
pub(crate) fn tight<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut v = Vec::<T>::deserialize(d)?;
    v.shrink_to_fit();
    Ok(v)
}
