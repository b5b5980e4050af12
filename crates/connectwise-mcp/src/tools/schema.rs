//! Schemas as small as they can be and still tell a model (and a strict validator) everything:
//! a model pays for every byte of `tools/list` on every turn.
//!
//! schemars writes what Rust types mean; this keeps what a caller needs: `$schema` and `$defs`
//! go (each definition is inlined where it is used), an optional value is just an optional
//! property (`type: "string"`, not `["string", "null"]` or `anyOf` with `null`, which strict
//! clients also flag as unportable), an enum is an `enum` (its meanings are in the property's
//! description), formats no validator knows (`uint32`, `double` …) and the `minimum: 0` of
//! unsigned numbers go, and doc-comment line breaks become spaces.

use rmcp::model::JsonObject;
use serde_json::{Map, Value};

/// JSON Schema formats every validator knows.
const STANDARD_FORMATS: &[&str] = &["date-time", "date", "time", "email", "uri", "uuid"];

/// The compact form of a generated schema.
pub fn compact(schema: &JsonObject) -> JsonObject {
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut root = schema.clone();
    root.remove("$defs");
    root.remove("$schema");
    root.remove("title");
    let mut v = Value::Object(root);
    walk(&mut v, &defs, 0);
    match v {
        Value::Object(o) => o,
        _ => schema.clone(),
    }
}

/// Deepest `$ref` chain followed (the argument and output types are not recursive; this only
/// guards against a definition that refers to itself).
const MAX_DEPTH: usize = 8;

fn walk(v: &mut Value, defs: &Map<String, Value>, depth: usize) {
    match v {
        Value::Object(o) => {
            inline_ref(o, defs, depth);
            drop_null_alternative(o, defs, depth);
            enum_of_consts(o);
            nullable_type(o);
            if let Some(f) = o.get("format").and_then(Value::as_str) {
                if !STANDARD_FORMATS.contains(&f) {
                    o.remove("format");
                    if o.get("minimum") == Some(&Value::from(0)) {
                        o.remove("minimum");
                    }
                }
            }
            if o.get("default").is_some_and(Value::is_null) {
                o.remove("default");
            }
            if let Some(Value::String(d)) = o.get_mut("description") {
                *d = one_line(d);
            }
            for (k, child) in o.iter_mut() {
                // Property names and enum values are data, not schemas.
                if k != "enum" && k != "required" {
                    walk(child, defs, depth);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| walk(x, defs, depth)),
        _ => {}
    }
}

/// `{"$ref": "#/$defs/X", …}` becomes X's content, with the referring object's own keys
/// (its description) winning.
fn inline_ref(o: &mut Map<String, Value>, defs: &Map<String, Value>, depth: usize) {
    let Some(name) = o
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .map(str::to_string)
    else {
        return;
    };
    o.remove("$ref");
    if depth >= MAX_DEPTH {
        return;
    }
    if let Some(Value::Object(def)) = defs.get(&name) {
        let mut def = Value::Object(def.clone());
        walk(&mut def, defs, depth + 1);
        if let Value::Object(def) = def {
            for (k, v) in def {
                o.entry(k).or_insert(v);
            }
        }
    }
}

/// `anyOf: [X, {"type": "null"}]` becomes X: an optional property is simply not required.
fn drop_null_alternative(o: &mut Map<String, Value>, defs: &Map<String, Value>, depth: usize) {
    let Some(Value::Array(alts)) = o.get("anyOf") else {
        return;
    };
    let rest: Vec<Value> = alts
        .iter()
        .filter(|a| a.get("type") != Some(&Value::from("null")))
        .cloned()
        .collect();
    if rest.len() == alts.len() {
        return;
    }
    o.remove("anyOf");
    match rest.as_slice() {
        [Value::Object(only)] => {
            let mut only = Value::Object(only.clone());
            walk(&mut only, defs, depth);
            if let Value::Object(only) = only {
                for (k, v) in only {
                    o.entry(k).or_insert(v);
                }
            }
        }
        _ => {
            o.insert("anyOf".into(), Value::Array(rest));
        }
    }
}

/// `oneOf` of documented constants becomes a plain `enum`.
fn enum_of_consts(o: &mut Map<String, Value>) {
    let Some(Value::Array(alts)) = o.get("oneOf") else {
        return;
    };
    let consts: Option<Vec<Value>> = alts.iter().map(|a| a.get("const").cloned()).collect();
    let Some(consts) = consts else {
        return;
    };
    o.remove("oneOf");
    if consts.iter().all(Value::is_string) {
        o.insert("type".into(), Value::from("string"));
    }
    o.insert("enum".into(), Value::Array(consts));
}

/// `type: ["string", "null"]` becomes `type: "string"`.
fn nullable_type(o: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = o.get("type") else {
        return;
    };
    let rest: Vec<Value> = types
        .iter()
        .filter(|t| *t != &Value::from("null"))
        .cloned()
        .collect();
    match rest.as_slice() {
        [one] => {
            o.insert("type".into(), one.clone());
        }
        _ => {
            o.insert("type".into(), Value::Array(rest));
        }
    }
}

/// Doc comments wrap at 100 columns; a schema reads better on one line.
fn one_line(d: &str) -> String {
    d.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_noise_goes_and_meaning_stays() {
        let s = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {"State": {"description": "x", "enum": ["open", "closed"], "type": "string"},
                      "Kind": {"oneOf": [{"const": "a", "description": "A", "type": "string"},
                                         {"const": "b", "description": "B", "type": "string"}]}},
            "type": "object",
            "properties": {
                "state": {"anyOf": [{"$ref": "#/$defs/State"}, {"type": "null"}], "description": "Open or\nclosed."},
                "kind": {"$ref": "#/$defs/Kind", "description": "Which."},
                "page": {"type": ["integer", "null"], "format": "uint32", "minimum": 0},
                "when": {"type": "string", "format": "date-time"}
            },
            "required": ["kind"]
        });
        let c = Value::Object(compact(s.as_object().unwrap()));
        assert_eq!(
            c,
            json!({
                "type": "object",
                "properties": {
                    "state": {"description": "Open or closed.", "enum": ["open", "closed"], "type": "string"},
                    "kind": {"description": "Which.", "enum": ["a", "b"], "type": "string"},
                    "page": {"type": "integer"},
                    "when": {"type": "string", "format": "date-time"}
                },
                "required": ["kind"]
            })
        );
    }
}
