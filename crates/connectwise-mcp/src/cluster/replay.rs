//! The replay store shared by every replica: the same guarantees as [`crate::replay::Local`]
//! (an identical write runs once; a re-send within the window gets the first answer), held in
//! Redis so they hold whichever replica a request reaches.
//!
//! One key per write: `SET … NX` claims it as running, which is the lock that lets exactly one
//! of several identical calls in flight on several replicas run. The winner runs the write and
//! replaces the claim with its sealed answer for [`REPLAY_WINDOW`]; the others wait for that
//! answer. A failed write deletes its key so it can be tried again; so does one whose outcome
//! is unknown, whose re-send finds it in the write journal ([`crate::cluster::journal`]) and
//! looks for its record before writing. A claim whose replica died expires after
//! [`RUNNING_TTL`], and the journal covers it the same way.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::{seal, Redis, WhenDown, PREFIX};
use crate::cache::BoxFuture;
use crate::errors::ToolError;
use crate::replay::{Key, Local, Replay, Replayed, Result, REPLAY_WINDOW};
use crate::tools::ToolOutput;

/// How long a claim lasts unless renewed. The replica running the write renews it every
/// [`RENEW_EVERY`] for as long as the write runs, so a replica that died mid-write blocks
/// identical re-sends for seconds, not minutes; the re-send then finds the dead replica's
/// attempt in the journal and looks for its record before writing.
const RUNNING_TTL: Duration = Duration::from_secs(10);

/// How often a running write renews its claim.
const RENEW_EVERY: Duration = Duration::from_secs(3);

/// The longest a re-send waits for another replica's write to answer: a write ends within
/// the call deadline and its reads-back, well under this.
const MOST_WAIT: Duration = Duration::from_secs(120);

/// How often a caller waiting on another replica's write looks for its answer.
const POLL: Duration = Duration::from_millis(50);

/// What a key holds.
#[derive(Serialize, Deserialize)]
#[serde(tag = "s", rename_all = "snake_case")]
enum Entry {
    /// Claimed by a replica that is running the write; `t` is when, in Unix milliseconds.
    Running { t: u64 },
    /// The write's answer, sealed; `t` is when it started.
    Done { t: u64, v: String },
}

/// An answer as it is sealed.
#[derive(Serialize, Deserialize)]
enum Answer {
    Ok {
        structured: serde_json::Value,
        text: String,
    },
}

pub struct SharedReplay {
    redis: Arc<Redis>,
    /// Used while Redis is down when the policy is [`WhenDown::PerReplica`].
    local: Local,
}

impl SharedReplay {
    pub fn new(redis: Arc<Redis>) -> SharedReplay {
        SharedReplay {
            redis,
            local: Local::new(),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn paused() -> ToolError {
    ToolError::Paused("Not written: this server's replicas share their record of writes in Redis, which cannot be reached just now, and writing without it could write this twice. Reads still work; try the write again shortly (the administrator can see the state at /health).".into())
}

/// The sealed form of an answer worth giving again (a success); `None` for a failure, which
/// its re-send settles.
fn sealed(key: &Key, r: &Result) -> Option<String> {
    // A write whose outcome is not known is not kept either: its re-send runs, finds the
    // first attempt in the journal and looks for its record before writing.
    let answer = match r {
        Ok(o) => Answer::Ok {
            structured: o.structured.clone(),
            text: o.text.clone(),
        },
        Err(_) => return None,
    };
    let plain = serde_json::to_vec(&answer).ok()?;
    let s = seal::seal(&key.seal, &plain)?;
    Some(base64::engine::general_purpose::STANDARD.encode(s))
}

fn opened(key: &Key, v: &str) -> Result {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v)
        .ok()
        .and_then(|b| seal::open(&key.seal, &b))
        .ok_or_else(|| ToolError::Internal("a stored write answer could not be read".into()))?;
    match serde_json::from_slice::<Answer>(&bytes) {
        Ok(Answer::Ok { structured, text }) => Ok(ToolOutput {
            structured,
            text,
            image: None,
        }),
        Err(e) => Err(ToolError::Internal(format!(
            "a stored write answer could not be read: {e}"
        ))),
    }
}

impl SharedReplay {
    async fn claim(&self, k: &str) -> redis::RedisResult<bool> {
        let mut c = self.redis.conn();
        let v = serde_json::to_string(&Entry::Running { t: now_ms() }).unwrap_or_default();
        let r: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(k)
            .arg(v)
            .arg("NX")
            .arg("PX")
            .arg(RUNNING_TTL.as_millis() as u64)
            .query_async(&mut c)
            .await;
        self.redis.saw(&r);
        r.map(|set| set.is_some())
    }

    async fn read(&self, k: &str) -> redis::RedisResult<Option<Entry>> {
        let mut c = self.redis.conn();
        let r: redis::RedisResult<Option<String>> =
            redis::cmd("GET").arg(k).query_async(&mut c).await;
        self.redis.saw(&r);
        Ok(r?.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Keeps the answer for the window, or frees the key for another try.
    async fn settle(redis: &Redis, k: &str, key: &Key, r: &Result) {
        let mut c = redis.conn();
        let done: redis::RedisResult<()> = match sealed(key, r) {
            Some(v) => {
                let entry =
                    serde_json::to_string(&Entry::Done { t: now_ms(), v }).unwrap_or_default();
                redis::cmd("SET")
                    .arg(k)
                    .arg(entry)
                    .arg("PX")
                    .arg(REPLAY_WINDOW.as_millis() as u64)
                    .query_async(&mut c)
                    .await
            }
            None => redis::cmd("DEL").arg(k).query_async(&mut c).await,
        };
        redis.saw(&done);
        if done.is_err() {
            tracing::warn!("the answer of a write could not be stored in Redis; a re-send within two minutes may be refused or written again once its claim expires");
        }
    }
}

impl Replay for SharedReplay {
    fn run(
        &self,
        key: Key,
        work: BoxFuture<'static, Result>,
    ) -> BoxFuture<'_, (Result, Option<Replayed>)> {
        Box::pin(async move {
            if !self.redis.up() {
                return match self.redis.when_down {
                    WhenDown::Refuse => (Err(paused()), None),
                    WhenDown::PerReplica => self.local.run(key, work).await,
                };
            }
            let k = format!("{PREFIX}replay:{}", key.id);
            let mut waited = false;
            let mut work = Some(work);
            let give_up = tokio::time::Instant::now() + MOST_WAIT;
            loop {
                match self.claim(&k).await {
                    Ok(true) => {
                        let Some(w) = work.take() else {
                            return (
                                Err(ToolError::Internal("the write ran already".into())),
                                None,
                            );
                        };
                        // The write and the storing of its answer run in their own task, so a
                        // caller that goes away does not leave the key claimed and unanswered.
                        let redis = self.redis.clone();
                        let task = tokio::spawn(async move {
                            let renew = renewing(redis.clone(), k.clone());
                            let r = w.await;
                            renew.abort();
                            SharedReplay::settle(&redis, &k, &key, &r).await;
                            r
                        });
                        let r = task.await.unwrap_or_else(|e| {
                            Err(ToolError::Internal(format!(
                                "the write did not finish: {e}"
                            )))
                        });
                        return (r, None);
                    }
                    Ok(false) => match self.read(&k).await {
                        Ok(Some(Entry::Done { t, v })) => {
                            let replayed = if waited {
                                Replayed::InFlight
                            } else {
                                Replayed::Recent {
                                    secs_ago: now_ms().saturating_sub(t) / 1000,
                                }
                            };
                            return (opened(&key, &v), Some(replayed));
                        }
                        // Running elsewhere: wait for its answer. Gone meanwhile (failed and
                        // freed, or expired): claim it again.
                        Ok(Some(Entry::Running { .. })) => {
                            waited = true;
                            tokio::time::sleep(POLL).await;
                        }
                        Ok(None) => {}
                        Err(_) => return self.when_unreachable(key, work).await,
                    },
                    Err(_) => return self.when_unreachable(key, work).await,
                }
                if tokio::time::Instant::now() > give_up {
                    return (Err(ToolError::Unconfirmed("An identical write is still running on another replica and has not answered; it is not known yet whether it was made. Call again with the same arguments shortly to get its result: nothing will be written twice.".into())), Some(Replayed::InFlight));
                }
            }
        })
    }
}

/// Keeps a claim alive while its write runs (until aborted).
fn renewing(redis: Arc<Redis>, k: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(RENEW_EVERY).await;
            let mut c = redis.conn();
            let r: redis::RedisResult<i64> = redis::cmd("PEXPIRE")
                .arg(&k)
                .arg(RUNNING_TTL.as_millis() as u64)
                .query_async(&mut c)
                .await;
            redis.saw(&r);
        }
    })
}

impl SharedReplay {
    /// Redis failed mid-way: refuse, or replay per replica, as configured.
    async fn when_unreachable(
        &self,
        key: Key,
        work: Option<BoxFuture<'static, Result>>,
    ) -> (Result, Option<Replayed>) {
        match (self.redis.when_down, work) {
            (WhenDown::PerReplica, Some(w)) => self.local.run(key, w).await,
            _ => (Err(paused()), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_sealed_and_plain_failures_are_not_kept() {
        let key = Key {
            id: "k".into(),
            seal: [3; 32],
        };
        let ok: Result = Ok(ToolOutput {
            structured: serde_json::json!({"id": 7}),
            text: "Added note 7: replaced the toner".into(),
            image: None,
        });
        let v = sealed(&key, &ok).unwrap();
        assert!(!v.contains("toner"));
        assert_eq!(opened(&key, &v).ok(), ok.clone().ok());
        let other = Key {
            id: "k".into(),
            seal: [4; 32],
        };
        assert!(opened(&other, &v).is_err());
        let unknown: Result = Err(ToolError::Unconfirmed("may have been made".into()));
        assert!(sealed(&key, &unknown).is_none(), "its re-send settles it");
        assert!(sealed(&key, &Err(ToolError::invalid("bad"))).is_none());
    }
}
