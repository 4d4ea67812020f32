//! A cancellation signal shared between the transport and application code:
//! the server fires it when a call's deadline passes, the client resets the
//! stream or the connection goes away; a client can fire one it passed in
//! `CallOptions` to cancel a call.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A clonable cancellation flag with an awaitable [`cancelled`](Cancellation::cancelled).
#[derive(Clone, Debug)]
pub struct Cancellation {
    inner: Arc<dyn HasSignal>,
}

impl Default for Cancellation {
    fn default() -> Cancellation {
        Cancellation {
            inner: Arc::new(Signal::default()),
        }
    }
}

/// The state behind a [`Cancellation`].
#[derive(Debug, Default)]
pub(crate) struct Signal {
    cancelled: AtomicBool,
    notify: Notify,
}

/// Something that holds a [`Signal`]: a server call keeps its call's signal
/// in the one allocation it shares with its context and responder, so a
/// call's cancellation costs no allocation of its own.
pub(crate) trait HasSignal: Send + Sync + std::fmt::Debug + 'static {
    fn signal(&self) -> &Signal;
}

impl HasSignal for Signal {
    fn signal(&self) -> &Signal {
        self
    }
}

impl Cancellation {
    /// A new, uncancelled signal.
    pub fn new() -> Cancellation {
        Cancellation::default()
    }

    /// The signal inside `holder`.
    pub(crate) fn from_holder(holder: Arc<dyn HasSignal>) -> Cancellation {
        Cancellation { inner: holder }
    }

    /// Fires the signal. Idempotent.
    pub fn cancel(&self) {
        let signal = self.inner.signal();
        if !signal.cancelled.swap(true, Ordering::SeqCst) {
            signal.notify.notify_waiters();
        }
    }

    /// Whether the signal has fired.
    pub fn is_cancelled(&self) -> bool {
        self.inner.signal().cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the signal has fired.
    pub fn cancelled(&self) -> impl Future<Output = ()> + Send + 'static {
        let inner = Arc::clone(&self.inner);
        async move {
            let signal = inner.signal();
            loop {
                let notified = signal.notify.notified();
                if signal.cancelled.load(Ordering::SeqCst) {
                    return;
                }
                notified.await;
            }
        }
    }
}

/// Fires its cancellation when dropped unless disarmed: a call's driver
/// holds one so that however the driver ends (aborted task, dropped
/// connection) the handler's signal fires.
#[derive(Debug)]
pub(crate) struct CancelOnDrop {
    pub(crate) cancellation: Cancellation,
    pub(crate) armed: bool,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.cancellation.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wakes_every_waiter() {
        let c = Cancellation::new();
        let waiters: Vec<_> = (0..3).map(|_| tokio::spawn(c.cancelled())).collect();
        tokio::task::yield_now().await;
        assert!(!c.is_cancelled());
        c.cancel();
        for w in waiters {
            tokio::time::timeout(std::time::Duration::from_secs(5), w)
                .await
                .expect("woken")
                .expect("no panic");
        }
        c.cancelled().await;
    }
}
