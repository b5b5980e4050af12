//! What a search tool lists and how: the endpoint, the schema its raw `conditions` and
//! `order_by` are checked against, the fields it shows, its default order; and the query that
//! combines the tool's typed filters with the caller's raw ones.

use cw_client::endpoints::Endpoint;
use cw_client::{ListQuery, Page};
use cw_conditions::Expr;
use serde::de::DeserializeOwned;

use super::args::{PageArgs, RawArgs};
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::all;

/// What a search tool lists: where, as which schema (for raw conditions and order_by), which
/// fields it shows, and its default order.
pub struct Listing {
    pub ep: Endpoint,
    pub schema: &'static str,
    pub fields: &'static str,
    pub order: &'static str,
    /// Rows per page when the caller does not say.
    pub page_size: u32,
}

impl Listing {
    /// One page of results for the tool's filters.
    pub async fn fetch<T: DeserializeOwned>(
        &self,
        ctx: &Ctx,
        parts: Vec<Expr>,
        raw: &RawArgs,
        paging: &PageArgs,
    ) -> Result<Page<T>, ToolError> {
        let (q, _) = self.query(parts, raw, paging)?;
        Ok(ctx.cw.list(self.ep, &[], &q).await?)
    }

    /// The list query for the tool's typed filters plus the caller's raw conditions and order,
    /// and the combined conditions it sends.
    pub fn query(
        &self,
        mut parts: Vec<Expr>,
        raw: &RawArgs,
        paging: &PageArgs,
    ) -> Result<(ListQuery, Option<Expr>), ToolError> {
        let (page, size) = paging.get(self.page_size)?;
        if let Some(c) = raw.conditions(self.schema)? {
            parts.push(c);
        }
        let cond = all(parts);
        let mut q = ListQuery::new()
            .fields(self.fields)
            .order_by(raw.order_by(self.schema, self.order)?)
            .page(page, size);
        if let Some(c) = &cond {
            q = q.conditions(c.clone());
        }
        Ok((q, cond))
    }
}
