//! Names, not ids: boards, statuses, types, priorities, work types, members, companies and
//! contacts given by name resolve to records through lookups cached per key fingerprint (one
//! member's view never serves another's). A name that matches nothing answers with the closest
//! valid ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cw_client::endpoints;
use cw_client::models::{
    Board, BoardStatus, BoardType, Company, Contact, Member, Priority, Ref, WorkType,
};
use cw_client::ListQuery;

use crate::filters::{all, f};
use crate::tools::{Ctx, ToolError};

const TTL: Duration = Duration::from_secs(600);

/// A small TTL cache keyed by credential scope and sub-key.
struct TtlMap<T> {
    map: Mutex<HashMap<String, (Instant, Arc<T>)>>,
}

impl<T> Default for TtlMap<T> {
    fn default() -> Self {
        TtlMap {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> TtlMap<T> {
    fn get(&self, key: &str) -> Option<Arc<T>> {
        let m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        m.get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: String, v: T) -> Arc<T> {
        let v = Arc::new(v);
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (Instant::now(), v.clone()));
        v
    }
}

/// Cached lookups, per credential.
#[derive(Default)]
pub struct Lookups {
    boards: TtlMap<Vec<Board>>,
    statuses: TtlMap<Vec<BoardStatus>>,
    types: TtlMap<Vec<BoardType>>,
    priorities: TtlMap<Vec<Priority>>,
    work_types: TtlMap<Vec<WorkType>>,
    members: TtlMap<Vec<Member>>,
}

/// Letters and digits only, lower-cased: `>Closed - No response` ~ `closed no response`.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Picks the item `wanted` names (by id, exact name, or a unique loose match), or explains
/// what the valid names are.
pub fn pick<'a, T>(
    kind: &str,
    wanted: &str,
    items: &'a [T],
    name: impl Fn(&T) -> String,
    id: impl Fn(&T) -> Option<i64>,
) -> Result<&'a T, ToolError> {
    let w = wanted.trim();
    if let Ok(n) = w.parse::<i64>() {
        if let Some(x) = items.iter().find(|x| id(x) == Some(n)) {
            return Ok(x);
        }
    }
    let exact: Vec<&T> = items
        .iter()
        .filter(|x| name(x).eq_ignore_ascii_case(w))
        .collect();
    if exact.len() == 1 {
        return Ok(exact[0]);
    }
    let nw = norm(w);
    let loose: Vec<&T> = items
        .iter()
        .filter(|x| !nw.is_empty() && norm(&name(x)) == nw)
        .collect();
    match loose.len() {
        1 => return Ok(loose[0]),
        n if n > 1 => {
            let names: Vec<String> = loose.iter().map(|x| format!("\"{}\"", name(x))).collect();
            return Err(ToolError::invalid(format!(
                "{kind} \"{w}\" is ambiguous: {}. Use the exact name.",
                names.join(", ")
            )));
        }
        _ => {}
    }
    Err(ToolError::invalid(no_match(
        kind,
        w,
        items.iter().map(name).collect(),
    )))
}

/// "No status named X. Did you mean …? Valid: …".
pub fn no_match(kind: &str, wanted: &str, names: Vec<String>) -> String {
    let nw = norm(wanted);
    let mut scored: Vec<(f64, &String)> = names
        .iter()
        .map(|n| {
            let nn = norm(n);
            let mut s = strsim::jaro_winkler(&nw, &nn);
            if !nw.is_empty() && (nn.contains(&nw) || nw.contains(&nn)) {
                s += 0.3;
            }
            (s, n)
        })
        .collect();
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    let close: Vec<String> = scored
        .iter()
        .filter(|(s, _)| *s >= 0.75)
        .take(3)
        .map(|(_, n)| format!("\"{n}\""))
        .collect();
    let mut msg = format!("No {kind} named \"{wanted}\".");
    if !close.is_empty() {
        msg.push_str(&format!(" Did you mean {}?", close.join(" or ")));
    }
    if !names.is_empty() {
        let shown: Vec<&str> = names.iter().take(25).map(String::as_str).collect();
        msg.push_str(&format!(
            " Valid choices: {}{}",
            shown.join(", "),
            if names.len() > 25 { ", …" } else { "" }
        ));
    }
    msg
}

impl Ctx {
    async fn cached<T: serde::de::DeserializeOwned>(
        &self,
        map: &TtlMap<Vec<T>>,
        key: String,
        ep: cw_client::endpoints::Endpoint,
        args: &[i64],
        fields: &'static str,
    ) -> Result<Arc<Vec<T>>, ToolError> {
        let key = format!("{}:{key}", self.scope());
        if let Some(v) = map.get(&key) {
            return Ok(v);
        }
        let page = self
            .cw
            .list::<T>(ep, args, &ListQuery::new().fields(fields).page(1, 1000))
            .await?;
        Ok(map.put(key, page.items))
    }

    pub async fn boards(&self) -> Result<Arc<Vec<Board>>, ToolError> {
        self.cached(
            &self.app.lookups.boards,
            "boards".into(),
            endpoints::BOARDS,
            &[],
            Board::FIELDS,
        )
        .await
    }

    pub async fn statuses(&self, board: i64) -> Result<Arc<Vec<BoardStatus>>, ToolError> {
        self.cached(
            &self.app.lookups.statuses,
            format!("statuses:{board}"),
            endpoints::BOARD_STATUSES,
            &[board],
            BoardStatus::FIELDS,
        )
        .await
    }

    pub async fn board_types(&self, board: i64) -> Result<Arc<Vec<BoardType>>, ToolError> {
        self.cached(
            &self.app.lookups.types,
            format!("types:{board}"),
            endpoints::BOARD_TYPES,
            &[board],
            BoardType::FIELDS,
        )
        .await
    }

    pub async fn priorities(&self) -> Result<Arc<Vec<Priority>>, ToolError> {
        self.cached(
            &self.app.lookups.priorities,
            "priorities".into(),
            endpoints::PRIORITIES,
            &[],
            Priority::FIELDS,
        )
        .await
    }

    pub async fn work_types(&self) -> Result<Arc<Vec<WorkType>>, ToolError> {
        self.cached(
            &self.app.lookups.work_types,
            "workTypes".into(),
            endpoints::WORK_TYPES,
            &[],
            WorkType::FIELDS,
        )
        .await
    }

    pub async fn members(&self) -> Result<Arc<Vec<Member>>, ToolError> {
        self.cached(
            &self.app.lookups.members,
            "members".into(),
            endpoints::MEMBERS,
            &[],
            Member::FIELDS,
        )
        .await
    }

    pub async fn board(&self, wanted: &str) -> Result<Board, ToolError> {
        let boards = self.boards().await?;
        pick(
            "board",
            wanted,
            &boards,
            |b| b.name.clone().unwrap_or_default(),
            |b| b.id,
        )
        .cloned()
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
        pick(
            &format!(
                "status on board \"{}\"",
                board.name.as_deref().unwrap_or("?")
            ),
            wanted,
            &active,
            |s| s.name.clone().unwrap_or_default(),
            |s| s.id,
        )
        .cloned()
    }

    pub async fn board_type(&self, board: &Board, wanted: &str) -> Result<BoardType, ToolError> {
        let types = self.board_types(board.id.unwrap_or_default()).await?;
        pick(
            &format!("type on board \"{}\"", board.name.as_deref().unwrap_or("?")),
            wanted,
            &types,
            |t| t.name.clone().unwrap_or_default(),
            |t| t.id,
        )
        .cloned()
    }

    pub async fn priority(&self, wanted: &str) -> Result<Priority, ToolError> {
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
        if contains.len() == 1 {
            return Ok(contains[0].clone());
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
        pick(
            "work type",
            wanted,
            &active,
            |w| w.name.clone().unwrap_or_default(),
            |w| w.id,
        )
        .cloned()
    }

    /// A member by identifier or full name.
    pub async fn member(&self, wanted: &str) -> Result<Member, ToolError> {
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
            |m| {
                format!(
                    "{} {}",
                    m.first_name.as_deref().unwrap_or(""),
                    m.last_name.as_deref().unwrap_or("")
                )
                .trim()
                .to_string()
            },
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

    /// A company by id, identifier or name. Not cached: tenants have thousands.
    pub async fn company(&self, wanted: &str) -> Result<Ref, ToolError> {
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
            .cw
            .list::<Company>(
                endpoints::COMPANIES,
                &[],
                &q(all([exact, f("deletedFlag").eq(false)]).expect("two parts")),
            )
            .await?;
        match found.items.len() {
            1 => return Ok(company_ref(&found.items[0])),
            n if n > 1 => {
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
            .cw
            .list::<Company>(endpoints::COMPANIES, &[], &q(f("name").contains(w)))
            .await?;
        if similar.items.len() == 1 {
            return Ok(company_ref(&similar.items[0]));
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
        let w = wanted.trim();
        let fields = "id,firstName,lastName,company/id,company/name";
        let scope = company.and_then(|c| c.id).map(|id| f("company/id").eq(id));
        let mut q = ListQuery::new().fields(fields).page(1, 10);
        if let Ok(id) = w.parse::<i64>() {
            q = q.conditions(all(scope.into_iter().chain([f("id").eq(id)])).expect("one part"));
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
            q = q.conditions(all(scope.into_iter().chain([name])).expect("one part"));
        }
        let found = self
            .cw
            .list::<Contact>(endpoints::CONTACTS, &[], &q)
            .await?;
        let label = |c: &Contact| {
            format!(
                "{} {}",
                c.first_name.as_deref().unwrap_or(""),
                c.last_name.as_deref().unwrap_or("")
            )
            .trim()
            .to_string()
        };
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
}

fn company_ref(c: &Company) -> Ref {
    Ref {
        id: c.id,
        identifier: c.identifier.clone(),
        name: c.name.clone(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_exact_loose_and_suggests() {
        let names = vec![
            ">Closed".to_string(),
            ">Closed - No response".to_string(),
            "New".to_string(),
            "In Progress".to_string(),
        ];
        let p = |w: &str| pick("status", w, &names, |s| s.clone(), |_| None).cloned();
        assert_eq!(p(">closed").unwrap(), ">Closed");
        assert_eq!(p("closed").unwrap(), ">Closed");
        assert_eq!(p("in-progress").unwrap(), "In Progress");
        let e = p("Closd").unwrap_err().to_string();
        assert!(e.contains("Did you mean \">Closed\""), "{e}");
        assert!(
            e.contains("Valid choices: >Closed, >Closed - No response, New, In Progress"),
            "{e}"
        );
    }
}
