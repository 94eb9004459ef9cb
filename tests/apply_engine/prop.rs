//! The property behind DESIGN.md §1 promise 1: random fault schedules — commit-then-drop, 5xx,
//! 429, kills at commerce calls and at journal steps, refused lines, failing order groups,
//! availability rotation, cart expiry, entitlement lag — over a small world (2 customers, 4 lines)
//! and several re-runs never order more than declared for any purchase key, and a final
//! fault-free run always converges to exactly what is declared.

use super::fake::{FakeWorld, Fault};
use super::harness::*;
use proptest::prelude::*;

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        3 => Just(Fault::Drop),
        1 => Just(Fault::Transient),
        1 => Just(Fault::Throttle),
        1 => Just(Fault::KillBefore),
        1 => Just(Fault::KillAfter),
        1 => Just(Fault::LineError),
        1 => Just(Fault::FailGroup),
    ]
}

#[derive(Debug, Clone)]
struct RunPlan {
    faults: Vec<Fault>,
    kill_at_append: Option<usize>,
    rotate_before: bool,
    expire_after: bool,
    tick_after: bool,
}

/// Either scattered faults, or a storm: the same fault many times in a row (enough to exhaust
/// the engine's resends and leave writes in an unknown state).
fn faults() -> impl Strategy<Value = Vec<Fault>> {
    prop_oneof![
        2 => prop::collection::vec(fault(), 0..24),
        1 => (
            prop::collection::vec(fault(), 0..6),
            prop_oneof![Just(Fault::Drop), Just(Fault::Throttle), Just(Fault::Transient)],
            4usize..16,
        )
            .prop_map(|(mut v, f, n)| {
                v.extend(std::iter::repeat_n(f, n));
                v
            }),
    ]
}

fn run_plan() -> impl Strategy<Value = RunPlan> {
    (
        faults(),
        prop::option::weighted(0.3, 1usize..12),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
        any::<bool>(),
    )
        .prop_map(
            |(faults, kill_at_append, rotate_before, expire_after, tick_after)| RunPlan {
                faults,
                kill_at_append,
                rotate_before,
                expire_after,
                tick_after,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_faults_never_buy_more_than_declared_and_a_clean_run_converges(
        quantities in prop::array::uniform4(1u32..5),
        runs in prop::collection::vec(run_plan(), 1..5),
        lag in 0u64..3,
    ) {
        let world = FakeWorld::new();
        world.set_entitlement_lag(lag);
        let dir = tempfile::tempdir().expect("tempdir");
        let desired = small_world(&world, quantities);
        let want = desired_units(&desired);

        for run in &runs {
            world.clear_faults();
            world.script(run.faults.iter().copied());
            if run.rotate_before {
                world.rotate("DZH318Z0BQ3V", "Standard_D4s_v5");
            }
            run_process(&world, dir.path(), &desired, run.kill_at_append);
            assert_never_over(&world, &want);
            if run.expire_after {
                world.expire_carts();
            }
            if run.tick_after {
                world.tick();
            }
        }

        world.clear_faults();
        let last = run_process(&world, dir.path(), &desired, None);
        prop_assert!(last.completed);
        for o in &last.outcomes {
            prop_assert!(o.journal_error.is_none(), "{:?}", o.journal_error);
            prop_assert!(o.unknown.is_empty(), "{:?}", o.unknown);
        }
        assert_exact(&world, &want);

        // and one more clean run buys nothing
        let carts = world.carts_created();
        run_process(&world, dir.path(), &desired, None);
        assert_exact(&world, &want);
        prop_assert_eq!(world.carts_created(), carts);
    }
}
