//! Answers API requests: finds the route, authenticates, checks the caller's security role,
//! and runs the action's handler: the generic list, record and write pipelines for every
//! entity, or one of the special actions ConnectWise has.
//!
//! One file per action: [`list`] (lists, `/count`, `POST …/search`), [`records`] (one record),
//! [`writes`] (create, PATCH, PUT, DELETE), [`notes`] (`allNotes`), [`ticket_configs`]
//! (a ticket's configurations), [`system`] (`/system/info`, `myAccount`, a member by
//! identifier, `companyinfo`, the credentials line) and [`sheets`] (time-sheet submit,
//! approve, reject, reverse).

mod contract;
mod list;
mod notes;
mod records;
mod sheets;
mod system;
mod ticket_configs;
mod writes;

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{SubsecRound, Utc};
use serde_json::Value;

use crate::auth::{authenticate, Caller};
use crate::error::CwError;
use crate::hooks::Hooks;
use crate::kind::Kind;
use crate::routes::{self, Action, RouteMatch};
use crate::rules;
use crate::store::Tenant;

pub use system::{company_info, credentials};

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

/// What an action's handler works with: the request, the authenticated caller, and the
/// `{id}` and `{parentId}` the path named.
pub(crate) struct Call<'a> {
    inner: &'a Inner,
    req: &'a ApiRequest<'a>,
    caller: &'a Caller,
    id: Option<String>,
    parent: Option<String>,
    /// Every placeholder of the path by name.
    params: Vec<(&'static str, String)>,
}

impl<'a> Call<'a> {
    fn read(&self) -> RwLockReadGuard<'a, Tenant> {
        self.inner.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'a, Tenant> {
        self.inner.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The JSON body a write needs.
    fn body(&self) -> Result<Value, CwError> {
        match &self.req.body {
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
    }

    /// Whether the caller asked for forward-only paging (`pagination-type: forward-only`).
    fn forward_only(&self) -> bool {
        self.req
            .headers
            .get("pagination-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("forward-only"))
    }

    /// What the write rules see: the caller and "now" in whole seconds.
    fn rules_ctx(&self) -> rules::Ctx<'a> {
        rules::Ctx {
            caller: self.caller,
            now: Utc::now().trunc_subsecs(0),
        }
    }

    /// The `{id}` of the path as a number.
    fn id(&self) -> Result<i64, CwError> {
        parse_id(self.id.as_deref().unwrap_or(""))
    }

    /// The `{parentId}` of the path as a number.
    fn parent_id(&self) -> Result<i64, CwError> {
        parse_id(self.parent.as_deref().unwrap_or(""))
    }
}

fn parse_id(s: &str) -> Result<i64, CwError> {
    s.parse::<i64>()
        .map_err(|_| CwError::bad_request("InvalidObject", format!("'{s}' is not a valid id.")))
}

/// The kind a child collection lives under (`/service/tickets/{parentId}/notes` → tickets).
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

/// Whether a child record belongs to the parent the path named.
fn belongs(kind: Kind, rec: &Value, parent: Option<i64>) -> bool {
    match (kind.parent_field(), parent) {
        (Some(path), Some(p)) => {
            path.iter()
                .fold(rec, |v, k| v.get(*k).unwrap_or(&Value::Null))
                .as_i64()
                == Some(p)
        }
        _ => true,
    }
}

/// The parent id of a child route, checked to exist.
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
fn record<'t>(t: &'t Tenant, kind: Kind, call: &Call) -> Result<(i64, &'t Value), CwError> {
    let parent = check_parent(t, kind, &call.parent)?;
    let id = call.id()?;
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
    let (action, id, parent, params) = match routes::find(req.method, &segs) {
        RouteMatch::Found {
            action,
            id,
            parent,
            params,
        } => (action, id, parent, params),
        RouteMatch::WrongMethod => {
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
        RouteMatch::NoSuchPath => {
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
    let call = Call {
        inner,
        req,
        caller: &caller,
        id,
        parent,
        params,
    };
    let result = run(&call, action);
    (result.unwrap_or_else(IntoResponse::into_response), who)
}

fn run(call: &Call, action: Action) -> Result<Response, CwError> {
    match action {
        Action::List(kind) => list::list(call, kind, None),
        Action::Search(kind) => list::list(call, kind, Some(call.body()?)),
        Action::Count(kind) => list::count(call, kind),
        Action::Get(kind) => records::get(call, kind),
        Action::Create(kind) => writes::create(call, kind),
        Action::Patch(kind) => writes::update(call, kind, writes::Update::Patch),
        Action::Put(kind) => writes::update(call, kind, writes::Update::Put),
        Action::Delete(kind) => writes::delete(call, kind),
        Action::AllNotes => notes::all_notes(call, notes::Tickets::Service),
        Action::ProjectAllNotes => notes::all_notes(call, notes::Tickets::Project),
        Action::TicketConfigurations => ticket_configs::list(call),
        Action::TicketConfigurationsCount => ticket_configs::count(call),
        Action::TicketConfiguration => ticket_configs::get(call),
        Action::AttachConfiguration => ticket_configs::attach(call),
        Action::DetachConfiguration => ticket_configs::detach(call),
        Action::SystemInfo => system::info(call),
        Action::MyAccount => system::my_account(call, None),
        Action::MyAccountById => system::my_account(call, Some(call.id()?)),
        Action::MemberGet => system::member(call),
        Action::SheetAction(a) => sheets::act(call, a),
        Action::Linked(l) => contract::linked(call, l),
        Action::Contract(i) => contract::run(call, i),
    }
}
