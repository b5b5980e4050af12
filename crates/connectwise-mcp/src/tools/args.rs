//! Argument groups the tools share: paging, ConnectWise's own `conditions` and `order_by` for
//! read tools, and open/closed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::errors::ToolError;
use crate::filters;

/// Most results a tool returns per page: output size is bounded; callers page for more.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Paging arguments.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct PageArgs {
    /// Page number, starting at 1 (default 1).
    pub page: Option<u32>,
    /// Results per page (default 25, at most 100).
    pub page_size: Option<u32>,
}

impl PageArgs {
    pub fn get(&self) -> Result<(u32, u32), ToolError> {
        let page = self.page.unwrap_or(1);
        let size = self.page_size.unwrap_or(25);
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

/// Advanced filtering in ConnectWise's own language, for read tools.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct RawArgs {
    /// Advanced: a ConnectWise conditions expression, ANDed with the other filters, e.g.
    /// `priority/name contains "Emergency" and _info/lastUpdated > [2026-01-01T00:00:00Z]`.
    /// Field names are checked against the record's schema.
    pub conditions: Option<String>,
    /// Advanced: sort order, e.g. `_info/lastUpdated desc, id asc`.
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

/// Open, closed or either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OpenState {
    #[default]
    Open,
    Closed,
    All,
}
