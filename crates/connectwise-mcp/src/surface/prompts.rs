//! MCP prompts: seed 002's companion slash commands (users, invite, cases, export a case,
//! known issues) as prompts a client can offer, for servers that offer ConnectWise Home. Each
//! expands to one user message that names the tools and the confirmation step.

use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::Value;

/// A prompt: its name, description, arguments (name, description, required) and text, where
/// `{name}` is replaced by an argument's value.
struct Template {
    name: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    text: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        name: "cwhome_users",
        description: "List our ConnectWise Home partner users",
        arguments: &[],
        text: "Log in to ConnectWise Home if needed (cw_home_login), then run cw_home_operation with operation users.list and params {\"page\": 1, \"pageSize\": 50}. List each user's name, e-mail and status, and say how many there are.",
    },
    Template {
        name: "cwhome_invite",
        description: "Invite a user to our ConnectWise Home partner account",
        arguments: &[("email", "The person's e-mail address", true), ("role", "A role to give them", false)],
        text: "Invite {email} to our ConnectWise Home partner account (role: {role}). Run cw_home_operation with operation users.invite and params {\"body\": {\"email\": \"{email}\", \"role\": \"{role}\"}} without confirm first, show me what it would send, and run it with confirm: true only after I agree.",
    },
    Template {
        name: "cwhome_cases",
        description: "Our open ConnectWise support cases",
        arguments: &[],
        text: "List our open ConnectWise support cases with cw_home_sf_list_cases (view open). For each give the case number, subject, status and priority, and point out the ones waiting on us.",
    },
    Template {
        name: "cwhome_export_case",
        description: "Turn a ConnectWise support case into a PSA ticket",
        arguments: &[("case_number", "The support case number, e.g. 01234567", true), ("company", "The PSA company the ticket is for", true)],
        text: "Export ConnectWise support case {case_number} to a PSA ticket for {company}: run cw_home_export_case_to_psa with case_number {case_number}, company \"{company}\" and create: true, show me the ticket it would create, and repeat it with confirm: true only after I agree. If the case was exported before, tell me the existing ticket instead.",
    },
    Template {
        name: "cwhome_known_issues",
        description: "Known issues ConnectWise lists right now",
        arguments: &[],
        text: "Run cw_home_operation with operation issues.list and summarise the known issues ConnectWise lists: product, what is affected, and status.",
    },
];

/// Every prompt, as listed.
pub fn list() -> Vec<Prompt> {
    TEMPLATES
        .iter()
        .map(|t| {
            let args: Vec<PromptArgument> = t
                .arguments
                .iter()
                .map(|(n, d, r)| {
                    PromptArgument::new(*n)
                        .with_description(*d)
                        .with_required(*r)
                })
                .collect();
            Prompt::new(
                t.name,
                Some(t.description),
                (!args.is_empty()).then_some(args),
            )
        })
        .collect()
}

/// One prompt with its arguments filled in; `Err` says what is missing or unknown.
pub fn get(name: &str, args: Option<&JsonObject>) -> Result<GetPromptResult, String> {
    let t = TEMPLATES.iter().find(|t| t.name == name).ok_or_else(|| {
        format!(
            "no prompt {name}; the prompts are {}",
            TEMPLATES
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let mut text = t.text.to_string();
    for (arg, _, required) in t.arguments {
        let value = args
            .and_then(|a| a.get(*arg))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let value = match (value, required) {
            (Some(v), _) => v.to_string(),
            (None, true) => return Err(format!("{name} needs {arg}")),
            (None, false) => "none".to_string(),
        };
        text = text.replace(&format!("{{{arg}}}"), &value);
    }
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(t.description),
    )
}
