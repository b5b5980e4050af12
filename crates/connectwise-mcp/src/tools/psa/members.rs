//! Members: the MSP's own people (and API members).

use cw_client::endpoints;
use cw_client::models::{Member, MemberDetail};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::f;
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::{full_name, Names};
use crate::tool;
use crate::tools::args::{PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, facts, facts_line, ident, label, Fact, PageInfo};
use crate::tools::{MEMBERS, READ};

const MEMBERS_LISTING: Listing = Listing {
    ep: endpoints::MEMBERS,
    schema: "Member",
    fields: Member::FIELDS,
    order: "identifier asc",
    page_size: 20,
};

#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberRow {
    pub id: i64,
    /// The member identifier, used to assign tickets and attribute time.
    pub identifier: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// F full, A API, C StreamlineIT, X subcontractor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_class: Option<String>,
    pub inactive: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberList {
    pub members: Vec<MemberRow>,
    #[serde(flatten)]
    pub page: PageInfo,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchMembersArgs {
    /// In the identifier or name
    pub text: Option<String>,
    pub include_inactive: Option<bool>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchMembers {
        name: "cw_search_members",
        title: "Search members",
        hints: READ,
        toolset: MEMBERS,
        args: SearchMembersArgs,
        output: MemberList,
        text: search_members_text,
        description: "The MSP's members (technicians, dispatchers): identifier, title, e-mail, phone.",
    }
}

impl AsyncTool<Ctx> for SearchMembers {
    async fn invoke(ctx: &Ctx, a: SearchMembersArgs) -> Result<MemberList, ToolError> {
        let mut parts = Vec::new();
        if !a.include_inactive.unwrap_or(false) {
            parts.push(f("inactiveFlag").eq(false));
        }
        if let Some(t) = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            parts.push(
                f("identifier")
                    .contains(t)
                    .or(f("firstName").contains(t))
                    .or(f("lastName").contains(t)),
            );
        }
        let p = MEMBERS_LISTING
            .fetch::<Member>(ctx, parts, &a.raw, &a.paging)
            .await?;
        let rows = p
            .items
            .iter()
            .map(|m| MemberRow {
                id: m.id.unwrap_or_default(),
                identifier: clean(&m.identifier).unwrap_or_default(),
                name: full_name(&m.first_name, &m.last_name),
                title: clean(&m.title),
                email: clean(&m.primary_email).or(clean(&m.office_email)),
                phone: clean(&m.office_phone),
                license_class: m.license_class.clone(),
                inactive: m.inactive_flag.unwrap_or(false),
            })
            .collect();
        Ok(MemberList {
            members: rows,
            page: PageInfo::of(&p),
        })
    }
}

fn search_members_text(out: &MemberList) -> String {
    let mut l = vec!["Members:".to_string()];
    l.extend(out.members.iter().map(|m| {
        format!(
            "- {} ({}){}{}",
            m.identifier,
            m.name,
            m.title
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default(),
            m.email
                .as_deref()
                .map(|e| format!(" · {e}"))
                .unwrap_or_default()
        )
    }));
    l.push(out.page.footer());
    l.join("\n")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct GetMemberArgs {
    /// Identifier or name
    pub member: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberOut {
    pub id: i64,
    pub identifier: String,
    pub name: String,
    /// What ConnectWise holds about them, as (what, value) pairs with empty ones left out.
    pub facts: Vec<Fact>,
}

tool! {
    GetMember {
        name: "cw_get_member",
        title: "One member",
        hints: READ,
        toolset: MEMBERS,
        args: GetMemberArgs,
        output: MemberOut,
        text: member_text,
        description: "One member: title, contact details, time zone, role, default board, manager and time approver.",
    }
}

impl AsyncTool<Ctx> for GetMember {
    async fn invoke(ctx: &Ctx, a: GetMemberArgs) -> Result<MemberOut, ToolError> {
        let found = Names::new(ctx).member(&a.member).await?;
        let id = found.id.unwrap_or_default();
        let m: MemberDetail = ctx
            .cw
            .get(endpoints::MEMBER, &[id], MemberDetail::FIELDS)
            .await?;
        let class = m.license_class.as_deref().map(|c| {
            match c {
                "F" => "full",
                "A" => "API",
                "C" => "StreamlineIT",
                "X" => "subcontractor",
                other => other,
            }
            .to_string()
        });
        let facts = facts([
            ("title", clean(&m.title)),
            (
                "inactive",
                (m.inactive_flag == Some(true)).then(|| "yes".to_string()),
            ),
            ("e-mail", clean(&m.primary_email).or(clean(&m.office_email))),
            ("office phone", clean(&m.office_phone)),
            ("mobile", clean(&m.mobile_phone)),
            (
                "prefers",
                m.default_phone.clone().map(|p| format!("{p} phone")),
            ),
            ("time zone", label(&m.time_zone)),
            ("work role", label(&m.work_role)),
            ("work type", label(&m.work_type)),
            ("location", label(&m.default_location)),
            ("department", label(&m.default_department)),
            ("default board", label(&m.service_default_board)),
            ("reports to", ident(&m.reports_to)),
            ("time approver", ident(&m.time_approver)),
            ("daily capacity", m.daily_capacity.map(|h| format!("{h} h"))),
            ("security role", label(&m.security_role)),
            ("licence", class),
            (
                "hired",
                m.hire_date.as_deref().map(|d| d.chars().take(10).collect()),
            ),
        ]);
        Ok(MemberOut {
            id,
            identifier: clean(&m.identifier).unwrap_or_default(),
            name: full_name(&m.first_name, &m.last_name),
            facts,
        })
    }
}

fn member_text(out: &MemberOut) -> String {
    format!(
        "{} ({}, id {})\n{}",
        out.identifier,
        out.name,
        out.id,
        facts_line(&out.facts)
    )
}
