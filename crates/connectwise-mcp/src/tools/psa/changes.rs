//! `cw_changes_since`: what changed on my tickets (or a board's) since a time, or since I last
//! asked: new tickets, customer replies, colleagues' notes, status and owner changes, tickets
//! closed or gone from the queue. ConnectWise keeps no cheap per-ticket history a technician's
//! keys can read, so status and owner changes are found by comparing with the queue as it was
//! when this caller last asked (kept a week, shared by replicas through Redis when there is
//! one); without that, a ticket updated since is reported with who updated it.

use std::collections::HashMap;

use super::per_ticket;
use chrono::{DateTime, Duration, Utc};
use cw_client::endpoints;
use cw_client::models::{Note, QueueTicket};
use cw_client::time::parse_cw_datetime;
use cw_client::ListQuery;
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::{Ctx, Seen};
use crate::errors::ToolError;
use crate::filters::{f, mine};
use crate::names::Names;
use crate::tool;
use crate::tools::render::{clean, ident, label};
use crate::tools::when::{local, parse_when};
use crate::tools::{DAY, READ};
use crate::untrusted;

/// Most tickets looked at: open ones and those updated in the window.
const MAX_TICKETS: u32 = 200;
/// Tickets whose new notes are read.
const MAX_NOTE_LOOKUPS: usize = 25;
/// Characters of a customer's reply quoted.
const QUOTE: usize = 160;

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ChangesArgs {
    /// Default: when I last asked
    pub since: Option<String>,
    /// Its tickets instead of mine
    pub board: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Change {
    pub ticket_id: i64,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// What happened, one entry each.
    pub what: Vec<String>,
    /// The customer's newest reply in the window, cleaned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_reply: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Changes {
    /// Local `YYYY-MM-DD HH:MM`.
    pub since: String,
    /// Where `since` came from: given, last asked, or the last 24 hours.
    pub since_from: String,
    pub scope: String,
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

tool! {
    ChangesSince {
        name: "cw_changes_since",
        title: "What changed",
        hints: READ,
        toolset: DAY,
        args: ChangesArgs,
        output: Changes,
        text: changes_text,
        description: "What changed on my tickets (or a board's) since a time or my last ask: new tickets, replies, notes, status, owner.",
    }
}

/// Notes written on a ticket since `since`, oldest first.
async fn notes_since(ctx: &Ctx, id: i64, since: DateTime<Utc>) -> Result<Vec<Note>, ToolError> {
    let q = ListQuery::new()
        .conditions(f("dateCreated").ge(since))
        .fields(Note::FIELDS)
        .order_by("dateCreated asc")
        .page(1, 50);
    Ok(ctx
        .cw
        .list::<Note>(endpoints::TICKET_NOTES, &[id], &q)
        .await?
        .items)
}

fn state_of(t: &QueueTicket) -> (String, String) {
    (
        label(&t.status).unwrap_or_default(),
        ident(&t.owner).unwrap_or_else(|| "nobody".into()),
    )
}

impl AsyncTool<Ctx> for ChangesSince {
    async fn invoke(ctx: &Ctx, a: ChangesArgs) -> Result<Changes, ToolError> {
        let tz = ctx.timezone();
        let now = ctx.cw.upstream().server_now();
        let me = ctx.me().await?;
        let (scope_key, scope_name, in_scope) =
            match a.board.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
                Some(b) => {
                    let b = Names::new(ctx).board(b).await?;
                    let id = b.id.unwrap_or_default();
                    (
                        format!("board:{id}"),
                        format!("board {}", b.name.unwrap_or_default()),
                        f("board/id").eq(id),
                    )
                }
                None => ("mine".to_string(), "my tickets".to_string(), mine(&me)),
            };
        let prev = ctx.seen(&scope_key).await;
        let (since, since_from) = match (a.since.as_deref(), &prev) {
            (Some(s), _) => (parse_when(s, tz, "since")?, "given"),
            // ConnectWise stamps to the second, and its clock is known to the second: a change
            // made as I last asked is not lost (a note then may be reported twice).
            (None, Some(p)) => (p.at - Duration::seconds(2), "when I last asked"),
            (None, None) => (
                now - Duration::hours(24),
                "the last 24 hours; first time asked",
            ),
        };
        if since > now {
            return Err(ToolError::invalid("since is in the future"));
        }
        let q = ListQuery::new()
            .conditions(
                in_scope.and(
                    f("closedFlag")
                        .eq(false)
                        .or(f("_info/lastUpdated").ge(since)),
                ),
            )
            .fields(QueueTicket::FIELDS)
            .order_by("_info/lastUpdated desc")
            .page(1, MAX_TICKETS);
        let page = ctx
            .cw
            .list::<QueueTicket>(endpoints::TICKETS, &[], &q)
            .await?;
        let tickets = page.items;
        let updated = |t: &QueueTicket| {
            t.info
                .last_updated
                .as_deref()
                .and_then(parse_cw_datetime)
                .is_some_and(|u| u >= since)
        };
        let touched: Vec<i64> = tickets
            .iter()
            .filter(|t| updated(t))
            .filter_map(|t| t.id)
            .take(MAX_NOTE_LOOKUPS)
            .collect();
        let mut notes: HashMap<i64, Vec<Note>> =
            per_ticket(touched, |id| notes_since(ctx, id, since))
                .await?
                .into_iter()
                .collect();
        let prev_state = prev.as_ref().filter(|_| since_from != "given");
        // Notes already reported (the window overlaps the last one by the clock's slack).
        let mut newest: HashMap<i64, i64> =
            prev.as_ref().map(|p| p.notes.clone()).unwrap_or_default();
        for (id, ns) in notes.iter_mut() {
            let before = prev_state
                .and_then(|p| p.notes.get(id))
                .copied()
                .unwrap_or(0);
            ns.retain(|n| n.id.unwrap_or(0) > before);
            if let Some(top) = ns.iter().filter_map(|n| n.id).max() {
                newest.insert(*id, top.max(before));
            }
        }
        let mut changes = Vec::new();
        for t in &tickets {
            let id = t.id.unwrap_or_default();
            let (status, owner) = state_of(t);
            let mut what = Vec::new();
            let entered = t.info.date_entered.as_deref().and_then(parse_cw_datetime);
            match prev_state.map(|p| p.tickets.get(&id)) {
                Some(Some((was_status, was_owner))) => {
                    if *was_status != status {
                        what.push(format!("status {was_status} → {status}"));
                    }
                    if *was_owner != owner {
                        what.push(format!("owner {was_owner} → {owner}"));
                    }
                }
                Some(None) if t.closed_flag != Some(true) => {
                    what.push(if entered.is_some_and(|e| e >= since) {
                        format!("new ({status}, owner {owner})")
                    } else {
                        format!("now in {scope_name} ({status}, owner {owner})")
                    })
                }
                _ => {
                    if entered.is_some_and(|e| e >= since) {
                        what.push(format!("new ({status}, owner {owner})"));
                    }
                }
            }
            if t.closed_flag == Some(true) {
                match what.first_mut() {
                    Some(w) if w.starts_with("new (") => *w = format!("new and closed ({status})"),
                    _ => what.push(format!("closed ({status})")),
                }
            }
            let mut reply = None;
            if let Some(ns) = notes.get(&id) {
                let customer: Vec<&Note> = ns
                    .iter()
                    .filter(|n| n.contact.is_some() && n.member.is_none())
                    .collect();
                if let Some(last) = customer.last() {
                    let at = last
                        .date_created
                        .as_deref()
                        .and_then(parse_cw_datetime)
                        .map(|d| local(d, tz))
                        .unwrap_or_default();
                    what.push(if customer.len() == 1 {
                        format!("customer replied {at}")
                    } else {
                        format!("customer replied {} times, last {at}", customer.len())
                    });
                    reply = last
                        .text
                        .as_deref()
                        .map(|t| untrusted::customer_text(t, QUOTE));
                }
                let mut by: Vec<String> = ns
                    .iter()
                    .filter_map(|n| ident(&n.member))
                    .filter(|m| !m.eq_ignore_ascii_case(&me))
                    .collect();
                by.dedup();
                if !by.is_empty() {
                    let n = ns
                        .iter()
                        .filter(|n| ident(&n.member).is_some_and(|m| !m.eq_ignore_ascii_case(&me)))
                        .count();
                    what.push(format!(
                        "{n} note{} by {}",
                        if n == 1 { "" } else { "s" },
                        by.join(", ")
                    ));
                }
            }
            if what.is_empty() && updated(t) {
                let by = t.info.updated_by.clone().unwrap_or_default();
                if prev_state.is_none() && !by.eq_ignore_ascii_case(&me) {
                    what.push(format!("updated by {by}, now {status}"));
                }
            }
            if !what.is_empty() {
                changes.push(Change {
                    ticket_id: id,
                    summary: clean(&t.summary).unwrap_or_default(),
                    company: label(&t.company),
                    what,
                    customer_reply: reply,
                });
            }
        }
        // Tickets that left the queue since it was last seen.
        if let Some(p) = prev_state {
            let gone: Vec<i64> = p
                .tickets
                .keys()
                .filter(|id| !tickets.iter().any(|t| t.id == Some(**id)))
                .copied()
                .take(50)
                .collect();
            if !gone.is_empty() {
                let q = ListQuery::new()
                    .conditions(
                        f("id")
                            .is_in(gone.clone())
                            .map_err(|e| ToolError::invalid(e.to_string()))?,
                    )
                    .fields(QueueTicket::FIELDS)
                    .page(1, 50);
                for t in ctx
                    .cw
                    .list::<QueueTicket>(endpoints::TICKETS, &[], &q)
                    .await?
                    .items
                {
                    let (status, owner) = state_of(&t);
                    changes.push(Change {
                        ticket_id: t.id.unwrap_or_default(),
                        summary: clean(&t.summary).unwrap_or_default(),
                        company: label(&t.company),
                        what: vec![format!("left {scope_name} (now {status}, owner {owner})")],
                        customer_reply: None,
                    });
                }
            }
        }
        ctx.remember(
            &scope_key,
            Seen {
                at: now,
                tickets: tickets
                    .iter()
                    .filter(|t| t.closed_flag != Some(true))
                    .filter_map(|t| Some((t.id?, state_of(t))))
                    .collect(),
                notes: newest
                    .into_iter()
                    .filter(|(id, _)| tickets.iter().any(|t| t.id == Some(*id)))
                    .collect(),
            },
        )
        .await;
        let note = page.has_more.then(|| {
            format!("Only the {MAX_TICKETS} most recently updated tickets were compared.")
        });
        Ok(Changes {
            since: local(since, tz),
            since_from: since_from.into(),
            scope: scope_name,
            changes,
            note,
        })
    }
}

fn changes_text(out: &Changes) -> String {
    let head = format!(
        "Changes on {} since {} ({})",
        out.scope, out.since, out.since_from
    );
    if out.changes.is_empty() {
        return format!("{head}: none.");
    }
    let mut lines = vec![format!("{head}:")];
    for c in &out.changes {
        let mut l = format!("#{} {}", c.ticket_id, c.summary);
        if let Some(co) = &c.company {
            l.push_str(&format!(" — {co}"));
        }
        l.push_str(&format!(": {}", c.what.join("; ")));
        lines.push(l);
        if let Some(r) = &c.customer_reply {
            lines.push(untrusted::fence(r));
        }
    }
    if let Some(n) = &out.note {
        lines.push(n.clone());
    }
    lines.join("\n")
}
