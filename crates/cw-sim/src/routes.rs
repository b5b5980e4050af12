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
    /// `GET /service/tickets/{parentId}/timeentries` and its kin: another entity's records
    /// that point at the parent, as the reference list the contract returns.
    Linked(crate::contract::Linked),
    /// Any other operation of the contract, answered generically ([`crate::contract`]); the
    /// number indexes [`cw_schema::endpoints`].
    Contract(usize),
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

/// Every route under `/{codebase}apis/3.0`: the hand-made ones first, then every other
/// operation of the contract.
pub fn routes() -> &'static [Route] {
    static ROUTES: std::sync::OnceLock<Vec<Route>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut v = build();
        v.extend(crate::contract::linked_routes());
        let served: std::collections::HashSet<(&str, &str)> =
            v.iter().map(|(m, p, _)| (*m, *p)).collect();
        for (i, e) in cw_schema::endpoints().iter().enumerate() {
            if !served.contains(&(e.method.as_str(), e.path.as_str())) {
                v.push((e.method.as_str(), e.path.as_str(), Action::Contract(i)));
            }
        }
        v
    })
}

/// A route's path, split once: literal segments, and placeholders by name.
enum Seg {
    Lit(&'static str),
    /// `{name}`.
    Var(&'static str),
    /// `types{id}`: a literal prefix glued to a placeholder (one path in the contract).
    Glued(&'static str, &'static str),
}

/// The route table split into segments and grouped by (segment count, first segment), so a
/// request is compared with a handful of routes rather than three thousand.
struct Table {
    split: Vec<Vec<Seg>>,
    by_head: std::collections::HashMap<(usize, String), Vec<usize>>,
}

fn table() -> &'static Table {
    static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let split: Vec<Vec<Seg>> = routes()
            .iter()
            .map(|(_, p, _)| {
                p.trim_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_suffix('}').and_then(|r| r.split_once('{')) {
                            Some(("", name)) => Seg::Var(name),
                            Some((prefix, name)) => Seg::Glued(prefix, name),
                            None => Seg::Lit(s),
                        },
                    )
                    .collect()
            })
            .collect();
        let mut by_head: std::collections::HashMap<(usize, String), Vec<usize>> =
            std::collections::HashMap::new();
        for (i, segs) in split.iter().enumerate() {
            let head = match segs.first() {
                Some(Seg::Lit(h)) => h.to_ascii_lowercase(),
                _ => String::new(),
            };
            by_head.entry((segs.len(), head)).or_default().push(i);
        }
        Table { split, by_head }
    })
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
        /// Every placeholder of the path by name (`grandparentId`, `reportName` …).
        params: Vec<(&'static str, String)>,
    },
    /// The path exists but not with this method (ConnectWise: 405).
    WrongMethod,
    /// No route has this path (ConnectWise: 404).
    NoSuchPath,
}

/// Matches `path` (segments after `apis/3.0`) against the table. Literal segments win over
/// placeholders, so `/service/tickets/count` is a count, not ticket "count", and
/// `/company/companies/types` the company types; on a tie the hand-made route wins.
pub fn find(method: &str, segs: &[&str]) -> RouteMatch {
    let t = table();
    let head = segs
        .first()
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let Some(candidates) = t.by_head.get(&(segs.len(), head)) else {
        return RouteMatch::NoSuchPath;
    };
    // (literal segments, route index, placeholders) of the best match so far.
    type Best = (usize, usize, Vec<(&'static str, String)>);
    let mut best: Option<Best> = None;
    let mut path_exists = false;
    for &i in candidates {
        let (Some((m, _, _)), Some(pat)) = (routes().get(i), t.split.get(i)) else {
            continue;
        };
        let mut literal = 0;
        let mut params = Vec::new();
        let ok = pat.iter().zip(segs).all(|(p, s)| match p {
            Seg::Var(name) => {
                params.push((*name, s.to_string()));
                true
            }
            Seg::Glued(prefix, name) => match s.get(..prefix.len()) {
                Some(head) if head.eq_ignore_ascii_case(prefix) => {
                    params.push((*name, s.get(prefix.len()..).unwrap_or("").to_string()));
                    literal += 1;
                    true
                }
                _ => false,
            },
            Seg::Lit(lit) => {
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
            best = Some((literal, i, params));
        }
    }
    match best {
        Some((_, i, params)) => {
            let action = routes().get(i).map(|r| r.2).unwrap_or(Action::Contract(0));
            let get = |name: &str| {
                params
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
            };
            RouteMatch::Found {
                action,
                id: get("id"),
                parent: get("parentId"),
                params,
            }
        }
        None if path_exists => RouteMatch::WrongMethod,
        None => RouteMatch::NoSuchPath,
    }
}
