//! The OpenAPI tool server OpenWebUI users add themselves: `GET /openapi.json`, generated for
//! the caller from the tools their role allows, and `POST /tools/{name}` per tool. Same
//! tokens, keys and pipeline as MCP; only the rendering differs.
//!
//! A result is the tool's compact text (`text/plain`, what a model reads best and what
//! OpenWebUI hands it unchanged) unless the client asks for `application/json`, which gets the
//! structured result the document's response schema describes. A failure is
//! `{"detail": "…"}` with the status a FastAPI-style client expects.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use rmcp::model::JsonObject;
use serde_json::{json, Map, Value};

use super::mcp::INSTRUCTIONS;
use crate::auth::Caller;
use crate::errors::OutcomeKind;
use crate::outcome::Outcome;
use crate::pipeline::Pipeline;

/// What the OpenAPI routes share.
#[derive(Clone)]
pub struct OpenApi {
    pub pipeline: Arc<Pipeline>,
    /// Whether callers must present a bearer token (the document then says so).
    pub bearer: bool,
}

/// `GET /openapi.json` and `POST /tools/{name}`; they expect the HTTP layer to have put the
/// request's [`Caller`] on it.
pub fn routes(api: OpenApi) -> Router {
    Router::new()
        .route("/openapi.json", get(document_route))
        .route("/tools/{name}", post(call_route))
        .with_state(api)
}

async fn document_route(
    State(api): State<OpenApi>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    Json(document(&api.pipeline, &caller, api.bearer))
}

/// The OpenAPI 3.1 document for `caller`: one operation per tool they may call.
pub fn document(pipeline: &Pipeline, caller: &Caller, bearer: bool) -> Value {
    let mut paths = Map::new();
    for e in pipeline.tools_for(caller) {
        let tool = e.tool_structured();
        let name = e.name();
        let op = json!({
            "operationId": name,
            "x-cw-writes": e.writes(),
            "summary": tool.title.as_deref().unwrap_or(name),
            "description": tool.description.as_deref().unwrap_or_default(),
            "requestBody": {
                "required": false,
                "content": {"application/json": {"schema": Value::Object((*tool.input_schema).clone())}},
            },
            "responses": {
                "200": {
                    "description": "The result: compact text, or with `Accept: application/json` the structured result.",
                    "content": {
                        "text/plain": {"schema": {"type": "string"}},
                        "application/json": {"schema": tool.output_schema.as_deref().map_or(json!({"type": "object"}), |s| Value::Object(s.clone()))},
                    },
                },
                "default": {"$ref": "#/components/responses/Failure"},
            },
        });
        paths.insert(format!("/tools/{name}"), json!({ "post": op }));
    }
    // Dev mode asks for no token, so the document names none.
    let (schemes, security) = if bearer {
        (
            json!({"bearer": {"type": "http", "scheme": "bearer"}}),
            json!([{"bearer": []}]),
        )
    } else {
        (json!({}), json!([]))
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ConnectWise PSA",
            "version": env!("CARGO_PKG_VERSION"),
            "description": INSTRUCTIONS,
        },
        "paths": paths,
        "security": security,
        "components": {
            "securitySchemes": schemes,
            "schemas": {
                "Failure": {
                    "type": "object",
                    "properties": {"detail": {"type": "string", "description": "What went wrong and what to do about it."}},
                    "required": ["detail"],
                },
            },
            "responses": {
                "Failure": {
                    "description": "400 keys to send or a toolset to turn on, 422 arguments to change, 401/403 not allowed, 404 no such tool or record, 409 ConnectWise refused the change, 429 too many requests, 502/503/504 ConnectWise failed, was unreachable or did not answer in time.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}},
                },
            },
        },
    })
}

async fn call_route(
    State(api): State<OpenApi>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let args = match arguments(&body) {
        Ok(a) => a,
        Err(why) => return failure(StatusCode::UNPROCESSABLE_ENTITY, why),
    };
    let outcome = api.pipeline.call(&caller, &name, args).await;
    respond(outcome, wants_json(&headers))
}

/// The tool's arguments: the body's JSON object, or none for an empty body (OpenWebUI sends
/// no body for a call without arguments).
pub fn arguments(body: &[u8]) -> Result<JsonObject, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(JsonObject::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(
            "The request body must be a JSON object of the tool's arguments, e.g. {\"ticket_id\": 123}.".into(),
        ),
        Err(e) => Err(format!(
            "The request body is not JSON ({e}); send a JSON object of the tool's arguments."
        )),
    }
}

/// Whether the client asked for JSON rather than text: `Accept` names `application/json`
/// and not `text/plain`.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    accept.contains("application/json") && !accept.contains("text/plain")
}

/// A call's outcome as an HTTP answer.
pub fn respond(o: Outcome, json: bool) -> Response {
    let kind = o.kind();
    match o.result {
        Ok(out) => {
            if json {
                return Json(out.structured).into_response();
            }
            let text = match o.replayed {
                Some(r) => format!("{}\n{}", r.note(&o.tool), out.text),
                None => out.text,
            };
            let mut r = text.into_response();
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            r
        }
        Err(e) => failure(status(kind), e.to_string()),
    }
}

/// The status a FastAPI-style client expects for each way a call can fail.
pub fn status(kind: OutcomeKind) -> StatusCode {
    match kind {
        OutcomeKind::Ok | OutcomeKind::Replayed => StatusCode::OK,
        OutcomeKind::UnknownTool | OutcomeKind::NotFound => StatusCode::NOT_FOUND,
        OutcomeKind::InvalidArguments => StatusCode::UNPROCESSABLE_ENTITY,
        OutcomeKind::Denied | OutcomeKind::UpstreamForbidden => StatusCode::FORBIDDEN,
        OutcomeKind::UpstreamRefused => StatusCode::CONFLICT,
        OutcomeKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        OutcomeKind::UpstreamAuth
        | OutcomeKind::UpstreamFailed
        | OutcomeKind::NotWritten
        | OutcomeKind::PartlyWritten => StatusCode::BAD_GATEWAY,
        OutcomeKind::UpstreamUnavailable | OutcomeKind::WritesPaused => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        OutcomeKind::UpstreamTimeout | OutcomeKind::Unconfirmed => StatusCode::GATEWAY_TIMEOUT,
        // Keys or a member identifier to send, or a toolset to turn on: the caller's to fix.
        OutcomeKind::Setup => StatusCode::BAD_REQUEST,
        OutcomeKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `{"detail": …}` with `status`.
pub fn failure(status: StatusCode, detail: String) -> Response {
    (status, Json(json!({ "detail": detail }))).into_response()
}
