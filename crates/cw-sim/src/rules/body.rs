//! Checks a request body against the entity's schema, the way ConnectWise's model binding does:
//! names match case-insensitively, unknown properties and read-only ones (`id`, `_info`) are
//! dropped, scalars sent as strings are accepted (a widely used client PATCHes everything as
//! text), and dates must be whole-second UTC with `Z`.

use serde_json::{Map, Value};

use crate::error::CwError;
use crate::kind::Kind;
use cw_schema::{schema, PropType};

/// Whether `s` is exactly `YYYY-MM-DDTHH:MM:SSZ`.
pub fn is_cw_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// The schema's view of `body`: canonical names, coerced scalars, everything checked.
pub fn sanitize(kind: Kind, body: &Value) -> Result<Map<String, Value>, CwError> {
    let resource = kind.resource();
    let Some(obj) = body.as_object() else {
        return Err(CwError::invalid(
            resource,
            "",
            "InvalidObject",
            "The request body must be a JSON object.",
        ));
    };
    sanitize_object(kind.schema(), resource, obj)
}

/// [`sanitize`] for a record of any schema (the contract's generic collections).
pub fn sanitize_as(
    schema_name: &str,
    resource: &str,
    body: &Value,
) -> Result<Map<String, Value>, CwError> {
    match body.as_object() {
        Some(obj) => sanitize_object(schema_name, resource, obj),
        None => Err(CwError::invalid(
            resource,
            "",
            "InvalidObject",
            "The request body must be a JSON object.",
        )),
    }
}

fn sanitize_object(
    schema_name: &str,
    resource: &str,
    obj: &Map<String, Value>,
) -> Result<Map<String, Value>, CwError> {
    let sch = schema(schema_name);
    let mut out = Map::new();
    for (k, v) in obj {
        let Some((name, t)) = sch
            .properties
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(k))
        else {
            continue;
        };
        if name == "id" && !schema_name.ends_with("Reference") || name == "_info" {
            continue;
        }
        if v.is_null() {
            out.insert(name.clone(), Value::Null);
            continue;
        }
        let value = coerce(&PropType::parse(t), v, name, resource)?;
        if let (Some(allowed), Some(s)) = (sch.enums.get(name), value.as_str()) {
            if !allowed.iter().any(|a| a == s) {
                return Err(CwError::invalid(
                    resource,
                    name,
                    "InvalidValue",
                    format!(
                        "'{s}' is not a valid value for {name}. Valid values: {}.",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        if let (Some(max), Some(s)) = (sch.max_length.get(name), value.as_str()) {
            if s.chars().count() > *max {
                return Err(CwError::invalid(
                    resource,
                    name,
                    "MaxLength",
                    format!("The field {name} must be a string with a maximum length of {max}."),
                ));
            }
        }
        out.insert(name.clone(), value);
    }
    Ok(out)
}

fn coerce(t: &PropType, v: &Value, name: &str, resource: &str) -> Result<Value, CwError> {
    let wrong = |what: &str| {
        CwError::invalid(
            resource,
            name,
            "InvalidValue",
            format!("The value for {name} must be {what}."),
        )
    };
    Ok(match t {
        PropType::String => match v {
            Value::String(_) => v.clone(),
            Value::Number(_) | Value::Bool(_) => Value::String(v.to_string()),
            _ => return Err(wrong("text")),
        },
        PropType::DateTime => match v.as_str() {
            Some(s) if is_cw_datetime(s) => v.clone(),
            _ => return Err(CwError::unsupported_format(name)),
        },
        PropType::Integer => match v {
            Value::Number(n) if n.is_i64() => v.clone(),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| wrong("a whole number"))?,
            _ => return Err(wrong("a whole number")),
        },
        PropType::Number => match v {
            Value::Number(_) => v.clone(),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::from)
                .ok_or_else(|| wrong("a number"))?,
            _ => return Err(wrong("a number")),
        },
        PropType::Boolean => match v {
            Value::Bool(_) => v.clone(),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ => return Err(wrong("true or false")),
        },
        PropType::Map => v.clone(),
        PropType::Object(inner) => match v.as_object() {
            Some(o) => Value::Object(sanitize_object(inner, resource, o)?),
            None => return Err(wrong("an object such as {\"id\": 1}")),
        },
        PropType::Array(inner) => match v.as_array() {
            Some(items) => Value::Array(
                items
                    .iter()
                    .map(|i| coerce(inner, i, name, resource))
                    .collect::<Result<_, _>>()?,
            ),
            None => return Err(wrong("a list")),
        },
    })
}

/// The schema's `required` fields must be present (after defaults were applied).
pub fn require_fields(kind: Kind, rec: &Map<String, Value>) -> Result<(), CwError> {
    require_fields_of(kind.schema(), kind.resource(), rec)
}

/// [`require_fields`] for a record of any schema.
pub fn require_fields_of(
    schema_name: &str,
    resource: &str,
    rec: &Map<String, Value>,
) -> Result<(), CwError> {
    for f in &schema(schema_name).required {
        let missing = match rec.get(f) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(_) => false,
        };
        if missing {
            return Err(CwError::invalid(
                resource,
                f,
                "NullValue",
                format!("{f} is required."),
            ));
        }
    }
    Ok(())
}
