//! A ticket's configurations (`/service/tickets/{id}/configurations`): list, count, one,
//! attach and detach. ConnectWise keeps the links outside both records; so does the tenant
//! (`Tenant::ticket_configs`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{json_response, list, Call};
use crate::auth::Level;
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::query::ListParams;
use crate::store::Tenant;

/// The ticket the path names, checked to exist.
fn ticket(t: &Tenant, call: &Call) -> Result<i64, CwError> {
    let tid = call.parent_id()?;
    t.store
        .get(Kind::Ticket, tid)
        .map(|_| tid)
        .ok_or_else(|| CwError::not_found(format!("Ticket {tid} not found")))
}

/// The references (`{id, deviceIdentifier}`) of the configurations attached to a ticket.
fn attached(t: &Tenant, tid: i64) -> Vec<Value> {
    t.ticket_configs
        .get(&tid)
        .into_iter()
        .flatten()
        .filter_map(|c| t.store.get(Kind::Configuration, *c))
        .map(|c| json!({"id": c.at("id"), "deviceIdentifier": c.at("deviceIdentifier")}))
        .collect()
}

pub(super) fn list(call: &Call) -> Result<Response, CwError> {
    call.caller.require(Kind::Ticket, Level::Inquire)?;
    let t = call.read();
    let refs = attached(&t, ticket(&t, call)?);
    let params = ListParams::parse(
        "ConfigurationReference",
        call.req.query,
        call.forward_only(),
        None,
    )?;
    let recs: Vec<&Value> = refs.iter().filter(|r| params.accepts(r)).collect();
    Ok(list::page(recs, &params, call.req))
}

pub(super) fn count(call: &Call) -> Result<Response, CwError> {
    call.caller.require(Kind::Ticket, Level::Inquire)?;
    let t = call.read();
    let n = attached(&t, ticket(&t, call)?).len();
    Ok(json_response(StatusCode::OK, &json!({ "count": n })))
}

pub(super) fn get(call: &Call) -> Result<Response, CwError> {
    call.caller.require(Kind::Ticket, Level::Inquire)?;
    let t = call.read();
    let refs = attached(&t, ticket(&t, call)?);
    let cid = call.id()?;
    let r = refs
        .iter()
        .find(|r| r.at("id").as_i64() == Some(cid))
        .ok_or_else(|| CwError::not_found(format!("Configuration {cid} not found")))?;
    Ok(json_response(StatusCode::OK, r))
}

pub(super) fn attach(call: &Call) -> Result<Response, CwError> {
    call.caller.require(Kind::Ticket, Level::Edit)?;
    let b = call.body()?;
    let mut t = call.write();
    let tid = ticket(&t, call)?;
    let cid = b.at("id").as_i64().ok_or_else(|| {
        CwError::invalid(
            "configurationReference",
            "id",
            "NullValue",
            "id is required.",
        )
    })?;
    let cfg = t.store.get(Kind::Configuration, cid).ok_or_else(|| {
        CwError::invalid(
            "configurationReference",
            "id",
            "NotFound",
            format!("Configuration {cid} not found"),
        )
    })?;
    let r = json!({"id": cid, "deviceIdentifier": cfg.at("deviceIdentifier")});
    let links = t.ticket_configs.entry(tid).or_default();
    if !links.contains(&cid) {
        links.push(cid);
    }
    Ok(json_response(StatusCode::CREATED, &r))
}

pub(super) fn detach(call: &Call) -> Result<Response, CwError> {
    call.caller.require(Kind::Ticket, Level::Edit)?;
    let mut t = call.write();
    let tid = ticket(&t, call)?;
    let cid = call.id()?;
    let links = t.ticket_configs.entry(tid).or_default();
    let before = links.len();
    links.retain(|c| *c != cid);
    if links.len() == before {
        return Err(CwError::not_found(format!("Configuration {cid} not found")));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
