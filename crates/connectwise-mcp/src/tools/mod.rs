//! The tool framework. Each tool is a type implementing [`CwTool`]: its name, tier, hints,
//! argument and output types, what it does, and how its output reads as text. The registry
//! turns each into an MCP tool with input and output schemas and all four annotations, and
//! runs every call the same way: arguments checked (unknown fields refused, so typos surface),
//! errors turned into tool errors that say what to change, success returned as
//! `structuredContent` plus a compact text rendering.

mod agreements;
mod companies;
mod configurations;
mod contacts;
mod lookups;
mod members;
mod notes;
mod projects;
mod sales;
mod shared;
mod ticket_detail;
mod ticket_write;
mod tickets;
mod time;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::app::App;
use cw_client::CwClient;

pub use shared::*;

/// Who may call a tool: viewers read; editors also write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    Read,
    Write,
}

/// The four MCP tool annotations, always all declared.
#[derive(Debug, Clone, Copy)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// Reads ConnectWise, changes nothing.
pub const READ: Hints = Hints {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
/// Adds a record (a ticket, note, time entry); calling twice adds twice.
pub const ADD: Hints = Hints {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};
/// Overwrites fields of a record; the same call twice leaves the same state.
pub const UPDATE: Hints = Hints {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};

/// Why a tool call failed, in words that say what to change.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}. What to do: {hint}", hint = .0.hint())]
    Upstream(#[from] cw_client::Error),
    #[error("{0}")]
    Setup(String),
}

impl ToolError {
    pub fn invalid(m: impl Into<String>) -> ToolError {
        ToolError::Invalid(m.into())
    }

    pub fn not_found(m: impl Into<String>) -> ToolError {
        ToolError::NotFound(m.into())
    }
}

/// What a tool call runs with: the app, and a ConnectWise client acting with the caller's keys.
#[derive(Clone)]
pub struct Ctx {
    pub app: Arc<App>,
    pub cw: CwClient,
}

/// A tool.
pub trait CwTool: Send + Sync + 'static {
    const NAME: &'static str;
    const TITLE: &'static str;
    const DESCRIPTION: &'static str;
    const TIER: Tier;
    const HINTS: Hints;
    type Args: DeserializeOwned + JsonSchema + Send + 'static;
    type Out: Serialize + JsonSchema + Send + 'static;

    fn run(ctx: Ctx, args: Self::Args)
        -> impl Future<Output = Result<Self::Out, ToolError>> + Send;

    /// A compact text rendering of the output for clients that show text.
    fn text(out: &Self::Out) -> String;
}

type CallFuture = Pin<Box<dyn Future<Output = CallToolResult> + Send>>;

/// A registered tool: its MCP description, tier, and how to run it.
pub struct Entry {
    pub tool: Tool,
    pub tier: Tier,
    call: fn(Ctx, JsonObject, Arc<JsonObject>) -> CallFuture,
}

impl Entry {
    pub fn call(&self, ctx: Ctx, args: JsonObject) -> CallFuture {
        (self.call)(ctx, args, self.tool.input_schema.clone())
    }
}

/// JSON Schema formats every validator knows; schemars also emits Rust-flavoured ones
/// (`uint32`, `int64`, `double` …) that strict clients log as unknown.
const STANDARD_FORMATS: &[&str] = &["date-time", "date", "time", "email", "uri", "uuid"];

/// Makes a schema portable: non-standard `format`s dropped, unsigned ones kept as `minimum: 0`.
fn portable(schema: &JsonObject) -> Arc<JsonObject> {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if let Some(f) = o.get("format").and_then(Value::as_str).map(str::to_string) {
                    if !STANDARD_FORMATS.contains(&f.as_str()) {
                        o.remove("format");
                        if f.starts_with("uint") && !o.contains_key("minimum") {
                            o.insert("minimum".into(), Value::from(0));
                        }
                    }
                }
                o.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v = Value::Object(schema.clone());
    walk(&mut v);
    match v {
        Value::Object(o) => Arc::new(o),
        _ => Arc::new(schema.clone()),
    }
}

fn entry<T: CwTool>() -> Entry {
    let input = portable(
        &rmcp::handler::server::common::schema_for_input::<T::Args>()
            .unwrap_or_else(|e| panic!("input schema of {}: {e}", T::NAME)),
    );
    let output = portable(&rmcp::handler::server::common::schema_for_output::<T::Out>());
    let h = T::HINTS;
    let tool = Tool::new(T::NAME, T::DESCRIPTION, input)
        .with_title(T::TITLE)
        .with_raw_output_schema(output)
        .with_annotations(ToolAnnotations::from_raw(
            Some(T::TITLE.to_string()),
            Some(h.read_only),
            Some(h.destructive),
            Some(h.idempotent),
            Some(h.open_world),
        ));
    Entry {
        tool,
        tier: T::TIER,
        call: call::<T>,
    }
}

/// Arguments the tool's schema does not declare are refused, so a misspelt filter is reported
/// instead of silently ignored (checked here rather than with serde's `deny_unknown_fields`,
/// which does not combine with the shared, flattened argument groups).
fn unknown_arguments(schema: &JsonObject, args: &JsonObject) -> Option<String> {
    let known: Vec<&str> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let unknown: Vec<&str> = args
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "unknown argument(s) {}; this tool takes: {}",
            unknown
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        )
    })
}

fn call<T: CwTool>(ctx: Ctx, args: JsonObject, schema: Arc<JsonObject>) -> CallFuture {
    Box::pin(async move {
        if let Some(msg) = unknown_arguments(&schema, &args) {
            return error_result(&ToolError::invalid(format!(
                "Invalid arguments for {}: {msg}.",
                T::NAME
            )));
        }
        // An identical write with the same keys moments ago is answered from its result.
        let replay_key = (T::TIER == Tier::Write).then(|| {
            format!(
                "{}|{}|{}",
                ctx.scope(),
                T::NAME,
                Value::Object(args.clone())
            )
        });
        if let Some(first) = replay_key.as_deref().and_then(|k| ctx.app.replay(k)) {
            let mut r = first;
            r.content.insert(0, ContentBlock::text(format!("Already done: an identical {} request was made in the last {} seconds; answered from its result, nothing written again.", T::NAME, crate::app::REPLAY_WINDOW.as_secs())));
            return r;
        }
        let app = ctx.app.clone();
        let args: T::Args = match serde_json::from_value(Value::Object(args)) {
            Ok(a) => a,
            Err(e) => {
                return error_result(&ToolError::invalid(format!(
                    "Invalid arguments for {}: {e}. Check the tool's input schema.",
                    T::NAME
                )))
            }
        };
        match T::run(ctx, args).await {
            Ok(out) => {
                let text = T::text(&out);
                match serde_json::to_value(&out) {
                    Ok(v) => {
                        let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
                        r.structured_content = Some(v);
                        if let Some(k) = replay_key {
                            app.remember(k, &r);
                        }
                        r
                    }
                    Err(e) => error_result(&ToolError::Setup(format!(
                        "could not encode the result: {e}"
                    ))),
                }
            }
            Err(e) => error_result(&e),
        }
    })
}

/// A tool error the model can read (`isError: true`).
pub fn error_result(e: &ToolError) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(e.to_string())])
}

/// Every tool, sorted by name.
pub fn registry() -> Vec<Entry> {
    let mut v = vec![
        entry::<tickets::MyTickets>(),
        entry::<tickets::SearchTickets>(),
        entry::<ticket_detail::GetTicket>(),
        entry::<notes::ListTicketNotes>(),
        entry::<time::ListMyTime>(),
        entry::<time::SearchTimeEntries>(),
        entry::<companies::SearchCompanies>(),
        entry::<companies::GetCompany>(),
        entry::<contacts::SearchContacts>(),
        entry::<contacts::GetContact>(),
        entry::<configurations::ListConfigurations>(),
        entry::<configurations::GetConfiguration>(),
        entry::<sales::SearchOpportunities>(),
        entry::<sales::SearchActivities>(),
        entry::<agreements::SearchAgreements>(),
        entry::<projects::SearchProjects>(),
        entry::<members::SearchMembers>(),
        entry::<lookups::ListBoards>(),
        entry::<lookups::ListPriorities>(),
        entry::<lookups::ListWorkTypes>(),
        entry::<ticket_write::CreateTicket>(),
        entry::<ticket_write::UpdateTicket>(),
        entry::<notes::AddTicketNote>(),
        entry::<time::CreateTimeEntry>(),
    ];
    v.sort_by(|a, b| a.tool.name.cmp(&b.tool.name));
    v
}
