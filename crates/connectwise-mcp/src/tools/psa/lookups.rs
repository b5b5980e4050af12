//! The names an assistant needs to act by name: boards with their statuses and types,
//! priorities, and work types. Served from the per-credential lookup cache.

use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::{READ, SERVICE, TIMESHEETS};

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ListBoardsArgs {
    // Only this board.
    pub board: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusOut {
    pub id: i64,
    pub name: String,
    /// Setting this status closes the ticket.
    pub closes_ticket: bool,
    pub default: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardOut {
    pub id: i64,
    pub name: String,
    pub statuses: Vec<StatusOut>,
    pub types: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardList {
    pub boards: Vec<BoardOut>,
}

tool! {
    ListBoards {
        name: "cw_list_boards",
        title: "List boards",
        hints: READ,
        toolset: SERVICE,
        args: ListBoardsArgs,
        output: BoardList,
        text: list_boards_text,
        description: "Service boards with their statuses (which close a ticket, the default) and types.",
    }
}

impl AsyncTool<Ctx> for ListBoards {
    async fn invoke(ctx: &Ctx, a: ListBoardsArgs) -> Result<BoardList, ToolError> {
        let boards: Vec<cw_client::models::Board> = match a.board.as_deref() {
            Some(b) => vec![Names::new(ctx).board(b).await?],
            None => Names::new(ctx)
                .boards()
                .await?
                .iter()
                .filter(|b| b.inactive_flag != Some(true) && b.project_flag != Some(true))
                .cloned()
                .collect(),
        };
        let mut out = Vec::new();
        for b in boards {
            let id = b.id.unwrap_or_default();
            let names = Names::new(ctx);
            let (statuses, types) = tokio::join!(names.statuses(id), names.board_types(id));
            let mut statuses: Vec<_> = statuses?
                .iter()
                .filter(|s| s.inactive != Some(true))
                .cloned()
                .collect();
            statuses.sort_by_key(|s| s.sort_order.unwrap_or(0));
            out.push(BoardOut {
                id,
                name: b.name.clone().unwrap_or_default(),
                statuses: statuses
                    .iter()
                    .map(|s| StatusOut {
                        id: s.id.unwrap_or_default(),
                        name: s.name.clone().unwrap_or_default(),
                        closes_ticket: s.closed_status == Some(true),
                        default: s.default_flag == Some(true),
                    })
                    .collect(),
                types: types?
                    .iter()
                    .filter(|t| t.inactive_flag != Some(true))
                    .filter_map(|t| t.name.clone())
                    .collect(),
            });
        }
        Ok(BoardList { boards: out })
    }
}

fn list_boards_text(out: &BoardList) -> String {
    out.boards
        .iter()
        .map(|b| {
            let st: Vec<String> = b
                .statuses
                .iter()
                .map(|s| {
                    format!(
                        "{}{}{}",
                        s.name,
                        if s.closes_ticket { " (closes)" } else { "" },
                        if s.default { " (default)" } else { "" }
                    )
                })
                .collect();
            format!(
                "{} (id {})\n  statuses: {}\n  types: {}",
                b.name,
                b.id,
                st.join(", "),
                b.types.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct NoArgs {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PriorityOut {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    pub default: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PriorityList {
    pub priorities: Vec<PriorityOut>,
}

tool! {
    ListPriorities {
        name: "cw_list_priorities",
        title: "List priorities",
        hints: READ,
        toolset: SERVICE,
        args: NoArgs,
        output: PriorityList,
        text: list_priorities_text,
        description: "Ticket priorities, in order.",
    }
}

impl AsyncTool<Ctx> for ListPriorities {
    async fn invoke(ctx: &Ctx, _: NoArgs) -> Result<PriorityList, ToolError> {
        let mut ps: Vec<_> = Names::new(ctx)
            .priorities()
            .await?
            .iter()
            .cloned()
            .collect();
        ps.sort_by_key(|p| p.sort_order.unwrap_or(0));
        Ok(PriorityList {
            priorities: ps
                .iter()
                .map(|p| PriorityOut {
                    id: p.id.unwrap_or_default(),
                    name: p.name.clone().unwrap_or_default(),
                    level: p.level.clone(),
                    default: p.default_flag == Some(true),
                })
                .collect(),
        })
    }
}

fn list_priorities_text(out: &PriorityList) -> String {
    out.priorities
        .iter()
        .map(|p| {
            format!(
                "- {}{}{}",
                p.name,
                p.level
                    .as_deref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default(),
                if p.default { " (default)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ListWorkTypesArgs {
    pub include_inactive: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkTypeOut {
    pub id: i64,
    pub name: String,
    /// Billable, DoNotBill or NoCharge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_time: Option<String>,
    pub default: bool,
    pub inactive: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct WorkTypeList {
    pub work_types: Vec<WorkTypeOut>,
}

tool! {
    ListWorkTypes {
        name: "cw_list_work_types",
        title: "List work types",
        hints: READ,
        toolset: TIMESHEETS,
        args: ListWorkTypesArgs,
        output: WorkTypeList,
        text: list_work_types_text,
        description: "Work types time is logged as, how each bills, the default.",
    }
}

impl AsyncTool<Ctx> for ListWorkTypes {
    async fn invoke(ctx: &Ctx, a: ListWorkTypesArgs) -> Result<WorkTypeList, ToolError> {
        let all = a.include_inactive.unwrap_or(false);
        Ok(WorkTypeList {
            work_types: Names::new(ctx)
                .work_types()
                .await?
                .iter()
                .filter(|w| all || w.inactive_flag != Some(true))
                .map(|w| WorkTypeOut {
                    id: w.id.unwrap_or_default(),
                    name: w.name.clone().unwrap_or_default(),
                    bill_time: w.bill_time.clone(),
                    default: w.overall_default_flag == Some(true),
                    inactive: w.inactive_flag == Some(true),
                })
                .collect(),
        })
    }
}

fn list_work_types_text(out: &WorkTypeList) -> String {
    out.work_types
        .iter()
        .map(|w| {
            format!(
                "- {} ({}){}",
                w.name,
                w.bill_time.as_deref().unwrap_or("?"),
                if w.default { " (default)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
