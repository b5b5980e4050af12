//! Resolves reference objects (`{"id": 5}`, `{"identifier": "jchen"}`, `{"name": ">Closed"}`)
//! to the records they name, the way ConnectWise accepts them, and rewrites them to the
//! canonical reference. A reference to nothing is a 400 naming the field.

use crate::json::Json;
use serde_json::{Map, Value};

use crate::error::CwError;
use crate::kind::Kind;
use crate::store::{contact_name, member_name, Store};

/// Which kind a reference property points at, for the entities whose writes we check.
pub fn target(owner: Kind, prop: &str) -> Option<Kind> {
    let service_ticket = owner == Kind::Ticket;
    Some(match prop {
        "board" if service_ticket || owner == Kind::ProjectTicket => Kind::Board,
        "status" if service_ticket => Kind::BoardStatus,
        "type" if service_ticket => Kind::BoardType,
        "subType" if service_ticket => Kind::BoardSubType,
        "item" if service_ticket => Kind::BoardItem,
        "priority" if owner != Kind::Opportunity => Kind::Priority,
        "company" | "billToCompany" | "vendor" => Kind::Company,
        "contact" => Kind::Contact,
        "owner" | "member" | "assignTo" | "assignedBy" | "primarySalesRep"
        | "secondarySalesRep" | "manager" | "installedBy" => Kind::Member,
        "workType" => Kind::WorkType,
        "workRole" => Kind::WorkRole,
        "agreement" => Kind::Agreement,
        "project" => Kind::Project,
        "phase" => Kind::ProjectPhase,
        "opportunity" => Kind::Opportunity,
        "ticket" => Kind::Ticket,
        _ => return None,
    })
}

/// Finds the record a reference names. `scope_board` limits board children to one board.
pub fn find(
    store: &Store,
    kind: Kind,
    r: &Value,
    scope_board: Option<i64>,
) -> Result<Option<i64>, String> {
    let Some(obj) = r.as_object() else {
        return Ok(None);
    };
    let in_scope =
        |rec: &Value| scope_board.is_none_or(|b| rec.at("board").at("id").as_i64() == Some(b));
    if let Some(idv) = obj.get("id").filter(|v| !v.is_null()) {
        let id = idv
            .as_i64()
            .or_else(|| idv.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| format!("{} id {idv} is not a number", kind.label()))?;
        return match store.get(kind, id) {
            Some(rec) if in_scope(rec) => Ok(Some(id)),
            _ => Err(format!("{} {id} not found", kind.label())),
        };
    }
    if let Some(ident) = obj.get("identifier").and_then(Value::as_str) {
        if matches!(kind, Kind::Member | Kind::Company) {
            return store
                .table(kind)
                .values()
                .find(|rec| {
                    rec.at("identifier")
                        .as_str()
                        .is_some_and(|i| i.eq_ignore_ascii_case(ident))
                })
                .and_then(|rec| rec.at("id").as_i64())
                .map(Some)
                .ok_or_else(|| format!("{} '{ident}' not found", kind.label()));
        }
    }
    if let Some(name) = obj.get("name").and_then(Value::as_str) {
        let found = store.table(kind).values().find(|rec| {
            let n = match kind {
                Kind::Member => member_name(rec),
                Kind::Contact => contact_name(rec),
                Kind::ProjectPhase => rec.at("description").as_str().unwrap_or("").to_string(),
                _ => rec.at("name").as_str().unwrap_or("").to_string(),
            };
            n.eq_ignore_ascii_case(name) && in_scope(rec)
        });
        return found
            .and_then(|rec| rec.at("id").as_i64())
            .map(Some)
            .ok_or_else(|| format!("{} '{name}' not found", kind.label()));
    }
    Ok(None)
}

/// Resolves every checked reference in `rec` (board first, so statuses and types can be
/// scoped to it) and replaces each with its canonical form.
pub fn resolve_all(
    store: &Store,
    owner: Kind,
    rec: &mut Map<String, Value>,
) -> Result<(), CwError> {
    let mut props: Vec<String> = rec
        .keys()
        .filter(|k| target(owner, k).is_some())
        .cloned()
        .collect();
    props.sort_by_key(|p| p != "board");
    let mut board: Option<i64> = None;
    for p in props {
        let kind = target(owner, &p).unwrap_or(Kind::Board);
        let scope = match kind {
            Kind::BoardStatus | Kind::BoardType | Kind::BoardSubType | Kind::BoardItem => board,
            _ => None,
        };
        match find(store, kind, rec.get(&p).unwrap_or(&Value::Null), scope) {
            Ok(Some(id)) => {
                if kind == Kind::Board {
                    board = Some(id);
                }
                let mut canonical = store.reference(kind, id);
                if kind == Kind::BoardStatus {
                    let sort = store
                        .get(kind, id)
                        .map(|s| s.at("sortOrder").clone())
                        .unwrap_or(Value::Null);
                    canonical.set(&["sort"], sort);
                }
                rec.insert(p, canonical);
            }
            Ok(None) => {
                rec.insert(p, Value::Null);
            }
            Err(msg) => {
                let msg = if scope.is_some() {
                    let board_name = board
                        .and_then(|b| store.get(Kind::Board, b))
                        .and_then(|b| b.at("name").as_str())
                        .unwrap_or("")
                        .to_string();
                    format!("{msg} on board '{board_name}'")
                } else {
                    msg
                };
                return Err(CwError::invalid(owner.resource(), &p, "NotFound", msg));
            }
        }
    }
    Ok(())
}
