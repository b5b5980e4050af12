//! `GET /service/tickets/{id}/allNotes` (and the project-ticket twin): a ticket's notes and,
//! for service tickets, the notes of time entries logged on it, oldest first, each shaped as
//! the contract's `ServiceTicketNote` (or `ProjectTicketNote`).

use axum::response::Response;
use serde_json::{json, Value};

use super::{list, Call};
use crate::auth::Level;
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::query::ListParams;
use crate::store::Tenant;

/// Which tickets: service tickets (whose time-entry notes are included) or project tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tickets {
    Service,
    Project,
}

pub(super) fn all_notes(call: &Call, which: Tickets) -> Result<Response, CwError> {
    let (ticket_kind, note_kind, schema) = match which {
        Tickets::Service => (Kind::Ticket, Kind::TicketNote, "ServiceTicketNote"),
        Tickets::Project => (
            Kind::ProjectTicket,
            Kind::ProjectTicketNote,
            "ProjectTicketNote",
        ),
    };
    call.caller.require(ticket_kind, Level::Inquire)?;
    let t = call.read();
    let tid = call.parent_id()?;
    let ticket = t
        .store
        .get(ticket_kind, tid)
        .ok_or_else(|| CwError::not_found(format!("Ticket {tid} not found")))?;
    let params = ListParams::parse(schema, call.req.query, call.forward_only(), None)?;
    let notes = collect(&t, ticket, note_kind, which == Tickets::Service);
    let recs: Vec<&Value> = notes.iter().filter(|r| params.accepts(r)).collect();
    Ok(list::page(recs, &params, call.req))
}

fn collect(t: &Tenant, ticket: &Value, note_kind: Kind, with_time: bool) -> Vec<Value> {
    let schema = if with_time {
        "ServiceTicketNote"
    } else {
        "ProjectTicketNote"
    };
    let tid = ticket.at("id").as_i64();
    let tref = json!({"id": ticket.at("id"), "summary": ticket.at("summary")});
    let id = tid.unwrap_or_default();
    let mut out: Vec<(String, Value)> = t
        .store
        .narrowed(note_kind, &["ticketId"], id)
        .into_iter()
        .filter(|n| n.at("ticketId").as_i64() == tid)
        .map(|n| {
            let mut v = json!({
                "id": n.at("id"), "noteType": "TicketNote", "ticket": tref, "text": n.at("text"),
                "isMarkdownFlag": false,
                "detailDescriptionFlag": n.at("detailDescriptionFlag"), "internalAnalysisFlag": n.at("internalAnalysisFlag"),
                "resolutionFlag": n.at("resolutionFlag"), "issueFlag": n.at("issueFlag"),
                "bundledFlag": false, "mergedFlag": false, "createdByParentFlag": false,
                "originalAuthor": n.at("createdBy"), "_info": {"dateCreated": n.at("dateCreated"), "lastUpdated": n.at("_info").at("lastUpdated")},
            });
            for k in ["member", "contact"] {
                if n.at(k).is_object() {
                    v.set(&[k], n.at(k).clone());
                }
            }
            (n.at("dateCreated").as_str().unwrap_or("").to_string(), v)
        })
        .collect();
    if with_time {
        for e in t.store.narrowed(Kind::TimeEntry, &["chargeToId"], id) {
            let on_ticket =
                e.at("chargeToType") == "ServiceTicket" && e.at("chargeToId").as_i64() == tid;
            let text = e.at("notes").as_str().unwrap_or("");
            if !on_ticket || text.is_empty() {
                continue;
            }
            out.push((e.at("timeStart").as_str().unwrap_or("").to_string(), json!({
                "id": e.at("id"), "noteType": "TimeEntryNote", "ticket": tref, "text": text, "isMarkdownFlag": false,
                "detailDescriptionFlag": e.at("addToDetailDescriptionFlag"), "internalAnalysisFlag": e.at("addToInternalAnalysisFlag"),
                "resolutionFlag": e.at("addToResolutionFlag"), "issueFlag": false,
                "timeStart": e.at("timeStart"), "timeEnd": e.at("timeEnd"), "bundledFlag": false, "mergedFlag": false,
                "createdByParentFlag": false, "originalAuthor": e.at("enteredBy"), "member": e.at("member"),
                "_info": {"dateCreated": e.at("dateEntered"), "lastUpdated": e.at("_info").at("lastUpdated")},
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
