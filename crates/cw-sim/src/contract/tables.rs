//! Generic collections that something wrote to. Until then a collection is synthesised on
//! every read (nothing to store for 1,600 routes nobody calls); the first write copies its
//! synthesised records here, and from then on this table is the truth for it.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// Written generic tables, by table key (`/company/companies/7/sites`).
#[derive(Debug, Clone, Default)]
pub struct Tables {
    tables: HashMap<String, BTreeMap<i64, Value>>,
    /// Next id per collection pattern, for records created through the API.
    next_id: HashMap<String, i64>,
}

/// Ids the API hands out start here, clear of every synthesised id.
const FIRST_CREATED_ID: i64 = 100_000;

impl Tables {
    pub fn get(&self, key: &str) -> Option<&BTreeMap<i64, Value>> {
        self.tables.get(key)
    }

    /// The table at `key`, filled by `seed` the first time.
    pub fn materialise(
        &mut self,
        key: &str,
        seed: impl FnOnce() -> BTreeMap<i64, Value>,
    ) -> &mut BTreeMap<i64, Value> {
        self.tables.entry(key.to_string()).or_insert_with(seed)
    }

    /// A fresh id for a record created in `collection` (ids are unique across its parents,
    /// as ConnectWise's are).
    pub fn next_id(&mut self, collection: &str) -> i64 {
        let n = self
            .next_id
            .entry(collection.to_string())
            .or_insert(FIRST_CREATED_ID);
        *n += 1;
        *n - 1
    }
}
