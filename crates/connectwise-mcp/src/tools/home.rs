//! The `home` toolset: ConnectWise Home (the partner portal) through a real headless browser
//! ([`cw_home`]). Admin-only on shared deployments and off unless `CW_TOOLSETS` names it. The
//! browser starts on the first of these calls, so the PSA tools never pay for it.

use std::time::Duration;

use cw_home::HomeError;
use rmcp::handler::server::router::tool::AsyncTool;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::tool;
use crate::tools::{Hints, Toolset, READ};
use crate::untrusted;

/// ConnectWise Home, the partner portal.
pub const HOME: Toolset = Toolset {
    name: "home",
    family: "home",
    description: "ConnectWise Home (the partner portal) through a headless browser: login, page primitives, portal API calls",
    admin_only: true,
    default_on: false,
};

/// Acts in the browser (a click, a fill, a navigation, a portal request): it may change
/// something, and the same action twice is two actions.
const ACT: Hints = Hints {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};

/// What a Home tool answers: an object whose fields depend on the tool.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HomeOut {
    #[serde(flatten)]
    pub data: Map<String, Value>,
    /// A screenshot, sent as image content rather than inside the JSON.
    #[serde(skip)]
    pub image: Option<Vec<u8>>,
}

fn out(r: Result<Value, HomeError>) -> Result<HomeOut, ToolError> {
    match r {
        Ok(Value::Object(data)) => Ok(HomeOut { data, image: None }),
        Ok(other) => {
            let mut data = Map::new();
            data.insert("result".into(), other);
            Ok(HomeOut { data, image: None })
        }
        Err(e) => Err(error(e)),
    }
}

fn error(e: HomeError) -> ToolError {
    match e {
        HomeError::Invalid(m) => ToolError::Invalid(m),
        HomeError::NotLoggedIn(m)
        | HomeError::Config(m)
        | HomeError::Login(m)
        | HomeError::Browser(m) => ToolError::Setup(m),
    }
}

/// JSON as text; page text inside is data from the portal, fenced as untrusted.
fn json_text(o: &HomeOut) -> String {
    let s = serde_json::to_string(&o.data).unwrap_or_default();
    untrusted::fence(&s)
}

fn plain_text(o: &HomeOut) -> String {
    serde_json::to_string(&o.data).unwrap_or_default()
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct NoArgs {}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct LoginArgs {
    /// Log in again from scratch instead of reusing the saved session
    pub force: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct UrlArgs {
    /// A portal path (/users) or an allow-listed URL
    pub url: String,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SnapshotArgs {
    /// Most nodes to list (default 200)
    pub max_nodes: Option<u32>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ScreenshotArgs {
    /// The whole page, not just the viewport
    pub full_page: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SelectorArgs {
    /// CSS selector
    pub selector: String,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct FillArgs {
    /// CSS selector
    pub selector: String,
    pub value: String,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct KeyArgs {
    /// Enter, Tab, Escape, ArrowDown, a letter…
    pub key: String,
    /// Focus this first (default: the focused element)
    pub selector: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct EvalArgs {
    /// A JavaScript expression that only reads, e.g. document.title
    pub expression: String,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CaptureArgs {
    /// Click this during the capture
    pub click: Option<String>,
    /// Or load this path or URL during the capture
    pub navigate: Option<String>,
    /// Only requests whose URL contains this
    pub url_filter: Option<String>,
    /// How long to watch (default 1500, at most 15000)
    pub duration_ms: Option<u64>,
    /// Include response bodies (redacted)
    pub include_bodies: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ApiArgs {
    /// GET (default), POST, PUT, PATCH or DELETE
    pub method: Option<String>,
    /// A portal API path (/api/v1/partners/me) or an allow-listed URL
    pub url: String,
    /// JSON body
    pub body: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SaveDiscoveryArgs {
    pub method: String,
    /// Path or allow-listed URL
    pub url: String,
    /// What it returns, for next time
    pub description: Option<String>,
    /// Also make it a named operation (category.action, e.g. users.sessions) for cw_home_operation
    pub promote_as: Option<String>,
    /// For promote_as: bearer (default) or cookie
    pub auth: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct OperationArgs {
    /// e.g. users.list (cw_home_list_operations lists them)
    pub operation: Option<String>,
    /// Or run a pinned query by name
    pub query: Option<String>,
    /// The operation's parameters (partnerId defaults to yours)
    pub params: Option<Map<String, Value>>,
    /// Required for operations that change something; without it the answer says what would be sent
    pub confirm: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ListOperationsArgs {
    /// me, partners, users, roles, apps, products, billing, issues, bootstrap…
    pub category: Option<String>,
    /// A word in the name, path or description
    pub search: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SaveQueryArgs {
    pub name: String,
    pub operation: String,
    pub params: Option<Map<String, Value>>,
    pub description: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct NameArgs {
    pub name: String,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct SearchArgs {
    /// Text in the method, URL or description
    pub search: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct IdArgs {
    pub id: i64,
}

/// Declares a Home tool whose handler is one expression over `home` and the arguments. Home
/// tools act on the partner portal, where the MSP itself is ConnectWise's customer: none of
/// them writes to the PSA or reaches the MSP's customers (the case export creates its ticket
/// through `cw_create_ticket`, whose own declaration the pipeline checks).
macro_rules! home_tool {
    ($ty:ident, $name:literal, $title:literal, READ, $args:ty, $text:path, $desc:literal, |$h:ident, $a:ident| $body:expr) => {
        tool! {
            $ty {
                name: $name,
                title: $title,
                hints: READ,
                toolset: HOME,
                args: $args,
                output: HomeOut,
                text: $text,
                description: $desc,
            }
        }
        home_tool!(@invoke $ty, $args, |$h, $a| $body);
    };
    ($ty:ident, $name:literal, $title:literal, $hints:expr, $args:ty, $text:path, $desc:literal, |$h:ident, $a:ident| $body:expr) => {
        tool! {
            $ty {
                name: $name,
                title: $title,
                hints: $hints,
                contact: crate::contact::never,
                toolset: HOME,
                args: $args,
                output: HomeOut,
                text: $text,
                description: $desc,
            }
        }
        home_tool!(@invoke $ty, $args, |$h, $a| $body);
    };
    (@invoke $ty:ident, $args:ty, |$h:ident, $a:ident| $body:expr) => {
        impl AsyncTool<Ctx> for $ty {
            async fn invoke(ctx: &Ctx, $a: $args) -> Result<HomeOut, ToolError> {
                let $h = ctx.home()?;
                out($body.await)
            }
        }
    };
}

home_tool!(Login, "cw_home_login", "Log in to ConnectWise Home", ACT, LoginArgs, plain_text,
    "Log in to the partner portal (e-mail, password, TOTP code, device trust from the server's settings) or confirm the saved session still works.",
    |h, a| h.login(a.force.unwrap_or(false)));
home_tool!(
    Logout,
    "cw_home_logout",
    "Log out of ConnectWise Home",
    ACT,
    NoArgs,
    plain_text,
    "Clear the browser's portal session and the saved one.",
    |h, _a| h.logout()
);
home_tool!(SessionStatus, "cw_home_session_status", "Home session status", READ, NoArgs, plain_text,
    "Whether the browser runs and is logged in: cookie count, earliest expiry, current URL, login breaker.",
    |h, _a| h.session_status());
home_tool!(
    Navigate,
    "cw_home_navigate",
    "Open a portal page",
    ACT,
    UrlArgs,
    json_text,
    "Load a portal page (allow-listed origins only; redirects elsewhere are blocked).",
    |h, a| h.navigate(&a.url)
);
home_tool!(
    Click,
    "cw_home_click",
    "Click",
    ACT,
    SelectorArgs,
    json_text,
    "Click the element matching a CSS selector.",
    |h, a| h.click(&a.selector)
);
home_tool!(
    Fill,
    "cw_home_fill",
    "Fill a field",
    ACT,
    FillArgs,
    plain_text,
    "Type a value into the input matching a CSS selector (replacing what it held).",
    |h, a| h.fill(&a.selector, &a.value)
);
home_tool!(
    Select,
    "cw_home_select",
    "Choose an option",
    ACT,
    FillArgs,
    json_text,
    "Choose an option (by value or visible text) in the select matching a CSS selector.",
    |h, a| h.select(&a.selector, &a.value)
);
home_tool!(
    PressKey,
    "cw_home_press_key",
    "Press a key",
    ACT,
    KeyArgs,
    json_text,
    "Press a key in the focused element or the one matching a selector.",
    |h, a| h.press_key(&a.key, a.selector.as_deref())
);
home_tool!(Eval, "cw_home_eval", "Read from the page with JavaScript", READ, EvalArgs, json_text,
    "Evaluate a read-only JavaScript expression; the browser refuses any with side effects. Result redacted, capped.",
    |h, a| h.eval(&a.expression));
home_tool!(CaptureXhr, "cw_home_capture_xhr", "Capture the page's API traffic", ACT, CaptureArgs, json_text,
    "Record the page's XHR/fetch requests while clicking or loading something: methods, URLs, statuses, headers (credentials redacted).",
    |h, a| h.capture_xhr(a.click.as_deref(), a.navigate.as_deref(), a.url_filter.as_deref(),
        Duration::from_millis(a.duration_ms.unwrap_or(1500).min(15_000)), a.include_bodies.unwrap_or(false)));
home_tool!(
    ApiCall,
    "cw_home_api_call",
    "Portal request with cookies",
    ACT,
    ApiArgs,
    json_text,
    "Call a portal endpoint from the page with the browser session's cookies. Response redacted.",
    |h, a| h.api_call(
        a.method.as_deref().unwrap_or("GET"),
        &a.url,
        a.body.as_ref(),
        false
    )
);
home_tool!(AuthedApiCall, "cw_home_authed_api_call", "Portal request with the OIDC token", ACT, ApiArgs, json_text,
    "Call a portal API from the page with its OIDC access token (used inside the browser, never returned). Response redacted.",
    |h, a| h.api_call(a.method.as_deref().unwrap_or("GET"), &a.url, a.body.as_ref(), true));
home_tool!(
    SaveDiscovery,
    "cw_home_save_discovery",
    "Save a discovered endpoint",
    ACT,
    SaveDiscoveryArgs,
    plain_text,
    "Keep an endpoint found with cw_home_capture_xhr in the discovery catalogue; promote_as also makes it a named operation.",
    |h, a| async {
        let saved = h.save_discovery(&a.method, &a.url, a.description.as_deref().unwrap_or(""))?;
        match &a.promote_as {
            None => Ok(saved),
            Some(name) => h.promote(name, &a.method, &a.url, a.auth.as_deref().unwrap_or("bearer"), a.description.as_deref().unwrap_or("")),
        }
    }
);
home_tool!(Operation, "cw_home_operation", "Run a portal operation", ACT, OperationArgs, json_text,
    "Run a named portal operation (or a pinned query) with its auth type; ones that change something need confirm: true.",
    |h, a| h.operation(a.operation.as_deref(), a.query.as_deref(), &a.params.clone().unwrap_or_default(), a.confirm.unwrap_or(false)));
home_tool!(ListOperations, "cw_home_list_operations", "List portal operations", READ, ListOperationsArgs, plain_text,
    "The named portal operations (built-in and promoted): method, path, auth, parameters, whether they change anything.",
    |h, a| async { h.list_operations(a.category.as_deref(), a.search.as_deref()) });
home_tool!(SaveQuery, "cw_home_save_query", "Pin a query", ACT, SaveQueryArgs, plain_text,
    "Pin an operation with its parameters under a name, to run later with cw_home_operation query=<name>.",
    |h, a| async { h.save_query(&a.name, &a.operation, &a.params.clone().unwrap_or_default(), a.description.as_deref().unwrap_or("")) });
home_tool!(
    ListQueries,
    "cw_home_list_queries",
    "List pinned queries",
    READ,
    NoArgs,
    plain_text,
    "The pinned queries.",
    |h, _a| async { h.list_queries() }
);
home_tool!(
    DeleteQuery,
    "cw_home_delete_query",
    "Unpin a query",
    ACT,
    NameArgs,
    plain_text,
    "Remove one pinned query.",
    |h, a| async { h.delete_query(&a.name) }
);
home_tool!(
    ClearQueries,
    "cw_home_clear_queries",
    "Unpin every query",
    ACT,
    NoArgs,
    plain_text,
    "Remove every pinned query.",
    |h, _a| async { h.clear_queries() }
);
home_tool!(
    ListDiscovered,
    "cw_home_list_discovered",
    "List discovered endpoints",
    READ,
    SearchArgs,
    plain_text,
    "The discovery catalogue, optionally filtered.",
    |h, a| async { h.list_discovered(a.search.as_deref()) }
);
home_tool!(
    DeleteDiscovery,
    "cw_home_delete_discovery",
    "Delete a discovered endpoint",
    ACT,
    IdArgs,
    plain_text,
    "Remove an endpoint from the discovery catalogue.",
    |h, a| async { h.delete_discovery(a.id) }
);

tool! {
    Snapshot {
        name: "cw_home_snapshot",
        title: "Page snapshot",
        hints: READ,
        toolset: HOME,
        args: SnapshotArgs,
        output: HomeOut,
        text: snapshot_text,
        description: "The page's accessibility tree, one element a line (role \"name\"), compact.",
    }
}

impl AsyncTool<Ctx> for Snapshot {
    async fn invoke(ctx: &Ctx, a: SnapshotArgs) -> Result<HomeOut, ToolError> {
        let n = a.max_nodes.unwrap_or(200).clamp(1, 2000) as usize;
        let tree = ctx.home()?.snapshot(n).await.map_err(error)?;
        let mut data = Map::new();
        data.insert("snapshot".into(), Value::String(tree));
        Ok(HomeOut { data, image: None })
    }
}

fn snapshot_text(o: &HomeOut) -> String {
    untrusted::fence(o.data.get("snapshot").and_then(Value::as_str).unwrap_or(""))
}

tool! {
    Screenshot {
        name: "cw_home_screenshot",
        title: "Screenshot",
        hints: READ,
        toolset: HOME,
        args: ScreenshotArgs,
        output: HomeOut,
        text: screenshot_text,
        image: screenshot_image,
        description: "A PNG screenshot of the page, as image content.",
    }
}

impl AsyncTool<Ctx> for Screenshot {
    async fn invoke(ctx: &Ctx, a: ScreenshotArgs) -> Result<HomeOut, ToolError> {
        let png = ctx
            .home()?
            .screenshot(a.full_page.unwrap_or(false))
            .await
            .map_err(error)?;
        let mut data = Map::new();
        data.insert("mime_type".into(), Value::from("image/png"));
        data.insert("bytes".into(), Value::from(png.len()));
        Ok(HomeOut {
            data,
            image: Some(png),
        })
    }
}

fn screenshot_text(o: &HomeOut) -> String {
    format!(
        "Screenshot: PNG, {} bytes.",
        o.data.get("bytes").and_then(Value::as_u64).unwrap_or(0)
    )
}

fn screenshot_image(o: &HomeOut) -> Option<Vec<u8>> {
    o.image.clone()
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ListCasesArgs {
    /// open (My Cases, the default), historical (My Historical Cases) or all
    pub view: Option<String>,
    /// Pages of the list to read (default CW_HOME_MAX_PAGES)
    pub max_pages: Option<u32>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct CaseArgs {
    /// e.g. 01234567
    pub case_number: String,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
pub struct ExportArgs {
    /// e.g. 01234567
    pub case_number: String,
    /// The PSA company the ticket is for (name or id)
    pub company: Option<String>,
    pub board: Option<String>,
    /// Summarise the conversation in the ticket's internal note (default true)
    pub include_feed: Option<bool>,
    /// Create the PSA ticket too (with confirm: true); a case already exported is found, not created again
    pub create: Option<bool>,
    pub confirm: Option<bool>,
}

fn views(v: Option<&str>) -> Result<Vec<cw_home::cases::View>, ToolError> {
    use cw_home::cases::View;
    match v.unwrap_or("open") {
        "open" => Ok(vec![View::Open]),
        "historical" => Ok(vec![View::Historical]),
        "all" => Ok(vec![View::Open, View::Historical]),
        other => Err(ToolError::invalid(format!(
            "view is open, historical or all, not {other}"
        ))),
    }
}

home_tool!(
    ListCases,
    "cw_home_sf_list_cases",
    "List vendor support cases",
    READ,
    ListCasesArgs,
    json_text,
    "ConnectWise support cases from My Cases and/or My Historical Cases, across pages.",
    |h, a| async {
        h.sf_list_cases(
            &views(a.view.as_deref()).map_err(|e| HomeError::Invalid(e.to_string()))?,
            a.max_pages,
        )
        .await
    }
);
home_tool!(GetCase, "cw_home_sf_get_case", "Read a vendor support case", READ, CaseArgs, json_text,
    "One support case (opened from the list, as the site requires): fields, description and the conversation, oldest first.",
    |h, a| h.sf_get_case(&a.case_number));

tool! {
    ExportCase {
        name: "cw_home_export_case_to_psa",
        title: "Export a support case to a PSA ticket",
        hints: ACT,
        // The case goes into an internal note; the ticket is made by cw_create_ticket through
        // the pipeline, so its own declaration is checked there too.
        contact: crate::contact::never,
        toolset: HOME,
        args: ExportArgs,
        output: HomeOut,
        text: json_text,
        description: "A support case as cw_create_ticket arguments (conversation in an internal note); with create and confirm, creates the ticket or finds the one already made.",
    }
}

impl AsyncTool<Ctx> for ExportCase {
    async fn invoke(ctx: &Ctx, a: ExportArgs) -> Result<HomeOut, ToolError> {
        let mut payload = ctx
            .home()?
            .export_case(
                &a.case_number,
                a.company.as_deref(),
                a.board.as_deref(),
                a.include_feed.unwrap_or(true),
            )
            .await
            .map_err(error)?;
        if !a.create.unwrap_or(false) {
            return out(Ok(payload));
        }
        let number = payload
            .pointer("/case/number")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        // A case exported before has its ticket already: find it rather than make a second one.
        let mut search = Map::new();
        search.insert("text".into(), Value::from(format!("SF {number}")));
        search.insert("state".into(), Value::from("all"));
        let (found, _) = ctx.call_tool("cw_search_tickets", search).await?;
        let tag = format!("[SF {number}]");
        let existing = found
            .get("tickets")
            .and_then(Value::as_array)
            .and_then(|t| {
                t.iter().find(|t| {
                    t.get("summary")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.starts_with(&tag))
                })
            })
            .cloned();
        let obj = payload
            .as_object_mut()
            .ok_or_else(|| ToolError::Internal("the export is not an object".into()))?;
        if let Some(t) = existing {
            obj.insert(
                "ticket_id".into(),
                t.get("id").cloned().unwrap_or(Value::Null),
            );
            obj.insert("created".into(), Value::from(false));
            obj.insert("message".into(), Value::from(format!("Case {number} was exported before: ticket #{} already has it; nothing was created.", t.get("id").and_then(Value::as_i64).unwrap_or(0))));
            return Ok(HomeOut {
                data: obj.clone(),
                image: None,
            });
        }
        if !a.confirm.unwrap_or(false) {
            obj.insert("confirm_required".into(), Value::from(true));
            obj.insert("message".into(), Value::from("Creating the PSA ticket writes to ConnectWise: call again with create: true and confirm: true. Nothing was created."));
            return Ok(HomeOut {
                data: obj.clone(),
                image: None,
            });
        }
        let args = obj
            .get("ticket")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if !args.contains_key("company") {
            return Err(ToolError::invalid(
                "Pass company (the PSA company the ticket is for) to create the ticket.",
            ));
        }
        let (created, text) = ctx.call_tool("cw_create_ticket", args).await?;
        let id = created
            .pointer("/ticket/id")
            .cloned()
            .unwrap_or(Value::Null);
        obj.insert("ticket_id".into(), id);
        obj.insert("created".into(), Value::from(true));
        obj.insert("message".into(), Value::from(text));
        Ok(HomeOut {
            data: obj.clone(),
            image: None,
        })
    }
}
