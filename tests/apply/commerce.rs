//! `PartnerCenterCommerce` against the sandbox: the wire mapping of carts, checkout and orders,
//! the error classification of a stale availability, and re-resolving a line fresh.

use super::support::*;
use reservoir::apply::{CartLine, Commerce, CommerceError, OrderStatus, PartnerCenterCommerce};
use reservoir::catalog::Catalog;
use reservoir::manifest::PurchaseKey;
use reservoir::partner_center::Reader;
use reservoir::store::PurchaseLine;
use std::collections::BTreeMap;

fn software_line(catalog_item_id: &str) -> PurchaseLine {
    PurchaseLine {
        commitment: None,
        key: PurchaseKey::Software {
            customer_id: CONTOSO.into(),
            product_id: "DG7GMGF0FKZV".into(),
            sku_id: "0001".into(),
        },
        item_name: "sql-server-perpetual".into(),
        catalog_item_id: catalog_item_id.into(),
        product_id: "DG7GMGF0FKZV".into(),
        sku_id: "0001".into(),
        quantity: 3,
        billing_cycle: "one_time".into(),
        term_duration: None,
        provisioning_context: BTreeMap::new(),
        friendly_name: Some("sql".into()),
        estimate: None,
    }
}

#[test]
fn a_rotated_availability_is_400019_at_checkout_and_resolve_line_finds_the_fresh_one() {
    let sb = Sandbox::start();
    // Orders complete at checkout (the sandbox default keeps them pending for a while).
    sb.knobs(serde_json::json!({"fulfillmentDelaySecs": 0}));
    let desired = reservoir::manifest::load(&[sb.manifest(CONTOSO_YAML)])
        .expect("manifest")
        .desired;
    let client = sb.client();
    let catalog = Catalog::new(Reader::new(&client));
    let commerce = PartnerCenterCommerce::new(&client, &catalog, &desired);
    let (fresh, cart) = sb.block_on(async {
        let stale = software_line("DG7GMGF0FKZV:0001:STALE");
        let fresh = commerce
            .resolve_line(CONTOSO, &stale)
            .await
            .expect("resolves");
        assert_ne!(fresh.catalog_item_id, stale.catalog_item_id);
        assert!(fresh.catalog_item_id.starts_with("DG7GMGF0FKZV:0001:"));

        let lines = [CartLine {
            id: 0,
            line: fresh.clone(),
        }];
        let rid = uuid::Uuid::new_v4().to_string();
        let cart = commerce
            .create_cart(CONTOSO, &lines, &rid)
            .await
            .expect("cart");
        assert_eq!(cart.lines.len(), 1);
        assert_eq!(cart.lines[0].error, None);
        assert!(cart.lines[0].order_group.is_some());
        let again = commerce
            .create_cart(CONTOSO, &lines, &rid)
            .await
            .expect("same request id");
        assert_eq!(
            again.cart_id, cart.cart_id,
            "the same MS-RequestId gives the same cart"
        );
        (fresh, cart)
    });
    sb.rotate_availabilities();
    sb.block_on(async {
        let rid = uuid::Uuid::new_v4().to_string();
        let got = commerce.checkout(CONTOSO, &cart.cart_id, &rid).await;
        assert_eq!(got, Err(CommerceError::AvailabilityNotFound));

        let renewed = commerce
            .resolve_line(CONTOSO, &fresh)
            .await
            .expect("resolves again");
        assert_ne!(renewed.catalog_item_id, fresh.catalog_item_id);
        let lines = [CartLine {
            id: 0,
            line: renewed.clone(),
        }];
        let cart = commerce
            .create_cart(CONTOSO, &lines, &uuid::Uuid::new_v4().to_string())
            .await
            .expect("cart");
        let result = commerce
            .checkout(CONTOSO, &cart.cart_id, &uuid::Uuid::new_v4().to_string())
            .await
            .expect("checkout");
        assert_eq!(result.orders.len(), 1);
        assert!(result.order_errors.is_empty());
        let order = &result.orders[0];
        assert_eq!(order.lines[0].quantity, 3);
        assert!(
            order.lines[0]
                .catalog_item_id
                .eq_ignore_ascii_case(&renewed.catalog_item_id)
        );
        let info = commerce
            .get_order(CONTOSO, &order.order_id)
            .await
            .expect("order by id");
        assert_eq!(info.status, OrderStatus::Completed);
        let gone = commerce
            .get_cart(CONTOSO, "00000000-0000-0000-0000-000000000000")
            .await;
        assert_eq!(gone, Err(CommerceError::CartNotFound));
    });
    assert_eq!(sb.units(CONTOSO), 3);
}
