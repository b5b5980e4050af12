//! Filters sent to ConnectWise. Typed filters become comparisons through the `cw-conditions`
//! builder; a caller's raw `conditions` (seed 001's escape hatch, read tools only) is parsed,
//! its field names checked against the entity's schema, and re-rendered canonically. Whatever
//! scope the server adds is ANDed around it as a separate subtree, so the caller's `or` can
//! never widen the scope.

use cw_conditions::{Expr, Field};
use cw_schema::{resolve_path, schema, PathError};

use crate::errors::ToolError;

/// Longest raw conditions accepted (ConnectWise recommends URLs under 2,000 characters).
const MAX_RAW: usize = 1500;

/// Parses and checks a caller's raw conditions for `schema_name` records.
pub fn raw_conditions(schema_name: &str, src: &str) -> Result<Expr, ToolError> {
    if src.len() > MAX_RAW {
        return Err(ToolError::invalid(format!(
            "`conditions` is {} characters; keep it under {MAX_RAW} or use the typed filters",
            src.len()
        )));
    }
    let mut expr = cw_conditions::parse(src).map_err(|e| ToolError::invalid(format!("`conditions` could not be parsed {e}. Example: status/name = \"New\" and priority/name contains \"High\"")))?;
    let mut bad: Option<ToolError> = None;
    expr.map_fields(&mut |f: &mut Field| {
        if bad.is_some() {
            return;
        }
        match resolve_path(schema_name, f.segments(), false) {
            Ok(canon) => {
                if let Ok(c) = Field::new(&canon.join("/")) {
                    *f = c;
                }
            }
            Err(PathError::Unknown) => bad = Some(ToolError::invalid(format!("`{}` is not a field ConnectWise knows on this record. {}", f.path(), field_sample(schema_name)))),
            Err(PathError::ChildCollection) => bad = Some(ToolError::invalid(format!("`{}` is a list inside the record and cannot be filtered with `conditions`; use this tool's typed filters", f.path()))),
        }
    });
    match bad {
        Some(e) => Err(e),
        None => Ok(expr),
    }
}

fn field_sample(schema_name: &str) -> String {
    let names: Vec<&str> = schema(schema_name)
        .properties
        .keys()
        .filter(|k| !k.starts_with('_'))
        .map(String::as_str)
        .take(25)
        .collect();
    format!("Fields include: {}.", names.join(", "))
}

/// Checks a raw `order_by` (`field asc|desc, …`) and returns it canonically.
pub fn raw_order_by(schema_name: &str, src: &str) -> Result<String, ToolError> {
    let mut out = Vec::new();
    for part in src.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let path = words.next().unwrap_or_default();
        let dir = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => "asc",
            Some("desc") => "desc",
            Some(other) => {
                return Err(ToolError::invalid(format!(
                    "order_by direction `{other}`: use asc or desc"
                )))
            }
        };
        if words.next().is_some() {
            return Err(ToolError::invalid(format!(
                "order_by part `{part}`: use `field asc` or `field desc`, separated by commas"
            )));
        }
        let segs: Vec<String> = path.split('/').map(str::to_string).collect();
        let canon = resolve_path(schema_name, &segs, false).map_err(|_| {
            ToolError::invalid(format!(
                "order_by field `{path}` is not a field of this record. {}",
                field_sample(schema_name)
            ))
        })?;
        out.push(format!("{} {dir}", canon.join("/")));
    }
    if out.is_empty() {
        return Err(ToolError::invalid("order_by is empty; use e.g. `id desc`"));
    }
    Ok(out.join(", "))
}

/// ANDs the parts together (each stays its own subtree, so parentheses keep their meaning).
pub fn all(parts: impl IntoIterator<Item = Expr>) -> Option<Expr> {
    parts.into_iter().reduce(|a, b| a.and(b))
}

/// `field = value` for a value typed by the caller. A value with a double quote cannot be sent
/// as one literal without relying on ConnectWise's undocumented escaping, so it is matched
/// by its quote-free pieces instead (see [`Field::contains`]): it can only match more.
pub fn exactly(field: &'static str, value: &str) -> Expr {
    let value = value.trim();
    if value.contains('"') {
        f(field).contains(value)
    } else {
        f(field).eq(value)
    }
}

/// Tickets that are a member's: owned by them, or with them among the resources.
pub fn mine(member: &str) -> Expr {
    f("owner/identifier")
        .eq(member)
        .or(f("resources").contains(member))
}

/// A field for a path the server itself writes (never one from input).
pub fn f(path: &'static str) -> Field {
    Field::known(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_conditions_are_checked_and_canonical() {
        let e = raw_conditions("Ticket", "Status/Name = 'New' OR id > 0").unwrap();
        assert_eq!(e.render(), "status/name = \"New\" or id > 0");
        let err = raw_conditions("Ticket", "invoiceDate > [2024-01-01]").unwrap_err();
        assert!(err.to_string().contains("invoiceDate"));
        assert!(raw_conditions("Contact", "communicationItems/value = 'x'")
            .unwrap_err()
            .to_string()
            .contains("typed filters"));
        assert!(raw_conditions("Ticket", "summary = 'x")
            .unwrap_err()
            .to_string()
            .contains("position"));
    }

    #[test]
    fn scope_wraps_the_callers_or() {
        let scope = f("owner/identifier").eq("jchen");
        let caller = raw_conditions("Ticket", "closedFlag = false or id > 0").unwrap();
        let both = all([scope, caller]).unwrap();
        assert_eq!(
            both.render(),
            "owner/identifier = \"jchen\" and (closedFlag = false or id > 0)"
        );
    }

    #[test]
    fn order_by_is_checked() {
        assert_eq!(
            raw_order_by("Ticket", "Priority/Name desc, id").unwrap(),
            "priority/name desc, id asc"
        );
        assert!(raw_order_by("Ticket", "nope asc").is_err());
        assert!(raw_order_by("Ticket", "id sideways").is_err());
        assert!(raw_order_by("Ticket", "id; drop").is_err());
    }
}
