//! Writes: `POST` creates, `PATCH` (JSON Patch) and `PUT` update, `DELETE` removes. Every write
//! goes through the entity's rules ([`crate::rules`]) before anything is stored, so a rejected
//! write changes nothing; side effects (initial notes, sheet hours, mail) apply after.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{check_parent, json_response, record, Call};
use crate::auth::Level;
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::rules::{self, body::sanitize, Write};
use crate::store::OPEN_SHEET_STATUSES;

/// How an update names the new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Update {
    /// A JSON Patch: only the fields it names change.
    Patch,
    /// The whole record: fields left out go back to their defaults.
    Put,
}

pub(super) fn create(call: &Call, kind: Kind) -> Result<Response, CwError> {
    call.caller.require(kind, Level::Add)?;
    let b = call.body()?;
    let ctx = call.rules_ctx();
    let mut t = call.write();
    let parent = check_parent(&t, kind, &call.parent)?;
    let mut rec = sanitize(kind, &b)?;
    if let (Some(field), Some(p)) = (kind.parent_field(), parent) {
        match field {
            [one] => {
                rec.insert((*one).into(), json!(p));
            }
            [first, ..] => {
                rec.insert((*first).into(), t.store.reference(Kind::Board, p));
            }
            [] => {}
        }
    }
    let fx = rules::prepare(&t, &ctx, kind, &Write::Create { parent }, &mut rec)?;
    // ConnectWise leaves unset fields out of its responses rather than sending null.
    rec.retain(|_, v| !v.is_null());
    let new_id = t.store.insert(kind, Value::Object(rec));
    rules::apply(&mut t, &ctx, kind, new_id, fx);
    let stored = t.store.get(kind, new_id).cloned().unwrap_or(Value::Null);
    Ok(json_response(StatusCode::CREATED, &stored))
}

pub(super) fn update(call: &Call, kind: Kind, how: Update) -> Result<Response, CwError> {
    call.caller.require(kind, Level::Edit)?;
    let b = call.body()?;
    let ctx = call.rules_ctx();
    let mut t = call.write();
    let (id, before) = record(&t, kind, call)?;
    let before = before.clone();
    let candidate = match how {
        Update::Patch => apply_patch(kind.schema(), kind.resource(), &before, &b)?,
        Update::Put => {
            // A child keeps its parent whatever the body says.
            let mut whole = b.clone();
            if let Some(&[first, ..]) = kind.parent_field() {
                whole.set(&[first], before.at(first).clone());
            }
            whole
        }
    };
    let mut rec = sanitize(kind, &candidate)?;
    let fx = rules::prepare(
        &t,
        &ctx,
        kind,
        &Write::Update {
            id,
            before: &before,
        },
        &mut rec,
    )?;
    rec.insert("id".into(), json!(id));
    rec.retain(|_, v| !v.is_null());
    t.store.replace(kind, id, Value::Object(rec));
    rules::apply(&mut t, &ctx, kind, id, fx);
    let stored = t.store.get(kind, id).cloned().unwrap_or(Value::Null);
    Ok(json_response(StatusCode::OK, &stored))
}

pub(super) fn delete(call: &Call, kind: Kind) -> Result<Response, CwError> {
    call.caller.require(kind, Level::Delete)?;
    let ctx = call.rules_ctx();
    let mut t = call.write();
    let (id, rec) = record(&t, kind, call)?;
    let rec = rec.clone();
    if kind == Kind::TimeEntry {
        let status = rec.at("status").as_str().unwrap_or("Open");
        if !OPEN_SHEET_STATUSES.contains(&status) {
            return Err(CwError::invalid(
                "timeEntry",
                "timeSheet",
                "InvalidObject",
                format!(
                    "This time entry is on a time sheet that is {status} and cannot be deleted."
                ),
            ));
        }
        let hours = rec.at("actualHours").as_f64().unwrap_or(0.0);
        if let Some(sid) = rec.at("timeSheet").at("id").as_i64() {
            rules::apply(
                &mut t,
                &ctx,
                kind,
                id,
                vec![rules::Effect::SheetHours(sid, -hours)],
            );
        }
    }
    if kind == Kind::Ticket {
        let notes: Vec<i64> = t
            .store
            .table(Kind::TicketNote)
            .values()
            .filter(|n| n.at("ticketId").as_i64() == Some(id))
            .filter_map(|n| n.at("id").as_i64())
            .collect();
        for n in notes {
            t.store.remove(Kind::TicketNote, n);
        }
        t.ticket_configs.remove(&id);
    }
    t.store.remove(kind, id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Applies a JSON Patch to a record. Paths are case-sensitive, with or without a leading `/`.
/// A nested path such as `company/identifier` is accepted and ignored, as ConnectWise does
/// (the "false 200" its documentation warns about): whole objects must be replaced.
pub(super) fn apply_patch(
    schema_name: &str,
    resource: &str,
    before: &Value,
    body: &Value,
) -> Result<Value, CwError> {
    let ops = body.as_array().ok_or_else(|| CwError::invalid(resource, "", "InvalidObject", "A PATCH body must be a JSON array of operations like [{\"op\":\"replace\",\"path\":\"summary\",\"value\":\"…\"}]."))?;
    let props = &cw_schema::schema(schema_name).properties;
    let mut rec = before.clone();
    for op in ops {
        let name = op.at("op").as_str().unwrap_or("").to_ascii_lowercase();
        let path = op.at("path").as_str().unwrap_or("").trim_start_matches('/');
        if !["add", "replace", "remove"].contains(&name.as_str()) {
            return Err(CwError::invalid(
                resource,
                path,
                "InvalidObject",
                format!(
                    "Unsupported patch operation '{}'; use add, replace or remove.",
                    op.at("op").as_str().unwrap_or("")
                ),
            ));
        }
        if path.contains('/') {
            continue;
        }
        if !props.contains_key(path) || path == "id" || path == "_info" {
            return Err(CwError::invalid(resource, path, "InvalidObject", format!("'{path}' is not a field of {resource} that can be patched (paths are case-sensitive).")));
        }
        let value = if name == "remove" {
            Value::Null
        } else {
            op.get("value").cloned().unwrap_or(Value::Null)
        };
        rec.set(&[path], value);
    }
    Ok(rec)
}
