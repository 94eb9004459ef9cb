//! Registering subscriptions for reserved-instance purchases and polling their status with
//! backoff until `Registered`, bounded by the registration timeout measured on the injected clock.

use super::commerce::{Commerce, CommerceError, RegistrationStatus};
use super::options::ApplyOptions;
use super::receipt::{RegistrationOutcome, RegistrationResult};
use super::report::{ApplyEvent, Reporter};

/// Registers `subscription_id` and waits until it is `Registered`. Registration buys nothing,
/// so resending it is harmless; transient failures are retried within the timeout.
pub async fn register_and_wait<C: Commerce>(
    commerce: &C,
    customer_id: &str,
    subscription_id: &str,
    reporter: &dyn Reporter,
    opts: &ApplyOptions,
) -> RegistrationOutcome {
    let started = opts.clock.now();
    let elapsed = || opts.clock.now().saturating_sub(started);
    let mut waits = opts.backoff.iter();
    let request_id = uuid::Uuid::new_v4().to_string();
    let outcome = |status: RegistrationResult, detail: Option<String>| RegistrationOutcome {
        subscription_id: subscription_id.to_owned(),
        status,
        detail,
    };
    let fail = |reason: String| {
        reporter.event(
            customer_id,
            &ApplyEvent::RegistrationFailed {
                subscription_id: subscription_id.to_owned(),
                reason: reason.clone(),
            },
        );
        reason
    };

    let mut registered_call_done = false;
    let mut attempt = 0u32;
    loop {
        if !registered_call_done {
            reporter.event(
                customer_id,
                &ApplyEvent::RegistrationRequested {
                    subscription_id: subscription_id.to_owned(),
                },
            );
            match commerce
                .register_subscription(customer_id, subscription_id, &request_id)
                .await
            {
                Ok(()) => registered_call_done = true,
                Err(e @ CommerceError::Definite { .. }) => {
                    let reason = fail(format!(
                        "registration of subscription {subscription_id} was refused: {} {}",
                        e.code(),
                        e.description()
                    ));
                    return outcome(RegistrationResult::Failed, Some(reason));
                }
                Err(e) => {
                    attempt += 1;
                    reporter.event(
                        customer_id,
                        &ApplyEvent::Retrying {
                            operation: format!("register subscription {subscription_id}"),
                            attempt,
                            error: e.to_string(),
                        },
                    );
                }
            }
        }
        if registered_call_done {
            match commerce
                .registration_status(customer_id, subscription_id)
                .await
            {
                Ok(RegistrationStatus::Registered) => {
                    reporter.event(
                        customer_id,
                        &ApplyEvent::Registered {
                            subscription_id: subscription_id.to_owned(),
                        },
                    );
                    return outcome(RegistrationResult::Registered, None);
                }
                Ok(status) => reporter.event(
                    customer_id,
                    &ApplyEvent::RegistrationPolled {
                        subscription_id: subscription_id.to_owned(),
                        status: format!("{status:?}"),
                        elapsed: elapsed(),
                    },
                ),
                Err(e @ CommerceError::Definite { .. }) => {
                    let reason = fail(format!(
                        "registration status of subscription {subscription_id} could not be read: {} {}",
                        e.code(),
                        e.description()
                    ));
                    return outcome(RegistrationResult::Failed, Some(reason));
                }
                Err(e) => {
                    attempt += 1;
                    reporter.event(
                        customer_id,
                        &ApplyEvent::Retrying {
                            operation: format!("registration status of {subscription_id}"),
                            attempt,
                            error: e.to_string(),
                        },
                    );
                }
            }
        }
        let waited = elapsed();
        if waited >= opts.registration_timeout {
            let reason = fail(format!(
                "subscription {subscription_id} was not registered after {}s",
                waited.as_secs()
            ));
            return outcome(RegistrationResult::TimedOut, Some(reason));
        }
        let next = waits
            .next()
            .unwrap_or(opts.backoff.cap())
            .min(opts.registration_timeout - waited);
        opts.clock.sleep(next).await;
    }
}
