//! Progress of a long call, for a caller that asked for it (MCP `progressToken`). A tool that
//! sends many upstream requests reports how far it is; the surface decides where that goes.
//! Reports are thinned to about one per twentieth of the work, so a scan of 200 records sends
//! a couple of dozen notifications, not 200.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use futures::future::BoxFuture;

/// Where progress goes (for MCP: `notifications/progress` with the caller's token).
pub trait ProgressSink: Send + Sync {
    /// `done` of `total` units of work; sent in order, awaited by the reporting tool.
    fn send(&self, done: u64, total: Option<u64>, message: String) -> BoxFuture<'_, ()>;
}

/// A call's progress reporter; silent unless the caller asked for progress.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Reporter>>);

struct Reporter {
    sink: Arc<dyn ProgressSink>,
    /// The last `done` sent; progress must increase.
    last: AtomicU64,
    /// Set when the call has answered: nothing may follow its result.
    finished: AtomicBool,
}

impl Progress {
    /// No one listens.
    pub fn none() -> Progress {
        Progress(None)
    }

    pub fn to(sink: Arc<dyn ProgressSink>) -> Progress {
        Progress(Some(Arc::new(Reporter {
            sink,
            last: AtomicU64::new(0),
            finished: AtomicBool::new(false),
        })))
    }

    /// Whether anyone listens (so a tool can skip building messages).
    pub fn wanted(&self) -> bool {
        self.0.is_some()
    }

    /// Reports `done` of `total`, unless it adds less than a twentieth since the last report
    /// (the first and the last always go).
    pub async fn report(&self, done: u64, total: u64, message: impl FnOnce() -> String) {
        let Some(r) = &self.0 else { return };
        let last = r.last.load(Ordering::Acquire);
        let step = total.div_ceil(20).max(1);
        let due = done > last && (last == 0 || done == total || done - last >= step);
        if !due || r.finished.load(Ordering::Acquire) {
            return;
        }
        if r.last
            .compare_exchange(last, done, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            r.sink.send(done, Some(total), message()).await;
        }
    }

    /// The call has answered; later reports (from work left running) are dropped.
    pub fn finish(&self) {
        if let Some(r) = &self.0 {
            r.finished.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Seen(Mutex<Vec<(u64, Option<u64>)>>);

    impl ProgressSink for Seen {
        fn send(&self, done: u64, total: Option<u64>, _m: String) -> BoxFuture<'_, ()> {
            self.0.lock().unwrap().push((done, total));
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn reports_are_thinned_increasing_and_stop_when_finished() {
        let seen = Arc::new(Seen::default());
        let p = Progress::to(seen.clone());
        for done in 1..=200 {
            p.report(done, 200, String::new).await;
        }
        p.report(150, 200, String::new).await;
        let sent = seen.0.lock().unwrap().clone();
        assert_eq!(sent.first(), Some(&(1, Some(200))));
        assert_eq!(sent.last(), Some(&(200, Some(200))));
        assert!(sent.len() <= 22, "{} reports", sent.len());
        assert!(sent.windows(2).all(|w| w[0].0 < w[1].0));
        p.finish();
        let n = sent.len();
        let q = Progress::to(seen.clone());
        q.finish();
        q.report(1, 2, String::new).await;
        assert_eq!(seen.0.lock().unwrap().len(), n);
    }

    #[tokio::test]
    async fn nobody_listening_costs_nothing() {
        let p = Progress::none();
        assert!(!p.wanted());
        p.report(1, 1, || unreachable!("no message is built")).await;
    }
}
