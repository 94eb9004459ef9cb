//! [`resume_customer`]: finishes what an earlier run (crashed, timed out, or concurrent and now
//! gone) left in the journal — resending the same request ids, re-checking out the same cart,
//! confirming recorded orders by id — before anything new is planned.

use super::commerce::{Commerce, OrderStatus};
use super::engine::Run;
use super::options::ApplyOptions;
use super::receipt::{CustomerOutcome, OrderOutcomeStatus};
use super::report::{ApplyEvent, Reporter};
use crate::store::{IntentState, IntentStep, Journal, SettleReason};

/// The receipt of a resume (same shape as an apply's).
pub type ResumeOutcome = CustomerOutcome;

/// Resumes every unfinished intent of a customer and confirms unsettled orders by id (settling
/// cancelled ones). Call it under the customer's lock, before re-planning. Unfinished intents
/// that hit 400019 are abandoned, not rebuilt: the re-plan decides whether they are still wanted.
pub async fn resume_customer<C: Commerce>(
    customer_id: &str,
    customer_name: Option<&str>,
    commerce: &C,
    journal: &Journal,
    reporter: &dyn Reporter,
    opts: &ApplyOptions,
) -> ResumeOutcome {
    let mut run = Run::new(
        customer_id,
        customer_name,
        commerce,
        journal,
        reporter,
        opts,
        false,
    );
    if let Ok(records) = journal.read(customer_id).await
        && let Some(torn) = &records.torn_tail
    {
        reporter.event(
            customer_id,
            &ApplyEvent::JournalTornTail { bytes: torn.len() },
        );
    }
    let intents = match journal.intents(customer_id).await {
        Ok(v) => v,
        Err(e) => {
            run.journal_failed(e);
            return run.out;
        }
    };
    for view in intents {
        match &view.state {
            IntentState::Unfinished(step) => {
                reporter.event(
                    customer_id,
                    &ApplyEvent::Resuming {
                        intent_id: view.intent_id.clone(),
                        step: step_name(step).to_owned(),
                    },
                );
                if let Err(e) = run.drive(view).await {
                    run.journal_failed(e);
                    return run.out;
                }
            }
            IntentState::Ordered { orders } => {
                for order in orders {
                    let Ok(info) = commerce.get_order(customer_id, &order.order_id).await else {
                        continue;
                    };
                    let status = if info.status == OrderStatus::Cancelled {
                        if let Err(e) = journal
                            .settle(customer_id, &order.order_id, SettleReason::Cancelled)
                            .await
                        {
                            run.journal_failed(e);
                            return run.out;
                        }
                        OrderOutcomeStatus::Cancelled
                    } else {
                        OrderOutcomeStatus::Confirmed
                    };
                    let outcome = run.order_outcome(&view, order, status);
                    run.out.orders.push(outcome);
                }
            }
            _ => {}
        }
    }
    run.out
}

fn step_name(step: &IntentStep) -> &'static str {
    match step {
        IntentStep::CreateCart { .. } => "create cart",
        IntentStep::UpdateCart { .. } => "update cart",
        IntentStep::Checkout { .. } => "check out cart",
    }
}
