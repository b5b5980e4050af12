//! Projects.

use cw_client::endpoints;
use cw_client::models::Project;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::f;
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{OpenState, PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, ident, label, PageInfo};
use crate::tools::{PROJECTS, READ};

const PROJECTS_LISTING: Listing = Listing {
    ep: endpoints::PROJECTS,
    schema: "Project",
    fields: Project::FIELDS,
    order: "estimatedEnd asc",
    page_size: 20,
};

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    pub closed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_hours: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_hours: Option<f64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProjectList {
    pub projects: Vec<ProjectRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchProjectsArgs {
    // In the name.
    pub text: Option<String>,
    pub company: Option<String>,
    pub manager: Option<String>,
    pub state: Option<OpenState>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchProjects {
        name: "cw_search_projects",
        title: "Search projects",
        hints: READ,
        toolset: PROJECTS,
        args: SearchProjectsArgs,
        output: ProjectList,
        text: search_projects_text,
        description: "Projects: status, dates, hours, percent complete.",
    }
}

impl AsyncTool<Ctx> for SearchProjects {
    async fn invoke(ctx: &Ctx, a: SearchProjectsArgs) -> Result<ProjectList, ToolError> {
        let mut parts = Vec::new();
        match a.state.unwrap_or_default() {
            OpenState::Open => parts.push(f("closedFlag").eq(false)),
            OpenState::Closed => parts.push(f("closedFlag").eq(true)),
            OpenState::All => {}
        }
        if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            parts.push(f("name").contains(t));
        }
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        if let Some(m) = a.manager.as_deref() {
            parts.push(
                f("manager/identifier").eq(Names::new(ctx)
                    .member(m)
                    .await?
                    .identifier
                    .unwrap_or_default()),
            );
        }
        let p = PROJECTS_LISTING
            .fetch::<Project>(ctx, parts, &a.raw, &a.paging)
            .await?;
        let rows = p
            .items
            .iter()
            .map(|x| ProjectRow {
                id: x.id.unwrap_or_default(),
                name: clean(&x.name).unwrap_or_default(),
                company: label(&x.company),
                manager: ident(&x.manager),
                status: label(&x.status),
                board: label(&x.board),
                closed: x.closed_flag.unwrap_or(false),
                estimated_start: x
                    .estimated_start
                    .as_deref()
                    .map(|d| d.chars().take(10).collect()),
                estimated_end: x
                    .estimated_end
                    .as_deref()
                    .map(|d| d.chars().take(10).collect()),
                percent_complete: x.percent_complete,
                actual_hours: x.actual_hours,
                estimated_hours: x.estimated_hours,
            })
            .collect();
        Ok(ProjectList {
            projects: rows,
            page: PageInfo::of(&p),
        })
    }
}

fn search_projects_text(out: &ProjectList) -> String {
    let mut l = vec!["Projects:".to_string()];
    l.extend(out.projects.iter().map(|x| {
        format!(
            "- #{} {} — {} ({}, {} to {}, {}% done, {:.1}/{:.1} h, manager {})",
            x.id,
            x.name,
            x.company.as_deref().unwrap_or("?"),
            x.status.as_deref().unwrap_or("?"),
            x.estimated_start.as_deref().unwrap_or("?"),
            x.estimated_end.as_deref().unwrap_or("?"),
            x.percent_complete.unwrap_or(0.0),
            x.actual_hours.unwrap_or(0.0),
            x.estimated_hours.unwrap_or(0.0),
            x.manager.as_deref().unwrap_or("?")
        )
    }));
    l.push(out.page.footer());
    l.join("\n")
}
