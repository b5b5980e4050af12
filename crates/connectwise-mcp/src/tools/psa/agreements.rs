//! Agreements: the contracts a company has (managed services, block hours …).

use cw_client::endpoints;
use cw_client::models::{Agreement, AgreementDetail};
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
use crate::tools::render::{clean, facts, facts_line, label, Fact, PageInfo};
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

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GetAgreementArgs {
    /// Name (any unique part) or id
    pub agreement: String,
    /// Narrows a name to one company's agreements
    pub company: Option<String>,
}

/// The agreement a caller names: an id, or a name part that picks one agreement (of the
/// company, when given); several matches are listed for the caller to choose from.
async fn agreement_id(ctx: &Ctx, a: &GetAgreementArgs) -> Result<i64, ToolError> {
    let wanted = a.agreement.trim();
    if let Ok(id) = wanted.parse::<i64>() {
        return Ok(id);
    }
    if wanted.is_empty() {
        return Err(ToolError::invalid(
            "agreement is empty: give its name or id",
        ));
    }
    let mut parts = vec![f("name").contains(wanted)];
    parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
    let (q, _) = AGREEMENTS_LISTING.query(parts, &RawArgs::default(), &PageArgs::default())?;
    let found = ctx
        .cw
        .list::<Agreement>(endpoints::AGREEMENTS, &[], &q)
        .await?
        .items;
    let exact: Vec<&Agreement> = found
        .iter()
        .filter(|x| {
            x.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        })
        .collect();
    match (found.as_slice(), exact.as_slice()) {
        ([one], _) => Ok(one.id.unwrap_or_default()),
        (_, [one]) => Ok(one.id.unwrap_or_default()),
        ([], _) => Err(ToolError::invalid(format!(
            "no agreement named like \"{wanted}\"{}; cw_search_agreements lists them",
            a.company
                .as_deref()
                .map(|c| format!(" for {c}"))
                .unwrap_or_default()
        ))),
        (many, _) => Err(ToolError::invalid(format!(
            "\"{wanted}\" matches several agreements; give the id{}: {}",
            if a.company.is_none() {
                " or the company"
            } else {
                ""
            },
            many.iter()
                .map(|x| format!(
                    "{} {} ({})",
                    x.id.unwrap_or_default(),
                    clean(&x.name).unwrap_or_default(),
                    label(&x.company).unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// One agreement as `label: value` lines, in the order a reader wants them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AgreementOut {
    pub id: i64,
    pub name: String,
    /// What the agreement says, as (what, value) pairs with empty ones left out.
    pub terms: Vec<Fact>,
}

tool! {
    GetAgreement {
        name: "cw_get_agreement",
        title: "One agreement",
        hints: READ,
        toolset: SALES,
        args: GetAgreementArgs,
        output: AgreementOut,
        text: agreement_text,
        description: "One agreement's terms by name or id: what it covers and bills (time, expenses, products), limits, cycle, SLA, dates.",
    }
}

impl AsyncTool<Ctx> for GetAgreement {
    async fn invoke(ctx: &Ctx, a: GetAgreementArgs) -> Result<AgreementOut, ToolError> {
        let id = agreement_id(ctx, &a).await?;
        let x: AgreementDetail = ctx
            .cw
            .get(endpoints::AGREEMENT, &[id], AgreementDetail::FIELDS)
            .await
            .map_err(|e| ToolError::or_missing(e, || format!(
                "Agreement {id} does not exist, or these keys cannot see it; cw_search_agreements finds agreements by company."
            )))?;
        let day = |d: &Option<String>| d.as_deref().map(|d| d.chars().take(10).collect::<String>());
        let yes = |b: Option<bool>| b.map(|b| if b { "yes" } else { "no" }.to_string());
        let limit = if x.application_unlimited_flag == Some(true) {
            Some("unlimited".to_string())
        } else {
            x.application_limit.map(|l| {
                format!(
                    "{l} {}{}",
                    x.application_units.as_deref().unwrap_or(""),
                    x.application_cycle
                        .as_deref()
                        .map(|c| format!(" per {c}"))
                        .unwrap_or_default()
                )
            })
        };
        let end = if x.no_ending_date_flag == Some(true) {
            Some("no end date".to_string())
        } else {
            day(&x.end_date)
        };
        let terms = facts([
            ("type", label(&x.r#type)),
            ("company", label(&x.company)),
            ("contact", label(&x.contact)),
            ("status", x.agreement_status.clone()),
            (
                "cancelled",
                (x.cancelled_flag == Some(true)).then(|| "yes".to_string()),
            ),
            ("starts", day(&x.start_date)),
            ("ends", end),
            ("bills", x.bill_amount.map(|b| format!("{b:.2}"))),
            ("billing cycle", label(&x.billing_cycle)),
            ("next invoice", day(&x.next_invoice_date)),
            ("limit", limit),
            ("carry over unused", yes(x.carry_over_unused)),
            ("overruns allowed", yes(x.allow_overruns)),
            ("covers time", yes(x.cover_agreement_time)),
            ("time", x.bill_time.clone()),
            ("expenses", x.bill_expenses.clone()),
            ("products", x.bill_products.clone()),
            ("work role", label(&x.work_role)),
            ("work type", label(&x.work_type)),
            ("SLA", label(&x.sla)),
            ("customer PO", clean(&x.customer_p_o)),
            ("parent agreement", label(&x.parent_agreement)),
        ]);
        Ok(AgreementOut {
            id,
            name: clean(&x.name).unwrap_or_default(),
            terms,
        })
    }
}

fn agreement_text(out: &AgreementOut) -> String {
    format!(
        "Agreement #{} {}\n{}",
        out.id,
        out.name,
        facts_line(&out.terms)
    )
}
