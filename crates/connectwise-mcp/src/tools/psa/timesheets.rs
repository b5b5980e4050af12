//! Time beyond logging it: all the time on one ticket against its budget, correcting a time
//! entry I logged, my time sheets and submitting one, and the work roles time is logged as.
//! A sheet that is submitted or approved locks its entries; the tools say so before sending.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use cw_client::endpoints;
use cw_client::models::{TicketDetail, TimeEntry, TimeSheet, WorkRole};
use cw_client::time::{cw_datetime, parse_cw_datetime};
use cw_client::{Error, ListQuery, PatchOp};
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::no_ticket;
use super::ticket_detail::TimeRow;
use super::time::{on_ticket, BillOption};
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::f;
use crate::names::Names;
use crate::tool;
use crate::tools::args::PageArgs;
use crate::tools::render::{clean, hours, ident, PageInfo};
use crate::tools::when::{local, minutes, parse_opt, parse_tz, parse_when, respan};
use crate::tools::{ADVANCE, READ, TIMESHEETS, UPDATE};

/// Sheet statuses whose entries may still change (ConnectWise's open states).
const OPEN_SHEETS: [&str; 3] = ["Open", "Rejected", "ErrorsCorrected"];

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct TicketTimeArgs {
    pub ticket_id: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TicketTime {
    pub ticket_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub total_hours: f64,
    pub billable_hours: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_hours: Option<f64>,
    /// Hours by member identifier.
    pub by_member: BTreeMap<String, f64>,
    pub entries: Vec<TimeRow>,
    /// More entries than one answer holds (the totals cover those shown).
    pub truncated: bool,
}

tool! {
    TicketTimeTool {
        name: "cw_ticket_time",
        title: "Time on a ticket",
        hints: READ,
        toolset: TIMESHEETS,
        args: TicketTimeArgs,
        output: TicketTime,
        text: ticket_time_text,
        description: "All time logged on one ticket: total, billable, by member, against its budget.",
    }
}

impl AsyncTool<Ctx> for TicketTimeTool {
    async fn invoke(ctx: &Ctx, a: TicketTimeArgs) -> Result<TicketTime, ToolError> {
        let id = a.ticket_id;
        let ticket: TicketDetail = ctx
            .cw
            .get(endpoints::TICKET, &[id], "id,summary,budgetHours")
            .await
            .map_err(|e| ToolError::or_missing(e, || no_ticket(id)))?;
        let q = ListQuery::new()
            .conditions(on_ticket(id)?)
            .fields(TimeEntry::FIELDS)
            .order_by("timeStart asc")
            .page(1, 100);
        let p = ctx
            .cw
            .list::<TimeEntry>(endpoints::TIME_ENTRIES, &[], &q)
            .await?;
        let entries: Vec<TimeRow> = p.items.iter().map(TimeRow::from).collect();
        let mut by_member = BTreeMap::new();
        for e in &entries {
            *by_member
                .entry(e.member.clone().unwrap_or_default())
                .or_insert(0.0) += e.hours;
        }
        Ok(TicketTime {
            ticket_id: id,
            summary: clean(&ticket.summary),
            total_hours: hours(entries.iter().map(|e| e.hours).sum()),
            billable_hours: hours(
                entries
                    .iter()
                    .filter(|e| e.billable.as_deref() == Some("Billable"))
                    .map(|e| e.hours)
                    .sum(),
            ),
            budget_hours: ticket.budget_hours.filter(|b| *b > 0.0),
            by_member: by_member.into_iter().map(|(k, v)| (k, hours(v))).collect(),
            entries,
            truncated: p.has_more,
        })
    }
}

fn ticket_time_text(t: &TicketTime) -> String {
    let mut head = format!(
        "Time on #{}{}: {:.2} h ({:.2} billable)",
        t.ticket_id,
        t.summary
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default(),
        t.total_hours,
        t.billable_hours
    );
    if let Some(b) = t.budget_hours {
        head.push_str(&format!(" of {b:.2} h budgeted"));
    }
    let who: Vec<String> = t
        .by_member
        .iter()
        .map(|(m, h)| format!("{m} {h:.2}"))
        .collect();
    if !who.is_empty() {
        head.push_str(&format!("; by member: {}", who.join(", ")));
    }
    let mut l = vec![head];
    l.extend(t.entries.iter().map(|e| e.line(true, true)));
    if t.truncated {
        l.push("(first 100 entries only; cw_search_time_entries pages through the rest)".into());
    }
    crate::untrusted::fence(&l.join("\n"))
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct UpdateTimeArgs {
    pub entry_id: i64,
    /// New start; the length is kept unless given
    pub start: Option<String>,
    pub duration_minutes: Option<u32>,
    /// Instead of duration
    pub end: Option<String>,
    pub timezone: Option<String>,
    /// Replaces the entry's notes
    pub notes: Option<String>,
    pub work_type: Option<String>,
    pub billable: Option<BillOption>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TimeUpdated {
    pub entry: TimeRow,
    pub changes: Vec<String>,
    pub message: String,
}

/// Longest time-entry notes accepted.
const MAX_NOTES: usize = 4000;

tool! {
    UpdateTimeEntry {
        name: "cw_update_time_entry",
        title: "Correct my time entry",
        hints: UPDATE,
        contact: crate::contact::never,
        toolset: TIMESHEETS,
        args: UpdateTimeArgs,
        output: TimeUpdated,
        text: time_updated_text,
        description: "Correct a time entry I logged: its times, notes, work type or billing. Locked once its sheet is submitted.",
    }
}

impl AsyncTool<Ctx> for UpdateTimeEntry {
    async fn invoke(ctx: &Ctx, a: UpdateTimeArgs) -> Result<TimeUpdated, ToolError> {
        let id = a.entry_id;
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let notes = a.notes.as_deref().map(str::trim);
        if notes.is_some_and(|n| n.chars().count() > MAX_NOTES) {
            return Err(ToolError::invalid(format!(
                "notes can be at most {MAX_NOTES} characters"
            )));
        }
        if a.start.is_none()
            && a.end.is_none()
            && a.duration_minutes.is_none()
            && notes.is_none()
            && a.work_type.is_none()
            && a.billable.is_none()
        {
            return Err(ToolError::invalid(
                "nothing to change: give start, end, duration_minutes, notes, work_type or billable",
            ));
        }
        minutes(a.duration_minutes)?;
        let start = parse_opt(a.start.as_deref(), tz, "start")?;
        let end = parse_opt(a.end.as_deref(), tz, "end")?;
        let before: TimeEntry = ctx
            .cw
            .get(endpoints::TIME_ENTRY, &[id], TimeEntry::FIELDS)
            .await
            .map_err(|e| ToolError::or_missing(e, || format!(
                "Time entry {id} does not exist, or these keys cannot see it; cw_list_my_time lists yours."
            )))?;
        let me = ctx.me().await?;
        let author = ident(&before.member).unwrap_or_default();
        if !author.eq_ignore_ascii_case(&me) {
            return Err(ToolError::invalid(format!(
                "time entry {id} was logged by {author}, not by you ({me}); only its author corrects it with this tool. Nothing was changed."
            )));
        }
        let status = before.status.clone().unwrap_or_else(|| "Open".into());
        if !OPEN_SHEETS.contains(&status.as_str()) {
            return Err(ToolError::invalid(format!(
                "time entry {id} is {status}: its time sheet is submitted or approved, so it cannot change. Ask whoever approves time to reject or reverse the sheet. Nothing was changed."
            )));
        }
        let mut ops = Vec::new();
        let mut changes = Vec::new();
        let old = before
            .time_start
            .as_deref()
            .and_then(parse_cw_datetime)
            .zip(before.time_end.as_deref().and_then(parse_cw_datetime));
        if start.is_some() || end.is_some() || a.duration_minutes.is_some() {
            let old = old.ok_or_else(|| {
                ToolError::invalid(format!("time entry {id} has no start and end to change"))
            })?;
            let span = respan(old, start, end, a.duration_minutes)?;
            if span.0 > Utc::now() + Duration::days(31) {
                return Err(ToolError::invalid(
                    "start is more than a month in the future; check the date",
                ));
            }
            if span != old {
                ops.push(PatchOp::replace("timeStart", cw_datetime(span.0)));
                ops.push(PatchOp::replace("timeEnd", cw_datetime(span.1)));
                changes.push(format!(
                    "time {}–{} → {}–{} ({tz})",
                    local(old.0, tz),
                    old.1.with_timezone(&tz).format("%H:%M"),
                    local(span.0, tz),
                    span.1.with_timezone(&tz).format("%H:%M")
                ));
            }
        }
        if let Some(n) = notes.filter(|n| before.notes.as_deref().map(str::trim) != Some(*n)) {
            // Notes that feed the ticket's discussion or resolution are what the customer reads.
            if before.add_to_detail_description_flag == Some(true)
                || before.add_to_resolution_flag == Some(true)
            {
                ctx.may_contact_customer(
                    "Changing notes the ticket's discussion or resolution shows (the customer sees them)",
                )?;
            }
            ops.push(PatchOp::replace("notes", n));
            changes.push("notes replaced".into());
        }
        if let Some(w) = a.work_type.as_deref() {
            let wt = Names::new(ctx).work_type(w).await?;
            if before.work_type.as_ref().and_then(|r| r.id) != wt.id {
                ops.push(PatchOp::reference(
                    "workType",
                    &cw_client::models::Ref::id(wt.id.unwrap_or_default()),
                ));
                changes.push(format!(
                    "work type {} → {}",
                    before
                        .work_type
                        .as_ref()
                        .and_then(|r| r.label())
                        .unwrap_or("none"),
                    wt.name.as_deref().unwrap_or("?")
                ));
            }
        }
        if let Some(b) = a.billable {
            let b = format!("{b:?}");
            if before.billable_option.as_deref() != Some(b.as_str()) {
                changes.push(format!(
                    "billing {} → {b}",
                    before.billable_option.as_deref().unwrap_or("none")
                ));
                ops.push(PatchOp::replace("billableOption", b));
            }
        }
        if ops.is_empty() {
            return Ok(TimeUpdated {
                entry: TimeRow::from(&before),
                changes,
                message: format!("Nothing changed: time entry {id} already has those values."),
            });
        }
        let day = old.map(|(s, _)| local(s, tz)).unwrap_or_default();
        let _: serde_json::Value = match ctx.cw.patch(endpoints::TIME_ENTRY_PATCH, &[id], &ops).await {
            Ok(v) => v,
            Err(Error::Api(e))
                if e.status == 400
                    && e.errors.iter().any(|x| matches!(x.field.as_deref(), Some("timeStart" | "timeSheet"))) =>
            {
                return Err(ToolError::refused(Error::Api(e), format!("the time period or time sheet of {day} (or of the new time) is closed, submitted or approved; ask whoever approves time to reopen it")))
            }
            Err(e) => return Err(e.into()),
        };
        let after: TimeEntry = ctx
            .cw
            .get(endpoints::TIME_ENTRY, &[id], TimeEntry::FIELDS)
            .await?;
        let entry = TimeRow::from(&after);
        let message = format!(
            "Corrected time entry {id} ({:.2} h): {}.",
            entry.hours,
            changes.join("; ")
        );
        Ok(TimeUpdated {
            entry,
            changes,
            message,
        })
    }
}

fn time_updated_text(out: &TimeUpdated) -> String {
    format!(
        "{}\n{}",
        out.message,
        crate::untrusted::fence(&out.entry.line(true, true))
    )
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SheetRow {
    pub id: i64,
    pub member: String,
    /// First and last day.
    pub from: String,
    pub to: String,
    pub hours: f64,
    pub status: String,
    /// Whether its entries can still change.
    pub open: bool,
}

impl From<&TimeSheet> for SheetRow {
    fn from(s: &TimeSheet) -> Self {
        let status = s.status.clone().unwrap_or_else(|| "Open".into());
        let day = |d: &Option<String>| {
            d.as_deref()
                .and_then(|d| d.get(..10))
                .unwrap_or("?")
                .to_string()
        };
        SheetRow {
            id: s.id.unwrap_or_default(),
            member: ident(&s.member).unwrap_or_default(),
            from: day(&s.date_start),
            to: day(&s.date_end),
            hours: hours(s.hours.unwrap_or(0.0)),
            open: OPEN_SHEETS.contains(&status.as_str()),
            status,
        }
    }
}

impl SheetRow {
    fn line(&self) -> String {
        format!(
            "- {} {} – {}: {:.2} h, {}",
            self.id, self.from, self.to, self.hours, self.status
        )
    }
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SheetsArgs {
    /// Default me
    pub member: Option<String>,
    /// Only open (can still change) or only submitted/approved
    pub open: Option<bool>,
    #[serde(flatten)]
    pub paging: PageArgs,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SheetList {
    pub member: String,
    pub sheets: Vec<SheetRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

tool! {
    ListTimesheets {
        name: "cw_list_timesheets",
        title: "Time sheets",
        hints: READ,
        toolset: TIMESHEETS,
        args: SheetsArgs,
        output: SheetList,
        text: sheets_text,
        description: "My time sheets (or a colleague's), newest first: period, hours, status.",
    }
}

impl AsyncTool<Ctx> for ListTimesheets {
    async fn invoke(ctx: &Ctx, a: SheetsArgs) -> Result<SheetList, ToolError> {
        let member = Names::new(ctx).member_or_me(a.member.as_deref()).await?;
        let (page, size) = a.paging.get(10)?;
        let mut cond = f("member/identifier").eq(member.as_str());
        if let Some(open) = a.open {
            let statuses = f("status");
            let s = if open {
                statuses.is_in(OPEN_SHEETS)
            } else {
                statuses.not_in(OPEN_SHEETS)
            }
            .map_err(|e| ToolError::Internal(e.to_string()))?;
            cond = cond.and(s);
        }
        let q = ListQuery::new()
            .conditions(cond)
            .fields(TimeSheet::FIELDS)
            .order_by("dateStart desc")
            .page(page, size);
        let p = ctx
            .cw
            .list::<TimeSheet>(endpoints::TIME_SHEETS, &[], &q)
            .await?;
        Ok(SheetList {
            member,
            sheets: p.items.iter().map(SheetRow::from).collect(),
            page: PageInfo::of(&p),
        })
    }
}

fn sheets_text(out: &SheetList) -> String {
    let mut l = vec![format!("Time sheets of {}:", out.member)];
    l.extend(out.sheets.iter().map(SheetRow::line));
    l.push(out.page.footer());
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SubmitArgs {
    pub sheet_id: Option<i64>,
    /// Or a day my sheet covers, e.g. today
    pub date: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SheetSubmitted {
    pub sheet: SheetRow,
    pub message: String,
}

tool! {
    SubmitTimesheet {
        name: "cw_submit_timesheet",
        title: "Submit my time sheet",
        hints: ADVANCE,
        contact: crate::contact::never,
        toolset: TIMESHEETS,
        args: SubmitArgs,
        output: SheetSubmitted,
        text: submitted_text,
        description: "Submit my time sheet (the one covering a date, or by id) for approval; its entries lock until it is rejected.",
    }
}

impl AsyncTool<Ctx> for SubmitTimesheet {
    async fn invoke(ctx: &Ctx, a: SubmitArgs) -> Result<SheetSubmitted, ToolError> {
        let sheet: TimeSheet = match a.sheet_id {
            Some(id) => ctx
                .cw
                .get(endpoints::TIME_SHEET, &[id], TimeSheet::FIELDS)
                .await
                .map_err(|e| ToolError::or_missing(e, || format!(
                    "Time sheet {id} does not exist, or these keys cannot see it; cw_list_timesheets lists yours."
                )))?,
            // Submitting locks a week's time: never on a call that names no sheet at all.
            None if a.date.as_deref().is_none_or(|d| d.trim().is_empty()) => {
                return Err(ToolError::invalid(
                    "say which sheet: give date (a day it covers, e.g. today's) or sheet_id (cw_list_timesheets). Nothing was submitted.",
                ))
            }
            None => {
                let day_s = a.date.as_deref().map(str::trim).unwrap_or_default();
                // Sheets run from 00:00Z of their first day to 00:00Z of their last.
                let day = parse_when(day_s.get(..10).unwrap_or(day_s), chrono_tz::UTC, "date")?;
                let me = ctx.me().await?;
                let q = ListQuery::new()
                    .conditions(
                        f("member/identifier")
                            .eq(me.as_str())
                            .and(f("dateStart").le(day))
                            .and(f("dateEnd").ge(day)),
                    )
                    .fields(TimeSheet::FIELDS)
                    .order_by("dateStart desc")
                    .page(1, 1);
                ctx.cw
                    .list::<TimeSheet>(endpoints::TIME_SHEETS, &[], &q)
                    .await?
                    .items
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        ToolError::not_found(format!(
                            "{me} has no time sheet covering {}; ConnectWise makes one when time is first logged in a period. cw_list_timesheets lists yours.",
                            &day_s.get(..10).unwrap_or(day_s)
                        ))
                    })?
            }
        };
        let row = SheetRow::from(&sheet);
        if !row.open {
            return Ok(SheetSubmitted {
                message: format!(
                    "Nothing changed: time sheet {} ({} – {}) is already {}.",
                    row.id, row.from, row.to, row.status
                ),
                sheet: row,
            });
        }
        let _: serde_json::Value = ctx
            .cw
            .create(
                endpoints::TIME_SHEET_SUBMIT,
                &[row.id],
                &serde_json::json!({}),
            )
            .await?;
        let after: TimeSheet = ctx
            .cw
            .get(endpoints::TIME_SHEET, &[row.id], TimeSheet::FIELDS)
            .await?;
        let after = SheetRow::from(&after);
        Ok(SheetSubmitted {
            message: format!(
                "Submitted time sheet {} of {} ({} – {}, {:.2} h): it is now {}; its entries are locked unless it is rejected.",
                after.id, after.member, after.from, after.to, after.hours, after.status
            ),
            sheet: after,
        })
    }
}

fn submitted_text(out: &SheetSubmitted) -> String {
    out.message.clone()
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct WorkRolesArgs {
    pub include_inactive: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleOut {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly_rate: Option<f64>,
    pub inactive: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkRoles {
    pub roles: Vec<RoleOut>,
}

tool! {
    ListWorkRoles {
        name: "cw_list_work_roles",
        title: "Work roles",
        hints: READ,
        toolset: TIMESHEETS,
        args: WorkRolesArgs,
        output: WorkRoles,
        text: work_roles_text,
        description: "Work roles time is billed as (e.g. Engineer, Project Manager), with hourly rates.",
    }
}

impl AsyncTool<Ctx> for ListWorkRoles {
    async fn invoke(ctx: &Ctx, a: WorkRolesArgs) -> Result<WorkRoles, ToolError> {
        let mut q = ListQuery::new()
            .fields(WorkRole::FIELDS)
            .order_by("name asc")
            .page(1, 100);
        if !a.include_inactive.unwrap_or(false) {
            q = q.conditions(f("inactiveFlag").eq(false));
        }
        let p = ctx
            .cw
            .list::<WorkRole>(endpoints::WORK_ROLES, &[], &q)
            .await?;
        Ok(WorkRoles {
            roles: p
                .items
                .iter()
                .map(|r| RoleOut {
                    name: clean(&r.name).unwrap_or_default(),
                    hourly_rate: r.hourly_rate,
                    inactive: r.inactive_flag.unwrap_or(false),
                })
                .collect(),
        })
    }
}

fn work_roles_text(out: &WorkRoles) -> String {
    let roles: Vec<String> = out
        .roles
        .iter()
        .map(|r| {
            format!(
                "{}{}{}",
                r.name,
                r.hourly_rate
                    .map(|h| format!(" {h:.2}/h"))
                    .unwrap_or_default(),
                if r.inactive { " (inactive)" } else { "" }
            )
        })
        .collect();
    format!("Work roles: {}", roles.join(", "))
}
