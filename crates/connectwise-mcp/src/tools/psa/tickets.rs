//! Finding tickets: the caller's own queue, and search with typed filters.

use cw_client::endpoints;
use cw_client::models::Ticket;
use cw_client::ListQuery;
use cw_conditions::Expr;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::filters::{all, f};
use rmcp::handler::server::router::tool::AsyncTool;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::names::Names;
use crate::tool;
use crate::tools::args::{OpenState, PageArgs, RawArgs};
use crate::tools::listing::Listing;
use crate::tools::render::{clean, ident, label, short_time, PageInfo};
use crate::tools::when::parse_when;
use crate::tools::{READ, TICKETS};

/// One ticket as lists show it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TicketRow {
    pub id: i64,
    /// The ticket summary (often an e-mail subject written by the customer).
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// Owner's member identifier; absent when unassigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Member identifiers assigned to work on it, e.g. "jchen, psharma".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<String>,
    pub closed: bool,
    /// The customer updated it since a technician last did.
    pub customer_updated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entered: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// The list row from either ticket view (the models share these field names).
macro_rules! ticket_row_from {
    ($($model:ty),+) => {$(
        impl From<&$model> for TicketRow {
            fn from(t: &$model) -> Self {
                TicketRow {
                    id: t.id.unwrap_or_default(),
                    summary: clean(&t.summary).unwrap_or_default(),
                    company: label(&t.company),
                    contact: label(&t.contact),
                    board: label(&t.board),
                    status: label(&t.status),
                    priority: label(&t.priority),
                    owner: ident(&t.owner),
                    resources: clean(&t.resources),
                    closed: t.closed_flag.unwrap_or(false),
                    customer_updated: t.customer_updated_flag.unwrap_or(false),
                    entered: t.info.date_entered.clone(),
                    updated: t.info.last_updated.clone(),
                }
            }
        }
    )+};
}

ticket_row_from!(Ticket, cw_client::models::TicketDetail);

impl TicketRow {
    pub fn line(&self) -> String {
        let mut s = format!(
            "#{} [{} / {}] {}",
            self.id,
            self.board.as_deref().unwrap_or("?"),
            self.status.as_deref().unwrap_or("?"),
            self.summary
        );
        if let Some(c) = &self.company {
            s.push_str(&format!(" — {c}"));
        }
        let mut bits = Vec::new();
        if let Some(p) = &self.priority {
            bits.push(short_priority(p));
        }
        let owner = self.owner.as_deref().unwrap_or("unassigned");
        let others: Vec<&str> = self
            .resources
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty() && *r != owner)
            .collect();
        if others.is_empty() {
            bits.push(format!("owner {owner}"));
        } else {
            bits.push(format!("owner {owner} with {}", others.join(", ")));
        }
        bits.push(format!("updated {}", short_time(&self.updated)));
        if self.customer_updated {
            bits.push("customer replied".into());
        }
        s.push_str(&format!(" ({})", bits.join(", ")));
        s
    }
}

/// "Priority 3 - Normal Response" as "P3" in lists (the priority tools accept "P3" back);
/// other names as they are.
pub fn short_priority(name: &str) -> String {
    let digits: String = name
        .strip_prefix("Priority ")
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        name.to_string()
    } else {
        format!("P{digits}")
    }
}

/// A page of tickets.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TicketList {
    pub tickets: Vec<TicketRow>,
    #[serde(flatten)]
    pub page: PageInfo,
    /// The conditions sent to ConnectWise, for transparency.
    pub conditions: String,
    /// With a `configuration` filter: how the device's tickets were found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn render(list: &TicketList, title: &str) -> String {
    let mut out = vec![format!("{title}:")];
    out.extend(list.tickets.iter().map(TicketRow::line));
    if let Some(n) = &list.note {
        out.push(n.clone());
    }
    out.push(list.page.footer());
    out.join("\n")
}

/// How many of a company's most recent matching tickets a `configuration` filter checks.
const CONFIG_SCAN: u32 = 200;

/// Tickets with a configuration attached. ConnectWise offers no lookup from a device to its
/// tickets, so this checks the device company's most recently updated tickets that match the
/// other filters (up to [`CONFIG_SCAN`], eight at a time) and says how many it checked.
async fn with_configuration(
    ctx: &Ctx,
    wanted: &str,
    mut parts: Vec<Expr>,
    raw: &RawArgs,
    paging: &PageArgs,
) -> Result<TicketList, ToolError> {
    use cw_client::models::{Configuration, ConfigurationRef};
    use futures::stream::{self, StreamExt};
    let (page, size) = paging.get(10)?;
    let w = wanted.trim();
    let cond = match w.parse::<i64>() {
        Ok(id) => f("id").eq(id),
        Err(_) => f("name").eq(w),
    };
    let found = ctx
        .cw
        .list::<Configuration>(
            endpoints::CONFIGURATIONS,
            &[],
            &ListQuery::new()
                .conditions(cond)
                .fields("id,name,company/id,company/name")
                .page(1, 5),
        )
        .await?;
    let cfg = match found.items.as_slice() {
        [one] => one.clone(),
        [] => {
            let similar = ctx
                .cw
                .list::<Configuration>(
                    endpoints::CONFIGURATIONS,
                    &[],
                    &ListQuery::new()
                        .conditions(f("name").contains(w))
                        .fields("id,name")
                        .page(1, 5),
                )
                .await?;
            let names: Vec<String> = similar
                .items
                .iter()
                .filter_map(|c| c.name.clone())
                .map(|n| format!("\"{n}\""))
                .collect();
            return Err(ToolError::invalid(if names.is_empty() {
                format!("No configuration named \"{w}\". Find it with cw_list_configurations.")
            } else {
                format!(
                    "No configuration named \"{w}\". Did you mean {}?",
                    names.join(" or ")
                )
            }));
        }
        many => return Err(crate::names::several_configurations(w, many)),
    };
    let cfg_id = cfg.id.unwrap_or_default();
    parts.push(f("company/id").eq(cfg.company.as_ref().and_then(|c| c.id).unwrap_or_default()));
    if let Some(c) = raw.conditions("Ticket")? {
        parts.push(c);
    }
    let order = raw.order_by(TICKET_LIST.schema, TICKET_LIST.order)?;
    let mut q = ListQuery::new()
        .fields("id")
        .order_by(order.clone())
        .page(1, CONFIG_SCAN);
    if let Some(c) = all(parts.clone()) {
        q = q.conditions(c);
    }
    let candidates = ctx.cw.list::<Ticket>(endpoints::TICKETS, &[], &q).await?;
    let ids: Vec<i64> = candidates.items.iter().filter_map(|t| t.id).collect();
    let scanned = ids.len();
    let total = scanned as u64;
    let mut checks = stream::iter(ids.iter().copied().map(|id| {
        let cw = ctx.cw.clone();
        async move {
            let attached = cw
                .list::<ConfigurationRef>(
                    endpoints::TICKET_CONFIGURATIONS,
                    &[id],
                    &ListQuery::new().page(1, 100),
                )
                .await;
            (
                id,
                attached.map(|p| p.items.iter().any(|c| c.id == Some(cfg_id))),
            )
        }
    }))
    .buffered(8);
    let mut hits = Vec::new();
    let mut done = 0;
    while let Some((id, r)) = checks.next().await {
        if r? {
            hits.push(id);
        }
        done += 1;
        ctx.progress
            .report(done, total, || {
                format!("checked {done} of {total} tickets for configuration {cfg_id}")
            })
            .await;
    }
    let start = ((page - 1) * size) as usize;
    let page_ids: Vec<i64> = hits
        .iter()
        .skip(start)
        .take(size as usize)
        .copied()
        .collect();
    let has_more = start + page_ids.len() < hits.len();
    let tickets = if page_ids.is_empty() {
        Vec::new()
    } else {
        let q = ListQuery::new()
            .conditions(
                f("id")
                    .is_in(page_ids.clone())
                    .map_err(|e| ToolError::invalid(e.to_string()))?,
            )
            .fields(Ticket::FIELDS)
            .order_by(order)
            .page(1, size);
        ctx.cw
            .list::<Ticket>(endpoints::TICKETS, &[], &q)
            .await?
            .items
            .iter()
            .map(TicketRow::from)
            .collect()
    };
    let company = cfg
        .company
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_default();
    Ok(TicketList {
        page: PageInfo { page, page_size: size, returned: tickets.len(), has_more, next_page: has_more.then_some(page + 1) },
        tickets,
        conditions: all(parts).map(|c| c.render()).unwrap_or_default(),
        note: Some(format!(
            "Configuration {} (id {cfg_id}) is attached to {} of the {scanned} most recently updated matching tickets of {company}{}.",
            cfg.name.as_deref().unwrap_or(""),
            hits.len(),
            if candidates.has_more { format!(" (only the latest {CONFIG_SCAN} were checked; narrow with dates to reach older ones)") } else { String::new() }
        )),
    })
}

/// Filters shared by both ticket tools.
#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct TicketFilters {
    pub state: Option<OpenState>,
    // In the summary; status needs board; priority by name or number (the server
    // instructions say so once, rather than every ticket tool's schema).
    pub text: Option<String>,
    pub company: Option<String>,
    pub board: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub updated_after: Option<String>,
    pub entered_after: Option<String>,
}

impl TicketFilters {
    pub async fn conditions(&self, ctx: &Ctx) -> Result<Vec<Expr>, ToolError> {
        let mut parts = Vec::new();
        match self.state.unwrap_or_default() {
            OpenState::Open => parts.push(f("closedFlag").eq(false)),
            OpenState::Closed => parts.push(f("closedFlag").eq(true)),
            OpenState::All => {}
        }
        if let Some(t) = self.text.as_deref().filter(|t| !t.trim().is_empty()) {
            parts.push(f("summary").contains(t.trim()));
        }
        if let Some(c) = self.company.as_deref() {
            let co = Names::new(ctx).company(c).await?;
            parts.push(f("company/id").eq(co.id.unwrap_or_default()));
        }
        let board = match self.board.as_deref() {
            Some(b) => {
                let b = Names::new(ctx).board(b).await?;
                parts.push(f("board/id").eq(b.id.unwrap_or_default()));
                Some(b)
            }
            None => None,
        };
        if let Some(s) = self.status.as_deref() {
            let Some(b) = &board else {
                return Err(ToolError::invalid("status names belong to a board: give `board` too (a wrong status then lists the board's statuses)"));
            };
            let st = Names::new(ctx).status(b, s).await?;
            parts.push(f("status/id").eq(st.id.unwrap_or_default()));
        }
        if let Some(p) = self.priority.as_deref() {
            let p = Names::new(ctx).priority(p).await?;
            parts.push(f("priority/id").eq(p.id.unwrap_or_default()));
        }
        let tz = ctx.timezone();
        for (arg, name, field) in [
            (&self.updated_after, "updated_after", "_info/lastUpdated"),
            (&self.entered_after, "entered_after", "_info/dateEntered"),
        ] {
            if let Some(s) = arg {
                parts.push(f(field).ge(parse_when(s, tz, name)?));
            }
        }
        Ok(parts)
    }
}

/// Tickets, newest update first.
const TICKET_LIST: Listing = Listing {
    ep: endpoints::TICKETS,
    schema: "Ticket",
    fields: Ticket::FIELDS,
    order: "_info/lastUpdated desc",
    page_size: 10,
};

async fn list(
    ctx: &Ctx,
    parts: Vec<Expr>,
    raw: &RawArgs,
    paging: &PageArgs,
) -> Result<TicketList, ToolError> {
    let (q, cond) = TICKET_LIST.query(parts, raw, paging)?;
    let p = ctx.cw.list::<Ticket>(TICKET_LIST.ep, &[], &q).await?;
    Ok(TicketList {
        tickets: p.items.iter().map(TicketRow::from).collect(),
        page: PageInfo::of(&p),
        conditions: cond.map(|c| c.render()).unwrap_or_default(),
        note: None,
    })
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct MyTicketsArgs {
    /// Default true
    pub include_resource: Option<bool>,
    #[serde(flatten)]
    pub filters: TicketFilters,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    MyTickets {
        name: "cw_my_tickets",
        title: "My tickets",
        hints: READ,
        toolset: TICKETS,
        args: MyTicketsArgs,
        output: TicketList,
        text: my_tickets_text,
        description: "Tickets I own or am a resource on, newest update first.",
    }
}

impl AsyncTool<Ctx> for MyTickets {
    async fn invoke(ctx: &Ctx, a: MyTicketsArgs) -> Result<TicketList, ToolError> {
        let me = ctx.me().await?;
        let mut parts = vec![if a.include_resource.unwrap_or(true) {
            crate::filters::mine(&me)
        } else {
            f("owner/identifier").eq(me.as_str())
        }];
        parts.extend(a.filters.conditions(ctx).await?);
        list(ctx, parts, &a.raw, &a.paging).await
    }
}

fn my_tickets_text(out: &TicketList) -> String {
    render(out, "My tickets")
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchTicketsArgs {
    #[serde(flatten)]
    pub filters: TicketFilters,
    pub contact: Option<String>,
    /// "none" for unassigned
    pub owner: Option<String>,
    pub resource: Option<String>,
    // A device attached to them (the server instructions say what a configuration is).
    pub configuration: Option<String>,
    #[serde(flatten)]
    pub raw: RawArgs,
    #[serde(flatten)]
    pub paging: PageArgs,
}

tool! {
    SearchTickets {
        name: "cw_search_tickets",
        title: "Search tickets",
        hints: READ,
        toolset: TICKETS,
        args: SearchTicketsArgs,
        output: TicketList,
        text: search_tickets_text,
        description: "Search service tickets, newest update first.",
    }
}

impl AsyncTool<Ctx> for SearchTickets {
    async fn invoke(ctx: &Ctx, a: SearchTicketsArgs) -> Result<TicketList, ToolError> {
        let mut parts = a.filters.conditions(ctx).await?;
        if let Some(c) = a.contact.as_deref() {
            let company = match a.filters.company.as_deref() {
                Some(co) => Some(Names::new(ctx).company(co).await?),
                None => None,
            };
            let contact = Names::new(ctx).contact(c, company.as_ref()).await?;
            parts.push(f("contact/id").eq(contact.id.unwrap_or_default()));
        }
        match a.owner.as_deref().map(str::trim) {
            Some(o) if o.eq_ignore_ascii_case("none") || o.eq_ignore_ascii_case("unassigned") => {
                parts.push(f("owner/id").eq(cw_conditions::Value::Null))
            }
            Some(o) => {
                let m = Names::new(ctx).member(o).await?;
                parts.push(f("owner/identifier").eq(m.identifier.unwrap_or_default()));
            }
            None => {}
        }
        if let Some(r) = a.resource.as_deref() {
            let m = Names::new(ctx).member(r).await?;
            parts.push(f("resources").contains(m.identifier.unwrap_or_default()));
        }
        if let Some(c) = a.configuration.as_deref() {
            return with_configuration(ctx, c, parts, &a.raw, &a.paging).await;
        }
        list(ctx, parts, &a.raw, &a.paging).await
    }
}

fn search_tickets_text(out: &TicketList) -> String {
    render(out, "Tickets")
}
