//! `apply --format json`: the [`Reporter`] that streams engine events to stdout as JSON lines
//! ([`crate::render::events`]) through the [`Printer`], while the usual progress (heartbeat,
//! logs) goes on on stderr.

use super::output::Printer;
use crate::apply::{ApplyEvent, Reporter};
use std::collections::BTreeMap;

/// Writes one JSON line per engine event to stdout, then hands the event to `inner`.
pub struct JsonEvents<'a> {
    pub inner: &'a dyn Reporter,
    /// The run's clock: each line's timestamp.
    pub clock: std::sync::Arc<dyn crate::time::Clock>,
    pub names: BTreeMap<String, String>,
    /// Where the lines go (a closed pipe drops them: apply goes on).
    pub out: Printer,
}

impl Reporter for JsonEvents<'_> {
    fn event(&self, customer_id: &str, event: &ApplyEvent) {
        let name = self
            .names
            .get(customer_id)
            .map(String::as_str)
            .unwrap_or(customer_id);
        if let Some(line) =
            crate::render::events::engine(customer_id, name, event, self.clock.wall())
        {
            self.out.event(&line);
        }
        self.inner.event(customer_id, event);
    }

    fn customer_finished(&self, report: &crate::apply::CustomerReport) {
        self.out.event(&crate::render::events::customer_finished(
            report,
            self.clock.wall(),
        ));
        self.inner.customer_finished(report);
    }
}
