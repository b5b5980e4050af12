//! Contacts: search by name, e-mail, phone or company, and one contact in full.

use cw_client::endpoints;
use cw_client::models::Contact;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::{exactly, f};
use crate::untrusted;
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, label, PageInfo};
use crate::tools::{CUSTOMERS, READ};

const CONTACTS: Listing = Listing {
    ep: endpoints::CONTACTS,
    schema: "Contact",
    fields: Contact::FIELDS,
    order: "lastName asc, firstName asc",
    page_size: 20,
};

#[derive(Debug, Serialize, JsonSchema)]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    pub inactive: bool,
}

impl From<&Contact> for ContactRow {
    fn from(c: &Contact) -> Self {
        let items = c.communication_items.clone().unwrap_or_default();
        let of = |kind: &str| -> Vec<String> {
            items
                .iter()
                .filter(|i| i.communication_type.as_deref() == Some(kind))
                .filter_map(|i| {
                    i.value.as_deref().map(|v| {
                        match i.r#type.as_ref().and_then(|t| t.name.as_deref()) {
                            Some(t) if kind == "Phone" => format!("{} ({t})", untrusted::clean(v)),
                            _ => untrusted::clean(v),
                        }
                    })
                })
                .collect()
        };
        let mut phones = of("Phone");
        if phones.is_empty() {
            phones.extend(clean(&c.default_phone_nbr));
        }
        ContactRow {
            id: c.id.unwrap_or_default(),
            name: crate::names::full_name(&c.first_name, &c.last_name),
            company: label(&c.company),
            company_id: c.company.as_ref().and_then(|r| r.id),
            title: clean(&c.title),
            emails: of("Email"),
            phones,
            inactive: c.inactive_flag.unwrap_or(false),
        }
    }
}

impl ContactRow {
    fn line(&self) -> String {
        let mut s = format!("- {} (id {})", self.name, self.id);
        if let Some(t) = &self.title {
            s.push_str(&format!(", {t}"));
        }
        if let Some(c) = &self.company {
            s.push_str(&format!(" at {c}"));
        }
        if !self.emails.is_empty() {
            s.push_str(&format!(" · {}", self.emails.join(", ")));
        }
        if !self.phones.is_empty() {
            s.push_str(&format!(" · {}", self.phones.join(", ")));
        }
        if self.inactive {
            s.push_str(" · inactive");
        }
        s
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ContactList {
    pub contacts: Vec<ContactRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchContactsArgs {
    /// First, last, or "First Last"
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub include_inactive: Option<bool>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchContacts {
        name: "cw_search_contacts",
        title: "Search contacts",
        hints: READ,
        toolset: CUSTOMERS,
        args: SearchContactsArgs,
        output: ContactList,
        text: search_contacts_text,
        description: "Customer contacts with e-mails and phones.",
    }
}

impl AsyncTool<Ctx> for SearchContacts {
    async fn invoke(ctx: &Ctx, a: SearchContactsArgs) -> Result<ContactList, ToolError> {
        let mut parts = Vec::new();
        if !a.include_inactive.unwrap_or(false) {
            parts.push(f("inactiveFlag").eq(false));
        }
        if let Some(n) = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            parts.push(match n.split_once(' ') {
                Some((first, last)) => f("firstName")
                    .contains(first)
                    .and(f("lastName").contains(last.trim())),
                None => f("firstName").contains(n).or(f("lastName").contains(n)),
            });
        }
        parts.extend(Names::new(ctx).company_filter(a.company.as_deref()).await?);
        let child = match (a.email.as_deref(), a.phone.as_deref()) {
            (Some(e), _) => Some(
                exactly("communicationItems/value", e)
                    .and(f("communicationItems/communicationType").eq("Email")),
            ),
            (None, Some(p)) => Some(
                exactly("communicationItems/value", p)
                    .and(f("communicationItems/communicationType").eq("Phone")),
            ),
            _ => None,
        };
        let (mut q, _) = CONTACTS.query(parts, &a.raw, &a.paging)?;
        if let Some(c) = child {
            q = q.child_conditions(c);
        }
        let p = ctx.cw.list::<Contact>(endpoints::CONTACTS, &[], &q).await?;
        Ok(ContactList {
            contacts: p.items.iter().map(ContactRow::from).collect(),
            page: PageInfo::of(&p),
        })
    }
}

fn search_contacts_text(out: &ContactList) -> String {
    let mut l = vec!["Contacts:".to_string()];
    l.extend(out.contacts.iter().map(ContactRow::line));
    l.push(out.page.footer());
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GetContactArgs {
    pub contact_id: i64,
}

tool! {
    GetContact {
        name: "cw_get_contact",
        title: "Get contact",
        hints: READ,
        toolset: CUSTOMERS,
        args: GetContactArgs,
        output: ContactRow,
        text: get_contact_text,
        description: "One contact: title, company, e-mails, phones.",
    }
}

impl AsyncTool<Ctx> for GetContact {
    async fn invoke(ctx: &Ctx, a: GetContactArgs) -> Result<ContactRow, ToolError> {
        ctx.cw
            .get::<Contact>(endpoints::CONTACT, &[a.contact_id], Contact::FIELDS)
            .await
            .map(|c| ContactRow::from(&c))
            .map_err(|e| {
                ToolError::or_missing(e, || {
                    format!(
                        "Contact {} does not exist. Find contacts with cw_search_contacts.",
                        a.contact_id
                    )
                })
            })
    }
}

fn get_contact_text(c: &ContactRow) -> String {
    c.line().trim_start_matches("- ").to_string()
}
