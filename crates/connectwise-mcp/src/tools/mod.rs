//! The tool framework. A tool is declared in one place with [`tool!`]: its name, title,
//! annotations, toolset, argument and output types (which give the input and output schemas)
//! and its description; its handler is rmcp's [`AsyncTool`] over a [`Ctx`]. rmcp's
//! [`ToolBase`] carries the declaration, so the MCP `Tool` it lists is rmcp's own.
//!
//! What rmcp does not do, and this module adds: the tier a tool needs (from its annotations
//! and toolset, never a second constant), toolsets, a compact text rendering next to the
//! structured result, refusal of arguments the schema does not declare, and the canonical form
//! of a write's arguments that the call pipeline keys its replay store with. The pipeline
//! ([`crate::pipeline`]) runs every call; this module only describes and prepares them.
//!
//! Adding a read tool: one file under `psa/` with its `tool!` declaration and handler, and one
//! `add::<…>()` line in [`Registry::psa`] (plus its snapshot).

pub mod args;
pub mod dry_run;
pub mod home;
pub mod listing;
pub mod psa;
pub mod render;
pub mod schema;
pub mod when;

use std::sync::{Arc, OnceLock};

use rmcp::handler::server::router::tool::{AsyncTool, ToolBase};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde::Serialize;
use serde_json::Value;

use crate::auth::Role;
use crate::cache::BoxFuture;
use crate::context::Ctx;
use crate::errors::ToolError;

/// A group of tools a deployment turns on or off together (`CW_TOOLSETS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toolset {
    pub name: &'static str,
    /// The product area it belongs to (`psa`), which `CW_TOOLSETS` can also name.
    pub family: &'static str,
    pub description: &'static str,
    /// Only admins get its tools, whatever their annotations say.
    pub admin_only: bool,
    /// Offered unless `CW_TOOLSETS` names the toolsets to offer: a technician's everyday
    /// tools, so the list a model pays for on every turn stays short.
    pub default_on: bool,
}

const fn psa(name: &'static str, description: &'static str, default_on: bool) -> Toolset {
    Toolset {
        name,
        family: "psa",
        description,
        admin_only: false,
        default_on,
    }
}

/// Tickets: my queue, search, detail with notes, create, update, close, notes.
pub const TICKETS: Toolset = psa(
    "tickets",
    "my tickets, search, one ticket with its notes, create, update, close out, notes",
    true,
);
/// Time: log time, review my time and anyone's, work types.
pub const TIME: Toolset = psa("time", "log time, my time, time entries", true);
/// Customers: companies, contacts, configurations (devices).
pub const CUSTOMERS: Toolset = psa(
    "customers",
    "companies, contacts and configurations (devices)",
    true,
);
/// A technician's day at a glance: what needs me next, what changed, time not yet logged.
pub const DAY: Toolset = psa(
    "day",
    "what needs me next, what changed on my tickets, time I have not logged yet",
    true,
);
/// Sales and contracts: opportunities, activities, agreements.
pub const SALES: Toolset = psa("sales", "opportunities, activities and agreements", false);
/// Projects.
pub const PROJECTS: Toolset = psa("projects", "projects", false);
/// The MSP's members.
pub const MEMBERS: Toolset = psa(
    "members",
    "the MSP's members (technicians, dispatchers)",
    false,
);

/// A technician's and a dispatcher's calendar: schedules, availability, booking tickets.
pub const SCHEDULE: Toolset = psa(
    "schedule",
    "my schedule and a colleague's availability; schedule a ticket, move or remove an entry",
    false,
);
/// What a ticket is worked with beyond its notes: tasks, boards and their setup, priorities,
/// teams, sources. Names resolve without them (a wrong one lists the right ones), so they are
/// off by default.
pub const SERVICE: Toolset = psa(
    "service",
    "ticket tasks, boards with their statuses, types and teams, priorities, service teams and sources",
    false,
);
/// Time beyond logging it: a ticket's time, corrections, time sheets, work types and roles.
pub const TIMESHEETS: Toolset = psa(
    "timesheets",
    "time on a ticket, correct my time entry, my time sheets and submitting one, work types and roles",
    false,
);
/// The customer's account: sites, invoices, time not yet billed.
pub const ACCOUNTS: Toolset = psa(
    "accounts",
    "company sites, invoices and unbilled time",
    false,
);

/// Every toolset this build knows.
pub const TOOLSETS: &[Toolset] = &[
    TICKETS,
    TIME,
    CUSTOMERS,
    DAY,
    SALES,
    PROJECTS,
    MEMBERS,
    SCHEDULE,
    SERVICE,
    TIMESHEETS,
    ACCOUNTS,
    psa::explore::EXPLORE,
    home::HOME,
];

/// Reads a comma-separated list of toolset names, product families (`psa`), `default` or
/// `all`, as `CW_TOOLSETS` and the `x-cw-toolsets` header give it. `source` names where the
/// list came from, for the error, which lists the names that would work.
pub fn parse_toolsets(list: &str, source: &str) -> Result<Vec<Toolset>, String> {
    let mut out: Vec<Toolset> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let n = name.to_ascii_lowercase();
        let add: Vec<Toolset> = match n.as_str() {
            "all" => TOOLSETS.to_vec(),
            "default" => TOOLSETS.iter().filter(|t| t.default_on).copied().collect(),
            n => TOOLSETS
                .iter()
                .filter(|t| t.name == n || t.family == n)
                .copied()
                .collect(),
        };
        if add.is_empty() {
            let known: Vec<&str> = TOOLSETS.iter().map(|t| t.name).collect();
            return Err(format!(
                "{source} names `{name}`, which is not a toolset; known: {}, psa, default, all (everything, home included)",
                known.join(", ")
            ));
        }
        for t in add {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    if out.is_empty() {
        return Err(format!("{source} is empty; name at least one toolset"));
    }
    Ok(out)
}

/// What a tool does to ConnectWise, as the four MCP tool annotations.
#[derive(Debug, Clone, Copy)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

impl Hints {
    /// The hints that differ from the spec's defaults (read-only false, destructive true,
    /// idempotent false, open-world true), and only those that mean something: destructive
    /// and idempotent are defined for tools that write. Every listed byte is paid by the
    /// model on every turn; a client reads a missing hint as its default. The title is the
    /// tool's own `title`, not repeated here.
    pub fn annotations(self) -> ToolAnnotations {
        let writes = !self.read_only;
        ToolAnnotations::from_raw(
            None,
            self.read_only.then_some(true),
            (writes && !self.destructive).then_some(false),
            (writes && self.idempotent).then_some(true),
            (!self.open_world).then_some(false),
        )
    }
}

/// Reads ConnectWise, changes nothing.
pub const READ: Hints = Hints {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
/// Removes a record; removing it again finds nothing to remove.
pub const REMOVE: Hints = Hints {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};
/// Moves a record along its workflow (submits a time sheet): no data is lost, and asking
/// twice leaves it where the first call put it.
pub const ADVANCE: Hints = Hints {
    read_only: false,
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

/// What a tool adds to rmcp's [`ToolBase`] and [`AsyncTool`]; written by [`tool!`].
pub trait CwTool: ToolBase<Error = ToolError> + AsyncTool<Ctx> + 'static {
    const TOOLSET: Toolset;

    /// A compact text rendering of the output, for clients (and models) that read text.
    fn text(out: &Self::Output) -> String;

    /// An image to send with the result (a screenshot), as PNG bytes.
    fn image(_out: &Self::Output) -> Option<Vec<u8>> {
        None
    }

    /// Applies defaults and trims text, so that equivalent calls have equal arguments: the
    /// replay store recognises a write re-sent with a default spelled out or a trailing space
    /// (and the handler sees the same normalised arguments).
    fn normalize(_args: &mut Self::Parameter) {}

    /// What of this call the customer would see or be e-mailed (e.g. "A discussion note (the
    /// customer sees it)"), or `None` when nothing. No default: `tool!` makes every tool that
    /// writes declare it ([`crate::contact`]), so a new write tool cannot forget the policy.
    fn contacts_customer(args: &Self::Parameter) -> Option<&'static str>;
}

/// Declares a tool: rmcp's [`ToolBase`] and this crate's [`CwTool`] in one place.
///
/// A tool that only reads says `hints: READ`; any other must say, right after its hints,
/// whether a call contacts the customer: `contact: some_fn` (a `fn(&Args) -> Option<&str>`,
/// see [`crate::contact`]), or `contact: crate::contact::never`.
#[macro_export]
macro_rules! tool {
    (
        $(#[$doc:meta])*
        $ty:ident {
            name: $name:literal,
            title: $title:literal,
            hints: READ,
            toolset: $toolset:expr,
            args: $args:ty,
            $($rest:tt)*
        }
    ) => {
        $crate::tool! {
            @read
            $(#[$doc])*
            $ty {
                name: $name,
                title: $title,
                hints: READ,
                contact: $crate::contact::never,
                toolset: $toolset,
                args: $args,
                $($rest)*
            }
        }
    };
    (
        $(@$read:ident)?
        $(#[$doc:meta])*
        $ty:ident {
            name: $name:literal,
            title: $title:literal,
            hints: $hints:expr,
            contact: $contact:expr,
            toolset: $toolset:expr,
            args: $args:ty,
            output: $out:ty,
            text: $text:path,
            $(image: $image:path,)?
            $(normalize: $normalize:path,)?
            description: $desc:expr $(,)?
        }
    ) => {
        $(#[$doc])*
        pub struct $ty;

        impl rmcp::handler::server::router::tool::ToolBase for $ty {
            type Parameter = $args;
            type Output = $out;
            type Error = $crate::errors::ToolError;

            fn name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn title() -> Option<String> {
                Some($title.into())
            }

            fn description() -> Option<std::borrow::Cow<'static, str>> {
                Some($desc.into())
            }

            fn annotations() -> Option<rmcp::model::ToolAnnotations> {
                Some($hints.annotations())
            }
        }

        impl $crate::tools::CwTool for $ty {
            const TOOLSET: $crate::tools::Toolset = $toolset;

            fn text(out: &$out) -> String {
                $text(out)
            }

            $(fn image(out: &$out) -> Option<Vec<u8>> {
                $image(out)
            })?

            $(fn normalize(args: &mut $args) {
                $normalize(args)
            })?

            fn contacts_customer(args: &$args) -> Option<&'static str> {
                ($contact)(args)
            }
        }
    };
}

/// A tool's result: the structured content and its text rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    pub structured: Value,
    pub text: String,
    /// PNG bytes to send as image content (a screenshot).
    pub image: Option<Vec<u8>>,
}

/// A call whose arguments passed validation, ready to run.
pub struct Prepared {
    /// For writes that add records: the canonical JSON of the normalised arguments, for the
    /// replay key.
    pub canonical: Option<String>,
    /// What of it the customer would see or be e-mailed, as the tool declares.
    pub contacts_customer: Option<&'static str>,
    pub run: Box<dyn FnOnce(Ctx) -> BoxFuture<'static, Result<ToolOutput, ToolError>> + Send>,
}

type PrepareFn = fn(&JsonObject, JsonObject) -> Result<Prepared, ToolError>;

/// A registered tool: what MCP lists, who may call it, and how to prepare a call.
pub struct Entry {
    /// As listed by default: no output schema (results are their compact text).
    pub tool: Tool,
    /// As listed when structured content is on: with its output schema, built on first use
    /// (output schemas are most of the schema work, and the default text results need none).
    structured: OnceLock<Tool>,
    output_schema: fn() -> Option<JsonObject>,
    pub toolset: Toolset,
    /// The least role that may see and call it.
    pub role: Role,
    /// Takes `dry_run` ([`crate::dry_run`]).
    pub dry_run: bool,
    prepare: PrepareFn,
}

impl Entry {
    pub fn name(&self) -> &str {
        &self.tool.name
    }

    /// The tool as listed when structured content is on: with its output schema.
    pub fn tool_structured(&self) -> &Tool {
        self.structured
            .get_or_init(|| match (self.output_schema)() {
                Some(o) => self.tool.clone().with_raw_output_schema(Arc::new(o)),
                None => self.tool.clone(),
            })
    }

    /// Whether it changes anything (its `readOnlyHint` is not true).
    pub fn writes(&self) -> bool {
        !read_only(&self.tool)
    }

    /// Checks the arguments and binds them to the handler.
    pub fn prepare(&self, args: JsonObject) -> Result<Prepared, ToolError> {
        (self.prepare)(&self.tool.input_schema, args)
    }
}

fn read_only(tool: &Tool) -> bool {
    tool.annotations
        .as_ref()
        .and_then(|a| a.read_only_hint)
        .unwrap_or(false)
}

/// The tier a tool needs: admins only for an admin-only toolset; otherwise viewers for a tool
/// that only reads and editors for one that writes.
fn required_role(tool: &Tool, toolset: &Toolset) -> Role {
    if toolset.admin_only {
        Role::Admin
    } else if read_only(tool) {
        Role::Viewer
    } else {
        Role::Editor
    }
}

fn entry<T: CwTool>() -> Entry
where
    T::Parameter: Serialize,
{
    let mut input = T::input_schema()
        .map(|s| schema::compact(&s))
        .unwrap_or_default();
    let writes = !T::annotations()
        .and_then(|a| a.read_only_hint)
        .unwrap_or(false);
    let takes_dry_run = dry_run::applies(&input, writes, T::TOOLSET.family == "psa");
    if takes_dry_run {
        dry_run::declare(&mut input);
    }
    let mut tool = Tool::new(
        T::name(),
        T::description().unwrap_or_default(),
        Arc::new(input),
    );
    tool.title = T::title();
    tool.annotations = T::annotations();
    let role = required_role(&tool, &T::TOOLSET);
    Entry {
        tool,
        structured: OnceLock::new(),
        output_schema: if takes_dry_run {
            || T::output_schema().map(|s| dry_run::output_schema(schema::compact(&s)))
        } else {
            || T::output_schema().map(|s| schema::compact(&s))
        },
        dry_run: takes_dry_run,
        toolset: T::TOOLSET,
        role,
        prepare: prepare::<T>,
    }
}

/// Arguments the tool's schema does not declare are refused, so a misspelt filter is reported
/// instead of silently ignored (checked against the schema rather than with serde's
/// `deny_unknown_fields`, which does not combine with the shared, flattened argument groups).
fn unknown_arguments(schema: &JsonObject, args: &JsonObject) -> Option<String> {
    let known: Vec<&str> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let unknown: Vec<String> = args
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|u| format!("`{u}`"))
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "unknown argument(s) {}; this tool takes: {}",
            unknown.join(", "),
            known.join(", ")
        )
    })
}

fn prepare<T: CwTool>(schema: &JsonObject, args: JsonObject) -> Result<Prepared, ToolError>
where
    T::Parameter: Serialize,
{
    let name = T::name();
    if let Some(msg) = unknown_arguments(schema, &args) {
        return Err(ToolError::invalid(format!(
            "Invalid arguments for {name}: {msg}."
        )));
    }
    let hint = |f: fn(&ToolAnnotations) -> Option<bool>| {
        T::annotations().as_ref().and_then(f).unwrap_or(false)
    };
    let reads = hint(|a| a.read_only_hint);
    // ConnectWise's rules for ids and search text; the browser tools take selectors and script.
    let psa = T::TOOLSET.family == "psa";
    if psa {
        args::check_values(&args, reads)?;
    }
    let mut parsed: T::Parameter = serde_json::from_value(Value::Object(args)).map_err(|e| {
        ToolError::invalid(format!(
            "Invalid arguments for {name}: {e}. Check the tool's input schema."
        ))
    })?;
    T::normalize(&mut parsed);
    // Only a write that adds something needs to run once per identical request; an
    // idempotent one (an update) leaves the same state however often it runs, and says
    // "nothing changed" itself.
    // Browser actions are repeated when asked twice: a second click is a second click.
    let adds = psa && !reads && !hint(|a| a.idempotent_hint);
    let canonical = if adds {
        Some(serde_json::to_string(&parsed).map_err(|e| ToolError::Internal(e.to_string()))?)
    } else {
        None
    };
    Ok(Prepared {
        canonical,
        contacts_customer: T::contacts_customer(&parsed),
        run: Box::new(move |ctx: Ctx| {
            Box::pin(async move {
                let out = T::invoke(&ctx, parsed).await?;
                let text = T::text(&out);
                let structured = serde_json::to_value(&out).map_err(|e| {
                    ToolError::Internal(format!("could not encode the result: {e}"))
                })?;
                Ok(ToolOutput {
                    structured,
                    text,
                    image: T::image(&out),
                })
            })
        }),
    })
}

/// The tools this server offers, sorted by name.
#[derive(Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// Adds a tool (kept sorted by name).
    pub fn add<T: CwTool>(&mut self)
    where
        T::Parameter: Serialize,
    {
        let e = entry::<T>();
        let at = self
            .entries
            .partition_point(|x| x.tool.name.as_ref() < e.tool.name.as_ref());
        self.entries.insert(at, e);
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tool.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The ConnectWise Home toolset.
    pub fn add_home(&mut self) {
        use home::*;
        self.add::<Login>();
        self.add::<Logout>();
        self.add::<SessionStatus>();
        self.add::<Navigate>();
        self.add::<Snapshot>();
        self.add::<Screenshot>();
        self.add::<Click>();
        self.add::<Fill>();
        self.add::<Select>();
        self.add::<PressKey>();
        self.add::<Eval>();
        self.add::<CaptureXhr>();
        self.add::<ApiCall>();
        self.add::<AuthedApiCall>();
        self.add::<SaveDiscovery>();
        self.add::<ListDiscovered>();
        self.add::<DeleteDiscovery>();
        self.add::<Operation>();
        self.add::<ListOperations>();
        self.add::<SaveQuery>();
        self.add::<ListQueries>();
        self.add::<DeleteQuery>();
        self.add::<ClearQueries>();
        self.add::<ListCases>();
        self.add::<GetCase>();
        self.add::<ExportCase>();
    }

    /// The PSA toolset.
    pub fn psa() -> Registry {
        use psa::*;
        let mut r = Registry::default();
        r.add::<tickets::MyTickets>();
        r.add::<tickets::SearchTickets>();
        r.add::<ticket_detail::GetTicket>();
        r.add::<notes::ListTicketNotes>();
        r.add::<time::ListMyTime>();
        r.add::<time::SearchTimeEntries>();
        r.add::<companies::SearchCompanies>();
        r.add::<companies::GetCompany>();
        r.add::<contacts::SearchContacts>();
        r.add::<contacts::GetContact>();
        r.add::<configurations::ListConfigurations>();
        r.add::<configurations::GetConfiguration>();
        r.add::<sales::SearchOpportunities>();
        r.add::<sales::SearchActivities>();
        r.add::<agreements::SearchAgreements>();
        r.add::<projects::SearchProjects>();
        r.add::<members::SearchMembers>();
        r.add::<lookups::ListBoards>();
        r.add::<lookups::ListPriorities>();
        r.add::<lookups::ListWorkTypes>();
        r.add::<ticket_write::CreateTicket>();
        r.add::<ticket_write::UpdateTicket>();
        r.add::<notes::AddTicketNote>();
        r.add::<close::CloseTicket>();
        r.add::<time::CreateTimeEntry>();
        r.add::<schedule::MySchedule>();
        r.add::<schedule::ScheduleTicket>();
        r.add::<schedule::MoveScheduleEntry>();
        r.add::<schedule::RemoveScheduleEntry>();
        r.add::<service::ListTicketTasks>();
        r.add::<service::AddTicketTask>();
        r.add::<service::CompleteTicketTask>();
        r.add::<service::GetBoard>();
        r.add::<service::ListServiceTeams>();
        r.add::<service::ListTicketSources>();
        r.add::<timesheets::TicketTimeTool>();
        r.add::<timesheets::UpdateTimeEntry>();
        r.add::<timesheets::ListTimesheets>();
        r.add::<timesheets::SubmitTimesheet>();
        r.add::<timesheets::ListWorkRoles>();
        r.add::<accounts::ListCompanySites>();
        r.add::<accounts::SearchInvoices>();
        r.add::<accounts::UnbilledTime>();
        r.add::<agreements::GetAgreement>();
        r.add::<members::GetMember>();
        r.add::<explore::FindEndpoint>();
        r.add::<explore::Get>();
        r.add::<whats_next::WhatsNext>();
        r.add::<changes::ChangesSince>();
        r.add::<time_gaps::TimeGaps>();
        r
    }
}
