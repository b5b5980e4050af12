//! Browser origins: OpenWebUI calls a user's OpenAPI tool server from the browser, so those
//! pages need CORS, and every other page must be refused before anything runs. One allow-list
//! (`MCP_ALLOWED_ORIGINS`) serves every route: a request from a listed origin gets the CORS
//! headers (a preflight is answered here, before authentication, as browsers send it without
//! credentials); one from any other origin is 403. Requests without `Origin` (programs, not
//! browsers) pass untouched.
//!
//! Entries are `scheme://host[:port]`, with `:*` for any port; an origin without a port has
//! its scheme's default one (RFC 6454), so `https://owui.example.com:443` lists
//! `https://owui.example.com`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
    VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Headers a browser page may send: the token, a technician's keys, the toolset narrowing,
/// and what MCP clients send.
const ALLOW_HEADERS: &str = "authorization, content-type, accept, x-cw-public-key, x-cw-private-key, x-cw-member-id, x-cw-toolsets, mcp-protocol-version, mcp-session-id, last-event-id";
/// Headers a page may read from an answer.
const EXPOSE_HEADERS: &str = "retry-after, www-authenticate, mcp-session-id";

/// Middleware: answers preflights from listed origins, refuses unlisted ones, and marks
/// answers to listed ones readable by the page.
pub async fn cors(State(allowed): State<Arc<Vec<String>>>, req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(ORIGIN).cloned() else {
        return next.run(req).await;
    };
    let listed = origin
        .to_str()
        .ok()
        .is_some_and(|o| is_allowed(o, &allowed));
    if !listed {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"detail": "This page's origin may not call this server; its administrator can add it to MCP_ALLOWED_ORIGINS."})),
        )
            .into_response();
    }
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut r = if preflight {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
        );
        h.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        r
    } else {
        let mut r = next.run(req).await;
        r.headers_mut().insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
        r
    };
    r.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    r.headers_mut()
        .append(VARY, HeaderValue::from_static("origin"));
    r
}

/// An origin as compared: scheme, lower-case host, port (the scheme's default if omitted).
fn parts(origin: &str) -> Option<(String, String, Option<u16>)> {
    let uri: axum::http::Uri = origin.trim().parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    let port = authority.port_u16().or(match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    });
    Some((scheme, authority.host().to_ascii_lowercase(), port))
}

/// Whether `origin` is on the allow-list.
pub fn is_allowed(origin: &str, allowed: &[String]) -> bool {
    let Some((scheme, host, port)) = parts(origin) else {
        return false;
    };
    allowed.iter().any(|entry| {
        let (base, any_port) = match entry.trim().strip_suffix(":*") {
            Some(b) => (b, true),
            None => (entry.trim(), false),
        };
        parts(base).is_some_and(|(s, h, p)| s == scheme && h == host && (any_port || p == port))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_by_scheme_host_and_port() {
        let list: Vec<String> = [
            "http://localhost:*",
            "https://owui.example.com:443",
            "http://10.0.0.5:8080",
        ]
        .map(String::from)
        .to_vec();
        for ok in [
            "http://localhost:5173",
            "http://LOCALHOST:3000",
            "https://owui.example.com",
            "http://10.0.0.5:8080",
        ] {
            assert!(is_allowed(ok, &list), "{ok}");
        }
        for no in [
            "https://localhost:5173",
            "http://owui.example.com",
            "https://owui.example.com:8443",
            "http://10.0.0.5",
            "https://evil.example",
            "http://localhost.evil.example:80",
            "null",
            "",
        ] {
            assert!(!is_allowed(no, &list), "{no}");
        }
    }
}
