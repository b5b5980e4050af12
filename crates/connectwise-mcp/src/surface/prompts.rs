//! MCP prompts: a technician's everyday workflows (start my day, close out a ticket, hand one
//! over, log a new one, the end-of-day time check) and seed 002's ConnectWise Home slash
//! commands (users, invite, cases, export a case, known issues). Each expands to one user
//! message that names the tools to use and the step where the user agrees before anything is
//! written. A prompt is offered to a caller only when they may use every tool it names; its
//! name arguments complete like the tools' (`completion/complete`).

use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::Value;

/// A prompt: its name, description, arguments (name, description, required), the tools it
/// drives, and its text, where `{name}` is replaced by an argument's value and a `[[…]]` part
/// is left out when an argument inside it was not given.
struct Template {
    name: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    needs: &'static [&'static str],
    text: &'static str,
}

const HOME: &[&str] = &[
    "cw_home_operation",
    "cw_home_sf_list_cases",
    "cw_home_export_case_to_psa",
];

const TEMPLATES: &[Template] = &[
    Template {
        name: "start_my_day",
        description: "What needs me first today, and what changed since I last looked",
        arguments: &[],
        needs: &["cw_whats_next", "cw_changes_since"],
        text: "Start my day. Run cw_whats_next, then cw_changes_since. Tell me the three things to do first and why, which customers are waiting on us, and anything that changed on my tickets. Do not change anything.",
    },
    Template {
        name: "close_out",
        description: "Close out a ticket: resolution, time and closing status, previewed first",
        arguments: &[
            ("ticket_id", "The ticket number", true),
            ("minutes", "Time spent, in minutes", false),
            ("work_type", "Work type for the time", false),
            ("status", "Closing status (default: the board's)", false),
        ],
        needs: &["cw_get_ticket", "cw_close_ticket"],
        text: "Close out ticket #{ticket_id}. Read it with cw_get_ticket and draft a short resolution the customer will read, from what its notes say was done. Then call cw_close_ticket with ticket_id {ticket_id}, that resolution[[, duration_minutes {minutes}]][[, work_type \"{work_type}\"]][[, status \"{status}\"]] and no confirm, and show me its preview. Call it again with confirm: true only after I agree.",
    },
    Template {
        name: "hand_over",
        description: "Hand a ticket over to a colleague with a note of where it stands",
        arguments: &[("ticket_id", "The ticket number", true), ("member", "Who takes it over", true)],
        needs: &["cw_get_ticket", "cw_add_ticket_note", "cw_update_ticket"],
        text: "Hand ticket #{ticket_id} over to {member}. Read it with cw_get_ticket. Draft an internal note for {member}: where it stands, what was tried, and the next step. Show me the note and the change of owner (cw_update_ticket with owner \"{member}\" and dry_run: true). After I agree, add the note with cw_add_ticket_note (internal) and make the change.",
    },
    Template {
        name: "new_ticket",
        description: "Log a new ticket for a customer, checking for duplicates first",
        arguments: &[
            ("company", "The customer company", true),
            ("summary", "What is wrong, in a line", true),
            ("contact", "Who reported it", false),
            ("board", "Board", false),
            ("priority", "Priority", false),
        ],
        needs: &["cw_create_ticket"],
        text: "Log a ticket for {company}: \"{summary}\"[[, reported by {contact}]][[, on board {board}]][[, priority {priority}]]. Call cw_create_ticket with dry_run: true first and show me what it would create; if it names likely duplicates, show them and ask whether to add to one of those instead. Create it only after I agree.",
    },
    Template {
        name: "end_of_day",
        description: "The time I have not logged today, with entries to create",
        arguments: &[("date", "A day other than today, e.g. 2026-11-30", false)],
        needs: &["cw_time_gaps", "cw_create_time_entry"],
        text: "Check my time[[ for {date}]]: run cw_time_gaps[[ with date {date}]] and list what I did that has no time logged, with the hours logged and expected. Log the entries I approve with cw_create_time_entry, using the arguments cw_time_gaps gives (adjusted as I say).",
    },
    Template {
        name: "cwhome_users",
        description: "List our ConnectWise Home partner users",
        arguments: &[],
        needs: HOME,
        text: "Log in to ConnectWise Home if needed (cw_home_login), then run cw_home_operation with operation users.list and params {\"page\": 1, \"pageSize\": 50}. List each user's name, e-mail and status, and say how many there are.",
    },
    Template {
        name: "cwhome_invite",
        description: "Invite a user to our ConnectWise Home partner account",
        arguments: &[("email", "The person's e-mail address", true), ("role", "A role to give them", false)],
        needs: HOME,
        text: "Invite {email} to our ConnectWise Home partner account (role: {role}). Run cw_home_operation with operation users.invite and params {\"body\": {\"email\": \"{email}\", \"role\": \"{role}\"}} without confirm first, show me what it would send, and run it with confirm: true only after I agree.",
    },
    Template {
        name: "cwhome_cases",
        description: "Our open ConnectWise support cases",
        arguments: &[],
        needs: HOME,
        text: "List our open ConnectWise support cases with cw_home_sf_list_cases (view open). For each give the case number, subject, status and priority, and point out the ones waiting on us.",
    },
    Template {
        name: "cwhome_export_case",
        description: "Turn a ConnectWise support case into a PSA ticket",
        arguments: &[("case_number", "The support case number, e.g. 01234567", true), ("company", "The PSA company the ticket is for", true)],
        needs: HOME,
        text: "Export ConnectWise support case {case_number} to a PSA ticket for {company}: run cw_home_export_case_to_psa with case_number {case_number}, company \"{company}\" and create: true, show me the ticket it would create, and repeat it with confirm: true only after I agree. If the case was exported before, tell me the existing ticket instead.",
    },
    Template {
        name: "cwhome_known_issues",
        description: "Known issues ConnectWise lists right now",
        arguments: &[],
        needs: HOME,
        text: "Run cw_home_operation with operation issues.list and summarise the known issues ConnectWise lists: product, what is affected, and status.",
    },
];

/// The prompts whose tools `may` all allow.
fn offered<'a>(may: &'a dyn Fn(&str) -> bool) -> impl Iterator<Item = &'static Template> + 'a {
    TEMPLATES
        .iter()
        .filter(move |t| t.needs.iter().all(|n| may(n)))
}

/// Whether any prompt is offered where `may` says which tools are.
pub fn any(may: &dyn Fn(&str) -> bool) -> bool {
    offered(may).next().is_some()
}

/// The prompts offered, as listed.
pub fn list(may: &dyn Fn(&str) -> bool) -> Vec<Prompt> {
    offered(may)
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

/// Whether an offered prompt takes an argument of this name.
pub fn takes(may: &dyn Fn(&str) -> bool, prompt: &str, arg: &str) -> bool {
    offered(may).any(|t| t.name == prompt && t.arguments.iter().any(|(n, _, _)| *n == arg))
}

/// One offered prompt with its arguments filled in; `Err` says what is missing or unknown.
pub fn get(
    may: &dyn Fn(&str) -> bool,
    name: &str,
    args: Option<&JsonObject>,
) -> Result<GetPromptResult, String> {
    let t = offered(may).find(|t| t.name == name).ok_or_else(|| {
        format!(
            "no prompt {name}; the prompts are {}",
            offered(may).map(|t| t.name).collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut values: Vec<(&str, String)> = Vec::new();
    let mut left_out: Vec<&str> = Vec::new();
    for (arg, _, required) in t.arguments {
        let value = args
            .and_then(|a| a.get(*arg))
            .and_then(|v| match v {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|v| !v.is_empty());
        match (value, required) {
            (Some(v), _) => values.push((arg, v)),
            (None, true) => return Err(format!("{name} needs {arg}")),
            (None, false) => left_out.push(arg),
        }
    }
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        Role::User,
        fill(t.text, &values, &left_out),
    )])
    .with_description(t.description))
}

/// The text with its placeholders filled: a `[[…]]` part only when every argument in it was
/// given; an argument left out elsewhere reads "none".
fn fill(text: &str, given: &[(&str, String)], left_out: &[&str]) -> String {
    let put = |s: &str, with_none: bool| {
        let mut s = s.to_string();
        for (k, v) in given {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        if with_none {
            for k in left_out {
                s = s.replace(&format!("{{{k}}}"), "none");
            }
        }
        s
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("[[") {
        let Some((part, tail)) = after.split_once("]]") else {
            break;
        };
        out.push_str(&put(before, true));
        if !left_out.iter().any(|k| part.contains(&format!("{{{k}}}"))) {
            out.push_str(&put(part, true));
        }
        rest = tail;
    }
    out.push_str(&put(rest, true));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_parts_appear_only_when_given() {
        let t = "Close #{ticket_id}[[, {minutes} min]][[, status \"{status}\"]] (role {role}).";
        let v = [
            ("ticket_id", "5".to_string()),
            ("minutes", "20".to_string()),
        ];
        assert_eq!(
            fill(t, &v, &["status", "role"]),
            "Close #5, 20 min (role none)."
        );
        assert_eq!(
            fill("params {\"page\": 1} {role}", &[], &["role"]),
            "params {\"page\": 1} none"
        );
    }

    #[test]
    fn prompts_follow_the_tools_offered() {
        let psa = |n: &str| n.starts_with("cw_") && !n.starts_with("cw_home");
        let names: Vec<String> = list(&psa).into_iter().map(|p| p.name).collect();
        assert!(
            names.contains(&"close_out".to_string())
                && !names.iter().any(|n| n.starts_with("cwhome"))
        );
        assert!(get(&psa, "cwhome_users", None).is_err());
        let none = |_: &str| false;
        assert!(!any(&none));
    }
}
