//! `Authorization: Bearer <token>` on every MCP request of a shared deployment. A request with
//! a valid role token carries its [`Caller`] on to the MCP surface, which lists and runs only
//! what that role allows; anything else is 401 with `WWW-Authenticate: Bearer` (RFC 6750),
//! before the body is even read.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::auth::Caller;
use crate::tokens::Tokens;

const REALM: &str = "connectwise-mcp";

/// Middleware: authenticates the request or answers 401.
pub async fn require(State(tokens): State<Arc<Tokens>>, mut req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    let Some(token) = presented else {
        return unauthorized(
            None,
            "Send Authorization: Bearer <token>; an administrator issues tokens with `connectwise-mcp token`.",
        );
    };
    match tokens.authenticate(token) {
        Some(principal) => {
            req.extensions_mut().insert(Caller {
                principal,
                creds: None,
            });
            next.run(req).await
        }
        None => unauthorized(
            Some("invalid_token"),
            "The bearer token is not one this server knows; ask its administrator for a valid one.",
        ),
    }
}

fn unauthorized(error: Option<&str>, description: &str) -> Response {
    let challenge = match error {
        Some(e) => format!("Bearer realm=\"{REALM}\", error=\"{e}\""),
        None => format!("Bearer realm=\"{REALM}\""),
    };
    let mut r = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": error.unwrap_or("unauthorized"), "error_description": description})),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    r
}
