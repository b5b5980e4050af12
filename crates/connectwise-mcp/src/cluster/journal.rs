//! The write journal ([`crate::journal`]) shared by every replica: a write journaled by one
//! replica that then died is found by the replica a re-send reaches. Entries are sealed with
//! a key derived from the request (so Redis does not say who wrote what) and expire.
//!
//! Redis may lose everything (a restart without persistence, a flush, an eviction). A marker
//! key written once tells: when a replica finds it gone after having seen it, the journal may
//! have lost entries at that moment, and writes asked for in the next minutes are looked for in
//! ConnectWise before they are sent ([`Journal::lost_at`]). While Redis cannot be reached,
//! each replica journals in its own embedded store.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use redis::AsyncCommands;

use super::{key, seal, Redis, PREFIX};
use crate::cache::BoxFuture;
use crate::journal::{Entry, Journal, JournalKey, Unavailable, MADE_FOR, UNKNOWN_FOR};

/// The key whose absence says Redis lost what it held.
const MARKER: &str = "journal:epoch";

/// How long the marker lasts unless a replica renews it (each does, every second).
const MARKER_LASTS: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

pub struct SharedJournal {
    redis: Arc<Redis>,
    /// Used while Redis cannot be reached.
    local: Arc<dyn Journal>,
    /// The marker's epoch as this replica last saw it.
    epoch: std::sync::Mutex<Option<String>>,
    /// When the marker was last found gone (Unix seconds; 0: never).
    lost: AtomicI64,
    /// When this replica started (Unix seconds).
    started: i64,
}

impl SharedJournal {
    pub fn new(redis: Arc<Redis>, local: Arc<dyn Journal>) -> Arc<SharedJournal> {
        let j = Arc::new(SharedJournal {
            redis,
            local,
            epoch: std::sync::Mutex::new(None),
            lost: AtomicI64::new(0),
            started: Utc::now().timestamp(),
        });
        // Watch the marker as Redis's reachability is watched.
        let watched = Arc::downgrade(&j);
        tokio::spawn(async move {
            while let Some(j) = watched.upgrade() {
                j.check_marker().await;
                drop(j);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        });
        j
    }

    /// Reads the marker, setting a fresh one (its creation time and a random epoch) if it is
    /// gone, and keeps it from expiring while replicas run. A marker made after this replica
    /// started, or another than the one it saw last, means Redis may have lost entries then
    /// (whichever replica wrote the new one; on a deployment's very first start this costs
    /// only some reads-back).
    async fn check_marker(&self) {
        if !self.redis.up() {
            return;
        }
        let mut c = self.redis.conn();
        let name = format!("{PREFIX}{MARKER}");
        let mut fresh = [0u8; 16];
        let _ = getrandom::fill(&mut fresh);
        let set: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(&name)
            .arg(format!("{}:{}", Utc::now().timestamp(), hex::encode(fresh)))
            .arg("NX")
            .arg("EX")
            .arg(MARKER_LASTS.as_secs())
            .query_async(&mut c)
            .await;
        self.redis.saw(&set);
        let now: redis::RedisResult<Option<String>> = c.get(&name).await;
        self.redis.saw(&now);
        let kept: redis::RedisResult<i64> = c.expire(&name, MARKER_LASTS.as_secs() as i64).await;
        self.redis.saw(&kept);
        let Ok(Some(epoch)) = now else {
            return;
        };
        let made = epoch
            .split_once(':')
            .and_then(|(t, _)| t.parse::<i64>().ok())
            .unwrap_or(0);
        let mut seen = self
            .epoch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let new_to_me = seen.as_deref() != Some(epoch.as_str());
        if new_to_me && (seen.is_some() || made >= self.started) {
            tracing::warn!("the write journal in Redis is newer than this replica (Redis restarted empty?): writes asked for in the next minutes are looked for in ConnectWise before they are sent");
            self.lost.store(made.max(1), Ordering::Relaxed);
        }
        *seen = Some(epoch);
    }

    fn name(k: &JournalKey) -> String {
        key("journal", &[&k.id])
    }

    async fn fetch(&self, k: &JournalKey) -> redis::RedisResult<Option<Entry>> {
        let mut c = self.redis.conn();
        let r: redis::RedisResult<Option<String>> = c.get(Self::name(k)).await;
        self.redis.saw(&r);
        Ok(r?
            .and_then(|v| B64.decode(v).ok())
            .and_then(|b| seal::open(&k.seal, &b))
            .and_then(|plain| serde_json::from_slice(&plain).ok()))
    }

    async fn store(&self, k: &JournalKey, e: &Entry) -> redis::RedisResult<()> {
        let sealed = serde_json::to_vec(e)
            .ok()
            .and_then(|plain| seal::seal(&k.seal, &plain))
            .map(|s| B64.encode(s))
            .unwrap_or_default();
        let ttl = if e.record.is_some() {
            MADE_FOR
        } else {
            UNKNOWN_FOR
        };
        let mut c = self.redis.conn();
        let r: redis::RedisResult<()> = c.set_ex(Self::name(k), sealed, ttl.as_secs()).await;
        self.redis.saw(&r);
        r
    }
}

impl Journal for SharedJournal {
    fn get<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, Result<Option<Entry>, Unavailable>> {
        Box::pin(async move {
            if self.redis.up() {
                if let Ok(found) = self.fetch(k).await {
                    return match found {
                        Some(e) => Ok(Some(e)),
                        None => {
                            // Not there: was it ever, or did Redis lose it? Look at the marker
                            // now rather than at the next tick, so `lost_at` is current.
                            self.check_marker().await;
                            // Journaled here while Redis was down, perhaps.
                            self.local.get(k).await
                        }
                    };
                }
            }
            self.local.get(k).await
        })
    }

    fn begin<'a>(&'a self, k: &'a JournalKey, e: Entry) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            if self.redis.up() && self.store(k, &e).await.is_ok() {
                return Ok(());
            }
            self.local.begin(k, e).await
        })
    }

    fn made<'a>(&'a self, k: &'a JournalKey, record: Option<i64>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Ok(Some(mut e)) = self.get(k).await {
                e.record = Some(record.unwrap_or(0));
                if !(self.redis.up() && self.store(k, &e).await.is_ok()) {
                    self.local.made(k, record).await;
                }
            }
        })
    }

    fn forget<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if self.redis.up() {
                let mut c = self.redis.conn();
                let r: redis::RedisResult<()> = c.del(Self::name(k)).await;
                self.redis.saw(&r);
            }
            self.local.forget(k).await;
        })
    }

    fn lost_at(&self) -> Option<DateTime<Utc>> {
        match self.lost.load(Ordering::Relaxed) {
            0 => None,
            t => DateTime::from_timestamp(t, 0),
        }
    }
}
