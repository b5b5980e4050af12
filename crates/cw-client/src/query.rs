//! List requests and pages.

use cw_conditions::Expr;

/// ConnectWise's hard maximum page size.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// What a list request asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub conditions: Option<Expr>,
    pub child_conditions: Option<Expr>,
    /// `field asc|desc, …`, already checked by the caller.
    pub order_by: Option<String>,
    /// The `fields=` list (partial responses).
    pub fields: Option<&'static str>,
    /// 1-based.
    pub page: u32,
    pub page_size: u32,
}

impl ListQuery {
    pub fn new() -> ListQuery {
        ListQuery {
            page: 1,
            page_size: 25,
            ..Default::default()
        }
    }

    pub fn conditions(mut self, e: Expr) -> Self {
        self.conditions = Some(e);
        self
    }

    pub fn child_conditions(mut self, e: Expr) -> Self {
        self.child_conditions = Some(e);
        self
    }

    pub fn order_by(mut self, o: impl Into<String>) -> Self {
        self.order_by = Some(o.into());
        self
    }

    pub fn fields(mut self, f: &'static str) -> Self {
        self.fields = Some(f);
        self
    }

    pub fn page(mut self, page: u32, page_size: u32) -> Self {
        self.page = page.max(1);
        self.page_size = page_size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The query-string pairs, conditions rendered canonically (reqwest URL-encodes them).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(c) = &self.conditions {
            q.push(("conditions", c.render()));
        }
        if let Some(c) = &self.child_conditions {
            q.push(("childConditions", c.render()));
        }
        if let Some(o) = &self.order_by {
            q.push(("orderBy", o.clone()));
        }
        if let Some(f) = self.fields {
            q.push(("fields", f.to_string()));
        }
        q.push(("page", self.page.to_string()));
        q.push(("pageSize", self.page_size.to_string()));
        q
    }
}

/// One page of results, with whether another follows (from ConnectWise's `Link` header).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub page_size: u32,
    pub has_more: bool,
}

/// The `rel="next"` link of a ConnectWise `Link` header, if there is one. Navigable paging
/// names the next page by `page`, forward-only paging by `pageId` (the last id returned); an
/// empty or unreadable header means there is no next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextLink {
    pub page_id: Option<String>,
}

pub fn next_link(header: Option<&str>) -> Option<NextLink> {
    let header = header.map(str::trim).filter(|h| !h.is_empty())?;
    let links = parse_link_header::parse_with_rel(header)
        .map_err(|e| tracing::debug!(error = %e, "unreadable Link header"))
        .ok()?;
    let next = links.get("next")?;
    Some(NextLink {
        page_id: next
            .queries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("pageId"))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_paging_styles() {
        let nav = r#"<https://h/v2025_1/apis/3.0/company/companies?conditions=name%3D%22x%22&pageSize=50&page=2>; rel="next", <https://h/v2025_1/apis/3.0/company/companies?pageSize=50&page=4>; rel="last""#;
        assert_eq!(next_link(Some(nav)), Some(NextLink { page_id: None }));
        let last_page = r#"<https://h/x?pageSize=50&page=1>; rel="first", <https://h/x?pageSize=50&page=3>; rel="prev""#;
        assert_eq!(next_link(Some(last_page)), None);
        let fwd = r#"<https://h/v2025_1/apis/3.0/service/tickets?pageSize=1000&pageId=12345>; rel="next""#;
        assert_eq!(
            next_link(Some(fwd)),
            Some(NextLink {
                page_id: Some("12345".into())
            })
        );
        assert_eq!(next_link(Some("")), None);
        assert_eq!(next_link(None), None);
    }
}
