//! A customer's account: its sites (addresses), its invoices, and billable time not billed
//! yet. Invoices are read only, and only as far as the caller's ConnectWise role allows:
//! ConnectWise's refusal reaches the caller with what to ask for.

use std::collections::BTreeMap;

use cw_client::endpoints;
use cw_client::models::{CompanySite, Invoice, TimeEntry};
use cw_client::{Error, ListQuery};
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::filters::f;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, hours, label, PageInfo};
use crate::tools::when::{parse_tz, window};
use crate::tools::{ACCOUNTS, READ};

/// Most entries the unbilled-time summary adds up: a month of a mid-size MSP's billable time.
const MAX_UNBILLED: usize = 2000;
/// Companies listed by name in the unbilled summary (the rest are counted).
const SHOWN_COMPANIES: usize = 25;

/// A 403 on finance data names the permission to ask for.
fn finance_denied(e: Error, what: &str) -> ToolError {
    match e {
        Error::Api(a) if a.status == 403 => ToolError::refused(
            Error::Api(a),
            format!("your ConnectWise security role cannot read {what}; ask an administrator for Finance inquire access"),
        ),
        e => e.into(),
    }
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SitesArgs {
    /// Name, identifier or id
    pub company: String,
    pub include_inactive: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SiteRow {
    pub id: i64,
    pub name: String,
    /// One line: street, city, state, zip, country.
    pub address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// primary, billing, shipping, inactive.
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Sites {
    pub company: String,
    pub sites: Vec<SiteRow>,
}

tool! {
    ListCompanySites {
        name: "cw_list_company_sites",
        title: "Company sites",
        hints: READ,
        toolset: ACCOUNTS,
        args: SitesArgs,
        output: Sites,
        text: sites_text,
        description: "A company's sites (offices, warehouses): addresses, phones, which is primary, billing, shipping.",
    }
}

impl AsyncTool<Ctx> for ListCompanySites {
    async fn invoke(ctx: &Ctx, a: SitesArgs) -> Result<Sites, ToolError> {
        let c = Names::new(ctx).company(&a.company).await?;
        let cid = c.id.unwrap_or_default();
        let mut q = ListQuery::new()
            .fields(CompanySite::FIELDS)
            .order_by("name asc")
            .page(1, 100);
        if !a.include_inactive.unwrap_or(false) {
            q = q.conditions(f("inactiveFlag").eq(false));
        }
        let p = ctx
            .cw
            .list::<CompanySite>(endpoints::COMPANY_SITES, &[cid], &q)
            .await?;
        let sites = p
            .items
            .iter()
            .map(|s| {
                let address: Vec<String> = [
                    clean(&s.address_line1),
                    clean(&s.address_line2),
                    clean(&s.city),
                    s.state_reference
                        .as_ref()
                        .and_then(|r| r.identifier.clone()),
                    clean(&s.zip),
                    label(&s.country),
                ]
                .into_iter()
                .flatten()
                .collect();
                let roles = [
                    (s.primary_address_flag, "primary"),
                    (s.default_billing_flag, "billing"),
                    (s.default_shipping_flag, "shipping"),
                    (s.inactive_flag, "inactive"),
                ]
                .into_iter()
                .filter(|(on, _)| *on == Some(true))
                .map(|(_, r)| r.to_string())
                .collect();
                SiteRow {
                    id: s.id.unwrap_or_default(),
                    name: clean(&s.name).unwrap_or_default(),
                    address: address.join(", "),
                    phone: clean(&s.phone_number),
                    roles,
                }
            })
            .collect();
        Ok(Sites {
            company: c.name.or(c.identifier).unwrap_or_default(),
            sites,
        })
    }
}

fn sites_text(out: &Sites) -> String {
    let mut l = vec![format!("Sites of {}:", out.company)];
    if out.sites.is_empty() {
        l.push("none".into());
    }
    l.extend(out.sites.iter().map(|s| {
        format!(
            "- {}{}: {}{}",
            s.name,
            if s.roles.is_empty() {
                String::new()
            } else {
                format!(" ({})", s.roles.join(", "))
            },
            if s.address.is_empty() {
                "no address"
            } else {
                &s.address
            },
            s.phone
                .as_deref()
                .map(|p| format!(" · {p}"))
                .unwrap_or_default()
        )
    }));
    l.join("\n")
}

const INVOICES: Listing = Listing {
    ep: endpoints::INVOICES,
    schema: "Invoice",
    fields: Invoice::FIELDS,
    order: "date desc",
    page_size: 20,
};

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct InvoicesArgs {
    pub company: Option<String>,
    /// Only those with a balance left to pay
    pub unpaid: Option<bool>,
    /// Invoice date from
    pub from: Option<String>,
    /// Exclusive; a date includes that day
    pub to: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct InvoiceRow {
    pub id: i64,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// What it bills: an agreement, a ticket or a project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub for_what: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct InvoiceList {
    pub invoices: Vec<InvoiceRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

tool! {
    SearchInvoices {
        name: "cw_search_invoices",
        title: "Search invoices",
        hints: READ,
        toolset: ACCOUNTS,
        args: InvoicesArgs,
        output: InvoiceList,
        text: invoices_text,
        description: "Invoices by company, date or unpaid balance (read only; needs Finance access in ConnectWise).",
    }
}

impl AsyncTool<Ctx> for SearchInvoices {
    async fn invoke(ctx: &Ctx, a: InvoicesArgs) -> Result<InvoiceList, ToolError> {
        let mut parts = Vec::new();
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        if a.unpaid == Some(true) {
            parts.push(f("balance").gt(0));
        }
        let (dates, _, _) = window("date", a.from.as_deref(), a.to.as_deref(), ctx.timezone())?;
        parts.extend(dates);
        let (q, _) = INVOICES.query(parts, &a.raw, &a.paging)?;
        let p = ctx
            .cw
            .list::<Invoice>(INVOICES.ep, &[], &q)
            .await
            .map_err(|e| finance_denied(e, "invoices"))?;
        let day = |d: &Option<String>| d.as_deref().map(|d| d.chars().take(10).collect());
        let invoices = p
            .items
            .iter()
            .map(|i| InvoiceRow {
                id: i.id.unwrap_or_default(),
                number: clean(&i.invoice_number)
                    .unwrap_or_else(|| format!("#{}", i.id.unwrap_or_default())),
                company: label(&i.company),
                date: day(&i.date),
                due: day(&i.due_date),
                total: i.total,
                balance: i.balance,
                currency: i.currency.as_ref().and_then(|c| c.currency_code.clone()),
                status: label(&i.status),
                for_what: label(&i.agreement)
                    .map(|x| format!("agreement {x}"))
                    .or(i
                        .ticket
                        .as_ref()
                        .and_then(|t| t.id)
                        .map(|t| format!("ticket #{t}")))
                    .or(label(&i.project).map(|x| format!("project {x}"))),
            })
            .collect();
        Ok(InvoiceList {
            invoices,
            page: PageInfo::of(&p),
        })
    }
}

fn invoices_text(out: &InvoiceList) -> String {
    let mut l = vec!["Invoices:".to_string()];
    l.extend(out.invoices.iter().map(|i| {
        let money = |x: Option<f64>| x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "?".into());
        format!(
            "- {} {} · {} due {} · {} {}{}{}{}",
            i.number,
            i.company.as_deref().unwrap_or("?"),
            i.date.as_deref().unwrap_or("?"),
            i.due.as_deref().unwrap_or("?"),
            money(i.total),
            i.currency.as_deref().unwrap_or(""),
            match i.balance {
                Some(b) if b > 0.0 => format!(", {b:.2} unpaid"),
                Some(_) => ", paid".into(),
                None => String::new(),
            },
            i.status
                .as_deref()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default(),
            i.for_what
                .as_deref()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default(),
        )
    }));
    l.push(out.page.footer());
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct UnbilledArgs {
    pub company: Option<String>,
    /// Identifier or name
    pub member: Option<String>,
    /// Time from (default: all open time)
    pub from: Option<String>,
    /// Exclusive; a date includes that day
    pub to: Option<String>,
    pub timezone: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CompanyUnbilled {
    pub company: String,
    pub hours: f64,
    pub entries: usize,
    /// The oldest unbilled entry's day.
    pub since: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Unbilled {
    pub total_hours: f64,
    pub entries: usize,
    /// By company, most hours first.
    pub companies: Vec<CompanyUnbilled>,
    /// Companies with unbilled time beyond those listed (narrow by company to see one).
    pub more_companies: usize,
    /// More entries matched than are added up: narrow by company or dates.
    pub capped: bool,
}

tool! {
    UnbilledTime {
        name: "cw_unbilled_time",
        title: "Unbilled time",
        hints: READ,
        toolset: ACCOUNTS,
        args: UnbilledArgs,
        output: Unbilled,
        text: unbilled_text,
        description: "Billable time not yet billed, totalled by company (oldest first shown), for a company, member or dates.",
    }
}

impl AsyncTool<Ctx> for UnbilledTime {
    async fn invoke(ctx: &Ctx, a: UnbilledArgs) -> Result<Unbilled, ToolError> {
        let bad = |e: cw_conditions::BuildError| ToolError::Internal(e.to_string());
        let mut parts = vec![
            f("billableOption").eq("Billable"),
            f("status")
                .not_in(["Billed", "BilledAgreement", "WrittenOff"])
                .map_err(bad)?,
        ];
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        if let Some(m) = a.member.as_deref() {
            let m = Names::new(ctx).member(m).await?;
            parts.push(f("member/identifier").eq(m.identifier.unwrap_or_default()));
        }
        let tz = parse_tz(a.timezone.as_deref(), ctx.timezone())?;
        let (dates, _, _) = window("timeStart", a.from.as_deref(), a.to.as_deref(), tz)?;
        parts.extend(dates);
        let cond = crate::filters::all(parts).unwrap_or_else(|| f("billableOption").eq("Billable"));
        let q = ListQuery::new()
            .conditions(cond)
            .fields("id,company/id,company/name,actualHours,timeStart")
            .page(1, 1000);
        let items: Vec<TimeEntry> = ctx
            .cw
            .list_forward(endpoints::TIME_ENTRIES, &[], &q, MAX_UNBILLED + 1)
            .await?;
        let capped = items.len() > MAX_UNBILLED;
        let mut by: BTreeMap<String, (f64, usize, String)> = BTreeMap::new();
        for e in items.iter().take(MAX_UNBILLED) {
            let c = label(&e.company).unwrap_or_else(|| "no company".into());
            let day: String = e
                .time_start
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(10)
                .collect();
            let slot = by.entry(c).or_insert((0.0, 0, day.clone()));
            slot.0 += e.actual_hours.unwrap_or(0.0);
            slot.1 += 1;
            if !day.is_empty() && (slot.2.is_empty() || day < slot.2) {
                slot.2 = day;
            }
        }
        let mut companies: Vec<CompanyUnbilled> = by
            .into_iter()
            .map(|(company, (h, n, since))| CompanyUnbilled {
                company,
                hours: hours(h),
                entries: n,
                since,
            })
            .collect();
        companies.sort_by(|a, b| b.hours.total_cmp(&a.hours));
        let total: f64 = companies.iter().map(|c| c.hours).sum();
        let entries = companies.iter().map(|c| c.entries).sum();
        let more_companies = companies.len().saturating_sub(SHOWN_COMPANIES);
        companies.truncate(SHOWN_COMPANIES);
        Ok(Unbilled {
            total_hours: hours(total),
            entries,
            companies,
            more_companies,
            capped,
        })
    }
}

fn unbilled_text(out: &Unbilled) -> String {
    let mut l = vec![format!(
        "Unbilled billable time: {:.2} h in {} entries, {} companies{}",
        out.total_hours,
        out.entries,
        out.companies.len() + out.more_companies,
        if out.capped {
            format!(" (first {MAX_UNBILLED} entries only: narrow by company or dates)")
        } else {
            String::new()
        }
    )];
    l.extend(out.companies.iter().map(|c| {
        format!(
            "- {}: {:.2} h in {} entries since {}",
            c.company, c.hours, c.entries, c.since
        )
    }));
    if out.more_companies > 0 {
        l.push(format!("… and {} more companies", out.more_companies));
    }
    l.join("\n")
}
