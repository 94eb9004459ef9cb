use super::*;
use crate::kinds::HoldingKind;
use crate::partner_center::wire::Subscription;
use serde_json::json;

fn plan(scope: Scope, entitlement: Option<&str>, billing: BillingPlan) -> DesiredSavingsPlan {
    DesiredSavingsPlan {
        name: "compute".into(),
        subscription_id: "sub".into(),
        scope,
        entitlement_id: entitlement.map(str::to_owned),
        term: Term::P1Y,
        billing,
        hourly_commitment: HourlyCommitment(5000),
        currency: "USD".into(),
        source: SourceRef {
            file: "m.yaml".into(),
            line: 1,
            column: 1,
        },
        blocked_ok: None,
    }
}

fn subscription(v: serde_json::Value) -> Subscription {
    serde_json::from_value(v).expect("subscription")
}

fn benefit(term: &str, end: &str, lines: serde_json::Value) -> serde_json::Value {
    json!({
        "id": "sp1", "offerId": "DZH318Z09V6F:0001", "unitType": "Benefit", "billingType": "benefit",
        "billingCycle": "one_time", "termDuration": term, "status": "active",
        "commitmentEndDate": end, "orderId": "o1", "lineItems": lines,
    })
}

#[test]
fn the_cart_terms_follow_the_scope_and_billing_plan() {
    let shared = plan(Scope::Shared, None, BillingPlan::Monthly).purchase_key("c");
    let t = cart_terms(&shared).expect("terms");
    assert_eq!(t.billing_cycle, "monthly");
    assert_eq!(t.term_duration.as_deref(), Some("P1Y"));
    assert_eq!(
        t.provisioning_context,
        BTreeMap::from([
            ("scope".to_owned(), "shared".to_owned()),
            ("subscriptionId".to_owned(), "sub".to_owned()),
        ])
    );
    let single = plan(Scope::Single, Some("ent"), BillingPlan::Upfront).purchase_key("c");
    let t = cart_terms(&single).expect("terms");
    assert_eq!(t.billing_cycle, "one_time");
    assert_eq!(
        t.provisioning_context,
        BTreeMap::from([
            ("scope".to_owned(), "single".to_owned()),
            ("entitlementId".to_owned(), "ent".to_owned()),
        ])
    );
}

#[test]
fn holdings_sum_active_lines_and_read_the_documented_date_defect() {
    let s = subscription(benefit(
        "P1Y",
        "2023-05-18TT21:22:26",
        json!([
            { "scope": "Shared", "purchaseCommitment": { "amount": "0.05", "grain": "Hourly", "currency": "usd" }, "status": "active" },
            { "scope": "shared", "purchaseCommitment": { "amount": 1.5, "grain": "hourly", "currency": "USD" } },
            { "scope": "shared", "purchaseCommitment": { "amount": 9, "grain": "hourly", "currency": "USD" }, "status": "cancelled" },
        ]),
    ));
    let h = observed::holdings("c", &[s]).expect("readable");
    assert_eq!(h.len(), 1);
    assert_eq!(
        h[0].quantity, 1550,
        "0.05 + 1.50 per hour; the cancelled line is left out"
    );
    assert_eq!(h[0].order_id, "o1");
    assert_eq!(h[0].expiry.as_deref(), Some("2023-05-18T21:22:26Z"));
    let a = h[0].kind.savings_plan().expect("savings plan");
    assert_eq!(
        (a.scope, a.term, a.billing, a.currency.as_deref()),
        (
            Some(Scope::Shared),
            Some(Term::P1Y),
            Some(BillingPlan::Upfront),
            Some("USD")
        )
    );
    let item = plan(Scope::Shared, None, BillingPlan::Upfront);
    assert!(SavingsPlanItem(&item).holding_matches(&h[0], None));
    let monthly = plan(Scope::Shared, None, BillingPlan::Monthly);
    assert!(!SavingsPlanItem(&monthly).holding_matches(&h[0], None));
    // Single scope: the entitlement must agree when the subscription names one; when it does
    // not, the holding counts (a doubt buys less, never twice).
    let mut single = h[0].clone();
    single.kind = HoldingKind::SavingsPlan(SavingsPlanAttribution {
        scope: Some(Scope::Single),
        entitlement_id: Some("ent-a".into()),
        ..a.clone()
    });
    let want_a = plan(Scope::Single, Some("ENT-A"), BillingPlan::Upfront);
    let want_b = plan(Scope::Single, Some("ent-b"), BillingPlan::Upfront);
    assert!(SavingsPlanItem(&want_a).holding_matches(&single, None));
    assert!(!SavingsPlanItem(&want_b).holding_matches(&single, None));
    single.kind = HoldingKind::SavingsPlan(SavingsPlanAttribution {
        scope: Some(Scope::Single),
        entitlement_id: None,
        ..a.clone()
    });
    assert!(SavingsPlanItem(&want_b).holding_matches(&single, None));
}

#[test]
fn an_unusable_term_or_amount_is_an_error_never_a_guess() {
    let line = json!([{ "scope": "shared", "purchaseCommitment": { "amount": "0.05", "grain": "hourly", "currency": "usd" } }]);
    let e = observed::holdings("c", &[subscription(benefit("PY", "2027-01-01", line))])
        .expect_err("PY is not a term");
    assert!(
        e.to_string().contains("termDuration is \"PY\", not a term"),
        "{e}"
    );
    assert_eq!(
        (e.field.as_str(), e.subscription_id.as_str()),
        ("termDuration", "sp1")
    );
    let bad_amount = json!([{ "scope": "shared", "purchaseCommitment": { "amount": "0.0001", "grain": "hourly", "currency": "usd" } }]);
    let e = observed::holdings(
        "c",
        &[subscription(benefit("P1Y", "2027-01-01", bad_amount))],
    )
    .expect_err("finer than the grain");
    assert!(
        e.to_string()
            .contains("lineItems[0] has no usable purchaseCommitment.amount"),
        "{e}"
    );
    // Other subscriptions are not savings plans and are left alone.
    let other = subscription(
        json!({ "id": "x", "offerId": "DZH318Z0BPS6:0001:A", "unitType": "Usage-based" }),
    );
    assert_eq!(observed::holdings("c", &[other]).expect("none"), Vec::new());
}

#[test]
fn a_skus_term_and_minimum_are_read_then_checked() {
    let sku = |term: &str| -> crate::partner_center::wire::Sku {
        serde_json::from_value(json!({
            "id": "0001", "dynamicAttributes": { "termDuration": term },
            "minimumPurchaseCommitment": { "grain": "Hourly", "currencyCode": { "code": "USD" }, "amount": "0.001" },
        }))
        .expect("sku")
    };
    assert_eq!(catalog::sku_term(&sku("P1Y")), Ok(Term::P1Y));
    let e = catalog::sku_term(&sku("PY")).expect_err("PY");
    assert!(e.to_string().contains("\"PY\""), "{e}");
    assert_eq!(
        e,
        catalog::SkuError::Term {
            sku: "0001".into(),
            term: "PY".into()
        }
    );
    assert_eq!(
        catalog::minimum_commitment(&sku("P1Y")),
        Ok(Some((HourlyCommitment(1), Some("USD".to_owned()))))
    );
}

#[test]
fn the_commitment_is_hourly_times_the_hours_of_the_term() {
    let p = plan(Scope::Shared, None, BillingPlan::Upfront);
    let (unit, currency) = SavingsPlanItem(&p).unit_price();
    let m =
        crate::prices::money::RowMoney::known(unit, &currency, 50, BillingPlan::Upfront, Some(12));
    assert_eq!(
        describe_money(&m),
        "USD 438.00 (USD 0.05/h × 8,760 h, upfront)"
    );
    let mut three = p.clone();
    three.term = Term::P3Y;
    three.billing = BillingPlan::Monthly;
    let (unit, currency) = SavingsPlanItem(&three).unit_price();
    let m = crate::prices::money::RowMoney::known(
        unit,
        &currency,
        5000,
        BillingPlan::Monthly,
        Some(36),
    );
    assert_eq!(
        describe_money(&m),
        "USD 131,400.00 (USD 5.00/h × 26,280 h; monthly USD 3,650.00)"
    );
    assert_eq!(amount(2500), "2.50/h");
}
