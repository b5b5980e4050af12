//! Named portal operations, as data: seed 002's 39 (`data/operations.json`, shipped in the
//! binary and checked at start-up) plus any a user promoted from the discovery catalogue. Each
//! says its method, path template, how it authenticates (the portal's OIDC bearer token, or its
//! session cookie), its parameters with their types and places, and whether it changes
//! anything; one that does runs only with `confirm: true`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{HomeError, Result};

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Auth {
    /// `Authorization: Bearer` with the portal's OIDC access token.
    Bearer,
    /// The portal's session cookie.
    Cookie,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Path,
    Query,
    Body,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Param {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "in")]
    pub place: Place,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    pub name: String,
    pub category: String,
    pub method: String,
    pub path: String,
    pub auth: Auth,
    pub writes: bool,
    pub description: String,
    #[serde(default)]
    pub params: BTreeMap<String, Param>,
}

#[derive(Deserialize)]
struct File {
    operations: Vec<Operation>,
}

/// The request an operation makes.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub url: String,
    pub body: Option<Value>,
    pub auth: Auth,
}

/// Seed 002's operations, as shipped: parsed and checked once, then shared by every call.
pub fn builtin() -> Result<&'static [Operation]> {
    static PARSED: std::sync::OnceLock<std::result::Result<Vec<Operation>, String>> =
        std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| parse().map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| HomeError::Config(e.clone()))
}

fn parse() -> Result<Vec<Operation>> {
    let f: File = serde_json::from_str(include_str!("../data/operations.json"))
        .map_err(|e| HomeError::Config(format!("the built-in operations do not parse: {e}")))?;
    let mut seen = std::collections::HashSet::new();
    for op in &f.operations {
        check(op)?;
        if !seen.insert(op.name.clone()) {
            return Err(HomeError::Config(format!(
                "operation {} is defined twice",
                op.name
            )));
        }
    }
    Ok(f.operations)
}

/// An operation is well formed: its name is `category.action`, its method is HTTP, its path is
/// absolute, and its path placeholders and path parameters are the same set.
pub fn check(op: &Operation) -> Result<()> {
    let bad = |why: &str| Err(HomeError::Invalid(format!("operation {}: {why}", op.name)));
    let Some((cat, action)) = op.name.split_once('.') else {
        return bad("a name is category.action, e.g. users.list");
    };
    if cat != op.category
        || action.is_empty()
        || !op
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
    {
        return bad("a name is category.action in lower case, its category first");
    }
    if !matches!(
        op.method.as_str(),
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
    ) {
        return bad("the method is GET, POST, PUT, PATCH or DELETE");
    }
    if !op.path.starts_with('/') || op.path.contains("://") {
        return bad("the path starts with / (it is relative to the portal)");
    }
    let holes: Vec<&str> = op
        .path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(h, _)| h))
        .collect();
    for h in &holes {
        if op.params.get(*h).map(|p| p.place) != Some(Place::Path) {
            return bad(&format!("{{{h}}} in its path has no path parameter"));
        }
    }
    for (name, p) in &op.params {
        if p.place == Place::Path && !holes.contains(&name.as_str()) {
            return bad(&format!("path parameter {name} is not in its path"));
        }
        if !matches!(p.kind.as_str(), "string" | "integer" | "boolean" | "object") {
            return bad(&format!(
                "parameter {name} has type {}; use string, integer, boolean or object",
                p.kind
            ));
        }
        if p.place == Place::Body && op.method == "GET" {
            return bad("a GET has no body");
        }
    }
    if op.method != "GET" && !op.writes {
        return bad("anything but a GET changes something: set writes to true");
    }
    Ok(())
}

/// The request `op` makes with `params`; `partner` fills a `partnerId` the caller left out.
pub fn request(
    op: &Operation,
    params: &Map<String, Value>,
    partner: Option<&str>,
) -> Result<Request> {
    let invalid = |m: String| HomeError::Invalid(format!("{}: {m}", op.name));
    for k in params.keys() {
        if !op.params.contains_key(k) {
            let known: Vec<&str> = op.params.keys().map(String::as_str).collect();
            return Err(invalid(format!(
                "it takes no parameter `{k}`; it takes: {}",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    let mut path = op.path.clone();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = None;
    for (name, p) in &op.params {
        let value = match params.get(name) {
            Some(v) => Some(v.clone()),
            None if name == "partnerId" => partner.map(Value::from),
            None => None,
        };
        let Some(value) = value else {
            if p.required || p.place == Place::Path {
                return Err(invalid(format!("{name} is required")));
            }
            continue;
        };
        let ok = match p.kind.as_str() {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            _ => value.is_object(),
        };
        if !ok {
            return Err(invalid(format!("{name} must be a {}", p.kind)));
        }
        let text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match p.place {
            Place::Path => {
                let enc: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
                path = path.replace(&format!("{{{name}}}"), &enc);
            }
            Place::Query => query.push((name.clone(), text)),
            Place::Body => body = Some(value),
        }
    }
    if !query.is_empty() {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        path = format!("{path}?{q}");
    }
    Ok(Request {
        method: op.method.clone(),
        url: path,
        body,
        auth: op.auth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_002s_39_operations_ship_and_check() {
        let ops = builtin().unwrap();
        assert_eq!(ops.len(), 39);
        let count = |c: &str| ops.iter().filter(|o| o.category == c).count();
        for (c, n) in [
            ("me", 6),
            ("partners", 9),
            ("users", 10),
            ("roles", 3),
            ("apps", 4),
            ("products", 3),
            ("billing", 1),
            ("issues", 1),
            ("bootstrap", 2),
        ] {
            assert_eq!(count(c), n, "{c}");
        }
        assert!(ops.iter().any(|o| o.auth == Auth::Cookie));
    }

    #[test]
    fn requests_are_built_and_checked() {
        let ops = builtin().unwrap();
        let list = ops.iter().find(|o| o.name == "users.list").unwrap();
        let r = request(
            list,
            json!({"page": 2, "search": "a b"}).as_object().unwrap(),
            Some("p1"),
        )
        .unwrap();
        assert_eq!(r.url, "/api/v1/partners/p1/users?page=2&search=a+b");
        let e = request(list, json!({"pages": 2}).as_object().unwrap(), Some("p1"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`pages`") && e.contains("pageSize"), "{e}");
        let e = request(
            list,
            json!({"page": "two"}).as_object().unwrap(),
            Some("p1"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("page must be a integer") || e.contains("page must be"),
            "{e}"
        );
        let del = ops.iter().find(|o| o.name == "users.delete").unwrap();
        assert!(request(del, &Map::new(), Some("p1"))
            .unwrap_err()
            .to_string()
            .contains("userId is required"));
        let mut bad = list.clone();
        bad.path = "/api/v1/partners/{partnerId}/users/{userId}".into();
        assert!(check(&bad).is_err());
    }
}
