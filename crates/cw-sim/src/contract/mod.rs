//! The rest of the contract: every documented operation the hand-made routes do not answer,
//! served generically from ConnectWise's own schemas ([`cw_schema::endpoints`]).
//!
//! An operation's path names a *collection* (the path of a `GET` list, such as
//! `/company/companies/{parentId}/sites`) and a *view* of it: the list, its count, one record,
//! its `info` projection, its `usages`, its `default`. Collections the simulator keeps by hand
//! ([`Kind`]) are read from the store, so `/company/companies/info` lists the real companies;
//! every other collection is synthesised record by record from the seed ([`records`]) until
//! something writes to it, when it is kept in [`Tables`]. Lists get the same conditions,
//! `orderBy`, `fields` and paging as hand-made ones, writes the same schema checks.
//!
//! Choices where the contract is silent: a generic collection holds 3 to 12 records (1 to 4
//! under each parent, ids `(parent-1)*8+1…`, so id 1 exists under parent 1); actions such as
//! `copy` or `merge` check the record they name and answer with a record of their schema
//! without changing anything; files (images, PDFs) are a fixed tiny file.

mod flavour;
pub mod records;
mod tables;

pub use tables::Tables;

use std::collections::HashMap;
use std::sync::OnceLock;

use cw_schema::{endpoints, Endpoint, Shape};

use crate::kind::{Kind, Module};
use crate::routes::{Action, Route};

/// The reference lists under a ticket that the contract keeps although it points callers at
/// the entity's own endpoint (`/service/tickets/{id}/timeentries` → `/time/entries`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    TimeEntries { project: bool, count: bool },
    ScheduleEntries { project: bool, count: bool },
    Activities { project: bool, count: bool },
}

impl Linked {
    /// The entity listed, the field that holds the ticket's id, and the reference schema.
    pub fn target(self) -> (Kind, &'static [&'static str], &'static str) {
        match self {
            Linked::TimeEntries { .. } => (Kind::TimeEntry, &["chargeToId"], "TimeEntryReference"),
            Linked::ScheduleEntries { .. } => {
                (Kind::ScheduleEntry, &["objectId"], "ScheduleEntryReference")
            }
            Linked::Activities { .. } => (Kind::Activity, &["ticket", "id"], "ActivityReference"),
        }
    }

    pub fn count(self) -> bool {
        match self {
            Linked::TimeEntries { count, .. }
            | Linked::ScheduleEntries { count, .. }
            | Linked::Activities { count, .. } => count,
        }
    }

    pub fn parent(self) -> Kind {
        match self {
            Linked::TimeEntries { project, .. }
            | Linked::ScheduleEntries { project, .. }
            | Linked::Activities { project, .. } => {
                if project {
                    Kind::ProjectTicket
                } else {
                    Kind::Ticket
                }
            }
        }
    }
}

/// The linked-list routes, for [`crate::routes::routes`].
pub fn linked_routes() -> Vec<Route> {
    let mut v = Vec::new();
    for (base, project) in [
        ("/service/tickets/{parentId}", false),
        ("/project/tickets/{parentId}", true),
    ] {
        for (leaf, make) in [
            (
                "timeentries",
                (|p, c| Linked::TimeEntries {
                    project: p,
                    count: c,
                }) as fn(bool, bool) -> Linked,
            ),
            ("scheduleentries", |p, c| Linked::ScheduleEntries {
                project: p,
                count: c,
            }),
            ("activities", |p, c| Linked::Activities {
                project: p,
                count: c,
            }),
        ] {
            for count in [false, true] {
                let path = format!("{base}/{leaf}{}", if count { "/count" } else { "" });
                if let Some(e) = endpoints()
                    .iter()
                    .find(|e| e.method == "GET" && e.path == path)
                {
                    v.push(("GET", e.path.as_str(), Action::Linked(make(project, count))));
                }
            }
        }
    }
    v
}

/// What part of a collection an operation reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The records themselves (list, count, one, writes).
    Records,
    /// `…/{id}/usages`: where a record is used.
    Usages,
    /// `…/default`: the record a new one starts from.
    Default,
}

/// An operation resolved against the collections.
#[derive(Debug, Clone)]
pub struct Op {
    pub endpoint: &'static Endpoint,
    /// The collection's path pattern; `None` for singletons such as settings pages.
    pub collection: Option<&'static str>,
    /// Whether the path names one record of the collection (`…/{id}`).
    pub by_id: bool,
    /// The placeholder naming that record (`id`, `podId`, `reportName` …).
    pub id_param: Option<&'static str>,
    pub view: View,
}

/// A collection the contract lists: its pattern and the schema of its records.
struct Listed {
    pattern: &'static str,
    schema: Option<&'static str>,
}

/// Every collection: the path of each `GET` list in the contract (without a trailing slash),
/// by its lower-case spelling, since the contract spells a few paths two ways
/// (`/schedule/holidayLists` and `/schedule/holidaylists/info`).
fn collections() -> &'static HashMap<String, Listed> {
    static C: OnceLock<HashMap<String, Listed>> = OnceLock::new();
    C.get_or_init(|| {
        endpoints()
            .iter()
            .filter(|e| e.method == "GET" && e.shape == Shape::List)
            .map(|e| {
                let pattern = e.path.trim_end_matches('/');
                let listed = Listed {
                    pattern,
                    schema: e.schema.as_deref(),
                };
                (pattern.to_ascii_lowercase(), listed)
            })
            .collect()
    })
}

/// The schema of a collection's records, from its list.
pub fn item_schema(collection: &str) -> Option<&'static str> {
    collections()
        .get(&collection.to_ascii_lowercase())
        .and_then(|l| l.schema)
        .or_else(|| kind_of(collection).map(Kind::schema))
}

/// Whether a pattern is a collection (the contract lists it, or the simulator keeps it).
pub fn is_collection(pattern: &str) -> bool {
    collections().contains_key(&pattern.to_ascii_lowercase()) || kind_of(pattern).is_some()
}

/// The contract operation `index`, resolved once for all requests.
pub fn op(index: usize) -> Option<&'static Op> {
    static OPS: OnceLock<Vec<Option<Op>>> = OnceLock::new();
    OPS.get_or_init(|| (0..endpoints().len()).map(resolve).collect())
        .get(index)?
        .as_ref()
}

/// Resolves operation `index` against the collections.
fn resolve(index: usize) -> Option<Op> {
    let endpoint = endpoints().get(index)?;
    let mut segs: Vec<&'static str> = endpoint.path.trim_matches('/').split('/').collect();
    let mut view = View::Records;
    let mut by_id = false;
    if endpoint.shape == Shape::Action {
        // `…/{id}/copy`, `…/reset`: the action's subject is the record or collection before it.
        while segs.len() > 2 && segs.last().is_some_and(|s| !s.starts_with('{')) {
            segs.pop();
        }
    }
    if endpoint.shape == Shape::Count && segs.last() == Some(&"count") {
        segs.pop();
    }
    if segs.ends_with(&["usages", "list"]) {
        segs.pop();
    }
    match segs.last().copied() {
        Some("usages") => {
            view = View::Usages;
            segs.pop();
        }
        Some("default") => {
            view = View::Default;
            segs.pop();
        }
        Some("info") => {
            segs.pop();
        }
        _ => {}
    }
    let mut id_param = None;
    if segs.last().is_some_and(|s| s.starts_with('{')) && endpoint.shape != Shape::Create {
        id_param = segs.pop().map(|s| s.trim_matches(|c| c == '{' || c == '}'));
        by_id = true;
    }
    if segs.last() == Some(&"info") {
        segs.pop();
    }
    let len: usize = segs.iter().map(|s| s.len() + 1).sum();
    let pattern = endpoint.path.get(..len).unwrap_or("");
    let collection = collections()
        .get(&pattern.to_ascii_lowercase())
        .map(|l| l.pattern)
        .or_else(|| {
            // A collection whose list the contract does not document (a count, a write or a
            // record under it is): still a collection.
            (by_id
                || matches!(
                    endpoint.shape,
                    Shape::List
                        | Shape::Count
                        | Shape::Create
                        | Shape::Put
                        | Shape::Patch
                        | Shape::Delete
                ))
            .then_some(pattern)
        });
    Some(Op {
        endpoint,
        collection,
        by_id: by_id && collection.is_some(),
        id_param,
        view,
    })
}

/// The hand-made kind that backs a collection pattern, if any.
pub fn kind_of(collection: &str) -> Option<Kind> {
    static K: OnceLock<HashMap<&'static str, Kind>> = OnceLock::new();
    K.get_or_init(|| {
        crate::routes::routes()
            .iter()
            .filter_map(|(m, p, a)| match a {
                Action::List(k) if *m == "GET" => Some((*p, *k)),
                _ => None,
            })
            .chain([
                ("/system/members", Kind::Member),
                // Views of the members themselves.
                ("/system/members/withSso", Kind::Member),
                ("/system/members/calendarsync", Kind::Member),
            ])
            .collect()
    })
    .get(collection)
    .copied()
}

/// The security module a path belongs to, as ConnectWise's roles group them.
pub fn module_of(path: &str) -> Module {
    if path.starts_with("/finance/invoices") {
        return Module::Invoicing;
    }
    match path.trim_start_matches('/').split('/').next().unwrap_or("") {
        "service" => Module::Service,
        "time" | "expense" => Module::Time,
        "company" => Module::Company,
        "sales" | "marketing" => Module::Sales,
        "finance" | "procurement" => Module::Finance,
        "project" => Module::Project,
        "schedule" => Module::Schedule,
        _ => Module::System,
    }
}

/// The collection a pattern hangs under and the placeholder naming the parent:
/// `/company/companies/{parentId}/sites` → (`/company/companies`, `parentId`).
pub fn parent_of(collection: &str) -> Option<(&str, &str)> {
    let end = collection.rfind("/{")?;
    let parent = collection.get(..end)?;
    let name = collection.get(end + 2..)?.split('}').next()?;
    Some((parent, name))
}

/// A collection pattern with its placeholders filled from the path: the key of one table.
pub fn table_key(collection: &str, params: &[(&str, String)]) -> String {
    collection
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => params
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                None => s.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op_for(method: &str, path: &str) -> Op {
        let i = endpoints()
            .iter()
            .position(|e| e.method == method && e.path == path)
            .unwrap_or(usize::MAX);
        op(i).cloned().unwrap_or_else(|| panic!("{method} {path}"))
    }

    #[test]
    fn operations_resolve_to_their_collection_and_view() {
        let o = op_for(
            "GET",
            "/company/companies/{parentId}/sites/{id}/usages/list",
        );
        assert_eq!(o.collection, Some("/company/companies/{parentId}/sites"));
        assert!(o.by_id);
        assert_eq!(o.view, View::Usages);
        let o = op_for("GET", "/service/boards/{parentId}/teams/info/count");
        assert_eq!(o.collection, Some("/service/boards/{parentId}/teams"));
        assert!(!o.by_id);
        let o = op_for("GET", "/service/sources/{id}/info");
        assert_eq!(o.collection, Some("/service/sources"));
        assert!(o.by_id);
        let o = op_for("POST", "/service/tickets/{parentId}/tasks");
        assert_eq!(o.collection, Some("/service/tickets/{parentId}/tasks"));
        assert!(!o.by_id);
        assert_eq!(
            parent_of("/service/tickets/{parentId}/tasks"),
            Some(("/service/tickets", "parentId"))
        );
        assert_eq!(kind_of("/service/tickets"), Some(Kind::Ticket));
        assert_eq!(
            table_key(
                "/service/tickets/{parentId}/tasks",
                &[("parentId", "7".into())]
            ),
            "/service/tickets/7/tasks"
        );
    }
}
