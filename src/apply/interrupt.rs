//! [`Interrupt`]: a run's request to stop, set by the `apply` command on the first Ctrl-C and
//! read by [`super::run`] before each customer, by the engine before each new purchase or
//! registration, and by the registration wait, which stops polling (Partner Center goes on
//! registering). Writes already in flight (a purchase whose intent is journalled) are driven to
//! their end and journalled; nothing new starts. What was skipped is reported with
//! [`NOT_STARTED`] / [`INTERRUPTED_CODE`], and the next run picks it up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The failure code of a purchase line skipped because the run was interrupted.
pub const INTERRUPTED_CODE: &str = "interrupted";

/// The error of a customer the run did not start because it was interrupted.
pub const NOT_STARTED: &str =
    "not started: the run was interrupted (Ctrl-C); the next apply picks this customer up";

/// A shared stop request; clones see the same request.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A request not made yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to start nothing new.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// True once [`Interrupt::request`] was called on any clone.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::Interrupt;

    #[test]
    fn clones_share_the_request() {
        let a = Interrupt::new();
        let b = a.clone();
        assert!(!b.is_requested());
        a.request();
        assert!(b.is_requested());
    }
}
