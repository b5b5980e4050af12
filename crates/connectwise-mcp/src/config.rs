//! The one configuration: read once, from the environment (the names seed 000 and seed 001
//! use) and the command line, which wins where both say something. Nothing else in the
//! program reads the environment.
//!
//! | variable | what |
//! |---|---|
//! | `CW_SITE` (alias `CW_API_URL`), `CW_COMPANY_ID`, `CW_CLIENT_ID` | where ConnectWise is and who we are to it |
//! | `CW_PUBLIC_KEY`, `CW_PRIVATE_KEY`, `CW_MEMBER_IDENTIFIER` | the server-wide keys and whose they are |
//! | `CW_API_VERSION` | a codebase to pin, or an `Accept` version |
//! | `CW_TIMEOUT_SECS`, `CW_CONNECT_TIMEOUT_SECS` | upstream timeouts |
//! | `CW_CALL_TIMEOUT_SECS` | the deadline of a whole tool call, retries included |
//! | `CW_READ_CACHE_SECS` | how long a read tool may reuse the same keys' identical read |
//! | `CW_MAX_IN_FLIGHT` | requests to ConnectWise in flight at once per key |
//! | `CW_TIMEZONE` | the zone of times typed without one |
//! | `CW_READ_ONLY`, `CW_TOOLSETS` | upper bounds on the tools offered |
//! | `MCP_STRUCTURED_CONTENT` | results as `structuredContent` (and the same JSON as text) instead of compact text |
//! | `TRANSPORT`, `PORT`, `BIND` | how and where to serve |
//! | `MCP_TOKENS_*`, `CLIENT_CW_KEYS` | role tokens and client keys over HTTP ([`crate::tokens`]) |
//! | `MCP_AUDIT_LOG` | the audit trail's file ([`crate::audit`]) |
//! | `CW_HOME_*` | ConnectWise Home, when `CW_TOOLSETS` names `home` ([`cw_home::HomeConfig`]) |
//! | `MCP_ALLOWED_ORIGINS`, `MCP_ALLOWED_HOSTS`, `MCP_CUSTOMER_CONTACT` | who may call over HTTP, and contact customers |
//! | `MCP_RATE_LIMIT` | requests per principal over HTTP ([`crate::transport::rate`]) |
//! | `MCP_MAX_CONNECTIONS`, `MCP_HEADER_TIMEOUT_SECS`, `MCP_BODY_TIMEOUT_SECS` | connection cap and read deadlines ([`crate::transport::listener`]) |

use std::net::IpAddr;
use std::time::Duration;

use chrono_tz::Tz;
use clap::ValueEnum;
use cw_client::{Config as CwConfig, Credentials, Site};

use crate::auth::Role;
pub use crate::errors::ConfigError;
use crate::pipeline::Limits;
use crate::surface::mcp::Results;
use crate::tools::{Toolset, TOOLSETS};
use crate::transport::access::ClientKeys;
use crate::transport::listener::ConnLimits;
use crate::transport::rate::Rate;

/// Where settings come from: the process environment, or a map (the demo, tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A variable's value, trimmed; empty counts as unset.
fn var(env: Env, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| env(n))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// How MCP is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// stdin/stdout, for a local MCP client.
    Stdio,
    /// Streamable HTTP.
    Http,
}

/// What the command line says; anything it leaves out comes from the environment.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub transport: Option<Transport>,
    pub port: Option<u16>,
    pub bind: Option<IpAddr>,
    pub read_only: bool,
}

/// Where ConnectWise is, and the server-wide keys.
#[derive(Debug, Clone)]
pub struct ConnectWise {
    pub cfg: CwConfig,
    /// Set when both keys are.
    pub creds: Option<Credentials>,
}

/// How the server serves.
#[derive(Debug, Clone)]
pub struct Serving {
    pub transport: Transport,
    pub port: u16,
    pub bind: IpAddr,
    pub timezone: Tz,
    pub limits: Limits,
    pub results: Results,
}

pub fn client_keys(env: Env) -> Result<ClientKeys, ConfigError> {
    match var(env, &["CLIENT_CW_KEYS"]).map(|v| v.to_ascii_lowercase()) {
        None => Ok(ClientKeys::WithToken),
        Some(v) => match v.as_str() {
            "with-token" => Ok(ClientKeys::WithToken),
            "open" => Ok(ClientKeys::Open),
            "disabled" => Ok(ClientKeys::Disabled),
            _ => Err(ConfigError(format!(
                "CLIENT_CW_KEYS is `{v}`; use with-token (the default), open or disabled"
            ))),
        },
    }
}

/// The least role that may contact customers over HTTP (`MCP_CUSTOMER_CONTACT`).
fn customer_contact(env: Env) -> Result<Option<Role>, ConfigError> {
    match var(env, &["MCP_CUSTOMER_CONTACT"]).map(|v| v.to_ascii_lowercase()) {
        None => Ok(Some(Role::Editor)),
        Some(v) => match v.as_str() {
            "editor" => Ok(Some(Role::Editor)),
            "admin" => Ok(Some(Role::Admin)),
            "never" => Ok(None),
            _ => Err(ConfigError(format!(
                "MCP_CUSTOMER_CONTACT is `{v}`; use editor (the default), admin or never"
            ))),
        },
    }
}

/// A comma-separated list setting, if set.
pub fn list(env: Env, name: &str) -> Option<Vec<String>> {
    var(env, &[name]).map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    })
}

/// How many requests one client address may make with ConnectWise keys ConnectWise has not
/// accepted yet (`MCP_UNVERIFIED_KEYS_RATE`, default 60/min; `off` for no bound).
pub fn unverified_keys_rate(env: Env) -> Result<Option<Rate>, ConfigError> {
    match var(env, &["MCP_UNVERIFIED_KEYS_RATE"]) {
        None => Ok(Rate::parse_setting("MCP_UNVERIFIED_KEYS_RATE", "60/min")
            .ok()
            .flatten()),
        Some(v) => Rate::parse_setting("MCP_UNVERIFIED_KEYS_RATE", &v).map_err(ConfigError),
    }
}

/// The per-principal rate limit over HTTP (`MCP_RATE_LIMIT`; `off` for none).
pub fn rate_limit(env: Env) -> Result<Option<Rate>, ConfigError> {
    match var(env, &["MCP_RATE_LIMIT"]) {
        None => Ok(Some(Rate::DEFAULT)),
        Some(v) => Rate::parse(&v).map_err(ConfigError),
    }
}

/// Where replicas share their state (`CW_MCP_REDIS_URL`; unset: one process, all in memory)
/// and what writes do while it is unreachable (`CW_MCP_REDIS_DOWN`).
pub fn redis(env: Env) -> Result<Option<(String, crate::cluster::WhenDown)>, ConfigError> {
    let Some(url) = var(env, &["CW_MCP_REDIS_URL"]) else {
        return Ok(None);
    };
    let when_down =
        crate::cluster::WhenDown::parse(&var(env, &["CW_MCP_REDIS_DOWN"]).unwrap_or_default())
            .map_err(ConfigError)?;
    Ok(Some((url, when_down)))
}

/// The HTTP connection cap and read deadlines.
pub fn conn_limits(env: Env) -> Result<ConnLimits, ConfigError> {
    let d = ConnLimits::default();
    let count = |name: &str, default: usize| -> Result<usize, ConfigError> {
        match var(env, &[name]) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "{name} is `{v}`; use a number of connections from 1 to 100000 (default {default})"
                    ))
                }),
        }
    };
    let max_connections = count("MCP_MAX_CONNECTIONS", d.max_connections)?;
    // Per address, at most the total; by default a quarter of it (with the default total, 128).
    let per_address = count(
        "MCP_MAX_CONNECTIONS_PER_ADDRESS",
        (max_connections / 4).max(1),
    )?
    .min(max_connections);
    let pending_per_address =
        count("MCP_MAX_PENDING_PER_ADDRESS", d.pending_per_address)?.min(per_address);
    let mut trusted_proxies = Vec::new();
    for entry in list(env, "MCP_TRUSTED_PROXIES").unwrap_or_default() {
        trusted_proxies.push(crate::transport::conns::Net::parse(&entry).ok_or_else(|| {
            ConfigError(format!(
                "MCP_TRUSTED_PROXIES holds `{entry}`, which is not an address or network; use e.g. 10.0.0.5,10.1.0.0/16"
            ))
        })?);
    }
    Ok(ConnLimits {
        max_connections,
        per_address,
        pending_per_address,
        trusted_proxies,
        header_timeout: secs(env, "MCP_HEADER_TIMEOUT_SECS", d.header_timeout)?,
        body_timeout: secs(env, "MCP_BODY_TIMEOUT_SECS", d.body_timeout)?,
    })
}

/// ConnectWise Home's settings, when `toolsets` offers it (the `CW_HOME_*` variables and the
/// 0600 `.env` file in `~/.config/connectwise-home/`).
pub fn home(env: Env, toolsets: &[Toolset]) -> Result<Option<cw_home::Home>, ConfigError> {
    if !toolsets.iter().any(|t| t.family == "home") {
        return Ok(None);
    }
    let cfg = cw_home::HomeConfig::load(env).map_err(|e| ConfigError(e.to_string()))?;
    // The shipped operations are data: a broken definition stops start-up, not a call.
    cw_home::operations::builtin().map_err(|e| ConfigError(e.to_string()))?;
    Ok(Some(cw_home::Home::new(cfg)))
}

/// The write journal ([`crate::journal`]): `journal.sqlite3` in `CW_MCP_STATE_DIR`, else in
/// `$XDG_STATE_HOME/connectwise-mcp` or `~/.local/state/connectwise-mcp`. With none of those
/// (a bare environment), it is kept in memory, with a warning: a crash then forgets what was
/// in flight. A directory given that cannot be used stops start-up.
pub fn journal(env: Env) -> Result<std::sync::Arc<dyn crate::journal::Journal>, ConfigError> {
    use crate::journal::{Embedded, Memory};
    let explicit = var(env, &["CW_MCP_STATE_DIR"]).map(std::path::PathBuf::from);
    let dir = explicit.clone().or_else(|| {
        var(env, &["XDG_STATE_HOME"])
            .map(std::path::PathBuf::from)
            .or_else(|| var(env, &["HOME"]).map(|h| std::path::Path::new(&h).join(".local/state")))
            .map(|d| d.join("connectwise-mcp"))
    });
    let Some(dir) = dir else {
        tracing::warn!("no CW_MCP_STATE_DIR (nor HOME): the write journal is kept in memory, so after a crash a re-send cannot tell whether a write in flight was made");
        return Ok(std::sync::Arc::new(Memory::default()));
    };
    match Embedded::open(&dir.join("journal.sqlite3")) {
        Ok(j) => Ok(std::sync::Arc::new(j)),
        Err(e) if explicit.is_some() => Err(ConfigError(format!(
            "CW_MCP_STATE_DIR: {e}; give a directory this server can write (it keeps its write journal there)"
        ))),
        Err(e) => {
            tracing::warn!("the write journal is kept in memory ({e}); set CW_MCP_STATE_DIR to a writable directory so a crash cannot lose track of writes in flight");
            Ok(std::sync::Arc::new(Memory::default()))
        }
    }
}

/// Where the audit trail goes (`MCP_AUDIT_LOG`), if anywhere.
pub fn audit_log(env: Env) -> Option<std::path::PathBuf> {
    var(env, &["MCP_AUDIT_LOG"]).map(std::path::PathBuf::from)
}

/// Reads the ConnectWise settings (what `serve` and `check` share).
pub fn connectwise(env: Env) -> Result<ConnectWise, ConfigError> {
    let site = var(env, &["CW_SITE", "CW_API_URL"]).ok_or_else(|| {
        ConfigError("CW_SITE is not set: set it to your ConnectWise site (e.g. na.myconnectwise.net), or run `connectwise-mcp demo` to try the simulated tenant".into())
    })?;
    let company = var(env, &["CW_COMPANY_ID"]).ok_or_else(|| {
        ConfigError(
            "CW_COMPANY_ID is not set: it is the company id you type at the ConnectWise login screen"
                .into(),
        )
    })?;
    let client_id = var(env, &["CW_CLIENT_ID"]).ok_or_else(|| {
        ConfigError("CW_CLIENT_ID is not set: ConnectWise requires a clientId for every API call; register a free integration at developer.connectwise.com".into())
    })?;
    let mut cfg = CwConfig::new(Site::parse(&site)?, &company, &client_id);
    if let Some(v) = var(env, &["CW_API_VERSION"]) {
        cfg = cfg.api_version(&v)?;
    }
    cfg.connect_timeout = secs(env, "CW_CONNECT_TIMEOUT_SECS", cfg.connect_timeout)?;
    cfg.request_timeout = secs(env, "CW_TIMEOUT_SECS", cfg.request_timeout)?;
    if let Some(v) = var(env, &["CW_READ_CACHE_SECS"]) {
        cfg.read_cache = v
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= 60)
            .map(Duration::from_secs)
            .ok_or_else(|| {
                ConfigError(
                    "CW_READ_CACHE_SECS must be a number of seconds from 0 (off) to 60".into(),
                )
            })?;
    }
    if let Some(v) = var(env, &["CW_MAX_IN_FLIGHT"]) {
        cfg.max_in_flight = v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| {
                ConfigError("CW_MAX_IN_FLIGHT must be a number of requests from 1 to 64".into())
            })?;
    }
    let creds = match (var(env, &["CW_PUBLIC_KEY"]), var(env, &["CW_PRIVATE_KEY"])) {
        (Some(p), Some(k)) => Some(Credentials::new(
            &p,
            &k,
            var(env, &["CW_MEMBER_IDENTIFIER"]).as_deref(),
        )),
        (None, None) => None,
        _ => {
            return Err(ConfigError(
                "set both CW_PUBLIC_KEY and CW_PRIVATE_KEY, or neither".into(),
            ))
        }
    };
    Ok(ConnectWise { cfg, creds })
}

fn secs(env: Env, name: &str, default: Duration) -> Result<Duration, ConfigError> {
    match var(env, &[name]) {
        None => Ok(default),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=600).contains(n))
            .map(Duration::from_secs)
            .ok_or_else(|| {
                ConfigError(format!("{name} must be a number of seconds from 1 to 600"))
            }),
    }
}

fn flag(env: Env, name: &str) -> Result<bool, ConfigError> {
    match var(env, &[name]).map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError(format!(
            "{name} is `{other}`; use true or false"
        ))),
    }
}

/// The default time zone for times typed without one (`CW_TIMEZONE`, else UTC).
pub fn timezone(env: Env) -> Result<Tz, ConfigError> {
    match var(env, &["CW_TIMEZONE"]) {
        None => Ok(Tz::UTC),
        Some(s) => s.parse().map_err(|_| {
            ConfigError(format!(
                "CW_TIMEZONE `{s}` is not an IANA time zone such as America/Chicago"
            ))
        }),
    }
}

/// The toolsets to offer: `CW_TOOLSETS` (comma-separated toolset names, a family such as
/// `psa`, `default`, or `all`), else the default ones. An unknown name is an error that lists
/// the known ones.
pub fn toolsets(env: Env) -> Result<Vec<Toolset>, ConfigError> {
    match var(env, &["CW_TOOLSETS"]) {
        None => Ok(TOOLSETS.iter().filter(|t| t.default_on).copied().collect()),
        Some(list) => crate::tools::parse_toolsets(&list, "CW_TOOLSETS").map_err(ConfigError),
    }
}

/// Reads how to serve: flags first, then the environment, then defaults (stdio; port 3000 on
/// 127.0.0.1 for HTTP).
pub fn serving(env: Env, flags: &Flags) -> Result<Serving, ConfigError> {
    let transport = match flags.transport {
        Some(t) => t,
        None => match var(env, &["TRANSPORT"]) {
            None => Transport::Stdio,
            Some(t) => Transport::from_str(&t, true)
                .map_err(|_| ConfigError(format!("TRANSPORT is `{t}`; use stdio or http")))?,
        },
    };
    let port = match flags.port {
        Some(p) => p,
        None => match var(env, &["PORT"]) {
            None => 3000,
            Some(p) => p
                .parse()
                .map_err(|_| ConfigError(format!("PORT is `{p}`; use a port number")))?,
        },
    };
    let bind = match flags.bind {
        Some(b) => b,
        None => match var(env, &["BIND"]) {
            None => IpAddr::from([127, 0, 0, 1]),
            Some(b) => b.parse().map_err(|_| {
                ConfigError(format!(
                    "BIND is `{b}`; use an IP address such as 127.0.0.1"
                ))
            })?,
        },
    };
    Ok(Serving {
        transport,
        port,
        bind,
        timezone: timezone(env)?,
        limits: Limits {
            read_only: flags.read_only || flag(env, "CW_READ_ONLY")?,
            toolsets: toolsets(env)?,
            deadline: secs(env, "CW_CALL_TIMEOUT_SECS", Limits::DEADLINE)?,
            customer_contact: customer_contact(env)?,
        },
        results: if flag(env, "MCP_STRUCTURED_CONTENT")? {
            Results::Structured
        } else {
            Results::Text
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn names_and_aliases_of_both_seeds() {
        let e = env(&[
            ("CW_API_URL", "https://api-na.myconnectwise.net"),
            ("CW_COMPANY_ID", "acme"),
            ("CW_CLIENT_ID", "abc"),
            ("CW_API_VERSION", "v2023.2"),
            ("CW_PUBLIC_KEY", "pub"),
            ("CW_PRIVATE_KEY", "priv"),
            ("CW_MEMBER_IDENTIFIER", "JSmith"),
            ("CW_TIMEOUT_SECS", "12"),
            ("CW_MAX_IN_FLIGHT", "4"),
        ]);
        let c = connectwise(&e).unwrap();
        assert_eq!(c.cfg.api_version, "2023.2");
        assert_eq!(c.cfg.max_in_flight, 4);
        assert_eq!(c.cfg.request_timeout, Duration::from_secs(12));
        let creds = c.creds.unwrap();
        assert_eq!(creds.member_identifier.as_deref(), Some("JSmith"));
        let missing = connectwise(&env(&[("CW_SITE", "x.example"), ("CW_COMPANY_ID", "a")]));
        assert!(missing.unwrap_err().0.contains("CW_CLIENT_ID"));
        let half = connectwise(&env(&[
            ("CW_SITE", "x.example"),
            ("CW_COMPANY_ID", "a"),
            ("CW_CLIENT_ID", "b"),
            ("CW_PUBLIC_KEY", "p"),
        ]));
        assert!(half.unwrap_err().0.contains("both"));
        let site = [
            ("CW_SITE", "x.example"),
            ("CW_COMPANY_ID", "a"),
            ("CW_CLIENT_ID", "b"),
        ];
        for bad in ["0", "65", "lots"] {
            let e: Vec<(&str, String)> = site
                .iter()
                .map(|(k, v)| (*k, v.to_string()))
                .chain([("CW_MAX_IN_FLIGHT", bad.to_string())])
                .collect();
            let got =
                connectwise(&|k: &str| e.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()));
            assert!(got.unwrap_err().0.contains("from 1 to 64"), "{bad}");
        }
    }

    #[test]
    fn flags_win_over_the_environment() {
        let e = env(&[
            ("TRANSPORT", "HTTP"),
            ("PORT", "4000"),
            ("CW_READ_ONLY", "true"),
        ]);
        let s = serving(&e, &Flags::default()).unwrap();
        assert_eq!((s.transport, s.port), (Transport::Http, 4000));
        assert!(s.limits.read_only);
        let s = serving(
            &e,
            &Flags {
                transport: Some(Transport::Stdio),
                port: Some(5),
                ..Flags::default()
            },
        )
        .unwrap();
        assert_eq!((s.transport, s.port), (Transport::Stdio, 5));
        assert!(serving(&env(&[("CW_READ_ONLY", "maybe")]), &Flags::default()).is_err());
    }

    #[test]
    fn toolsets_are_checked() {
        use crate::tools::{CUSTOMERS, DAY, SALES, TICKETS, TIME};
        assert_eq!(
            toolsets(&env(&[])).unwrap(),
            vec![TICKETS, TIME, CUSTOMERS, DAY],
            "the everyday ones"
        );
        let all = toolsets(&env(&[("CW_TOOLSETS", "all")])).unwrap();
        assert_eq!(all, TOOLSETS.to_vec());
        let psa = toolsets(&env(&[("CW_TOOLSETS", "psa")])).unwrap();
        assert!(psa.iter().all(|t| t.family == "psa") && psa.len() == TOOLSETS.len() - 1);
        assert!(
            all.iter().any(|t| t.name == "home"),
            "all is everything, Home included"
        );
        assert_eq!(
            toolsets(&env(&[("CW_TOOLSETS", "default, sales")])).unwrap(),
            vec![TICKETS, TIME, CUSTOMERS, DAY, SALES]
        );
        let e = toolsets(&env(&[("CW_TOOLSETS", "tickets,nope")])).unwrap_err();
        assert!(e.0.contains("`nope`") && e.0.contains("tickets"), "{e}");
        assert!(timezone(&env(&[("CW_TIMEZONE", "Mars/Base")])).is_err());
    }
}
