//! The schedule: my day or a colleague's with the free time left in working hours, booking a
//! ticket to someone, moving and removing an entry. Bookings are checked against the member's
//! calendar first, so a double booking is a choice the caller makes, never an accident.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use cw_client::endpoints;
use cw_client::models::{Ref, ScheduleEntry, TicketDetail};
use cw_client::time::{cw_datetime, parse_cw_datetime};
use cw_client::{ListQuery, PatchOp};
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::no_ticket;
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::f;
use crate::names::Names;
use crate::reconcile;
use crate::tool;
use crate::tools::args::trim_each;
use crate::tools::render::{clean, hours, ident};
use crate::tools::when::{day_range, local, parse_opt, parse_tz, parse_when, respan};
use crate::tools::{ADD, READ, REMOVE, SCHEDULE, UPDATE};

/// Most entries one schedule answer reads: a fortnight of a busy technician's bookings.
const MAX_ENTRIES: u32 = 100;

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EntryRow {
    pub id: i64,
    pub member: String,
    /// Local `YYYY-MM-DD HH:MM` in the answer's time zone.
    pub start: String,
    pub end: String,
    /// The ticket it books, for service entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub done: bool,
}

/// An entry's span in UTC, when it has one.
pub(crate) fn span_of(e: &ScheduleEntry) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((
        parse_cw_datetime(e.date_start.as_deref()?)?,
        parse_cw_datetime(e.date_end.as_deref()?)?,
    ))
}

fn row(e: &ScheduleEntry, tz: Tz) -> EntryRow {
    let (s, en) = span_of(e).map_or((String::new(), String::new()), |(s, en)| {
        (local(s, tz), local(en, tz))
    });
    let service = e.r#type.as_ref().and_then(|t| t.identifier.as_deref()) == Some("S");
    EntryRow {
        id: e.id.unwrap_or_default(),
        member: ident(&e.member).unwrap_or_default(),
        start: s,
        end: en,
        ticket_id: if service { e.object_id } else { None },
        name: clean(&e.name),
        status: e.status.as_ref().and_then(|s| s.name.clone()),
        done: e.done_flag.unwrap_or(false),
    }
}

impl EntryRow {
    fn line(&self) -> String {
        // The end's date is left out when it is the start's.
        let end = match (self.start.get(..10), self.end.get(..10)) {
            (Some(a), Some(b)) if a == b => self.end.get(11..).unwrap_or(&self.end),
            _ => &self.end,
        };
        let mut s = format!("- {} {}–{end}", self.id, self.start);
        if let Some(t) = self.ticket_id {
            s.push_str(&format!(" #{t}"));
        }
        if let Some(n) = &self.name {
            s.push_str(&format!(" {n}"));
        }
        if let Some(st) = &self.status {
            s.push_str(&format!(" ({st})"));
        }
        if self.done {
            s.push_str(" done");
        }
        s
    }
}

/// The member's entries that overlap `[from, to)`, earliest first.
pub(crate) async fn entries_between(
    ctx: &Ctx,
    member: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<ScheduleEntry>, bool), ToolError> {
    let q = ListQuery::new()
        .conditions(
            f("member/identifier")
                .eq(member)
                .and(f("dateStart").lt(to))
                .and(f("dateEnd").gt(from)),
        )
        .fields(ScheduleEntry::FIELDS)
        .order_by("dateStart asc")
        .page(1, MAX_ENTRIES);
    let p = ctx
        .cw
        .list::<ScheduleEntry>(endpoints::SCHEDULE_ENTRIES, &[], &q)
        .await?;
    Ok((p.items, p.has_more))
}

/// Refuses a booking that overlaps the member's other open entries, naming them, unless the
/// caller allows conflicts.
async fn check_free(
    ctx: &Ctx,
    member: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    except: Option<i64>,
    tz: Tz,
) -> Result<(), ToolError> {
    let (busy, _) = entries_between(ctx, member, from, to).await?;
    let clashes: Vec<String> = busy
        .iter()
        .filter(|e| e.id != except && !e.done_flag.unwrap_or(false))
        .map(|e| row(e, tz).line().trim_start_matches("- ").to_string())
        .collect();
    if clashes.is_empty() {
        return Ok(());
    }
    Err(ToolError::invalid(format!(
        "{member} is already booked then: {}. Nothing was changed; pick another time (cw_schedule shows the free time) or pass allow_conflicts: true to double-book.",
        clashes.join("; ")
    )))
}

/// Working hours as `HH:MM-HH:MM`.
fn parse_hours(s: Option<&str>) -> Result<(NaiveTime, NaiveTime), ToolError> {
    let s = s
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("08:00-17:00");
    let bad = || ToolError::invalid(format!("work_hours `{s}` should look like 08:00-17:00"));
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
    let (a, b) = (t(a)?, t(b)?);
    if b <= a {
        return Err(bad());
    }
    Ok((a, b))
}

/// The free windows of working hours on weekdays in `[from, to)`, around `busy`.
fn free_windows(
    busy: &[(DateTime<Utc>, DateTime<Utc>)],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (open, close): (NaiveTime, NaiveTime),
    tz: Tz,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut day = from.with_timezone(&tz).date_naive();
    let last = to.with_timezone(&tz).date_naive();
    while day <= last {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let at = |t: NaiveTime| tz.from_local_datetime(&day.and_time(t)).earliest();
        if let (false, Some(a), Some(b)) = (weekend, at(open), at(close)) {
            let (a, b) = (
                a.with_timezone(&Utc).max(from),
                b.with_timezone(&Utc).min(to),
            );
            let mut cursor = a;
            let mut spans: Vec<_> = busy.iter().filter(|(s, e)| *s < b && *e > a).collect();
            spans.sort();
            for (s, e) in spans {
                if *s > cursor {
                    out.push((cursor, *s));
                }
                cursor = cursor.max(*e);
            }
            if cursor < b {
                out.push((cursor, b));
            }
        }
        day += Duration::days(1);
    }
    out
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ScheduleArgs {
    /// Default me
    pub member: Option<String>,
    /// Default today
    pub from: Option<String>,
    /// Exclusive; a date includes that day (default: end of from's day)
    pub to: Option<String>,
    pub timezone: Option<String>,
    /// For free time, e.g. 08:00-17:00 (the default), weekdays
    pub work_hours: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Window {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Schedule {
    pub member: String,
    pub from: String,
    pub to: String,
    pub timezone: String,
    pub entries: Vec<EntryRow>,
    pub booked_hours: f64,
    /// Free windows within working hours on weekdays.
    pub free: Vec<Window>,
    /// More entries than one answer holds: narrow the range.
    pub truncated: bool,
}

tool! {
    MySchedule {
        name: "cw_schedule",
        title: "Schedule and availability",
        hints: READ,
        toolset: SCHEDULE,
        args: ScheduleArgs,
        output: Schedule,
        text: schedule_text,
        description: "My schedule or a colleague's (today by default), with the free time left in working hours.",
    }
}

impl AsyncTool<Ctx> for MySchedule {
    async fn invoke(ctx: &Ctx, a: ScheduleArgs) -> Result<Schedule, ToolError> {
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let work_hours = parse_hours(a.work_hours.as_deref())?;
        let (from, to) = day_range(a.from.as_deref(), a.to.as_deref(), tz, 31)?;
        let member = Names::new(ctx).member_or_me(a.member.as_deref()).await?;
        let (items, truncated) = entries_between(ctx, &member, from, to).await?;
        let busy: Vec<_> = items
            .iter()
            .filter(|e| !e.done_flag.unwrap_or(false))
            .filter_map(span_of)
            .collect();
        let booked = busy
            .iter()
            .map(|(s, e)| (*e.min(&to) - *s.max(&from)).num_minutes() as f64 / 60.0)
            .sum::<f64>();
        let free = free_windows(&busy, (from, to), work_hours, tz)
            .into_iter()
            .map(|(s, e)| Window {
                start: local(s, tz),
                end: local(e, tz),
            })
            .collect();
        Ok(Schedule {
            member,
            from: local(from, tz),
            to: local(to, tz),
            timezone: tz.to_string(),
            entries: items.iter().map(|e| row(e, tz)).collect(),
            booked_hours: hours(booked),
            free,
            truncated,
        })
    }
}

fn schedule_text(s: &Schedule) -> String {
    let mut out = vec![format!(
        "Schedule of {} from {} to {} ({}): {} entries, {:.2} h booked",
        s.member,
        s.from,
        s.to,
        s.timezone,
        s.entries.len(),
        s.booked_hours
    )];
    out.extend(s.entries.iter().map(EntryRow::line));
    if s.truncated {
        out.push(format!(
            "(first {MAX_ENTRIES} entries only: narrow the range)"
        ));
    }
    let mut day = "";
    let mut free = String::from("Free in working hours:");
    if s.free.is_empty() {
        free.push_str(" none");
    }
    for w in &s.free {
        let d = w.start.get(..10).unwrap_or("");
        let hm = |t: &str| t.get(11..).unwrap_or(t).to_string();
        if d != day {
            free.push_str(&format!(" {d} {}–{}", hm(&w.start), hm(&w.end)));
            day = d;
        } else {
            free.push_str(&format!(", {}–{}", hm(&w.start), hm(&w.end)));
        }
    }
    out.push(free);
    out.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ScheduleTicketArgs {
    pub ticket_id: i64,
    /// Default me
    pub member: Option<String>,
    /// When the work starts
    pub start: String,
    /// Default 60
    pub duration_minutes: Option<u32>,
    /// Instead of duration
    pub end: Option<String>,
    pub timezone: Option<String>,
    /// Book even over the member's other entries (default false)
    pub allow_conflicts: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ScheduleWritten {
    pub entry: EntryRow,
    pub message: String,
}

fn normalize_booking(a: &mut ScheduleTicketArgs) {
    a.start = a.start.trim().to_string();
    trim_each([&mut a.member, &mut a.end, &mut a.timezone]);
    if a.end.is_none() {
        a.duration_minutes.get_or_insert(60);
    }
    a.allow_conflicts.get_or_insert(false);
}

async fn ticket(ctx: &Ctx, id: i64) -> Result<TicketDetail, ToolError> {
    ctx.cw
        .get(endpoints::TICKET, &[id], "id,summary,closedFlag")
        .await
        .map_err(|e| ToolError::or_missing(e, || no_ticket(id)))
}

tool! {
    ScheduleTicket {
        name: "cw_schedule_ticket",
        title: "Schedule a ticket",
        hints: ADD,
        contact: crate::contact::never,
        toolset: SCHEDULE,
        args: ScheduleTicketArgs,
        output: ScheduleWritten,
        text: schedule_written_text,
        normalize: normalize_booking,
        description: "Book a ticket on my calendar or a colleague's; refuses a double booking unless allowed.",
    }
}

impl AsyncTool<Ctx> for ScheduleTicket {
    async fn invoke(ctx: &Ctx, a: ScheduleTicketArgs) -> Result<ScheduleWritten, ToolError> {
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let start = parse_when(&a.start, tz, "start")?;
        let end = parse_opt(a.end.as_deref(), tz, "end")?;
        let minutes = if end.is_some() {
            None
        } else {
            a.duration_minutes.or(Some(60))
        };
        let span = respan((start, start), Some(start), end, minutes)?;
        if span.0 < Utc::now() - Duration::days(31) {
            return Err(ToolError::invalid(
                "start is more than a month ago; check the date",
            ));
        }
        let t = ticket(ctx, a.ticket_id).await?;
        let member = Names::new(ctx).member_or_me(a.member.as_deref()).await?;
        let allow = a.allow_conflicts.unwrap_or(false);
        if !allow {
            check_free(ctx, &member, span, None, tz).await?;
        }
        let body = json!({
            "objectId": a.ticket_id,
            "type": {"identifier": "S"},
            "member": {"identifier": member},
            "dateStart": cw_datetime(span.0),
            "dateEnd": cw_datetime(span.1),
            "allowScheduleConflictsFlag": allow,
        });
        let tid = a.ticket_id;
        let who = member.clone();
        let created: ScheduleEntry = reconcile::create_once(
            ctx,
            &format!("The booking of ticket #{tid} for {member}"),
            ctx.cw.create(endpoints::SCHEDULE_ENTRY_CREATE, &[], &body),
            |_| async {
                let q = ListQuery::new()
                    .conditions(
                        f("objectId")
                            .eq(tid)
                            .and(f("member/identifier").eq(who.as_str()))
                            .and(f("dateStart").eq(span.0))
                            .and(f("dateEnd").eq(span.1)),
                    )
                    .fields(ScheduleEntry::FIELDS)
                    .order_by("id desc")
                    .page(1, 1);
                Ok(ctx
                    .cw
                    .list::<ScheduleEntry>(endpoints::SCHEDULE_ENTRIES, &[], &q)
                    .await?
                    .items
                    .into_iter()
                    .next())
            },
        )
        .await?;
        let mut entry = row(&created, tz);
        entry.name = entry.name.or(clean(&t.summary));
        let message = format!(
            "Booked ticket #{tid} {} for {member} {}–{} ({tz}), entry {}.{}",
            clean(&t.summary).unwrap_or_default(),
            local(span.0, tz),
            span.1.with_timezone(&tz).format("%H:%M"),
            entry.id,
            if t.closed_flag == Some(true) {
                " The ticket is closed; reopen it if the work is still to do."
            } else {
                ""
            }
        );
        Ok(ScheduleWritten { entry, message })
    }
}

fn schedule_written_text(out: &ScheduleWritten) -> String {
    out.message.clone()
}

async fn entry(ctx: &Ctx, id: i64) -> Result<ScheduleEntry, ToolError> {
    ctx.cw
        .get(endpoints::SCHEDULE_ENTRY, &[id], ScheduleEntry::FIELDS)
        .await
        .map_err(|e| {
            ToolError::or_missing(e, || format!(
                "Schedule entry {id} does not exist (already removed?), or these keys cannot see it; cw_schedule lists entry ids."
            ))
        })
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct MoveEntryArgs {
    pub entry_id: i64,
    /// New start; the length is kept unless given
    pub start: Option<String>,
    pub duration_minutes: Option<u32>,
    /// Instead of duration
    pub end: Option<String>,
    /// Give it to this member (identifier or name)
    pub member: Option<String>,
    pub timezone: Option<String>,
    /// Move even over the member's other entries (default false)
    pub allow_conflicts: Option<bool>,
}

tool! {
    MoveScheduleEntry {
        name: "cw_move_schedule_entry",
        title: "Move a schedule entry",
        hints: UPDATE,
        contact: crate::contact::never,
        toolset: SCHEDULE,
        args: MoveEntryArgs,
        output: ScheduleWritten,
        text: schedule_written_text,
        description: "Move a schedule entry to another time, length or member; refuses a double booking unless allowed.",
    }
}

impl AsyncTool<Ctx> for MoveScheduleEntry {
    async fn invoke(ctx: &Ctx, a: MoveEntryArgs) -> Result<ScheduleWritten, ToolError> {
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        if a.start.is_none()
            && a.end.is_none()
            && a.duration_minutes.is_none()
            && a.member.is_none()
        {
            return Err(ToolError::invalid(
                "nothing to change: give start, end, duration_minutes or member",
            ));
        }
        let start = parse_opt(a.start.as_deref(), tz, "start")?;
        let end = parse_opt(a.end.as_deref(), tz, "end")?;
        let id = a.entry_id;
        let before = entry(ctx, id).await?;
        let old = span_of(&before).ok_or_else(|| {
            ToolError::invalid(format!("schedule entry {id} has no start and end to move"))
        })?;
        let span = respan(old, start, end, a.duration_minutes)?;
        let was = ident(&before.member).unwrap_or_default();
        let target = match a.member.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => Some(Names::new(ctx).member(m).await?),
            None => None,
        };
        let to_member = target
            .as_ref()
            .and_then(|m| m.identifier.clone())
            .unwrap_or_else(|| was.clone());
        let mut ops = Vec::new();
        let mut changes = Vec::new();
        if span != old {
            ops.push(PatchOp::replace("dateStart", cw_datetime(span.0)));
            ops.push(PatchOp::replace("dateEnd", cw_datetime(span.1)));
            changes.push(format!(
                "{}–{} → {}–{}",
                local(old.0, tz),
                old.1.with_timezone(&tz).format("%H:%M"),
                local(span.0, tz),
                span.1.with_timezone(&tz).format("%H:%M")
            ));
        }
        if let Some(m) = target
            .as_ref()
            .filter(|_| !to_member.eq_ignore_ascii_case(&was))
        {
            ops.push(PatchOp::reference(
                "member",
                &Ref::id(m.id.unwrap_or_default()),
            ));
            changes.push(format!("member {was} → {to_member}"));
        }
        if ops.is_empty() {
            return Ok(ScheduleWritten {
                entry: row(&before, tz),
                message: format!(
                    "Nothing changed: entry {id} is already {to_member} at that time."
                ),
            });
        }
        if !a.allow_conflicts.unwrap_or(false) {
            check_free(ctx, &to_member, span, Some(id), tz).await?;
        }
        let _: serde_json::Value = ctx
            .cw
            .patch(endpoints::SCHEDULE_ENTRY_PATCH, &[id], &ops)
            .await?;
        let after = entry(ctx, id).await?;
        Ok(ScheduleWritten {
            entry: row(&after, tz),
            message: format!("Moved schedule entry {id} ({tz}): {}.", changes.join("; ")),
        })
    }
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct RemoveEntryArgs {
    pub entry_id: i64,
    pub timezone: Option<String>,
}

tool! {
    RemoveScheduleEntry {
        name: "cw_remove_schedule_entry",
        title: "Remove a schedule entry",
        hints: REMOVE,
        contact: crate::contact::never,
        toolset: SCHEDULE,
        args: RemoveEntryArgs,
        output: ScheduleWritten,
        text: schedule_written_text,
        description: "Remove a schedule entry (a booking) from someone's calendar. The ticket itself is kept.",
    }
}

impl AsyncTool<Ctx> for RemoveScheduleEntry {
    async fn invoke(ctx: &Ctx, a: RemoveEntryArgs) -> Result<ScheduleWritten, ToolError> {
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let before = entry(ctx, a.entry_id).await?;
        ctx.cw
            .delete(endpoints::SCHEDULE_ENTRY_DELETE, &[a.entry_id])
            .await?;
        let entry = row(&before, tz);
        let message = format!(
            "Removed schedule entry {} of {}: {}.",
            entry.id,
            entry.member,
            entry.line().trim_start_matches("- ")
        );
        Ok(ScheduleWritten { entry, message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_time_is_working_hours_around_the_bookings_on_weekdays() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let at = |s: &str| parse_when(s, tz, "t").unwrap();
        // Monday 2026-11-30 and the weekend before it.
        let busy = vec![
            (at("2026-11-30T09:00"), at("2026-11-30T10:00")),
            (at("2026-11-30T09:30"), at("2026-11-30T11:00")),
            (at("2026-11-30T16:30"), at("2026-11-30T18:00")),
        ];
        let hours = parse_hours(None).unwrap();
        let free = free_windows(&busy, (at("2026-11-28"), at("2026-12-01")), hours, tz);
        let shown: Vec<(String, String)> = free
            .iter()
            .map(|(s, e)| (local(*s, tz), local(*e, tz)))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("2026-11-30 08:00".into(), "2026-11-30 09:00".into()),
                ("2026-11-30 11:00".into(), "2026-11-30 16:30".into()),
            ]
        );
        assert!(parse_hours(Some("17:00-08:00")).is_err());
        assert!(parse_hours(Some("nine to five")).is_err());
    }
}
