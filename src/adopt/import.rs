//! `reservoir import`: one manifest per customer declaring exactly what it holds now, so that
//! `plan` on it proposes no purchase and shows no surplus. Holdings of the same purchase identity
//! are one item (quantities summed); comments give each item's catalog title, orders and expiry
//! dates. Holdings that cannot be declared (cancelled, expired, not attributable, on a subscription
//! that is not an active Azure subscription) are listed in comments with the reason, never
//! dropped silently. Rendering is pure ([`render`]); writing refuses to overwrite without `force`.

use super::{comment_text, yaml_scalar};
use crate::kinds::{Declaration, Kind, Undeclarable, declare_holding, describe_holding};
use crate::manifest::SubscriptionKind;
use crate::plan::{Holding, ObservedCustomer, SubscriptionStatus};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Why imported manifests could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} already exists; pass --force to overwrite it", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One customer's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Lower-case customer id.
    pub customer_id: String,
    /// The file name (no folder), unique within one import.
    pub file_name: String,
    pub text: String,
    /// Items declared.
    pub items: usize,
    /// Holdings listed as not declared.
    pub not_declared: usize,
}

/// Why a holding is listed as a comment instead of declared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum NotDeclared {
    #[error("cancelled: no units left")]
    Cancelled,
    #[error("expired on {0}")]
    Expired(chrono::NaiveDate),
    #[error(transparent)]
    Undeclarable(#[from] Undeclarable),
    #[error("the customer has no active Azure plan subscription to declare it under")]
    NoAzurePlan,
    #[error("subscription {0} is not one of the customer's Azure subscriptions")]
    UnknownSubscription(String),
    #[error("subscription {id} is {status}")]
    Inactive { id: String, status: String },
}

/// A declared item being built: its declaration, units and the holdings behind it.
struct Group {
    decl: Declaration,
    quantity: u32,
    titles: BTreeSet<String>,
    orders: Vec<String>,
}

/// Why a holding is not declared, or its declaration.
fn declaration(
    c: &ObservedCustomer,
    h: &Holding,
    now: DateTime<Utc>,
) -> Result<Declaration, NotDeclared> {
    if h.quantity == 0 {
        return Err(NotDeclared::Cancelled);
    }
    if let Some(e) = &h.expiry
        && let Ok(t) = DateTime::parse_from_rfc3339(e)
        && t.with_timezone(&Utc) <= now
    {
        return Err(NotDeclared::Expired(t.date_naive()));
    }
    let mut d = declare_holding(h)?;
    if d.needs_azure_plan_subscription() {
        // Any of the customer's active Azure plan subscriptions: the plan counts for its
        // scope, not for the subscription it was bought under.
        let sid = c
            .subscriptions
            .iter()
            .filter(|(_, s)| s.kind == SubscriptionKind::AzurePlan)
            .filter(|(_, s)| s.status == SubscriptionStatus::Active)
            .map(|(id, _)| id.to_ascii_lowercase())
            .min()
            .ok_or(NotDeclared::NoAzurePlan)?;
        d.fields.insert(0, ("subscription", sid));
    }
    if let Some(sid) = &d.subscription_id {
        match c.subscription(sid) {
            None => {
                return Err(NotDeclared::UnknownSubscription(sid.clone()));
            }
            Some(s) if s.status != SubscriptionStatus::Active => {
                return Err(NotDeclared::Inactive {
                    id: sid.clone(),
                    status: s.status.as_str().to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(d)
}

/// `order O (N units, expires 2027-01-31)`; a savings plan's amount is its hourly commitment
/// (`order O (2.75/h, expires …)`).
fn order_note(h: &Holding, kind: Kind) -> String {
    let expiry = h
        .expiry
        .as_deref()
        .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
        .map(|t| format!(", expires {}", t.format("%Y-%m-%d")))
        .unwrap_or_default();
    let order = if h.order_id.is_empty() {
        "unknown order".to_owned()
    } else {
        format!("order {}", h.order_id)
    };
    let amount = kind.amount_phrase(h.quantity);
    format!("{order} ({amount}{expiry})")
}

/// The manifest of one customer. `file_name` is chosen by the caller; `schema` is the modeline
/// target.
pub fn render(c: &ObservedCustomer, schema: &str, now: DateTime<Utc>) -> (String, usize, usize) {
    let mut groups: BTreeMap<(Option<String>, String), Group> = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut holdings: Vec<&Holding> = c.holdings.iter().collect();
    holdings.sort_by(|a, b| {
        (&a.order_id, &a.product_id, &a.sku_id).cmp(&(&b.order_id, &b.product_id, &b.sku_id))
    });
    for h in holdings {
        match declaration(c, h, now) {
            Ok(d) => {
                let g = groups
                    .entry((d.subscription_id.clone(), d.slot.to_ascii_lowercase()))
                    .or_insert_with(|| Group {
                        decl: d,
                        quantity: 0,
                        titles: BTreeSet::new(),
                        orders: Vec::new(),
                    });
                g.quantity = g.quantity.saturating_add(h.quantity);
                g.titles.extend(h.title.clone());
                g.orders.push(order_note(h, g.decl.kind));
            }
            Err(why) => skipped.push(format!(
                "{} ({}/{}) × {}, {}: {why}",
                describe_holding(h),
                h.product_id,
                h.sku_id,
                h.quantity,
                if h.order_id.is_empty() {
                    "unknown order".to_owned()
                } else {
                    format!("order {}", h.order_id)
                },
            )),
        }
    }
    // Unique names per customer, in the order items are written.
    let mut used = BTreeSet::new();
    let mut items: Vec<(String, Group)> = Vec::new();
    for (_, g) in groups {
        let mut name = g.decl.name.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{}-{n}", g.decl.name);
            n += 1;
        }
        used.insert(name.clone());
        items.push((name, g));
    }
    let label = c.company_name.clone().unwrap_or_else(|| c.id.clone());
    let mut out = String::new();
    let _ = writeln!(out, "# yaml-language-server: $schema={schema}");
    let _ = writeln!(out, "#");
    let _ = writeln!(
        out,
        "# What {} holds now, written by `reservoir import`: each item declares exactly the units",
        comment_text(&label)
    );
    let _ = writeln!(
        out,
        "# owned, so `reservoir plan` on this file proposes no purchase."
    );
    let _ = writeln!(out, "version: 1");
    let _ = writeln!(out, "customers:");
    let _ = writeln!(out, "  - id: {}", c.id);
    if let Some(n) = &c.company_name {
        let _ = writeln!(out, "    name: {}", yaml_scalar(n));
    }
    let subs: BTreeSet<&String> = items
        .iter()
        .filter_map(|(_, g)| g.decl.subscription_id.as_ref())
        .collect();
    if !subs.is_empty() {
        let _ = writeln!(out, "    subscriptions:");
    }
    for sid in subs {
        let kind = match c.subscription(sid).map(|s| s.kind) {
            Some(SubscriptionKind::Legacy) => "legacy",
            _ => "azure-plan",
        };
        let _ = writeln!(out, "      - id: {sid}");
        let _ = writeln!(out, "        kind: {kind}");
        let _ = writeln!(out, "        reservations:");
        for (name, g) in items
            .iter()
            .filter(|(_, g)| g.decl.subscription_id.as_ref() == Some(sid))
        {
            write_item(&mut out, "          ", name, g);
        }
    }
    let customer_level: Vec<&(String, Group)> = items
        .iter()
        .filter(|(_, g)| g.decl.subscription_id.is_none() && g.decl.kind == Kind::Software)
        .collect();
    if !customer_level.is_empty() {
        let _ = writeln!(out, "    software:");
        for (name, g) in customer_level {
            write_item(&mut out, "      ", name, g);
        }
    }
    let savings_plans: Vec<&(String, Group)> = items
        .iter()
        .filter(|(_, g)| g.decl.kind == Kind::SavingsPlan)
        .collect();
    if !savings_plans.is_empty() {
        let _ = writeln!(out, "    savings_plans:");
        for (name, g) in savings_plans {
            write_item(&mut out, "      ", name, g);
        }
    }
    if items.is_empty() {
        let _ = writeln!(
            out,
            "    # holds nothing a manifest can declare: add subscriptions or software to buy"
        );
    }
    if !skipped.is_empty() {
        let _ = writeln!(out, "#");
        let _ = writeln!(
            out,
            "# Not declared: these holdings cannot be expressed in a manifest."
        );
        for s in &skipped {
            let _ = writeln!(out, "#   - {}", comment_text(s));
        }
    }
    (out, items.len(), skipped.len())
}

fn write_item(out: &mut String, indent: &str, name: &str, g: &Group) {
    for t in &g.titles {
        let _ = writeln!(out, "{indent}# {}", comment_text(t));
    }
    for o in &g.orders {
        let _ = writeln!(out, "{indent}# {}", comment_text(o));
    }
    let _ = writeln!(out, "{indent}- name: {}", yaml_scalar(name));
    for (k, v) in &g.decl.fields {
        let _ = writeln!(out, "{indent}  {k}: {}", yaml_scalar(v));
    }
    let (k, v) = g.decl.amount_field(g.quantity);
    let _ = writeln!(out, "{indent}  {k}: {v}");
}

/// One manifest per customer, sorted by customer id, with file names from the company name (else
/// the id), made unique.
pub fn manifests(
    customers: &[ObservedCustomer],
    schema: &str,
    now: DateTime<Utc>,
) -> Vec<Imported> {
    let mut sorted: Vec<&ObservedCustomer> = customers.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut used = BTreeSet::new();
    let mut out = Vec::new();
    for c in sorted {
        let base = c
            .company_name
            .as_deref()
            .map(|n| crate::kinds::slug(&[n]))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| c.id.clone());
        let mut stem = base.clone();
        if used.contains(&stem) {
            stem = format!("{base}-{}", c.id.chars().take(8).collect::<String>());
        }
        used.insert(stem.clone());
        let (text, items, not_declared) = render(c, schema, now);
        out.push(Imported {
            customer_id: c.id.clone(),
            file_name: format!("{stem}.yaml"),
            text,
            items,
            not_declared,
        });
    }
    out
}

/// Writes every manifest into `dir` (created if missing). Without `force`, nothing is written
/// when any of the files exists.
pub fn write(dir: &Path, manifests: &[Imported], force: bool) -> Result<Vec<PathBuf>, WriteError> {
    let paths: Vec<PathBuf> = manifests.iter().map(|m| dir.join(&m.file_name)).collect();
    if !force && let Some(p) = paths.iter().find(|p| p.exists()) {
        return Err(WriteError::Exists(p.clone()));
    }
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (p, m) in paths.iter().zip(manifests) {
        std::fs::write(p, &m.text).map_err(|source| WriteError::Io {
            path: p.clone(),
            source,
        })?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{HoldingKind, ReservationAttribution};
    use crate::manifest::{ReservationType, Scope, Term};
    use crate::plan::{CredentialsKind, HoldingsSource, ObservedSubscription, Registration};

    fn reservation(sub: Option<&str>, quantity: u32, expiry: &str, order: &str) -> Holding {
        Holding {
            kind: HoldingKind::Reservation(ReservationAttribution {
                subscription_id: sub.map(str::to_owned),
                term: Some(Term::P1Y),
                scope: Some(Scope::Shared),
                reservation_type: Some(ReservationType::Vm),
                arm_sku_name: Some("Standard_D2s_v5".into()),
                arm_region_name: Some("eastus".into()),
            }),
            product_id: "DZH318Z0BQ3Q".into(),
            sku_id: "00C1".into(),
            quantity,
            order_id: order.into(),
            expiry: Some(expiry.into()),
            title: Some("Reserved VM Instance, Standard_D2s_v5, US East, 1 Year".into()),
        }
    }

    fn customer(holdings: Vec<Holding>) -> ObservedCustomer {
        ObservedCustomer {
            id: "c1".into(),
            company_name: Some("Contoso Ltd".into()),
            country: "US".into(),
            subscriptions: BTreeMap::from([
                (
                    "s1".to_owned(),
                    ObservedSubscription {
                        id: "s1".into(),
                        status: SubscriptionStatus::Active,
                        kind: SubscriptionKind::AzurePlan,
                        registration: Registration::Unknown,
                    },
                ),
                (
                    "s2".to_owned(),
                    ObservedSubscription {
                        id: "s2".into(),
                        status: SubscriptionStatus::Suspended,
                        kind: SubscriptionKind::Legacy,
                        registration: Registration::Unknown,
                    },
                ),
            ]),
            holdings,
            holdings_source: HoldingsSource::Entitlements,
            credentials: CredentialsKind::AppUser,
            pending: vec![],
            in_flight_unknown: None,
            resolutions: vec![],
        }
    }

    #[test]
    fn holdings_that_cannot_be_declared_are_listed_with_the_reason() {
        let now = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
            .expect("date")
            .with_timezone(&Utc);
        let c = customer(vec![
            reservation(Some("s1"), 2, "2027-01-31T00:00:00Z", "o1"),
            reservation(Some("s1"), 3, "2027-03-31T00:00:00Z", "o2"),
            reservation(Some("s1"), 1, "2026-01-31T00:00:00Z", "o3"),
            reservation(Some("s1"), 0, "2027-01-31T00:00:00Z", "o4"),
            reservation(None, 4, "2027-01-31T00:00:00Z", "o5"),
            reservation(Some("s2"), 1, "2027-01-31T00:00:00Z", "o6"),
            reservation(Some("s9"), 1, "2027-01-31T00:00:00Z", "o7"),
        ]);
        let (text, items, skipped) = render(&c, "schema.json", now);
        assert_eq!((items, skipped), (1, 5), "{text}");
        assert!(text.starts_with("# yaml-language-server: $schema=schema.json\n"));
        assert!(text.contains("    name: \"Contoso Ltd\"\n"), "{text}");
        assert!(
            text.contains(
                "          # Reserved VM Instance, Standard_D2s_v5, US East, 1 Year\n          \
                 # order o1 (2 units, expires 2027-01-31)\n          \
                 # order o2 (3 units, expires 2027-03-31)\n          \
                 - name: vm-standard-d2s-v5-eastus-p1y-shared\n"
            ),
            "{text}"
        );
        assert!(text.contains("            quantity: 5\n"), "{text}");
        for reason in [
            "order o3: expired on 2026-01-31",
            "order o4: cancelled: no units left",
            "order o5: its order line names no subscription, so it cannot be attributed",
            "order o6: subscription s2 is suspended",
            "order o7: subscription s9 is not one of the customer's Azure subscriptions",
        ] {
            assert!(text.contains(reason), "missing {reason:?}:\n{text}");
        }
        let listed = text.lines().filter(|l| l.starts_with("#   - ")).count();
        assert_eq!(listed, 5, "{text}");
    }

    #[test]
    fn file_names_are_unique_and_sorted_by_customer() {
        let now = Utc::now();
        let mut a = customer(vec![]);
        a.id = "b".into();
        let mut b = customer(vec![]);
        b.id = "a".into();
        let m = manifests(&[a, b], "s", now);
        let names: Vec<&str> = m.iter().map(|m| m.file_name.as_str()).collect();
        assert_eq!(names, ["contoso-ltd.yaml", "contoso-ltd-b.yaml"]);
    }
}
