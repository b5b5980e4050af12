//! The write journal: what survives a crash of "nothing is written twice". Before a write
//! that adds a record leaves for ConnectWise, its entry is written here: which tool, for whom
//! (the member), when (by ConnectWise's clock); after, the record's id, or nothing if it was
//! certainly not made. A re-send of the same request, after a crash, a restart, a lost answer
//! or on another replica, finds the entry and looks in ConnectWise for the record (by its
//! content, member and time) before anything is written again ([`crate::reconcile`]).
//!
//! Entries are named by a hash of the request (its replay key), never its arguments,
//! and hold no text. The journal is an SQLite file under `CW_MCP_STATE_DIR` by default
//! ([`Embedded`]), in Redis when replicas share one ([`crate::cluster::journal`]), or, where
//! nothing can be kept (the demo), in memory ([`Memory`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::cache::BoxFuture;

/// How long an entry whose outcome is not known is kept: longer than any client keeps
/// re-sending, so a re-send after a restart still finds it.
pub const UNKNOWN_FOR: Duration = Duration::from_secs(24 * 3600);

/// How long the entry of a write that was made is kept: as long as the replay store gives its
/// answer again (its `REPLAY_WINDOW`; a later identical call is a new write).
pub const MADE_FOR: Duration = Duration::from_secs(120);

/// One write, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// The tool that wrote it.
    pub tool: String,
    /// Whose keys sent it (the member they belong to, when known).
    pub member: Option<String>,
    /// When it was sent, by ConnectWise's clock (Unix seconds).
    pub started: i64,
    /// The record made, once known.
    pub record: Option<i64>,
}

impl Entry {
    pub fn started_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.started, 0).unwrap_or_default()
    }
}

/// Names one journaled write: `id` (a hash of the request and which of its records), and a
/// key derived from the request the same way, for stores others can read (Redis) to seal with.
#[derive(Clone)]
pub struct JournalKey {
    pub id: String,
    pub seal: [u8; 32],
}

impl JournalKey {
    /// The key of the record `what` (its place among the call's records) of the request
    /// whose replay key is `request_id` and seal `request_seal`.
    pub fn of(request_id: &str, request_seal: &[u8; 32], what: &str) -> JournalKey {
        let digest = |label: &str, part: &[u8]| {
            let mut h = Sha256::new();
            for p in [label.as_bytes(), part, what.as_bytes()] {
                h.update(p);
                h.update([0]);
            }
            h.finalize()
        };
        JournalKey {
            id: hex::encode(digest("journal-id", request_id.as_bytes())),
            seal: digest("journal-seal", request_seal).into(),
        }
    }
}

/// The journal could not be written, so the write is not sent.
#[derive(Debug, Clone)]
pub struct Unavailable(pub String);

/// Where writes are journaled.
pub trait Journal: Send + Sync {
    fn get<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, Result<Option<Entry>, Unavailable>>;
    /// Journals a write about to be sent; an error means it must not be sent.
    fn begin<'a>(&'a self, k: &'a JournalKey, e: Entry) -> BoxFuture<'a, Result<(), Unavailable>>;
    /// The write made `record`.
    fn made<'a>(&'a self, k: &'a JournalKey, record: Option<i64>) -> BoxFuture<'a, ()>;
    /// The write was certainly not made.
    fn forget<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, ()>;
    /// When this journal may last have lost entries (Redis restarted empty), if it may have:
    /// writes asked for soon after are looked for in ConnectWise before they are sent.
    fn lost_at(&self) -> Option<DateTime<Utc>> {
        None
    }
}

fn now() -> i64 {
    Utc::now().timestamp()
}

/// How long an entry is kept, from when it was last written.
fn keep_for(e: &Entry) -> Duration {
    if e.record.is_some() {
        MADE_FOR
    } else {
        UNKNOWN_FOR
    }
}

/// The journal in memory: a crash loses it (the demo, whose tenant is new every start).
#[derive(Default)]
pub struct Memory(Mutex<HashMap<String, (Entry, i64)>>);

impl Memory {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, (Entry, i64)>) -> T) -> T {
        let mut m = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let t = now();
        m.retain(|_, (e, at)| t - *at <= keep_for(e).as_secs() as i64);
        f(&mut m)
    }
}

impl Journal for Memory {
    fn get<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, Result<Option<Entry>, Unavailable>> {
        Box::pin(async move { Ok(self.with(|m| m.get(&k.id).map(|(e, _)| e.clone()))) })
    }

    fn begin<'a>(&'a self, k: &'a JournalKey, e: Entry) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move {
            self.with(|m| m.insert(k.id.clone(), (e, now())));
            Ok(())
        })
    }

    fn made<'a>(&'a self, k: &'a JournalKey, record: Option<i64>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.with(|m| {
                if let Some((e, at)) = m.get_mut(&k.id) {
                    e.record = Some(record.unwrap_or(0));
                    *at = now();
                }
            })
        })
    }

    fn forget<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.with(|m| m.remove(&k.id));
        })
    }
}

/// The journal in an SQLite file (WAL, so an entry written survives the process being
/// killed the moment after), readable by its owner only. Several processes may share one.
pub struct Embedded {
    db: Arc<Mutex<rusqlite::Connection>>,
}

impl Embedded {
    pub fn open(path: &Path) -> Result<Embedded, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
        let db = rusqlite::Connection::open(path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        db.busy_timeout(Duration::from_secs(2))
            .and_then(|()| {
                db.execute_batch(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     CREATE TABLE IF NOT EXISTS writes (
                         key TEXT PRIMARY KEY,
                         entry TEXT NOT NULL,
                         expires INTEGER NOT NULL
                     );",
                )
            })
            .map_err(|e| format!("cannot set up {}: {e}", path.display()))?;
        Ok(Embedded {
            db: Arc::new(Mutex::new(db)),
        })
    }

    /// Runs `f` on the database off the async threads.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, Unavailable> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let db = db.lock().unwrap_or_else(PoisonError::into_inner);
            f(&db)
        })
        .await
        .map_err(|e| Unavailable(e.to_string()))?
        .map_err(|e| Unavailable(e.to_string()))
    }

    async fn put(&self, k: &JournalKey, e: &Entry) -> Result<(), Unavailable> {
        let key = k.id.clone();
        let text = serde_json::to_string(e).map_err(|e| Unavailable(e.to_string()))?;
        let expires = now() + keep_for(e).as_secs() as i64;
        self.run(move |db| {
            db.execute("DELETE FROM writes WHERE expires < ?1", [now()])?;
            db.execute(
                "INSERT INTO writes (key, entry, expires) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET entry = excluded.entry, expires = excluded.expires",
                rusqlite::params![key, text, expires],
            )?;
            Ok(())
        })
        .await
    }
}

impl Journal for Embedded {
    fn get<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, Result<Option<Entry>, Unavailable>> {
        Box::pin(async move {
            let key = k.id.clone();
            let text: Option<String> = self
                .run(move |db| {
                    use rusqlite::OptionalExtension;
                    db.query_row(
                        "SELECT entry FROM writes WHERE key = ?1 AND expires >= ?2",
                        rusqlite::params![key, now()],
                        |r| r.get(0),
                    )
                    .optional()
                })
                .await?;
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
        })
    }

    fn begin<'a>(&'a self, k: &'a JournalKey, e: Entry) -> BoxFuture<'a, Result<(), Unavailable>> {
        Box::pin(async move { self.put(k, &e).await })
    }

    fn made<'a>(&'a self, k: &'a JournalKey, record: Option<i64>) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if let Ok(Some(mut e)) = self.get(k).await {
                e.record = Some(record.unwrap_or(0));
                if let Err(err) = self.put(k, &e).await {
                    tracing::warn!("the write journal could not record a made write: {}", err.0);
                }
            }
        })
    }

    fn forget<'a>(&'a self, k: &'a JournalKey) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let key = k.id.clone();
            let _ = self
                .run(move |db| db.execute("DELETE FROM writes WHERE key = ?1", [key]))
                .await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &str) -> JournalKey {
        JournalKey::of(n, &[1; 32], "record 0")
    }

    fn entry() -> Entry {
        Entry {
            tool: "cw_add_ticket_note".into(),
            member: Some("jchen".into()),
            started: now(),
            record: None,
        }
    }

    async fn round_trip(j: &dyn Journal) {
        let k = key("a");
        assert_eq!(j.get(&k).await.unwrap(), None);
        j.begin(&k, entry()).await.unwrap();
        assert_eq!(j.get(&k).await.unwrap().unwrap().record, None);
        j.made(&k, Some(77)).await;
        assert_eq!(j.get(&k).await.unwrap().unwrap().record, Some(77));
        j.forget(&k).await;
        assert_eq!(j.get(&k).await.unwrap(), None);
        assert!(j.get(&key("b")).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn both_journals_keep_begin_made_and_forget() {
        round_trip(&Memory::default()).await;
        let dir = std::env::temp_dir().join(format!("cwmcp-journal-{}", std::process::id()));
        let path = dir.join("journal.sqlite3");
        round_trip(&Embedded::open(&path).unwrap()).await;
        // What one process journaled, the next one (after a crash) reads.
        let k = key("c");
        Embedded::open(&path)
            .unwrap()
            .begin(&k, entry())
            .await
            .unwrap();
        let again = Embedded::open(&path).unwrap();
        assert_eq!(
            again.get(&k).await.unwrap().unwrap().member.as_deref(),
            Some("jchen")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn keys_name_the_record_of_the_request_and_hide_both() {
        let a = key("req");
        assert_ne!(a.id, key("other").id);
        assert!(!a.id.contains("req") && a.id.len() == 64);
        let other_record = JournalKey::of("req", &[1; 32], "record 1");
        assert_ne!(a.id, other_record.id);
    }
}
