//! Vendor support cases on ConnectWise's Salesforce Experience Cloud site (My Cases, My
//! Historical Cases), reached through the portal's single sign-on and read as a person does:
//! the list is rendered inside shadow DOM and paged with "Load more", and a case opens only by
//! clicking it in the list (its page's URL alone shows nothing).

use std::time::{Duration, Instant};

use chromiumoxide::Page;
use serde_json::{json, Value};

use crate::error::{HomeError, Result};
use crate::home::Home;

/// A query that also looks inside open shadow roots.
const DEEP: &str = "function deep(root, sel) { const out = [...root.querySelectorAll(sel)]; for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...deep(el.shadowRoot, sel)); return out; }";

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// My Cases.
    Open,
    /// My Historical Cases.
    Historical,
}

impl View {
    fn query(self) -> &'static str {
        match self {
            View::Open => "open",
            View::Historical => "historical",
        }
    }
}

impl Home {
    /// The cases of `views`, every page up to `max_pages` (default `CW_HOME_MAX_PAGES`).
    pub async fn sf_list_cases(&self, views: &[View], max_pages: Option<u32>) -> Result<Value> {
        let pages = max_pages.unwrap_or(self.config().max_pages).max(1);
        let held = self.held().await?;
        let page = held.page()?;
        let mut cases: Vec<Value> = Vec::new();
        let mut complete = true;
        for &view in views {
            self.open_list(page, view).await?;
            let mut shown = 1;
            while shown < pages && load_more(page).await? {
                shown += 1;
            }
            complete &= !more_available(page).await;
            for row in rows(page).await? {
                let number = row.get("number").cloned().unwrap_or(Value::Null);
                if !cases.iter().any(|c| c.get("number") == Some(&number)) {
                    let mut row = row;
                    if let Some(o) = row.as_object_mut() {
                        o.insert(
                            "list".into(),
                            Value::from(if view == View::Open {
                                "My Cases"
                            } else {
                                "My Historical Cases"
                            }),
                        );
                    }
                    cases.push(row);
                }
            }
        }
        Ok(
            json!({"cases": self.redacted(&Value::Array(cases)), "complete": complete,
                  "note": if complete { Value::Null } else { Value::from(format!("More cases than {pages} page(s); raise max_pages (or CW_HOME_MAX_PAGES) to see them.")) }}),
        )
    }

    /// One case, found in My Cases or My Historical Cases and opened by clicking it: its fields,
    /// description and the whole conversation, oldest first.
    pub async fn sf_get_case(&self, number: &str) -> Result<Value> {
        let number = number.trim();
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(HomeError::Invalid(format!(
                "`{number}` is not a case number (digits, e.g. 01234567)"
            )));
        }
        let held = self.held().await?;
        let page = held.page()?;
        for view in [View::Open, View::Historical] {
            self.open_list(page, view).await?;
            let max = self.config().max_pages.max(1) * 5;
            let mut loaded = 1;
            loop {
                let js = format!("(() => {{ {DEEP} const a = deep(document, 'a.case-link').find(a => a.textContent.trim() === {n}); if (!a) return false; a.click(); return true; }})()", n = json!(number));
                if page
                    .evaluate(js)
                    .await?
                    .into_value::<bool>()
                    .unwrap_or(false)
                {
                    return self.read_case(page).await;
                }
                if loaded >= max || !load_more(page).await? {
                    break;
                }
                loaded += 1;
            }
        }
        Err(HomeError::Invalid(format!(
            "No case {number} in My Cases or My Historical Cases."
        )))
    }

    async fn read_case(&self, page: &Page) -> Result<Value> {
        let js = format!(
            "(() => {{ {DEEP} const c = deep(document, 'article.case')[0]; if (!c) return null;
               const f = {{}}; for (const dd of deep(document, 'dd[data-field]')) f[dd.dataset.field] = dd.textContent.trim();
               const d = deep(document, '.description')[0];
               const feed = deep(document, 'li.post').map(p => ({{author: p.querySelector('.author')?.textContent.trim(), at: p.querySelector('time')?.getAttribute('datetime'), body: p.querySelector('.body')?.textContent.trim()}}));
               return {{fields: f, description: d ? d.textContent.trim() : '', feed}}; }})()"
        );
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            let v: Value = match page.evaluate(js.as_str()).await {
                Ok(r) => r.into_value().unwrap_or(Value::Null),
                Err(_) => Value::Null,
            };
            if !v.is_null() {
                let mut feed: Vec<Value> = v
                    .get("feed")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                feed.sort_by(|a, b| {
                    a.get("at")
                        .and_then(Value::as_str)
                        .cmp(&b.get("at").and_then(Value::as_str))
                });
                let f = v.get("fields").cloned().unwrap_or(Value::Null);
                let case = json!({
                    "number": f.get("number"), "subject": f.get("subject"), "status": f.get("status"),
                    "priority": f.get("priority"), "product": f.get("product"), "created": f.get("created"),
                    "description": v.get("description"), "conversation": feed,
                });
                return Ok(self.redacted(&case));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(HomeError::Browser(
            "The case page did not show the case within 10 s.".into(),
        ))
    }

    /// Opens a case list, through the single sign-on if needed, and waits for its rows.
    async fn open_list(&self, page: &Page, view: View) -> Result<()> {
        let url = format!(
            "{}/s/case/Case/Default?view={}",
            self.config().sf_url.trim_end_matches('/'),
            view.query()
        );
        self.config().origins.check(&url)?;
        let _ = tokio::time::timeout(Duration::from_secs(30), page.goto(url.as_str())).await;
        let started = Instant::now();
        let ready = format!("(() => {{ {DEEP} return deep(document, 'a.case-link').length > 0 || (deep(document, 'table').length > 0 && deep(document, 'button.more').length > 0 && deep(document, 'button.more')[0].hidden && performance.now() > 1500); }})()");
        while started.elapsed() < Duration::from_secs(15) {
            let here = page.url().await?.unwrap_or_default();
            // The page may be between loads (the sign-on hop): an evaluation then fails, and is retried.
            if here.contains("/case/Case/Default") && crate::login::eval_bool(page, &ready).await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(HomeError::NotLoggedIn("The support site did not show the case list: not signed in to it (call cw_home_login first), or it did not load.".into()))
    }
}

/// The list's rows as they stand.
async fn rows(page: &Page) -> Result<Vec<Value>> {
    let js = format!(
        "(() => {{ {DEEP} return deep(document, 'tbody tr').map(tr => {{ const t = [...tr.querySelectorAll('td')].map(td => td.textContent.trim());
           return {{number: t[0], subject: t[1], status: t[2], priority: t[3], product: t[4], created: t[5], modified: t[6]}}; }}); }})()"
    );
    Ok(page.evaluate(js).await?.into_value().unwrap_or_default())
}

async fn more_available(page: &Page) -> bool {
    let js = format!("(() => {{ {DEEP} const b = deep(document, 'button.more')[0]; return !!b && !b.hidden; }})()");
    crate::login::eval_bool(page, &js).await
}

/// Presses "Load more" and waits for the rows it adds; false when there is nothing more.
async fn load_more(page: &Page) -> Result<bool> {
    if !more_available(page).await {
        return Ok(false);
    }
    let before = rows(page).await?.len();
    let js = format!("(() => {{ {DEEP} deep(document, 'button.more')[0].click(); }})()");
    page.evaluate(js).await?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        if rows(page).await?.len() > before {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Home {
    /// A case as arguments for the PSA's `cw_create_ticket`: the summary tagged with the case
    /// number (which finds the ticket again on a second export), and the case with its
    /// conversation summarised in an internal note (nothing customer-visible).
    pub async fn export_case(
        &self,
        number: &str,
        company: Option<&str>,
        board: Option<&str>,
        include_feed: bool,
    ) -> Result<Value> {
        let case = self.sf_get_case(number).await?;
        let s = |k: &str| {
            case.get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let mut warnings: Vec<String> = Vec::new();
        let mut summary = format!("[SF {}] {}", s("number"), s("subject"));
        if summary.chars().count() > 100 {
            summary = summary.chars().take(99).collect::<String>() + "…";
            warnings.push("summary shortened to ConnectWise's 100 characters".into());
        }
        let mut note = format!(
            "ConnectWise support case {} ({}, {}, priority {}), opened {}.\n{}",
            s("number"),
            s("status"),
            s("product"),
            s("priority"),
            s("created"),
            s("description")
        );
        if include_feed {
            note.push_str("\n\nConversation, oldest first:");
            for post in case
                .get("conversation")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let body: String = post
                    .get("body")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .chars()
                    .take(400)
                    .collect();
                note.push_str(&format!(
                    "\n- {} {}: {}",
                    post.get("at").and_then(Value::as_str).unwrap_or(""),
                    post.get("author").and_then(Value::as_str).unwrap_or(""),
                    body
                ));
            }
        }
        let mut ticket = serde_json::Map::new();
        ticket.insert("summary".into(), Value::from(summary));
        ticket.insert("internal_note".into(), Value::from(note));
        match company {
            Some(c) => {
                ticket.insert("company".into(), Value::from(c));
            }
            None => warnings.push(
                "no company: pass company (a PSA company name or id) to create the ticket".into(),
            ),
        }
        if let Some(b) = board {
            ticket.insert("board".into(), Value::from(b));
        }
        Ok(
            json!({"case": {"number": s("number"), "subject": s("subject"), "status": s("status")}, "ticket": ticket, "warnings": warnings}),
        )
    }
}
