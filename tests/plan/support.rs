//! The plan area's part of the harness: a manifest matching the demo world, the JSON row of an
//! item, and holdings bought through the client. The sandbox and the binary come from the shared
//! [`crate::support`].

use reservoir::catalog::{Buyer, Catalog, Freshness};
use reservoir::manifest::{
    DesiredReservation, ReservationTarget, ReservationType, Scope, SourceRef, SubscriptionKind,
    Term,
};
use reservoir::partner_center::Reader;
use reservoir::plan::Resolution;
use std::path::PathBuf;

pub(crate) use crate::support::world::{CONTOSO, CONTOSO_PLAN, FABRIKAM};
pub(crate) use crate::support::{Sandbox, row};

/// Manifest whose items match exactly what the demo world owns.
pub(crate) const MATCHING: &str = r#"
version: 1
customers:
  - id: 4b5f3c2e-0d7a-4c1e-9a55-2f8c7b1e6d01
    name: contoso
    subscriptions:
      - id: 9a51d0e2-3b7c-4f0a-8c61-5e2d9f4a7b10
        kind: azure-plan
        reservations:
          - name: web-tier
            type: vm
            sku: Standard_D2s_v5
            region: eastus
            term: P1Y
            scope: shared
            quantity: 2
    software:
      - name: windows-server
        product: DG7GMGF0DWM3
        sku: "0002"
        quantity: 5
  - id: 7d2a9c61-4e8b-4f3a-b1c5-6e0d2f8a9b02
    name: fabrikam
    subscriptions:
      - id: b4d6f8a0-2c4e-4f6a-8b0c-1d3e5f7a9b12
        kind: azure-plan
        reservations:
          - name: sql
            type: sql
            sku: SQLDB_GP_Compute_Gen5
            region: uksouth
            term: P3Y
            scope: shared
            quantity: 4
"#;

impl Sandbox {
    /// Buys a reservation through the client, as apply would.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn buy(
        &self,
        customer: &str,
        country: &str,
        subscription: &str,
        kind: SubscriptionKind,
        sku: &str,
        region: &str,
        term: Term,
        quantity: u32,
    ) {
        let client = self.client();
        let r = DesiredReservation {
            renew_before: None,
            name: "setup".into(),
            reservation_type: ReservationType::Vm,
            target: ReservationTarget::Arm {
                arm_sku_name: sku.into(),
                arm_region_name: region.into(),
            },
            term,
            scope: Scope::Shared,
            quantity,
            billing: Default::default(),
            source: SourceRef {
                file: PathBuf::from("setup.yaml"),
                line: 1,
                column: 1,
            },
            blocked_ok: None,
        };
        self.block_on(async {
            let catalog = Catalog::new(Reader::new(&client));
            let buyer = Buyer {
                customer_id: customer,
                country,
            };
            let res = catalog
                .resolve_reservation(buyer, subscription, kind, &r, Freshness::Fresh)
                .await;
            let Resolution::Found(ci) = res else {
                panic!("cannot resolve {sku} {region}: {res:?}");
            };
            crate::support::creds::buy_reservation(
                &client,
                customer,
                subscription,
                ci.catalog_item_id()
                    .expect("a resolution reads the availability"),
                term,
                quantity,
            )
            .await;
        });
    }
}
