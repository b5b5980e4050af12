//! Answers API requests: finds the route, authenticates, checks the caller's security role,
//! and runs the generic list/get/count/write pipeline or a special action.

use std::sync::RwLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{SubsecRound, Utc};
use serde_json::{json, Map, Value};

use crate::auth::{authenticate, Caller, Level, Role};
use crate::error::CwError;
use crate::hooks::Hooks;
use crate::kind::Kind;
use crate::query::{forward_link, link_header, ListParams};
use crate::routes::{self, Action, SheetAction};
use crate::rules::{self, body::sanitize, Ctx, Write};
use crate::store::{fmt_dt, member_name, Tenant};

/// Shared state behind every connection.
pub struct Inner {
    pub tenant: RwLock<Tenant>,
    pub hooks: Hooks,
}

/// One API request, already split up.
pub struct ApiRequest<'a> {
    pub method: &'a str,
    /// Path after `/{codebase}apis/3.0`, starting with `/`.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    /// The body parsed as JSON; `Err` when it was not JSON.
    pub body: Result<Option<Value>, String>,
    /// `http://host/{codebase}apis/3.0`, for `Link` headers.
    pub api_base: String,
}

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn parse_id(s: &str) -> Result<i64, CwError> {
    s.parse::<i64>()
        .map_err(|_| CwError::bad_request("InvalidObject", format!("'{s}' is not a valid id.")))
}

fn parent_kind(kind: Kind) -> Option<Kind> {
    match kind {
        Kind::TicketNote => Some(Kind::Ticket),
        Kind::ProjectTicketNote => Some(Kind::ProjectTicket),
        Kind::BoardStatus | Kind::BoardType | Kind::BoardSubType | Kind::BoardItem => {
            Some(Kind::Board)
        }
        Kind::ProjectPhase => Some(Kind::Project),
        _ => None,
    }
}

fn belongs(kind: Kind, rec: &Value, parent: Option<i64>) -> bool {
    match (kind.parent_field(), parent) {
        (Some(path), Some(p)) => path.iter().fold(rec, |v, k| &v[*k]).as_i64() == Some(p),
        _ => true,
    }
}

fn check_parent(t: &Tenant, kind: Kind, parent: &Option<String>) -> Result<Option<i64>, CwError> {
    match (parent_kind(kind), parent) {
        (Some(pk), Some(p)) => {
            let id = parse_id(p)?;
            t.store
                .get(pk, id)
                .map(|_| Some(id))
                .ok_or_else(|| CwError::not_found(format!("{} {id} not found", pk.label())))
        }
        _ => Ok(None),
    }
}

/// The record a `{id}` route names, under its `{parentId}` when the route has one.
fn record<'t>(
    t: &'t Tenant,
    kind: Kind,
    id: &Option<String>,
    parent: &Option<String>,
) -> Result<(i64, &'t Value), CwError> {
    let parent = check_parent(t, kind, parent)?;
    let id = parse_id(id.as_deref().unwrap_or(""))?;
    t.store
        .get(kind, id)
        .filter(|r| belongs(kind, r, parent))
        .map(|r| (id, r))
        .ok_or_else(|| CwError::not_found(format!("{} {id} not found", kind.label())))
}

/// Handles an API request. Returns the response and the authenticated member, if any.
pub fn handle(inner: &Inner, req: &ApiRequest) -> (Response, Option<String>) {
    let segs: Vec<&str> = req
        .path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (action, id, parent) = match routes::find(req.method, &segs) {
        Ok(found) => found,
        Err(true) => {
            return (
                CwError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    format!(
                        "The requested resource does not support http method '{}'.",
                        req.method
                    ),
                )
                .into_response(),
                None,
            )
        }
        Err(false) => {
            return (
                CwError::not_found(format!("No resource matches {}", req.path)).into_response(),
                None,
            );
        }
    };
    let caller = {
        let t = inner.tenant.read().unwrap_or_else(|e| e.into_inner());
        authenticate(&t, req.headers)
    };
    let caller = match caller {
        Ok(c) => c,
        Err(e) => return (e.into_response(), None),
    };
    let who = Some(caller.identifier.clone());
    let result = run(inner, req, &caller, action, id, parent);
    (result.unwrap_or_else(IntoResponse::into_response), who)
}

fn run(
    inner: &Inner,
    req: &ApiRequest,
    caller: &Caller,
    action: Action,
    id: Option<String>,
    parent: Option<String>,
) -> Result<Response, CwError> {
    let forward_only = req
        .headers
        .get("pagination-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("forward-only"));
    let body = || -> Result<Value, CwError> {
        match &req.body {
            Ok(Some(v)) => Ok(v.clone()),
            Ok(None) => Err(CwError::bad_request(
                "InvalidObject",
                "A request body is required.",
            )),
            Err(e) => Err(CwError::bad_request(
                "InvalidObject",
                format!("The request body is not valid JSON: {e}"),
            )),
        }
    };
    let read = || inner.tenant.read().unwrap_or_else(|e| e.into_inner());
    let write = || inner.tenant.write().unwrap_or_else(|e| e.into_inner());
    let ctx = Ctx {
        caller,
        now: Utc::now().trunc_subsecs(0),
    };
    match action {
        Action::List(kind) | Action::Search(kind) | Action::Count(kind) => {
            caller.require(kind, Level::Inquire)?;
            let t = read();
            let parent = check_parent(&t, kind, &parent)?;
            let search_body = if matches!(action, Action::Search(_)) {
                Some(body()?)
            } else {
                None
            };
            let params =
                ListParams::parse(kind.schema(), req.query, forward_only, search_body.as_ref())?;
            let recs: Vec<&Value> = t
                .store
                .table(kind)
                .values()
                .filter(|r| belongs(kind, r, parent) && params.accepts(r))
                .collect();
            if matches!(action, Action::Count(_)) {
                return Ok(json_response(StatusCode::OK, &json!({"count": recs.len()})));
            }
            Ok(list_response(recs, &params, req))
        }
        Action::Get(kind) => {
            caller.require(kind, Level::Inquire)?;
            let t = read();
            let (_, rec) = record(&t, kind, &id, &parent)?;
            let params = ListParams::parse(kind.schema(), req.query, false, None)?;
            Ok(json_response(StatusCode::OK, &params.project(rec)))
        }
        Action::Create(kind) => {
            caller.require(kind, Level::Add)?;
            let b = body()?;
            let mut t = write();
            let parent = check_parent(&t, kind, &parent)?;
            let mut rec = sanitize(kind, &b)?;
            if let (Some(field), Some(p)) = (kind.parent_field(), parent) {
                if field.len() == 1 {
                    rec.insert(field[0].into(), json!(p));
                } else {
                    rec.insert(field[0].into(), t.store.reference(Kind::Board, p));
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
        Action::Patch(kind) | Action::Put(kind) => {
            caller.require(kind, Level::Edit)?;
            let b = body()?;
            let mut t = write();
            let (id, before) = record(&t, kind, &id, &parent)?;
            let before = before.clone();
            let candidate = if matches!(action, Action::Patch(_)) {
                apply_patch(kind, &before, &b)?
            } else {
                let mut whole = b.clone();
                if let (Some(field), Some(obj)) = (kind.parent_field(), whole.as_object_mut()) {
                    obj.insert(field[0].into(), before[field[0]].clone());
                }
                whole
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
        Action::Delete(kind) => {
            caller.require(kind, Level::Delete)?;
            let mut t = write();
            let (id, rec) = record(&t, kind, &id, &parent)?;
            let rec = rec.clone();
            if kind == Kind::TimeEntry {
                let status = rec["status"].as_str().unwrap_or("Open");
                if !["Open", "Rejected", "ErrorsCorrected"].contains(&status) {
                    return Err(CwError::invalid("timeEntry", "timeSheet", "InvalidObject", format!("This time entry is on a time sheet that is {status} and cannot be deleted.")));
                }
                let hours = rec["actualHours"].as_f64().unwrap_or(0.0);
                if let Some(sid) = rec["timeSheet"]["id"].as_i64() {
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
                    .filter(|n| n["ticketId"].as_i64() == Some(id))
                    .filter_map(|n| n["id"].as_i64())
                    .collect();
                for n in notes {
                    t.store.remove(Kind::TicketNote, n);
                }
                t.ticket_configs.remove(&id);
            }
            t.store.remove(kind, id);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Action::AllNotes | Action::ProjectAllNotes => {
            let (ticket_kind, note_kind) = if action == Action::AllNotes {
                (Kind::Ticket, Kind::TicketNote)
            } else {
                (Kind::ProjectTicket, Kind::ProjectTicketNote)
            };
            caller.require(ticket_kind, Level::Inquire)?;
            let t = read();
            let tid = parse_id(parent.as_deref().unwrap_or(""))?;
            let ticket = t
                .store
                .get(ticket_kind, tid)
                .ok_or_else(|| CwError::not_found(format!("Ticket {tid} not found")))?;
            let schema = if action == Action::AllNotes {
                "ServiceTicketNote"
            } else {
                "ProjectTicketNote"
            };
            let params = ListParams::parse(schema, req.query, forward_only, None)?;
            let notes = all_notes(&t, ticket, note_kind, action == Action::AllNotes);
            let recs: Vec<&Value> = notes.iter().filter(|r| params.accepts(r)).collect();
            Ok(list_response(recs, &params, req))
        }
        Action::TicketConfigurations
        | Action::TicketConfigurationsCount
        | Action::TicketConfiguration => {
            caller.require(Kind::Ticket, Level::Inquire)?;
            let t = read();
            let tid = parse_id(parent.as_deref().unwrap_or(""))?;
            t.store
                .get(Kind::Ticket, tid)
                .ok_or_else(|| CwError::not_found(format!("Ticket {tid} not found")))?;
            let refs: Vec<Value> = t
                .ticket_configs
                .get(&tid)
                .into_iter()
                .flatten()
                .filter_map(|c| t.store.get(Kind::Configuration, *c))
                .map(|c| json!({"id": c["id"], "deviceIdentifier": c["deviceIdentifier"]}))
                .collect();
            match action {
                Action::TicketConfigurationsCount => {
                    Ok(json_response(StatusCode::OK, &json!({"count": refs.len()})))
                }
                Action::TicketConfiguration => {
                    let cid = parse_id(id.as_deref().unwrap_or(""))?;
                    let r = refs
                        .iter()
                        .find(|r| r["id"].as_i64() == Some(cid))
                        .ok_or_else(|| {
                            CwError::not_found(format!("Configuration {cid} not found"))
                        })?;
                    Ok(json_response(StatusCode::OK, r))
                }
                _ => {
                    let params =
                        ListParams::parse("ConfigurationReference", req.query, forward_only, None)?;
                    let recs: Vec<&Value> = refs.iter().filter(|r| params.accepts(r)).collect();
                    Ok(list_response(recs, &params, req))
                }
            }
        }
        Action::AttachConfiguration | Action::DetachConfiguration => {
            caller.require(Kind::Ticket, Level::Edit)?;
            let mut t = write();
            let tid = parse_id(parent.as_deref().unwrap_or(""))?;
            t.store
                .get(Kind::Ticket, tid)
                .ok_or_else(|| CwError::not_found(format!("Ticket {tid} not found")))?;
            if action == Action::DetachConfiguration {
                let cid = parse_id(id.as_deref().unwrap_or(""))?;
                let list = t.ticket_configs.entry(tid).or_default();
                let before = list.len();
                list.retain(|c| *c != cid);
                if list.len() == before {
                    return Err(CwError::not_found(format!("Configuration {cid} not found")));
                }
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            let b = body()?;
            let cid = b["id"].as_i64().ok_or_else(|| {
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
            let r = json!({"id": cid, "deviceIdentifier": cfg["deviceIdentifier"]});
            let list = t.ticket_configs.entry(tid).or_default();
            if !list.contains(&cid) {
                list.push(cid);
            }
            Ok(json_response(StatusCode::CREATED, &r))
        }
        Action::SystemInfo => {
            let t = read();
            Ok(json_response(
                StatusCode::OK,
                &json!({
                    "version": "v2025.1.10431",
                    "isCloud": !t.codebase.starts_with("v4_6"),
                    "serverTimeZone": "Pacific Standard Time",
                    "licenseBits": [],
                    "cloudRegion": "NA",
                    "maxWorkFlowRecordsAllowed": 1000,
                }),
            ))
        }
        Action::MyAccount | Action::MyAccountById => {
            let t = read();
            if action == Action::MyAccount && !t.my_account_enabled {
                return Err(CwError::not_found("The requested resource was not found."));
            }
            let mid = match action {
                Action::MyAccountById => parse_id(id.as_deref().unwrap_or(""))?,
                _ => caller.member_id,
            };
            let m = t
                .store
                .get(Kind::Member, mid)
                .ok_or_else(|| CwError::not_found(format!("Member {mid} not found")))?;
            let mut acct = Map::new();
            for k in [
                "id",
                "identifier",
                "firstName",
                "lastName",
                "title",
                "licenseClass",
                "inactiveFlag",
                "officeEmail",
                "primaryEmail",
                "defaultEmail",
                "defaultPhone",
                "officePhone",
                "hireDate",
                "_info",
            ] {
                if let Some(v) = m.get(k) {
                    acct.insert(k.into(), v.clone());
                }
            }
            let params = ListParams::parse("MyAccount", req.query, false, None)?;
            Ok(json_response(
                StatusCode::OK,
                &params.project(&Value::Object(acct)),
            ))
        }
        Action::MemberGet => {
            caller.require(Kind::Member, Level::Inquire)?;
            let t = read();
            let key = id.unwrap_or_default();
            let m = match key.parse::<i64>() {
                Ok(n) => t.store.get(Kind::Member, n),
                Err(_) => t.store.table(Kind::Member).values().find(|m| {
                    m["identifier"]
                        .as_str()
                        .is_some_and(|i| i.eq_ignore_ascii_case(&key))
                }),
            }
            .ok_or_else(|| CwError::not_found(format!("Member {key} not found")))?;
            let params = ListParams::parse("Member", req.query, false, None)?;
            Ok(json_response(StatusCode::OK, &params.project(m)))
        }
        Action::SheetAction(a) => {
            let mut t = write();
            let sid = parse_id(id.as_deref().unwrap_or(""))?;
            let sheet = t
                .store
                .get(Kind::TimeSheet, sid)
                .cloned()
                .ok_or_else(|| CwError::not_found(format!("Time sheet {sid} not found")))?;
            let own = sheet["member"]["id"].as_i64() == Some(caller.member_id);
            let approver = matches!(caller.role, Role::Admin | Role::Dispatcher);
            let status = sheet["status"].as_str().unwrap_or("Open");
            let (allowed, from, to): (bool, &[&str], &str) = match a {
                SheetAction::Submit => (
                    own || approver,
                    &["Open", "Rejected", "ErrorsCorrected"],
                    "PendingApproval",
                ),
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
            let now = fmt_dt(ctx.now);
            if let Some(s) = t.store.get_mut(Kind::TimeSheet, sid) {
                s["status"] = json!(to);
                s["_info"]["lastUpdated"] = json!(now);
                s["_info"]["updatedBy"] = json!(caller.identifier);
            }
            let entries: Vec<i64> = t
                .store
                .table(Kind::TimeEntry)
                .values()
                .filter(|e| e["timeSheet"]["id"].as_i64() == Some(sid))
                .filter_map(|e| e["id"].as_i64())
                .collect();
            for e in entries {
                if let Some(rec) = t.store.get_mut(Kind::TimeEntry, e) {
                    rec["status"] = json!(to);
                }
            }
            Ok(json_response(
                StatusCode::OK,
                &json!({"success": true, "message": format!("Time sheet {sid} is now {to}.")}),
            ))
        }
    }
}

/// Applies a JSON Patch to a record. Paths are case-sensitive, with or without a leading `/`.
/// A nested path such as `company/identifier` is accepted and ignored, as ConnectWise does
/// (the "false 200" its documentation warns about): whole objects must be replaced.
fn apply_patch(kind: Kind, before: &Value, body: &Value) -> Result<Value, CwError> {
    let resource = kind.resource();
    let ops = body.as_array().ok_or_else(|| CwError::invalid(resource, "", "InvalidObject", "A PATCH body must be a JSON array of operations like [{\"op\":\"replace\",\"path\":\"summary\",\"value\":\"…\"}]."))?;
    let props = &cw_schema::schema(kind.schema()).properties;
    let mut rec = before.clone();
    for op in ops {
        let name = op["op"].as_str().unwrap_or("").to_ascii_lowercase();
        let path = op["path"].as_str().unwrap_or("").trim_start_matches('/');
        if !["add", "replace", "remove"].contains(&name.as_str()) {
            return Err(CwError::invalid(
                resource,
                path,
                "InvalidObject",
                format!(
                    "Unsupported patch operation '{}'; use add, replace or remove.",
                    op["op"].as_str().unwrap_or("")
                ),
            ));
        }
        if path.contains('/') {
            continue;
        }
        if !props.contains_key(path) || path == "id" || path == "_info" {
            return Err(CwError::invalid(resource, path, "InvalidObject", format!("'{path}' is not a field of {resource} that can be patched (paths are case-sensitive).")));
        }
        rec[path] = if name == "remove" {
            Value::Null
        } else {
            op.get("value").cloned().unwrap_or(Value::Null)
        };
    }
    Ok(rec)
}

fn all_notes(t: &Tenant, ticket: &Value, note_kind: Kind, with_time: bool) -> Vec<Value> {
    let schema = if with_time {
        "ServiceTicketNote"
    } else {
        "ProjectTicketNote"
    };
    let tid = ticket["id"].as_i64();
    let tref = json!({"id": ticket["id"], "summary": ticket["summary"]});
    let mut out: Vec<(String, Value)> = t
        .store
        .table(note_kind)
        .values()
        .filter(|n| n["ticketId"].as_i64() == tid)
        .map(|n| {
            let mut v = json!({
                "id": n["id"], "noteType": "TicketNote", "ticket": tref, "text": n["text"],
                "isMarkdownFlag": false,
                "detailDescriptionFlag": n["detailDescriptionFlag"], "internalAnalysisFlag": n["internalAnalysisFlag"],
                "resolutionFlag": n["resolutionFlag"], "issueFlag": n["issueFlag"],
                "bundledFlag": false, "mergedFlag": false, "createdByParentFlag": false,
                "originalAuthor": n["createdBy"], "_info": {"dateCreated": n["dateCreated"], "lastUpdated": n["_info"]["lastUpdated"]},
            });
            for k in ["member", "contact"] {
                if n.get(k).is_some_and(Value::is_object) {
                    v[k] = n[k].clone();
                }
            }
            (n["dateCreated"].as_str().unwrap_or("").to_string(), v)
        })
        .collect();
    if with_time {
        for e in t.store.table(Kind::TimeEntry).values() {
            let on_ticket = e["chargeToType"] == "ServiceTicket" && e["chargeToId"].as_i64() == tid;
            let text = e["notes"].as_str().unwrap_or("");
            if !on_ticket || text.is_empty() {
                continue;
            }
            out.push((e["timeStart"].as_str().unwrap_or("").to_string(), json!({
                "id": e["id"], "noteType": "TimeEntryNote", "ticket": tref, "text": text, "isMarkdownFlag": false,
                "detailDescriptionFlag": e["addToDetailDescriptionFlag"], "internalAnalysisFlag": e["addToInternalAnalysisFlag"],
                "resolutionFlag": e["addToResolutionFlag"], "issueFlag": false,
                "timeStart": e["timeStart"], "timeEnd": e["timeEnd"], "bundledFlag": false, "mergedFlag": false,
                "createdByParentFlag": false, "originalAuthor": e["enteredBy"], "member": e["member"],
                "_info": {"dateCreated": e["dateEntered"], "lastUpdated": e["_info"]["lastUpdated"]},
            })));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
        .map(|(_, mut v)| {
            cw_schema::conform(schema, &mut v);
            v
        })
        .collect()
}

/// Pages, sorts and projects a filtered list, with the `Link` header ConnectWise sends.
fn list_response(mut recs: Vec<&Value>, p: &ListParams, req: &ApiRequest) -> Response {
    let url_base = format!("{}{}", req.api_base, req.path);
    let (page, link): (Vec<&Value>, Option<String>) = if p.forward_only {
        let after = p.page_id.unwrap_or(0);
        recs.sort_by_key(|r| r["id"].as_i64());
        let rest: Vec<&Value> = recs
            .into_iter()
            .filter(|r| r["id"].as_i64().unwrap_or(0) > after)
            .collect();
        let more = rest.len() > p.page_size;
        let page: Vec<&Value> = rest.into_iter().take(p.page_size).collect();
        let next = if more {
            page.last().and_then(|r| r["id"].as_i64())
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
        let start = (p.page - 1).saturating_mul(p.page_size);
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

/// `GET /login/companyinfo/{company}`: no auth; unknown companies get a 200 with `null`.
pub fn company_info(t: &Tenant, company: &str, host: &str) -> Response {
    if !company.eq_ignore_ascii_case(&t.company_id) {
        return json_response(StatusCode::OK, &Value::Null);
    }
    json_response(
        StatusCode::OK,
        &json!({
            "CompanyName": t.company_name,
            "Codebase": t.codebase,
            "VersionCode": "v2025.1",
            "VersionNumber": "v4.6.10431",
            "CompanyID": t.company_id,
            "IsCloud": !t.codebase.starts_with("v4_6"),
            "SiteUrl": host,
        }),
    )
}

/// The credentials line `connectwise-mcp sim` prints first.
pub fn credentials(t: &Tenant, site: &str) -> Value {
    let members: Vec<Value> = t
        .keys
        .iter()
        .filter_map(|k| {
            let m = t.store.get(Kind::Member, k.member_id)?;
            Some(json!({
                "identifier": m["identifier"],
                "name": member_name(m),
                "role": m["securityRole"]["name"],
                "licenseClass": m["licenseClass"],
                "publicKey": k.public,
                "privateKey": k.private,
            }))
        })
        .collect();
    json!({
        "site": site,
        "companyId": t.company_id,
        "clientId": t.client_ids.first(),
        "codebase": t.codebase,
        "apiBase": format!("{site}/{}apis/3.0", t.codebase),
        "members": members,
    })
}
