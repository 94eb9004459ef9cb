//! Integration tests for `reservoir apply`: the real binary against a sandbox served from the
//! test process, purchases counted with `/_sandbox/orders`.

#[path = "apply/support.rs"]
mod support;

#[path = "apply/attribution.rs"]
mod attribution;
#[path = "apply/calls.rs"]
mod calls;
#[path = "apply/commerce.rs"]
mod commerce;
#[path = "apply/concurrency.rs"]
mod concurrency;
#[path = "apply/duplicates.rs"]
mod duplicates;
#[path = "apply/events.rs"]
mod events;
#[path = "apply/faults.rs"]
mod faults;
#[path = "apply/flow.rs"]
mod flow;
#[path = "apply/guards.rs"]
mod guards;
#[path = "apply/hostile_answers.rs"]
mod hostile_answers;
#[path = "apply/hostile_cart.rs"]
mod hostile_cart;
#[path = "apply/interrupt.rs"]
mod interrupt;
#[path = "apply/lost_journal.rs"]
mod lost_journal;
#[path = "apply/mixed.rs"]
mod mixed;
#[path = "apply/mixed_prop.rs"]
mod mixed_prop;
#[path = "apply/money.rs"]
mod money;
#[path = "apply/provenance.rs"]
mod provenance;
#[path = "apply/renewal.rs"]
mod renewal;
#[path = "apply/witnesses.rs"]
mod witnesses;
