//! Ticket notes: list them, and add one. Notes are internal unless a customer-visible one is
//! asked for, the result says which it made, and ConnectWise sends no e-mail unless asked.

use chrono::{DateTime, Utc};
use cw_client::endpoints;
use cw_client::models::{AllNote, NewNote, Note};
use cw_client::{Error, ListQuery};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ticket_detail::{NoteKind, NoteOut};
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::f;
use crate::reconcile;
use crate::tool;
use crate::tools::args::PageArgs;
use crate::tools::render::PageInfo;
use crate::tools::{ADD, READ, TICKETS};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoteFilter {
    #[default]
    All,
    Internal,
    Discussion,
    Resolution,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ListNotesArgs {
    pub ticket_id: i64,
    pub kind: Option<NoteFilter>,
    /// Default true
    pub include_time_entry_notes: Option<bool>,
    #[serde(flatten)]
    pub paging: PageArgs,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct NoteList {
    pub ticket_id: i64,
    /// Newest first.
    pub notes: Vec<NoteOut>,
    #[serde(flatten)]
    pub page: PageInfo,
}

tool! {
    ListTicketNotes {
        name: "cw_list_ticket_notes",
        title: "List ticket notes",
        hints: READ,
        toolset: TICKETS,
        args: ListNotesArgs,
        output: NoteList,
        text: list_ticket_notes_text,
        description: "A ticket's notes, newest first, with author and kind.",
    }
}

impl AsyncTool<Ctx> for ListTicketNotes {
    async fn invoke(ctx: &Ctx, a: ListNotesArgs) -> Result<NoteList, ToolError> {
        let (page, size) = a.paging.get(20)?;
        let id = a.ticket_id;
        let with_time = a.include_time_entry_notes.unwrap_or(true);
        let all = ctx
            .cw
            .list::<AllNote>(
                endpoints::TICKET_ALL_NOTES,
                &[id],
                &ListQuery::new().fields(AllNote::FIELDS).page(1, 1000),
            )
            .await;
        let mut notes: Vec<NoteOut> = match all {
            Ok(p) => p.items.iter().map(NoteOut::from_all_note).collect(),
            Err(Error::Api(e)) if e.status == 404 => {
                // Either the ticket is missing or the server predates allNotes: ask the notes route.
                match ctx
                    .cw
                    .list::<Note>(
                        endpoints::TICKET_NOTES,
                        &[id],
                        &ListQuery::new().fields(Note::FIELDS).page(1, 1000),
                    )
                    .await
                {
                    Ok(p) => p.items.iter().map(NoteOut::from_note).collect(),
                    Err(Error::Api(e)) if e.status == 404 => {
                        return Err(ToolError::not_found(format!(
                            "Ticket #{id} does not exist, or these keys cannot see it."
                        )))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        };
        notes.retain(|n| with_time || !n.from_time_entry);
        if let Some(k) = a.kind.filter(|k| *k != NoteFilter::All) {
            let want = match k {
                NoteFilter::Internal => NoteKind::Internal,
                NoteFilter::Discussion => NoteKind::Discussion,
                _ => NoteKind::Resolution,
            };
            notes.retain(|n| n.kind == want);
        }
        notes.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
        let total = notes.len();
        let start = ((page - 1) * size) as usize;
        let shown: Vec<NoteOut> = notes.into_iter().skip(start).take(size as usize).collect();
        let has_more = start + shown.len() < total;
        Ok(NoteList {
            ticket_id: id,
            page: PageInfo {
                page,
                page_size: size,
                returned: shown.len(),
                has_more,
                next_page: has_more.then_some(page + 1),
            },
            notes: shown,
        })
    }
}

fn list_ticket_notes_text(out: &NoteList) -> String {
    let mut lines = vec![format!(
        "Notes on ticket #{} (newest first):",
        out.ticket_id
    )];
    lines.extend(NoteOut::render_all(&out.notes));
    lines.push(out.page.footer());
    lines.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct AddNoteArgs {
    pub ticket_id: i64,
    pub text: String,
    /// Default internal; discussion and resolution are customer-visible
    pub visibility: Option<NoteKind>,
    pub notify: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AddedNote {
    pub ticket_id: i64,
    pub note: NoteOut,
    /// Whether the customer can see it in ConnectWise and the portal.
    pub customer_visible: bool,
    /// Whether ConnectWise was asked to send e-mail about it.
    pub notified: bool,
    pub message: String,
}

/// Longest note accepted.
const MAX_NOTE: usize = 20_000;

/// Defaults spelled out and text trimmed, so a re-send that differs only in those is the same
/// write.
fn normalize_note(a: &mut AddNoteArgs) {
    a.text = a.text.trim().to_string();
    a.visibility.get_or_insert(NoteKind::Internal);
    a.notify.get_or_insert(false);
}

/// A discussion or resolution note is shown to the customer; `notify` e-mails them.
fn note_contact(a: &AddNoteArgs) -> Option<&'static str> {
    match a.visibility {
        Some(NoteKind::Discussion) => Some("A discussion note (the customer sees it)"),
        Some(NoteKind::Resolution) => Some("A resolution note (the customer sees it)"),
        _ if a.notify == Some(true) => Some(crate::contact::NOTIFY),
        _ => None,
    }
}

tool! {
    AddTicketNote {
        name: "cw_add_ticket_note",
        title: "Add ticket note",
        hints: ADD,
        contact: note_contact,
        toolset: TICKETS,
        args: AddNoteArgs,
        output: AddedNote,
        text: add_ticket_note_text,
        normalize: normalize_note,
        description: "Add a note to a ticket as me; the answer says who can see it.",
    }
}

impl AsyncTool<Ctx> for AddTicketNote {
    async fn invoke(ctx: &Ctx, a: AddNoteArgs) -> Result<AddedNote, ToolError> {
        let text = a.text.trim();
        if text.is_empty() {
            return Err(ToolError::invalid("text is empty: give the note's text"));
        }
        if text.chars().count() > MAX_NOTE {
            return Err(ToolError::invalid(format!("text is longer than {MAX_NOTE} characters; shorten it or split it into several notes")));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(ToolError::invalid(
                "text contains control characters; remove them",
            ));
        }
        let kind = a.visibility.unwrap_or(NoteKind::Internal);
        let notify = a.notify.unwrap_or(false);
        let body = NewNote {
            text: text.to_string(),
            detail_description_flag: kind == NoteKind::Discussion,
            internal_analysis_flag: kind == NoteKind::Internal,
            resolution_flag: kind == NoteKind::Resolution,
            process_notifications: notify,
        };
        let id = a.ticket_id;
        let created = match reconcile::create_once(
            ctx,
            &format!("The note on ticket #{id}"),
            ctx.cw
                .create::<Note>(endpoints::TICKET_NOTE_CREATE, &[id], &body),
            |look| find_note(ctx, id, text, look.since),
        )
        .await
        {
            Err(ToolError::Upstream(Error::Api(e), _)) if e.status == 404 => {
                return Err(ToolError::not_found(format!(
                    "Ticket #{id} does not exist, or these keys cannot see it; no note was added."
                )))
            }
            other => other?,
        };
        let note = NoteOut::from_note(&created);
        let customer_visible = kind != NoteKind::Internal;
        let message = format!(
            "Added {} note #{} to ticket #{id}{}{}.",
            match kind {
                NoteKind::Internal => "an internal",
                NoteKind::Discussion => "a customer-visible discussion",
                NoteKind::Resolution => "a customer-visible resolution",
            },
            note.id,
            if customer_visible {
                " (the customer can see it)"
            } else {
                " (not visible to the customer)"
            },
            if notify {
                "; ConnectWise will e-mail about it"
            } else {
                "; no e-mail sent"
            }
        );
        Ok(AddedNote {
            ticket_id: id,
            note,
            customer_visible,
            notified: notify,
            message,
        })
    }
}

fn add_ticket_note_text(out: &AddedNote) -> String {
    out.message.clone()
}

/// The note just written, if it is there: same text, by me, made since the request was sent.
async fn find_note(
    ctx: &Ctx,
    ticket: i64,
    text: &str,
    since: DateTime<Utc>,
) -> Result<Option<Note>, Error> {
    let me = ctx.me().await.ok().map(|m| m.to_lowercase());
    let page = ctx
        .cw
        .list::<Note>(
            endpoints::TICKET_NOTES,
            &[ticket],
            &ListQuery::new()
                .conditions(f("dateCreated").ge(since))
                .fields(Note::FIELDS)
                .order_by("id desc")
                .page(1, 25),
        )
        .await?;
    Ok(page.items.into_iter().find(|n| {
        n.text.as_deref().map(str::trim) == Some(text)
            && (me.is_none()
                || n.member
                    .as_ref()
                    .and_then(|m| m.identifier.as_deref())
                    .map(str::to_lowercase)
                    == me)
    }))
}
