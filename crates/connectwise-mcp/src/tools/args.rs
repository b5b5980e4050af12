//! Argument groups the tools share: paging, ConnectWise's own `conditions` and `order_by` for
//! read tools, and open/closed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::errors::ToolError;
use crate::filters;

/// Trims each optional text argument, a blank one becoming none: what a write's normaliser
/// does so that a re-send with stray spaces is the same write.
pub fn trim_each<const N: usize>(texts: [&mut Option<String>; N]) {
    for t in texts {
        *t = t
            .take()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
}

/// Most results a tool returns per page: output size is bounded; callers page for more.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Paging arguments. (Their names say what they are; their schema carries no description,
/// since a model pays for every word of it on every turn.)
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct PageArgs {
    // From 1.
    pub page: Option<u32>,
    // At most [`MAX_PAGE_SIZE`]; the tool's own default otherwise.
    pub page_size: Option<u32>,
}

impl PageArgs {
    /// The page and its size, `default` rows when the caller gave none.
    pub fn get(&self, default: u32) -> Result<(u32, u32), ToolError> {
        let page = self.page.unwrap_or(1);
        let size = self.page_size.unwrap_or(default);
        if page == 0 || page > 10_000 {
            return Err(ToolError::invalid("page must be from 1 to 10000"));
        }
        if size == 0 || size > MAX_PAGE_SIZE {
            return Err(ToolError::invalid(format!(
                "page_size must be from 1 to {MAX_PAGE_SIZE}; use page to see more"
            )));
        }
        Ok((page, size))
    }
}

/// Advanced filtering in ConnectWise's own language, for read tools (the server's
/// instructions explain the syntax once, for every tool).
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct RawArgs {
    // ConnectWise conditions, ANDed with the other filters.
    pub conditions: Option<String>,
    // ConnectWise orderBy, e.g. `id desc`.
    pub order_by: Option<String>,
}

impl RawArgs {
    pub fn conditions(&self, schema: &str) -> Result<Option<cw_conditions::Expr>, ToolError> {
        self.conditions
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| filters::raw_conditions(schema, s))
            .transpose()
    }

    pub fn order_by(&self, schema: &str, default: &str) -> Result<String, ToolError> {
        match self.order_by.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(o) => filters::raw_order_by(schema, o),
            None => Ok(default.to_string()),
        }
    }
}

// Open, closed or either (the instructions say so once).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OpenState {
    #[default]
    Open,
    Closed,
    All,
}

/// Longest text a search argument may be: a search is a few words; past this it is a
/// mistake (or an attempt to smuggle something into the conditions), not a query.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Checks what no schema says: ids are positive (`ticket_id: -1` never goes upstream), and a
/// read tool's text arguments are search text, at most [`MAX_SEARCH_CHARS`] (its own
/// `conditions` may be longer). Writes' text (notes, descriptions) has its own limits.
pub fn check_values(
    args: &serde_json::Map<String, serde_json::Value>,
    reads: bool,
) -> Result<(), ToolError> {
    for (k, v) in args {
        let id = k == "id" || k.ends_with("_id");
        if id && v.as_i64().is_some_and(|n| n < 1) {
            return Err(ToolError::invalid(format!(
                "{k} must be a positive number (a ConnectWise record id), not {v}"
            )));
        }
        let free = matches!(k.as_str(), "conditions" | "order_by");
        if let (true, false, Some(s)) = (reads, free, v.as_str()) {
            let n = s.trim().chars().count();
            if n > MAX_SEARCH_CHARS {
                return Err(ToolError::invalid(format!(
                    "{k} is {n} characters; search text can be at most {MAX_SEARCH_CHARS}. Search for a distinctive word or two."
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn ids_are_positive_and_search_text_is_short() {
        assert!(check_values(&args(json!({"ticket_id": 5})), true).is_ok());
        let e = check_values(&args(json!({"ticket_id": -1})), false).unwrap_err();
        assert!(
            e.to_string()
                .contains("ticket_id must be a positive number"),
            "{e}"
        );
        assert!(check_values(&args(json!({"company_id": 0})), true).is_err());
        let long = "x".repeat(201);
        let e = check_values(&args(json!({"text": long})), true).unwrap_err();
        assert!(e.to_string().contains("at most 200"), "{e}");
        // A note's text is not search text; raw conditions may be long.
        assert!(check_values(&args(json!({"text": long})), false).is_ok());
        assert!(check_values(&args(json!({"conditions": long})), true).is_ok());
    }
}
