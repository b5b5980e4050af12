//! `cw_close_ticket`: the close-out a technician does many times a day, in one call: the time
//! spent, a resolution note the customer sees, and a closing status of the ticket's board.
//! Without `confirm` it answers with exactly what it would write. With it, the parts run in a
//! safe order (time first, while the ticket still takes time; the status last, so a ticket is
//! never closed without its note), each through the same pipeline as its own tool (checks,
//! attribution, write-once), and the answer reports every part truthfully: a part that fails
//! stops the rest, and what was already written is named.

use cw_client::endpoints;
use cw_client::models::{BoardStatus, TicketDetail};
use rmcp::handler::server::router::tool::AsyncTool;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::no_ticket;
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::trim_each;
use crate::tools::render::label;
use crate::tools::{ADD, TICKETS};

/// Longest resolution accepted: a resolution is a few paragraphs, and a note holds 20,000.
const MAX_RESOLUTION: usize = 20_000;

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CloseArgs {
    pub ticket_id: i64,
    /// What fixed it; the customer sees it
    pub resolution: String,
    // Time spent, logged as just ended.
    pub duration_minutes: Option<u32>,
    pub work_type: Option<String>,
    /// Default: the board's first closing status
    pub status: Option<String>,
    /// Else a preview
    pub confirm: Option<bool>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Part {
    /// time, resolution note, status.
    pub part: String,
    /// would do, done, failed, not done.
    pub state: String,
    pub detail: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CloseOut {
    pub ticket_id: i64,
    /// Nothing was written: this is what confirm: true would write.
    pub preview: bool,
    pub parts: Vec<Part>,
    pub message: String,
}

fn normalize_close(a: &mut CloseArgs) {
    a.resolution = a.resolution.trim().to_string();
    trim_each([&mut a.work_type, &mut a.status]);
    a.confirm.get_or_insert(false);
}

tool! {
    CloseTicket {
        name: "cw_close_ticket",
        title: "Close out a ticket",
        hints: ADD,
        contact: |_: &CloseArgs| Some("A close-out's resolution note (the customer sees it)"),
        toolset: TICKETS,
        args: CloseArgs,
        output: CloseOut,
        text: close_text,
        normalize: normalize_close,
        description: "Close out a ticket: time spent, a resolution note the customer sees, a closing status. Previews unless confirm is true.",
    }
}

/// The board's closing status the caller named, or its first by sort order.
async fn closing_status(
    ctx: &Ctx,
    t: &TicketDetail,
    wanted: Option<&str>,
) -> Result<BoardStatus, ToolError> {
    let names = Names::new(ctx);
    let bid = t.board.as_ref().and_then(|b| b.id).unwrap_or_default();
    let board = names
        .boards()
        .await?
        .iter()
        .find(|b| b.id == Some(bid))
        .cloned()
        .ok_or_else(|| {
            ToolError::invalid(format!(
                "ticket #{} is on a board these keys cannot see",
                t.id.unwrap_or_default()
            ))
        })?;
    let mut closing: Vec<BoardStatus> = names
        .statuses(bid)
        .await?
        .iter()
        .filter(|s| s.closed_status == Some(true) && s.inactive != Some(true))
        .cloned()
        .collect();
    closing.sort_by_key(|s| s.sort_order.unwrap_or(0));
    let list = || {
        closing
            .iter()
            .filter_map(|s| s.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(w) => {
            let s = names.status(&board, w).await?;
            if s.closed_status == Some(true) {
                Ok(s)
            } else {
                Err(ToolError::invalid(format!(
                    "status \"{}\" does not close a ticket on {}; its closing statuses: {}",
                    s.name.unwrap_or_default(),
                    board.name.unwrap_or_default(),
                    list()
                )))
            }
        }
        None => closing.first().cloned().ok_or_else(|| {
            ToolError::invalid(format!(
                "board {} has no closing status; close the ticket with cw_update_ticket and a status that closes it",
                board.name.clone().unwrap_or_default()
            ))
        }),
    }
}

/// The id of the record a part's tool answered with (`entry`, `note`).
fn id_of(out: &Value, record: &str) -> String {
    out.get(record)
        .and_then(|r| r.get("id"))
        .map(Value::to_string)
        .unwrap_or_else(|| "?".into())
}

/// Arguments for a part's tool, without the ones left unset.
fn args(v: Value) -> JsonObject {
    let mut o = v.as_object().cloned().unwrap_or_default();
    o.retain(|_, v| !v.is_null());
    o
}

impl AsyncTool<Ctx> for CloseTicket {
    async fn invoke(ctx: &Ctx, a: CloseArgs) -> Result<CloseOut, ToolError> {
        let id = a.ticket_id;
        let n = a.resolution.chars().count();
        if n == 0 || n > MAX_RESOLUTION {
            return Err(ToolError::invalid(format!(
                "resolution must be 1 to {MAX_RESOLUTION} characters: what fixed it, as the customer will read it"
            )));
        }
        crate::tools::when::minutes(a.duration_minutes)?;
        let t: TicketDetail = ctx
            .cw
            .get(endpoints::TICKET, &[id], TicketDetail::FIELDS)
            .await
            .map_err(|e| ToolError::or_missing(e, || no_ticket(id)))?;
        if t.closed_flag == Some(true) {
            return Err(ToolError::invalid(format!(
                "ticket #{id} is already closed ({}); add a note with cw_add_ticket_note, or reopen it with cw_update_ticket",
                label(&t.status).unwrap_or_default()
            )));
        }
        let status = closing_status(ctx, &t, a.status.as_deref()).await?;
        let to = status.name.clone().unwrap_or_default();
        let from = label(&t.status).unwrap_or_else(|| "?".into());
        if let Some(w) = a.work_type.as_deref() {
            Names::new(ctx).work_type(w).await?;
        }
        let me = ctx.me().await?;

        // The parts, in the order they run, each with the tool and arguments that do it.
        let mut plan: Vec<(Part, &str, JsonObject)> = Vec::new();
        if let Some(m) = a.duration_minutes {
            let time = json!({
                "ticket_id": id,
                "duration_minutes": m,
                "notes": a.resolution,
                "notes_to": "none",
                "work_type": a.work_type,
            });
            plan.push((
                Part {
                    part: "time".into(),
                    state: "would do".into(),
                    detail: format!(
                        "log {m} min as {me}{}, ending now",
                        a.work_type
                            .as_deref()
                            .map(|w| format!(" ({w})"))
                            .unwrap_or_default()
                    ),
                },
                "cw_create_time_entry",
                args(time),
            ));
        }
        let preview: String = a.resolution.chars().take(120).collect();
        plan.push((
            Part {
                part: "resolution note".into(),
                state: "would do".into(),
                detail: format!(
                    "add a resolution note the customer sees: \"{preview}{}\"",
                    if n > 120 { "…" } else { "" }
                ),
            },
            "cw_add_ticket_note",
            args(json!({"ticket_id": id, "text": a.resolution, "visibility": "resolution"})),
        ));
        plan.push((
            Part {
                part: "status".into(),
                state: "would do".into(),
                detail: format!("{from} → {to} (closes the ticket)"),
            },
            "cw_update_ticket",
            args(json!({"ticket_id": id, "status": to})),
        ));

        if a.confirm != Some(true) {
            let parts: Vec<Part> = plan.into_iter().map(|(p, _, _)| p).collect();
            return Ok(CloseOut {
                ticket_id: id,
                preview: true,
                message: format!(
                    "Preview of closing ticket #{id} {}: nothing was written. Call again with confirm: true to do it.",
                    t.summary.as_deref().map(crate::untrusted::clean).unwrap_or_default()
                ),
                parts,
            });
        }

        let mut parts: Vec<Part> = Vec::new();
        let mut failed: Option<String> = None;
        for (mut part, tool, args) in plan {
            if failed.is_some() {
                part.state = "not done".into();
                part.detail = format!("not tried: an earlier part failed ({})", part.detail);
                parts.push(part);
                continue;
            }
            match ctx.call_tool(tool, args).await {
                Ok((out, _)) => {
                    part.state = "done".into();
                    part.detail = match part.part.as_str() {
                        "time" => format!(
                            "{} (time entry {})",
                            part.detail.replace("log", "logged"),
                            id_of(&out, "entry")
                        ),
                        "resolution note" => format!("added (note {})", id_of(&out, "note")),
                        _ => part.detail.clone(),
                    };
                }
                Err(e) => {
                    part.state = "failed".into();
                    part.detail = e.to_string();
                    failed = Some(part.part.clone());
                }
            }
            parts.push(part);
        }
        let report = parts
            .iter()
            .map(|p| format!("{}: {}, {}", p.part, p.state, p.detail))
            .collect::<Vec<_>>()
            .join("; ");
        match failed {
            None => Ok(CloseOut {
                ticket_id: id,
                preview: false,
                message: format!("Closed ticket #{id}: {report}."),
                parts,
            }),
            Some(_) if parts.iter().all(|p| p.state != "done") => Err(ToolError::NotWritten(
                format!("Ticket #{id} was not closed and nothing was written: {report}."),
            )),
            Some(what) => Err(ToolError::Partial(format!(
                "Ticket #{id} was NOT closed: the {what} failed, after part of the close-out was written. {report}. Fix what failed and call again with the same arguments within two minutes: the parts already done are answered, not written twice."
            ))),
        }
    }
}

fn close_text(out: &CloseOut) -> String {
    let mut l = vec![out.message.clone()];
    if out.preview {
        l.extend(
            out.parts
                .iter()
                .map(|p| format!("- {}: {}", p.part, p.detail)),
        );
    }
    crate::untrusted::fence(&l.join("\n"))
}
