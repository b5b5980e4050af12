//! Companies: search, and one company with its contacts, configurations and open tickets
//! counted.

use cw_client::endpoints;
use cw_client::models::Company;
use cw_client::Error;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::{exactly, f};
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, label, PageInfo};
use crate::tools::{CUSTOMERS, READ};

const COMPANIES: Listing = Listing {
    ep: endpoints::COMPANIES,
    schema: "Company",
    fields: Company::FIELDS,
    order: "name asc",
    page_size: 20,
};

#[derive(Debug, Serialize, JsonSchema)]
pub struct CompanyRow {
    pub id: i64,
    pub identifier: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

impl From<&Company> for CompanyRow {
    fn from(c: &Company) -> Self {
        CompanyRow {
            id: c.id.unwrap_or_default(),
            identifier: clean(&c.identifier).unwrap_or_default(),
            name: clean(&c.name).unwrap_or_default(),
            status: label(&c.status),
            city: clean(&c.city),
            phone: clean(&c.phone_number),
            website: clean(&c.website),
        }
    }
}

impl CompanyRow {
    fn line(&self) -> String {
        format!(
            "- {} ({}; id {}) {}{}{}",
            self.name,
            self.identifier,
            self.id,
            self.status.as_deref().unwrap_or(""),
            self.city
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
            self.phone
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default()
        )
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CompanyList {
    pub companies: Vec<CompanyRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchCompaniesArgs {
    /// In the name or identifier
    pub text: Option<String>,
    /// e.g. Active
    pub status: Option<String>,
    pub city: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchCompanies {
        name: "cw_search_companies",
        title: "Search companies",
        hints: READ,
        toolset: CUSTOMERS,
        args: SearchCompaniesArgs,
        output: CompanyList,
        text: search_companies_text,
        description: "Customer companies: id, identifier, name, status, city, phone.",
    }
}

impl AsyncTool<Ctx> for SearchCompanies {
    async fn invoke(ctx: &Ctx, a: SearchCompaniesArgs) -> Result<CompanyList, ToolError> {
        let mut parts = vec![f("deletedFlag").eq(false)];
        if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            parts.push(f("name").contains(t).or(f("identifier").contains(t)));
        }
        if let Some(s) = a.status.as_deref() {
            parts.push(exactly("status/name", s));
        }
        if let Some(c) = a.city.as_deref() {
            parts.push(exactly("city", c));
        }
        let p = COMPANIES
            .fetch::<Company>(ctx, parts, &a.raw, &a.paging)
            .await?;
        Ok(CompanyList {
            companies: p.items.iter().map(CompanyRow::from).collect(),
            page: PageInfo::of(&p),
        })
    }
}

fn search_companies_text(out: &CompanyList) -> String {
    let mut l = vec!["Companies:".to_string()];
    l.extend(out.companies.iter().map(CompanyRow::line));
    l.push(out.page.footer());
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GetCompanyArgs {
    pub company: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CompanyView {
    #[serde(flatten)]
    pub company: CompanyRow,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_contact: Option<String>,
    pub types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<i64>,
    pub open_tickets: u64,
    pub contacts: u64,
    pub configurations: u64,
}

tool! {
    GetCompany {
        name: "cw_get_company",
        title: "Get company",
        hints: READ,
        toolset: CUSTOMERS,
        args: GetCompanyArgs,
        output: CompanyView,
        text: get_company_text,
        description: "One company: address, phone, website, default contact, counts of open tickets, contacts, configurations.",
    }
}

impl AsyncTool<Ctx> for GetCompany {
    async fn invoke(ctx: &Ctx, a: GetCompanyArgs) -> Result<CompanyView, ToolError> {
        let id = Names::new(ctx)
            .company(&a.company)
            .await?
            .id
            .unwrap_or_default();
        let cw = &ctx.cw;
        let args = [id];
        let of_company = f("company/id").eq(id);
        let open_of_company = of_company.clone().and(f("closedFlag").eq(false));
        let (c, open, contacts, configs) = tokio::join!(
            cw.get::<Company>(endpoints::COMPANY, &args, Company::FIELDS),
            cw.count(endpoints::TICKETS_COUNT, &[], Some(&open_of_company)),
            cw.count(endpoints::CONTACTS_COUNT, &[], Some(&of_company)),
            cw.count(endpoints::CONFIGURATIONS_COUNT, &[], Some(&of_company)),
        );
        let c = match c {
            Err(Error::Api(e)) if e.status == 404 => {
                return Err(ToolError::not_found(format!(
                    "Company {id} does not exist."
                )))
            }
            other => other?,
        };
        let address = [
            clean(&c.address_line1),
            clean(&c.address_line2),
            clean(&c.city),
            clean(&c.state),
            clean(&c.zip),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        Ok(CompanyView {
            company: CompanyRow::from(&c),
            address: (!address.is_empty()).then_some(address),
            default_contact: label(&c.default_contact),
            types: c
                .types
                .iter()
                .flatten()
                .filter_map(|t| t.label().map(crate::untrusted::clean))
                .collect(),
            employees: c.number_of_employees,
            open_tickets: open?,
            contacts: contacts?,
            configurations: configs?,
        })
    }
}

fn get_company_text(v: &CompanyView) -> String {
    let c = &v.company;
    let mut l = vec![format!(
        "{} ({}; id {}) {}",
        c.name,
        c.identifier,
        c.id,
        c.status.as_deref().unwrap_or("")
    )];
    if let Some(a) = &v.address {
        l.push(format!("Address: {a}"));
    }
    if let Some(p) = &c.phone {
        l.push(format!("Phone: {p}"));
    }
    if let Some(w) = &c.website {
        l.push(format!("Website: {w}"));
    }
    if let Some(d) = &v.default_contact {
        l.push(format!("Default contact: {d}"));
    }
    l.push(format!(
        "Open tickets: {} · contacts: {} · configurations: {}",
        v.open_tickets, v.contacts, v.configurations
    ));
    l.join("\n")
}
