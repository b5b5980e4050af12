//! Whose keys are whose ([`crate::identity`]), shared by every replica through Redis, so
//! ConnectWise is asked once per set of keys for the whole deployment and keys it refused are
//! not forwarded by any replica. The verdict is sealed with a key derived from the API keys
//! themselves, which Redis never holds, so Redis does not say which member is which key.
//! Each replica keeps its own copy too, which serves while Redis is down.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use redis::AsyncCommands;

use super::{key, seal, Redis};
use crate::cache::BoxFuture;
use crate::identity::{KeysId, LocalVerdicts, Verdict, VerdictStore};

pub struct SharedVerdicts {
    redis: Arc<Redis>,
    local: LocalVerdicts,
}

impl SharedVerdicts {
    pub fn new(redis: Arc<Redis>) -> SharedVerdicts {
        SharedVerdicts {
            redis,
            local: LocalVerdicts::default(),
        }
    }

    async fn fetch(&self, k: &KeysId) -> Option<Verdict> {
        let mut c = self.redis.conn();
        let r: redis::RedisResult<Option<String>> = c.get(key("member", &[&k.id])).await;
        self.redis.saw(&r);
        let sealed = B64.decode(r.ok()??).ok()?;
        serde_json::from_slice(&seal::open(&k.seal, &sealed)?).ok()
    }

    async fn store(&self, k: &KeysId, v: &Verdict) {
        let Some(sealed) = serde_json::to_vec(v)
            .ok()
            .and_then(|plain| seal::seal(&k.seal, &plain))
        else {
            return;
        };
        let mut c = self.redis.conn();
        let r: redis::RedisResult<()> = c
            .set_ex(
                key("member", &[&k.id]),
                B64.encode(sealed),
                v.lasts().as_secs(),
            )
            .await;
        self.redis.saw(&r);
    }
}

impl VerdictStore for SharedVerdicts {
    fn get<'a>(&'a self, k: &'a KeysId) -> BoxFuture<'a, Option<Verdict>> {
        Box::pin(async move {
            if self.redis.up() {
                if let Some(v) = self.fetch(k).await {
                    return Some(v);
                }
            }
            self.local.get(k).await
        })
    }

    fn put<'a>(&'a self, k: &'a KeysId, v: Verdict) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if self.redis.up() {
                self.store(k, &v).await;
            }
            self.local.put(k, v).await;
        })
    }
}
