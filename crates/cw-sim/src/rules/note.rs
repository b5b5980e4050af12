//! A ticket note write: text and at least one display flag are required; a note is a member's
//! (the caller's unless another is named, which needs a role that acts for others) or a
//! customer contact's; it touches its ticket and may e-mail.

use serde_json::{json, Map, Value};

use super::{attribute, is_true, refs, take_bool, Ctx, Effect, Write};
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::store::{fmt_dt, Notification, Tenant};

pub(super) fn prepare(
    t: &Tenant,
    ctx: &Ctx,
    kind: Kind,
    w: &Write,
    rec: &mut Map<String, Value>,
    fx: &mut Vec<Effect>,
) -> Result<(), CwError> {
    let notify = take_bool(rec, "processNotifications").unwrap_or(true);
    let ticket_id = match w {
        Write::Create { parent } => parent.unwrap_or_default(),
        Write::Update { before, .. } => before.at("ticketId").as_i64().unwrap_or_default(),
    };
    rec.insert("ticketId".into(), json!(ticket_id));
    let text_ok = rec
        .get("text")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if !text_ok {
        return Err(CwError::invalid(
            kind.resource(),
            "text",
            "NullValue",
            "text is required.",
        ));
    }
    let (detail, internal, resolution) = (
        is_true(rec, "detailDescriptionFlag"),
        is_true(rec, "internalAnalysisFlag"),
        is_true(rec, "resolutionFlag"),
    );
    if !(detail || internal || resolution) {
        return Err(CwError::invalid(
            kind.resource(),
            "detailDescriptionFlag",
            "InvalidObject",
            "Please choose where to display the notes in order to save this record.",
        ));
    }
    for (k, v) in [
        ("detailDescriptionFlag", detail),
        ("internalAnalysisFlag", internal),
        ("resolutionFlag", resolution),
    ] {
        rec.insert(k.into(), json!(v));
    }
    if rec.get("contact").is_some_and(Value::is_object)
        && !rec.get("member").is_some_and(Value::is_object)
    {
        refs::resolve_all(&t.store, kind, rec)?;
        rec.insert("customerUpdatedFlag".into(), json!(true));
    } else {
        attribute(t, ctx, kind, rec)?;
        rec.remove("contact");
        rec.insert("customerUpdatedFlag".into(), json!(false));
    }
    rec.insert("internalFlag".into(), json!(internal));
    rec.insert("externalFlag".into(), json!(detail || resolution));
    if matches!(w, Write::Create { .. }) {
        rec.insert("dateCreated".into(), json!(fmt_dt(ctx.now)));
        rec.insert("createdBy".into(), json!(ctx.caller.identifier));
    } else if let Write::Update { before, .. } = w {
        for k in ["dateCreated", "createdBy"] {
            if let Some(v) = before.get(k) {
                rec.insert(k.into(), v.clone());
            }
        }
    }
    if kind == Kind::ProjectTicketNote {
        rec.remove("dateCreated");
        rec.remove("createdBy");
    }
    if notify {
        let ticket = t.store.get(Kind::Ticket, ticket_id);
        let recipients = if detail || resolution {
            ticket
                .and_then(|t| t.at("contactEmailAddress").as_str())
                .map(str::to_string)
        } else {
            ticket
                .and_then(|t| t.at("owner").at("identifier").as_str())
                .map(str::to_string)
        };
        fx.push(Effect::Notify(Notification {
            event: if internal && !(detail || resolution) {
                "note.internal".into()
            } else {
                "note.discussion".into()
            },
            ticket_id: Some(ticket_id),
            recipients: recipients.into_iter().collect(),
        }));
    }
    if kind == Kind::TicketNote {
        fx.push(Effect::TouchTicket(ticket_id));
        // The customer wrote (they now wait on us), or we answered where they can see it.
        if rec.get("customerUpdatedFlag") == Some(&json!(true)) {
            fx.push(Effect::CustomerUpdated(ticket_id, true));
        } else if detail || resolution {
            fx.push(Effect::CustomerUpdated(ticket_id, false));
        }
    }
    Ok(())
}
