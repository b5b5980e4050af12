//! Completions: the names a caller could mean by what they have typed so far, for every kind
//! of name the tools and prompts take (MCP `completion/complete`). The short lists (boards,
//! statuses, priorities, work types, members) come from the same caches name resolution uses;
//! companies, contacts and tickets are searched, ten at a time.

use cw_client::endpoints;
use cw_client::models::{Company, Contact, Ticket};
use cw_client::ListQuery;

use super::Names;
use crate::errors::ToolError;
use crate::filters::{f, mine};

/// Most values one completion answers with.
pub const MAX: usize = 10;

/// What else the caller has filled in, which narrows a completion (a status is of a board,
/// or of a ticket's board; a contact is of a company).
pub trait Context {
    fn get(&self, name: &str) -> Option<&str>;
}

impl Context for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        std::collections::HashMap::get(self, name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// Names in `all` that start with `typed`, then those containing it, any case, at most [`MAX`].
fn matching(all: impl IntoIterator<Item = String>, typed: &str) -> Vec<String> {
    let t = typed.trim().to_lowercase();
    let mut starts = Vec::new();
    let mut inside = Vec::new();
    for n in all {
        let l = n.to_lowercase();
        if l.starts_with(&t) {
            starts.push(n);
        } else if l.contains(&t) {
            inside.push(n);
        }
    }
    starts.sort();
    inside.sort();
    starts.dedup();
    inside.dedup();
    starts.extend(inside);
    starts.truncate(MAX);
    starts
}

impl Names<'_> {
    /// The values an argument called `arg` could take, given what was typed. An argument that
    /// takes no name completes to nothing.
    pub async fn complete(
        &self,
        arg: &str,
        typed: &str,
        ctx: &(dyn Context + Sync),
    ) -> Result<Vec<String>, ToolError> {
        let name_of = |n: &Option<String>| n.clone().unwrap_or_default();
        Ok(match arg {
            "board" => matching(
                self.boards()
                    .await?
                    .iter()
                    .filter(|b| b.inactive_flag != Some(true))
                    .map(|b| name_of(&b.name)),
                typed,
            ),
            "status" => {
                let board = match (
                    ctx.get("board"),
                    ctx.get("ticket_id")
                        .and_then(|t| t.trim().parse::<i64>().ok()),
                ) {
                    (Some(b), _) => self.board(b).await?.id,
                    (None, Some(t)) => self.ticket_board(t).await?,
                    (None, None) => None,
                };
                let Some(board) = board else {
                    return Ok(Vec::new());
                };
                let statuses = self.statuses(board).await?;
                matching(
                    statuses
                        .iter()
                        .filter(|s| s.inactive != Some(true))
                        .map(|s| name_of(&s.name)),
                    typed,
                )
            }
            "priority" => matching(
                self.priorities().await?.iter().map(|p| name_of(&p.name)),
                typed,
            ),
            "work_type" => matching(
                self.work_types()
                    .await?
                    .iter()
                    .filter(|w| w.inactive_flag != Some(true))
                    .map(|w| name_of(&w.name)),
                typed,
            ),
            "member" | "owner" | "resource" | "assigned_to" => matching(
                self.members()
                    .await?
                    .iter()
                    .filter_map(|m| m.identifier.clone()),
                typed,
            ),
            "company" => self.companies_like(typed).await?,
            "contact" => self.contacts_like(typed, ctx.get("company")).await?,
            "ticket_id" => self.my_ticket_ids(typed).await?,
            _ => Vec::new(),
        })
    }

    async fn ticket_board(&self, id: i64) -> Result<Option<i64>, ToolError> {
        let t: Ticket = self
            .ctx
            .cw
            .get(endpoints::TICKET, &[id], "id,board/id")
            .await?;
        Ok(t.board.and_then(|b| b.id))
    }

    async fn companies_like(&self, typed: &str) -> Result<Vec<String>, ToolError> {
        let t = typed.trim();
        let mut q = ListQuery::new()
            .fields("id,name")
            .order_by("name asc")
            .page(1, MAX as u32);
        let active = f("deletedFlag").eq(false);
        q = q.conditions(if t.is_empty() {
            active
        } else {
            active.and(f("name").contains(t))
        });
        let found = self
            .ctx
            .cw
            .list::<Company>(endpoints::COMPANIES, &[], &q)
            .await?;
        Ok(matching(found.items.into_iter().filter_map(|c| c.name), t))
    }

    async fn contacts_like(
        &self,
        typed: &str,
        company: Option<&str>,
    ) -> Result<Vec<String>, ToolError> {
        let t = typed.trim();
        let mut cond = f("inactiveFlag").eq(false);
        if !t.is_empty() {
            cond = cond.and(f("firstName").contains(t).or(f("lastName").contains(t)));
        }
        if let Some(c) = company {
            cond = cond.and(f("company/id").eq(self.company(c).await?.id.unwrap_or_default()));
        }
        let q = ListQuery::new()
            .conditions(cond)
            .fields("id,firstName,lastName")
            .order_by("lastName asc")
            .page(1, MAX as u32);
        let found = self
            .ctx
            .cw
            .list::<Contact>(endpoints::CONTACTS, &[], &q)
            .await?;
        Ok(found
            .items
            .iter()
            .map(|c| super::full_name(&c.first_name, &c.last_name))
            .collect())
    }

    /// My open tickets' numbers that start with what was typed, newest update first.
    async fn my_ticket_ids(&self, typed: &str) -> Result<Vec<String>, ToolError> {
        let me = self.ctx.me().await?;
        let q = ListQuery::new()
            .conditions(f("closedFlag").eq(false).and(mine(&me)))
            .fields("id")
            .order_by("_info/lastUpdated desc")
            .page(1, 100);
        let found = self
            .ctx
            .cw
            .list::<Ticket>(endpoints::TICKETS, &[], &q)
            .await?;
        let t = typed.trim();
        let mut ids: Vec<String> = found
            .items
            .iter()
            .filter_map(|x| x.id.map(|i| i.to_string()))
            .filter(|i| i.starts_with(t))
            .collect();
        // The number typed in full first, then the most recently updated.
        ids.sort_by_key(|i| i != t);
        ids.truncate(MAX);
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::matching;

    #[test]
    fn prefixes_first_then_the_rest_any_case() {
        let all = ["Help Desk", "Alerts", "Projects", "Desk Side"].map(String::from);
        assert_eq!(
            matching(all.clone(), "desk"),
            vec!["Desk Side", "Help Desk"]
        );
        assert_eq!(matching(all.clone(), "").len(), 4);
        assert!(matching(all, "zzz").is_empty());
    }
}
