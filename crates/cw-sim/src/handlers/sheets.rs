//! Time-sheet actions (`POST /time/sheets/{id}/submit|approve|reject|reverse`): the member or
//! an approver submits; only approvers (admins, dispatchers) approve, reject or reverse. The
//! sheet's entries take its new status, which is what locks them.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{json_response, Call};
use crate::auth::Role;
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::routes::SheetAction;
use crate::store::{fmt_dt, OPEN_SHEET_STATUSES};

pub(super) fn act(call: &Call, a: SheetAction) -> Result<Response, CwError> {
    let caller = call.caller;
    let now = fmt_dt(call.rules_ctx().now);
    let mut t = call.write();
    let sid = call.id()?;
    let sheet = t
        .store
        .get(Kind::TimeSheet, sid)
        .cloned()
        .ok_or_else(|| CwError::not_found(format!("Time sheet {sid} not found")))?;
    let own = sheet.at("member").at("id").as_i64() == Some(caller.member_id);
    let approver = matches!(caller.role, Role::Admin | Role::Dispatcher);
    let status = sheet.at("status").as_str().unwrap_or("Open");
    let (allowed, from, to): (bool, &[&str], &str) = match a {
        SheetAction::Submit => (own || approver, &OPEN_SHEET_STATUSES, "PendingApproval"),
        SheetAction::Approve => (approver, &["PendingApproval"], "ApprovedByTierTwo"),
        SheetAction::Reject => (approver, &["PendingApproval"], "Rejected"),
        SheetAction::Reverse => (
            approver,
            &["ApprovedByTierOne", "ApprovedByTierTwo", "PendingApproval"],
            "Open",
        ),
    };
    if !allowed {
        return Err(CwError::security());
    }
    if !from.contains(&status) {
        return Err(CwError::invalid(
            "timeSheet",
            "status",
            "InvalidObject",
            format!("A time sheet that is {status} cannot be moved to {to}."),
        ));
    }
    if let Some(s) = t.store.get_mut(Kind::TimeSheet, sid) {
        s.set(&["status"], json!(to));
        s.set(&["_info", "lastUpdated"], json!(now));
        s.set(&["_info", "updatedBy"], json!(caller.identifier));
    }
    let entries: Vec<i64> = t
        .store
        .table(Kind::TimeEntry)
        .values()
        .filter(|e| e.at("timeSheet").at("id").as_i64() == Some(sid))
        .filter_map(|e| e.at("id").as_i64())
        .collect();
    for e in entries {
        if let Some(rec) = t.store.get_mut(Kind::TimeEntry, e) {
            rec.set(&["status"], json!(to));
        }
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({"success": true, "message": format!("Time sheet {sid} is now {to}.")}),
    ))
}
