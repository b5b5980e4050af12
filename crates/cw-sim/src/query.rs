//! List parameters and their semantics: `conditions`, `childConditions`,
//! `customFieldConditions`, `orderBy`, `fields`, `page`/`pageSize`, and forward-only `pageId`.
//!
//! Choices where the documentation is silent (recorded here, tested in `tests/`):
//! * `pageSize` above 1,000 is clamped to 1,000; below 1 means the default, 25; a `page` below
//!   1 means page 1. A non-numeric `page`, `pageSize` or `pageId` is a 400.
//! * A parameter given twice is a 400, so a client bug that smuggles a second `conditions`
//!   shows up instead of being silently merged.
//! * Unknown names in `fields` are ignored; the rest are returned as partial objects
//!   (`status/name` → `{"status":{"name":…}}`).
//! * `childConditions` whose terms all name the same collection must hold for one element
//!   (`communicationItems/value … AND communicationItems/communicationType …` is one item);
//!   terms naming different collections each need some element.
//! * `orderBy` sorts nulls first (SQL Server's ascending order) and breaks ties by id.

use crate::json::Json;
use std::cmp::Ordering;

use cw_conditions::{Comparison, Expr, Field, Op, Value as Lit};
use serde_json::{Map, Value};

use crate::error::CwError;
use cw_schema::{resolve_path, schema, PathError, PropType};

pub const DEFAULT_PAGE_SIZE: usize = 25;
pub const MAX_PAGE_SIZE: usize = 1000;

/// Parsed and checked list parameters.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub conditions: Option<Expr>,
    pub child_conditions: Option<Expr>,
    pub custom_field_conditions: Option<Expr>,
    pub order_by: Vec<(Vec<String>, bool)>,
    pub fields: Option<Vec<Vec<String>>>,
    pub page: usize,
    pub page_size: usize,
    pub page_id: Option<i64>,
    pub forward_only: bool,
}

/// Raw parameter values, case-insensitive names, each at most once.
pub struct RawParams<'a>(pub &'a [(String, String)]);

impl RawParams<'_> {
    pub fn get(&self, name: &str) -> Result<Option<&str>, CwError> {
        let mut hits = self.0.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
        let first = hits.next().map(|(_, v)| v.as_str());
        if hits.next().is_some() {
            return Err(CwError::bad_request(
                "InvalidObject",
                format!("The query parameter {name} was given more than once."),
            ));
        }
        Ok(first)
    }
}

fn number<T: std::str::FromStr>(name: &str, v: Option<&str>) -> Result<Option<T>, CwError> {
    match v {
        None | Some("") => Ok(None),
        Some(s) => s.trim().parse().map(Some).map_err(|_| {
            CwError::bad_request(
                "InvalidObject",
                format!("The value '{s}' is not valid for {name}."),
            )
        }),
    }
}

impl ListParams {
    /// Parses the parameters for a list of `schema_name` records. `body` carries the
    /// `POST …/search` body, whose filter fields take the place of the query string's.
    pub fn parse(
        schema_name: &str,
        q: &[(String, String)],
        forward_only: bool,
        body: Option<&Value>,
    ) -> Result<ListParams, CwError> {
        let raw = RawParams(q);
        let from_body = |k: &str| {
            body.and_then(|b| b.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let text = |k: &str| -> Result<Option<String>, CwError> {
            Ok(from_body(k)
                .or(raw.get(k)?.map(str::to_string))
                .filter(|s| !s.trim().is_empty()))
        };
        let conditions = text("conditions")?
            .map(|s| conditions_for(schema_name, &s, Scope::Record))
            .transpose()?;
        let child_conditions = text("childConditions")?
            .map(|s| conditions_for(schema_name, &s, Scope::Child))
            .transpose()?;
        let custom_field_conditions = text("customFieldConditions")?
            .map(|s| conditions_for("CustomFieldValue", &s, Scope::Child))
            .transpose()?;
        let order_by = match text("orderBy")? {
            Some(s) => parse_order_by(schema_name, &s)?,
            None => Vec::new(),
        };
        if forward_only && !order_by.is_empty() {
            return Err(CwError::bad_request(
                "InvalidObject",
                "orderBy cannot be used with forward-only pagination; results are ordered by id.",
            ));
        }
        let fields = raw
            .get("fields")?
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.split(',')
                    .filter_map(|f| {
                        let segs: Vec<String> = f.trim().split('/').map(str::to_string).collect();
                        resolve_path(schema_name, &segs, true).ok()
                    })
                    .collect()
            });
        let page = number::<i64>("page", raw.get("page")?)?.unwrap_or(1).max(1) as usize;
        let page_size = match number::<i64>("pageSize", raw.get("pageSize")?)? {
            Some(n) if n >= 1 => (n as usize).min(MAX_PAGE_SIZE),
            _ => DEFAULT_PAGE_SIZE,
        };
        let page_id = number::<i64>("pageId", raw.get("pageId")?)?;
        Ok(ListParams {
            conditions,
            child_conditions,
            custom_field_conditions,
            order_by,
            fields,
            page,
            page_size,
            page_id,
            forward_only,
        })
    }

    /// Whether a record passes every filter.
    /// A `field = <integer>` the conditions require whatever else they say (a term of their
    /// top-level `and`), which an index can answer.
    pub fn required_id(&self) -> Option<(&[String], i64)> {
        fn find(e: &Expr) -> Option<(&[String], i64)> {
            match e {
                Expr::Cmp(c) => match (&c.op, &c.value) {
                    (Op::Eq, Lit::Int(n)) => Some((c.field.segments(), *n)),
                    _ => None,
                },
                Expr::And(a, b) => find(a).or_else(|| find(b)),
                Expr::Or(..) => None,
            }
        }
        find(self.conditions.as_ref()?)
    }

    pub fn accepts(&self, rec: &Value) -> bool {
        self.conditions
            .as_ref()
            .is_none_or(|e| cw_conditions::matches_with(e, rec, EXACT))
            && self
                .child_conditions
                .as_ref()
                .is_none_or(|e| child_matches(e, rec))
            && self.custom_field_conditions.as_ref().is_none_or(|e| {
                rec.get("customFields")
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        items
                            .iter()
                            .any(|i| cw_conditions::matches_with(e, i, EXACT))
                    })
            })
    }

    /// Sorts in place by `orderBy` (then id).
    pub fn sort(&self, recs: &mut [&Value]) {
        if self.order_by.is_empty() {
            return;
        }
        recs.sort_by(|a, b| {
            for (path, desc) in &self.order_by {
                let o = cmp_json(lookup(a, path), lookup(b, path));
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.at("id").as_i64().cmp(&b.at("id").as_i64())
        });
    }

    /// The partial record `fields=` asks for, or the whole record.
    pub fn project(&self, rec: &Value) -> Value {
        match &self.fields {
            None => rec.clone(),
            Some(paths) => {
                let mut out = Value::Object(Map::new());
                for p in paths {
                    copy_path(rec, &mut out, p);
                }
                out
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Record,
    Child,
}

/// Parses a conditions string and checks every field against the schema, rewriting names to
/// their canonical spelling (as ConnectWise's case-insensitive lookup does).
fn conditions_for(schema_name: &str, src: &str, scope: Scope) -> Result<Expr, CwError> {
    let mut expr = cw_conditions::parse(src)
        .map_err(|e| CwError::find_condition(format!("The conditions could not be parsed {e}.")))?;
    let mut failure: Option<CwError> = None;
    let sch = schema(schema_name);
    expr.map_fields(&mut |f: &mut Field| {
        if failure.is_some() {
            return;
        }
        match resolve_path(schema_name, f.segments(), scope == Scope::Child) {
            Ok(canon) => {
                if scope == Scope::Child && schema_name != "CustomFieldValue" {
                    let top = canon
                        .first()
                        .and_then(|c| sch.properties.get(c))
                        .map(|t| PropType::parse(t));
                    if !matches!(top, Some(PropType::Array(_))) {
                        failure = Some(CwError::find_condition(format!(
                            "{} is not a child collection; filter it with conditions.",
                            f.path()
                        )));
                        return;
                    }
                }
                *f = Field::new(&canon.join("/")).unwrap_or_else(|_| f.clone());
            }
            Err(PathError::Unknown) => {
                failure = Some(CwError::find_condition(format!(
                    "{} is not a recognized name.",
                    f.path()
                )))
            }
            Err(PathError::ChildCollection) => {
                failure = Some(CwError::find_condition(format!(
                "{} is a child collection and cannot be used in conditions; use childConditions.",
                f.path()
            )))
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    for c in expr.comparisons() {
        check_enum(schema_name, c)?;
    }
    Ok(expr)
}

/// ConnectWise answers a condition on an enum field with an unknown value with
/// `ApiFindCondition "Enum value supplied was invalid"`.
fn check_enum(schema_name: &str, c: &Comparison) -> Result<(), CwError> {
    let [field] = c.field.segments() else {
        return Ok(());
    };
    if !matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::NotIn) {
        return Ok(());
    }
    let Some(allowed) = schema(schema_name).enums.get(field) else {
        return Ok(());
    };
    let values: Vec<&Lit> = match &c.value {
        Lit::List(items) => items.iter().collect(),
        v => vec![v],
    };
    for v in values {
        if let Lit::Str(s) = v {
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) {
                return Err(CwError::find_condition("Enum value supplied was invalid"));
            }
        }
    }
    Ok(())
}

fn parse_order_by(schema_name: &str, s: &str) -> Result<Vec<(Vec<String>, bool)>, CwError> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let path = words.next().unwrap_or_default();
        let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(CwError::find_condition(format!(
                    "orderBy direction `{other}` is not valid; use asc or desc."
                )))
            }
        };
        let segs: Vec<String> = path.split('/').map(str::to_string).collect();
        let canon = resolve_path(schema_name, &segs, false)
            .map_err(|_| CwError::find_condition(format!("{path} is not a recognized name.")))?;
        out.push((canon, desc));
    }
    Ok(out)
}

fn child_matches(e: &Expr, rec: &Value) -> bool {
    let comps = e.comparisons();
    let head = |c: &Comparison| c.field.segments().first().cloned();
    let first = comps.first().and_then(|c| head(c));
    let same = comps.iter().all(|c| head(c) == first);
    match (same, first) {
        (true, Some(coll)) => {
            let mut inner = e.clone();
            inner.map_fields(&mut |f: &mut Field| {
                let rest = f.segments().get(1..).unwrap_or_default().join("/");
                if let Ok(nf) = Field::new(&rest) {
                    *f = nf;
                }
            });
            rec.get(&coll)
                .and_then(Value::as_array)
                .is_some_and(|items| {
                    items
                        .iter()
                        .any(|i| cw_conditions::matches_with(&inner, i, EXACT))
                })
        }
        _ => cw_conditions::matches_with(e, rec, EXACT),
    }
}

/// Conditions here have field names rewritten to the schema's spelling (see
/// [`conditions_for`]), which is how records spell them too.
const EXACT: cw_conditions::EvalOptions = cw_conditions::EvalOptions {
    exact_field_names: true,
};

/// The value at a canonical path (no arrays).
pub fn lookup<'a>(rec: &'a Value, path: &[String]) -> &'a Value {
    let mut v = rec;
    for seg in path {
        v = v.get(seg).unwrap_or(&Value::Null);
    }
    v
}

fn cmp_json(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

fn copy_path(src: &Value, dst: &mut Value, path: &[String]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    let Some(v) = src.get(head) else { return };
    let Some(obj) = dst.as_object_mut() else {
        return;
    };
    if rest.is_empty() {
        obj.insert(head.clone(), v.clone());
        return;
    }
    match v {
        Value::Object(_) => {
            let slot = obj
                .entry(head.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            copy_path(v, slot, rest);
        }
        Value::Array(items) => {
            let slot = obj.entry(head.clone()).or_insert_with(|| {
                Value::Array(items.iter().map(|_| Value::Object(Map::new())).collect())
            });
            if let Value::Array(outs) = slot {
                for (i, o) in items.iter().zip(outs.iter_mut()) {
                    copy_path(i, o, rest);
                }
            }
        }
        Value::Null => {
            obj.insert(head.clone(), Value::Null);
        }
        _ => {}
    }
}

/// Builds the `Link` header of a navigable page, in the exact shape real servers send (query
/// parameters first, then `pageSize`, then `page` last, `>; rel="…"`).
pub fn link_header(
    url_base: &str,
    other: &[(String, String)],
    page: usize,
    page_size: usize,
    total: usize,
) -> Option<String> {
    let last = total.div_ceil(page_size).max(1);
    if last <= 1 {
        return None;
    }
    let prefix = query_prefix(url_base, other);
    let link =
        |p: usize, rel: &str| format!("<{prefix}pageSize={page_size}&page={p}>; rel=\"{rel}\"");
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(1, "first"));
        links.push(link((page - 1).min(last), "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    Some(links.join(", "))
}

/// The forward-only `Link`: always present; empty when there is nothing after this page.
pub fn forward_link(
    url_base: &str,
    other: &[(String, String)],
    page_size: usize,
    next_id: Option<i64>,
) -> String {
    match next_id {
        Some(id) => format!(
            "<{}pageSize={page_size}&pageId={id}>; rel=\"next\"",
            query_prefix(url_base, other)
        ),
        None => String::new(),
    }
}

fn query_prefix(url_base: &str, other: &[(String, String)]) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    let mut s = format!("{url_base}?");
    for (k, v) in other {
        if ["page", "pagesize", "pageid"].contains(&k.to_ascii_lowercase().as_str()) {
            continue;
        }
        s.push_str(&format!(
            "{}={}&",
            k,
            utf8_percent_encode(v, NON_ALPHANUMERIC)
        ));
    }
    s
}
