//! The per-ConnectWise-key cap on requests in flight (`CW_MAX_IN_FLIGHT`), held for the whole
//! deployment: each replica still keeps its own semaphore, and a request also takes one of the
//! key's slots in Redis, a sorted set of holders with lease expiry (a replica that dies
//! mid-request frees its slot when the lease runs out). While Redis cannot be reached, each
//! replica holds the cap on its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use cw_client::{SharedSlot, SharedSlots};
use ring::rand::{SecureRandom, SystemRandom};

use super::Redis;

/// How long a slot is held at most: longer than any one request to ConnectWise may take.
const LEASE: Duration = Duration::from_secs(90);

/// How long a request waits for a slot before going on under its replica's own cap only.
const WAIT: Duration = Duration::from_secs(30);

/// KEYS[1]: the key's holders. ARGV: cap, lease in ms, holder id. 1 when a slot was taken.
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
";

pub struct RedisSlots {
    redis: Arc<Redis>,
}

impl RedisSlots {
    pub fn new(redis: Arc<Redis>) -> RedisSlots {
        RedisSlots { redis }
    }
}

/// A taken slot; gives it back when dropped.
struct Held {
    redis: Arc<Redis>,
    key: String,
    id: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        let (redis, key, id) = (
            self.redis.clone(),
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.id),
        );
        tokio::spawn(async move {
            let mut c = redis.conn();
            let r: redis::RedisResult<()> = redis::cmd("ZREM")
                .arg(&key)
                .arg(&id)
                .query_async(&mut c)
                .await;
            redis.saw(&r);
        });
    }
}

impl SharedSlots for RedisSlots {
    fn acquire(
        &self,
        fingerprint: Arc<str>,
        cap: usize,
    ) -> Pin<Box<dyn Future<Output = Option<SharedSlot>> + Send + '_>> {
        Box::pin(async move {
            if !self.redis.up() {
                return None;
            }
            let key = super::key("slots", &[&fingerprint]);
            let mut raw = [0u8; 16];
            SystemRandom::new().fill(&mut raw).ok()?;
            let id = hex::encode(raw);
            let script = redis::Script::new(TAKE);
            let until = tokio::time::Instant::now() + WAIT;
            let mut pause = Duration::from_millis(5);
            loop {
                let mut c = self.redis.conn();
                let r: redis::RedisResult<i64> = script
                    .key(&key)
                    .arg(cap)
                    .arg(LEASE.as_millis() as u64)
                    .arg(&id)
                    .invoke_async(&mut c)
                    .await;
                self.redis.saw(&r);
                match r {
                    Ok(1) => {
                        return Some(Box::new(Held {
                            redis: self.redis.clone(),
                            key,
                            id,
                        }) as SharedSlot)
                    }
                    Ok(_) if tokio::time::Instant::now() < until => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_millis(50));
                    }
                    // Waited long enough, or Redis failed: go on under this replica's own cap.
                    _ => return None,
                }
            }
        })
    }
}
