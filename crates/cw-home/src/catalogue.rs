//! The discovery catalogue: endpoints a user found (with `cw_home_capture_xhr`) and chose to
//! keep, in SQLite (`data/catalogue.sqlite`, 0600). URLs are stored redacted.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection};
use serde_json::{json, Value};

use crate::error::{HomeError, Result};

pub struct Catalogue {
    db: Mutex<Connection>,
}

fn db_err(e: rusqlite::Error) -> HomeError {
    HomeError::Config(format!("the discovery catalogue failed: {e}"))
}

impl Catalogue {
    pub fn open(data_dir: &Path) -> Result<Catalogue> {
        crate::state::private_dir(data_dir)?;
        let path = data_dir.join("catalogue.sqlite");
        let db = Connection::open(&path).map_err(db_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS discovered (
                id INTEGER PRIMARY KEY,
                method TEXT NOT NULL,
                url TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                saved_at TEXT NOT NULL,
                UNIQUE(method, url)
            );
            CREATE TABLE IF NOT EXISTS operations (
                name TEXT PRIMARY KEY,
                definition TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS queries (
                name TEXT PRIMARY KEY,
                operation TEXT NOT NULL,
                params TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                saved_at TEXT NOT NULL
            );",
        )
        .map_err(db_err)?;
        Ok(Catalogue { db: Mutex::new(db) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Saves (or updates the description of) an endpoint; returns its id.
    pub fn save(&self, method: &str, url: &str, description: &str) -> Result<i64> {
        let db = self.conn();
        db.execute(
            "INSERT INTO discovered (method, url, description, saved_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(method, url) DO UPDATE SET description = excluded.description",
            params![
                method.to_ascii_uppercase(),
                url,
                description,
                chrono::Utc::now().to_rfc3339()
            ],
        )
        .map_err(db_err)?;
        db.query_row(
            "SELECT id FROM discovered WHERE method = ?1 AND url = ?2",
            params![method.to_ascii_uppercase(), url],
            |r| r.get(0),
        )
        .map_err(db_err)
    }

    /// Endpoints whose method, URL or description contains `search` (all without one).
    pub fn list(&self, search: Option<&str>) -> Result<Vec<Value>> {
        let db = self.conn();
        let like = format!("%{}%", search.unwrap_or(""));
        let mut st = db
            .prepare(
                "SELECT id, method, url, description, saved_at FROM discovered
                 WHERE method LIKE ?1 OR url LIKE ?1 OR description LIKE ?1 ORDER BY id",
            )
            .map_err(db_err)?;
        let rows = st
            .query_map(params![like], |r| {
                Ok(json!({"id": r.get::<_, i64>(0)?, "method": r.get::<_, String>(1)?, "url": r.get::<_, String>(2)?,
                          "description": r.get::<_, String>(3)?, "saved_at": r.get::<_, String>(4)?}))
            })
            .map_err(db_err)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(db_err)
    }

    /// Deletes an endpoint; whether it existed.
    pub fn delete(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM discovered WHERE id = ?1", params![id])
            .map_err(db_err)?
            > 0)
    }

    /// Stores an operation a user promoted from a discovery (replacing one of that name).
    pub fn save_operation(&self, name: &str, definition: &Value) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO operations (name, definition) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET definition = excluded.definition",
                params![name, definition.to_string()],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// The promoted operations, as stored.
    pub fn operations(&self) -> Result<Vec<Value>> {
        let db = self.conn();
        let mut st = db
            .prepare("SELECT definition FROM operations ORDER BY name")
            .map_err(db_err)?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(db_err)?;
        Ok(rows
            .iter()
            .filter_map(|d| serde_json::from_str(d).ok())
            .collect())
    }

    /// Pins a query: an operation and its parameters, under a name.
    pub fn save_query(
        &self,
        name: &str,
        operation: &str,
        params: &Value,
        description: &str,
    ) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO queries (name, operation, params, description, saved_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(name) DO UPDATE SET operation = excluded.operation, params = excluded.params,
                   description = excluded.description, saved_at = excluded.saved_at",
                params![name, operation, params.to_string(), description, chrono::Utc::now().to_rfc3339()],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// Pinned queries, or the one named.
    pub fn queries(&self, name: Option<&str>) -> Result<Vec<Value>> {
        let db = self.conn();
        let mut st = db
            .prepare("SELECT name, operation, params, description, saved_at FROM queries WHERE ?1 IS NULL OR name = ?1 ORDER BY name")
            .map_err(db_err)?;
        let rows = st
            .query_map(params![name], |r| {
                let params: String = r.get(2)?;
                Ok(json!({"name": r.get::<_, String>(0)?, "operation": r.get::<_, String>(1)?,
                          "params": serde_json::from_str::<Value>(&params).unwrap_or(Value::Null),
                          "description": r.get::<_, String>(3)?, "saved_at": r.get::<_, String>(4)?}))
            })
            .map_err(db_err)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(db_err)
    }

    /// Unpins one query (whether it existed), or all of them (how many there were).
    pub fn delete_queries(&self, name: Option<&str>) -> Result<usize> {
        let db = self.conn();
        let n = match name {
            Some(n) => db.execute("DELETE FROM queries WHERE name = ?1", params![n]),
            None => db.execute("DELETE FROM queries", []),
        };
        n.map_err(db_err)
    }
}
