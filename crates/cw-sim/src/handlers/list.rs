//! Lists: `GET` a collection, `POST …/search` (the same, with filters in the body) and
//! `…/count`. Conditions, `orderBy`, `fields` and paging come from [`ListParams`]; pages carry
//! ConnectWise's `Link` header (navigable, or forward-only by `pageId`).

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::{belongs, check_parent, json_response, ApiRequest, Call};
use crate::auth::Level;
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::query::{forward_link, link_header, ListParams};
use crate::store::Store;

/// One page of `kind`, filtered; `search` is the body of a `POST …/search`.
pub(super) fn list(call: &Call, kind: Kind, search: Option<Value>) -> Result<Response, CwError> {
    call.caller.require(kind, Level::Inquire)?;
    let t = call.read();
    let parent = check_parent(&t, kind, &call.parent)?;
    let params = ListParams::parse(
        kind.schema(),
        call.req.query,
        call.forward_only(),
        search.as_ref(),
    )?;
    let recs: Vec<&Value> = candidates(&t.store, kind, parent, &params)
        .into_iter()
        .filter(|r| belongs(kind, r, parent) && params.accepts(r))
        .collect();
    Ok(page(recs, &params, call.req))
}

/// `…/count`: how many records the conditions match.
pub(super) fn count(call: &Call, kind: Kind) -> Result<Response, CwError> {
    call.caller.require(kind, Level::Inquire)?;
    let t = call.read();
    let parent = check_parent(&t, kind, &call.parent)?;
    let params = ListParams::parse(kind.schema(), call.req.query, false, None)?;
    let n = candidates(&t.store, kind, parent, &params)
        .into_iter()
        .filter(|r| belongs(kind, r, parent) && params.accepts(r))
        .count();
    Ok(json_response(StatusCode::OK, &json!({ "count": n })))
}

/// The records a filter need look at, in id order: a parent's children or the records with
/// the id the conditions require, by index; else the whole table.
fn candidates<'t>(
    store: &'t Store,
    kind: Kind,
    parent: Option<i64>,
    params: &ListParams,
) -> Vec<&'t Value> {
    match (kind.parent_field(), parent, params.required_id()) {
        (Some(path), Some(p), _) => store.narrowed(kind, path, p),
        (_, _, Some((path, n))) => store.narrowed(kind, path, n),
        _ => store.table(kind).values().collect(),
    }
}

/// Pages, sorts and projects a filtered list, with the `Link` header ConnectWise sends.
pub(super) fn page(mut recs: Vec<&Value>, p: &ListParams, req: &ApiRequest) -> Response {
    let url_base = format!("{}{}", req.api_base, req.path);
    let (page, link): (Vec<&Value>, Option<String>) = if p.forward_only {
        let after = p.page_id.unwrap_or(0);
        recs.sort_by_key(|r| r.at("id").as_i64());
        let rest: Vec<&Value> = recs
            .into_iter()
            .filter(|r| r.at("id").as_i64().unwrap_or(0) > after)
            .collect();
        let more = rest.len() > p.page_size;
        let page: Vec<&Value> = rest.into_iter().take(p.page_size).collect();
        let next = if more {
            page.last().and_then(|r| r.at("id").as_i64())
        } else {
            None
        };
        (
            page,
            Some(forward_link(&url_base, req.query, p.page_size, next)),
        )
    } else {
        p.sort(&mut recs);
        let total = recs.len();
        let start = p.page.saturating_sub(1).saturating_mul(p.page_size);
        let page = recs.into_iter().skip(start).take(p.page_size).collect();
        (
            page,
            link_header(&url_base, req.query, p.page, p.page_size, total),
        )
    };
    let body = Value::Array(page.into_iter().map(|r| p.project(r)).collect());
    let mut resp = json_response(StatusCode::OK, &body);
    if let Some(l) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert("link", l);
    }
    resp
}
