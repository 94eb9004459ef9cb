//! Replay: folds a customer's journal records, in order, into per-intent state. Pure — no I/O.
//!
//! The fold is strict: a record for an intent that was never opened, a second intent with the
//! same id, or a step out of order is an error, because a journal we do not understand must make
//! the customer's in-flight purchases "not ruled out" rather than silently wrong.

use super::record::{LineError, LineGroup, OrderErrorRecord, OrderRecord, PurchaseLine, Record};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// The next write an unfinished intent needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentStep {
    /// Create the cart with this (already journalled) `MS-RequestId`; a cart may already exist.
    CreateCart { request_id: String },
    /// Remove the lines that came back with an error; `request_id` is set when an update was
    /// already sent (resend it with the same id).
    UpdateCart {
        cart_id: String,
        request_id: Option<String>,
        removed_lines: Vec<usize>,
    },
    /// Check the cart out; `request_id` is set when a checkout was already sent (resend it with
    /// the same id — checkout is idempotent per cart).
    Checkout {
        cart_id: String,
        request_id: Option<String>,
    },
}

/// Where an intent stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentState {
    /// A write may be in flight: resume it, never repeat it with a new id.
    Unfinished(IntentStep),
    /// Checked out; some orders are not settled yet.
    Ordered { orders: Vec<OrderRecord> },
    /// Checked out and every order settled.
    Done,
    /// Definitely nothing (more) bought: a definite error, or a checkout where every group failed.
    Failed { code: String, description: String },
    /// The cart can no longer be checked out; the lines are left for the next plan.
    Abandoned { reason: String },
    /// The cart the server returned differed from the request; it was never checked out.
    Rejected { differences: Vec<String> },
}

/// One intent as replayed from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentView {
    pub intent_id: String,
    pub started_at: DateTime<Utc>,
    pub plan_hash: String,
    pub lines: Vec<PurchaseLine>,
    pub create_request_id: String,
    pub cart_id: Option<String>,
    pub cart_expires_at: Option<DateTime<Utc>>,
    pub line_errors: Vec<LineError>,
    /// Intent line index → server-assigned `orderGroup`.
    pub line_groups: BTreeMap<usize, String>,
    pub update_request_id: Option<String>,
    pub update_done: bool,
    pub checkout_request_id: Option<String>,
    pub orders: Vec<OrderRecord>,
    pub order_errors: Vec<OrderErrorRecord>,
    /// When the checkout result was journalled (the orders existed by then).
    pub ordered_at: Option<DateTime<Utc>>,
    pub state: IntentState,
}

impl IntentView {
    /// Indexes of the lines still in the cart (not flagged with an error at creation).
    pub fn active_lines(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|i| !self.line_errors.iter().any(|e| e.line == *i))
            .collect()
    }

    /// Whether the intent still has a write whose outcome is unknown.
    pub fn is_unfinished(&self) -> bool {
        matches!(self.state, IntentState::Unfinished(_))
    }
}

/// Folds records into intents (in the order they were opened). `Err` names the offending record
/// (1-based index) and what is wrong with it.
pub fn replay(records: &[Record]) -> Result<Vec<IntentView>, ReplayError> {
    let mut intents: Vec<IntentView> = Vec::new();
    let mut settled: BTreeSet<String> = BTreeSet::new();
    for (i, record) in records.iter().enumerate() {
        let n = i + 1;
        if let Record::Intent {
            at,
            intent_id,
            plan_hash,
            lines,
            create_request_id,
        } = record
        {
            if intents.iter().any(|v| &v.intent_id == intent_id) {
                return Err(ReplayError::OpenedTwice {
                    record: n,
                    intent_id: intent_id.clone(),
                });
            }
            intents.push(IntentView {
                intent_id: intent_id.clone(),
                started_at: *at,
                plan_hash: plan_hash.clone(),
                lines: lines.clone(),
                create_request_id: create_request_id.clone(),
                cart_id: None,
                cart_expires_at: None,
                line_errors: Vec::new(),
                line_groups: BTreeMap::new(),
                update_request_id: None,
                update_done: false,
                checkout_request_id: None,
                orders: Vec::new(),
                order_errors: Vec::new(),
                ordered_at: None,
                state: IntentState::Unfinished(IntentStep::CreateCart {
                    request_id: create_request_id.clone(),
                }),
            });
            continue;
        }
        if let Record::OrderSettled { order_id, .. } = record {
            settled.insert(order_id.clone());
            continue;
        }
        let Some(id) = record.intent_id() else {
            continue;
        };
        let Some(view) = intents.iter_mut().find(|v| v.intent_id == id) else {
            return Err(ReplayError::UnknownIntent {
                record: n,
                kind: record.kind(),
                intent_id: id.to_owned(),
            });
        };
        advance(view, record).map_err(|source| ReplayError::Step {
            record: n,
            kind: record.kind(),
            source,
        })?;
    }
    for view in &mut intents {
        if let IntentState::Ordered { orders } = &view.state {
            let open: Vec<OrderRecord> = orders
                .iter()
                .filter(|o| !settled.contains(&o.order_id))
                .cloned()
                .collect();
            view.state = if open.is_empty() {
                IntentState::Done
            } else {
                IntentState::Ordered { orders: open }
            };
        }
    }
    Ok(intents)
}

/// Advances one intent by one of its records (what [`replay`] does per record). The engine uses
/// it to keep its in-memory view identical to what a replay of the journal would give.
pub fn advance(view: &mut IntentView, record: &Record) -> Result<(), StepError> {
    let finished = !view.is_unfinished();
    match record {
        Record::CartCreated {
            cart_id,
            expires_at,
            line_errors,
            line_groups,
            ..
        } => {
            if finished || view.cart_id.is_some() {
                return Err(StepError::CartCreatedTwice);
            }
            check_lines(view, line_errors.iter().map(|e| e.line))?;
            check_lines(view, line_groups.iter().map(|g| g.line))?;
            view.cart_id = Some(cart_id.clone());
            view.cart_expires_at = *expires_at;
            view.line_errors = line_errors.clone();
            view.line_groups = groups(line_groups);
            view.state = IntentState::Unfinished(if line_errors.is_empty() {
                IntentStep::Checkout {
                    cart_id: cart_id.clone(),
                    request_id: None,
                }
            } else {
                IntentStep::UpdateCart {
                    cart_id: cart_id.clone(),
                    request_id: None,
                    removed_lines: line_errors.iter().map(|e| e.line).collect(),
                }
            });
        }
        Record::CartUpdateStarted {
            cart_id,
            request_id,
            removed_lines,
            ..
        } => {
            expect_cart(view, cart_id, finished)?;
            check_lines(view, removed_lines.iter().copied())?;
            view.update_request_id = Some(request_id.clone());
            view.state = IntentState::Unfinished(IntentStep::UpdateCart {
                cart_id: cart_id.clone(),
                request_id: Some(request_id.clone()),
                removed_lines: removed_lines.clone(),
            });
        }
        Record::CartUpdateDone {
            cart_id,
            line_groups,
            ..
        } => {
            expect_cart(view, cart_id, finished)?;
            view.update_done = true;
            if !line_groups.is_empty() {
                view.line_groups = groups(line_groups);
            }
            view.state = IntentState::Unfinished(IntentStep::Checkout {
                cart_id: cart_id.clone(),
                request_id: None,
            });
        }
        Record::CheckoutStarted {
            cart_id,
            request_id,
            ..
        } => {
            expect_cart(view, cart_id, finished)?;
            view.checkout_request_id = Some(request_id.clone());
            view.state = IntentState::Unfinished(IntentStep::Checkout {
                cart_id: cart_id.clone(),
                request_id: Some(request_id.clone()),
            });
        }
        Record::CheckoutResult {
            at,
            cart_id,
            orders,
            order_errors,
            ..
        } => {
            expect_cart(view, cart_id, finished)?;
            check_lines(
                view,
                orders
                    .iter()
                    .flat_map(|o| o.lines.iter().filter_map(|l| l.line)),
            )?;
            check_lines(
                view,
                order_errors.iter().flat_map(|e| e.lines.iter().copied()),
            )?;
            view.orders = orders.clone();
            view.order_errors = order_errors.clone();
            view.ordered_at = Some(*at);
            view.state = if orders.is_empty() {
                let first = order_errors.first();
                IntentState::Failed {
                    code: first.map(|e| e.code.clone()).unwrap_or_default(),
                    description: first
                        .map(|e| e.description.clone())
                        .unwrap_or_else(|| "checkout placed no order".into()),
                }
            } else {
                IntentState::Ordered {
                    orders: orders.clone(),
                }
            };
        }
        Record::CartAbandoned { reason, .. } => {
            if finished {
                return Err(StepError::AfterEnd("abandoned"));
            }
            view.state = IntentState::Abandoned {
                reason: reason.clone(),
            };
        }
        Record::CartRejected {
            cart_id,
            differences,
            ..
        } => {
            if finished {
                return Err(StepError::AfterEnd("cart rejected"));
            }
            match &view.cart_id {
                Some(c) if c != cart_id => {
                    return Err(StepError::OtherCart {
                        cart_id: cart_id.clone(),
                        intent_cart: c.clone(),
                    });
                }
                Some(_) => {}
                None => view.cart_id = Some(cart_id.clone()),
            }
            view.state = IntentState::Rejected {
                differences: differences.clone(),
            };
        }
        Record::IntentFailed {
            code, description, ..
        } => {
            if finished {
                return Err(StepError::AfterEnd("failed"));
            }
            view.state = IntentState::Failed {
                code: code.clone(),
                description: description.clone(),
            };
        }
        Record::Intent { .. } | Record::OrderSettled { .. } | Record::LockBroken { .. } => {}
    }
    Ok(())
}

fn check_lines(view: &IntentView, mut lines: impl Iterator<Item = usize>) -> Result<(), StepError> {
    match lines.find(|i| *i >= view.lines.len()) {
        Some(line) => Err(StepError::LineOutOfRange {
            line,
            lines: view.lines.len(),
        }),
        None => Ok(()),
    }
}

fn expect_cart(view: &IntentView, cart_id: &str, finished: bool) -> Result<(), StepError> {
    if finished {
        return Err(StepError::AfterEnd("step recorded"));
    }
    match &view.cart_id {
        Some(c) if c == cart_id => Ok(()),
        Some(c) => Err(StepError::OtherCart {
            cart_id: cart_id.to_owned(),
            intent_cart: c.clone(),
        }),
        None => Err(StepError::CartNotCreated(cart_id.to_owned())),
    }
}

/// Why a journal does not replay: the record (1-based) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("record {record}: intent {intent_id} opened twice")]
    OpenedTwice { record: usize, intent_id: String },
    #[error("record {record} ({kind}): unknown intent {intent_id}")]
    UnknownIntent {
        record: usize,
        kind: &'static str,
        intent_id: String,
    },
    #[error("record {record} ({kind})")]
    Step {
        record: usize,
        kind: &'static str,
        #[source]
        source: StepError,
    },
    /// A record the engine just wrote did not replay on its own.
    #[error("a new intent did not replay")]
    NewIntent,
    /// A record the engine just appended does not advance its intent.
    #[error(transparent)]
    Advance(#[from] StepError),
}

/// Why a record cannot advance its intent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("cart created twice or after the intent ended")]
    CartCreatedTwice,
    /// What happened (`abandoned`, `failed`, …) after the intent had ended.
    #[error("{0} after the intent ended")]
    AfterEnd(&'static str),
    #[error("cart {cart_id} is not the intent's cart {intent_cart}")]
    OtherCart {
        cart_id: String,
        intent_cart: String,
    },
    #[error("cart {0} used before it was recorded as created")]
    CartNotCreated(String),
    #[error("line {line} is out of range (the intent has {lines} lines)")]
    LineOutOfRange { line: usize, lines: usize },
}

fn groups(list: &[LineGroup]) -> BTreeMap<usize, String> {
    list.iter()
        .map(|g| (g.line, g.order_group.clone()))
        .collect()
}
