//! Service beyond the ticket itself: its task checklist, one board's whole setup (defaults,
//! statuses, types, teams with their members), the MSP's service teams and ticket sources.

use std::collections::BTreeMap;

use cw_client::endpoints;
use cw_client::models::{BoardDetail, BoardTeam, ServiceTeam, Source, TicketTask};
use cw_client::{ListQuery, PatchOp};
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::no_ticket;
use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::render::{clean, ident, label};
use crate::tools::{ADD, READ, SERVICE, UPDATE};
use crate::untrusted;

/// Longest task text accepted: ConnectWise keeps a task's summary to 100 characters and its
/// notes to a long text; a task is a line of a checklist.
const MAX_TASK_SUMMARY: usize = 100;
const MAX_TASK_NOTES: usize = 4000;

#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskRow {
    pub id: i64,
    /// Its place in the checklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    pub done: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl From<&TicketTask> for TaskRow {
    fn from(t: &TicketTask) -> Self {
        let text = |s: &Option<String>| {
            s.as_deref()
                .map(|s| untrusted::customer_text(s, 300))
                .filter(|s| !s.is_empty())
        };
        TaskRow {
            id: t.id.unwrap_or_default(),
            order: t.priority,
            done: t.closed_flag.unwrap_or(false),
            summary: text(&t.summary),
            notes: text(&t.notes),
            resolution: text(&t.resolution),
            member: ident(&t.member),
        }
    }
}

impl TaskRow {
    fn line(&self) -> String {
        let mut s = format!("- [{}] {}", if self.done { "x" } else { " " }, self.id);
        for part in [&self.summary, &self.notes].into_iter().flatten() {
            s.push_str(&format!(" {}", part.replace('\n', " ")));
        }
        if let Some(r) = &self.resolution {
            s.push_str(&format!(" → {}", r.replace('\n', " ")));
        }
        s
    }
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct TicketTasksArgs {
    pub ticket_id: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskList {
    pub ticket_id: i64,
    pub tasks: Vec<TaskRow>,
    pub done: usize,
}

async fn tasks(ctx: &Ctx, ticket: i64) -> Result<Vec<TicketTask>, ToolError> {
    let q = ListQuery::new()
        .fields(TicketTask::FIELDS)
        .order_by("priority asc, id asc")
        .page(1, 100);
    ctx.cw
        .list::<TicketTask>(endpoints::TICKET_TASKS, &[ticket], &q)
        .await
        .map(|p| p.items)
        .map_err(|e| ToolError::or_missing(e, || no_ticket(ticket)))
}

tool! {
    ListTicketTasks {
        name: "cw_list_ticket_tasks",
        title: "Ticket tasks",
        hints: READ,
        toolset: SERVICE,
        args: TicketTasksArgs,
        output: TaskList,
        text: task_list_text,
        description: "A ticket's task checklist: what is done and what is left.",
    }
}

impl AsyncTool<Ctx> for ListTicketTasks {
    async fn invoke(ctx: &Ctx, a: TicketTasksArgs) -> Result<TaskList, ToolError> {
        let rows: Vec<TaskRow> = tasks(ctx, a.ticket_id)
            .await?
            .iter()
            .map(TaskRow::from)
            .collect();
        Ok(TaskList {
            ticket_id: a.ticket_id,
            done: rows.iter().filter(|t| t.done).count(),
            tasks: rows,
        })
    }
}

fn task_list_text(out: &TaskList) -> String {
    let mut l = vec![format!(
        "Tasks on #{}: {} of {} done",
        out.ticket_id,
        out.done,
        out.tasks.len()
    )];
    l.extend(out.tasks.iter().map(TaskRow::line));
    untrusted::fence(&l.join("\n"))
}

/// A task as ConnectWise takes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewTask<'a> {
    ticket_id: i64,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    /// Its place in the checklist.
    priority: i64,
    closed_flag: bool,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct AddTaskArgs {
    pub ticket_id: i64,
    /// The task, one line
    pub summary: String,
    /// Details
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskWritten {
    pub ticket_id: i64,
    pub task: TaskRow,
    pub message: String,
}

fn normalize_task(a: &mut AddTaskArgs) {
    a.summary = a.summary.trim().to_string();
    a.notes = a
        .notes
        .take()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
}

tool! {
    AddTicketTask {
        name: "cw_add_ticket_task",
        title: "Add a ticket task",
        hints: ADD,
        contact: crate::contact::never,
        toolset: SERVICE,
        args: AddTaskArgs,
        output: TaskWritten,
        text: task_written_text,
        normalize: normalize_task,
        description: "Add a task to a ticket's checklist, at the end.",
    }
}

impl AsyncTool<Ctx> for AddTicketTask {
    async fn invoke(ctx: &Ctx, a: AddTaskArgs) -> Result<TaskWritten, ToolError> {
        let n = a.summary.chars().count();
        if n == 0 || n > MAX_TASK_SUMMARY {
            return Err(ToolError::invalid(format!(
                "summary must be 1 to {MAX_TASK_SUMMARY} characters (it is {n}); put details in notes"
            )));
        }
        if a.notes
            .as_deref()
            .is_some_and(|n| n.chars().count() > MAX_TASK_NOTES)
        {
            return Err(ToolError::invalid(format!(
                "notes can be at most {MAX_TASK_NOTES} characters"
            )));
        }
        let tid = a.ticket_id;
        let existing = tasks(ctx, tid).await?;
        let last = existing.iter().filter_map(|t| t.id).max().unwrap_or(0);
        let order = existing
            .iter()
            .filter_map(|t| t.priority)
            .max()
            .unwrap_or(0)
            + 1;
        let body = NewTask {
            ticket_id: tid,
            summary: &a.summary,
            notes: a.notes.as_deref(),
            priority: order,
            closed_flag: false,
        };
        let summary = a.summary.clone();
        let created: TicketTask = crate::reconcile::create_once(
            ctx,
            &format!("The task on ticket #{tid}"),
            ctx.cw.create(endpoints::TICKET_TASK_CREATE, &[tid], &body),
            // A task has no creation time to filter on: a newer id with the same text is it.
            // Checking an earlier attempt (a re-send), whose task is older than this call's
            // view of the list, any task with the same text is.
            |look| {
                let summary = &summary;
                async move {
                    let again = tasks(ctx, tid)
                        .await
                        .map_err(|e| cw_client::Error::Invalid(e.to_string()))?;
                    Ok(again.into_iter().find(|t| {
                        (look.earlier || t.id.unwrap_or(0) > last)
                            && t.summary.as_deref() == Some(summary.as_str())
                    }))
                }
            },
        )
        .await?;
        let task = TaskRow::from(&created);
        let message = format!(
            "Added task {} to ticket #{tid}; it now has {} tasks.",
            task.id,
            existing.len() + 1
        );
        Ok(TaskWritten {
            ticket_id: tid,
            task,
            message,
        })
    }
}

fn task_written_text(out: &TaskWritten) -> String {
    format!("{}\n{}", out.message, untrusted::fence(&out.task.line()))
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CompleteTaskArgs {
    pub ticket_id: i64,
    pub task_id: i64,
    /// What was done
    pub resolution: Option<String>,
    /// Set false to reopen the task (default true)
    pub done: Option<bool>,
}

tool! {
    CompleteTicketTask {
        name: "cw_complete_ticket_task",
        title: "Complete a ticket task",
        hints: UPDATE,
        contact: crate::contact::never,
        toolset: SERVICE,
        args: CompleteTaskArgs,
        output: TaskWritten,
        text: task_written_text,
        description: "Tick off a ticket task, with what was done (or reopen it with done: false).",
    }
}

impl AsyncTool<Ctx> for CompleteTicketTask {
    async fn invoke(ctx: &Ctx, a: CompleteTaskArgs) -> Result<TaskWritten, ToolError> {
        let (tid, id) = (a.ticket_id, a.task_id);
        let done = a.done.unwrap_or(true);
        let resolution = a
            .resolution
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if resolution.is_some_and(|r| r.chars().count() > MAX_TASK_NOTES) {
            return Err(ToolError::invalid(format!(
                "resolution can be at most {MAX_TASK_NOTES} characters"
            )));
        }
        let before: TicketTask = ctx
            .cw
            .get(endpoints::TICKET_TASK, &[tid, id], TicketTask::FIELDS)
            .await
            .map_err(|e| {
                ToolError::or_missing(e, || {
                    format!("Ticket #{tid} has no task {id}; cw_list_ticket_tasks lists them.")
                })
            })?;
        let mut ops = Vec::new();
        if before.closed_flag.unwrap_or(false) != done {
            ops.push(PatchOp::replace("closedFlag", done));
        }
        if let Some(r) = resolution.filter(|r| before.resolution.as_deref() != Some(*r)) {
            ops.push(PatchOp::replace("resolution", r));
        }
        if ops.is_empty() {
            return Ok(TaskWritten {
                ticket_id: tid,
                task: TaskRow::from(&before),
                message: format!(
                    "Nothing changed: task {id} on ticket #{tid} is already {}.",
                    if done { "done" } else { "open" }
                ),
            });
        }
        let after: TicketTask = ctx
            .cw
            .patch(endpoints::TICKET_TASK_PATCH, &[tid, id], &ops)
            .await?;
        Ok(TaskWritten {
            ticket_id: tid,
            task: TaskRow::from(&after),
            message: format!(
                "Task {id} on ticket #{tid} is {}.",
                if done { "done" } else { "open again" }
            ),
        })
    }
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GetBoardArgs {
    /// Board name or id
    pub board: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardStatusOut {
    pub name: String,
    /// Setting it closes the ticket.
    pub closes: bool,
    pub default: bool,
    /// Time cannot be logged on tickets in it.
    pub no_time: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TeamOut {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// Member identifiers.
    pub members: Vec<String>,
    pub default: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardFull {
    pub id: i64,
    pub name: String,
    /// Defaults and people of the board: location, department, work role and type,
    /// dispatcher, service and duty managers.
    pub setup: BTreeMap<String, String>,
    pub statuses: Vec<BoardStatusOut>,
    pub types: Vec<String>,
    pub teams: Vec<TeamOut>,
}

tool! {
    GetBoard {
        name: "cw_get_board",
        title: "One board",
        hints: READ,
        toolset: SERVICE,
        args: GetBoardArgs,
        output: BoardFull,
        text: board_text,
        description: "One service board: its defaults and managers, statuses (closing, no-time), types, and teams with members.",
    }
}

impl AsyncTool<Ctx> for GetBoard {
    async fn invoke(ctx: &Ctx, a: GetBoardArgs) -> Result<BoardFull, ToolError> {
        let names = Names::new(ctx);
        let b = names.board(&a.board).await?;
        let id = b.id.unwrap_or_default();
        let teams_q = ListQuery::new()
            .fields(BoardTeam::FIELDS)
            .order_by("name asc")
            .page(1, 100);
        let ids = [id];
        let (detail, statuses, types, teams, members) = tokio::join!(
            ctx.cw
                .get::<BoardDetail>(endpoints::BOARD, &ids, BoardDetail::FIELDS),
            names.statuses(id),
            names.board_types(id),
            ctx.cw
                .list::<BoardTeam>(endpoints::BOARD_TEAMS, &ids, &teams_q),
            names.members(),
        );
        let (detail, members) = (detail?, members?);
        let member = |mid: i64| {
            members
                .iter()
                .find(|m| m.id == Some(mid))
                .and_then(|m| m.identifier.clone())
                .unwrap_or_else(|| format!("member {mid}"))
        };
        let mut setup = BTreeMap::new();
        for (k, v) in [
            ("location", label(&detail.location)),
            ("department", label(&detail.department)),
            ("work role", label(&detail.work_role)),
            ("work type", label(&detail.work_type)),
            ("dispatcher", ident(&detail.dispatch_member)),
            ("service manager", ident(&detail.service_manager_member)),
            ("duty manager", ident(&detail.duty_manager_member)),
        ] {
            if let Some(v) = v {
                setup.insert(k.to_string(), v);
            }
        }
        if detail.time_entry_locked_flag == Some(true) {
            setup.insert("time entries".into(), "locked".into());
        }
        let mut statuses: Vec<_> = statuses?
            .iter()
            .filter(|s| s.inactive != Some(true))
            .cloned()
            .collect();
        statuses.sort_by_key(|s| s.sort_order.unwrap_or(0));
        Ok(BoardFull {
            id,
            name: clean(&detail.name).or(b.name.clone()).unwrap_or_default(),
            setup,
            statuses: statuses
                .iter()
                .map(|s| BoardStatusOut {
                    name: s.name.clone().unwrap_or_default(),
                    closes: s.closed_status == Some(true),
                    default: s.default_flag == Some(true),
                    no_time: s.time_entry_not_allowed == Some(true),
                })
                .collect(),
            types: types?
                .iter()
                .filter(|t| t.inactive_flag != Some(true))
                .filter_map(|t| t.name.clone())
                .collect(),
            teams: teams?
                .items
                .iter()
                .map(|t| TeamOut {
                    name: clean(&t.name).unwrap_or_default(),
                    leader: ident(&t.team_leader),
                    members: t.members.iter().flatten().map(|m| member(*m)).collect(),
                    default: t.default_flag == Some(true),
                })
                .collect(),
        })
    }
}

fn board_text(b: &BoardFull) -> String {
    let mut l = vec![format!("Board {} (id {})", b.name, b.id)];
    if !b.setup.is_empty() {
        let s: Vec<String> = b.setup.iter().map(|(k, v)| format!("{k} {v}")).collect();
        l.push(format!("  setup: {}", s.join(", ")));
    }
    let st: Vec<String> = b
        .statuses
        .iter()
        .map(|s| {
            let mut n = s.name.clone();
            for (on, tag) in [
                (s.closes, " (closes)"),
                (s.default, " (default)"),
                (s.no_time, " (no time)"),
            ] {
                if on {
                    n.push_str(tag);
                }
            }
            n
        })
        .collect();
    l.push(format!("  statuses: {}", st.join(", ")));
    l.push(format!("  types: {}", b.types.join(", ")));
    if b.teams.is_empty() {
        l.push("  teams: none".into());
    }
    for t in &b.teams {
        l.push(format!(
            "  team {}{}{}: {}",
            t.name,
            t.leader
                .as_deref()
                .map(|x| format!(", led by {x}"))
                .unwrap_or_default(),
            if t.default { " (default)" } else { "" },
            t.members.join(", ")
        ));
    }
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct NoArgs {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceTeamOut {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServiceTeams {
    pub teams: Vec<ServiceTeamOut>,
}

tool! {
    ListServiceTeams {
        name: "cw_list_service_teams",
        title: "Service teams",
        hints: READ,
        toolset: SERVICE,
        args: NoArgs,
        output: ServiceTeams,
        text: service_teams_text,
        description: "The MSP's service teams with their leaders (a board's own teams: cw_get_board).",
    }
}

impl AsyncTool<Ctx> for ListServiceTeams {
    async fn invoke(ctx: &Ctx, _: NoArgs) -> Result<ServiceTeams, ToolError> {
        let q = ListQuery::new()
            .fields(ServiceTeam::FIELDS)
            .order_by("name asc")
            .page(1, 100);
        let p = ctx
            .cw
            .list::<ServiceTeam>(endpoints::SERVICE_TEAMS, &[], &q)
            .await?;
        Ok(ServiceTeams {
            teams: p
                .items
                .iter()
                .map(|t| ServiceTeamOut {
                    id: t.id.unwrap_or_default(),
                    name: clean(&t.name).unwrap_or_default(),
                    leader: ident(&t.leader),
                    location: label(&t.location),
                    department: label(&t.department),
                })
                .collect(),
        })
    }
}

fn service_teams_text(out: &ServiceTeams) -> String {
    let mut l = vec!["Service teams:".to_string()];
    l.extend(out.teams.iter().map(|t| {
        let mut s = format!("- {}", t.name);
        if let Some(x) = &t.leader {
            s.push_str(&format!(", led by {x}"));
        }
        let place: Vec<&str> = [&t.location, &t.department]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !place.is_empty() {
            s.push_str(&format!(" ({})", place.join(", ")));
        }
        s
    }));
    l.join("\n")
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Sources {
    pub sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

tool! {
    ListTicketSources {
        name: "cw_list_ticket_sources",
        title: "Ticket sources",
        hints: READ,
        toolset: SERVICE,
        args: NoArgs,
        output: Sources,
        text: sources_text,
        description: "Where tickets come from (phone, e-mail, portal …): the names a ticket's source takes.",
    }
}

impl AsyncTool<Ctx> for ListTicketSources {
    async fn invoke(ctx: &Ctx, _: NoArgs) -> Result<Sources, ToolError> {
        let q = ListQuery::new()
            .fields(Source::FIELDS)
            .order_by("name asc")
            .page(1, 100);
        let p = ctx.cw.list::<Source>(endpoints::SOURCES, &[], &q).await?;
        Ok(Sources {
            default: p
                .items
                .iter()
                .find(|s| s.default_flag == Some(true))
                .and_then(|s| clean(&s.name)),
            sources: p.items.iter().filter_map(|s| clean(&s.name)).collect(),
        })
    }
}

fn sources_text(out: &Sources) -> String {
    format!(
        "Ticket sources: {}{}",
        out.sources.join(", "),
        out.default
            .as_deref()
            .map(|d| format!(" (default {d})"))
            .unwrap_or_default()
    )
}
