//! What ConnectWise checks and fills in on a write, per entity.
//!
//! [`prepare`] does every check before anything is stored and returns the side effects to
//! apply after (notes created from `initialDescription`, time-sheet hours, sent mail), so a
//! rejected write changes nothing.

pub mod body;
pub mod refs;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::error::CwError;
use crate::kind::Kind;
use crate::store::{fmt_dt, Notification, Tenant};

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
        flags: (bool, bool, bool),
    },
    Notify(Notification),
    /// Bumps a ticket's `_info.lastUpdated`.
    TouchTicket(i64),
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
        Kind::Ticket => ticket(t, ctx, w, rec, &mut effects)?,
        Kind::TicketNote | Kind::ProjectTicketNote => note(t, ctx, kind, w, rec, &mut effects)?,
        Kind::TimeEntry => time_entry(t, ctx, w, rec, &mut effects)?,
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
fn stamp(ctx: &Ctx, w: &Write, rec: &mut Map<String, Value>) {
    let now = fmt_dt(ctx.now);
    let who = ctx.caller.identifier.clone();
    let mut info = match w {
        Write::Update { before, .. } => before["_info"].as_object().cloned().unwrap_or_default(),
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

fn take_bool(rec: &mut Map<String, Value>, k: &str) -> Option<bool> {
    rec.remove(k).and_then(|v| v.as_bool())
}

fn is_true(rec: &Map<String, Value>, k: &str) -> bool {
    rec.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn ref_id(v: Option<&Value>) -> Option<i64> {
    v.and_then(|r| r.get("id")).and_then(Value::as_i64)
}

fn ticket(
    t: &Tenant,
    ctx: &Ctx,
    w: &Write,
    rec: &mut Map<String, Value>,
    fx: &mut Vec<Effect>,
) -> Result<(), CwError> {
    let s = &t.store;
    let notify = take_bool(rec, "processNotifications").unwrap_or(true);
    let initial: Vec<(String, (bool, bool, bool))> = [
        ("initialDescription", (true, false, false)),
        ("initialInternalAnalysis", (false, true, false)),
        ("initialResolution", (false, false, true)),
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
            .filter(|r| board.is_none_or(|b| r["board"]["id"].as_i64() == Some(b)))
            .find(|r| r["defaultFlag"] == json!(true) || r["overallDefaultFlag"] == json!(true))
            .and_then(|r| r["id"].as_i64())
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
        if contact["company"]["id"].as_i64() != Some(coid) {
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
            if let Some(e) = contact["communicationItems"]
                .as_array()
                .and_then(|items| items.iter().find(|i| i["communicationType"] == "Email"))
            {
                rec.insert("contactEmailAddress".into(), e["value"].clone());
            }
        }
    }
    if status_changed {
        let closed = ref_id(rec.get("status"))
            .and_then(|id| s.get(Kind::BoardStatus, id))
            .is_some_and(|st| st["closedStatus"] == json!(true));
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
                .and_then(|o| o["identifier"].as_str())
                .map(str::to_string)
                .into_iter()
                .collect(),
        }));
    }
    Ok(())
}

fn w_before<'a>(w: &'a Write, k: &str) -> Option<&'a Value> {
    match w {
        Write::Update { before, .. } => before.get(k),
        Write::Create { .. } => None,
    }
}

fn w_id(w: &Write) -> Option<i64> {
    match w {
        Write::Update { id, .. } => Some(*id),
        Write::Create { .. } => None,
    }
}

/// Who a note or time entry is attributed to: the caller unless another member is named,
/// which needs a role that acts for others.
fn attribute(
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

fn note(
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
        Write::Update { before, .. } => before["ticketId"].as_i64().unwrap_or_default(),
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
                .and_then(|t| t["contactEmailAddress"].as_str())
                .map(str::to_string)
        } else {
            ticket
                .and_then(|t| t["owner"]["identifier"].as_str())
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
    }
    Ok(())
}

/// The Monday that starts the time period containing `d`.
pub fn period_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

const OPEN_SHEET: [&str; 3] = ["Open", "Rejected", "ErrorsCorrected"];

fn time_entry(
    t: &Tenant,
    ctx: &Ctx,
    w: &Write,
    rec: &mut Map<String, Value>,
    fx: &mut Vec<Effect>,
) -> Result<(), CwError> {
    let s = &t.store;
    let bad = |field: &str, code: &'static str, msg: String| {
        CwError::invalid("timeEntry", field, code, msg)
    };
    // Time already on a submitted or approved sheet cannot change.
    if let Write::Update { before, .. } = w {
        let status = before["status"].as_str().unwrap_or("Open");
        if !OPEN_SHEET.contains(&status) {
            return Err(bad(
                "timeSheet",
                "InvalidObject",
                format!(
                    "This time entry is on a time sheet that is {status} and cannot be changed."
                ),
            ));
        }
    }
    attribute(t, ctx, Kind::TimeEntry, rec)?;
    let member_id = ref_id(rec.get("member")).unwrap_or(ctx.caller.member_id);
    // What the time is charged to.
    let charge_id = rec.get("chargeToId").and_then(Value::as_i64);
    let charge_type = rec
        .get("chargeToType")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            if charge_id.is_some() {
                "ServiceTicket".into()
            } else {
                "Company".into()
            }
        });
    rec.insert("chargeToType".into(), json!(charge_type));
    match (charge_type.as_str(), charge_id) {
        ("ServiceTicket" | "ProjectTicket", Some(id)) => {
            let kind = if charge_type == "ServiceTicket" {
                Kind::Ticket
            } else {
                Kind::ProjectTicket
            };
            let ticket = s
                .get(kind, id)
                .ok_or_else(|| bad("chargeToId", "NotFound", format!("Ticket {id} not found")))?;
            if let Some(st) =
                ref_id(ticket.get("status")).and_then(|sid| s.get(Kind::BoardStatus, sid))
            {
                if st["timeEntryNotAllowed"] == json!(true) {
                    return Err(bad(
                        "chargeToId",
                        "InvalidObject",
                        format!(
                            "Time entries are not allowed on ticket {id} in status '{}'.",
                            st["name"].as_str().unwrap_or("")
                        ),
                    ));
                }
            }
            rec.insert("company".into(), ticket["company"].clone());
            rec.insert(
                "ticket".into(),
                json!({"id": id, "summary": ticket["summary"]}),
            );
            if kind == Kind::Ticket {
                rec.insert("ticketBoard".into(), ticket["board"]["name"].clone());
                rec.insert("ticketStatus".into(), ticket["status"]["name"].clone());
                fx.push(Effect::TouchTicket(id));
            } else {
                rec.insert("project".into(), ticket["project"].clone());
                rec.insert("phase".into(), ticket["phase"].clone());
            }
        }
        ("ServiceTicket" | "ProjectTicket", None) => {
            return Err(bad(
                "chargeToId",
                "NullValue",
                format!("chargeToId is required when chargeToType is {charge_type}."),
            ))
        }
        _ => {}
    }
    // Defaults from the work type.
    if !rec.get("workType").is_some_and(Value::is_object) {
        if let Some(wt) = s
            .table(Kind::WorkType)
            .values()
            .find(|w| w["overallDefaultFlag"] == json!(true))
        {
            rec.insert(
                "workType".into(),
                s.reference(Kind::WorkType, wt["id"].as_i64().unwrap_or(1)),
            );
        }
    }
    if !rec.get("workRole").is_some_and(Value::is_object) {
        if let Some(&id) = s.table(Kind::WorkRole).keys().next() {
            rec.insert("workRole".into(), s.reference(Kind::WorkRole, id));
        }
    }
    refs::resolve_all(s, Kind::TimeEntry, rec)?;
    if rec.get("billableOption").is_none_or(Value::is_null) {
        let bill = ref_id(rec.get("workType"))
            .and_then(|id| s.get(Kind::WorkType, id))
            .and_then(|w| w["billTime"].as_str())
            .unwrap_or("Billable");
        rec.insert("billableOption".into(), json!(bill));
    }
    if rec.get("company").is_none_or(Value::is_null) {
        return Err(bad(
            "company",
            "NullValue",
            "company is required when time is charged to a company.".into(),
        ));
    }
    // Start, end and hours.
    let parse = |k: &str| {
        rec.get(k)
            .and_then(Value::as_str)
            .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    let Some(start) = parse("timeStart") else {
        return Err(bad(
            "timeStart",
            "NullValue",
            "timeStart is required.".into(),
        ));
    };
    let hours_given = rec.get("actualHours").and_then(Value::as_f64);
    let end = match (parse("timeEnd"), hours_given) {
        (Some(end), _) => end,
        (None, Some(h)) if h > 0.0 => start + Duration::seconds((h * 3600.0).round() as i64),
        _ => {
            return Err(bad(
                "timeEnd",
                "NullValue",
                "Provide timeEnd or actualHours.".into(),
            ))
        }
    };
    if end <= start {
        return Err(bad(
            "timeEnd",
            "InvalidObject",
            "timeEnd must be after timeStart.".into(),
        ));
    }
    if end - start > Duration::hours(24) {
        return Err(bad(
            "timeEnd",
            "OutOfRange",
            "A time entry cannot be longer than 24 hours.".into(),
        ));
    }
    let hours = hours_given.unwrap_or_else(|| (end - start).num_seconds() as f64 / 3600.0);
    rec.insert("timeEnd".into(), json!(fmt_dt(end)));
    rec.insert("actualHours".into(), json!((hours * 100.0).round() / 100.0));
    rec.entry("hoursDeduct").or_insert(json!(0.0));
    // The open-period rule: time lands on the member's sheet for the period.
    let monday = period_start(start.date_naive());
    let period = format!("{monday} to {}", monday + Duration::days(6));
    if monday < t.periods.first {
        return Err(bad(
            "timeStart",
            "InvalidObject",
            format!("The time period {period} is closed; time can no longer be entered for it."),
        ));
    }
    if monday > t.periods.last {
        return Err(bad(
            "timeStart",
            "InvalidObject",
            format!("No time period is set up for {period}."),
        ));
    }
    let sheet = s.table(Kind::TimeSheet).values().find(|sh| {
        sh["member"]["id"].as_i64() == Some(member_id)
            && sh["dateStart"]
                .as_str()
                .is_some_and(|d| d.starts_with(&monday.to_string()))
    });
    match sheet {
        Some(sh) => {
            let status = sh["status"].as_str().unwrap_or("Open");
            if !OPEN_SHEET.contains(&status) {
                return Err(bad(
                    "timeStart",
                    "InvalidObject",
                    format!("The time sheet for {period} is {status}; time cannot be added to a submitted or approved time sheet."),
                ));
            }
            let sid = sh["id"].as_i64().unwrap_or_default();
            rec.insert("timeSheet".into(), s.reference(Kind::TimeSheet, sid));
            rec.insert("status".into(), json!(status));
            let old = match w {
                Write::Update { before, .. } if before["timeSheet"]["id"].as_i64() == Some(sid) => {
                    before["actualHours"].as_f64().unwrap_or(0.0)
                }
                _ => 0.0,
            };
            fx.push(Effect::SheetHours(sid, hours - old));
        }
        None => {
            rec.insert("status".into(), json!("Open"));
            fx.push(Effect::OpenSheet(member_id, monday));
        }
    }
    if matches!(w, Write::Create { .. }) {
        rec.insert("enteredBy".into(), json!(ctx.caller.identifier));
        rec.insert("dateEntered".into(), json!(fmt_dt(ctx.now)));
    }
    let flags: Vec<&str> = ["emailResourceFlag", "emailContactFlag", "emailCcFlag"]
        .into_iter()
        .filter(|k| is_true(rec, k))
        .collect();
    if !flags.is_empty() {
        fx.push(Effect::Notify(Notification {
            event: format!("time.{}", flags.join("+")),
            ticket_id: charge_id,
            recipients: rec
                .get("emailCc")
                .and_then(Value::as_str)
                .map(str::to_string)
                .into_iter()
                .collect(),
        }));
    }
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
                    "detailDescriptionFlag": flags.0, "internalAnalysisFlag": flags.1, "resolutionFlag": flags.2,
                    "issueFlag": false, "member": member, "customerUpdatedFlag": false,
                    "dateCreated": now, "createdBy": ctx.caller.identifier,
                    "internalFlag": flags.1, "externalFlag": flags.0 || flags.2,
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
                    tk["_info"]["lastUpdated"] = json!(now);
                    tk["_info"]["updatedBy"] = json!(ctx.caller.identifier);
                }
            }
            Effect::SheetHours(sid, delta) => {
                if let Some(sh) = t.store.get_mut(Kind::TimeSheet, sid) {
                    let h = sh["hours"].as_f64().unwrap_or(0.0) + delta;
                    sh["hours"] = json!((h * 100.0).round() / 100.0);
                }
            }
            Effect::OpenSheet(member, monday) => {
                let end = monday + Duration::days(6);
                let iso = monday.iso_week();
                let hours = t
                    .store
                    .get(Kind::TimeEntry, id)
                    .and_then(|e| e["actualHours"].as_f64())
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
                    e["timeSheet"] = r;
                }
            }
        }
    }
}
