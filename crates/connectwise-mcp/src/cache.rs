//! Caches of what rarely changes in ConnectWise (boards, statuses, priorities, work types,
//! members). Every key starts with the caller's key
//! fingerprint, so one member's view never serves another's.
//!
//! Behind a small trait so a shared store can replace the in-process one without touching the
//! tools; the in-process one is `moka`: bounded, with a TTL, and single-flight loads (callers
//! asking for the same key at once wait for one load).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use cw_client::models::{Board, BoardStatus, BoardType, Member, Priority, WorkType};

use crate::errors::ToolError;

/// A boxed future, so caches can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A keyed cache with single-flight loading.
pub trait Cache<V>: Send + Sync {
    /// The value for `key`, loading it with `load` when absent; a failed load is not cached.
    fn get_or_load<'a>(
        &'a self,
        key: String,
        load: BoxFuture<'a, Result<V, ToolError>>,
    ) -> BoxFuture<'a, Result<V, ToolError>>;
}

/// The in-process cache.
pub struct Local<V: Clone + Send + Sync + 'static> {
    inner: moka::future::Cache<String, V>,
}

impl<V: Clone + Send + Sync + 'static> Local<V> {
    pub fn new(capacity: u64, ttl: Duration) -> Local<V> {
        Local {
            inner: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
        }
    }
}

impl<V: Clone + Send + Sync + 'static> Cache<V> for Local<V> {
    fn get_or_load<'a>(
        &'a self,
        key: String,
        load: BoxFuture<'a, Result<V, ToolError>>,
    ) -> BoxFuture<'a, Result<V, ToolError>> {
        Box::pin(async move {
            self.inner
                .try_get_with(key, load)
                .await
                .map_err(|e: Arc<ToolError>| (*e).clone())
        })
    }
}

/// How long name lookups are trusted: boards and statuses change rarely, and a stale name
/// only costs a "did you mean" answer.
pub const LOOKUP_TTL: Duration = Duration::from_secs(600);

/// Most entries per lookup cache (each is one credential's whole list).
const LOOKUP_CAPACITY: u64 = 10_000;

/// The lookup caches, one per kind of list.
pub struct Lookups {
    pub boards: Box<dyn Cache<Arc<Vec<Board>>>>,
    pub statuses: Box<dyn Cache<Arc<Vec<BoardStatus>>>>,
    pub types: Box<dyn Cache<Arc<Vec<BoardType>>>>,
    pub priorities: Box<dyn Cache<Arc<Vec<Priority>>>>,
    pub work_types: Box<dyn Cache<Arc<Vec<WorkType>>>>,
    pub members: Box<dyn Cache<Arc<Vec<Member>>>>,
}

impl Lookups {
    /// In-process caches.
    pub fn local() -> Lookups {
        fn l<V: Clone + Send + Sync + 'static>() -> Box<dyn Cache<V>> {
            Box::new(Local::new(LOOKUP_CAPACITY, LOOKUP_TTL))
        }
        Lookups {
            boards: l(),
            statuses: l(),
            types: l(),
            priorities: l(),
            work_types: l(),
            members: l(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn concurrent_loads_of_one_key_run_once_and_failures_are_not_kept() {
        let c: Local<u32> = Local::new(10, Duration::from_secs(60));
        let loads = AtomicU32::new(0);
        let load = || {
            Box::pin(async {
                loads.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(7u32)
            }) as BoxFuture<'_, Result<u32, ToolError>>
        };
        let (a, b) = tokio::join!(
            c.get_or_load("k".into(), load()),
            c.get_or_load("k".into(), load())
        );
        assert_eq!((a.unwrap(), b.unwrap()), (7, 7));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        let fail = c
            .get_or_load(
                "bad".into(),
                Box::pin(async { Err(ToolError::invalid("no")) }),
            )
            .await;
        assert!(fail.is_err());
        let ok = c
            .get_or_load("bad".into(), Box::pin(async { Ok(1u32) }))
            .await;
        assert_eq!(ok.unwrap(), 1, "a failed load is tried again");
    }
}
