//! Agreements: the contracts a company has (managed services, block hours …).

use cw_client::endpoints;
use cw_client::models::Agreement;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::f;
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, label, PageInfo};
use crate::tools::when::parse_when;
use crate::tools::{READ, SALES};

const AGREEMENTS_LISTING: Listing = Listing {
    ep: endpoints::AGREEMENTS,
    schema: "Agreement",
    fields: Agreement::FIELDS,
    order: "name asc",
    page_size: 20,
};

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgreementRow {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    pub no_end_date: bool,
    pub cancelled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bill_amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AgreementList {
    pub agreements: Vec<AgreementRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchAgreementsArgs {
    // In the name.
    pub text: Option<String>,
    pub company: Option<String>,
    /// Active, Cancelled, Expired or Inactive
    pub status: Option<String>,
    /// Date; finds renewals due
    pub ending_before: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchAgreements {
        name: "cw_search_agreements",
        title: "Search agreements",
        hints: READ,
        toolset: SALES,
        args: SearchAgreementsArgs,
        output: AgreementList,
        text: search_agreements_text,
        description: "Agreements (contracts): type, dates, billing amount, limits.",
    }
}

impl AsyncTool<Ctx> for SearchAgreements {
    async fn invoke(ctx: &Ctx, a: SearchAgreementsArgs) -> Result<AgreementList, ToolError> {
        let mut parts = Vec::new();
        if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            parts.push(f("name").contains(t));
        }
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        if let Some(s) = a.status.as_deref() {
            let allowed = ["Active", "Cancelled", "Expired", "Inactive"];
            let s = allowed
                .iter()
                .find(|x| x.eq_ignore_ascii_case(s.trim()))
                .ok_or_else(|| {
                    ToolError::invalid(format!("status `{s}`: use one of {}", allowed.join(", ")))
                })?;
            parts.push(f("agreementStatus").eq(*s));
        }
        if let Some(d) = a.ending_before.as_deref() {
            parts.push(f("endDate").lt(parse_when(d, ctx.timezone(), "ending_before")?));
        }
        let p = AGREEMENTS_LISTING
            .fetch::<Agreement>(ctx, parts, &a.raw, &a.paging)
            .await?;
        let rows = p
            .items
            .iter()
            .map(|x| AgreementRow {
                id: x.id.unwrap_or_default(),
                name: clean(&x.name).unwrap_or_default(),
                r#type: label(&x.r#type),
                company: label(&x.company),
                status: x.agreement_status.clone(),
                start: x
                    .start_date
                    .as_deref()
                    .map(|d| d.chars().take(10).collect()),
                end: x.end_date.as_deref().map(|d| d.chars().take(10).collect()),
                no_end_date: x.no_ending_date_flag.unwrap_or(false),
                cancelled: x.cancelled_flag.unwrap_or(false),
                bill_amount: x.bill_amount,
                limit: x
                    .application_limit
                    .map(|l| format!("{l} {}", x.application_units.as_deref().unwrap_or(""))),
            })
            .collect();
        Ok(AgreementList {
            agreements: rows,
            page: PageInfo::of(&p),
        })
    }
}

fn search_agreements_text(out: &AgreementList) -> String {
    let mut l = vec!["Agreements:".to_string()];
    l.extend(out.agreements.iter().map(|x| {
        format!(
            "- #{} {} — {} ({}, {} to {}{})",
            x.id,
            x.name,
            x.company.as_deref().unwrap_or("?"),
            x.status.as_deref().unwrap_or("?"),
            x.start.as_deref().unwrap_or("?"),
            if x.no_end_date {
                "no end".to_string()
            } else {
                x.end.clone().unwrap_or_else(|| "?".into())
            },
            x.bill_amount
                .map(|b| format!(", bills {b:.2}"))
                .unwrap_or_default()
        )
    }));
    l.push(out.page.footer());
    l.join("\n")
}
