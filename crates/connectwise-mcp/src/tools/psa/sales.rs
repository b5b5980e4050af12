//! Sales: opportunities and activities.

use chrono::Duration;
use cw_client::endpoints;
use cw_client::models::{Activity, Opportunity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::{exactly, f};
use crate::untrusted;
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{OpenState, PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, ident, label, short_time, PageInfo};
use crate::tools::when::{parse_tz, parse_when};
use crate::tools::{READ, SALES};

const OPPORTUNITIES_LISTING: Listing = Listing {
    ep: endpoints::OPPORTUNITIES,
    schema: "Opportunity",
    fields: Opportunity::FIELDS,
    order: "expectedCloseDate asc",
    page_size: 20,
};

const ACTIVITIES_LISTING: Listing = Listing {
    ep: endpoints::ACTIVITIES,
    schema: "Activity",
    fields: Activity::FIELDS,
    order: "dateStart asc",
    page_size: 20,
};

#[derive(Debug, Serialize, JsonSchema)]
pub struct OpportunityRow {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sales_rep: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OpportunityList {
    pub opportunities: Vec<OpportunityRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchOpportunitiesArgs {
    // In the name.
    pub text: Option<String>,
    pub company: Option<String>,
    /// e.g. Open, Won, Lost
    pub status: Option<String>,
    pub sales_rep: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchOpportunities {
        name: "cw_search_opportunities",
        title: "Search opportunities",
        hints: READ,
        toolset: SALES,
        args: SearchOpportunitiesArgs,
        output: OpportunityList,
        text: search_opportunities_text,
        description: "Sales opportunities: stage, probability, expected close (soonest first).",
    }
}

impl AsyncTool<Ctx> for SearchOpportunities {
    async fn invoke(ctx: &Ctx, a: SearchOpportunitiesArgs) -> Result<OpportunityList, ToolError> {
        let mut parts = Vec::new();
        if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            parts.push(f("name").contains(t));
        }
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        if let Some(s) = a.status.as_deref() {
            parts.push(exactly("status/name", s));
        }
        if let Some(r) = a.sales_rep.as_deref() {
            parts.push(
                f("primarySalesRep/identifier").eq(Names::new(ctx)
                    .member(r)
                    .await?
                    .identifier
                    .unwrap_or_default()),
            );
        }
        let p = OPPORTUNITIES_LISTING
            .fetch::<Opportunity>(ctx, parts, &a.raw, &a.paging)
            .await?;
        let rows = p
            .items
            .iter()
            .map(|o| OpportunityRow {
                id: o.id.unwrap_or_default(),
                name: clean(&o.name).unwrap_or_default(),
                company: label(&o.company),
                contact: label(&o.contact),
                status: label(&o.status),
                stage: label(&o.stage),
                probability: label(&o.probability),
                sales_rep: ident(&o.primary_sales_rep),
                expected_close: o
                    .expected_close_date
                    .as_deref()
                    .map(|d| d.chars().take(10).collect()),
                notes: o
                    .notes
                    .as_deref()
                    .map(|n| untrusted::customer_text(n, 500))
                    .filter(|n| !n.is_empty()),
            })
            .collect();
        Ok(OpportunityList {
            opportunities: rows,
            page: PageInfo::of(&p),
        })
    }
}

fn search_opportunities_text(out: &OpportunityList) -> String {
    let mut l = vec!["Opportunities:".to_string()];
    l.extend(out.opportunities.iter().map(|o| {
        format!(
            "- #{} {} — {} ({}, {}{}, close {}, rep {})",
            o.id,
            o.name,
            o.company.as_deref().unwrap_or("?"),
            o.status.as_deref().unwrap_or("?"),
            o.stage.as_deref().unwrap_or("?"),
            o.probability
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default(),
            o.expected_close.as_deref().unwrap_or("?"),
            o.sales_rep.as_deref().unwrap_or("?")
        )
    }));
    l.push(out.page.footer());
    l.join("\n")
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActivityRow {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ActivityList {
    pub activities: Vec<ActivityRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchActivitiesArgs {
    // In the name.
    pub text: Option<String>,
    pub company: Option<String>,
    pub assigned_to: Option<String>,
    pub state: Option<OpenState>,
    /// Starting at or after
    pub from: Option<String>,
    /// Starting before (a date includes that day)
    pub to: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchActivities {
        name: "cw_search_activities",
        title: "Search activities",
        hints: READ,
        toolset: SALES,
        args: SearchActivitiesArgs,
        output: ActivityList,
        text: search_activities_text,
        description: "Sales activities (calls, meetings, follow-ups), soonest first.",
    }
}

impl AsyncTool<Ctx> for SearchActivities {
    async fn invoke(ctx: &Ctx, a: SearchActivitiesArgs) -> Result<ActivityList, ToolError> {
        let mut parts = Vec::new();
        match a.state.unwrap_or_default() {
            OpenState::Open => parts.push(f("status/name").ne("Closed")),
            OpenState::Closed => parts.push(f("status/name").eq("Closed")),
            OpenState::All => {}
        }
        if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            parts.push(f("name").contains(t));
        }
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        if let Some(m) = a.assigned_to.as_deref() {
            parts.push(
                f("assignTo/identifier").eq(Names::new(ctx)
                    .member(m)
                    .await?
                    .identifier
                    .unwrap_or_default()),
            );
        }
        let tz = parse_tz(None, ctx.timezone())?;
        if let Some(s) = a.from.as_deref() {
            parts.push(f("dateStart").ge(parse_when(s, tz, "from")?));
        }
        if let Some(s) = a.to.as_deref() {
            parts.push(f("dateStart").lt(parse_when(s, tz, "to")?
                + if s.trim().len() == 10 {
                    Duration::days(1)
                } else {
                    Duration::zero()
                }));
        }
        let p = ACTIVITIES_LISTING
            .fetch::<Activity>(ctx, parts, &a.raw, &a.paging)
            .await?;
        let rows = p
            .items
            .iter()
            .map(|x| ActivityRow {
                id: x.id.unwrap_or_default(),
                name: clean(&x.name).unwrap_or_default(),
                r#type: label(&x.r#type),
                status: label(&x.status),
                company: label(&x.company),
                contact: label(&x.contact),
                assigned_to: ident(&x.assign_to),
                start: x.date_start.clone(),
                end: x.date_end.clone(),
                opportunity_id: x.opportunity.as_ref().and_then(|o| o.id),
                ticket_id: x.ticket.as_ref().and_then(|t| t.id),
                notes: x
                    .notes
                    .as_deref()
                    .map(|n| untrusted::customer_text(n, 500))
                    .filter(|n| !n.is_empty()),
            })
            .collect();
        Ok(ActivityList {
            activities: rows,
            page: PageInfo::of(&p),
        })
    }
}

fn search_activities_text(out: &ActivityList) -> String {
    let mut l = vec!["Activities:".to_string()];
    l.extend(out.activities.iter().map(|x| {
        format!(
            "- #{} {} {} — {} ({}, {}, assigned to {})",
            x.id,
            short_time(&x.start),
            x.name,
            x.company.as_deref().unwrap_or("?"),
            x.r#type.as_deref().unwrap_or("?"),
            x.status.as_deref().unwrap_or("?"),
            x.assigned_to.as_deref().unwrap_or("?")
        )
    }));
    l.push(out.page.footer());
    l.join("\n")
}
