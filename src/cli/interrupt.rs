//! Ctrl-C during `apply`. The first one asks the run to start nothing new
//! ([`crate::apply::Interrupt`]) and says how many writes it lets finish; those finish and are
//! journalled, then the run stops (exit 1). A second Ctrl-C exits at once (exit 130): the journal
//! makes that safe, as after a crash — the next apply resumes what was in flight.

use crate::apply::Interrupt;
use tokio::task::JoinHandle;

/// Interrupt signals, listened to from the moment this is built.
struct Signals {
    #[cfg(unix)]
    inner: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        Ok(Signals {
            #[cfg(unix)]
            inner: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?,
        })
    }

    /// The next Ctrl-C; false when no more can come.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            self.inner.recv().await.is_some()
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}

/// Starts listening for Ctrl-C (the handler is in place when this returns). `in_flight` counts
/// the writes in flight; `say` prints a line on stderr.
pub fn watch(
    interrupt: Interrupt,
    in_flight: impl Fn() -> usize + Send + 'static,
    say: impl Fn(&str) + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    let mut signals = Signals::new()?;
    Ok(tokio::spawn(async move {
        if !signals.next().await {
            return;
        }
        interrupt.request();
        let n = in_flight();
        say(&format!(
            "interrupt received, finishing {n} in-flight write{} (press again to stop now)",
            if n == 1 { "" } else { "s" }
        ));
        if signals.next().await {
            say(
                "second interrupt: stopping now; the journal keeps what was sent, and the next \
                 apply resumes it",
            );
            // The one exit outside `cli::main`: it must not wait for the run to unwind.
            std::process::exit(i32::from(crate::exit::ExitStatus::Interrupted.code()));
        }
    }))
}
