//! Seed 001's HTTP bridge, for people who already run its OpenWebUI tool:
//! `POST /v1/tools/execute` with `{"tool_name": …, "arguments": {…}}`. Its thirteen read tool
//! names (with or without the `connectwise_` prefix) map onto ours, as do our own names; its
//! arguments (`conditions`, `order_by`/`orderBy`, `page`, `page_size`/`pageSize`, the ids)
//! are translated. Its raw `conditions` cover every record, so a mapped search asks for all
//! states unless the caller names one. Same tokens, keys and pipeline as every surface.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use rmcp::model::JsonObject;
use serde_json::Value;

use super::openapi::{arguments, failure, respond, wants_json, OpenApi};
use crate::auth::Caller;

/// Seed 001's tool names and ours.
pub const SEED_TOOLS: [(&str, &str); 13] = [
    ("get_companies", "cw_search_companies"),
    ("get_company", "cw_get_company"),
    ("get_tickets", "cw_search_tickets"),
    ("get_ticket", "cw_get_ticket"),
    ("get_ticket_notes", "cw_list_ticket_notes"),
    ("get_contacts", "cw_search_contacts"),
    ("get_contact", "cw_get_contact"),
    ("get_opportunities", "cw_search_opportunities"),
    ("get_agreements", "cw_search_agreements"),
    ("get_time_entries", "cw_search_time_entries"),
    ("get_projects", "cw_search_projects"),
    ("get_activities", "cw_search_activities"),
    ("get_members", "cw_search_members"),
];

/// Seed 001's argument spellings and ours.
const ARGUMENT_NAMES: [(&str, &str); 4] = [
    ("orderBy", "order_by"),
    ("pageSize", "page_size"),
    ("company_id", "company"),
    ("companyId", "company"),
];

pub fn routes(api: OpenApi) -> Router {
    Router::new()
        .route("/v1/tools/execute", post(execute))
        .with_state(api)
}

/// Our tool for a seed 001 name (`get_tickets`, `connectwise_get_tickets`) or our own.
pub fn our_name(name: &str) -> Option<&'static str> {
    let bare = name.strip_prefix("connectwise_").unwrap_or(name);
    SEED_TOOLS
        .iter()
        .find(|(seed, ours)| *seed == bare || *ours == bare)
        .map(|(_, ours)| *ours)
}

async fn execute(
    State(api): State<OpenApi>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = match arguments(&body) {
        Ok(r) => r,
        Err(why) => return failure(StatusCode::UNPROCESSABLE_ENTITY, why),
    };
    let Some(asked) = request.get("tool_name").and_then(Value::as_str) else {
        return failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Send {\"tool_name\": \"get_tickets\", \"arguments\": {…}}; tool_name is missing."
                .into(),
        );
    };
    let args = match request.get("arguments") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(a)) => a.clone(),
        Some(_) => {
            return failure(
                StatusCode::UNPROCESSABLE_ENTITY,
                "arguments must be a JSON object, e.g. {\"conditions\": \"id > 100\", \"pageSize\": 5}.".into(),
            )
        }
    };
    // Our own tools by their own names, seed 001's by theirs.
    let (name, args) = match our_name(asked) {
        Some(ours) => (ours.to_string(), translate(&api, ours, args)),
        None => (asked.to_string(), args),
    };
    let outcome = api.pipeline.call(&caller, &name, args).await;
    respond(outcome, wants_json(&headers))
}

/// Seed 001's arguments in our spelling; a search that takes `state` covers every state
/// unless one is named, as seed 001's raw conditions did.
fn translate(api: &OpenApi, tool: &str, args: JsonObject) -> JsonObject {
    let mut out = JsonObject::new();
    for (k, v) in args {
        let k = ARGUMENT_NAMES
            .iter()
            .find(|(seed, _)| *seed == k)
            .map_or(k, |(_, ours)| (*ours).to_string());
        // Seed 001 takes a company by numeric id; ours takes a name or an id as text.
        let v = match v {
            Value::Number(n) if k == "company" => Value::from(n.to_string()),
            v => v,
        };
        out.insert(k, v);
    }
    let takes_state = api.pipeline.registry().get(tool).is_some_and(|e| {
        e.tool
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key("state"))
    });
    if takes_state && !out.contains_key("state") {
        out.insert("state".into(), Value::from("all"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_names_with_and_without_prefix_and_ours() {
        assert_eq!(our_name("get_tickets"), Some("cw_search_tickets"));
        assert_eq!(
            our_name("connectwise_get_ticket_notes"),
            Some("cw_list_ticket_notes")
        );
        assert_eq!(our_name("cw_get_company"), Some("cw_get_company"));
        assert_eq!(our_name("connectwise_delete_everything"), None);
    }
}
