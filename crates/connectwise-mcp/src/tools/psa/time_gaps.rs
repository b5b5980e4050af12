//! `cw_time_gaps`: the time of a day (or of its working week, up to now) I have not logged
//! yet. It lays what I did (bookings on tickets, notes I wrote, tickets I updated) over the
//! time entries I made, and proposes an entry for each piece of work with no time against it,
//! each with the exact arguments `cw_create_time_entry` takes, so logging it is one call.

use std::collections::BTreeMap;

use super::per_ticket;
use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use chrono_tz::Tz;
use cw_client::endpoints;
use cw_client::models::{Note, QueueTicket, TimeEntry};
use cw_client::time::parse_cw_datetime;
use cw_client::ListQuery;
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::schedule::{entries_between, span_of};
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::{f, mine};
use crate::tool;
use crate::tools::render::{clean, hours};
use crate::tools::when::{local, parse_until, parse_when};
use crate::tools::{DAY, READ};

/// The working day the totals are compared with.
const DAY_HOURS: f64 = 8.0;
/// Shortest gap worth proposing, and the time a note or an update stands for.
const MIN_MINUTES: i64 = 15;
/// Most tickets whose notes are read.
const MAX_TICKETS: u32 = 40;

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GapsArgs {
    // Default today.
    pub date: Option<String>,
    /// Its week, up to now
    pub week: Option<bool>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Proposal {
    pub ticket_id: i64,
    /// What I did that has no time against it.
    pub why: String,
    /// The arguments for cw_create_time_entry, as they are.
    pub args: Value,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Gaps {
    pub from: String,
    pub to: String,
    pub logged_hours: f64,
    /// Working hours in the span (8 a weekday), up to now.
    pub expected_hours: f64,
    pub proposals: Vec<Proposal>,
}

tool! {
    TimeGaps {
        name: "cw_time_gaps",
        title: "Time not logged",
        hints: READ,
        toolset: DAY,
        args: GapsArgs,
        output: Gaps,
        text: gaps_text,
        description: "My work (bookings, notes, updates) with no time logged, for a day or its week, as entries to create.",
    }
}

/// `[a, b)` less every span in `taken`, in pieces of at least [`MIN_MINUTES`].
fn uncovered(
    (a, b): (DateTime<Utc>, DateTime<Utc>),
    taken: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut spans: Vec<_> = taken
        .iter()
        .filter(|(s, e)| *s < b && *e > a)
        .copied()
        .collect();
    spans.sort();
    let mut out = Vec::new();
    let mut cursor = a;
    for (s, e) in spans {
        if s > cursor {
            out.push((cursor, s));
        }
        cursor = cursor.max(e);
    }
    if cursor < b {
        out.push((cursor, b));
    }
    out.retain(|(s, e)| *e - *s >= Duration::minutes(MIN_MINUTES));
    out
}

/// Local `YYYY-MM-DDTHH:MM`, as cw_create_time_entry reads it.
fn arg_time(d: DateTime<Utc>, tz: Tz) -> String {
    d.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

fn proposal(
    ticket_id: i64,
    (s, e): (DateTime<Utc>, DateTime<Utc>),
    notes: String,
    why: String,
    tz: Tz,
) -> Proposal {
    Proposal {
        ticket_id,
        why,
        args: json!({
            "ticket_id": ticket_id,
            "start": arg_time(s, tz),
            "end": arg_time(e, tz),
            "notes": notes,
        }),
    }
}

/// My notes on a ticket written in `[from, to)`.
async fn my_notes(
    ctx: &Ctx,
    id: i64,
    me: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<Note>, ToolError> {
    let q = ListQuery::new()
        .conditions(f("dateCreated").ge(from).and(f("dateCreated").lt(to)))
        .fields(Note::FIELDS)
        .order_by("dateCreated asc")
        .page(1, 100);
    let notes = ctx
        .cw
        .list::<Note>(endpoints::TICKET_NOTES, &[id], &q)
        .await?
        .items;
    Ok(notes
        .into_iter()
        .filter(|n| {
            n.member
                .as_ref()
                .and_then(|m| m.identifier.as_deref())
                .is_some_and(|m| m.eq_ignore_ascii_case(me))
        })
        .collect())
}

impl AsyncTool<Ctx> for TimeGaps {
    async fn invoke(ctx: &Ctx, a: GapsArgs) -> Result<Gaps, ToolError> {
        let tz = ctx.timezone();
        let now = ctx.cw.upstream().server_now();
        let today = now.with_timezone(&tz).format("%Y-%m-%d").to_string();
        let day = a
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .unwrap_or(&today);
        let start = parse_when(day.get(..10).unwrap_or(day), tz, "date")?;
        let (from, to) = if a.week == Some(true) {
            let d = start.with_timezone(&tz).date_naive();
            let monday = d - Duration::days(d.weekday().num_days_from_monday().into());
            let m = monday.format("%Y-%m-%d").to_string();
            let sat = (monday + Duration::days(4)).format("%Y-%m-%d").to_string();
            (parse_when(&m, tz, "date")?, parse_until(&sat, tz, "date")?)
        } else {
            (
                start,
                parse_until(day.get(..10).unwrap_or(day), tz, "date")?,
            )
        };
        if from >= now {
            return Err(ToolError::invalid(format!(
                "{day} has not started yet; ask about today or an earlier day"
            )));
        }
        let until = to.min(now);
        let me = ctx.me().await?;
        let q = ListQuery::new()
            .conditions(
                f("member/identifier")
                    .eq(me.as_str())
                    .and(f("timeStart").ge(from))
                    .and(f("timeStart").lt(to)),
            )
            .fields(TimeEntry::FIELDS)
            .order_by("timeStart asc")
            .page(1, 500);
        let entries = ctx
            .cw
            .list::<TimeEntry>(endpoints::TIME_ENTRIES, &[], &q)
            .await?
            .items;
        let logged: Vec<(DateTime<Utc>, DateTime<Utc>, Option<i64>)> = entries
            .iter()
            .filter_map(|e| {
                let s = parse_cw_datetime(e.time_start.as_deref()?)?;
                let end = e
                    .time_end
                    .as_deref()
                    .and_then(parse_cw_datetime)
                    .unwrap_or_else(|| {
                        s + Duration::minutes((e.actual_hours.unwrap_or(0.0) * 60.0) as i64)
                    });
                let ticket = e.ticket.as_ref().and_then(|t| t.id).or(e
                    .charge_to_id
                    .filter(|_| e.charge_to_type.as_deref() == Some("ServiceTicket")));
                Some((s, end, ticket))
            })
            .collect();
        let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            logged.iter().map(|(s, e, _)| (*s, *e)).collect();
        let logged_hours = hours(entries.iter().map(|e| e.actual_hours.unwrap_or(0.0)).sum());
        let timed = |id: i64| logged.iter().any(|(_, _, t)| *t == Some(id));

        let mut proposals: Vec<Proposal> = Vec::new();
        let mut booked: Vec<i64> = Vec::new();
        // Bookings on tickets, less the time logged over them.
        let (bookings, _) = entries_between(ctx, &me, from, until).await?;
        for b in &bookings {
            let (Some(id), Some((s, e))) = (
                b.object_id.filter(|_| {
                    b.r#type.as_ref().and_then(|t| t.identifier.as_deref()) == Some("S")
                }),
                span_of(b),
            ) else {
                continue;
            };
            let name = match clean(&b.name) {
                Some(n) => format!("Worked on #{id}: {n}"),
                None => format!("Worked on #{id}"),
            };
            for gap in uncovered((s.max(from), e.min(until)), &spans) {
                booked.push(id);
                let why = format!(
                    "booked {}–{}, no time logged",
                    local(gap.0, tz),
                    gap.1.with_timezone(&tz).format("%H:%M")
                );
                proposals.push(proposal(id, gap, name.clone(), why, tz));
            }
        }
        // Tickets I worked on without a booking: my notes and my updates.
        let q = ListQuery::new()
            .conditions(
                f("_info/updatedBy")
                    .eq(me.as_str())
                    .or(mine(&me))
                    .and(f("_info/lastUpdated").ge(from)),
            )
            .fields(QueueTicket::FIELDS)
            .order_by("_info/lastUpdated desc")
            .page(1, MAX_TICKETS);
        let touched = ctx
            .cw
            .list::<QueueTicket>(endpoints::TICKETS, &[], &q)
            .await?
            .items;
        let candidates: Vec<&QueueTicket> = touched
            .iter()
            .filter(|t| t.id.is_some_and(|id| !timed(id) && !booked.contains(&id)))
            .collect();
        let ids: Vec<i64> = candidates.iter().filter_map(|t| t.id).collect();
        let notes: BTreeMap<i64, Vec<Note>> =
            per_ticket(ids, |id| my_notes(ctx, id, &me, (from, to)))
                .await?
                .into_iter()
                .collect();
        for t in candidates {
            let id = t.id.unwrap_or_default();
            let summary = clean(&t.summary).unwrap_or_default();
            let written: Vec<DateTime<Utc>> = notes
                .get(&id)
                .into_iter()
                .flatten()
                .filter_map(|n| n.date_created.as_deref().and_then(parse_cw_datetime))
                .collect();
            let updated = t
                .info
                .last_updated
                .as_deref()
                .and_then(parse_cw_datetime)
                .filter(|u| {
                    *u >= from
                        && *u < to
                        && t.info
                            .updated_by
                            .as_deref()
                            .is_some_and(|b| b.eq_ignore_ascii_case(&me))
                });
            let (end, why, n) = match (written.last(), updated) {
                (Some(last), _) => (
                    *last,
                    format!(
                        "wrote {} note{} on it (last {}), no time logged",
                        written.len(),
                        if written.len() == 1 { "" } else { "s" },
                        local(*last, tz)
                    ),
                    written.len() as i64,
                ),
                (None, Some(u)) => (
                    u,
                    format!(
                        "updated it {} (now {}), no time logged",
                        local(u, tz),
                        t.status
                            .as_ref()
                            .and_then(|s| s.name.clone())
                            .unwrap_or_default()
                    ),
                    1,
                ),
                (None, None) => continue,
            };
            let length = Duration::minutes((MIN_MINUTES * n).min(60));
            proposals.push(proposal(
                id,
                (end - length, end),
                format!("Worked on #{id}: {summary}"),
                why,
                tz,
            ));
        }
        let start = |p: &Proposal| {
            p.args
                .get("start")
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        proposals.sort_by_key(start);
        let weekdays = {
            let mut n = 0.0;
            let mut d = from.with_timezone(&tz).date_naive();
            let last = (until - Duration::seconds(1))
                .with_timezone(&tz)
                .date_naive();
            while d <= last {
                if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    n += 1.0;
                }
                d += Duration::days(1);
            }
            n
        };
        Ok(Gaps {
            from: local(from, tz),
            to: local(to, tz),
            logged_hours,
            expected_hours: weekdays * DAY_HOURS,
            proposals,
        })
    }
}

fn gaps_text(out: &Gaps) -> String {
    let mut lines = vec![format!(
        "Time from {} to {}: {} h logged of {} h expected.",
        out.from, out.to, out.logged_hours, out.expected_hours
    )];
    if out.proposals.is_empty() {
        lines.push("Nothing I did is missing time.".into());
    } else {
        lines.push(
            "Not logged (each line's arguments go to cw_create_time_entry as they are):".into(),
        );
        for p in &out.proposals {
            lines.push(format!("- #{}: {} → {}", p.ticket_id, p.why, p.args));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(m: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_500_000 + m * 60, 0).unwrap()
    }

    #[test]
    fn logged_time_is_taken_out_of_a_booking() {
        // Booked 0–120; logged 30–60 and 100–130: 0–30 and 60–100 are left; a 10-minute gap is not.
        let gaps = uncovered((at(0), at(120)), &[(at(30), at(60)), (at(100), at(130))]);
        assert_eq!(gaps, vec![(at(0), at(30)), (at(60), at(100))]);
        assert!(uncovered((at(0), at(10)), &[]).is_empty());
        assert!(uncovered((at(0), at(60)), &[(at(-5), at(70))]).is_empty());
    }
}
