//! Reading and writing the simulator's JSON records without panics. Records are
//! `serde_json::Value`s; a missing field reads as null (as ConnectWise leaves unset fields out),
//! and a write into something that is not an object changes nothing.

use serde_json::{Map, Value};

static NULL: Value = Value::Null;

pub trait Json {
    /// The value of `key`, or null when it is absent or this is not an object.
    fn at(&self, key: &str) -> &Value;

    /// Sets the value at `path` (`["_info", "lastUpdated"]`), creating objects on the way;
    /// does nothing where the path runs into a value that is not an object.
    fn set(&mut self, path: &[&str], v: Value);
}

impl Json for Value {
    fn at(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }

    fn set(&mut self, path: &[&str], v: Value) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let mut cur = self;
        for p in parents {
            if cur.is_null() {
                *cur = Value::Object(Map::new());
            }
            let Some(obj) = cur.as_object_mut() else {
                return;
            };
            cur = obj
                .entry(p.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        if cur.is_null() {
            *cur = Value::Object(Map::new());
        }
        if let Some(obj) = cur.as_object_mut() {
            obj.insert(last.to_string(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_never_panic_and_writes_build_paths() {
        let mut v = json!({"a": {"b": 1}, "n": 3});
        assert_eq!(v.at("a").at("b"), &json!(1));
        assert!(v.at("missing").at("deeper").is_null());
        assert!(v.at("n").at("x").is_null());
        v.set(&["_info", "lastUpdated"], json!("now"));
        assert_eq!(v.at("_info").at("lastUpdated"), &json!("now"));
        v.set(&["n", "x"], json!(1));
        assert_eq!(
            v.at("n"),
            &json!(3),
            "a scalar is not turned into an object"
        );
    }
}
