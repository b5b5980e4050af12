//! The routes the simulator serves, as data: each is a method and a path pattern exactly as
//! ConnectWise's contract spells it (`tests/contract.rs` checks them against the 2025.1
//! endpoint list), and the action that answers it.

use crate::kind::Kind;

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    List(Kind),
    Count(Kind),
    Get(Kind),
    Create(Kind),
    Patch(Kind),
    Put(Kind),
    Delete(Kind),
    /// `POST …/search`: a list whose filters travel in the body.
    Search(Kind),
    /// `GET /service/tickets/{id}/allNotes`: notes plus time-entry notes.
    AllNotes,
    ProjectAllNotes,
    TicketConfigurations,
    TicketConfigurationsCount,
    TicketConfiguration,
    AttachConfiguration,
    DetachConfiguration,
    SystemInfo,
    MyAccount,
    MyAccountById,
    MemberGet,
    SheetAction(SheetAction),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetAction {
    Submit,
    Approve,
    Reject,
    Reverse,
}

/// A route: method, path pattern, action.
pub type Route = (&'static str, &'static str, Action);

macro_rules! crud {
    ($v:ident, $base:literal, $kind:expr, [$($m:ident),*]) => {
        $( crud!(@one $v, $base, $kind, $m); )*
    };
    (@one $v:ident, $base:literal, $kind:expr, list) => {
        $v.push(("GET", $base, Action::List($kind)));
        $v.push(("GET", concat!($base, "/count"), Action::Count($kind)));
    };
    (@one $v:ident, $base:literal, $kind:expr, get) => { $v.push(("GET", concat!($base, "/{id}"), Action::Get($kind))); };
    (@one $v:ident, $base:literal, $kind:expr, post) => { $v.push(("POST", $base, Action::Create($kind))); };
    (@one $v:ident, $base:literal, $kind:expr, patch) => { $v.push(("PATCH", concat!($base, "/{id}"), Action::Patch($kind))); };
    (@one $v:ident, $base:literal, $kind:expr, put) => { $v.push(("PUT", concat!($base, "/{id}"), Action::Put($kind))); };
    (@one $v:ident, $base:literal, $kind:expr, delete) => { $v.push(("DELETE", concat!($base, "/{id}"), Action::Delete($kind))); };
}

/// Every route under `/{codebase}apis/3.0`.
pub fn routes() -> &'static [Route] {
    static ROUTES: std::sync::OnceLock<Vec<Route>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(build)
}

#[allow(clippy::vec_init_then_push)] // the crud! macro pushes route by route
fn build() -> Vec<Route> {
    let mut v: Vec<Route> = Vec::new();
    crud!(
        v,
        "/service/tickets",
        Kind::Ticket,
        [list, get, post, patch, put, delete]
    );
    v.push((
        "POST",
        "/service/tickets/search",
        Action::Search(Kind::Ticket),
    ));
    crud!(
        v,
        "/service/tickets/{parentId}/notes",
        Kind::TicketNote,
        [list, get, post, patch, put, delete]
    );
    v.push((
        "GET",
        "/service/tickets/{parentId}/allNotes",
        Action::AllNotes,
    ));
    v.push((
        "GET",
        "/service/tickets/{parentId}/configurations",
        Action::TicketConfigurations,
    ));
    v.push((
        "GET",
        "/service/tickets/{parentId}/configurations/count",
        Action::TicketConfigurationsCount,
    ));
    v.push((
        "GET",
        "/service/tickets/{parentId}/configurations/{id}",
        Action::TicketConfiguration,
    ));
    v.push((
        "POST",
        "/service/tickets/{parentId}/configurations",
        Action::AttachConfiguration,
    ));
    v.push((
        "DELETE",
        "/service/tickets/{parentId}/configurations/{id}",
        Action::DetachConfiguration,
    ));
    crud!(
        v,
        "/service/boards",
        Kind::Board,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/service/boards/{parentId}/statuses",
        Kind::BoardStatus,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/service/boards/{parentId}/types",
        Kind::BoardType,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/service/boards/{parentId}/subtypes",
        Kind::BoardSubType,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/service/boards/{parentId}/items",
        Kind::BoardItem,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/service/priorities",
        Kind::Priority,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/time/entries",
        Kind::TimeEntry,
        [list, get, post, patch, put, delete]
    );
    crud!(v, "/time/sheets", Kind::TimeSheet, [list, get]);
    v.push((
        "POST",
        "/time/sheets/{id}/submit",
        Action::SheetAction(SheetAction::Submit),
    ));
    v.push((
        "POST",
        "/time/sheets/{id}/approve",
        Action::SheetAction(SheetAction::Approve),
    ));
    v.push((
        "POST",
        "/time/sheets/{id}/reject",
        Action::SheetAction(SheetAction::Reject),
    ));
    v.push((
        "POST",
        "/time/sheets/{id}/reverse",
        Action::SheetAction(SheetAction::Reverse),
    ));
    crud!(
        v,
        "/time/workTypes",
        Kind::WorkType,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/time/workRoles",
        Kind::WorkRole,
        [list, get, post, patch, put]
    );
    crud!(
        v,
        "/company/companies",
        Kind::Company,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/company/companies/statuses",
        Kind::CompanyStatus,
        [list, get]
    );
    crud!(
        v,
        "/company/contacts",
        Kind::Contact,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/company/configurations",
        Kind::Configuration,
        [list, get, post, patch, put, delete]
    );
    crud!(v, "/system/members", Kind::Member, [list]);
    v.push(("GET", "/system/members/{id}", Action::MemberGet));
    v.push(("GET", "/system/info", Action::SystemInfo));
    v.push(("GET", "/system/myAccount/{id}", Action::MyAccountById));
    v.push(("GET", "/system/myAccount", Action::MyAccount));
    crud!(
        v,
        "/sales/opportunities",
        Kind::Opportunity,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/sales/activities",
        Kind::Activity,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/finance/agreements",
        Kind::Agreement,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/project/projects",
        Kind::Project,
        [list, get, post, patch, put, delete]
    );
    crud!(
        v,
        "/project/projects/{parentId}/phases",
        Kind::ProjectPhase,
        [get, post, patch, put, delete]
    );
    v.push((
        "GET",
        "/project/projects/{parentId}/phases",
        Action::List(Kind::ProjectPhase),
    ));
    crud!(
        v,
        "/project/tickets",
        Kind::ProjectTicket,
        [list, get, post, patch, put, delete]
    );
    v.push((
        "POST",
        "/project/tickets/search",
        Action::Search(Kind::ProjectTicket),
    ));
    crud!(
        v,
        "/project/tickets/{parentId}/notes",
        Kind::ProjectTicketNote,
        [get, post, patch, put, delete]
    );
    v.push((
        "GET",
        "/project/tickets/{parentId}/notes",
        Action::List(Kind::ProjectTicketNote),
    ));
    v.push((
        "GET",
        "/project/tickets/{parentId}/allNotes",
        Action::ProjectAllNotes,
    ));
    crud!(
        v,
        "/schedule/entries",
        Kind::ScheduleEntry,
        [list, get, post, patch, put, delete]
    );
    v
}

/// Routes the simulator serves although the 2025.1 contract does not list them, each with why.
pub const OFF_CONTRACT: &[(&str, &str, &str)] = &[(
    "GET",
    "/system/myAccount",
    "the id-less form that tenants answer and seed 000 calls for \"my\" tools; on-prem \
     versions without it return 404, which the simulator can be switched to",
)];

/// What a request path and method find in the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch {
    Found {
        action: Action,
        id: Option<String>,
        parent: Option<String>,
    },
    /// The path exists but not with this method (ConnectWise: 405).
    WrongMethod,
    /// No route has this path (ConnectWise: 404).
    NoSuchPath,
}

/// Matches `path` (segments after `apis/3.0`) against the table. Literal segments win over
/// placeholders, so `/service/tickets/count` is a count, not ticket "count".
pub fn find(method: &str, segs: &[&str]) -> RouteMatch {
    let mut best: Option<(usize, Action, Option<String>, Option<String>)> = None;
    let mut path_exists = false;
    for &(m, pattern, action) in routes() {
        let pat: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
        if pat.len() != segs.len() {
            continue;
        }
        let mut literal = 0;
        let (mut id, mut parent) = (None, None);
        let ok = pat.iter().zip(segs).all(|(p, s)| match *p {
            "{id}" => {
                id = Some(s.to_string());
                true
            }
            "{parentId}" => {
                parent = Some(s.to_string());
                true
            }
            lit => {
                literal += 1;
                lit.eq_ignore_ascii_case(s)
            }
        });
        if !ok {
            continue;
        }
        path_exists = true;
        if !m.eq_ignore_ascii_case(method) {
            continue;
        }
        if best.as_ref().is_none_or(|b| literal > b.0) {
            best = Some((literal, action, id, parent));
        }
    }
    match best {
        Some((_, action, id, parent)) => RouteMatch::Found { action, id, parent },
        None if path_exists => RouteMatch::WrongMethod,
        None => RouteMatch::NoSuchPath,
    }
}
