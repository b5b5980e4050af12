//! [`Home`]: every operation the Home tools offer, each taking the browser for its duration and
//! answering only redacted data.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::accessibility::GetFullAxTreeParams;
use chromiumoxide::cdp::browser_protocol::network::{
    EnableParams as NetworkEnable, EventLoadingFinished, EventRequestWillBeSent,
    EventResponseReceived, GetResponseBodyParams, ResourceType,
};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::browser::Host;
use crate::catalogue::Catalogue;
use crate::config::HomeConfig;
use crate::error::{HomeError, Result};
use crate::login::{self, Breaker};
use crate::operations::{self, Auth, Operation};
use crate::origin::origin_of;
use crate::redact::Redactor;
use crate::state;

/// Largest text a tool returns from a page (characters).
const MAX_TEXT: usize = 20_000;

/// ConnectWise Home through one browser.
pub struct Home {
    cfg: Arc<HomeConfig>,
    host: Host,
    breaker: Breaker,
    redactor: Redactor,
    catalogue: OnceLock<Catalogue>,
    /// The signed-in user's partner id, once looked up.
    partner: tokio::sync::Mutex<Option<String>>,
}

impl Home {
    pub fn new(cfg: HomeConfig) -> Home {
        let redactor = Redactor::new(cfg.secrets());
        let cfg = Arc::new(cfg);
        Home {
            host: Host::new(cfg.clone()),
            cfg,
            breaker: Breaker::default(),
            redactor,
            catalogue: OnceLock::new(),
            partner: tokio::sync::Mutex::new(None),
        }
    }

    pub fn config(&self) -> &HomeConfig {
        &self.cfg
    }

    /// Text as it may leave the module.
    pub fn redact(&self, s: &str) -> String {
        self.redactor.text(s)
    }

    /// JSON as it may leave the module.
    pub(crate) fn redacted(&self, v: &Value) -> Value {
        self.redactor.json(v)
    }

    /// The browser, for one call.
    pub(crate) async fn held(&self) -> Result<crate::browser::Held<'_>> {
        self.host.take().await
    }

    /// Closes the browser (saving its cookies).
    pub async fn shutdown(&self) {
        self.host.shutdown().await;
    }

    /// How many times the browser has been started.
    pub fn launches(&self) -> u64 {
        self.host.launches()
    }

    // --- session ---

    pub async fn login(&self, force: bool) -> Result<Value> {
        let held = self.host.take().await?;
        login::login(&self.cfg, &held, &self.breaker, &self.redactor, force).await
    }

    pub async fn logout(&self) -> Result<Value> {
        let mut removed = 0;
        {
            let guard = self.host.peek().await;
            if let Some(r) = guard.as_ref() {
                removed = r.cookies().await.map(|c| c.len()).unwrap_or(0);
                r.clear_cookies().await?;
                let _ = r
                    .page
                    .evaluate("(() => { sessionStorage.clear(); localStorage.clear(); })()")
                    .await;
                let _ = r.page.goto("about:blank").await;
            }
        }
        state::clear(&self.cfg.data_dir)?;
        Ok(json!({"logged_out": true, "cookies_cleared": removed, "saved_session_removed": true}))
    }

    pub async fn session_status(&self) -> Result<Value> {
        let guard = self.host.peek().await;
        let breaker =
            json!({"consecutive_failures": self.breaker.failures(), "open": self.breaker.open()});
        let Some(r) = guard.as_ref() else {
            let saved = state::load(&self.cfg.data_dir)?.unwrap_or_default();
            return Ok(json!({
                "browser_running": false,
                "saved_cookies": saved.len(),
                "earliest_expiry": earliest(saved.iter().map(|c| (c.session, c.expires))),
                "login_breaker": breaker,
            }));
        };
        let cookies = r.cookies().await?;
        let url = r.page.url().await?.unwrap_or_default();
        let logged_in = origin_of(&url) == origin_of(&self.cfg.base_url)
            && login::eval_bool(&r.page, login::TOKEN_JS).await;
        Ok(json!({
            "browser_running": true,
            "logged_in": logged_in,
            "cookies": cookies.len(),
            "earliest_expiry": earliest(cookies.iter().map(|c| (c.session, c.expires))),
            "url": self.redactor.url(&url),
            "login_breaker": breaker,
        }))
    }

    // --- primitives ---

    pub async fn navigate(&self, url: &str) -> Result<Value> {
        let target = self.absolute(url)?;
        self.cfg.origins.check(&target)?;
        let held = self.host.take().await?;
        let page = held.page()?;
        let loaded =
            tokio::time::timeout(Duration::from_secs(30), page.goto(target.as_str())).await;
        let blocked = held.running()?.take_blocked();
        let here = page.url().await?.unwrap_or_default();
        if !blocked.is_empty() {
            return Err(HomeError::Invalid(format!(
                "The page was sent to {}, which is not on the allow-list, and that load was blocked; the page is at {}.",
                blocked.join(", "),
                self.redactor.url(&here)
            )));
        }
        if let Ok(Err(e)) = loaded {
            return Err(HomeError::Browser(
                self.redactor.text(&format!("loading {target} failed: {e}")),
            ));
        }
        Ok(
            json!({"url": self.redactor.url(&here), "title": self.redactor.text(&page.get_title().await?.unwrap_or_default())}),
        )
    }

    /// The page's accessibility tree, one node a line (role, then name), indented by depth.
    pub async fn snapshot(&self, max_nodes: usize) -> Result<String> {
        let held = self.host.take().await?;
        let page = held.page()?;
        let tree = page.execute(GetFullAxTreeParams::default()).await?;
        let nodes = &tree.result.nodes;
        let by_id: HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.node_id.inner().as_str(), i))
            .collect();
        let mut lines = Vec::new();
        let mut stack: Vec<(usize, usize)> = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.parent_id.is_none())
            .map(|(i, _)| (i, 0))
            .collect();
        stack.reverse();
        let mut shown = 0;
        while let Some((i, depth)) = stack.pop() {
            let Some(n) = nodes.get(i) else { continue };
            let role = ax_text(n.role.as_ref());
            let name = ax_text(n.name.as_ref());
            let skip = n.ignored
                || matches!(
                    role.as_str(),
                    "none" | "generic" | "InlineTextBox" | "LineBreak" | ""
                )
                || (role == "StaticText" && name.trim().is_empty());
            let child_depth = if skip { depth } else { depth + 1 };
            if !skip {
                if shown >= max_nodes {
                    lines.push(format!("… (more nodes; max_nodes is {max_nodes})"));
                    break;
                }
                let value = ax_text(n.value.as_ref());
                let mut line = format!("{}{}", "  ".repeat(depth), role);
                if !name.is_empty() {
                    line.push_str(&format!(" \"{}\"", name.replace('\n', " ")));
                }
                if !value.is_empty() && role != "StaticText" {
                    line.push_str(&format!(" = \"{}\"", value.replace('\n', " ")));
                }
                lines.push(line);
                shown += 1;
            }
            if let Some(children) = &n.child_ids {
                for c in children.iter().rev() {
                    if let Some(&ci) = by_id.get(c.inner().as_str()) {
                        stack.push((ci, child_depth));
                    }
                }
            }
        }
        let url = page.url().await?.unwrap_or_default();
        Ok(cap(&self.redactor.text(&format!(
            "Page {}\n{}",
            self.redactor.url(&url),
            lines.join("\n")
        ))))
    }

    pub async fn screenshot(&self, full_page: bool) -> Result<Vec<u8>> {
        let held = self.host.take().await?;
        Ok(held
            .page()?
            .screenshot(ScreenshotParams::builder().full_page(full_page).build())
            .await?)
    }

    pub async fn click(&self, selector: &str) -> Result<Value> {
        let held = self.host.take().await?;
        let page = held.page()?;
        let before = page.url().await?.unwrap_or_default();
        element(page, selector).await?.click().await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        self.after_action(&held, &before).await
    }

    pub async fn fill(&self, selector: &str, value: &str) -> Result<Value> {
        let held = self.host.take().await?;
        let page = held.page()?;
        let el = element(page, selector).await?;
        el.click().await?;
        el.call_js_fn("function() { this.value = ''; }", false)
            .await?;
        el.type_str(value).await?;
        Ok(json!({"filled": selector, "characters": value.chars().count()}))
    }

    pub async fn select(&self, selector: &str, value: &str) -> Result<Value> {
        let held = self.host.take().await?;
        let page = held.page()?;
        let js = format!(
            "(() => {{ const el = document.querySelector({sel}); if (!el) return null; const want = {val};
               const opt = Array.from(el.options || []).find(o => o.value === want || o.text.trim() === want);
               if (!opt) return {{missing: Array.from(el.options || []).map(o => o.text.trim())}};
               el.value = opt.value; el.dispatchEvent(new Event('input', {{bubbles: true}})); el.dispatchEvent(new Event('change', {{bubbles: true}}));
               return {{selected: opt.text.trim(), value: opt.value}}; }})()",
            sel = json!(selector),
            val = json!(value)
        );
        let r: Value = page.evaluate(js).await?.into_value().unwrap_or(Value::Null);
        if r.is_null() {
            return Err(HomeError::Invalid(format!(
                "No element matches {selector}; take a cw_home_snapshot to see the page."
            )));
        }
        if let Some(options) = r.get("missing") {
            return Err(HomeError::Invalid(self.redactor.text(&format!(
                "{selector} has no option {value:?}; its options are {options}"
            ))));
        }
        Ok(self.redactor.json(&r))
    }

    pub async fn press_key(&self, key: &str, selector: Option<&str>) -> Result<Value> {
        let held = self.host.take().await?;
        let page = held.page()?;
        let before = page.url().await?.unwrap_or_default();
        let el = match selector {
            Some(s) => element(page, s).await?,
            None => match page.find_element(":focus").await {
                Ok(e) => e,
                Err(_) => element(page, "body").await?,
            },
        };
        el.focus().await?;
        el.press_key(key).await.map_err(|_| {
            HomeError::Invalid(format!(
                "`{key}` is not a key name (Enter, Tab, Escape, ArrowDown, a, …)"
            ))
        })?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.after_action(&held, &before).await
    }

    /// Evaluates an expression that may only read: V8 is asked to throw if it could have any
    /// side effect (DevTools' eager-evaluation mode), so assignments, calls that change the DOM
    /// or storage, and network requests are refused before they run.
    pub async fn eval(&self, expression: &str) -> Result<Value> {
        let held = self.host.take().await?;
        let page = held.page()?;
        let mut p = EvaluateParams::new(expression);
        p.return_by_value = Some(true);
        p.throw_on_side_effect = Some(true);
        p.await_promise = Some(false);
        p.silent = Some(true);
        let r = page.execute(p).await?;
        if let Some(ex) = &r.result.exception_details {
            let what = ex
                .exception
                .as_ref()
                .and_then(|e| e.description.clone())
                .unwrap_or_else(|| ex.text.clone());
            let msg = if what.contains("side effect")
                || what.contains("EvalError: Possible side-effect")
            {
                "The expression could change the page (assignments, DOM or storage changes, network requests are refused); cw_home_eval only reads.".to_string()
            } else {
                format!(
                    "The expression failed: {}",
                    what.lines().next().unwrap_or("")
                )
            };
            return Err(HomeError::Invalid(self.redactor.text(&msg)));
        }
        let value = r.result.result.value.clone().unwrap_or(Value::Null);
        let out = self.redactor.json(&value);
        let text = out.to_string();
        if text.len() > MAX_TEXT {
            return Ok(json!({"truncated": true, "json": cap(&text)}));
        }
        Ok(out)
    }

    /// The XHR and fetch traffic while `action` runs (a click or a navigation) and for
    /// `duration` after, redacted.
    pub async fn capture_xhr(
        &self,
        click: Option<&str>,
        navigate: Option<&str>,
        url_filter: Option<&str>,
        duration: Duration,
        include_bodies: bool,
    ) -> Result<Value> {
        if let Some(u) = navigate {
            self.cfg.origins.check(&self.absolute(u)?)?;
        }
        let held = self.host.take().await?;
        let page = held.page()?;
        page.execute(NetworkEnable::default()).await?;
        let mut sent = page.event_listener::<EventRequestWillBeSent>().await?;
        let mut answered = page.event_listener::<EventResponseReceived>().await?;
        let mut finished = page.event_listener::<EventLoadingFinished>().await?;
        if let Some(sel) = click {
            element(page, sel).await?.click().await?;
        }
        if let Some(u) = navigate {
            let _ = tokio::time::timeout(
                Duration::from_secs(30),
                page.goto(self.absolute(u)?.as_str()),
            )
            .await;
        }
        let mut requests: Vec<Value> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut done: Vec<String> = Vec::new();
        let until = tokio::time::Instant::now() + duration;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => break,
                Some(ev) = sent.next() => {
                    let xhr = matches!(ev.r#type, Some(ResourceType::Xhr | ResourceType::Fetch));
                    if !xhr || url_filter.is_some_and(|f| !ev.request.url.contains(f)) || requests.len() >= 50 { continue; }
                    let headers = redact_headers(&self.redactor, ev.request.headers.inner());
                    index.insert(ev.request_id.inner().clone(), requests.len());
                    requests.push(json!({"method": ev.request.method, "url": self.redactor.url(&ev.request.url), "request_headers": headers}));
                }
                Some(ev) = answered.next() => {
                    if let Some(&i) = index.get(ev.request_id.inner()) {
                        if let Some(entry) = requests.get_mut(i).and_then(Value::as_object_mut) {
                            entry.insert("status".into(), json!(ev.response.status));
                            entry.insert("response_headers".into(), redact_headers(&self.redactor, ev.response.headers.inner()));
                        }
                    }
                }
                Some(ev) = finished.next() => done.push(ev.request_id.inner().clone()),
            }
        }
        if include_bodies {
            for id in done {
                let Some(&i) = index.get(&id) else { continue };
                if let Ok(b) = page.execute(GetResponseBodyParams::new(id.clone())).await {
                    let body = match serde_json::from_str::<Value>(&b.result.body) {
                        Ok(v) => self.redactor.json(&v),
                        Err(_) => Value::String(cap(&self.redactor.text(&b.result.body))),
                    };
                    if let Some(entry) = requests.get_mut(i).and_then(Value::as_object_mut) {
                        entry.insert("body".into(), body);
                    }
                }
            }
        }
        let blocked = held.running()?.take_blocked();
        Ok(json!({"requests": requests, "blocked_navigations": blocked}))
    }

    /// A request made by the page itself: with the browser's cookies, and with `bearer` also
    /// the OIDC access token the portal keeps in sessionStorage, which is read and used inside
    /// the page and never returned.
    pub async fn api_call(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        bearer: bool,
    ) -> Result<Value> {
        let target = self.absolute(url)?;
        self.cfg.origins.check(&target)?;
        let method = method.to_ascii_uppercase();
        if !matches!(
            method.as_str(),
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD"
        ) {
            return Err(HomeError::Invalid(format!(
                "{method} is not an HTTP method to call with; use GET, POST, PUT, PATCH or DELETE"
            )));
        }
        let held = self.host.take().await?;
        let page = held.page()?;
        // Same-origin, so the portal's cookies go with it and no CORS rule stands in between.
        let want = origin_of(&target);
        if origin_of(&page.url().await?.unwrap_or_default()) != want {
            let home = want.clone().unwrap_or_default();
            let _ =
                tokio::time::timeout(Duration::from_secs(30), page.goto(format!("{home}/"))).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let js = format!(
            "(async () => {{
               const headers = {{accept: 'application/json'}};
               if ({bearer}) {{
                 const k = Object.keys(sessionStorage).find(k => k.startsWith('oidc.user:'));
                 if (!k) return {{no_token: true}};
                 headers.authorization = 'Bearer ' + JSON.parse(sessionStorage.getItem(k)).access_token;
               }}
               const body = {body};
               if (body !== null) headers['content-type'] = 'application/json';
               const r = await fetch({url}, {{method: {method}, headers, credentials: 'include', body: body === null ? undefined : JSON.stringify(body)}});
               const h = {{}}; r.headers.forEach((v, k) => h[k] = v);
               return {{status: r.status, headers: h, text: await r.text()}};
             }})()",
            bearer = bearer,
            body = body.map_or_else(|| "null".to_string(), Value::to_string),
            url = json!(target),
            method = json!(method),
        );
        let r: Value = page
            .evaluate(js)
            .await
            .map_err(|e| {
                HomeError::Browser(
                    self.redactor
                        .text(&format!("the request failed in the page: {e}")),
                )
            })?
            .into_value()
            .unwrap_or(Value::Null);
        if r.get("no_token").is_some() {
            return Err(HomeError::NotLoggedIn(
                "The portal holds no access token in this browser: call cw_home_login first."
                    .into(),
            ));
        }
        let text = r.get("text").and_then(Value::as_str).unwrap_or("");
        let body = match serde_json::from_str::<Value>(text) {
            Ok(v) => self.redactor.json(&v),
            Err(_) => Value::String(cap(&self.redactor.text(text))),
        };
        let headers = r.get("headers").and_then(Value::as_object).map(|h| {
            let pairs: Vec<(String, String)> = h
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect();
            redact_pairs(&self.redactor, pairs)
        });
        Ok(
            json!({"status": r.get("status"), "url": self.redactor.url(&target), "headers": headers, "body": body}),
        )
    }

    // --- the discovery catalogue ---

    fn catalogue(&self) -> Result<&Catalogue> {
        if let Some(c) = self.catalogue.get() {
            return Ok(c);
        }
        let c = Catalogue::open(&self.cfg.data_dir)?;
        Ok(self.catalogue.get_or_init(|| c))
    }

    pub fn save_discovery(&self, method: &str, url: &str, description: &str) -> Result<Value> {
        let target = self.absolute(url)?;
        self.cfg.origins.check(&target)?;
        let url = self.redactor.url(&target);
        let id = self
            .catalogue()?
            .save(method, &url, &self.redactor.text(description))?;
        Ok(json!({"id": id, "method": method.to_ascii_uppercase(), "url": url}))
    }

    pub fn list_discovered(&self, search: Option<&str>) -> Result<Value> {
        Ok(json!({"endpoints": self.catalogue()?.list(search)?}))
    }

    pub fn delete_discovery(&self, id: i64) -> Result<Value> {
        if !self.catalogue()?.delete(id)? {
            return Err(HomeError::Invalid(format!(
                "No saved endpoint has id {id}; cw_home_list_discovered lists them."
            )));
        }
        Ok(json!({"deleted": id}))
    }

    // --- named operations and pinned queries ---

    /// Seed 002's operations and the ones users promoted.
    fn operations(&self) -> Result<Vec<Operation>> {
        let mut all = operations::builtin()?.to_vec();
        for d in self.catalogue()?.operations()? {
            if let Ok(op) = serde_json::from_value::<Operation>(d) {
                all.retain(|o| o.name != op.name);
                all.push(op);
            }
        }
        Ok(all)
    }

    /// Operations by category and keyword.
    pub fn list_operations(&self, category: Option<&str>, search: Option<&str>) -> Result<Value> {
        let builtin: Vec<&str> = operations::builtin()?
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        let words = search.map(str::to_lowercase);
        let rows: Vec<Value> = self
            .operations()?
            .into_iter()
            .filter(|o| category.is_none_or(|c| o.category.eq_ignore_ascii_case(c)))
            .filter(|o| words.as_deref().is_none_or(|w| o.name.contains(w) || o.description.to_lowercase().contains(w) || o.path.to_lowercase().contains(w)))
            .map(|o| {
                let params: Vec<String> = o.params.iter().map(|(k, p)| format!("{k}{}: {}", if p.required { "" } else { "?" }, p.kind)).collect();
                json!({"name": o.name, "method": o.method, "path": o.path, "auth": o.auth, "writes": o.writes,
                       "description": o.description, "params": params,
                       "source": if builtin.contains(&o.name.as_str()) { "built-in" } else { "promoted" }})
            })
            .collect();
        Ok(json!({"operations": rows}))
    }

    /// Runs a named operation (or a pinned query); one that changes anything answers with what
    /// it would send unless `confirm` is true.
    pub async fn operation(
        &self,
        name: Option<&str>,
        query: Option<&str>,
        params: &serde_json::Map<String, Value>,
        confirm: bool,
    ) -> Result<Value> {
        let mut merged = serde_json::Map::new();
        let name = match (name, query) {
            (_, Some(q)) => {
                let saved = self.catalogue()?.queries(Some(q))?;
                let Some(saved) = saved.first() else {
                    return Err(HomeError::Invalid(format!(
                        "No pinned query is called {q}; cw_home_list_queries lists them."
                    )));
                };
                if let Some(p) = saved.get("params").and_then(Value::as_object) {
                    merged.extend(p.clone());
                }
                saved
                    .get("operation")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            }
            (Some(n), None) => n.to_string(),
            (None, None) => {
                return Err(HomeError::Invalid(
                    "Name an operation (cw_home_list_operations lists them) or a pinned query."
                        .into(),
                ))
            }
        };
        merged.extend(params.clone());
        let ops = self.operations()?;
        let Some(op) = ops.iter().find(|o| o.name == name) else {
            let close: Vec<&str> = ops
                .iter()
                .map(|o| o.name.as_str())
                .filter(|n| n.split('.').any(|p| name.contains(p)))
                .take(8)
                .collect();
            return Err(HomeError::Invalid(format!(
                "There is no operation {name}{}; cw_home_list_operations lists them.",
                if close.is_empty() {
                    String::new()
                } else {
                    format!(" (close: {})", close.join(", "))
                }
            )));
        };
        let partner = if op.params.contains_key("partnerId") && !merged.contains_key("partnerId") {
            self.partner_id().await.ok()
        } else {
            None
        };
        let req = operations::request(op, &merged, partner.as_deref())?;
        if op.writes && !confirm {
            return Ok(json!({
                "confirm_required": true,
                "operation": op.name,
                "would_send": {"method": req.method, "url": self.redactor.url(&req.url), "body": req.body.as_ref().map(|b| self.redactor.json(b))},
                "message": format!("{} changes the portal ({}); nothing was sent. Call again with confirm: true to do it.", op.name, op.description),
            }));
        }
        let mut out = self
            .api_call(
                &req.method,
                &req.url,
                req.body.as_ref(),
                req.auth == Auth::Bearer,
            )
            .await?;
        if let Some(o) = out.as_object_mut() {
            o.insert("operation".into(), Value::from(op.name.clone()));
        }
        Ok(out)
    }

    /// The signed-in user's partner id, for operations that leave it out.
    async fn partner_id(&self) -> Result<String> {
        let mut known = self.partner.lock().await;
        if let Some(p) = known.as_ref() {
            return Ok(p.clone());
        }
        let me = self.api_call("GET", "/api/v1/me", None, true).await?;
        let p = me
            .pointer("/body/partnerId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                HomeError::Invalid(
                    "The portal did not say which partner you belong to; pass partnerId.".into(),
                )
            })?;
        *known = Some(p.clone());
        Ok(p)
    }

    /// Promotes a discovered endpoint to a named operation (kept in SQLite).
    pub fn promote(
        &self,
        name: &str,
        method: &str,
        url: &str,
        auth: &str,
        description: &str,
    ) -> Result<Value> {
        let target = self.absolute(url)?;
        if origin_of(&target) != origin_of(&self.cfg.base_url) {
            return Err(HomeError::Invalid("Only portal endpoints can become operations (the URL's origin is not the portal's).".into()));
        }
        let path = url::Url::parse(&target)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        let method = method.to_ascii_uppercase();
        let auth = match auth {
            "cookie" => Auth::Cookie,
            "bearer" => Auth::Bearer,
            other => {
                return Err(HomeError::Invalid(format!(
                    "auth is bearer or cookie, not {other}"
                )))
            }
        };
        let op = Operation {
            name: name.to_string(),
            category: name.split('.').next().unwrap_or_default().to_string(),
            writes: method != "GET",
            method,
            path,
            auth,
            description: self.redactor.text(description),
            params: Default::default(),
        };
        operations::check(&op)?;
        if operations::builtin()?.iter().any(|o| o.name == op.name) {
            return Err(HomeError::Invalid(format!(
                "{} is a built-in operation; choose another name",
                op.name
            )));
        }
        let def = serde_json::to_value(&op).map_err(|e| HomeError::Invalid(e.to_string()))?;
        self.catalogue()?.save_operation(&op.name, &def)?;
        Ok(
            json!({"promoted": op.name, "method": op.method, "path": op.path, "auth": op.auth, "writes": op.writes}),
        )
    }

    pub fn save_query(
        &self,
        name: &str,
        operation: &str,
        params: &serde_json::Map<String, Value>,
        description: &str,
    ) -> Result<Value> {
        let ops = self.operations()?;
        let Some(op) = ops.iter().find(|o| o.name == operation) else {
            return Err(HomeError::Invalid(format!(
                "There is no operation {operation}; cw_home_list_operations lists them."
            )));
        };
        // The parameters must make a request (a partner id is filled in when it runs).
        operations::request(op, params, Some("partner"))?;
        if name.trim().is_empty() || name.len() > 80 {
            return Err(HomeError::Invalid(
                "A pinned query needs a name of 1 to 80 characters.".into(),
            ));
        }
        self.catalogue()?.save_query(
            name,
            operation,
            &Value::Object(params.clone()),
            &self.redactor.text(description),
        )?;
        Ok(json!({"saved": name, "operation": operation}))
    }

    pub fn list_queries(&self) -> Result<Value> {
        Ok(json!({"queries": self.catalogue()?.queries(None)?}))
    }

    pub fn delete_query(&self, name: &str) -> Result<Value> {
        if self.catalogue()?.delete_queries(Some(name))? == 0 {
            return Err(HomeError::Invalid(format!(
                "No pinned query is called {name}; cw_home_list_queries lists them."
            )));
        }
        Ok(json!({"deleted": name}))
    }

    pub fn clear_queries(&self) -> Result<Value> {
        Ok(json!({"deleted": self.catalogue()?.delete_queries(None)?}))
    }

    // --- helpers ---

    /// `url` made absolute against the portal.
    fn absolute(&self, url: &str) -> Result<String> {
        let base = url::Url::parse(&self.cfg.base_url)
            .map_err(|_| HomeError::Config("CW_HOME_BASE_URL is not a URL".into()))?;
        base.join(url)
            .map(|u| u.to_string())
            .map_err(|_| HomeError::Invalid(format!("`{url}` is not a URL or a path")))
    }

    /// Where the page is after an action, and any navigation the guard refused. A refused
    /// load leaves Chromium's error page; the page goes back to where it was (`before`).
    async fn after_action(&self, held: &crate::browser::Held<'_>, before: &str) -> Result<Value> {
        let page = held.page()?;
        let blocked = held.running()?.take_blocked();
        let mut url = page.url().await?.unwrap_or_default();
        if !blocked.is_empty() && !self.cfg.origins.allows(&url) && self.cfg.origins.allows(before)
        {
            let _ = tokio::time::timeout(Duration::from_secs(30), page.goto(before)).await;
            url = page.url().await?.unwrap_or_default();
        }
        if blocked.is_empty() {
            return Ok(json!({"url": self.redactor.url(&url)}));
        }
        Ok(json!({
            "url": self.redactor.url(&url),
            "blocked_navigation": format!("The page tried to load {}, which is not on the allow-list; it was blocked.", blocked.join(", ")),
        }))
    }
}

async fn element(page: &Page, selector: &str) -> Result<chromiumoxide::element::Element> {
    page.find_element(selector).await.map_err(|_| {
        HomeError::Invalid(format!(
            "No element matches {selector}; take a cw_home_snapshot to see the page."
        ))
    })
}

fn ax_text(v: Option<&chromiumoxide::cdp::browser_protocol::accessibility::AxValue>) -> String {
    match v.and_then(|v| v.value.as_ref()) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn redact_headers(r: &Redactor, headers: &Value) -> Value {
    let pairs: Vec<(String, String)> = headers
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    redact_pairs(r, pairs)
}

fn redact_pairs(r: &Redactor, pairs: Vec<(String, String)>) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in pairs {
        out.insert(k.clone(), Value::String(r.header(&k, &v)));
    }
    Value::Object(out)
}

/// The earliest expiry of persistent cookies, as RFC 3339.
fn earliest(cookies: impl Iterator<Item = (bool, f64)>) -> Option<String> {
    let min = cookies
        .filter(|(session, exp)| !session && *exp > 0.0)
        .map(|(_, e)| e)
        .fold(f64::INFINITY, f64::min);
    if !min.is_finite() {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    chrono::DateTime::from_timestamp(min as i64, 0).map(|t| t.to_rfc3339())
}

fn cap(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… [truncated at {MAX_TEXT} characters]",
        s.get(..end).unwrap_or("")
    )
}
