//! Integration tests for `reservoir apply`: the real binary against a sandbox served from the
//! test process, purchases counted with `/_sandbox/orders`.

pub(crate) mod support;

mod attribution;
mod calls;
mod commerce;
mod concurrency;
mod duplicates;
mod events;
mod faults;
mod flow;
mod guards;
mod hostile_answers;
mod hostile_cart;
mod interrupt;
mod inventory;
mod lost_journal;
mod mixed;
mod mixed_prop;
mod money;
mod provenance;
mod renewal;
mod savings;
mod witnesses;
