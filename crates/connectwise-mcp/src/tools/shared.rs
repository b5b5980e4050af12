//! Argument groups and output pieces the tools share.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use cw_client::endpoints::Endpoint;
use cw_client::models::Ref;
use cw_client::{ListQuery, Page};
use cw_conditions::Expr;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Ctx, ToolError};
use crate::filters::{self, all, f};
use crate::untrusted;

/// What a search tool lists: where, as which schema (for raw conditions and order_by), which
/// fields it shows, and its default order.
pub struct Listing {
    pub ep: Endpoint,
    pub schema: &'static str,
    pub fields: &'static str,
    pub order: &'static str,
}

impl Listing {
    /// The list query for the tool's typed filters plus the caller's raw conditions and order,
    /// and the combined conditions it sends.
    pub fn query(
        &self,
        mut parts: Vec<Expr>,
        raw: &RawArgs,
        paging: &PageArgs,
    ) -> Result<(ListQuery, Option<Expr>), ToolError> {
        let (page, size) = paging.get()?;
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

impl Ctx {
    /// One page of a search tool's results.
    pub async fn search<T: DeserializeOwned>(
        &self,
        l: &Listing,
        parts: Vec<Expr>,
        raw: &RawArgs,
        paging: &PageArgs,
    ) -> Result<Page<T>, ToolError> {
        let (q, _) = l.query(parts, raw, paging)?;
        Ok(self.cw.list(l.ep, &[], &q).await?)
    }

    /// `company/id = …` for a company named by the caller, if one was.
    pub async fn company_filter(&self, company: Option<&str>) -> Result<Option<Expr>, ToolError> {
        match company {
            Some(c) => Ok(Some(
                f("company/id").eq(self.company(c).await?.id.unwrap_or_default()),
            )),
            None => Ok(None),
        }
    }
}

/// Most results a tool returns per page: output size is bounded; callers page for more.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Paging arguments.
#[derive(Debug, Default, Deserialize, JsonSchema)]
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
#[derive(Debug, Default, Deserialize, JsonSchema)]
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

/// Where a page sits and how to get the next one.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PageInfo {
    pub page: u32,
    pub page_size: u32,
    pub returned: usize,
    /// Whether ConnectWise has more results after this page.
    pub has_more: bool,
    /// The `page` to ask for next, when there is more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page: Option<u32>,
}

impl PageInfo {
    pub fn of<T>(p: &Page<T>) -> PageInfo {
        PageInfo {
            page: p.page,
            page_size: p.page_size,
            returned: p.items.len(),
            has_more: p.has_more,
            next_page: p.has_more.then_some(p.page + 1),
        }
    }

    /// The closing line of a list rendering.
    pub fn footer(&self) -> String {
        match self.next_page {
            Some(n) => format!(
                "Page {} ({} shown); more results: call again with page={n}.",
                self.page, self.returned
            ),
            None if self.returned == 0 && self.page == 1 => "No results.".into(),
            None => format!(
                "Page {} ({} shown); no more results.",
                self.page, self.returned
            ),
        }
    }
}

/// A text field from ConnectWise that is not free-form customer prose (names, summaries):
/// control and invisible characters removed.
pub fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(untrusted::clean).filter(|s| !s.is_empty())
}

/// The label of a reference, cleaned.
pub fn label(r: &Option<Ref>) -> Option<String> {
    r.as_ref().and_then(|r| r.label()).map(untrusted::clean)
}

/// A member reference as its identifier.
pub fn ident(r: &Option<Ref>) -> Option<String> {
    r.as_ref()
        .and_then(|r| r.identifier.as_deref().or(r.name.as_deref()))
        .map(untrusted::clean)
}

/// `2026-11-18T09:30:00Z` → `2026-11-18 09:30Z`, for text renderings.
pub fn short_time(s: &Option<String>) -> String {
    match s.as_deref() {
        Some(t) if t.len() >= 16 => format!("{} {}Z", &t[..10], &t[11..16]),
        Some(t) => t.to_string(),
        None => "?".into(),
    }
}

/// Parses a time a person wrote: RFC 3339 (`2026-11-18T09:00:00+01:00`, `…Z`), or a local
/// `2026-11-18T09:00`, `2026-11-18 09:00` or bare date `2026-11-18` in `tz`.
pub fn parse_when(s: &str, tz: Tz, what: &str) -> Result<DateTime<Utc>, ToolError> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    let Some(naive) = local else {
        return Err(ToolError::invalid(format!("{what} `{s}` is not a date or time; use e.g. 2026-11-18, 2026-11-18T09:00 or 2026-11-18T09:00:00Z")));
    };
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| {
            ToolError::invalid(format!(
                "{what} `{s}` does not exist in {tz} (a daylight-saving gap)"
            ))
        })
}

/// Parses an IANA time zone name.
pub fn parse_tz(name: Option<&str>, default: Tz) -> Result<Tz, ToolError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(default),
        Some(n) => n.parse::<Tz>().map_err(|_| ToolError::invalid(format!("timezone `{n}` is not an IANA time zone name such as Europe/London or America/Chicago"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_people_write() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let f = |s: &str| cw_client::time::cw_datetime(parse_when(s, ny, "start").unwrap());
        assert_eq!(f("2026-11-18T09:00"), "2026-11-18T14:00:00Z");
        assert_eq!(f("2026-07-01 09:00"), "2026-07-01T13:00:00Z");
        assert_eq!(f("2026-11-18T09:00:00Z"), "2026-11-18T09:00:00Z");
        assert_eq!(f("2026-11-18T09:00:00.250+01:00"), "2026-11-18T08:00:00Z");
        assert_eq!(f("2026-11-18"), "2026-11-18T05:00:00Z");
        assert!(parse_when("tomorrow", ny, "start").is_err());
        assert!(parse_tz(Some("Mars/Base"), ny).is_err());
    }
}
