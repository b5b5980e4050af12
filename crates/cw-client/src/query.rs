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

/// Whether a `Link` header has a `rel="next"`.
pub fn link_has_next(link: Option<&str>) -> bool {
    link.is_some_and(|l| l.split(',').any(|part| part.contains("rel=\"next\"")))
}
