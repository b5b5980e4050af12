//! Writes run once per identical request. MCP clients re-send (after their own timeout, on a
//! reconnect, and by protocol when a stream breaks), and a model sometimes repeats itself; a
//! note or a time entry must not be written twice because of that.
//!
//! Single-flight: the first call of a key runs the write; an identical call arriving while it
//! runs waits for it and gets its answer; one arriving within [`REPLAY_WINDOW`] after it
//! succeeded gets the same answer again. A write that failed is forgotten at once so it can be
//! tried again; one whose outcome is unknown is run again too, and that run finds the first
//! attempt in the write journal ([`crate::journal`], [`crate::reconcile`]) and looks for its
//! record before writing, so nothing is written twice. The write runs in its own task, so a
//! caller that goes away mid-write does not cut it short, and those waiting still get its answer.
//!
//! Keys are hashes (see [`crate::pipeline`]); the store never sees arguments. Behind the
//! [`Replay`] trait so a shared store can serve several replicas.

use std::time::{Duration, Instant};

use futures::future::{FutureExt, Shared};

use crate::cache::BoxFuture;
use crate::errors::ToolError;
use crate::tools::ToolOutput;

/// How long a successful write's answer is given again to an identical call.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(120);

/// Why a call was answered without writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replayed {
    /// An identical call was running; this one waited for its answer.
    InFlight,
    /// An identical call finished this many seconds ago.
    Recent { secs_ago: u64 },
    /// An identical request sent this many seconds ago (its answer lost, or before a restart)
    /// had made the record; it was found in ConnectWise, not written again.
    Earlier { secs_ago: u64 },
}

impl Replayed {
    /// The line that tells the caller nothing was written again.
    pub fn note(self, tool: &str) -> String {
        match self {
            Replayed::InFlight => format!("Already done: an identical {tool} request was in progress; this is its result, and nothing was written twice."),
            Replayed::Recent { secs_ago } => format!("Already done: an identical {tool} request was made {secs_ago} s ago; this is its result, and nothing was written again. To write it again, change something in the request."),
            Replayed::Earlier { secs_ago } => format!("Already done: an identical {tool} request sent {secs_ago} s ago had made it (its answer was lost, or the server restarted since); this is that record, found in ConnectWise, and nothing was written again."),
        }
    }
}

pub type Result = std::result::Result<ToolOutput, ToolError>;

/// What identifies one write: `id`, a hash of who asked for what, names it in a store; `seal`,
/// derived from the same request by another hash, is the key a shared store encrypts its
/// answer with, so only an identical request can read it back.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub seal: [u8; 32],
}

/// A store that runs each write key once.
pub trait Replay: Send + Sync {
    /// Runs `work` unless an identical key is running or recently succeeded, in which case
    /// that result is returned, marked as replayed.
    fn run(
        &self,
        key: Key,
        work: BoxFuture<'static, Result>,
    ) -> BoxFuture<'_, (Result, Option<Replayed>)>;
}

/// One key's write: when it started, and its (shared) answer.
#[derive(Clone)]
struct Slot {
    started: Instant,
    done: Shared<BoxFuture<'static, Result>>,
}

/// The in-process store: bounded, entries expire after [`REPLAY_WINDOW`].
pub struct Local {
    slots: moka::future::Cache<String, Slot>,
}

impl Local {
    pub fn new() -> Local {
        Local {
            slots: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(REPLAY_WINDOW)
                .build(),
        }
    }
}

impl Default for Local {
    fn default() -> Self {
        Local::new()
    }
}

impl Replay for Local {
    fn run(
        &self,
        key: Key,
        work: BoxFuture<'static, Result>,
    ) -> BoxFuture<'_, (Result, Option<Replayed>)> {
        let key = key.id;
        Box::pin(async move {
            let slots = self.slots.clone();
            let k = key.clone();
            let entry = self
                .slots
                .entry(key)
                .or_insert_with(async move {
                    let task = tokio::spawn(async move {
                        let r = work.await;
                        // A failed write may be tried again at once. One whose outcome is
                        // not known is run again too: its re-run finds the earlier attempt in
                        // the journal and looks for its record before writing anything.
                        if r.is_err() {
                            slots.invalidate(&k).await;
                        }
                        r
                    });
                    let done: BoxFuture<'static, Result> = Box::pin(async move {
                        task.await.unwrap_or_else(|e| {
                            Err(ToolError::Internal(format!(
                                "the write did not finish: {e}"
                            )))
                        })
                    });
                    Slot {
                        started: Instant::now(),
                        done: done.shared(),
                    }
                })
                .await;
            let fresh = entry.is_fresh();
            let slot = entry.into_value();
            let running = slot.done.peek().is_none();
            let result = slot.done.clone().await;
            let replayed = match (fresh, running) {
                (true, _) => None,
                (false, true) => Some(Replayed::InFlight),
                (false, false) => Some(Replayed::Recent {
                    secs_ago: slot.started.elapsed().as_secs(),
                }),
            };
            (result, replayed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    fn write(count: &Arc<AtomicU32>, answer: Result) -> BoxFuture<'static, Result> {
        let count = count.clone();
        Box::pin(async move {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            answer
        })
    }

    fn k(id: &str) -> Key {
        Key {
            id: id.into(),
            seal: [0; 32],
        }
    }

    fn ok(n: i64) -> Result {
        Ok(ToolOutput {
            structured: serde_json::json!({ "id": n }),
            text: format!("#{n}"),
            image: None,
        })
    }

    #[tokio::test]
    async fn five_identical_writes_at_once_run_once() {
        let store = Local::new();
        let count = Arc::new(AtomicU32::new(0));
        let calls: Vec<_> = (0..5)
            .map(|i| store.run(k("k"), write(&count, ok(i))))
            .collect();
        let answers = futures::future::join_all(calls).await;
        assert_eq!(count.load(Ordering::SeqCst), 1);
        let fresh: Vec<_> = answers.iter().filter(|(_, r)| r.is_none()).collect();
        assert_eq!(fresh.len(), 1);
        let first = &fresh[0].0;
        for (r, replayed) in &answers {
            assert_eq!(r.as_ref().ok(), first.as_ref().ok());
            assert!(replayed.is_none() || *replayed == Some(Replayed::InFlight));
        }
        let (again, replayed) = store.run(k("k"), write(&count, ok(9))).await;
        assert_eq!(again.ok(), first.clone().ok());
        assert!(matches!(replayed, Some(Replayed::Recent { .. })));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_or_unknown_write_is_run_again_by_its_resend() {
        let store = Local::new();
        let count = Arc::new(AtomicU32::new(0));
        let (r, _) = store
            .run(k("f"), write(&count, Err(ToolError::invalid("no"))))
            .await;
        assert!(r.is_err());
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (r, replayed) = store.run(k("f"), write(&count, ok(1))).await;
        assert!(r.is_ok() && replayed.is_none());
        assert_eq!(count.load(Ordering::SeqCst), 2);
        // Not known: the re-send runs (and the journal decides whether it writes).
        let (r, _) = store
            .run(
                k("u"),
                write(&count, Err(ToolError::Unconfirmed("?".into()))),
            )
            .await;
        assert!(r.is_err());
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (r, replayed) = store.run(k("u"), write(&count, ok(2))).await;
        assert!(r.is_ok() && replayed.is_none());
        assert_eq!(count.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_caller_that_goes_away_does_not_cut_the_write_short() {
        let store = Arc::new(Local::new());
        let count = Arc::new(AtomicU32::new(0));
        let s = store.clone();
        let first = tokio::spawn({
            let w = write(&count, ok(1));
            async move { s.run(k("c"), w).await }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        first.abort();
        let (r, replayed) = store.run(k("c"), write(&count, ok(2))).await;
        assert_eq!(
            r.ok(),
            ok(1).ok(),
            "the first write's answer, not a second write"
        );
        assert!(replayed.is_some());
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}
