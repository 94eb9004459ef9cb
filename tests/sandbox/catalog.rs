//! Products, SKUs, availabilities, check inventory, unavailable markets.

use super::common::*;
use serde_json::json;

#[tokio::test]
async fn reservation_catalog_is_split_by_reservation_scope() {
    let s = start().await;
    let legacy = s
        .get("/v1/products?country=US&targetView=AzureReservationsVM")
        .await;
    let plan = s
        .get("/v1/products?country=US&targetView=AzureReservationsVM&reservationScope=AzurePlan")
        .await;
    assert_eq!(legacy.status, 200);
    let ids = |r: &Resp| {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (l, p) = (ids(&legacy), ids(&plan));
    assert_eq!(l.len(), 4);
    assert_eq!(p.len(), 4);
    assert!(l.iter().all(|x| !p.contains(x) && x.len() == 12));
    for view in [
        "AzureReservationsSQL",
        "AzureReservationsCosmosDb",
        "Software",
        "SoftwarePerpetual",
        "SoftwareSubscriptions",
    ] {
        let r = s
            .get(&format!("/v1/products?country=GB&targetView={view}"))
            .await;
        assert!(!r.body["items"].as_array().unwrap().is_empty(), "{view}");
    }
    let bad = s
        .get("/v1/products?country=US&targetView=Azure_Reservations_VM")
        .await;
    assert_eq!(bad.status, 403);
    assert_eq!(bad.body["code"], 400036);
}

#[tokio::test]
async fn skus_and_availabilities_have_the_documented_shape() {
    let s = start().await;
    let plan = s
        .get("/v1/products?country=US&targetView=AzureReservationsVM&reservationScope=AzurePlan")
        .await;
    let product = &plan.body["items"][0];
    assert_eq!(product["attributes"]["objectType"], "Product");
    let skus_link = product["links"]["skus"]["uri"].as_str().unwrap();
    assert!(skus_link.contains("reservationScope=AzurePlan"));
    let skus = s.get(&format!("/v1{skus_link}")).await;
    let sku = &skus.body["items"][0];
    assert_eq!(sku["minimumQuantity"], 1);
    assert_eq!(sku["maximumQuantity"], 999_999_999);
    assert_eq!(sku["supportedBillingCycles"], json!(["one_time"]));
    assert!(
        sku["purchasePrerequisites"]
            .as_array()
            .unwrap()
            .contains(&json!("AzureSubscriptionRegistration"))
    );
    assert!(
        sku["provisioningVariables"]
            .as_array()
            .unwrap()
            .contains(&json!("SubscriptionId"))
    );
    for k in [
        "armSkuName",
        "armRegionName",
        "duration",
        "skuDisplayName",
        "category",
        "region",
    ] {
        assert!(sku["dynamicAttributes"][k].is_string(), "{k}");
    }
    let av = s
        .get(&format!(
            "/v1{}",
            sku["links"]["availabilities"]["uri"].as_str().unwrap()
        ))
        .await;
    let a = &av.body["items"][0];
    let cat = a["catalogItemId"].as_str().unwrap();
    assert_eq!(
        cat,
        format!(
            "{}:{}:{}",
            a["productId"].as_str().unwrap(),
            a["skuId"].as_str().unwrap(),
            a["id"].as_str().unwrap()
        )
    );
    assert_eq!(a["defaultCurrency"]["code"], "USD");
    assert!(["P1Y", "P3Y"].contains(&a["terms"][0]["duration"].as_str().unwrap()));
    let by_id = s
        .get(&format!(
            "/v1/products/{}/skus/{}/availabilities/{}?country=US",
            a["productId"].as_str().unwrap(),
            a["skuId"].as_str().unwrap(),
            a["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id.status, 200);
    assert_eq!(
        s.get("/v1/products/NOSUCHPRODUC?country=US").await.body["code"],
        400013
    );
    let pid = a["productId"].as_str().unwrap();
    assert_eq!(
        s.get(&format!("/v1/products/{pid}/skus/9999?country=US"))
            .await
            .body["code"],
        400018
    );
    assert_eq!(
        s.get(&format!(
            "/v1/products/{pid}/skus/0001/availabilities/NOPE?country=US"
        ))
        .await
        .body["code"],
        400019
    );
    // Software SKUs as documented.
    let sw = s
        .get("/v1/products/DG7GMGF0DWM3/skus/0002?country=US")
        .await;
    assert_eq!(
        sw.body["title"],
        "Windows Server 2022 Standard - 2 Core License Pack"
    );
}

#[tokio::test]
async fn inventory_is_restricted_for_nc6s_v3_in_japanwest() {
    let s = start().await;
    let item = s
        .reservation_item(
            "JP",
            "AzureReservationsVM",
            "Standard_NC6s_v3",
            "japanwest",
            "1Year",
            false,
        )
        .await;
    let (product, sku) = {
        let mut p = item.split(':');
        (p.next().unwrap().to_string(), p.next().unwrap().to_string())
    };
    let sku_json = s
        .get(&format!("/v1/products/{product}/skus/{sku}?country=JP"))
        .await;
    assert!(
        sku_json.body["purchasePrerequisites"]
            .as_array()
            .unwrap()
            .contains(&json!("InventoryCheck"))
    );
    assert_eq!(
        sku_json.body["inventoryVariables"],
        json!(["CustomerId", "AzureSubscriptionId", "ArmRegionName"])
    );
    let body = json!({ "TargetItems": [{ "ProductId": product, "SkuId": sku }], "InventoryContext": { "customerId": ADATUM, "azureSubscriptionId": ADATUM_PLAN, "armRegionName": "japanwest" } });
    // The path is matched case-insensitively.
    let r = s
        .post("/v1/extensions/product/checkInventory?country=JP", body)
        .await;
    assert_eq!(r.status, 200);
    let arr = r.body.as_array().expect("a bare array");
    assert_eq!(arr.len(), 1);
    assert_eq!(arr[0]["isRestricted"], true);
    assert_eq!(
        arr[0]["restrictions"][0]["properties"]["values"],
        "japanwest"
    );
    let east = json!({ "targetItems": [{ "productId": product }], "inventoryContext": { "armRegionName": "japaneast" } });
    let r = s
        .post("/v1/extensions/product/checkinventory?country=JP", east)
        .await;
    let arr = r.body.as_array().unwrap();
    assert!(arr.len() > 1);
    assert!(arr.iter().all(|x| x["isRestricted"] == false));
}

#[tokio::test]
async fn unavailable_markets_get_no_reservations_or_software() {
    let s = start().await;
    for view in ["AzureReservationsVM", "Software"] {
        for country in ["RU", "XK", "BR"] {
            let r = s
                .get(&format!(
                    "/v1/products?country={country}&targetView={view}&reservationScope=AzurePlan"
                ))
                .await;
            assert_eq!(r.status, 200);
            assert_eq!(
                r.body["items"].as_array().unwrap().len(),
                0,
                "{country} {view}"
            );
        }
    }
    let by_customer = s.get(&format!("/v1/customers/{TAILSPIN}/products?targetView=AzureReservationsVM&reservationScope=AzurePlan")).await;
    assert_eq!(by_customer.body["items"].as_array().unwrap().len(), 0);
}
