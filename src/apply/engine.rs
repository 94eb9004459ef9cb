//! The apply engine: [`apply_customer`] buys one customer's missing lines through the
//! write-ahead journal, and `Run::drive` is the per-intent state machine shared with resume.
//!
//! The invariant everything here protects: a cart is only ever checked out if its id is in the
//! journal, an intent has at most one cart, and a new intent for the same lines is only written
//! after the previous one is durably finished (failed, abandoned or checked out). Every write
//! whose outcome is unknown is resent with the *same* `MS-RequestId`, or left unfinished in the
//! journal (where `plan` counts it as pending and the next run resumes it) — never reissued.

use super::answer::{check_answer, unaccounted};
use super::commerce::{Cart, CartStatus, Commerce, CommerceError};
use super::lines::{cart_details, cart_lines, map_checkout, receipt_line};
use super::options::ApplyOptions;
use super::receipt::{
    CartOutcome, CartState, CustomerOutcome, LineFailure, OrderOutcome, OrderOutcomeStatus,
    ReceiptLine, RegistrationResult, UnknownOutcome,
};
use super::registration::register_and_wait;
use super::report::{ApplyEvent, Reporter};
use super::retry::{RetryCtx, is_ambiguous, retry, retry_tracked};
use super::verify::cart_differences;
use crate::store::{
    IntentState, IntentStep, IntentView, Journal, JournalError, OrderRecord, PurchaseLine, Record,
    advance, replay,
};
use std::collections::BTreeSet;

mod steps;

/// What to buy for one customer (what the plan says is missing, freshly resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerBatch {
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub plan_hash: String,
    /// Subscriptions to register before buying (lines on them wait for the registration).
    pub register: Vec<String>,
    pub lines: Vec<PurchaseLine>,
}

/// Registers what needs it, then buys `batch.lines` in one cart through the journal. Never
/// panics on service or journal failures: everything lands in the returned receipt.
pub async fn apply_customer<C: Commerce>(
    batch: &CustomerBatch,
    commerce: &C,
    journal: &Journal,
    reporter: &dyn Reporter,
    opts: &ApplyOptions,
) -> CustomerOutcome {
    let mut run = Run::new(
        &batch.customer_id,
        batch.customer_name.as_deref(),
        commerce,
        journal,
        reporter,
        opts,
        true,
    );
    if opts.interrupt.is_requested() {
        return interrupted(run, &batch.lines);
    }
    let mut unregistered = BTreeSet::new();
    for sub in &batch.register {
        let r = register_and_wait(commerce, &batch.customer_id, sub, reporter, opts).await;
        if r.status != RegistrationResult::Registered {
            unregistered.insert(sub.to_ascii_lowercase());
        }
        run.out.registrations.push(r);
    }
    let mut lines = Vec::new();
    for line in batch.lines.iter().filter(|l| l.quantity > 0) {
        let sub = line_subscription(line);
        match sub.filter(|s| unregistered.contains(&s.to_ascii_lowercase())) {
            Some(s) => run.out.failures.push(failure(
                line,
                "not-registered",
                &format!("subscription {s} is not registered for reservation purchases"),
            )),
            None => lines.push(line.clone()),
        }
    }
    if opts.interrupt.is_requested() {
        return interrupted(run, &lines);
    }
    if !lines.is_empty() {
        run.out.plan_hashes.push(batch.plan_hash.clone());
        if let Err(e) = run.start_chain(&batch.plan_hash, lines).await {
            run.journal_failed(e);
        }
    }
    run.out
}

/// The run was interrupted: the lines are reported as not bought, nothing is sent.
fn interrupted<C>(mut run: Run<'_, C>, lines: &[PurchaseLine]) -> CustomerOutcome {
    let why = "not bought: the run was interrupted before this purchase started";
    for line in lines.iter().filter(|l| l.quantity > 0) {
        let f = failure(line, super::interrupt::INTERRUPTED_CODE, why);
        run.out.failures.push(f);
    }
    run.out
}

fn line_subscription(line: &PurchaseLine) -> Option<&str> {
    line.provisioning_context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("subscriptionId"))
        .map(|(_, v)| v.as_str())
}

fn failure(line: &PurchaseLine, code: &str, description: &str) -> LineFailure {
    LineFailure {
        item_name: line.item_name.clone(),
        key: line.key.clone(),
        catalog_item_id: line.catalog_item_id.clone(),
        quantity: line.quantity,
        code: code.to_owned(),
        description: description.to_owned(),
    }
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a step leaves the intent loop to do next.
enum Flow {
    /// The intent advanced (maybe to a final state): look at it again.
    Continue,
    /// A write's outcome stayed unknown: leave the intent unfinished.
    Unknown(&'static str),
    /// The intent ended with nothing bought because an availability went stale: rebuild these
    /// lines (indexes into the intent) through a new intent.
    Rebuild(Vec<usize>),
}

/// One customer's run: the collaborators and the receipt being built.
pub(crate) struct Run<'a, C> {
    customer_id: &'a str,
    commerce: &'a C,
    journal: &'a Journal,
    reporter: &'a dyn Reporter,
    opts: &'a ApplyOptions,
    /// Whether 400019 may rebuild a cart in this run (not when resuming someone else's intent:
    /// the re-plan decides whether those lines are still wanted).
    rebuild: bool,
    /// Carts whose answer was compared with the request in this run (and matched).
    verified: BTreeSet<String>,
    pub(crate) out: CustomerOutcome,
}

impl<'a, C: Commerce> Run<'a, C> {
    pub(crate) fn new(
        customer_id: &'a str,
        customer_name: Option<&str>,
        commerce: &'a C,
        journal: &'a Journal,
        reporter: &'a dyn Reporter,
        opts: &'a ApplyOptions,
        rebuild: bool,
    ) -> Self {
        Run {
            customer_id,
            commerce,
            journal,
            reporter,
            opts,
            rebuild,
            verified: BTreeSet::new(),
            out: CustomerOutcome::new(customer_id, customer_name),
        }
    }

    fn retry_ctx(&self) -> RetryCtx<'a> {
        RetryCtx {
            customer_id: self.customer_id,
            reporter: self.reporter,
            opts: self.opts,
        }
    }

    fn event(&self, e: ApplyEvent) {
        self.reporter.event(self.customer_id, &e);
    }

    pub(crate) fn journal_failed(&mut self, e: JournalError) {
        self.out.journal_error = Some(crate::error_chain::one_line(&e));
    }

    /// Appends a record and advances the in-memory view exactly as a replay would.
    async fn record(&self, view: &mut IntentView, record: Record) -> Result<(), JournalError> {
        self.journal.append(self.customer_id, &record).await?;
        advance(view, &record).map_err(|e| JournalError::Inconsistent {
            path: self.journal.path(self.customer_id).unwrap_or_default(),
            source: e.into(),
        })
    }

    /// Writes a new intent for `lines` and drives it (and any rebuilds) to an end.
    async fn start_chain(
        &mut self,
        plan_hash: &str,
        lines: Vec<PurchaseLine>,
    ) -> Result<(), JournalError> {
        let view = self.open_intent(plan_hash, lines).await?;
        self.drive(view).await
    }

    async fn open_intent(
        &mut self,
        plan_hash: &str,
        lines: Vec<PurchaseLine>,
    ) -> Result<IntentView, JournalError> {
        let units = lines.iter().map(|l| l.quantity).sum();
        let count = lines.len();
        let record = Record::Intent {
            at: self.opts.clock.wall(),
            intent_id: new_request_id(),
            plan_hash: plan_hash.to_owned(),
            lines,
            create_request_id: new_request_id(),
        };
        self.journal.append(self.customer_id, &record).await?;
        let view = replay(std::slice::from_ref(&record))
            .ok()
            .and_then(|mut v| v.pop())
            .ok_or_else(|| JournalError::Inconsistent {
                path: self.journal.path(self.customer_id).unwrap_or_default(),
                source: crate::store::replay::ReplayError::NewIntent,
            })?;
        self.event(ApplyEvent::IntentRecorded {
            intent_id: view.intent_id.clone(),
            lines: count,
            units,
        });
        Ok(view)
    }

    /// Drives an intent from wherever it stands to a final state, or to "unknown"; rebuilds
    /// after 400019 through new intents (bounded by `max_rebuilds`).
    pub(crate) async fn drive(&mut self, mut view: IntentView) -> Result<(), JournalError> {
        let mut rebuilds_left = self.opts.max_rebuilds;
        loop {
            let flow = match view.state.clone() {
                IntentState::Unfinished(IntentStep::CreateCart { request_id }) => {
                    self.create_cart(&mut view, &request_id).await?
                }
                IntentState::Unfinished(IntentStep::UpdateCart {
                    cart_id,
                    request_id,
                    ..
                }) => self.update_cart(&mut view, &cart_id, request_id).await?,
                IntentState::Unfinished(IntentStep::Checkout {
                    cart_id,
                    request_id,
                }) => match self.verify_before_checkout(&mut view, &cart_id).await? {
                    Some(flow) => flow,
                    None => self.checkout(&mut view, &cart_id, request_id).await?,
                },
                _ => {
                    self.push_cart(&view, None);
                    return Ok(());
                }
            };
            match flow {
                Flow::Continue => {}
                Flow::Unknown(operation) => {
                    self.push_cart(&view, Some(CartState::Unknown));
                    self.event(ApplyEvent::LeftUnknown {
                        intent_id: view.intent_id.clone(),
                        operation: operation.to_owned(),
                    });
                    self.out.unknown.push(UnknownOutcome {
                        intent_id: view.intent_id.clone(),
                        step: operation.to_owned(),
                        lines: view.lines.iter().map(receipt_line).collect(),
                    });
                    return Ok(());
                }
                Flow::Rebuild(indexes) => {
                    self.push_cart(&view, None);
                    let stale: Vec<PurchaseLine> =
                        indexes.iter().map(|i| view.lines[*i].clone()).collect();
                    if !self.rebuild || rebuilds_left == 0 {
                        for line in &stale {
                            self.out.failures.push(failure(
                                line,
                                "400019",
                                "the catalog item is no longer available; the next plan resolves it again",
                            ));
                        }
                        return Ok(());
                    }
                    rebuilds_left -= 1;
                    let fresh = self.resolve(stale).await;
                    if fresh.is_empty() {
                        return Ok(());
                    }
                    let plan_hash = view.plan_hash.clone();
                    view = self.open_intent(&plan_hash, fresh).await?;
                }
            }
        }
    }

    async fn resolve(&mut self, stale: Vec<PurchaseLine>) -> Vec<PurchaseLine> {
        let mut fresh = Vec::new();
        for line in stale {
            let (commerce, customer_id) = (self.commerce, self.customer_id);
            let got = retry(&self.retry_ctx(), "re-resolve catalog item", || {
                commerce.resolve_line(customer_id, &line)
            })
            .await;
            match got {
                Ok(l) => {
                    self.event(ApplyEvent::ItemReResolved {
                        item_name: l.item_name.clone(),
                        catalog_item_id: l.catalog_item_id.clone(),
                    });
                    fresh.push(l);
                }
                Err(e) => self
                    .out
                    .failures
                    .push(failure(&line, &e.code(), &e.description())),
            }
        }
        fresh
    }

    async fn fail_intent(
        &mut self,
        view: &mut IntentView,
        e: &CommerceError,
    ) -> Result<(), JournalError> {
        let record = Record::IntentFailed {
            at: self.opts.clock.wall(),
            intent_id: view.intent_id.clone(),
            code: e.code(),
            description: e.description(),
        };
        self.record(view, record).await
    }

    async fn abandon(&mut self, view: &mut IntentView, reason: &str) -> Result<(), JournalError> {
        let record = Record::CartAbandoned {
            at: self.opts.clock.wall(),
            intent_id: view.intent_id.clone(),
            cart_id: view.cart_id.clone(),
            reason: reason.to_owned(),
        };
        self.record(view, record).await?;
        self.event(ApplyEvent::CartAbandoned {
            intent_id: view.intent_id.clone(),
            reason: reason.to_owned(),
        });
        Ok(())
    }

    fn fail_lines(&mut self, view: &IntentView, indexes: &[usize], code: &str, description: &str) {
        for i in indexes {
            if let Some(line) = view.lines.get(*i) {
                self.out.failures.push(failure(line, code, description));
            }
        }
    }

    pub(crate) fn order_outcome(
        &self,
        view: &IntentView,
        order: &OrderRecord,
        status: OrderOutcomeStatus,
    ) -> OrderOutcome {
        OrderOutcome {
            order_id: order.order_id.clone(),
            intent_id: view.intent_id.clone(),
            cart_id: view.cart_id.clone().unwrap_or_default(),
            checkout_request_id: view.checkout_request_id.clone(),
            lines: order
                .lines
                .iter()
                .map(|ol| {
                    let line = ol.line.and_then(|i| view.lines.get(i));
                    ReceiptLine {
                        item_name: line.map(|l| l.item_name.clone()),
                        key: line.map(|l| l.key.clone()),
                        catalog_item_id: ol.catalog_item_id.clone(),
                        quantity: ol.quantity,
                        estimate: line.and_then(|l| l.estimate.clone()),
                        order_price: ol.price.clone(),
                    }
                })
                .collect(),
            status,
            resumed: false,
        }
    }

    /// Adds (or updates) the receipt's entry for this intent's cart.
    pub(crate) fn push_cart(&mut self, view: &IntentView, state: Option<CartState>) {
        let state = state.unwrap_or(match &view.state {
            IntentState::Unfinished(_) => CartState::Unknown,
            IntentState::Ordered { .. } | IntentState::Done => CartState::Ordered,
            IntentState::Failed { .. } => CartState::Failed,
            IntentState::Abandoned { .. } => CartState::Abandoned,
            IntentState::Rejected { .. } => CartState::Rejected,
        });
        if !self.out.plan_hashes.contains(&view.plan_hash) {
            self.out.plan_hashes.push(view.plan_hash.clone());
        }
        let entry = CartOutcome {
            intent_id: view.intent_id.clone(),
            cart_id: view.cart_id.clone(),
            create_request_id: view.create_request_id.clone(),
            update_request_id: view.update_request_id.clone(),
            checkout_request_id: view.checkout_request_id.clone(),
            state,
        };
        match self
            .out
            .carts
            .iter_mut()
            .find(|c| c.intent_id == view.intent_id)
        {
            Some(c) => *c = entry,
            None => self.out.carts.push(entry),
        }
    }
}
