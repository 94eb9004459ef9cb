//! The hook right before checkout (DESIGN §5 step 7): a veto abandons the cart, nothing is
//! ordered, the lines fail with the reason, and a checkout already sent is never vetoed.

use super::fake::FakeWorld;
use super::harness::*;
use futures::FutureExt;
use futures::future::BoxFuture;
use reservoir::apply::witness::{BeforeCheckout, Veto as Vetoed};
use reservoir::apply::{CartState, CustomerBatch, NoopReporter, apply_customer};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Vetoes every checkout (or none), counting the calls.
struct Veto {
    veto: bool,
    calls: AtomicU32,
}

impl BeforeCheckout for Veto {
    fn check<'a>(&'a self, _customer_id: &'a str) -> BoxFuture<'a, Result<(), Vetoed>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let veto = self.veto;
        Box::pin(async move {
            if veto {
                Err(Vetoed::OrderAppeared {
                    order: "order o-portal".into(),
                })
            } else {
                Ok(())
            }
        })
    }
}

fn batch(world: &FakeWorld, dir: &std::path::Path) -> CustomerBatch {
    let desired = small_world(world, [2, 1, 1, 1]);
    let j = journal(world, dir, None);
    CustomerBatch {
        customer_id: CONTOSO.into(),
        customer_name: None,
        plan_hash: "h".into(),
        register: vec![],
        lines: plan(world, &j, &desired[0]).wait().expect("plan"),
    }
}

#[test]
fn a_vetoed_checkout_abandons_the_cart_and_orders_nothing() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let batch = batch(&world, dir.path());
    let j = journal(&world, dir.path(), None);
    let veto = Arc::new(Veto {
        veto: true,
        calls: AtomicU32::new(0),
    });
    let mut opts = options(&world);
    opts.before_checkout = Some(veto.clone());
    let out = apply_customer(&batch, &world, &j, &NoopReporter, &opts)
        .now_or_never()
        .expect("completes");
    assert_eq!(veto.calls.load(Ordering::SeqCst), 1);
    assert!(world.orders().is_empty(), "nothing ordered");
    assert_eq!(out.units_placed(), 0);
    assert_eq!(out.carts.len(), 1);
    assert_eq!(out.carts[0].state, CartState::Abandoned);
    assert_eq!(out.failures.len(), batch.lines.len(), "{out:#?}");
    assert!(
        out.failures
            .iter()
            .all(|f| f.code == "order-appeared" && f.description.contains("o-portal"))
    );
    assert!(!out.is_success());
    assert!(
        j.pending(CONTOSO).wait().expect("journal").is_empty(),
        "an abandoned cart leaves nothing pending"
    );
}

#[test]
fn a_check_that_passes_lets_the_checkout_through() {
    let world = FakeWorld::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let batch = batch(&world, dir.path());
    let j = journal(&world, dir.path(), None);
    let pass = Arc::new(Veto {
        veto: false,
        calls: AtomicU32::new(0),
    });
    let mut opts = options(&world);
    opts.before_checkout = Some(pass.clone());
    let out = apply_customer(&batch, &world, &j, &NoopReporter, &opts)
        .now_or_never()
        .expect("completes");
    assert!(out.is_success(), "{out:#?}");
    assert_eq!(pass.calls.load(Ordering::SeqCst), 1, "asked once per cart");
    assert_eq!(out.units_placed(), 4);
}
