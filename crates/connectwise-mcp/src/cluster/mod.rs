//! Running as many identical replicas behind a load balancer (`CW_MCP_REDIS_URL`): what must
//! hold for the whole deployment rather than per process lives in Redis. That is the
//! write-replay store ([`replay`]), so a re-send through another replica is answered, not
//! written twice, the per-principal rate limit ([`rate`]) and the per-ConnectWise-key cap on
//! requests in flight ([`slots`]), each caller's last look at a queue ([`seen`], sealed), and
//! whose keys are whose ([`identity`], sealed).
//! Lookup caches stay per replica.
//!
//! Redis keys are hashes of what they stand for, never keys, tokens or text, and every entry
//! expires. A replay answer is sealed ([`seal`]) with a key only an identical request can
//! derive. When Redis cannot be reached, reads go on; writes are refused (or, by choice, fall
//! back to each replica's own replay store), `/health` says so, and the connection manager
//! reconnects by itself.

pub mod identity;
pub mod journal;
pub mod rate;
pub mod replay;
pub mod seal;
pub mod seen;
pub mod slots;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Prefix of every key this server writes, so one Redis can serve other things too.
pub const PREFIX: &str = "cwmcp:";

/// How long one Redis command may take before it counts as Redis being down.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(750);

/// How often reachability is checked (and how fast a recovery is noticed).
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// What writes do while Redis is unreachable (`CW_MCP_REDIS_DOWN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenDown {
    /// Refuse writes with a clear message: a re-send through another replica could otherwise
    /// write twice. The default.
    Refuse,
    /// Go on with each replica's own replay store: a re-send through the same replica is
    /// still answered once; through another, it may be written again.
    PerReplica,
}

impl WhenDown {
    pub fn parse(s: &str) -> Result<WhenDown, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "refuse" => Ok(WhenDown::Refuse),
            "per-replica" | "local" => Ok(WhenDown::PerReplica),
            other => Err(format!(
                "CW_MCP_REDIS_DOWN is `{other}`; use refuse (writes wait for Redis, the default) or per-replica (each replica replays its own writes)"
            )),
        }
    }
}

/// A shared Redis: one multiplexed connection that reconnects by itself, and whether it
/// answered lately.
pub struct Redis {
    conn: ConnectionManager,
    up: AtomicBool,
    pub when_down: WhenDown,
}

impl Redis {
    /// Connects lazily, so the server starts (and serves reads) while Redis is still down,
    /// and watches reachability from then on.
    pub fn open(url: &str, when_down: WhenDown) -> anyhow::Result<Arc<Redis>> {
        let client = redis::Client::open(url).map_err(|e| {
            anyhow::anyhow!(
                "CW_MCP_REDIS_URL is not a Redis URL ({}); use e.g. redis://redis:6379/0",
                e.category()
            )
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(2));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| anyhow::anyhow!("cannot set up the Redis connection: {}", e.category()))?;
        let redis = Arc::new(Redis {
            conn,
            up: AtomicBool::new(false),
            when_down,
        });
        let watched = Arc::downgrade(&redis);
        tokio::spawn(async move {
            while let Some(r) = watched.upgrade() {
                r.check().await;
                drop(r);
                tokio::time::sleep(WATCH_EVERY).await;
            }
        });
        Ok(redis)
    }

    /// Whether Redis answered its last check (or command).
    pub fn up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// A handle for commands; cheap (the connection is shared).
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Records a command's outcome, so a failure is noticed before the next check.
    pub fn saw<T>(&self, r: &redis::RedisResult<T>) {
        if r.is_err() {
            self.set_up(false);
        }
    }

    /// Pings Redis and records whether it answered.
    pub async fn check(&self) -> bool {
        let mut c = self.conn();
        let ok = tokio::time::timeout(
            COMMAND_TIMEOUT,
            redis::cmd("PING").query_async::<String>(&mut c),
        )
        .await
        .is_ok_and(|r| r.is_ok());
        self.set_up(ok);
        ok
    }

    fn set_up(&self, now: bool) {
        let was = self.up.swap(now, Ordering::Relaxed);
        if was != now {
            if now {
                tracing::info!("Redis is reachable: writes are replayed across replicas");
            } else {
                tracing::warn!(
                    when_down = ?self.when_down,
                    "Redis is unreachable: reads go on; writes {}",
                    match self.when_down {
                        WhenDown::Refuse => "are refused until it is back",
                        WhenDown::PerReplica => "are replayed per replica until it is back",
                    }
                );
            }
        }
    }

    /// What `/health` reports about writes.
    pub fn writes(&self) -> &'static str {
        match (self.up(), self.when_down) {
            (true, _) => "ok",
            (false, WhenDown::Refuse) => "paused: Redis is unreachable",
            (false, WhenDown::PerReplica) => "per-replica: Redis is unreachable",
        }
    }
}

/// A key for `what`, named by a hash of `parts` (never the parts themselves).
pub fn key(what: &str, parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    format!("{PREFIX}{what}:{}", hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashes_and_the_policy_reads_clearly() {
        let k = key("rate", &["token:alice"]);
        assert!(k.starts_with("cwmcp:rate:") && !k.contains("alice"));
        assert_eq!(WhenDown::parse("").unwrap(), WhenDown::Refuse);
        assert_eq!(
            WhenDown::parse("Per-Replica").unwrap(),
            WhenDown::PerReplica
        );
        assert!(WhenDown::parse("maybe").unwrap_err().contains("refuse"));
    }
}
