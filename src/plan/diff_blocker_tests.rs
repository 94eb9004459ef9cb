//! Unit tests of what blocks a shortfall, and of the rows of customers or items that could not
//! be observed.

use super::*;

#[test]
fn blocked_when_the_market_is_unavailable() {
    let (mut d, mut oc) = simple();
    d.customers[0].name = Some("tailspin".into());
    oc.country = "RU".into();
    assert_eq!(
        blocked_reason(&d, oc),
        "customer tailspin is in RU, where Azure reservations are not sold"
    );
}

#[test]
fn blocked_when_the_catalog_says_market_unavailable() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::MarketUnavailable;
    assert!(blocked_reason(&d, oc).contains("where Azure reservations are not sold"));
}

#[test]
fn blocked_when_the_subscription_is_missing_inactive_or_of_the_other_kind() {
    let (d, mut oc) = simple();
    oc.subscriptions.clear();
    assert!(blocked_reason(&d, oc).contains(&format!("subscription {S1} was not found")));

    let (d, mut oc) = simple();
    sub_mut(&mut oc).status = SubscriptionStatus::Suspended;
    assert_eq!(
        blocked_reason(&d, oc),
        format!("subscription {S1} is suspended, not active")
    );

    let (d, mut oc) = simple();
    sub_mut(&mut oc).kind = SubscriptionKind::Legacy;
    assert_eq!(
        blocked_reason(&d, oc),
        format!(
            "subscription {S1} is declared azure-plan but Partner Center says legacy MS-AZR-0145P"
        )
    );
}

/// Issue 16 item 4: an item the customer's catalog does not have is a manifest mistake, not a
/// block: an `error` row naming the file and line and the close matches.
#[test]
fn an_item_not_in_the_catalog_is_an_error_located_in_the_manifest_with_close_matches() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::NotFound {
        searched: "AzureReservationsVM (Azure plan, US): Standard_D4s_v6 in eastus for 3Years"
            .into(),
        suggestions: vec!["Standard_D4s_v5".into(), "Standard_D8s_v5".into()],
    };
    let plan = diff(&d, &obs(vec![oc]));
    let r = item_row(&plan, "web");
    assert_eq!(r.action, Action::Error, "{r:#?}");
    assert_eq!((r.to_buy, r.irreversible), (0, false));
    assert_eq!(
        r.reason.as_deref().unwrap_or_default(),
        "m.yaml:1:1: no SKU in the catalog for AzureReservationsVM (Azure plan, US): \
         Standard_D4s_v6 in eastus for 3Years; close matches: Standard_D4s_v5, Standard_D8s_v5"
    );
    assert_eq!(plan.exit_code(false), 1);
}

#[test]
fn blocked_when_inventory_is_restricted_or_quantity_out_of_bounds_or_needs_app_user() {
    let set = |oc: &mut ObservedCustomer, f: &dyn Fn(&mut CatalogItem)| {
        if let Resolution::Found(ci) = &mut oc.resolutions[0].resolution {
            f(ci)
        }
    };
    let (d, mut oc) = simple();
    set(&mut oc, &|ci| {
        ci.inventory = Inventory::Restricted {
            reason: "NotAvailableForSubscription in japanwest".into(),
        }
    });
    assert!(blocked_reason(&d, oc).contains("inventory is restricted"));

    let (d, mut oc) = simple();
    set(&mut oc, &|ci| ci.min_quantity = 5);
    assert_eq!(
        blocked_reason(&d, oc),
        "buying 4 units is below the SKU's minimum of 5"
    );

    let (d, mut oc) = simple();
    set(&mut oc, &|ci| ci.max_quantity = 3);
    assert_eq!(
        blocked_reason(&d, oc),
        "buying 4 units is above the SKU's maximum of 3"
    );

    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::NeedsAppUser;
    assert!(blocked_reason(&d, oc).contains("needs App+User credentials"));
}

#[test]
fn blocked_by_limits_per_item_and_per_apply() {
    let (mut d, oc) = simple();
    d.limits.max_units_per_item = Some(3);
    assert_eq!(
        blocked_reason(&d, oc),
        "buying 4 units exceeds limits.max_units_per_item (3)"
    );

    let (mut d, oc) = simple();
    d.limits.max_units_per_item = Some(4);
    d.limits.max_units_per_apply = Some(3);
    let reason = blocked_reason(&d, oc.clone());
    assert!(
        reason.contains("limits.max_units_per_apply (3)"),
        "{reason}"
    );
    assert!(reason.contains("buy 4 units in total"), "{reason}");

    d.limits.max_units_per_apply = Some(4);
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Purchase);
}

#[test]
fn a_run_wide_cap_blocks_every_purchase_and_updates_the_summary() {
    let (d, oc) = simple();
    let mut plan = diff(&d, &obs(vec![oc]));
    plan.limit_total_units(10, "--max-units");
    assert_eq!(item_row(&plan, "web").action, Action::Purchase);
    plan.limit_total_units(3, "--max-units");
    let r = item_row(&plan, "web");
    assert_eq!(r.action, Action::Blocked);
    assert!(
        r.reason
            .as_deref()
            .unwrap_or("")
            .contains("more than --max-units (3)")
    );
    assert_eq!((plan.summary.to_buy, plan.summary.blocked), (0, 1));
}

#[test]
fn in_flight_doubt_blocks_purchases_and_says_to_wait() {
    let (d, mut oc) = simple();
    oc.in_flight_unknown = Some(InFlightUnknown::JournalUnreadable);
    let reason = blocked_reason(&d, oc.clone());
    assert!(reason.contains("wait 15 minutes"), "{reason}");
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert!(
        plan.customers[0]
            .notes
            .iter()
            .any(|n| n.contains("journal"))
    );
    assert_eq!(plan.exit_code(false), 1);

    // Items already owned stay ok.
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1"));
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Ok);
}

#[test]
fn an_unreadable_activity_log_blocks_purchases_naming_the_call() {
    let (d, mut oc) = simple();
    oc.in_flight_unknown = Some(InFlightUnknown::ActivityLogUnreadable {
        error: "reading the partner activity log: GET /v1/auditrecords: HTTP 403".into(),
    });
    let reason = blocked_reason(&d, oc.clone());
    assert!(
        reason.contains("GET /v1/auditrecords: HTTP 403"),
        "{reason}"
    );
    assert!(reason.contains("last 30 minutes"), "{reason}");
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert_eq!(plan.exit_code(true), 1);
    assert_eq!(plan.summary.to_buy, 0);

    // Nothing to buy: nothing blocked.
    oc.holdings
        .push(holding(S1, "Standard_D4s_v5", Term::P3Y, 4, "o1"));
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Ok);
    assert_eq!(plan.exit_code(true), 0);
}

#[test]
fn an_unattributed_recent_order_blocks_only_possibly_matching_items() {
    let (d, mut oc) = simple();
    let doubt = |product: &str, sku: &str| crate::plan::UnattributedOrder {
        order_id: Some("o-portal".into()),
        product_id: Some(product.into()),
        sku_id: Some(sku.into()),
        why: "its order line gives no scope in its provisioning context".into(),
    };
    oc.in_flight_unknown = Some(InFlightUnknown::Unattributed {
        orders: vec![doubt("OTHER", "0001")],
    });
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert_eq!(
        item_row(&plan, "web").action,
        Action::Purchase,
        "another product"
    );

    oc.in_flight_unknown = Some(InFlightUnknown::Unattributed {
        orders: vec![doubt("p-standard_d4s_v5", "P3Y")],
    });
    let reason = blocked_reason(&d, oc);
    assert!(reason.contains("order o-portal"), "{reason}");
    assert!(reason.contains("no scope"), "{reason}");
}

#[test]
fn the_plan_carries_the_witnesses_it_rests_on() {
    let (d, oc) = simple();
    let mut o = obs(vec![oc]);
    assert_eq!(diff(&d, &o).witnesses, None);
    o.witnesses = Some(crate::plan::Witnesses {
        journal: crate::plan::JournalWitness::Missing,
        orders_by_id: 1,
        activity_log: crate::plan::ActivityWitness::Read {
            minutes: 30,
            orders: 2,
        },
    });
    let plan = diff(&d, &o);
    let line = plan.witnesses.as_ref().expect("witnesses").line();
    assert_eq!(
        line,
        "Recent purchases checked with: the purchase journal (none in this state dir), 1 order \
         fetched by id, the partner activity log (2 orders in the last 30 minutes)."
    );
    let json = crate::render::render_plan(&plan, crate::render::Format::Json, false);
    assert!(json.contains("\"activity_log\""), "{json}");
    for format in [crate::render::Format::Text, crate::render::Format::Markdown] {
        let out = crate::render::render_plan(&plan, format, false);
        assert!(out.contains(&line), "{format:?}: {out}");
    }
}

#[test]
fn a_failed_customer_gets_error_rows_and_others_are_still_planned() {
    let (mut d, oc) = simple();
    d.customers.push(dcust(
        C2,
        "fabrikam",
        vec![dsub(
            S2,
            SubscriptionKind::AzurePlan,
            vec![res("db", "SQLDB", Term::P1Y, 2)],
        )],
        vec![sw("win", "DG7GMGF0DWM3", "0002", 3)],
    ));
    let mut o = obs(vec![oc]);
    o.customers.push(CustomerObservation::Failed {
        customer_id: C2.into(),
        error: "reading subscriptions: 503 Service Unavailable".into(),
    });
    let plan = diff(&d, &o);
    let errors: Vec<_> = plan
        .rows
        .iter()
        .filter(|r| r.action == Action::Error)
        .collect();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("could not read customer fabrikam: reading subscriptions: 503")
    );
    assert_eq!(item_row(&plan, "web").action, Action::Purchase);
    assert_eq!(plan.summary.errors, 2);
    assert_eq!(plan.exit_code(true), 1);

    // Not observed at all: errors too.
    let plan = diff(&d, &obs(vec![]));
    assert!(plan.rows.iter().all(|r| r.action == Action::Error));
}

#[test]
fn a_catalog_error_or_missing_resolution_is_an_error_row() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::Error("products: 500".into());
    let plan = diff(&d, &obs(vec![oc.clone()]));
    assert_eq!(item_row(&plan, "web").action, Action::Error);
    oc.resolutions.clear();
    let plan = diff(&d, &obs(vec![oc]));
    assert_eq!(item_row(&plan, "web").action, Action::Error);
}

#[test]
fn an_ambiguous_catalog_answer_blocks_the_item_with_its_reason() {
    let (d, mut oc) = simple();
    oc.resolutions[0].resolution = Resolution::Ambiguous {
        reason: "2 purchasable commercial availabilities".into(),
    };
    let plan = diff(&d, &obs(vec![oc]));
    let row = item_row(&plan, "web");
    assert_eq!(row.action, Action::Blocked);
    assert!(
        row.reason
            .as_deref()
            .is_some_and(|r| r.contains("2 purchasable commercial availabilities")),
        "{row:?}"
    );
}

#[path = "diff_dup_tests.rs"]
mod duplicates;
