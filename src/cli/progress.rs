//! Progress of `apply` on stderr: one indicatif spinner per customer on a terminal; otherwise
//! (CI logs, pipes, `--quiet`, `--format json`) no bars — events go to tracing (`-v` shows them; failures and
//! unknown outcomes are warnings, shown by default) and, unless `--quiet`, a heartbeat says what
//! each customer waits for (see [`super::waits`]).

use crate::apply::{ApplyEvent, Reporter};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

/// The indicatif [`Reporter`].
pub struct Progress {
    bars: Option<MultiProgress>,
    waits: super::waits::Waits,
    by_customer: Mutex<BTreeMap<String, ProgressBar>>,
    names: BTreeMap<String, String>,
    color: bool,
}

impl Progress {
    /// Bars when `interactive` ([`super::output::Printer::live_progress`]: stderr is a
    /// terminal, not `--quiet`, not a machine format); `names` maps customer ids to the labels
    /// shown; waits are timed on `clock`.
    pub fn new(
        interactive: bool,
        color: bool,
        names: BTreeMap<String, String>,
        clock: std::sync::Arc<dyn crate::time::Clock>,
    ) -> Self {
        Progress {
            bars: interactive
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            waits: super::waits::Waits::new(clock),
            by_customer: Mutex::new(BTreeMap::new()),
            names,
            color,
        }
    }

    fn label<'a>(&'a self, customer_id: &'a str) -> &'a str {
        self.names
            .get(customer_id)
            .map(String::as_str)
            .unwrap_or(customer_id)
    }

    fn bar(&self, customer_id: &str) -> Option<ProgressBar> {
        let multi = self.bars.as_ref()?;
        let mut map = self.by_customer.lock().unwrap_or_else(|p| p.into_inner());
        let bar = map.entry(customer_id.to_owned()).or_insert_with(|| {
            let b = multi.add(ProgressBar::new_spinner());
            let template = if self.color {
                "{spinner} {prefix:.bold} {wide_msg}"
            } else {
                "{spinner} {prefix} {wide_msg}"
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            b.set_style(style);
            b.set_prefix(self.label(customer_id).to_owned());
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Some(bar.clone())
    }

    /// What each customer waits for (shared with the heartbeat and the Ctrl-C handler).
    pub fn waits(&self) -> super::waits::Waits {
        self.waits.clone()
    }

    /// A line on stderr that does not garble the bars.
    pub fn note(&self, text: &str) {
        self.notes()(text)
    }

    /// [`Progress::note`] as a value that can move into a task.
    pub fn notes(&self) -> impl Fn(&str) + Send + 'static + use<> {
        let bars = self.bars.clone();
        move |text: &str| match &bars {
            Some(multi) if multi.println(text).is_ok() => {}
            _ => super::output::eprint(text),
        }
    }

    /// Ends every bar, leaving its last line.
    pub fn finish(&self) {
        let map = self.by_customer.lock().unwrap_or_else(|p| p.into_inner());
        for bar in map.values() {
            bar.finish();
        }
    }
}

/// The event in words, and whether it is worth a warning.
pub fn describe(event: &ApplyEvent) -> (String, bool) {
    match event {
        ApplyEvent::CustomerStarted => ("started".to_owned(), false),
        ApplyEvent::RegistrationRequested { subscription_id } => {
            (format!("registering subscription {subscription_id}"), false)
        }
        ApplyEvent::RegistrationPolled {
            subscription_id,
            status,
            elapsed,
        } => (
            format!(
                "waiting for subscription {subscription_id} to register ({status}, {}s)",
                elapsed.as_secs()
            ),
            false,
        ),
        ApplyEvent::Registered { subscription_id } => {
            (format!("subscription {subscription_id} registered"), false)
        }
        ApplyEvent::RegistrationFailed { reason, .. } => (reason.clone(), true),
        ApplyEvent::Resuming { intent_id, step } => (
            format!("resuming unfinished purchase {intent_id} at '{step}'"),
            false,
        ),
        ApplyEvent::IntentRecorded { lines, units, .. } => (
            format!("buying {units} unit(s) in {lines} cart line(s)"),
            false,
        ),
        ApplyEvent::CartCreated { cart_id, .. } => (format!("cart {cart_id} created"), false),
        ApplyEvent::CartLinesRemoved { cart_id, lines } => (
            format!(
                "removed refused lines from cart {cart_id}: {}",
                lines.join(", ")
            ),
            true,
        ),
        ApplyEvent::CheckoutSent { cart_id, .. } => (format!("checking out cart {cart_id}"), false),
        ApplyEvent::OrderPlaced { order_id, units } => {
            (format!("order {order_id} placed ({units} unit(s))"), false)
        }
        ApplyEvent::OrderGroupFailed {
            order_group,
            code,
            description,
        } => (
            format!("order group {order_group} failed: {code} {description}"),
            true,
        ),
        ApplyEvent::CartAbandoned { reason, .. } => (format!("cart abandoned: {reason}"), true),
        ApplyEvent::Retrying {
            operation,
            attempt,
            error,
        } => (
            format!("retrying {operation} (attempt {attempt}): {error}"),
            false,
        ),
        ApplyEvent::LeftUnknown { operation, .. } => (
            format!(
                "the outcome of '{operation}' is still unknown; it stays pending and the next \
                 apply resumes it"
            ),
            true,
        ),
        ApplyEvent::JournalTornTail { bytes } => (
            format!("ignored a torn last journal record ({bytes} bytes) left by a crash"),
            true,
        ),
        ApplyEvent::ItemReResolved {
            item_name,
            catalog_item_id,
        } => (
            format!("{item_name}: catalog item re-resolved to {catalog_item_id}"),
            false,
        ),
        ApplyEvent::WaitingForLock { holder } => (
            format!(
                "waiting for the customer's lock, held by {}",
                holder.as_deref().unwrap_or("another apply")
            ),
            false,
        ),
    }
}

impl Reporter for Progress {
    fn event(&self, customer_id: &str, event: &ApplyEvent) {
        self.waits.record(customer_id, event);
        let (text, warn) = describe(event);
        match self.bar(customer_id) {
            Some(bar) => {
                if warn {
                    bar.println(format!("{}: {text}", self.label(customer_id)));
                }
                bar.set_message(text);
            }
            None if warn => tracing::warn!("{}: {text}", self.label(customer_id)),
            None => tracing::info!("{}: {text}", self.label(customer_id)),
        }
    }
}
