//! Resending a call while its outcome is ambiguous: the same closure (so the same
//! `MS-RequestId`) up to `write_attempts` times, waiting by the backoff between attempts.

use super::commerce::CommerceError;
use super::options::ApplyOptions;
use super::report::{ApplyEvent, Reporter};
use std::future::Future;
use std::time::Duration;

/// Who is retrying (for progress events) and how.
pub(crate) struct RetryCtx<'a> {
    pub customer_id: &'a str,
    pub reporter: &'a dyn Reporter,
    pub opts: &'a ApplyOptions,
}

/// Outcome unknown, or still failing after retries: for a write, both mean "may have happened".
pub(crate) fn is_ambiguous(e: &CommerceError) -> bool {
    matches!(
        e,
        CommerceError::OutcomeUnknown | CommerceError::Transient(_)
    )
}

/// Sends a call up to `write_attempts` times while its outcome is ambiguous, waiting by the
/// backoff between attempts. The closure must reuse the same request id on every call.
pub(crate) async fn retry<T, F, Fut>(
    run: &RetryCtx<'_>,
    operation: &str,
    call: F,
) -> Result<T, CommerceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CommerceError>>,
{
    retry_tracked(run, operation, call).await.0
}

/// [`retry`], also saying whether any attempt's outcome was ambiguous (so a later definite
/// answer may be about a request that was in fact committed).
pub(crate) async fn retry_tracked<T, F, Fut>(
    run: &RetryCtx<'_>,
    operation: &str,
    mut call: F,
) -> (Result<T, CommerceError>, bool)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CommerceError>>,
{
    let mut ambiguous = false;
    let mut waits = run.opts.backoff.iter();
    let attempts = run.opts.write_attempts.max(1);
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if is_ambiguous(&e) && attempt < attempts => {
                ambiguous = true;
                run.reporter.event(
                    run.customer_id,
                    &ApplyEvent::Retrying {
                        operation: operation.to_owned(),
                        attempt,
                        error: e.to_string(),
                    },
                );
                let wait = waits.next().unwrap_or(run.opts.backoff.cap());
                run.opts
                    .clock
                    .sleep(wait.max(Duration::from_millis(1)))
                    .await;
                attempt += 1;
            }
            other => return (other, ambiguous),
        }
    }
}
