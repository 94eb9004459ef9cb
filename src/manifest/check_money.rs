//! Money and savings-plan checks: money limits (`limits.max_commitment…`), currency codes,
//! hourly commitments, and a `savings_plans:` item as a whole (scope and entitlement agree).

use super::check::{Ctx, choice, guid, is_gap, name};
use super::desired::{Scope, Term};
use super::desired_savings::{DesiredSavingsPlan, HourlyCommitment};
use super::diagnostics::Diagnostic;
use super::model::Number;
use super::model_savings::SavingsPlan;
use serde_saphyr::Spanned;

/// A money limit (`limits.max_commitment…`): a positive amount and a three-letter currency code.
pub(super) fn money_limit(
    ctx: &mut Ctx<'_>,
    what: &str,
    v: &super::model::MoneyLimit,
) -> Option<crate::prices::money::Money> {
    if is_gap(&v.amount) || is_gap(&v.currency) {
        return None;
    }
    let written = ctx.written(&v.amount);
    let amount = match &v.amount.value {
        Number::Int(i) => Some(rust_decimal::Decimal::from(*i)),
        Number::Other(s) => s.trim().parse::<rust_decimal::Decimal>().ok(),
        Number::Text(_) => None,
    }
    .filter(|a| *a > rust_decimal::Decimal::ZERO);
    let Some(amount) = amount else {
        ctx.push(
            Diagnostic::error(format!(
                "limits.{what}.amount {written} is not a positive amount"
            ))
            .with_hint("write a number such as 250000 or 1250.50"),
            &v.amount,
        );
        return None;
    };
    let code = v.currency.value.trim();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        ctx.push(
            Diagnostic::error(format!(
                "limits.{what}.currency {code:?} is not an ISO 4217 currency code"
            ))
            .with_hint("write a three-letter code such as USD or EUR"),
            &v.currency,
        );
        return None;
    }
    Some(crate::prices::money::Money {
        amount,
        currency: code.to_ascii_uppercase(),
    })
}

/// A three-letter ISO 4217 code, upper-cased. `what` names the field in messages.
pub(super) fn currency(ctx: &mut Ctx<'_>, what: &str, v: &Spanned<String>) -> Option<String> {
    if is_gap(v) {
        return None;
    }
    let code = v.value.trim();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        ctx.push(
            Diagnostic::error(format!("{what} {code:?} is not an ISO 4217 currency code"))
                .with_hint("write a three-letter code such as USD or EUR"),
            v,
        );
        return None;
    }
    Some(code.to_ascii_uppercase())
}

/// An hourly commitment: a positive decimal (number or string) with at most three decimals.
pub(super) fn hourly_commitment(
    ctx: &mut Ctx<'_>,
    v: &Spanned<Number>,
) -> Option<HourlyCommitment> {
    if is_gap(v) {
        return None;
    }
    let parsed = match &v.value {
        Number::Int(i) => u32::try_from(*i)
            .ok()
            .and_then(|i| HourlyCommitment::parse(&i.to_string())),
        Number::Other(s) | Number::Text(s) => HourlyCommitment::parse(s),
    };
    if parsed.is_none() {
        let written = ctx.written(v);
        ctx.push(
            Diagnostic::error(format!(
                "hourly_commitment {written} is not a positive amount per hour"
            ))
            .with_hint(
                "write a decimal with at most three decimals, up to 4294967.295, e.g. \"5.00\"",
            ),
            v,
        );
    }
    parsed
}

/// `savings plan "name"`, or `savings plan` when its name could not be read.
fn label(p: &SavingsPlan) -> String {
    if is_gap(&p.name) {
        "savings plan".to_owned()
    } else {
        format!("savings plan \"{}\"", p.name.value)
    }
}

/// Checks and normalises a `savings_plans:` item; `default_term` is the file's `defaults.term`
/// (`None` when given but invalid). `single` scope needs `entitlement`; `shared` refuses one.
pub(super) fn savings_plan(
    ctx: &mut Ctx<'_>,
    p: &SavingsPlan,
    default_term: Option<Term>,
) -> Option<DesiredSavingsPlan> {
    let item_name = name(ctx, "savings plan name", &p.name);
    let subscription =
        (!is_gap(&p.subscription)).then(|| guid(ctx, "subscription id", &p.subscription));
    let scope = match &p.scope {
        Some(s) => choice(ctx, s),
        None => Some(Scope::Shared),
    };
    let entitlement = p
        .entitlement
        .as_ref()
        .filter(|e| !is_gap(e))
        .map(|e| guid(ctx, "entitlement id", e));
    let consistent = match (scope, &entitlement) {
        (Some(Scope::Single), None) => {
            let at = p.scope.as_ref().map(|s| ctx.source(s));
            let d = Diagnostic::error(format!("{} has scope single but no entitlement", label(p)))
                .with_hint(
                    "name the Azure subscription the plan applies to: entitlement: <its GUID>",
                );
            match (&p.scope, at) {
                (Some(s), Some(_)) => ctx.push(d, s),
                _ => ctx.push(d, &p.name),
            }
            false
        }
        (Some(Scope::Shared), Some(_)) => {
            let d = Diagnostic::error(format!(
                "{} has an entitlement but scope shared",
                label(p)
            ))
            .with_hint("a shared plan applies to every subscription; write scope: single to apply it to one");
            if let Some(e) = &p.entitlement {
                ctx.push(d, e);
            }
            false
        }
        _ => true,
    };
    let term = match &p.term {
        Some(t) => choice(ctx, t),
        None => default_term,
    };
    let billing = match &p.billing {
        Some(b) => choice(ctx, b),
        None => Some(Default::default()),
    };
    let commitment = hourly_commitment(ctx, &p.hourly_commitment);
    let currency = currency(ctx, "currency", &p.currency);
    let blocked_ok = super::check::blocked_ok(ctx, p.blocked_ok.as_ref());
    if !consistent {
        return None;
    }
    Some(DesiredSavingsPlan {
        name: item_name?,
        subscription_id: subscription?,
        scope: scope?,
        entitlement_id: entitlement,
        term: term?,
        billing: billing?,
        hourly_commitment: commitment?,
        currency: currency?,
        source: ctx.source(&p.name),
        blocked_ok: blocked_ok?,
    })
}
