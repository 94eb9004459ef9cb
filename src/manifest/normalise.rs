//! Normalisation of one parsed file: defaults applied (the file's `defaults`, else `P1Y` and
//! `shared`), ids lower-cased, regions lower-cased, product ids upper-cased, each value checked
//! (see `check`). The result is the file's declarations, still per file; `merge` joins files.
//! In a file read leniently, a customer, subscription or item holding a gap (a value that could
//! not be read) is checked as far as it goes but left out of the declarations.

use super::check::{self, Ctx};
use super::desired::{
    DesiredReservation, DesiredSoftware, RenewBefore, ReservationTarget, Scope, SourceRef,
    SubscriptionKind, Term,
};
use super::diagnostics::Diagnostic;
use super::model::{self, Manifest};

/// The manifest format versions this build reads.
pub(super) const SUPPORTED_VERSION: i64 = 1;

/// One customer as one file declares it.
#[derive(Debug, Clone)]
pub(super) struct CustomerDecl {
    pub id: String,
    pub id_source: SourceRef,
    pub name: Option<(String, SourceRef)>,
    pub subscriptions: Vec<SubscriptionDecl>,
    pub software: Vec<DesiredSoftware>,
    pub savings_plans: Vec<super::DesiredSavingsPlan>,
}

/// One subscription as one file declares it.
#[derive(Debug, Clone)]
pub(super) struct SubscriptionDecl {
    pub id: String,
    pub id_source: SourceRef,
    /// `None` when the kind was not valid (already reported).
    pub kind: Option<(SubscriptionKind, SourceRef)>,
    pub reservations: Vec<DesiredReservation>,
}

/// Checks and normalises one file's customers. `max_per_item` is the merged
/// `limits.max_units_per_item` of all files.
pub(super) fn normalise(
    ctx: &mut Ctx<'_>,
    m: &Manifest,
    max_per_item: Option<u32>,
) -> Vec<CustomerDecl> {
    if !check::is_gap(&m.version) && m.version.value.as_int() != Some(SUPPORTED_VERSION) {
        ctx.push(
            Diagnostic::error(format!("unsupported manifest version {}", m.version.value))
                .with_hint("this reservoir reads `version: 1` (a number)"),
            &m.version,
        );
    }
    let defaults = m.defaults.clone().unwrap_or_default();
    let default_term = match &defaults.term {
        Some(t) => check::choice(ctx, t),
        None => Some(Term::P1Y),
    };
    let default_scope = match &defaults.scope {
        Some(s) => check::choice(ctx, s),
        None => Some(Scope::Shared),
    };
    // `Err(())`: a default that is not valid (already reported); items relying on it are left out.
    let default_renew = match &defaults.renew_before {
        Some(r) => check::renew_before(ctx, r).map(Some).ok_or(()),
        None => Ok(None),
    };
    let defaults = ItemDefaults {
        term: default_term,
        scope: default_scope,
        renew_before: default_renew,
    };
    m.customers
        .iter()
        .filter_map(|c| customer(ctx, c, &defaults, max_per_item))
        .collect()
}

/// The file's `defaults`, checked (`None` / `Err`: given but not valid, already reported).
struct ItemDefaults {
    term: Option<Term>,
    scope: Option<Scope>,
    renew_before: Result<Option<RenewBefore>, ()>,
}

fn customer(
    ctx: &mut Ctx<'_>,
    c: &model::Customer,
    defaults: &ItemDefaults,
    max: Option<u32>,
) -> Option<CustomerDecl> {
    let id = (!check::is_gap(&c.id)).then(|| check::guid(ctx, "customer id", &c.id));
    let name = c
        .name
        .as_ref()
        .and_then(|n| check::name(ctx, "customer name", n).map(|v| (v, ctx.source(n))));
    let subscriptions = c
        .subscriptions
        .iter()
        .filter_map(|s| {
            let id = (!check::is_gap(&s.id)).then(|| check::guid(ctx, "subscription id", &s.id));
            let kind = check::choice(ctx, &s.kind).map(|k| (k, ctx.source(&s.kind)));
            let reservations = s
                .reservations
                .iter()
                .filter_map(|r| reservation(ctx, r, defaults, max))
                .collect();
            // A kind that is not valid or could not be read is `None`: `merge` checks the
            // subscription's owner but takes none of its reservations.
            Some(SubscriptionDecl {
                id: id?,
                id_source: ctx.source(&s.id),
                kind,
                reservations,
            })
        })
        .collect();
    let software = c
        .software
        .iter()
        .filter_map(|s| software(ctx, s, max))
        .collect();
    let savings_plans = c
        .savings_plans
        .iter()
        .filter_map(|p| super::check_money::savings_plan(ctx, p, defaults.term))
        .collect();
    Some(CustomerDecl {
        id: id?,
        id_source: ctx.source(&c.id),
        name,
        subscriptions,
        software,
        savings_plans,
    })
}

fn reservation(
    ctx: &mut Ctx<'_>,
    r: &model::Reservation,
    defaults: &ItemDefaults,
    max: Option<u32>,
) -> Option<DesiredReservation> {
    let name = check::name(ctx, "reservation name", &r.name);
    let reservation_type = check::choice(ctx, &r.reservation_type);
    let target = match (&r.region, &r.product) {
        (Some(region), None) => {
            let sku = check::arm_sku(ctx, &r.sku, reservation_type);
            let region = check::region(ctx, region);
            sku.zip(region)
                .map(|(arm_sku_name, arm_region_name)| ReservationTarget::Arm {
                    arm_sku_name,
                    arm_region_name,
                })
        }
        (None, Some(product)) => {
            let product = check::catalog_id(ctx, "product", product);
            let sku = check::catalog_id(ctx, "sku", &r.sku);
            product.zip(sku).map(|(p, s)| ReservationTarget::Pinned {
                product_id: p.to_ascii_uppercase(),
                sku_id: s,
            })
        }
        (Some(region), Some(product)) => {
            let d = Diagnostic::error(format!("{} gives both region and product", label(r)))
                .with_hint("give sku + region (ARM names), or product + sku (catalog ids)");
            if !check::is_gap(product) {
                ctx.push(d, product);
            } else if !check::is_gap(region) {
                ctx.push(d, region);
            }
            None
        }
        (None, None) => {
            // Without a name to point at, the item already has a structural problem.
            if !check::is_gap(&r.name) {
                ctx.push(
                    Diagnostic::error(format!("{} has no region", label(r)))
                        .with_hint("give sku + region (ARM names), or product + sku (catalog ids)"),
                    &r.name,
                );
            }
            None
        }
    };
    let term = match &r.term {
        Some(t) => check::choice(ctx, t),
        None => defaults.term,
    };
    let scope = match &r.scope {
        Some(s) => check::choice(ctx, s),
        None => defaults.scope,
    };
    let renew_before = match &r.renew_before {
        Some(w) => check::renew_before(ctx, w).map(Some),
        None => defaults.renew_before.ok(),
    };
    let quantity = check::quantity(ctx, "quantity", &r.quantity, max);
    let billing = match &r.billing {
        Some(b) => check::choice(ctx, b),
        None => Some(Default::default()),
    };
    let blocked_ok = check::blocked_ok(ctx, r.blocked_ok.as_ref());
    Some(DesiredReservation {
        renew_before: renew_before?,
        name: name?,
        reservation_type: reservation_type?,
        target: target?,
        term: term?,
        scope: scope?,
        quantity: quantity?,
        billing: billing?,
        source: ctx.source(&r.name),
        blocked_ok: blocked_ok?,
    })
}

/// `reservation "name"`, or `reservation` when its name could not be read.
fn label(r: &model::Reservation) -> String {
    if check::is_gap(&r.name) {
        "reservation".to_owned()
    } else {
        format!("reservation \"{}\"", r.name.value)
    }
}

fn software(ctx: &mut Ctx<'_>, s: &model::Software, max: Option<u32>) -> Option<DesiredSoftware> {
    let name = check::name(ctx, "software name", &s.name);
    let product = check::catalog_id(ctx, "product", &s.product);
    let sku = check::catalog_id(ctx, "sku", &s.sku);
    let quantity = check::quantity(ctx, "quantity", &s.quantity, max);
    let term = s.term.as_ref().map(|t| check::choice(ctx, t));
    let billing_cycle = s.billing_cycle.as_ref().map(|b| check::choice(ctx, b));
    let blocked_ok = check::blocked_ok(ctx, s.blocked_ok.as_ref());
    Some(DesiredSoftware {
        term: match term {
            Some(t) => Some(t?.as_str().to_owned()),
            None => None,
        },
        billing_cycle: match billing_cycle {
            Some(b) => Some(b?.as_str().to_owned()),
            None => None,
        },
        name: name?,
        product_id: product?.to_ascii_uppercase(),
        sku_id: sku?,
        quantity: quantity?,
        source: ctx.source(&s.name),
        blocked_ok: blocked_ok?,
    })
}
