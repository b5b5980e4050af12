//! Who an HTTP request comes from, decided before its body is read: a role token
//! (`Authorization: Bearer`, RFC 6750) and, optionally, the technician's own ConnectWise keys
//! (`x-cw-public-key`, `x-cw-private-key`, `x-cw-member-id`, as seed 000 names them), read on
//! every request since the 2026-07-28 protocol has no session to hang them on. The resulting
//! [`Caller`] rides on the request to the MCP surface, which lists and runs only what it may.
//!
//! Only the keys come from a client: site, company and clientId are the server's. A client may
//! also narrow its tools to some toolsets (`x-cw-toolsets`), never widen them. A bad header
//! is a 400 that names the header and never repeats its value.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, HOST, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cw_client::Credentials;
use serde_json::json;

use super::listener::ConnLimits;
use super::rate::RateLimit;
use crate::auth::{Caller, Principal, Role};
use crate::identity::{Identities, Verdict};
use crate::tokens::Tokens;

const REALM: &str = "connectwise-mcp";
const PUBLIC_KEY: &str = "x-cw-public-key";
const PRIVATE_KEY: &str = "x-cw-private-key";
const MEMBER_ID: &str = "x-cw-member-id";
const TOOLSETS: &str = "x-cw-toolsets";

/// How this server admits HTTP callers.
#[derive(Default)]
pub struct HttpAccess {
    pub tokens: Tokens,
    pub client_keys: ClientKeys,
    /// Browser origins allowed to call (`MCP_ALLOWED_ORIGINS`); a request with any other
    /// `Origin` is 403. Requests without one (programs, not browsers) pass.
    pub origins: Vec<String>,
    /// `Host` values accepted (`MCP_ALLOWED_HOSTS`); `None`: loopback names in dev mode, any
    /// with role tokens (a rebound browser page has no token to send).
    pub hosts: Option<Vec<String>>,
    /// Requests per principal (`MCP_RATE_LIMIT`); `None`: unlimited.
    pub rate: Option<RateLimit>,
    /// The Redis replicas share, when there are replicas (`CW_MCP_REDIS_URL`).
    pub redis: Option<Arc<crate::cluster::Redis>>,
    /// The connection bounds and read deadlines.
    pub conn: ConnLimits,
    /// Checks client keys against ConnectWise (whose they are, whether it accepts them);
    /// `None` trusts them as sent (tests of the other parts).
    pub keys: Option<KeyCheck>,
}

/// What checking a client's keys needs.
pub struct KeyCheck {
    pub upstream: Arc<cw_client::Upstream>,
    pub identities: Arc<Identities>,
    /// Requests per client address with keys ConnectWise has not accepted yet
    /// (`MCP_UNVERIFIED_KEYS_RATE`), so inventing keys cannot flood ConnectWise.
    pub unverified: Option<RateLimit>,
}

/// Whether HTTP clients may bring their own ConnectWise keys (`CLIENT_CW_KEYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientKeys {
    /// With a role token (the default): the token says what they may, the keys act.
    #[default]
    WithToken,
    /// Keys alone admit a caller (as an editor); ConnectWise decides what the keys may do.
    Open,
    /// Never: every call uses the server's keys.
    Disabled,
}

/// Origins allowed when `MCP_ALLOWED_ORIGINS` is not set: pages served from this machine
/// (the MCP Inspector, a local OpenWebUI), never another site.
pub const LOOPBACK_ORIGINS: [&str; 3] =
    ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

impl HttpAccess {
    /// No tokens: dev mode.
    pub fn dev(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Why a request is turned away.
enum Refusal {
    /// 400: a header is wrong.
    BadRequest(String),
    /// 401: no token, or an unknown one (`Some("invalid_token")`).
    Unauthorized(Option<&'static str>, &'static str),
    /// 429: the principal is over the rate limit; retry after this long.
    Limited(std::time::Duration),
    /// 429: this address has tried too many keys ConnectWise has not accepted yet.
    TooManyNewKeys(std::time::Duration),
}

/// Middleware: puts the request's [`Caller`] on it, or answers 400 / 401.
pub async fn admit(
    State(access): State<Arc<HttpAccess>>,
    mut req: Request,
    next: Next,
) -> Response {
    let from = client_address(&access, &req);
    let admitted = match caller(&access, req.headers()).and_then(|c| narrowed(c, req.headers())) {
        Ok(c) => match within_rate(&access, c).await {
            Ok(c) => verified(&access, c, from).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match admitted {
        Ok(c) => {
            super::listener::admitted(&req);
            req.extensions_mut().insert(c);
            next.run(req).await
        }
        Err(Refusal::BadRequest(m)) => bad_request(&m),
        Err(Refusal::Unauthorized(e, d)) => unauthorized(e, d),
        Err(Refusal::Limited(wait)) => {
            limited(wait, "Too many requests from this token", "MCP_RATE_LIMIT")
        }
        Err(Refusal::TooManyNewKeys(wait)) => limited(
            wait,
            "Too many ConnectWise keys not yet accepted by ConnectWise from this address",
            "MCP_UNVERIFIED_KEYS_RATE",
        ),
    }
}

/// The address a request comes from: its connection's, or, from a trusted proxy, the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy.
fn client_address(access: &HttpAccess, req: &Request) -> Option<std::net::IpAddr> {
    let peer = req
        .extensions()
        .get::<super::listener::Peer>()
        .map(|p| super::conns::canonical(p.0.ip()))?;
    if !access.conn.trusts(peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .map(super::conns::canonical)
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !access.conn.trusts(*a))
            .unwrap_or(peer),
    )
}

/// The caller with their keys checked against ConnectWise: keys it refused are turned away
/// without being sent again; the member is the one ConnectWise says the keys belong to, and a
/// `x-cw-member-id` naming another is refused (400, without its value). Keys not yet known
/// cost their address one request of its `MCP_UNVERIFIED_KEYS_RATE` budget.
async fn verified(
    access: &HttpAccess,
    mut c: Caller,
    from: Option<std::net::IpAddr>,
) -> Result<Caller, Refusal> {
    let (Some(check), Some(creds)) = (&access.keys, c.creds.as_mut()) else {
        return Ok(c);
    };
    let client = check.upstream.client(creds.clone());
    let verdict = match check.identities.remembered(&client).await {
        Some(v) => Ok(v),
        None => {
            if let Some(budget) = &check.unverified {
                let addr = from
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "unknown".into());
                budget
                    .check(&format!("new-keys:{addr}"))
                    .await
                    .map_err(Refusal::TooManyNewKeys)?;
            }
            check.identities.verdict(&client).await
        }
    };
    match verdict {
        Ok(Verdict::Member(m)) => {
            if creds
                .member_identifier
                .as_deref()
                .is_some_and(|claimed| !claimed.eq_ignore_ascii_case(&m))
            {
                return Err(Refusal::BadRequest(format!(
                    "{MEMBER_ID} names a different member than the one ConnectWise says these keys belong to: send that member's identifier, or leave {MEMBER_ID} out (the server asks ConnectWise). Nothing was done."
                )));
            }
            creds.member_identifier = Some(m);
            Ok(c)
        }
        // ConnectWise cannot say whose they are: the header is all there is.
        Ok(Verdict::Unnamed) => Ok(c),
        Ok(Verdict::Refused) if access.client_keys == ClientKeys::Open && c.principal.label.starts_with("keys:") => {
            Err(Refusal::Unauthorized(
                Some("invalid_token"),
                "ConnectWise does not accept these API keys (x-cw-public-key, x-cw-private-key): check them in ConnectWise → My Account → API Keys.",
            ))
        }
        Ok(Verdict::Refused) => Err(Refusal::BadRequest(format!(
            "ConnectWise does not accept the API keys in {PUBLIC_KEY} and {PRIVATE_KEY}: check them in ConnectWise → My Account → API Keys, or leave them out to use the server's keys."
        ))),
        // ConnectWise could not be asked: go on, but trust no claimed member; a "my" tool
        // asks again, and says so if it still cannot tell.
        Err(_) => {
            creds.member_identifier = None;
            Ok(c)
        }
    }
}

/// Middleware: refuses a `Host` this server does not answer to (403), on every route but the
/// probes', so a page that rebinds its own name to this machine cannot reach a dev-mode server. The list is
/// `MCP_ALLOWED_HOSTS`, else loopback names in dev mode, else any.
pub async fn hosts(State(access): State<Arc<HttpAccess>>, req: Request, next: Next) -> Response {
    // Probes (a load balancer's, Kubernetes') ask by address, and these answer nothing secret.
    if matches!(req.uri().path(), "/health" | "/ready") {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    let allowed = match (&access.hosts, access.dev()) {
        (Some(list), _) => host.is_some_and(|h| host_listed(h, list)),
        (None, true) => host.is_some_and(|h| host_listed(h, &LOOPBACK_HOSTS.map(String::from))),
        (None, false) => true,
    };
    if allowed {
        return next.run(req).await;
    }
    (
        StatusCode::FORBIDDEN,
        Json(json!({"detail": "This server does not answer to that Host; its administrator can add the name to MCP_ALLOWED_HOSTS."})),
    )
        .into_response()
}

/// Names a dev-mode server answers to.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Whether a `Host` value (`name` or `name:port`) is on `list` (entries `name` for any port,
/// or `name:port`).
fn host_listed(host: &str, list: &[String]) -> bool {
    let Ok(authority) = host.trim().parse::<axum::http::uri::Authority>() else {
        return false;
    };
    list.iter().any(|entry| {
        let entry = entry.trim();
        let bare = entry.trim_start_matches('[').trim_end_matches(']');
        let name = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        match entry.parse::<axum::http::uri::Authority>() {
            Ok(a) if a.port_u16().is_some() => {
                a.host().eq_ignore_ascii_case(authority.host())
                    && a.port_u16() == authority.port_u16()
            }
            _ => bare.eq_ignore_ascii_case(name),
        }
    })
}

/// The caller, if their principal is within the rate limit. The local user is not limited.
async fn within_rate(access: &HttpAccess, c: Caller) -> Result<Caller, Refusal> {
    match &access.rate {
        Some(rate) if !c.principal.local => rate
            .check(&c.principal.label)
            .await
            .map(|()| c)
            .map_err(Refusal::Limited),
        _ => Ok(c),
    }
}

fn caller(access: &HttpAccess, h: &HeaderMap) -> Result<Caller, Refusal> {
    let creds = client_keys(access.client_keys, h)?;
    if access.dev() {
        // Loopback only; the local user, with their own keys if they sent them.
        return Ok(Caller::new(Principal::local(Role::Admin), creds));
    }
    let presented = h
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match (presented, creds) {
        (Some(token), creds) => match access.tokens.authenticate(token) {
            Some(principal) => Ok(Caller::new(principal, creds)),
            None => Err(Refusal::Unauthorized(
                Some("invalid_token"),
                "The bearer token is not one this server knows; ask its administrator for a valid one.",
            )),
        },
        // CLIENT_CW_KEYS=open: the keys are the credential; ConnectWise decides what they may.
        (None, Some(creds)) if access.client_keys == ClientKeys::Open => Ok(Caller::new(
            Principal {
                label: format!("keys:{}", creds.fingerprint()),
                role: Role::Editor,
                local: false,
            },
            Some(creds),
        )),
        (None, _) => Err(Refusal::Unauthorized(
            None,
            "Send Authorization: Bearer <token>; an administrator issues tokens with `connectwise-mcp token`.",
        )),
    }
}

/// The caller limited to the toolsets its `x-cw-toolsets` header names, if it sent one. The
/// header can only narrow: the pipeline still applies the role and the deployment's toolsets.
fn narrowed(mut c: Caller, h: &HeaderMap) -> Result<Caller, Refusal> {
    if let Some(list) = header(h, TOOLSETS)? {
        let sets = crate::tools::parse_toolsets(list, TOOLSETS).map_err(Refusal::BadRequest)?;
        c.toolsets = Some(sets.iter().map(|t| t.name).collect());
    }
    Ok(c)
}

/// The caller's own ConnectWise keys, when sent and allowed.
fn client_keys(mode: ClientKeys, h: &HeaderMap) -> Result<Option<Credentials>, Refusal> {
    let public = header(h, PUBLIC_KEY)?;
    let private = header(h, PRIVATE_KEY)?;
    let member = header(h, MEMBER_ID)?;
    if public.is_none() && private.is_none() && member.is_none() {
        return Ok(None);
    }
    if mode == ClientKeys::Disabled {
        return Err(Refusal::BadRequest(
            "This server does not accept ConnectWise keys from clients (CLIENT_CW_KEYS=disabled): leave out the x-cw-* headers; calls use the server's keys.".into(),
        ));
    }
    let (Some(public), Some(private)) = (public, private) else {
        return Err(Refusal::BadRequest(
            "Send both x-cw-public-key and x-cw-private-key (and x-cw-member-id for the \"my\" tools), or none of them.".into(),
        ));
    };
    for (name, value) in [(PUBLIC_KEY, public), (PRIVATE_KEY, private)] {
        if !(8..=128).contains(&value.len()) || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Refusal::BadRequest(format!(
                "{name} is not a ConnectWise API key: keys are 8 to 128 letters and digits (ConnectWise → My Account → API Keys)."
            )));
        }
    }
    if let Some(m) = member {
        if m.is_empty()
            || m.len() > 64
            || !m
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
        {
            return Err(Refusal::BadRequest(
            "x-cw-member-id is not a member identifier: 1 to 64 letters, digits or . _ @ - (e.g. JSmith).".into(),
            ));
        }
    }
    Ok(Some(Credentials::new(public, private, member)))
}

/// A header as text; one that is not visible ASCII is refused without echoing it.
fn header<'h>(h: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, Refusal> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v.to_str().map(|s| Some(s.trim())).map_err(|_| {
            Refusal::BadRequest(format!(
                "{name} holds characters a ConnectWise value cannot have."
            ))
        }),
    }
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_request", "error_description": message, "detail": message})),
    )
        .into_response()
}

fn limited(wait: std::time::Duration, what: &str, setting: &str) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let detail = format!(
        "{what}; retry in {secs} s. The server's administrator sets the limit ({setting})."
    );
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "error": "rate_limited",
            "error_description": &detail,
            "detail": &detail,
        })),
    )
        .into_response();
    r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    r
}

fn unauthorized(error: Option<&str>, description: &str) -> Response {
    let challenge = match error {
        Some(e) => format!("Bearer realm=\"{REALM}\", error=\"{e}\""),
        None => format!("Bearer realm=\"{REALM}\""),
    };
    let mut r = (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": error.unwrap_or("unauthorized"), "error_description": description, "detail": description})),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(WWW_AUTHENTICATE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_by_name_and_port_when_given() {
        let list: Vec<String> = ["localhost", "127.0.0.1", "[::1]", "mcp.example.com:8443"]
            .map(String::from)
            .to_vec();
        for ok in [
            "localhost:3000",
            "LOCALHOST",
            "127.0.0.1:9",
            "[::1]:3000",
            "mcp.example.com:8443",
        ] {
            assert!(host_listed(ok, &list), "{ok}");
        }
        for no in [
            "evil.example:3000",
            "localhost.evil.example",
            "mcp.example.com",
            "mcp.example.com:443",
            "",
        ] {
            assert!(!host_listed(no, &list), "{no}");
        }
    }
}
