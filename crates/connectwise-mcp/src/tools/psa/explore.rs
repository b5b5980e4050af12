//! The escape hatch, made safe: `cw_find_endpoint` searches ConnectWise's own contract (the
//! 1,710 documented GET paths, embedded) for the path that answers a question, and `cw_get`
//! reads any of them. The path must be in the contract, its ids numbers; conditions, order and
//! fields are checked against that path's schema before anything is sent; results are bounded
//! in rows and bytes, and customer text in them is fenced like every other tool's. Read-only:
//! no other method can be reached from here.

use cw_client::endpoints::Endpoint;
use cw_client::ListQuery;
use cw_schema::{endpoints, PathError, Shape};
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters;
use crate::tool;
use crate::tools::{Toolset, READ};
use crate::untrusted;

/// The contract explorer: off by default (its list costs context every turn).
pub const EXPLORE: Toolset = Toolset {
    name: "explore",
    family: "psa",
    description: "find any documented ConnectWise GET path and read it, checked and bounded",
    admin_only: false,
    default_on: false,
};

/// Most rows `cw_get` returns in one call.
const MAX_ROWS: u32 = 50;
/// Most bytes of records `cw_get` returns; past it the page is cut and the answer says so.
const MAX_BYTES: usize = 24_000;

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct FindEndpointArgs {
    /// What you want to read, in words: "ticket tasks", "company sites", "invoice payments"
    pub query: String,
    /// How many paths to return (default 8, at most 20)
    pub limit: Option<u8>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EndpointRow {
    /// The path as the contract spells it; pass it to cw_get with ids filled in
    pub path: String,
    pub summary: String,
    /// list, count or one
    pub returns: String,
    /// The schema of what it returns (its fields are what conditions and fields may name)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Some of the schema's fields
    pub fields: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EndpointList {
    pub endpoints: Vec<EndpointRow>,
}

tool! {
    FindEndpoint {
        name: "cw_find_endpoint",
        title: "Find a ConnectWise API path",
        hints: READ,
        toolset: EXPLORE,
        args: FindEndpointArgs,
        output: EndpointList,
        text: find_text,
        description: "Search ConnectWise's documented GET paths for data no other tool reads; then cw_get it.",
    }
}

/// `AddressFormats` → `address formats`; `workTypes` → `work types`.
fn words(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c.is_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            ' '
        });
    }
    out
}

/// A word's stem, so "tasks" finds "task" and "companies" "company".
fn stem(w: &str) -> &str {
    w.strip_suffix("ies")
        .or_else(|| {
            w.strip_suffix("es")
                .filter(|s| s.ends_with('s') || s.ends_with('x'))
        })
        .or_else(|| w.strip_suffix('s'))
        .unwrap_or(w)
}

/// A readable operation's words, stemmed once for every search: its path's, its summary's
/// and its schema's field names'.
struct Indexed {
    endpoint: &'static cw_schema::Endpoint,
    path: Vec<String>,
    summary: Vec<String>,
    fields: Vec<String>,
}

fn stems(text: &str) -> Vec<String> {
    words(text)
        .split_whitespace()
        .map(|w| stem(w).to_string())
        .collect()
}

fn index() -> &'static [Indexed] {
    static I: std::sync::OnceLock<Vec<Indexed>> = std::sync::OnceLock::new();
    I.get_or_init(|| {
        endpoints()
            .iter()
            .filter(|e| readable(e))
            .map(|e| Indexed {
                endpoint: e,
                path: stems(&e.path.replace(['{', '}'], " ")),
                summary: stems(&e.summary),
                fields: e
                    .schema
                    .as_deref()
                    .map(|s| {
                        let names: Vec<&str> = cw_schema::schema(s)
                            .properties
                            .keys()
                            .map(String::as_str)
                            .collect();
                        stems(&names.join(" "))
                    })
                    .unwrap_or_default(),
            })
            .collect()
    })
}

/// How well an operation matches the query's words: path words count most, then the
/// summary, then the schema's field names; shorter paths win ties.
fn score(ix: &Indexed, query: &[String]) -> i64 {
    let mut total = 0;
    for q in query {
        let q = stem(q);
        if ix.path.iter().any(|w| w == q) {
            total += 10;
        } else if ix.path.iter().any(|w| w.starts_with(q)) {
            total += 6;
        } else if ix.summary.iter().any(|w| w == q) {
            total += 4;
        } else if ix.fields.iter().any(|w| w == q) {
            total += 1;
        } else {
            total -= 3;
        }
    }
    // Plain lists and records before views (`/info`, `/usages`) and counts.
    let path = &ix.endpoint.path;
    let view_penalty = ["/info", "/usages", "/count", "/default"]
        .iter()
        .filter(|v| path.contains(*v))
        .count() as i64;
    total * 100 - view_penalty * 50 - path.len() as i64
}

fn readable(e: &cw_schema::Endpoint) -> bool {
    e.method == "GET" && matches!(e.shape, Shape::List | Shape::Count | Shape::One)
}

fn returns(shape: Shape) -> &'static str {
    match shape {
        Shape::List => "list",
        Shape::Count => "count",
        _ => "one",
    }
}

impl AsyncTool<Ctx> for FindEndpoint {
    async fn invoke(_ctx: &Ctx, a: FindEndpointArgs) -> Result<EndpointList, ToolError> {
        let query: Vec<String> = words(&a.query)
            .split_whitespace()
            .filter(|w| w.len() > 1 && !["the", "of", "a", "an", "for", "list", "get"].contains(w))
            .map(str::to_string)
            .collect();
        if query.is_empty() {
            return Err(ToolError::invalid(
                "say what to read in a few words, such as \"ticket tasks\" or \"company sites\"",
            ));
        }
        let limit = usize::from(a.limit.unwrap_or(8).clamp(1, 20));
        let mut ranked: Vec<(i64, &cw_schema::Endpoint)> = index()
            .iter()
            .map(|ix| (score(ix, &query), ix.endpoint))
            .filter(|(s, _)| *s > 0)
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.path.cmp(&b.1.path)));
        Ok(EndpointList {
            endpoints: ranked
                .into_iter()
                .take(limit)
                .map(|(_, e)| EndpointRow {
                    path: e.path.clone(),
                    summary: e.summary.chars().take(120).collect(),
                    returns: returns(e.shape).into(),
                    schema: e.schema.clone(),
                    fields: e
                        .schema
                        .as_deref()
                        .map(|s| {
                            cw_schema::schema(s)
                                .properties
                                .keys()
                                .filter(|k| *k != "_info")
                                .take(12)
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        })
    }
}

fn find_text(out: &EndpointList) -> String {
    if out.endpoints.is_empty() {
        return "No documented GET path matches; try other words (the entity's name, such as \"sites\" or \"invoices\").".into();
    }
    let mut l = vec!["Paths (fill {ids} and pass to cw_get):".to_string()];
    for e in &out.endpoints {
        l.push(format!(
            "- {} → {}{} · fields: {}",
            e.path,
            e.returns,
            e.schema
                .as_deref()
                .map(|s| format!(" of {s}"))
                .unwrap_or_default(),
            e.fields.join(", ")
        ));
    }
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GetArgs {
    /// A documented path with its ids filled in: /company/companies/12/sites
    pub path: String,
    /// ConnectWise conditions on the path's schema: closedFlag=false and name like "Main%"
    pub conditions: Option<String>,
    /// Fields to return, comma-separated (default: all): id,name,company/name
    pub fields: Option<String>,
    /// ConnectWise orderBy: name asc
    pub order_by: Option<String>,
    /// Page, from 1
    pub page: Option<u32>,
    /// Rows per page (default 10, at most 50)
    pub page_size: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GetResult {
    /// The contract path that answered
    pub endpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// The records, as ConnectWise returned them (customer text cleaned)
    pub records: Vec<Value>,
    pub page: u32,
    pub has_more: bool,
    /// Set when the page was cut to stay within the size limit
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
}

tool! {
    Get {
        name: "cw_get",
        title: "Read any ConnectWise path",
        hints: READ,
        toolset: EXPLORE,
        args: GetArgs,
        output: GetResult,
        text: get_text,
        description: "Read-only GET of a documented ConnectWise path (find it with cw_find_endpoint); conditions and fields are checked against its schema.",
    }
}

/// The contract operation a concrete path is, and its ids in order.
fn resolve(path: &str) -> Result<(&'static cw_schema::Endpoint, Vec<i64>), ToolError> {
    if path.contains('?') || path.contains('#') {
        return Err(ToolError::invalid(
            "give the path alone; filters go in conditions, fields, order_by and page",
        ));
    }
    let segs: Vec<&str> = path.trim().trim_matches('/').split('/').collect();
    if segs.iter().any(|s| s.is_empty() || *s == "." || *s == "..") {
        return Err(ToolError::invalid(format!(
            "'{path}' is not a ConnectWise API path"
        )));
    }
    let mut best: Option<(usize, &'static cw_schema::Endpoint, Vec<i64>)> = None;
    for e in endpoints().iter().filter(|e| e.method == "GET") {
        let pat: Vec<&str> = e.path.trim_matches('/').split('/').collect();
        if pat.len() != segs.len() {
            continue;
        }
        let mut ids = Vec::new();
        let mut literal = 0;
        let ok = pat.iter().zip(&segs).all(|(p, s)| {
            if p.starts_with('{') {
                match s.parse::<i64>() {
                    Ok(n) if n > 0 => {
                        ids.push(n);
                        true
                    }
                    _ => false,
                }
            } else {
                literal += 1;
                p.eq_ignore_ascii_case(s)
            }
        });
        if ok && best.as_ref().is_none_or(|b| literal > b.0) {
            best = Some((literal, e, ids));
        }
    }
    match best {
        Some((_, e, ids)) if readable(e) => Ok((e, ids)),
        Some((_, e, _)) => Err(ToolError::invalid(format!(
            "{} returns a file, which cw_get does not read",
            e.path
        ))),
        None => Err(ToolError::invalid(format!(
            "'{path}' is not a documented ConnectWise GET path (ids must be positive numbers); \
             find one with cw_find_endpoint"
        ))),
    }
}

/// Checks `fields` names against the schema; the canonical spelling goes upstream.
fn check_fields(schema_name: &str, fields: &str) -> Result<String, ToolError> {
    let mut out = Vec::new();
    for f in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let segs: Vec<String> = f.split('/').map(str::to_string).collect();
        match cw_schema::resolve_path(schema_name, &segs, true) {
            Ok(canon) => out.push(canon.join("/")),
            Err(PathError::Unknown | PathError::ChildCollection) => {
                return Err(ToolError::invalid(format!(
                    "'{f}' is not a field of {schema_name}; cw_find_endpoint lists its fields"
                )))
            }
        }
    }
    Ok(out.join(","))
}

/// Cleans every string in a record of what can hide instructions.
fn clean_value(v: &mut Value) {
    match v {
        Value::String(s) => *s = untrusted::clean(s),
        Value::Array(items) => items.iter_mut().for_each(clean_value),
        Value::Object(m) => m.values_mut().for_each(clean_value),
        _ => {}
    }
}

impl AsyncTool<Ctx> for Get {
    async fn invoke(ctx: &Ctx, a: GetArgs) -> Result<GetResult, ToolError> {
        let (e, ids) = resolve(&a.path)?;
        let schema_name = e.schema.as_deref().unwrap_or("");
        let page = a.page.unwrap_or(1).max(1);
        let size = a.page_size.unwrap_or(10).clamp(1, MAX_ROWS);
        let mut q = ListQuery::new();
        if let Some(c) = a.conditions.as_deref().filter(|c| !c.trim().is_empty()) {
            q = q.conditions(filters::raw_conditions(schema_name, c)?);
        }
        if let Some(o) = a.order_by.as_deref().filter(|o| !o.trim().is_empty()) {
            q = q.order_by(filters::raw_order_by(schema_name, o)?);
        }
        let fields = match a.fields.as_deref().filter(|f| !f.trim().is_empty()) {
            Some(f) => Some(check_fields(schema_name, f)?),
            None => None,
        };
        if e.shape == Shape::List {
            q = q.page(page, size);
        }
        let mut pairs = q.pairs();
        if e.shape != Shape::List {
            pairs.retain(|(k, _)| !matches!(*k, "page" | "pageSize"));
        }
        if let Some(f) = fields {
            pairs.push(("fields", f));
        }
        let ep = Endpoint {
            method: "GET",
            path: e.path.as_str(),
        };
        let (mut body, link): (Value, Option<String>) = ctx.cw.json(ep, &ids, &pairs, None).await?;
        clean_value(&mut body);
        let endpoint = e.path.clone();
        if e.shape == Shape::Count {
            return Ok(GetResult {
                endpoint,
                count: body.get("count").and_then(Value::as_i64),
                records: Vec::new(),
                page: 1,
                has_more: false,
                truncated: None,
            });
        }
        let all = match body {
            Value::Array(items) => items,
            one => vec![one],
        };
        let total = all.len();
        let mut records = Vec::new();
        let mut bytes = 0;
        for r in all {
            bytes += r.to_string().len();
            if bytes > MAX_BYTES && !records.is_empty() {
                break;
            }
            records.push(r);
        }
        let truncated = (records.len() < total).then(|| {
            format!(
                "showing {} of {total} rows to stay under {MAX_BYTES} bytes; ask for fewer fields or a smaller page",
                records.len()
            )
        });
        Ok(GetResult {
            endpoint,
            count: None,
            has_more: link.as_deref().is_some_and(|l| l.contains("rel=\"next\"")),
            records,
            page,
            truncated,
        })
    }
}

fn get_text(out: &GetResult) -> String {
    if let Some(n) = out.count {
        return format!("{}: {n}", out.endpoint);
    }
    let mut l = vec![format!("{} (page {}):", out.endpoint, out.page)];
    let rows: Vec<String> = out.records.iter().map(Value::to_string).collect();
    l.push(untrusted::fence(&rows.join("\n")));
    if let Some(t) = &out.truncated {
        l.push(t.clone());
    }
    if out.has_more {
        l.push(format!("More: page {}.", out.page + 1));
    }
    l.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_only_to_documented_gets_with_numeric_ids() {
        let (e, ids) = resolve("/company/companies/12/sites").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.path, "/company/companies/{parentId}/sites");
        assert_eq!(ids, vec![12]);
        let (e, _) = resolve("company/companies/types").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.path, "/company/companies/types");
        assert!(resolve("/company/companies/abc/sites").is_err());
        assert!(resolve("/company/companies/0").is_err());
        assert!(resolve("/company/companies?conditions=x").is_err());
        assert!(resolve("/company/../system/members").is_err());
        assert!(resolve("/no/such/thing").is_err());
        assert!(
            resolve("/system/members/5/image").is_err(),
            "files are refused"
        );
    }

    #[test]
    fn fields_are_checked_and_canonicalised() {
        assert_eq!(
            check_fields("CompanySite", "ID, Name, company/name").unwrap_or_default(),
            "id,name,company/name"
        );
        assert!(check_fields("CompanySite", "id,nope").is_err());
    }

    #[test]
    fn words_find_their_paths() {
        let q = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
        let best = |s: &str| {
            index()
                .iter()
                .max_by_key(|ix| score(ix, &q(s)))
                .map(|ix| ix.endpoint.path.clone())
                .unwrap_or_default()
        };
        assert_eq!(best("ticket tasks"), "/service/tickets/{parentId}/tasks");
        assert_eq!(best("company sites"), "/company/companies/{parentId}/sites");
        assert_eq!(best("invoices"), "/finance/invoices");
    }
}
