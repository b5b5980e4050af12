//! A time entry write: what it is charged to (a ticket's status may forbid time), defaults
//! from the work type, start and end in whole-second UTC, at most 24 hours, and the open-period
//! rule (the period must exist and be open, and the member's sheet for it not submitted or
//! approved).

use chrono::{Duration, Utc};
use serde_json::{json, Map, Value};

use super::{attribute, is_true, ref_id, refs, Ctx, Effect, Write};
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::store::{fmt_dt, period_start, Notification, Tenant, OPEN_SHEET_STATUSES};

pub(super) fn prepare(
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
        let status = before.at("status").as_str().unwrap_or("Open");
        if !OPEN_SHEET_STATUSES.contains(&status) {
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
                if *st.at("timeEntryNotAllowed") == json!(true) {
                    return Err(bad(
                        "chargeToId",
                        "InvalidObject",
                        format!(
                            "Time entries are not allowed on ticket {id} in status '{}'.",
                            st.at("name").as_str().unwrap_or("")
                        ),
                    ));
                }
            }
            rec.insert("company".into(), ticket.at("company").clone());
            rec.insert(
                "ticket".into(),
                json!({"id": id, "summary": ticket.at("summary")}),
            );
            if kind == Kind::Ticket {
                rec.insert("ticketBoard".into(), ticket.at("board").at("name").clone());
                rec.insert(
                    "ticketStatus".into(),
                    ticket.at("status").at("name").clone(),
                );
                fx.push(Effect::TouchTicket(id));
            } else {
                rec.insert("project".into(), ticket.at("project").clone());
                rec.insert("phase".into(), ticket.at("phase").clone());
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
            .find(|w| *w.at("overallDefaultFlag") == json!(true))
        {
            rec.insert(
                "workType".into(),
                s.reference(Kind::WorkType, wt.at("id").as_i64().unwrap_or(1)),
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
            .and_then(|w| w.at("billTime").as_str())
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
    // Hours someone typed win; an update that moves the times without touching them has its
    // hours worked out again from the new times, as ConnectWise does.
    let hours_given = match w {
        Write::Update { before, .. }
            if rec.get("actualHours") == before.get("actualHours")
                && (rec.get("timeStart") != before.get("timeStart")
                    || rec.get("timeEnd") != before.get("timeEnd")) =>
        {
            None
        }
        _ => rec.get("actualHours").and_then(Value::as_f64),
    };
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
        sh.at("member").at("id").as_i64() == Some(member_id)
            && sh
                .at("dateStart")
                .as_str()
                .is_some_and(|d| d.starts_with(&monday.to_string()))
    });
    match sheet {
        Some(sh) => {
            let status = sh.at("status").as_str().unwrap_or("Open");
            if !OPEN_SHEET_STATUSES.contains(&status) {
                return Err(bad(
                    "timeStart",
                    "InvalidObject",
                    format!("The time sheet for {period} is {status}; time cannot be added to a submitted or approved time sheet."),
                ));
            }
            let sid = sh.at("id").as_i64().unwrap_or_default();
            rec.insert("timeSheet".into(), s.reference(Kind::TimeSheet, sid));
            rec.insert("status".into(), json!(status));
            let old = match w {
                Write::Update { before, .. }
                    if before.at("timeSheet").at("id").as_i64() == Some(sid) =>
                {
                    before.at("actualHours").as_f64().unwrap_or(0.0)
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
