//! The client against the sandbox for savings plans and FX rates: the customer-scoped catalog
//! (the string-valued minimum commitment, terms, billing cycles), and the FX rate list on the
//! pricing host, consistent with the sandbox's converted prices.

use super::common::*;
use reservoir::kinds::savings_plan::catalog::{minimum_commitment, sku_term};
use reservoir::manifest::{HourlyCommitment, Term};
use reservoir::prices::fx::FxRates;
use rust_decimal::Decimal;

#[tokio::test]
async fn the_savings_plan_catalog_is_read_by_customer_for_azure_plan_customers_only() {
    let env = start().await;
    let skus = env
        .client
        .list_customer_skus(CONTOSO, "DZH318Z09V6F", "Azure")
        .await
        .expect("contoso has an Azure plan");
    let terms: Vec<Term> = skus.iter().map(|s| sku_term(s).expect("term")).collect();
    assert_eq!(terms, vec![Term::P1Y, Term::P3Y]);
    for s in &skus {
        assert_eq!((s.minimum_quantity, s.maximum_quantity), (Some(1), Some(1)));
        assert_eq!(
            minimum_commitment(s),
            Ok(Some((HourlyCommitment(1), Some("USD".to_owned())))),
            "the documented string amount \"0.001\""
        );
        let cycles: Vec<&str> = s
            .supported_billing_cycles
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(cycles, vec!["one_time", "monthly"]);
    }
    let avail = env
        .client
        .list_customer_availabilities(CONTOSO, "DZH318Z09V6F", "0002", "Azure", "commercial")
        .await
        .expect("availabilities");
    assert_eq!(avail.len(), 1);
    assert!(avail[0].catalog_item_id.starts_with("DZH318Z09V6F:0002:"));
}

#[tokio::test]
async fn fx_rates_are_served_on_the_pricing_host_and_match_the_sandbox_prices() {
    let env = start().await;
    let csv = env.client.get_fx_rates("202611").await.expect("FX rates");
    let rates = FxRates::parse(&csv).expect("a readable list");
    assert_eq!(rates.month, "202611");
    // The sandbox prices EUR at 0.92 per USD: USD 100 is EUR 92.
    assert_eq!(
        rates.from_usd(Decimal::new(100, 0), "EUR"),
        Some(Decimal::new(92, 0))
    );
    assert_eq!(
        rates.from_usd(Decimal::new(100, 0), "USD"),
        Some(Decimal::new(100, 0))
    );
    assert!(
        env.client.get_fx_rates("2026-11").await.is_err(),
        "month is YYYYMM"
    );
}
