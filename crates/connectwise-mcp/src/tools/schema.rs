//! Schemas as strict clients want them: schemars emits Rust-flavoured `format`s (`uint32`,
//! `int64`, `double` …) that validators log as unknown; they are dropped here, and an unsigned
//! one becomes `minimum: 0`.

use rmcp::model::JsonObject;
use serde_json::Value;

/// JSON Schema formats every validator knows.
const STANDARD_FORMATS: &[&str] = &["date-time", "date", "time", "email", "uri", "uuid"];

/// The schema with non-standard formats removed.
pub fn portable(schema: &JsonObject) -> JsonObject {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if let Some(f) = o.get("format").and_then(Value::as_str).map(str::to_string) {
                    if !STANDARD_FORMATS.contains(&f.as_str()) {
                        o.remove("format");
                        if f.starts_with("uint") && !o.contains_key("minimum") {
                            o.insert("minimum".into(), Value::from(0));
                        }
                    }
                }
                o.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = Value::Object(schema.clone());
    walk(&mut v);
    match v {
        Value::Object(o) => o,
        _ => schema.clone(),
    }
}
