//! Lookups of a table's records by the integer at one path (`ticketId`, `chargeToId`,
//! `board/id` …), so a ticket's notes or time entries are found without scanning every note
//! of the tenant. ConnectWise answers these from indexed SQL; a simulator that scans for them
//! makes every ticket view cost as much as a search, and load figures measure the simulator.
//!
//! An index is built on the first read that can use it and dropped whenever its table
//! changes. It only narrows: callers still test every candidate against the full filter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

/// Ids by value at one path, in id order.
#[derive(Debug, Default)]
pub struct PathIndex {
    by_value: HashMap<i64, Vec<i64>>,
    /// Records whose value there is present but not a plain integer (a string of digits, a
    /// path through an array): conditions may still match them, so they stay candidates.
    other: Vec<i64>,
}

impl PathIndex {
    fn build<'a>(records: impl Iterator<Item = (&'a i64, &'a Value)>, path: &[String]) -> Self {
        let mut ix = PathIndex::default();
        for (id, rec) in records {
            match at(rec, path) {
                At::Int(n) => ix.by_value.entry(n).or_default().push(*id),
                At::Absent => {}
                At::Other => ix.other.push(*id),
            }
        }
        ix
    }

    /// Ids that may hold `value` at the path, ascending.
    pub fn candidates(&self, value: i64) -> Vec<i64> {
        let hits = self.by_value.get(&value).map(Vec::as_slice).unwrap_or(&[]);
        if self.other.is_empty() {
            return hits.to_vec();
        }
        let mut all: Vec<i64> = hits.iter().chain(&self.other).copied().collect();
        all.sort_unstable();
        all
    }
}

enum At {
    Int(i64),
    Absent,
    Other,
}

fn at(rec: &Value, path: &[String]) -> At {
    let mut v = rec;
    for seg in path {
        match v {
            Value::Object(m) => match m.get(seg) {
                Some(next) => v = next,
                None => return At::Absent,
            },
            Value::Array(_) => return At::Other,
            _ => return At::Absent,
        }
    }
    match v {
        Value::Null => At::Absent,
        Value::Number(n) => n.as_i64().map_or(At::Other, At::Int),
        _ => At::Other,
    }
}

/// A table (by [`crate::kind::Kind::index`]) and a path in its records.
type Key = (usize, Vec<String>);

/// Every table's built indexes.
#[derive(Debug, Default)]
pub struct Indexes(Mutex<HashMap<Key, Arc<PathIndex>>>);

impl Clone for Indexes {
    /// A copy of the store rebuilds its own indexes when first asked.
    fn clone(&self) -> Self {
        Indexes::default()
    }
}

impl Indexes {
    /// The index of table `table` on `path`, built from `records` if it is not there yet.
    pub fn get<'a>(
        &self,
        table: usize,
        path: &[String],
        records: impl Iterator<Item = (&'a i64, &'a Value)>,
    ) -> Arc<PathIndex> {
        let key = (table, path.to_vec());
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(key)
            .or_insert_with(|| Arc::new(PathIndex::build(records, path)))
            .clone()
    }

    /// Table `table` changed: its indexes no longer hold.
    pub fn forget(&mut self, table: usize) {
        self.0
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(t, _), _| *t != table);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[test]
    fn narrows_to_integer_matches_and_keeps_what_it_cannot_judge() {
        let mut t = BTreeMap::new();
        t.insert(1, json!({"ticketId": 5}));
        t.insert(2, json!({"ticketId": 6}));
        t.insert(3, json!({"ticketId": "5"}));
        t.insert(4, json!({"ticketId": null}));
        t.insert(5, json!({}));
        t.insert(6, json!({"ticketId": 5}));
        let path = vec!["ticketId".to_string()];
        let ix = PathIndex::build(t.iter(), &path);
        assert_eq!(ix.candidates(5), vec![1, 3, 6]);
        assert_eq!(ix.candidates(7), vec![3]);
        let nested = PathIndex::build(
            [
                (&1, &json!({"board": {"id": 2}})),
                (&2, &json!({"board": [{"id": 2}]})),
            ]
            .into_iter(),
            &["board".to_string(), "id".to_string()],
        );
        assert_eq!(nested.candidates(2), vec![1, 2]);
    }
}
