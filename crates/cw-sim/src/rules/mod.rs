//! What ConnectWise checks and fills in on a write, per entity.
//!
//! [`prepare`] does every check before anything is stored and returns the side effects to
//! apply after (notes created from `initialDescription`, time-sheet hours, sent mail), so a
//! rejected write changes nothing.

pub mod body;
mod note;
pub mod refs;
mod ticket;
mod time_entry;

use crate::json::Json;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::error::CwError;
use crate::kind::Kind;
use crate::store::{fmt_dt, NoteFlags, Notification, Tenant};

/// A write being prepared.
pub enum Write<'a> {
    Create { parent: Option<i64> },
    Update { id: i64, before: &'a Value },
}

/// Side effects applied once the record itself is stored.
pub enum Effect {
    /// A ticket note created with the new ticket (`initialDescription` and friends).
    InitialNote {
        text: String,
        flags: NoteFlags,
    },
    Notify(Notification),
    /// Bumps a ticket's `_info.lastUpdated`.
    TouchTicket(i64),
    /// Sets whether the customer updated a ticket since we last answered them.
    CustomerUpdated(i64, bool),
    /// Creates the member's open sheet for a period (member id, Monday).
    OpenSheet(i64, NaiveDate),
    /// Adds hours to a sheet.
    SheetHours(i64, f64),
}

pub struct Ctx<'a> {
    pub caller: &'a Caller,
    pub now: DateTime<Utc>,
}

/// Checks and completes `rec` for storage; returns the effects to apply after storing.
pub fn prepare(
    t: &Tenant,
    ctx: &Ctx,
    kind: Kind,
    w: &Write,
    rec: &mut Map<String, Value>,
) -> Result<Vec<Effect>, CwError> {
    let mut effects = Vec::new();
    match kind {
        Kind::Ticket => ticket::prepare(t, ctx, w, rec, &mut effects)?,
        Kind::TicketNote | Kind::ProjectTicketNote => {
            note::prepare(t, ctx, kind, w, rec, &mut effects)?
        }
        Kind::TimeEntry => time_entry::prepare(t, ctx, w, rec, &mut effects)?,
        Kind::Activity => {
            if !rec.get("assignTo").is_some_and(Value::is_object) {
                rec.insert(
                    "assignTo".into(),
                    t.store.reference(Kind::Member, ctx.caller.member_id),
                );
            }
            refs::resolve_all(&t.store, kind, rec)?;
        }
        _ => refs::resolve_all(&t.store, kind, rec)?,
    }
    body::require_fields(kind, rec)?;
    stamp(ctx, w, rec);
    Ok(effects)
}

/// `_info` as ConnectWise keeps it: who entered and last updated the record, and when.
pub fn stamp(ctx: &Ctx, w: &Write, rec: &mut Map<String, Value>) {
    let now = fmt_dt(ctx.now);
    let who = ctx.caller.identifier.clone();
    let mut info = match w {
        Write::Update { before, .. } => before.at("_info").as_object().cloned().unwrap_or_default(),
        Write::Create { .. } => {
            let mut m = Map::new();
            m.insert("dateEntered".into(), json!(now));
            m.insert("enteredBy".into(), json!(who));
            m
        }
    };
    info.insert("lastUpdated".into(), json!(now));
    info.insert("updatedBy".into(), json!(who));
    rec.insert("_info".into(), Value::Object(info));
}

pub(super) fn take_bool(rec: &mut Map<String, Value>, k: &str) -> Option<bool> {
    rec.remove(k).and_then(|v| v.as_bool())
}

pub(super) fn is_true(rec: &Map<String, Value>, k: &str) -> bool {
    rec.get(k).and_then(Value::as_bool).unwrap_or(false)
}

pub(super) fn ref_id(v: Option<&Value>) -> Option<i64> {
    v.and_then(|r| r.get("id")).and_then(Value::as_i64)
}

pub(super) fn w_before<'a>(w: &'a Write, k: &str) -> Option<&'a Value> {
    match w {
        Write::Update { before, .. } => before.get(k),
        Write::Create { .. } => None,
    }
}

pub(super) fn w_id(w: &Write) -> Option<i64> {
    match w {
        Write::Update { id, .. } => Some(*id),
        Write::Create { .. } => None,
    }
}

/// Who a note or time entry is attributed to: the caller unless another member is named,
/// which needs a role that acts for others.
pub(super) fn attribute(
    t: &Tenant,
    ctx: &Ctx,
    kind: Kind,
    rec: &mut Map<String, Value>,
) -> Result<(), CwError> {
    if let Some(m) = rec.get("member").filter(|v| v.is_object()) {
        let id = refs::find(&t.store, Kind::Member, m, None)
            .map_err(|msg| CwError::invalid(kind.resource(), "member", "NotFound", msg))?;
        if let Some(id) = id {
            if id != ctx.caller.member_id && !ctx.caller.role.acts_for_others() {
                return Err(CwError::security());
            }
            rec.insert("member".into(), t.store.reference(Kind::Member, id));
            return Ok(());
        }
    }
    rec.insert(
        "member".into(),
        t.store.reference(Kind::Member, ctx.caller.member_id),
    );
    Ok(())
}

/// Applies the effects of a stored write (`id` is the stored record's id).
pub fn apply(t: &mut Tenant, ctx: &Ctx, kind: Kind, id: i64, effects: Vec<Effect>) {
    let now = fmt_dt(ctx.now);
    for e in effects {
        match e {
            Effect::InitialNote { text, flags } => {
                let member = t.store.reference(Kind::Member, ctx.caller.member_id);
                t.store.insert(Kind::TicketNote, json!({
                    "ticketId": id, "text": text,
                    "detailDescriptionFlag": flags.detail, "internalAnalysisFlag": flags.internal, "resolutionFlag": flags.resolution,
                    "issueFlag": false, "member": member, "customerUpdatedFlag": false,
                    "dateCreated": now, "createdBy": ctx.caller.identifier,
                    "internalFlag": flags.internal, "externalFlag": flags.customer_visible(),
                    "_info": {"lastUpdated": now, "updatedBy": ctx.caller.identifier},
                }));
            }
            Effect::Notify(mut n) => {
                n.ticket_id = n
                    .ticket_id
                    .or(if kind == Kind::Ticket { Some(id) } else { None });
                t.outbox.push(n);
            }
            Effect::TouchTicket(tid) => {
                if let Some(tk) = t.store.get_mut(Kind::Ticket, tid) {
                    tk.set(&["_info", "lastUpdated"], json!(now));
                    tk.set(&["_info", "updatedBy"], json!(ctx.caller.identifier));
                }
            }
            Effect::CustomerUpdated(tid, by_customer) => {
                if let Some(tk) = t.store.get_mut(Kind::Ticket, tid) {
                    tk.set(&["customerUpdatedFlag"], json!(by_customer));
                }
            }
            Effect::SheetHours(sid, delta) => {
                if let Some(sh) = t.store.get_mut(Kind::TimeSheet, sid) {
                    let h = sh.at("hours").as_f64().unwrap_or(0.0) + delta;
                    sh.set(&["hours"], json!((h * 100.0).round() / 100.0));
                }
            }
            Effect::OpenSheet(member, monday) => {
                let end = monday + Duration::days(6);
                let iso = monday.iso_week();
                let hours = t
                    .store
                    .get(Kind::TimeEntry, id)
                    .and_then(|e| e.at("actualHours").as_f64())
                    .unwrap_or(0.0);
                let sid = t.store.insert(Kind::TimeSheet, json!({
                    "member": t.store.reference(Kind::Member, member),
                    "year": iso.year(), "period": iso.week(),
                    "dateStart": format!("{monday}T00:00:00Z"), "dateEnd": format!("{end}T00:00:00Z"),
                    "status": "Open", "hours": hours,
                    "deadline": format!("{}T00:00:00Z", end + Duration::days(2)),
                    "_info": {"lastUpdated": now, "updatedBy": ctx.caller.identifier, "dateEntered": now, "enteredBy": ctx.caller.identifier},
                }));
                let r = t.store.reference(Kind::TimeSheet, sid);
                if let Some(e) = t.store.get_mut(Kind::TimeEntry, id) {
                    e.set(&["timeSheet"], r);
                }
            }
        }
    }
}
