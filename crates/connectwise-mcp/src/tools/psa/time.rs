//! Time: review my time, search time entries, and log time against a ticket or a company.
//! Times people type (with a time zone) are sent as whole-second UTC; ConnectWise's
//! closed-period message is passed through with what to do about it.

use chrono::{DateTime, Duration, Utc};
use cw_client::endpoints;
use cw_client::models::{NewTimeEntry, Ref, TimeEntry};
use cw_client::time::{cw_datetime, parse_cw_datetime};
use cw_client::{Error, ListQuery};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ticket_detail::TimeRow;
use crate::filters::f;
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::reconcile;
use crate::tool;
use crate::tools::args::{trim_each, PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::PageInfo;
use crate::tools::when::{day_range, minutes, parse_opt, parse_tz, window};
use crate::tools::{ADD, READ, TIME};

#[derive(Debug, Serialize, JsonSchema)]
pub struct TimeList {
    pub entries: Vec<TimeRow>,
    /// Hours of the entries on this page.
    pub total_hours: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(flatten)]
    pub page: PageInfo,
}

fn render(t: &TimeList, title: &str) -> String {
    // One member's or one day's entries leave that out of every line.
    let day = |e: &TimeRow| {
        e.start
            .as_deref()
            .and_then(|s| s.get(..10))
            .map(str::to_string)
    };
    let first_day = t.entries.first().and_then(day);
    let one_day = first_day.is_some() && t.entries.iter().all(|e| day(e) == first_day);
    let mut head = title.to_string();
    if let Some(m) = &t.member {
        head.push_str(&format!(" for {m}"));
    }
    if let (Some(a), Some(b)) = (&t.from, &t.to) {
        head.push_str(&format!(" from {a} to {b}"));
    }
    head.push_str(&format!(
        ": {:.2} h in {} entries",
        t.total_hours,
        t.entries.len()
    ));
    if one_day {
        if let Some(d) = &first_day {
            head.push_str(&format!(", all on {d}"));
        }
    }
    let mut out = vec![head];
    out.extend(
        t.entries
            .iter()
            .map(|e| e.line(t.member.is_none(), !one_day)),
    );
    out.push(t.page.footer());
    out.join("\n")
}

/// Time charged to ticket `id`, a service or a project ticket.
pub(super) fn on_ticket(id: i64) -> Result<cw_conditions::Expr, ToolError> {
    Ok(f("chargeToType")
        .is_in(["ServiceTicket", "ProjectTicket"])
        .map_err(|e| ToolError::Internal(e.to_string()))?
        .and(f("chargeToId").eq(id)))
}

const TIME_ENTRIES: Listing = Listing {
    ep: endpoints::TIME_ENTRIES,
    schema: "TimeEntry",
    fields: TimeEntry::FIELDS,
    order: "timeStart desc",
    page_size: 20,
};

fn time_list(
    p: cw_client::Page<TimeEntry>,
    member: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> TimeList {
    let entries: Vec<TimeRow> = p.items.iter().map(TimeRow::from).collect();
    TimeList {
        total_hours: crate::tools::render::hours(entries.iter().map(|e| e.hours).sum()),
        page: PageInfo::of(&p),
        entries,
        member,
        from: from.map(cw_datetime),
        to: to.map(cw_datetime),
    }
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct MyTimeArgs {
    /// Default today
    pub from: Option<String>,
    /// Exclusive; a date includes that day (default: end of from's day)
    pub to: Option<String>,
    pub timezone: Option<String>,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    ListMyTime {
        name: "cw_list_my_time",
        title: "My time",
        hints: READ,
        toolset: TIME,
        args: MyTimeArgs,
        output: TimeList,
        text: list_my_time_text,
        description: "My time entries (today by default) with total hours.",
    }
}

impl AsyncTool<Ctx> for ListMyTime {
    async fn invoke(ctx: &Ctx, a: MyTimeArgs) -> Result<TimeList, ToolError> {
        let me = ctx.me().await?;
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let (from, to) = day_range(a.from.as_deref(), a.to.as_deref(), tz, 366)?;
        let parts = vec![
            f("member/identifier").eq(me.as_str()),
            f("timeStart").ge(from),
            f("timeStart").lt(to),
        ];
        let p = TIME_ENTRIES
            .fetch::<TimeEntry>(ctx, parts, &RawArgs::default(), &a.paging)
            .await?;
        Ok(time_list(p, Some(me), Some(from), Some(to)))
    }
}

fn list_my_time_text(out: &TimeList) -> String {
    render(out, "My time")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchTimeArgs {
    pub member: Option<String>,
    pub ticket_id: Option<i64>,
    pub company: Option<String>,
    pub from: Option<String>,
    /// Exclusive; a date includes that day
    pub to: Option<String>,
    pub timezone: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchTimeEntries {
        name: "cw_search_time_entries",
        title: "Search time entries",
        hints: READ,
        toolset: TIME,
        args: SearchTimeArgs,
        output: TimeList,
        text: search_time_entries_text,
        description: "Time entries by member, ticket, company or dates, with total hours.",
    }
}

impl AsyncTool<Ctx> for SearchTimeEntries {
    async fn invoke(ctx: &Ctx, a: SearchTimeArgs) -> Result<TimeList, ToolError> {
        let mut parts = Vec::new();
        let mut member = None;
        if let Some(m) = a.member.as_deref() {
            let m = Names::new(ctx).member(m).await?;
            parts.push(f("member/identifier").eq(m.identifier.clone().unwrap_or_default()));
            member = m.identifier;
        }
        if let Some(t) = a.ticket_id {
            parts.push(on_ticket(t)?);
        }
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let (dates, from, to) = window("timeStart", a.from.as_deref(), a.to.as_deref(), tz)?;
        parts.extend(dates);
        let p = TIME_ENTRIES
            .fetch::<TimeEntry>(ctx, parts, &a.raw, &a.paging)
            .await?;
        Ok(time_list(p, member, from, to))
    }
}

fn search_time_entries_text(out: &TimeList) -> String {
    render(out, "Time entries")
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
pub enum BillOption {
    Billable,
    DoNotBill,
    NoCharge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NotesGoTo {
    /// The ticket's internal analysis (technicians only).
    Internal,
    /// The ticket's discussion (customer-visible).
    Discussion,
    /// The ticket's resolution (customer-visible).
    Resolution,
    /// Only on the time entry.
    None,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CreateTimeArgs {
    pub ticket_id: Option<i64>,
    /// Not on a ticket
    pub company: Option<String>,
    // Default: duration minutes before end (or now), as the description says.
    pub start: Option<String>,
    pub duration_minutes: Option<u32>,
    // Instead of a duration.
    pub end: Option<String>,
    pub timezone: Option<String>,
    // What was done.
    pub notes: Option<String>,
    pub work_type: Option<String>,
    /// Default from the work type
    pub billable: Option<BillOption>,
    /// Default internal
    pub notes_to: Option<NotesGoTo>,
    pub notify: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TimeLogged {
    pub entry: TimeRow,
    pub message: String,
}

/// When the work was done, and which of its times was worked out (for the answer).
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    derived: Option<&'static str>,
}

/// The span from any two of start, end and duration: a duration alone means the work just
/// ended.
fn span(a: &CreateTimeArgs, tz: chrono_tz::Tz) -> Result<Span, ToolError> {
    let span = |start, end, derived| Span {
        start,
        end,
        derived,
    };
    let minutes = minutes(a.duration_minutes)?;
    let start = parse_opt(a.start.as_deref(), tz, "start")?;
    let end = parse_opt(a.end.as_deref(), tz, "end")?;
    match (start, end, minutes) {
        (Some(s), None, Some(d)) => Ok(span(s, s + d, None)),
        (Some(s), Some(e), None) => Ok(span(s, e, None)),
        (None, Some(e), Some(d)) => Ok(span(
            e - d,
            e,
            Some("start worked out from end and duration"),
        )),
        (None, None, Some(d)) => {
            let now =
                DateTime::<Utc>::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default();
            Ok(span(
                now - d,
                now,
                Some("the work taken to have just ended"),
            ))
        }
        (Some(_), Some(_), Some(_)) => Err(ToolError::invalid(
            "give two of start, end and duration_minutes, not all three",
        )),
        (_, _, None) => Err(ToolError::invalid(
            "give duration_minutes (e.g. 30), or start and end",
        )),
    }
}

/// Text trimmed and defaults spelled out, so equivalent re-sends are the same write.
fn normalize_time(a: &mut CreateTimeArgs) {
    trim_each([
        &mut a.company,
        &mut a.end,
        &mut a.timezone,
        &mut a.notes,
        &mut a.work_type,
        &mut a.start,
    ]);
    if a.ticket_id.is_some() {
        a.notes_to.get_or_insert(NotesGoTo::Internal);
    }
    a.notify.get_or_insert(false);
}

/// Notes added to the ticket's discussion or resolution are shown to the customer; `notify`
/// e-mails the ticket's contact.
fn time_contact(a: &CreateTimeArgs) -> Option<&'static str> {
    let notes = a.notes.as_deref().is_some_and(|n| !n.trim().is_empty());
    match a.notes_to {
        Some(NotesGoTo::Discussion) if notes => {
            Some("Time-entry notes added to the ticket's discussion (the customer sees them)")
        }
        Some(NotesGoTo::Resolution) if notes => {
            Some("Time-entry notes added to the ticket's resolution (the customer sees them)")
        }
        _ if a.notify == Some(true) => Some(crate::contact::NOTIFY),
        _ => None,
    }
}

tool! {
    CreateTimeEntry {
        name: "cw_create_time_entry",
        title: "Log time",
        hints: ADD,
        contact: time_contact,
        toolset: TIME,
        args: CreateTimeArgs,
        output: TimeLogged,
        text: create_time_entry_text,
        normalize: normalize_time,
        description: "Log my time on a ticket (or a company). A duration alone means the work just ended.",
    }
}

impl AsyncTool<Ctx> for CreateTimeEntry {
    async fn invoke(ctx: &Ctx, a: CreateTimeArgs) -> Result<TimeLogged, ToolError> {
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let Span {
            start,
            end,
            derived,
        } = span(&a, tz)?;
        if end <= start {
            return Err(ToolError::invalid("end must be after start"));
        }
        if end - start > Duration::hours(24) {
            return Err(ToolError::invalid(
                "a time entry cannot be longer than 24 hours; split it",
            ));
        }
        if start > Utc::now() + Duration::days(31) {
            return Err(ToolError::invalid(
                "start is more than a month in the future; check the date",
            ));
        }
        let (charge_to_id, charge_to_type) = match (a.ticket_id, a.company.as_deref()) {
            (Some(t), None) => (t, "ServiceTicket"),
            (None, Some(c)) => (Names::new(ctx).company(c).await?.id.unwrap_or_default(), "Company"),
            (Some(_), Some(_)) => return Err(ToolError::invalid("give ticket_id or company, not both (time on a ticket is charged to the ticket's company)")),
            (None, None) => return Err(ToolError::invalid("give ticket_id (or company for time not on a ticket)")),
        };
        let work_type = match a.work_type.as_deref() {
            Some(w) => Some(Names::new(ctx).work_type(w).await?),
            None => None,
        };
        let me = ctx.me().await?;
        let notes = a
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let goes = if charge_to_type == "ServiceTicket" {
            a.notes_to.unwrap_or(NotesGoTo::Internal)
        } else {
            NotesGoTo::None
        };
        let notify = a.notify.unwrap_or(false);
        let body = NewTimeEntry {
            charge_to_id,
            charge_to_type: charge_to_type.into(),
            time_start: cw_datetime(start),
            time_end: cw_datetime(end),
            member: Some(Ref {
                identifier: Some(me.clone()),
                ..Default::default()
            }),
            work_type: work_type.as_ref().and_then(|w| w.id).map(Ref::id),
            billable_option: a.billable.map(|b| format!("{b:?}")),
            notes: notes.clone(),
            hours_deduct: None,
            add_to_detail_description_flag: goes == NotesGoTo::Discussion,
            add_to_internal_analysis_flag: goes == NotesGoTo::Internal,
            add_to_resolution_flag: goes == NotesGoTo::Resolution,
            email_resource_flag: notify,
            email_contact_flag: notify,
            email_cc_flag: false,
        };
        let day = start.with_timezone(&tz).format("%Y-%m-%d").to_string();
        let who = me.clone();
        let created: TimeEntry = match reconcile::create_once(
            ctx,
            &format!("The time entry from {}", start.with_timezone(&tz).format("%Y-%m-%d %H:%M")),
            ctx.cw.create(endpoints::TIME_ENTRY_CREATE, &[], &body),
            // Mine, on the same ticket, entered since it was sent, as long and with the same
            // notes; an earlier attempt of a "just ended" entry started at another time.
            |look| {
                let (who, notes) = (&who, &notes);
                async move {
                    let mut cond = f("member/identifier")
                        .eq(who.as_str())
                        .and(f("chargeToId").eq(charge_to_id))
                        .and(f("dateEntered").ge(look.since));
                    if !look.earlier {
                        cond = cond.and(f("timeStart").eq(start));
                    }
                    let q = ListQuery::new()
                        .conditions(cond)
                        .fields(TimeEntry::FIELDS)
                        .order_by("id desc")
                        .page(1, 25);
                    let length = end - start;
                    Ok(ctx
                        .cw
                        .list::<TimeEntry>(endpoints::TIME_ENTRIES, &[], &q)
                        .await?
                        .items
                        .into_iter()
                        .find(|e| {
                            let span = e
                                .time_start
                                .as_deref()
                                .and_then(parse_cw_datetime)
                                .zip(e.time_end.as_deref().and_then(parse_cw_datetime));
                            span.is_some_and(|(s, t)| t - s == length)
                                && e.notes.as_deref().map(str::trim).unwrap_or("")
                                    == notes.as_deref().map(str::trim).unwrap_or("")
                        }))
                }
            },
        )
        .await
        {
            Ok(e) => e,
            Err(ToolError::Upstream(Error::Api(e), _))
                if e.status == 400
                    && e.errors.iter().any(|x| x.field.as_deref() == Some("timeStart")) =>
            {
                return Err(ToolError::refused(Error::Api(e), format!("the time period or your time sheet for {day} is closed, submitted or approved; log the time in an open period, or ask whoever approves time to reopen the sheet")))
            }
            Err(ToolError::Upstream(Error::Api(e), _))
                if e.status == 400
                    && charge_to_type == "ServiceTicket"
                    && e.errors.iter().any(|x| x.field.as_deref() == Some("chargeToId")) =>
            {
                return Err(ToolError::refused(Error::Api(e), "check the ticket number (cw_search_tickets), or reopen the ticket if its status does not allow time"))
            }
            Err(e) => return Err(e),
        };
        let entry = TimeRow::from(&created);
        let vis = match goes {
            NotesGoTo::Internal => "; notes added to the ticket's internal analysis",
            NotesGoTo::Discussion => "; notes added to the ticket's customer-visible discussion",
            NotesGoTo::Resolution => "; notes added to the ticket's customer-visible resolution",
            NotesGoTo::None => "",
        };
        let message = format!(
            "Logged {:.2} h as {me} {} from {} to {} ({}{}){}{}.",
            entry.hours,
            if charge_to_type == "ServiceTicket" {
                format!("on ticket #{charge_to_id}")
            } else {
                format!("for {}", entry.company.as_deref().unwrap_or("the company"))
            },
            start.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            end.with_timezone(&tz).format("%H:%M"),
            tz,
            derived.map(|d| format!("; {d}")).unwrap_or_default(),
            if notes.is_some() { vis } else { "" },
            if notify {
                "; ConnectWise will e-mail about it"
            } else {
                ""
            }
        );
        Ok(TimeLogged { entry, message })
    }
}

fn create_time_entry_text(out: &TimeLogged) -> String {
    out.message.clone()
}
