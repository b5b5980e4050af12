//! A ticket write: defaults from the board and the tenant (board, priority, status, severity,
//! impact), a contact that belongs to the company, a status from the ticket's board that sets
//! or clears the closed state, initial notes, and the e-mails ConnectWise would send.

use serde_json::{json, Map, Value};

use super::{is_true, ref_id, refs, take_bool, w_before, w_id, Ctx, Effect, Write};
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::store::{fmt_dt, NoteFlags, Notification, Tenant};

pub(super) fn prepare(
    t: &Tenant,
    ctx: &Ctx,
    w: &Write,
    rec: &mut Map<String, Value>,
    fx: &mut Vec<Effect>,
) -> Result<(), CwError> {
    let s = &t.store;
    let notify = take_bool(rec, "processNotifications").unwrap_or(true);
    let initial: Vec<(String, NoteFlags)> = [
        ("initialDescription", NoteFlags::DISCUSSION),
        ("initialInternalAnalysis", NoteFlags::INTERNAL),
        ("initialResolution", NoteFlags::RESOLUTION),
    ]
    .into_iter()
    .filter_map(|(k, flags)| {
        rec.remove(k)
            .and_then(|v| v.as_str().map(str::to_string))
            .filter(|s| !s.trim().is_empty())
            .map(|s| (s, flags))
    })
    .collect();
    let default_of = |kind: Kind, board: Option<i64>| {
        s.table(kind)
            .values()
            .filter(|r| board.is_none_or(|b| r.at("board").at("id").as_i64() == Some(b)))
            .find(|r| {
                *r.at("defaultFlag") == json!(true) || *r.at("overallDefaultFlag") == json!(true)
            })
            .and_then(|r| r.at("id").as_i64())
    };
    let mut status_changed = match w {
        Write::Create { .. } => true,
        Write::Update { before, .. } => rec.get("status") != before.get("status"),
    };
    if let Write::Update { before, .. } = w {
        // Moving a ticket to another board without naming a status takes that board's default
        // status; type, subtype and item belong to boards too and are cleared unless named.
        let board_changed = rec.get("board") != before.get("board");
        if board_changed {
            status_changed = true;
            for k in ["status", "type", "subType", "item"] {
                if rec.get(k) == before.get(k) {
                    rec.insert(k.into(), Value::Null);
                }
            }
        }
    }
    if !rec.get("board").is_some_and(Value::is_object) {
        let b = s.table(Kind::Board).keys().next().copied().unwrap_or(1);
        rec.insert("board".into(), s.reference(Kind::Board, b));
    }
    if !rec.get("priority").is_some_and(Value::is_object) {
        if let Some(p) = default_of(Kind::Priority, None) {
            rec.insert("priority".into(), s.reference(Kind::Priority, p));
        }
    }
    refs::resolve_all(s, Kind::Ticket, rec)?;
    let board = ref_id(rec.get("board"));
    if !rec.get("status").is_some_and(Value::is_object) {
        if let Some(st) = default_of(Kind::BoardStatus, board) {
            rec.insert("status".into(), s.reference(Kind::BoardStatus, st));
        }
    }
    rec.entry("recordType").or_insert(json!("ServiceTicket"));
    for k in ["severity", "impact"] {
        if rec.get(k).is_none_or(Value::is_null) {
            rec.insert(k.into(), json!("Medium"));
        }
    }
    // The contact must belong to the ticket's company.
    if let (Some(cid), Some(coid)) = (ref_id(rec.get("contact")), ref_id(rec.get("company"))) {
        let contact = s.get(Kind::Contact, cid).cloned().unwrap_or(Value::Null);
        if contact.at("company").at("id").as_i64() != Some(coid) {
            return Err(CwError::invalid(
                "ticket",
                "contact",
                "InvalidObject",
                format!("Contact {cid} does not belong to company {coid}."),
            ));
        }
        if matches!(w, Write::Create { .. }) || rec.get("contact") != w_before(w, "contact") {
            rec.insert(
                "contactName".into(),
                json!(crate::store::contact_name(&contact)),
            );
            if let Some(e) = contact
                .at("communicationItems")
                .as_array()
                .and_then(|items| items.iter().find(|i| i.at("communicationType") == "Email"))
            {
                rec.insert("contactEmailAddress".into(), e.at("value").clone());
            }
        }
    }
    if status_changed {
        let closed = ref_id(rec.get("status"))
            .and_then(|id| s.get(Kind::BoardStatus, id))
            .is_some_and(|st| *st.at("closedStatus") == json!(true));
        rec.insert("closedFlag".into(), json!(closed));
        if closed {
            rec.insert("closedDate".into(), json!(fmt_dt(ctx.now)));
            rec.insert("closedBy".into(), json!(ctx.caller.identifier));
        } else {
            rec.remove("closedDate");
            rec.remove("closedBy");
        }
    }
    rec.entry("closedFlag").or_insert(json!(false));
    for (text, flags) in initial {
        fx.push(Effect::InitialNote { text, flags });
    }
    let contact_mail = rec
        .get("contactEmailAddress")
        .and_then(Value::as_str)
        .map(str::to_string);
    if notify && is_true(rec, "automaticEmailContactFlag") {
        fx.push(Effect::Notify(Notification {
            event: "ticket.contact".into(),
            ticket_id: w_id(w),
            recipients: contact_mail.into_iter().collect(),
        }));
    }
    if notify && is_true(rec, "automaticEmailResourceFlag") {
        fx.push(Effect::Notify(Notification {
            event: "ticket.resource".into(),
            ticket_id: w_id(w),
            recipients: rec
                .get("owner")
                .and_then(|o| o.at("identifier").as_str())
                .map(str::to_string)
                .into_iter()
                .collect(),
        }));
    }
    Ok(())
}
