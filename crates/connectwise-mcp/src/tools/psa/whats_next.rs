//! `cw_whats_next`: my open tickets and today's bookings, ranked by what needs me first, each
//! with the reason in one line. The ranking is a plain sum of weights ([`score`]), so the
//! order can be explained and tested: a breached SLA, an overdue or soon-due ticket, its
//! priority, a booking today, a customer waiting on us (the longer, the higher), and, pushing
//! it down, a status that says we are waiting on someone else.

use super::per_ticket;
use chrono::{DateTime, Duration, Utc};
use cw_client::endpoints;
use cw_client::models::{Note, QueueTicket};
use cw_client::time::parse_cw_datetime;
use cw_client::ListQuery;
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::schedule::{entries_between, span_of};
use super::tickets::short_priority;
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::{f, mine};
use crate::tool;
use crate::tools::render::{clean, label};
use crate::tools::{DAY, READ};

/// Most open tickets ranked: a technician's whole queue.
const MAX_TICKETS: u32 = 100;
/// Tickets whose last customer note is looked up (those the customer updated).
const MAX_REPLY_LOOKUPS: usize = 20;

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct NextArgs {
    // Default 10, at most 50.
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NextItem {
    pub rank: usize,
    /// The ticket, when the item is one (a booking without a ticket has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// Why it is here, most weighty first.
    pub reason: String,
    pub score: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Next {
    pub items: Vec<NextItem>,
    /// How many open tickets and bookings were ranked.
    pub considered: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

tool! {
    WhatsNext {
        name: "cw_whats_next",
        title: "What's next",
        hints: READ,
        toolset: DAY,
        args: NextArgs,
        output: Next,
        text: next_text,
        description: "My open tickets and today's bookings, ranked by what needs me first, each with why.",
    }
}

/// What the ranking knows about one ticket.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub sla_breached: bool,
    pub due: Option<DateTime<Utc>>,
    /// 1 for "Priority 1 …", when the name says.
    pub priority: Option<u32>,
    pub booked: Option<DateTime<Utc>>,
    /// When the customer last wrote, if they are waiting on us.
    pub customer_waiting_since: Option<DateTime<Utc>>,
    /// The status, when it says we wait on someone else.
    pub waiting_status: Option<String>,
    pub entered: Option<DateTime<Utc>>,
}

/// A score and its reasons, weightiest first. `local` renders a time for the reasons.
pub fn score(
    x: &Facts,
    now: DateTime<Utc>,
    local: &dyn Fn(DateTime<Utc>) -> String,
) -> (i64, Vec<String>) {
    let mut parts: Vec<(i64, String)> = Vec::new();
    let overdue = x.due.filter(|d| *d <= now);
    match (x.sla_breached, overdue) {
        (true, Some(d)) => parts.push((1800, format!("SLA breached, due {}", local(d)))),
        (true, None) => parts.push((1000, "SLA breached".into())),
        (false, Some(d)) => parts.push((800, format!("overdue since {}", local(d)))),
        (false, None) => {}
    }
    if let Some(d) = x
        .due
        .filter(|d| *d > now && *d - now <= Duration::hours(24))
    {
        parts.push((400, format!("due {}", local(d))));
    }
    if let Some(p) = x.priority {
        let w = match p {
            1 => 500,
            2 => 250,
            3 => 100,
            4 => 25,
            _ => 0,
        };
        if w > 0 {
            parts.push((w, format!("P{p}")));
        }
    }
    if let Some(b) = x.booked {
        parts.push((300, format!("booked {}", local(b))));
    }
    if let Some(since) = x.customer_waiting_since {
        let hours = (now - since).num_hours().clamp(0, 72);
        parts.push((
            300 + hours * 5,
            format!("customer wrote {} ago", ago(now - since)),
        ));
    }
    if let Some(s) = &x.waiting_status {
        let w = if s.to_ascii_lowercase().contains("customer") {
            -600
        } else {
            -300
        };
        parts.push((w, format!("{s}: not on us")));
    }
    let age_days = x
        .entered
        .map(|e| (now - e).num_days().clamp(0, 30))
        .unwrap_or(0);
    let total = parts.iter().map(|(w, _)| w).sum::<i64>() + age_days * 3;
    parts.sort_by_key(|(w, _)| -w.abs());
    let mut reasons: Vec<String> = parts.into_iter().map(|(_, r)| r).collect();
    if reasons.is_empty() {
        reasons.push(format!("open {age_days} d"));
    }
    (total, reasons)
}

/// "3 h", "2 d", "20 min".
fn ago(d: Duration) -> String {
    if d.num_days() >= 2 {
        format!("{} d", d.num_days())
    } else if d.num_hours() >= 1 {
        format!("{} h", d.num_hours())
    } else {
        format!("{} min", d.num_minutes().max(0))
    }
}

/// The priority's number from its name ("Priority 2 - Quick Response" is 2).
fn priority_number(name: &str) -> Option<u32> {
    short_priority(name).strip_prefix('P')?.parse().ok()
}

/// When the customer last wrote on a ticket: its newest note from a contact.
async fn last_customer_note(ctx: &Ctx, id: i64) -> Result<Option<DateTime<Utc>>, ToolError> {
    let q = ListQuery::new()
        .conditions(f("customerUpdatedFlag").eq(true))
        .fields("id,dateCreated,customerUpdatedFlag")
        .order_by("dateCreated desc")
        .page(1, 1);
    let p = ctx
        .cw
        .list::<Note>(endpoints::TICKET_NOTES, &[id], &q)
        .await?;
    Ok(p.items
        .first()
        .and_then(|n| n.date_created.as_deref())
        .and_then(parse_cw_datetime))
}

impl AsyncTool<Ctx> for WhatsNext {
    async fn invoke(ctx: &Ctx, a: NextArgs) -> Result<Next, ToolError> {
        let limit = match a.limit {
            None => 10,
            Some(n @ 1..=50) => n as usize,
            Some(_) => return Err(ToolError::invalid("limit must be from 1 to 50")),
        };
        let me = ctx.me().await?;
        let tz = ctx.timezone();
        let now = ctx.cw.upstream().server_now();
        let q = ListQuery::new()
            .conditions(f("closedFlag").eq(false).and(mine(&me)))
            .fields(QueueTicket::FIELDS)
            .order_by("_info/lastUpdated desc")
            .page(1, MAX_TICKETS);
        let tickets = ctx
            .cw
            .list::<QueueTicket>(endpoints::TICKETS, &[], &q)
            .await?;
        let day_start = crate::tools::when::parse_when(
            &now.with_timezone(&tz).format("%Y-%m-%d").to_string(),
            tz,
            "today",
        )?;
        let (bookings, _) =
            entries_between(ctx, &me, day_start, day_start + Duration::days(1)).await?;
        let bookings: Vec<_> = bookings
            .into_iter()
            .filter(|e| {
                !e.done_flag.unwrap_or(false) && span_of(e).is_some_and(|(_, end)| end > now)
            })
            .collect();
        let replied: Vec<i64> = tickets
            .items
            .iter()
            .filter(|t| t.customer_updated_flag == Some(true))
            .filter_map(|t| t.id)
            .take(MAX_REPLY_LOOKUPS)
            .collect();
        let replies = per_ticket(replied, |id| last_customer_note(ctx, id)).await?;
        let local = |d: DateTime<Utc>| {
            let l = d.with_timezone(&tz);
            if l.date_naive() == now.with_timezone(&tz).date_naive() {
                l.format("%H:%M").to_string()
            } else {
                l.format("%Y-%m-%d %H:%M").to_string()
            }
        };
        let mut items: Vec<NextItem> = Vec::new();
        for t in &tickets.items {
            let id = t.id.unwrap_or_default();
            let status = label(&t.status);
            let booked = bookings
                .iter()
                .filter(|e| e.object_id == Some(id))
                .filter_map(span_of)
                .map(|(s, _)| s)
                .min();
            let customer = t.customer_updated_flag == Some(true);
            let facts = Facts {
                sla_breached: t.is_in_sla == Some(false),
                due: t.required_date.as_deref().and_then(parse_cw_datetime),
                priority: t
                    .priority
                    .as_ref()
                    .and_then(|p| p.name.as_deref())
                    .and_then(priority_number),
                booked,
                customer_waiting_since: customer.then(|| {
                    replies
                        .iter()
                        .find(|(r, _)| *r == id)
                        .and_then(|(_, at)| *at)
                        .or_else(|| t.info.last_updated.as_deref().and_then(parse_cw_datetime))
                        .unwrap_or(now)
                }),
                waiting_status: status
                    .clone()
                    .filter(|s| !customer && s.to_ascii_lowercase().contains("waiting")),
                entered: t.info.date_entered.as_deref().and_then(parse_cw_datetime),
            };
            let (score, reasons) = score(&facts, now, &local);
            items.push(NextItem {
                rank: 0,
                ticket_id: Some(id),
                summary: clean(&t.summary).unwrap_or_default(),
                company: label(&t.company),
                status,
                priority: label(&t.priority).map(|p| short_priority(&p)),
                reason: reasons.join("; "),
                score,
            });
        }
        // Bookings that are not one of my open tickets (meetings, other people's tickets).
        for e in &bookings {
            if e.object_id
                .is_some_and(|id| tickets.items.iter().any(|t| t.id == Some(id)))
            {
                continue;
            }
            let Some((start, _)) = span_of(e) else {
                continue;
            };
            let soon = start - now <= Duration::hours(2);
            items.push(NextItem {
                rank: 0,
                ticket_id: None,
                summary: clean(&e.name).unwrap_or_else(|| "booking".into()),
                company: None,
                status: None,
                priority: None,
                reason: format!("booked {}", local(start)),
                score: if soon { 600 } else { 150 },
            });
        }
        let considered = items.len();
        items.sort_by(|a, b| b.score.cmp(&a.score).then(a.ticket_id.cmp(&b.ticket_id)));
        items.truncate(limit);
        for (i, it) in items.iter_mut().enumerate() {
            it.rank = i + 1;
        }
        let note = tickets.has_more.then(|| {
            format!("Only my {MAX_TICKETS} most recently updated open tickets were ranked.")
        });
        Ok(Next {
            items,
            considered,
            note,
        })
    }
}

fn next_text(out: &Next) -> String {
    if out.items.is_empty() {
        return "Nothing open needs me: no open tickets and no bookings left today.".into();
    }
    let mut lines = vec![format!(
        "What needs me next ({} of {}):",
        out.items.len(),
        out.considered
    )];
    for it in &out.items {
        let what = match it.ticket_id {
            Some(id) => format!("#{id}"),
            None => "booking".into(),
        };
        let mut l = format!("{}. {what} {}", it.rank, it.summary);
        if let Some(c) = &it.company {
            l.push_str(&format!(" — {c}"));
        }
        if let Some(s) = &it.status {
            l.push_str(&format!(" [{s}]"));
        }
        l.push_str(&format!(": {}", it.reason));
        lines.push(l);
    }
    if let Some(n) = &out.note {
        lines.push(n.clone());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_500_000 + h * 3600, 0).unwrap()
    }

    #[test]
    fn the_weights_order_a_known_queue() {
        let now = at(0);
        let local = |d: DateTime<Utc>| d.format("%H:%M").to_string();
        let s = |x: Facts| score(&x, now, &local);
        let breached = s(Facts {
            sla_breached: true,
            priority: Some(3),
            ..Default::default()
        });
        let replied = s(Facts {
            customer_waiting_since: Some(at(-5)),
            priority: Some(2),
            ..Default::default()
        });
        let booked = s(Facts {
            booked: Some(at(2)),
            priority: Some(3),
            ..Default::default()
        });
        let plain = s(Facts {
            priority: Some(3),
            entered: Some(at(-48)),
            ..Default::default()
        });
        let waiting = s(Facts {
            priority: Some(1),
            waiting_status: Some("Waiting on Customer".into()),
            ..Default::default()
        });
        let order = [&breached, &replied, &booked, &plain, &waiting];
        assert!(order.windows(2).all(|w| w[0].0 > w[1].0), "{order:?}");
        assert_eq!(breached.1[0], "SLA breached");
        let both = s(Facts {
            sla_breached: true,
            due: Some(at(-2)),
            ..Default::default()
        });
        assert_eq!(both.1, vec![format!("SLA breached, due {}", local(at(-2)))]);
        assert_eq!(replied.1[0], "customer wrote 5 h ago");
        assert!(waiting
            .1
            .iter()
            .any(|r| r == "Waiting on Customer: not on us"));
        // Overdue outranks due soon, which outranks due later.
        let overdue = s(Facts {
            due: Some(at(-1)),
            ..Default::default()
        })
        .0;
        let soon = s(Facts {
            due: Some(at(3)),
            ..Default::default()
        })
        .0;
        let later = s(Facts {
            due: Some(at(72)),
            ..Default::default()
        })
        .0;
        assert!(overdue > soon && soon > later);
    }
}
