//! Creating and updating tickets, by name: company, contact, board, status, type, priority and
//! owner are resolved before anything is written, so a wrong name changes nothing.

use cw_client::endpoints;
use cw_client::models::{NewTicket, Ref, Ticket, TicketDetail};
use cw_client::{ListQuery, PatchOp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::tickets::TicketRow;
use crate::filters::f;
use rmcp::handler::server::router::tool::AsyncTool;

use super::{no_ticket, per_ticket};
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::reconcile;
use crate::tool;
use crate::tools::args::trim_each;
use crate::tools::render::{ident, label};
use crate::tools::{ADD, TICKETS, UPDATE};

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CreateTicketArgs {
    pub summary: String,
    pub company: String,
    pub contact: Option<String>,
    pub board: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub r#type: Option<String>,
    pub owner: Option<String>,
    pub configuration: Option<String>,
    /// First note; customer-visible
    pub description: Option<String>,
    pub internal_note: Option<String>,
    pub notify: Option<bool>,
    // Even beside a similar open one (the description says a duplicate is named instead).
    pub create_anyway: Option<bool>,
}

/// How far back a similar open ticket of the same company counts as a likely duplicate.
const DUPLICATE_DAYS: i64 = 7;

/// The words that carry a summary's meaning: lower case, three letters or more.
fn words(s: &str) -> std::collections::BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// Whether two summaries say much the same: most of their words are shared (Jaccard ≥ 0.6).
fn similar(a: &str, b: &str) -> bool {
    let (a, b) = (words(a), words(b));
    let union = a.union(&b).count();
    union > 0 && a.intersection(&b).count() * 5 >= union * 3
}

/// Most recent open tickets of the company whose configurations are read for "the same
/// device" (one request each).
const DEVICE_CHECKS: usize = 20;

/// Open tickets of `company` entered in the last [`DUPLICATE_DAYS`] whose summary is like
/// `summary`, or that have `device` attached: what a technician would add to instead of
/// opening another. Each comes with why it looks like one.
async fn likely_duplicates(
    ctx: &Ctx,
    company: i64,
    summary: &str,
    device: Option<i64>,
) -> Result<Vec<(Ticket, &'static str)>, ToolError> {
    use cw_client::models::ConfigurationRef;
    let since = chrono::Utc::now() - chrono::Duration::days(DUPLICATE_DAYS);
    let q = ListQuery::new()
        .conditions(
            f("company/id")
                .eq(company)
                .and(f("closedFlag").eq(false))
                .and(f("_info/dateEntered").ge(since)),
        )
        .fields(Ticket::FIELDS)
        .order_by("id desc")
        .page(1, 100);
    let open = ctx
        .cw
        .list::<Ticket>(endpoints::TICKETS, &[], &q)
        .await?
        .items;
    let same_device: Vec<i64> = match device {
        None => Vec::new(),
        Some(dev) => {
            let ids = open
                .iter()
                .filter_map(|t| t.id)
                .take(DEVICE_CHECKS)
                .collect();
            per_ticket(ids, |id| async move {
                let q = ListQuery::new().fields("id").page(1, 100);
                ctx.cw
                    .list::<ConfigurationRef>(endpoints::TICKET_CONFIGURATIONS, &[id], &q)
                    .await
                    .map(|p| p.items.iter().any(|c| c.id == Some(dev)))
            })
            .await?
            .into_iter()
            .filter_map(|(id, has)| has.then_some(id))
            .collect()
        }
    };
    Ok(open
        .into_iter()
        .filter_map(|t| {
            let like = t.summary.as_deref().is_some_and(|s| similar(s, summary));
            let device = t.id.is_some_and(|id| same_device.contains(&id));
            match (like, device) {
                (true, true) => Some((t, "similar summary, same device")),
                (true, false) => Some((t, "similar summary")),
                (false, true) => Some((t, "same device")),
                (false, false) => None,
            }
        })
        .take(5)
        .collect())
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TicketWritten {
    pub ticket: TicketRow,
    /// What changed, as `field: before → after`.
    pub changes: Vec<String>,
    /// What was asked for but the ticket already had (nothing sent for it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchanged: Vec<String>,
    pub message: String,
}

fn check_summary(s: &str) -> Result<String, ToolError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ToolError::invalid("summary is empty"));
    }
    if s.chars().count() > 100 {
        return Err(ToolError::invalid(format!(
            "summary is {} characters; ConnectWise allows 100. Put the rest in description.",
            s.chars().count()
        )));
    }
    if s.chars().any(char::is_control) {
        return Err(ToolError::invalid(
            "summary must be one line without control characters",
        ));
    }
    Ok(s.to_string())
}

/// Text trimmed and defaults spelled out, so equivalent re-sends are the same write.
fn normalize_create(a: &mut CreateTicketArgs) {
    a.summary = a.summary.trim().to_string();
    a.company = a.company.trim().to_string();
    trim_each([
        &mut a.contact,
        &mut a.board,
        &mut a.status,
        &mut a.priority,
        &mut a.r#type,
        &mut a.owner,
        &mut a.configuration,
        &mut a.description,
        &mut a.internal_note,
    ]);
    a.notify.get_or_insert(false);
    a.create_anyway.get_or_insert(false);
}

/// A ticket's description is its first note, which ConnectWise shows the customer; `notify`
/// e-mails them.
fn ticket_contact(a: &CreateTicketArgs) -> Option<&'static str> {
    if a.description
        .as_deref()
        .is_some_and(|d| !d.trim().is_empty())
    {
        Some("A ticket description (ConnectWise shows it to the customer as the first note)")
    } else if a.notify == Some(true) {
        Some(crate::contact::NOTIFY)
    } else {
        None
    }
}

tool! {
    CreateTicket {
        name: "cw_create_ticket",
        title: "Create ticket",
        hints: ADD,
        contact: ticket_contact,
        toolset: TICKETS,
        args: CreateTicketArgs,
        output: TicketWritten,
        text: ticket_written_text,
        normalize: normalize_create,
        description: "Create a service ticket for a company (a likely duplicate is named instead), a device attached if given.",
    }
}

impl AsyncTool<Ctx> for CreateTicket {
    async fn invoke(ctx: &Ctx, a: CreateTicketArgs) -> Result<TicketWritten, ToolError> {
        let summary = check_summary(&a.summary)?;
        let company = Names::new(ctx).company(&a.company).await?;
        let contact = match a.contact.as_deref() {
            Some(c) => Some(Names::new(ctx).contact(c, Some(&company)).await?),
            None => None,
        };
        let board = match a.board.as_deref() {
            Some(b) => Some(Names::new(ctx).board(b).await?),
            None => None,
        };
        if (a.status.is_some() || a.r#type.is_some()) && board.is_none() {
            return Err(ToolError::invalid(
                "status and type belong to a board: give `board` too (a wrong one then lists the board's)",
            ));
        }
        let status = match (&board, a.status.as_deref()) {
            (Some(b), Some(s)) => Some(Names::new(ctx).status(b, s).await?),
            _ => None,
        };
        let ttype = match (&board, a.r#type.as_deref()) {
            (Some(b), Some(t)) => Some(Names::new(ctx).board_type(b, t).await?),
            _ => None,
        };
        let priority = match a.priority.as_deref() {
            Some(p) => Some(Names::new(ctx).priority(p).await?),
            None => None,
        };
        let owner = match a.owner.as_deref() {
            Some(o) => Some(Names::new(ctx).member(o).await?),
            None => None,
        };
        let device = match a.configuration.as_deref() {
            Some(c) => Some(Names::new(ctx).configuration(c, &company).await?),
            None => None,
        };
        if a.create_anyway != Some(true) {
            let dupes = likely_duplicates(
                ctx,
                company.id.unwrap_or_default(),
                &summary,
                device.as_ref().and_then(|d| d.id),
            )
            .await?;
            if !dupes.is_empty() {
                let listed: Vec<String> = dupes
                    .iter()
                    .map(|(t, why)| {
                        format!(
                            "#{} \"{}\" ({}, entered {}; {why})",
                            t.id.unwrap_or_default(),
                            t.summary
                                .as_deref()
                                .map(crate::untrusted::clean)
                                .unwrap_or_default(),
                            label(&t.status).unwrap_or_default(),
                            t.info
                                .date_entered
                                .as_deref()
                                .and_then(|d| d.get(..10))
                                .unwrap_or("?")
                        )
                    })
                    .collect();
                return Err(ToolError::invalid(format!(
                    "Not created: {} already has open tickets like this one from the last {DUPLICATE_DAYS} days. Add a note to one of them (cw_add_ticket_note), or call again with create_anyway: true if this is a different problem.\n{}",
                    label(&Some(company.clone())).unwrap_or_default(),
                    crate::untrusted::fence(&listed.join("\n"))
                )));
            }
        }
        let body = NewTicket {
            summary: summary.clone(),
            company: Ref::id(company.id.unwrap_or_default()),
            board: board.as_ref().and_then(|b| b.id).map(Ref::id),
            status: status.as_ref().and_then(|s| s.id).map(Ref::id),
            contact: contact.as_ref().and_then(|c| c.id).map(Ref::id),
            priority: priority.as_ref().and_then(|p| p.id).map(Ref::id),
            owner: owner.as_ref().and_then(|m| m.id).map(Ref::id),
            r#type: ttype.as_ref().and_then(|t| t.id).map(Ref::id),
            initial_description: a
                .description
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
            initial_internal_analysis: a
                .internal_note
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
            process_notifications: a.notify.unwrap_or(false),
        };
        let company_id = company.id.unwrap_or_default();
        let t: Ticket = reconcile::create_once(
            ctx,
            &format!("The ticket \"{summary}\""),
            ctx.cw.create(endpoints::TICKET_CREATE, &[], &body),
            |look: reconcile::Look| {
                let (summary, since) = (&summary, look.since);
                async move {
                    let q = ListQuery::new()
                        .conditions(
                            f("summary")
                                .eq(summary.as_str())
                                .and(f("company/id").eq(company_id))
                                .and(f("_info/dateEntered").ge(since)),
                        )
                        .fields(Ticket::FIELDS)
                        .order_by("id desc")
                        .page(1, 1);
                    Ok(ctx
                        .cw
                        .list::<Ticket>(endpoints::TICKETS, &[], &q)
                        .await?
                        .items
                        .into_iter()
                        .next())
                }
            },
        )
        .await?;
        let row = TicketRow::from(&t);
        let attached = match &device {
            None => String::new(),
            Some(d) => {
                let name = d.name.clone().unwrap_or_default();
                let sent = ctx
                    .cw
                    .create::<serde_json::Value>(
                        endpoints::TICKET_CONFIGURATION_ATTACH,
                        &[row.id],
                        &serde_json::json!({"id": d.id}),
                    )
                    .await;
                if let Err(e) = sent {
                    return Err(ToolError::Partial(format!(
                        "Created ticket #{} \"{}\", but configuration {name} could not be attached: {e}. Attach it to the ticket in ConnectWise; do not create the ticket again.",
                        row.id, row.summary
                    )));
                }
                format!(", configuration {name} attached")
            }
        };
        let message = format!(
            "Created ticket #{} \"{}\" for {} on {} with status {}{attached}{}.",
            row.id,
            row.summary,
            row.company.as_deref().unwrap_or("?"),
            row.board.as_deref().unwrap_or("?"),
            row.status.as_deref().unwrap_or("?"),
            if body.process_notifications {
                "; ConnectWise will send its e-mails"
            } else {
                "; no e-mail sent"
            }
        );
        Ok(TicketWritten {
            ticket: row,
            changes: vec![],
            unchanged: vec![],
            message,
        })
    }
}

fn ticket_written_text(out: &TicketWritten) -> String {
    format!("{}\n{}", out.message, out.ticket.line())
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct UpdateTicketArgs {
    pub ticket_id: i64,
    /// Of its board
    pub status: Option<String>,
    pub priority: Option<String>,
    /// "none" unassigns
    pub owner: Option<String>,
    /// Move to this board
    pub board: Option<String>,
    pub summary: Option<String>,
    pub r#type: Option<String>,
}

/// The patch an update sends, and the `field: before → after` lines it reports.
#[derive(Default)]
struct Edit {
    ops: Vec<PatchOp>,
    changes: Vec<String>,
    /// What was asked for but is already so: not sent.
    unchanged: Vec<String>,
}

impl Edit {
    /// Points a reference field at another record (replaced whole, as ConnectWise requires),
    /// unless it already points there.
    fn point(
        &mut self,
        path: &'static str,
        before: &Option<Ref>,
        to: &Option<String>,
        id: Option<i64>,
    ) {
        let to = to.as_deref().unwrap_or_default();
        if id.is_some() && before.as_ref().and_then(|r| r.id) == id {
            self.unchanged.push(format!("{path} {to}"));
            return;
        }
        let from = label(before).unwrap_or_else(|| "none".into());
        self.changes.push(format!("{path}: {from} → {to}"));
        self.ops
            .push(PatchOp::reference(path, &Ref::id(id.unwrap_or_default())));
    }
}

/// Names trimmed, so equivalent re-sends are the same write.
fn normalize_update(a: &mut UpdateTicketArgs) {
    for o in [
        &mut a.status,
        &mut a.priority,
        &mut a.owner,
        &mut a.board,
        &mut a.summary,
        &mut a.r#type,
    ] {
        *o = o.take().map(|v| v.trim().to_string());
    }
}

tool! {
    UpdateTicket {
        name: "cw_update_ticket",
        title: "Update ticket",
        hints: UPDATE,
        contact: crate::contact::never,
        toolset: TICKETS,
        args: UpdateTicketArgs,
        output: TicketWritten,
        text: ticket_written_text,
        normalize: normalize_update,
        description: "Change a ticket's status (a closing one closes it), priority, owner, board, type or summary.",
    }
}

impl AsyncTool<Ctx> for UpdateTicket {
    async fn invoke(ctx: &Ctx, a: UpdateTicketArgs) -> Result<TicketWritten, ToolError> {
        let id = a.ticket_id;
        if a.status.is_none()
            && a.priority.is_none()
            && a.owner.is_none()
            && a.board.is_none()
            && a.summary.is_none()
            && a.r#type.is_none()
        {
            return Err(ToolError::invalid("nothing to change: give at least one of status, priority, owner, board, type or summary"));
        }
        let before: TicketDetail = ctx
            .cw
            .get(endpoints::TICKET, &[id], TicketDetail::FIELDS)
            .await
            .map_err(|e| ToolError::or_missing(e, || no_ticket(id)))?;
        let mut edit = Edit::default();
        let board = match a.board.as_deref() {
            Some(b) => {
                let nb = Names::new(ctx).board(b).await?;
                edit.point("board", &before.board, &nb.name, nb.id);
                nb
            }
            None => {
                let bid = before.board.as_ref().and_then(|r| r.id).unwrap_or_default();
                Names::new(ctx)
                    .boards()
                    .await?
                    .iter()
                    .find(|b| b.id == Some(bid))
                    .cloned()
                    .ok_or_else(|| {
                        ToolError::invalid(format!(
                            "ticket #{id} is on a board these keys cannot see"
                        ))
                    })?
            }
        };
        let mut closing = false;
        if let Some(s) = a.status.as_deref() {
            let st = Names::new(ctx).status(&board, s).await?;
            let moves = before.status.as_ref().and_then(|r| r.id) != st.id;
            closing = moves && st.closed_status == Some(true);
            edit.point("status", &before.status, &st.name, st.id);
        }
        if let Some(t) = a.r#type.as_deref() {
            let ty = Names::new(ctx).board_type(&board, t).await?;
            edit.point("type", &before.r#type, &ty.name, ty.id);
        }
        if let Some(p) = a.priority.as_deref() {
            let pr = Names::new(ctx).priority(p).await?;
            edit.point("priority", &before.priority, &pr.name, pr.id);
        }
        match a.owner.as_deref().map(str::trim) {
            Some(o) if o.eq_ignore_ascii_case("none") || o.eq_ignore_ascii_case("unassigned") => {
                match ident(&before.owner) {
                    Some(was) => {
                        edit.changes.push(format!("owner: {was} → unassigned"));
                        edit.ops.push(PatchOp::remove("owner"));
                    }
                    None => edit.unchanged.push("no owner".into()),
                }
            }
            Some(o) => {
                let m = Names::new(ctx).member(o).await?;
                let before_owner = before.owner.as_ref().map(|r| Ref {
                    id: r.id,
                    name: r.identifier.clone().or(r.name.clone()),
                    ..Default::default()
                });
                edit.point("owner", &before_owner, &m.identifier, m.id);
            }
            None => {}
        }
        if let Some(s) = a.summary.as_deref() {
            let s = check_summary(s)?;
            let was = before.summary.clone().unwrap_or_default();
            if was.trim() == s {
                edit.unchanged.push(format!("summary \"{s}\""));
            } else {
                edit.changes.push(format!("summary: {was} → {s}"));
                edit.ops.push(PatchOp::replace("summary", s));
            }
        }
        let Edit {
            ops,
            changes,
            unchanged,
        } = edit;
        if ops.is_empty() {
            // Nothing to send: say so rather than write the same values again.
            return Ok(TicketWritten {
                ticket: TicketRow::from(&before),
                changes,
                message: format!(
                    "Nothing changed: ticket #{id} already has {}.",
                    unchanged.join("; ")
                ),
                unchanged,
            });
        }
        let after: Ticket = ctx.cw.patch(endpoints::TICKET_PATCH, &[id], &ops).await?;
        // PATCH answers with the whole record; re-read the list view for a consistent shape.
        let after = if after.summary.is_some() {
            after
        } else {
            ctx.cw.get(endpoints::TICKET, &[id], Ticket::FIELDS).await?
        };
        let row = TicketRow::from(&after);
        let message = format!(
            "Updated ticket #{id}: {}.{}{}",
            changes.join("; "),
            if unchanged.is_empty() {
                String::new()
            } else {
                format!(" It already had {}.", unchanged.join("; "))
            },
            if closing {
                " The ticket is now closed."
            } else {
                ""
            }
        );
        Ok(TicketWritten {
            ticket: row,
            changes,
            unchanged,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::similar;

    #[test]
    fn summaries_that_share_most_words_are_alike() {
        assert!(similar(
            "Printer on 2nd floor shows offline",
            "PRINTER ON 2ND FLOOR SHOWS OFFLINE"
        ));
        assert!(similar(
            "Outlook keeps asking for password",
            "Outlook keeps asking for a password again"
        ));
        assert!(!similar(
            "New laptop",
            "New laptop setup for Tomasz Bennett"
        ));
        assert!(!similar("VPN drops", "Printer offline"));
        assert!(!similar("", ""));
    }
}
