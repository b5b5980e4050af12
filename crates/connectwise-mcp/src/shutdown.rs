//! Stopping cleanly. `docker stop`, Kubernetes and systemd send SIGTERM, a terminal sends
//! SIGINT (Ctrl-C): both mean the same here. The server stops accepting, lets open requests
//! finish, waits a bounded time for writes still in flight (each is journaled before it is
//! sent, so one cut off by the bound is settled by the next re-send), closes the browser and
//! exits 0.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// How long writes still running at shutdown get to finish.
pub const WRITES_BOUND: Duration = Duration::from_secs(10);

/// Resolves on the first SIGTERM or SIGINT.
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: shutting down"),
                }
            }
            Err(e) => {
                tracing::warn!(
                    "cannot listen for SIGTERM ({e}); only Ctrl-C stops the server cleanly"
                );
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Counts the writes in flight, so shutdown can wait for them.
#[derive(Default)]
pub struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

/// One write in flight; counted until dropped (finished, failed or cancelled).
pub struct Running(Arc<InFlight>);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl InFlight {
    pub fn start(self: &Arc<Self>) -> Running {
        self.count.fetch_add(1, Ordering::AcqRel);
        Running(self.clone())
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// Waits until no write is in flight, or `bound` passes; says how many were left.
    pub async fn settle(&self, bound: Duration) -> usize {
        let wait = async {
            loop {
                let idle = self.idle.notified();
                if self.count() == 0 {
                    return;
                }
                idle.await;
            }
        };
        let _ = tokio::time::timeout(bound, wait).await;
        self.count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settle_waits_for_running_writes_within_the_bound() {
        let w = Arc::new(InFlight::default());
        assert_eq!(w.settle(Duration::from_millis(10)).await, 0);
        let one = w.start();
        let stuck = w.start();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            drop(one);
        });
        assert_eq!(
            w.settle(Duration::from_millis(300)).await,
            1,
            "one left at the bound"
        );
        drop(stuck);
        assert_eq!(w.settle(Duration::from_millis(10)).await, 0);
    }
}
