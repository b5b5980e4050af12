//! Lookups that call ConnectWise: the cached lists (boards, statuses, types, priorities,
//! work types, members) and the searched ones (companies and contacts, of which tenants have
//! thousands), each answering a name with a record or a "did you mean" error.

use std::sync::Arc;

use cw_client::endpoints;
use cw_client::models::{
    Board, BoardStatus, BoardType, Company, Configuration, Contact, Member, Priority, Ref, WorkType,
};
use cw_client::ListQuery;
use cw_conditions::Expr;

use super::matching::{no_match, pick};
use super::Names;
use crate::cache::Cache;
use crate::errors::ToolError;
use crate::filters::f;

/// `scope and cond`, or `cond` alone.
fn and_scope(scope: Option<Expr>, cond: Expr) -> Expr {
    match scope {
        Some(s) => s.and(cond),
        None => cond,
    }
}

impl Names<'_> {
    /// A whole list, from the lookup cache or ConnectWise (one page of up to 1,000).
    async fn cached<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
        &self,
        cache: &dyn Cache<Arc<Vec<T>>>,
        key: String,
        ep: cw_client::endpoints::Endpoint,
        args: &[i64],
        fields: &'static str,
    ) -> Result<Arc<Vec<T>>, ToolError> {
        let key = format!("{}:{key}", self.ctx.scope());
        let cw = self.ctx.cw.clone();
        let args = args.to_vec();
        cache
            .get_or_load(
                key,
                Box::pin(async move {
                    let page = cw
                        .list::<T>(ep, &args, &ListQuery::new().fields(fields).page(1, 1000))
                        .await?;
                    Ok(Arc::new(page.items))
                }),
            )
            .await
    }

    pub async fn boards(&self) -> Result<Arc<Vec<Board>>, ToolError> {
        self.cached(
            &*self.ctx.lookups().boards,
            "boards".into(),
            endpoints::BOARDS,
            &[],
            Board::FIELDS,
        )
        .await
    }

    pub async fn statuses(&self, board: i64) -> Result<Arc<Vec<BoardStatus>>, ToolError> {
        self.cached(
            &*self.ctx.lookups().statuses,
            format!("statuses:{board}"),
            endpoints::BOARD_STATUSES,
            &[board],
            BoardStatus::FIELDS,
        )
        .await
    }

    pub async fn board_types(&self, board: i64) -> Result<Arc<Vec<BoardType>>, ToolError> {
        self.cached(
            &*self.ctx.lookups().types,
            format!("types:{board}"),
            endpoints::BOARD_TYPES,
            &[board],
            BoardType::FIELDS,
        )
        .await
    }

    pub async fn priorities(&self) -> Result<Arc<Vec<Priority>>, ToolError> {
        self.cached(
            &*self.ctx.lookups().priorities,
            "priorities".into(),
            endpoints::PRIORITIES,
            &[],
            Priority::FIELDS,
        )
        .await
    }

    pub async fn work_types(&self) -> Result<Arc<Vec<WorkType>>, ToolError> {
        self.cached(
            &*self.ctx.lookups().work_types,
            "workTypes".into(),
            endpoints::WORK_TYPES,
            &[],
            WorkType::FIELDS,
        )
        .await
    }

    pub async fn members(&self) -> Result<Arc<Vec<Member>>, ToolError> {
        self.cached(
            &*self.ctx.lookups().members,
            "members".into(),
            endpoints::MEMBERS,
            &[],
            Member::FIELDS,
        )
        .await
    }

    pub async fn board(&self, wanted: &str) -> Result<Board, ToolError> {
        let boards = self.boards().await?;
        let b = pick(
            "board",
            wanted,
            &boards,
            |b| b.name.clone().unwrap_or_default(),
            |b| b.id,
        )?
        .clone();
        self.ctx.resolved("board", wanted, b.id, b.name.as_deref());
        Ok(b)
    }

    /// A status on one board: a status of another board is refused.
    pub async fn status(&self, board: &Board, wanted: &str) -> Result<BoardStatus, ToolError> {
        let id = board.id.unwrap_or_default();
        let all = self.statuses(id).await?;
        let active: Vec<BoardStatus> = all
            .iter()
            .filter(|s| s.inactive != Some(true))
            .cloned()
            .collect();
        let s = pick(
            &format!(
                "status on board \"{}\"",
                board.name.as_deref().unwrap_or("?")
            ),
            wanted,
            &active,
            |s| s.name.clone().unwrap_or_default(),
            |s| s.id,
        )?
        .clone();
        self.ctx.resolved("status", wanted, s.id, s.name.as_deref());
        Ok(s)
    }

    pub async fn board_type(&self, board: &Board, wanted: &str) -> Result<BoardType, ToolError> {
        let types = self.board_types(board.id.unwrap_or_default()).await?;
        let t = pick(
            &format!("type on board \"{}\"", board.name.as_deref().unwrap_or("?")),
            wanted,
            &types,
            |t| t.name.clone().unwrap_or_default(),
            |t| t.id,
        )?
        .clone();
        self.ctx.resolved("type", wanted, t.id, t.name.as_deref());
        Ok(t)
    }

    pub async fn priority(&self, wanted: &str) -> Result<Priority, ToolError> {
        let p = self.find_priority(wanted).await?;
        self.ctx
            .resolved("priority", wanted, p.id, p.name.as_deref());
        Ok(p)
    }

    async fn find_priority(&self, wanted: &str) -> Result<Priority, ToolError> {
        let ps = self.priorities().await?;
        // "P1", "1", "priority 1" and "emergency" all name "Priority 1 - Emergency Response".
        let w = wanted.trim().to_ascii_lowercase();
        let digit = w
            .trim_start_matches("priority")
            .trim_start_matches('p')
            .trim();
        if digit.len() == 1 && digit.chars().all(|c| c.is_ascii_digit()) {
            if let Some(p) = ps.iter().find(|p| {
                p.name.as_deref().is_some_and(|n| {
                    n.to_ascii_lowercase()
                        .starts_with(&format!("priority {digit}"))
                })
            }) {
                return Ok(p.clone());
            }
        }
        let contains: Vec<&Priority> = ps
            .iter()
            .filter(|p| {
                w.len() >= 4
                    && p.name
                        .as_deref()
                        .is_some_and(|n| n.to_ascii_lowercase().contains(&w))
            })
            .collect();
        if let [one] = contains.as_slice() {
            return Ok((*one).clone());
        }
        pick(
            "priority",
            wanted,
            &ps,
            |p| p.name.clone().unwrap_or_default(),
            |p| p.id,
        )
        .cloned()
    }

    pub async fn work_type(&self, wanted: &str) -> Result<WorkType, ToolError> {
        let wts = self.work_types().await?;
        let active: Vec<WorkType> = wts
            .iter()
            .filter(|w| w.inactive_flag != Some(true))
            .cloned()
            .collect();
        let w = pick(
            "work type",
            wanted,
            &active,
            |w| w.name.clone().unwrap_or_default(),
            |w| w.id,
        )?
        .clone();
        self.ctx
            .resolved("work type", wanted, w.id, w.name.as_deref());
        Ok(w)
    }

    /// A member by identifier or full name.
    pub async fn member(&self, wanted: &str) -> Result<Member, ToolError> {
        let m = self.find_member(wanted).await?;
        let label = format!(
            "{} ({})",
            crate::names::full_name(&m.first_name, &m.last_name),
            m.identifier.as_deref().unwrap_or("")
        );
        self.ctx.resolved("member", wanted, m.id, Some(&label));
        Ok(m)
    }

    async fn find_member(&self, wanted: &str) -> Result<Member, ToolError> {
        let ms = self.members().await?;
        if let Some(m) = ms.iter().find(|m| {
            m.identifier
                .as_deref()
                .is_some_and(|i| i.eq_ignore_ascii_case(wanted.trim()))
        }) {
            return Ok(m.clone());
        }
        pick(
            "member",
            wanted,
            &ms,
            |m| crate::names::full_name(&m.first_name, &m.last_name),
            |m| m.id,
        )
        .cloned()
        .map_err(|_| {
            ToolError::invalid(no_match(
                "member",
                wanted,
                ms.iter().filter_map(|m| m.identifier.clone()).collect(),
            ))
        })
    }

    /// The identifier of the member a caller named (identifier or name), or mine when they
    /// named none.
    pub async fn member_or_me(&self, wanted: Option<&str>) -> Result<String, ToolError> {
        match wanted.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => Ok(self.member(m).await?.identifier.unwrap_or_default()),
            None => self.ctx.me().await,
        }
    }

    /// A company by id, identifier or name. Not cached: tenants have thousands.
    pub async fn company(&self, wanted: &str) -> Result<Ref, ToolError> {
        let c = self.find_company(wanted).await?;
        self.ctx
            .resolved("company", wanted, c.id, c.name.as_deref());
        Ok(c)
    }

    async fn find_company(&self, wanted: &str) -> Result<Ref, ToolError> {
        let w = wanted.trim();
        if w.is_empty() {
            return Err(ToolError::invalid("company is empty"));
        }
        let fields = "id,identifier,name";
        let q = |e| ListQuery::new().conditions(e).fields(fields).page(1, 10);
        let exact = match w.parse::<i64>() {
            Ok(id) => f("id").eq(id).or(f("identifier").eq(w)),
            Err(_) => f("identifier").eq(w).or(f("name").eq(w)),
        };
        let found = self
            .ctx
            .cw
            .list::<Company>(
                endpoints::COMPANIES,
                &[],
                &q(exact.and(f("deletedFlag").eq(false))),
            )
            .await?;
        match found.items.as_slice() {
            [one] => return Ok(company_ref(one)),
            [_, _, ..] => {
                let names: Vec<String> = found
                    .items
                    .iter()
                    .map(|c| {
                        format!(
                            "{} (identifier {}, id {})",
                            c.name.as_deref().unwrap_or(""),
                            c.identifier.as_deref().unwrap_or(""),
                            c.id.unwrap_or(0)
                        )
                    })
                    .collect();
                return Err(ToolError::invalid(format!(
                    "company \"{w}\" matches several: {}. Use the identifier or id.",
                    names.join("; ")
                )));
            }
            _ => {}
        }
        let similar = self
            .ctx
            .cw
            .list::<Company>(endpoints::COMPANIES, &[], &q(f("name").contains(w)))
            .await?;
        if let [one] = similar.items.as_slice() {
            return Ok(company_ref(one));
        }
        let names: Vec<String> = similar
            .items
            .iter()
            .map(|c| {
                format!(
                    "\"{}\" (identifier {})",
                    c.name.as_deref().unwrap_or(""),
                    c.identifier.as_deref().unwrap_or("")
                )
            })
            .collect();
        Err(ToolError::invalid(if names.is_empty() {
            format!("No company named \"{w}\". Search with cw_search_companies to find it.")
        } else {
            format!(
                "No company named exactly \"{w}\". Did you mean {}?",
                names.join(" or ")
            )
        }))
    }

    /// A contact by id, e-mail, or name (within a company when given).
    pub async fn contact(&self, wanted: &str, company: Option<&Ref>) -> Result<Ref, ToolError> {
        let c = self.find_contact(wanted, company).await?;
        self.ctx
            .resolved("contact", wanted, c.id, c.name.as_deref());
        Ok(c)
    }

    async fn find_contact(&self, wanted: &str, company: Option<&Ref>) -> Result<Ref, ToolError> {
        let w = wanted.trim();
        let fields = "id,firstName,lastName,company/id,company/name";
        let scope = company.and_then(|c| c.id).map(|id| f("company/id").eq(id));
        let mut q = ListQuery::new().fields(fields).page(1, 10);
        if let Ok(id) = w.parse::<i64>() {
            q = q.conditions(and_scope(scope, f("id").eq(id)));
        } else if w.contains('@') {
            q = q.child_conditions(
                f("communicationItems/value")
                    .eq(w)
                    .and(f("communicationItems/communicationType").eq("Email")),
            );
            if let Some(s) = scope {
                q = q.conditions(s);
            }
        } else {
            let (first, last) = w.split_once(' ').unwrap_or((w, ""));
            let name = if last.is_empty() {
                f("firstName").eq(first).or(f("lastName").eq(first))
            } else {
                f("firstName").eq(first).and(f("lastName").eq(last.trim()))
            };
            q = q.conditions(and_scope(scope, name));
        }
        let found = self
            .ctx
            .cw
            .list::<Contact>(endpoints::CONTACTS, &[], &q)
            .await?;
        let label = |c: &Contact| crate::names::full_name(&c.first_name, &c.last_name);
        match found.items.as_slice() {
            [one] => Ok(Ref {
                id: one.id,
                name: Some(label(one)),
                ..Default::default()
            }),
            [] => Err(ToolError::invalid(format!(
                "No contact \"{w}\"{}. Find it with cw_search_contacts.",
                company
                    .and_then(|c| c.name.as_deref())
                    .map(|n| format!(" at {n}"))
                    .unwrap_or_default()
            ))),
            many => Err(ToolError::invalid(format!(
                "contact \"{w}\" matches several: {}. Use the contact id.",
                many.iter()
                    .map(|c| format!(
                        "{} (id {}, {})",
                        label(c),
                        c.id.unwrap_or(0),
                        c.company
                            .as_ref()
                            .and_then(|r| r.name.as_deref())
                            .unwrap_or("")
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))),
        }
    }

    /// A company's configuration (device) by id or name, or any unique part of its name.
    pub async fn configuration(&self, wanted: &str, company: &Ref) -> Result<Ref, ToolError> {
        let w = wanted.trim();
        let cid = company.id.unwrap_or_default();
        let of = f("company/id").eq(cid);
        let cond = match w.parse::<i64>() {
            Ok(id) => of.and(f("id").eq(id)),
            Err(_) => of.and(f("name").contains(w)),
        };
        let q = ListQuery::new()
            .conditions(cond)
            .fields("id,name")
            .page(1, 25);
        let found = self
            .ctx
            .cw
            .list::<Configuration>(endpoints::CONFIGURATIONS, &[], &q)
            .await?
            .items;
        let exact: Vec<&Configuration> = found
            .iter()
            .filter(|c| c.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(w)))
            .collect();
        let one = match (exact.as_slice(), found.as_slice()) {
            ([one], _) => *one,
            ([], [one]) => one,
            ([], []) => {
                return Err(ToolError::invalid(format!(
                    "{} has no configuration \"{w}\". Find it with cw_list_configurations.",
                    company.name.as_deref().unwrap_or("the company")
                )))
            }
            _ => return Err(several_configurations(w, &found)),
        };
        let r = Ref {
            id: one.id,
            name: one.name.clone(),
            ..Default::default()
        };
        self.ctx
            .resolved("configuration", wanted, r.id, r.name.as_deref());
        Ok(r)
    }

    /// `company/id = …` for a company named by the caller, if one was.
    pub async fn company_filter(&self, company: Option<&str>) -> Result<Option<Expr>, ToolError> {
        match company {
            Some(c) => Ok(Some(
                f("company/id").eq(self.company(c).await?.id.unwrap_or_default()),
            )),
            None => Ok(None),
        }
    }
}

/// "configuration X matches several: A (id 1); B (id 2). Use its id."
pub fn several_configurations(wanted: &str, found: &[Configuration]) -> ToolError {
    ToolError::invalid(format!(
        "configuration \"{wanted}\" matches several: {}. Use its id.",
        found
            .iter()
            .map(|c| format!(
                "{} (id {})",
                c.name.as_deref().unwrap_or(""),
                c.id.unwrap_or(0)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

fn company_ref(c: &Company) -> Ref {
    Ref {
        id: c.id,
        identifier: c.identifier.clone(),
        name: c.name.clone(),
        ..Default::default()
    }
}
