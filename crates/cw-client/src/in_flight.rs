//! At most N requests in flight per ConnectWise key. ConnectWise throttles per member and
//! publishes no number; a shared deployment must not let one busy key (or a burst of
//! parallel calls from one assistant) open hundreds of connections at once. Calls beyond the
//! cap wait their turn (the call deadline still applies); other keys are not held up.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio::sync::Semaphore;

/// A slot held in a deployment-wide cap; released when dropped.
pub type SharedSlot = Box<dyn Send + Sync>;

/// The same cap held across every process of a deployment (replicas behind a load balancer),
/// on top of each process's own semaphore. Implemented outside this crate (over Redis); an
/// implementation that cannot reach its store answers `None` and the call goes on under the
/// process's own cap.
pub trait SharedSlots: Send + Sync {
    /// Waits for one of `cap` slots of the key `fingerprint`.
    fn acquire(
        &self,
        fingerprint: Arc<str>,
        cap: usize,
    ) -> Pin<Box<dyn Future<Output = Option<SharedSlot>> + Send + '_>>;
}

/// One semaphore per key fingerprint, alive while any client with that key is.
#[derive(Debug)]
pub struct InFlight {
    per_key: usize,
    keys: Mutex<HashMap<Arc<str>, Weak<Semaphore>>>,
}

impl InFlight {
    pub fn new(per_key: usize) -> InFlight {
        InFlight {
            per_key: per_key.max(1),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The semaphore every client of `fingerprint` shares.
    pub fn for_key(&self, fingerprint: &Arc<str>) -> Arc<Semaphore> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(s) = keys.get(fingerprint).and_then(Weak::upgrade) {
            return s;
        }
        // Forget keys no client uses any more before adding one (BYOK: keys come and go).
        if keys.len() >= 64 {
            keys.retain(|_, w| w.strong_count() > 0);
        }
        let s = Arc::new(Semaphore::new(self.per_key));
        keys.insert(fingerprint.clone(), Arc::downgrade(&s));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_semaphore_per_live_key() {
        let f = InFlight::new(3);
        let (a, b): (Arc<str>, Arc<str>) = ("a".into(), "b".into());
        let s1 = f.for_key(&a);
        let s2 = f.for_key(&a);
        assert!(Arc::ptr_eq(&s1, &s2));
        assert!(!Arc::ptr_eq(&s1, &f.for_key(&b)));
        assert_eq!(s1.available_permits(), 3);
        drop((s1, s2));
        assert_eq!(
            f.for_key(&a).available_permits(),
            3,
            "a fresh one once unused"
        );
    }
}
