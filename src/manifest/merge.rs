//! Merging every file's declarations into one [`DesiredState`], with the checks that span files:
//! one name per customer, one customer per subscription, one kind per subscription, item names
//! unique within a subscription (software: within a customer), no purchase key declared twice,
//! and limits that agree. Also the "legal but likely a mistake" warnings, and the manifest hash.

use super::desired::{
    DesiredCustomer, DesiredState, DesiredSubscription, Limits, PurchaseKey, SourceRef,
};
use super::diagnostics::{Diagnostic, Diagnostics, SourceFile};
use super::normalise::CustomerDecl;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Files are looked up by path to point diagnostics into them.
pub(super) struct Files<'a>(pub &'a [SourceFile]);

impl Files<'_> {
    fn at(&self, d: Diagnostic, s: &SourceRef) -> Diagnostic {
        match self.0.iter().find(|f| f.path == s.file) {
            Some(f) => d.at(f, s.line, s.column),
            None => d.in_file(&s.file),
        }
    }
}

/// Joins the declarations of every file (in file order) into one desired state.
pub(super) fn merge(
    files: &Files<'_>,
    decls: Vec<CustomerDecl>,
    limits: Limits,
    diags: &mut Diagnostics,
) -> DesiredState {
    let mut customers: BTreeMap<String, DesiredCustomer> = BTreeMap::new();
    let mut names: BTreeMap<String, (String, SourceRef)> = BTreeMap::new();
    let mut customer_names: BTreeMap<String, (String, SourceRef)> = BTreeMap::new();
    let mut sub_owner: BTreeMap<String, (String, SourceRef)> = BTreeMap::new();
    let mut sub_kind: BTreeMap<String, (super::desired::SubscriptionKind, SourceRef)> =
        BTreeMap::new();
    let mut item_names: BTreeMap<(String, String, String), SourceRef> = BTreeMap::new();
    let mut software_names: BTreeMap<(String, String), SourceRef> = BTreeMap::new();
    let mut savings_names: BTreeMap<(String, String), SourceRef> = BTreeMap::new();
    let mut keys: BTreeMap<PurchaseKey, (String, SourceRef)> = BTreeMap::new();

    for decl in decls {
        let customer = customers
            .entry(decl.id.clone())
            .or_insert_with(|| DesiredCustomer {
                id: decl.id.clone(),
                name: None,
                subscriptions: Vec::new(),
                software: Vec::new(),
                savings_plans: Vec::new(),
                source: decl.id_source.clone(),
            });
        if let Some((name, src)) = &decl.name {
            match customer_names.get(&decl.id) {
                Some((first, first_src)) if first != name => diags.push(
                    files.at(
                        Diagnostic::error(format!(
                            "customer {} is named \"{name}\" here but \"{first}\" at {first_src}",
                            decl.id
                        ))
                        .with_hint("use one name for a customer in every file"),
                        src,
                    ),
                ),
                Some(_) => {}
                None => {
                    customer_names.insert(decl.id.clone(), (name.clone(), src.clone()));
                    customer.name = Some(name.clone());
                    match names.get(&name.to_lowercase()) {
                        Some((other_id, other_src)) if *other_id != decl.id => {
                            diags.push(files.at(
                                Diagnostic::error(format!(
                                    "customer name \"{name}\" is also used by customer {other_id}"
                                ))
                                .with_hint(format!(
                                    "names select customers in --customer; the other is at {other_src}"
                                )),
                                src,
                            ))
                        }
                        _ => {
                            names.insert(name.to_lowercase(), (decl.id.clone(), src.clone()));
                        }
                    }
                }
            }
        }

        for sub in decl.subscriptions {
            match sub_owner.get(&sub.id) {
                Some((owner, owner_src)) if *owner != decl.id => {
                    diags.push(
                        files.at(
                            Diagnostic::error(format!(
                                "subscription {} is declared under two customers",
                                sub.id
                            ))
                            .with_hint(format!("it is also under customer {owner} at {owner_src}")),
                            &sub.id_source,
                        ),
                    );
                    continue;
                }
                Some(_) => {}
                None => {
                    sub_owner.insert(sub.id.clone(), (decl.id.clone(), sub.id_source.clone()));
                }
            }
            let Some((kind, kind_src)) = sub.kind else {
                continue;
            };
            match sub_kind.get(&sub.id) {
                Some((first, first_src)) if *first != kind => {
                    diags.push(
                        files.at(
                            Diagnostic::error(format!(
                                "subscription {} is of kind {} here but {} at {first_src}",
                                sub.id,
                                kind_name(kind),
                                kind_name(*first)
                            ))
                            .with_hint("a subscription has one kind: azure-plan or legacy"),
                            &kind_src,
                        ),
                    );
                    continue;
                }
                Some(_) => {}
                None => {
                    sub_kind.insert(sub.id.clone(), (kind, kind_src));
                }
            }
            let idx = match customer.subscriptions.iter().position(|s| s.id == sub.id) {
                Some(i) => i,
                None => {
                    customer.subscriptions.push(DesiredSubscription {
                        id: sub.id.clone(),
                        kind,
                        reservations: Vec::new(),
                        source: sub.id_source.clone(),
                    });
                    customer.subscriptions.len() - 1
                }
            };
            for r in sub.reservations {
                let name_key = (decl.id.clone(), sub.id.clone(), r.name.clone());
                if let Some(first) = item_names.get(&name_key) {
                    diags.push(files.at(
                        Diagnostic::error(format!(
                            "reservation name \"{}\" is used twice in subscription {}",
                            r.name, sub.id
                        ))
                        .with_hint(format!("the first is at {first}; names must be unique within a subscription")),
                        &r.source,
                    ));
                    continue;
                }
                item_names.insert(name_key, r.source.clone());
                let key = r.purchase_key(&decl.id, &sub.id).comparable();
                if let Some((first, first_src)) = keys.get(&key) {
                    diags.push(files.at(
                        Diagnostic::error(format!(
                            "reservation \"{}\" buys the same thing as \"{first}\"",
                            r.name
                        ))
                        .with_hint(format!(
                            "\"{first}\" is at {first_src}; declare the total quantity in one item"
                        )),
                        &r.source,
                    ));
                    continue;
                }
                keys.insert(key, (r.name.clone(), r.source.clone()));
                customer.subscriptions[idx].reservations.push(r);
            }
        }

        for s in decl.software {
            let name_key = (decl.id.clone(), s.name.clone());
            if let Some(first) = software_names.get(&name_key) {
                diags.push(files.at(
                    Diagnostic::error(format!(
                        "software name \"{}\" is used twice for customer {}",
                        s.name, decl.id
                    ))
                    .with_hint(format!("the first is at {first}; names must be unique within a customer's software")),
                    &s.source,
                ));
                continue;
            }
            software_names.insert(name_key, s.source.clone());
            let key = s.purchase_key(&decl.id).comparable();
            if let Some((first, first_src)) = keys.get(&key) {
                diags.push(
                    files.at(
                        Diagnostic::error(format!(
                            "software \"{}\" buys the same thing as \"{first}\" ({} / {})",
                            s.name, s.product_id, s.sku_id
                        ))
                        .with_hint(format!(
                            "\"{first}\" is at {first_src}; declare the total quantity in one item"
                        )),
                        &s.source,
                    ),
                );
                continue;
            }
            keys.insert(key, (s.name.clone(), s.source.clone()));
            customer.software.push(s);
        }

        for p in decl.savings_plans {
            let name_key = (decl.id.clone(), p.name.clone());
            if let Some(first) = savings_names.get(&name_key) {
                diags.push(files.at(
                    Diagnostic::error(format!(
                        "savings plan name \"{}\" is used twice for customer {}",
                        p.name, decl.id
                    ))
                    .with_hint(format!("the first is at {first}; names must be unique within a customer's savings plans")),
                    &p.source,
                ));
                continue;
            }
            savings_names.insert(name_key, p.source.clone());
            let key = p.purchase_key(&decl.id).comparable();
            if let Some((first, first_src)) = keys.get(&key) {
                diags.push(files.at(
                    Diagnostic::error(format!(
                        "savings plan \"{}\" has the same subscription, scope, term and billing as \"{first}\"",
                        p.name
                    ))
                    .with_hint(format!(
                        "\"{first}\" is at {first_src}; declare the total hourly commitment in one item"
                    )),
                    &p.source,
                ));
                continue;
            }
            keys.insert(key, (p.name.clone(), p.source.clone()));
            customer.savings_plans.push(p);
        }
    }

    let mut customers: Vec<DesiredCustomer> = customers.into_values().collect();
    for c in &mut customers {
        c.sort_items();
    }
    // Warnings about empty customers and subscriptions only make sense once the items parsed.
    if !diags.has_errors() {
        warnings(files, &customers, diags);
    }
    let mut state = DesiredState {
        customers,
        limits,
        manifest_hash: String::new(),
    };
    state.manifest_hash = manifest_hash(&state);
    state
}

fn kind_name(k: super::desired::SubscriptionKind) -> &'static str {
    match k {
        super::desired::SubscriptionKind::AzurePlan => "azure-plan",
        super::desired::SubscriptionKind::Legacy => "legacy",
    }
}

/// Legal but likely mistakes.
fn warnings(files: &Files<'_>, customers: &[DesiredCustomer], diags: &mut Diagnostics) {
    for c in customers {
        if c.subscriptions.is_empty() && c.software.is_empty() && c.savings_plans.is_empty() {
            diags.push(
                files.at(
                    Diagnostic::warning(format!(
                        "customer \"{}\" declares nothing to buy",
                        c.label()
                    ))
                    .with_hint("add subscriptions with reservations or software, or remove it"),
                    &c.source,
                ),
            );
        }
        for s in &c.subscriptions {
            if s.reservations.is_empty() {
                diags.push(
                    files.at(
                        Diagnostic::warning(format!(
                            "subscription {} of customer \"{}\" declares no reservations",
                            s.id,
                            c.label()
                        ))
                        .with_hint("nothing is bought for it; add reservations or remove it"),
                        &s.source,
                    ),
                );
            }
        }
    }
}

/// Hex SHA-256 over the canonical JSON of the state without source locations, so moving or
/// reformatting an item does not change the hash but any change of meaning does.
pub(super) fn manifest_hash(state: &DesiredState) -> String {
    let mut canonical = state.clone();
    canonical.manifest_hash = String::new();
    let blank = SourceRef {
        file: Default::default(),
        line: 0,
        column: 0,
    };
    for c in &mut canonical.customers {
        c.source = blank.clone();
        for s in &mut c.subscriptions {
            s.source = blank.clone();
            for r in &mut s.reservations {
                r.source = blank.clone();
            }
        }
        for s in &mut c.software {
            s.source = blank.clone();
        }
        for p in &mut c.savings_plans {
            p.source = blank.clone();
        }
    }
    let json = serde_json::to_vec(&canonical).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
