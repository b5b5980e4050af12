//! What each caller last saw of a queue (`cw_changes_since`), shared by every replica through
//! Redis, so "since I last asked" means the same whichever replica a request reaches. The
//! value is sealed with a key derived from the caller's own API keys, which Redis never holds:
//! whoever reads Redis sees neither statuses nor who owns what. While Redis is down, each
//! replica keeps its own, so the tool goes on working (as reads do).

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

use super::{key, seal, Redis};
use crate::cache::BoxFuture;
use crate::context::{LocalSeen, Seen, SeenKey, SeenStore, SEEN_FOR};

/// [`Seen`] as stored (then sealed, and kept as base64 text like the replay store's answers).
#[derive(Serialize, Deserialize)]
struct Wire {
    at_ms: i64,
    tickets: Vec<(i64, String, String)>,
    notes: Vec<(i64, i64)>,
}

impl From<&Seen> for Wire {
    fn from(s: &Seen) -> Wire {
        Wire {
            at_ms: s.at.timestamp_millis(),
            tickets: s
                .tickets
                .iter()
                .map(|(id, (st, ow))| (*id, st.clone(), ow.clone()))
                .collect(),
            notes: s.notes.iter().map(|(t, n)| (*t, *n)).collect(),
        }
    }
}

impl From<Wire> for Seen {
    fn from(w: Wire) -> Seen {
        Seen {
            at: DateTime::<Utc>::from_timestamp_millis(w.at_ms).unwrap_or_default(),
            tickets: w
                .tickets
                .into_iter()
                .map(|(id, s, o)| (id, (s, o)))
                .collect(),
            notes: w.notes.into_iter().collect(),
        }
    }
}

/// [`SeenStore`] in Redis, with this replica's own as the fallback.
pub struct SharedSeen {
    redis: Arc<Redis>,
    local: LocalSeen,
}

impl SharedSeen {
    pub fn new(redis: Arc<Redis>) -> SharedSeen {
        SharedSeen {
            redis,
            local: LocalSeen::default(),
        }
    }

    async fn fetch(&self, k: &SeenKey) -> Option<Seen> {
        let mut c = self.redis.conn();
        let r: redis::RedisResult<Option<String>> = c.get(key("seen", &[&k.id])).await;
        self.redis.saw(&r);
        let sealed = B64.decode(r.ok()??).ok()?;
        let plain = seal::open(&k.seal, &sealed)?;
        serde_json::from_slice::<Wire>(&plain).ok().map(Seen::from)
    }

    async fn store(&self, k: &SeenKey, s: &Seen) {
        let Ok(plain) = serde_json::to_vec(&Wire::from(s)) else {
            return;
        };
        let Some(sealed) = seal::seal(&k.seal, &plain) else {
            return;
        };
        let mut c = self.redis.conn();
        let r: redis::RedisResult<()> = c
            .set_ex(
                key("seen", &[&k.id]),
                B64.encode(sealed),
                SEEN_FOR.as_secs(),
            )
            .await;
        self.redis.saw(&r);
    }
}

impl SeenStore for SharedSeen {
    fn get<'a>(&'a self, k: &'a SeenKey) -> BoxFuture<'a, Option<Arc<Seen>>> {
        Box::pin(async move {
            if self.redis.up() {
                if let Some(s) = self.fetch(k).await {
                    return Some(Arc::new(s));
                }
            }
            self.local.get(k).await
        })
    }

    fn put<'a>(&'a self, k: &'a SeenKey, seen: Seen) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if self.redis.up() {
                self.store(k, &seen).await;
            }
            self.local.put(k, seen).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_survives_the_wire() {
        let mut s = Seen {
            at: DateTime::<Utc>::from_timestamp_millis(1_764_500_000_123).unwrap(),
            ..Default::default()
        };
        s.tickets.insert(5, ("New".into(), "jchen".into()));
        s.notes.insert(5, 77);
        let back = Seen::from(
            serde_json::from_slice::<Wire>(&serde_json::to_vec(&Wire::from(&s)).unwrap()).unwrap(),
        );
        assert_eq!(
            (back.at, back.tickets, back.notes),
            (s.at, s.tickets, s.notes)
        );
    }
}
