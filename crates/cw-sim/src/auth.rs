//! Authentication (Basic `company+public:private` plus `clientId`) and security roles.

use crate::json::Json;
use axum::http::HeaderMap;
use base64::Engine;
use serde_json::Value;

use crate::error::CwError;
use crate::kind::{Kind, Module};
use crate::store::Tenant;

/// An API key pair issued to a member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiKey {
    #[serde(rename = "publicKey")]
    pub public: String,
    #[serde(rename = "privateKey")]
    pub private: String,
    #[serde(skip)]
    pub member_id: i64,
}

/// What a request wants to do, as security roles grade it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Inquire,
    Add,
    Edit,
    Delete,
}

/// The security roles the generated tenant uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Dispatcher,
    Technician,
    ApiReadOnly,
    ApiIntegration,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Dispatcher,
        Role::Technician,
        Role::ApiReadOnly,
        Role::ApiIntegration,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Dispatcher => "Dispatcher",
            Role::Technician => "Technician",
            Role::ApiReadOnly => "API Read Only",
            Role::ApiIntegration => "API Integration",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether the role grants `level` in `module`.
    ///
    /// * Admin: everything.
    /// * Invoicing: only admins and API Read Only keys (reporting) see invoices.
    /// * Dispatcher: a technician who may also delete service records and approve time.
    /// * Technician: reads everything; adds and edits day-to-day work (service, time,
    ///   schedule, sales activities, projects, contacts); deletes only schedule entries (a
    ///   booking taken back); no system changes.
    /// * API Read Only: inquire only.
    /// * API Integration: reads everything; adds and edits tickets, notes and time only.
    pub fn allows(self, module: Module, level: Level) -> bool {
        use Level::*;
        use Module::*;
        match self {
            Role::Admin => true,
            // Invoices are read by accounting (and reporting keys), not by the service desk.
            Role::Technician | Role::Dispatcher | Role::ApiIntegration if module == Invoicing => {
                false
            }
            _ if level == Inquire => true,
            Role::ApiReadOnly => false,
            Role::ApiIntegration => matches!(module, Service | Time) && level != Delete,
            Role::Technician | Role::Dispatcher => {
                let day_to_day = matches!(
                    module,
                    Service | Time | Schedule | Sales | Project | Company
                );
                match level {
                    Delete => module == Schedule || self == Role::Dispatcher && module == Service,
                    _ => day_to_day,
                }
            }
        }
    }

    /// Whether the role may log time or notes as another member.
    pub fn acts_for_others(self) -> bool {
        matches!(self, Role::Admin | Role::Dispatcher | Role::ApiIntegration)
    }
}

/// The authenticated API member behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member_id: i64,
    pub identifier: String,
    pub role: Role,
}

impl Caller {
    pub fn require(&self, kind: Kind, level: Level) -> Result<(), CwError> {
        self.require_module(kind.module(), level)
    }

    pub fn require_module(&self, module: Module, level: Level) -> Result<(), CwError> {
        if self.role.allows(module, level) {
            Ok(())
        } else {
            Err(CwError::security())
        }
    }
}

/// Constant-time equality, so key checks leak nothing through timing (`subtle` compares every
/// byte; only a difference in length answers early, and key lengths are no secret).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Checks the `clientId` header and Basic credentials.
///
/// A missing or unregistered `clientId` is answered with 401 (ConnectWise documents the header
/// as required for every call but not the response to its absence; this is our choice).
pub fn authenticate(t: &Tenant, headers: &HeaderMap) -> Result<Caller, CwError> {
    let client_id = headers
        .get("clientid")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    if client_id.is_empty() {
        return Err(CwError::unauthorized(
            "A clientId header is required. Register an integration at developer.connectwise.com.",
        ));
    }
    if !t
        .client_ids
        .iter()
        .any(|c| ct_eq(c.as_bytes(), client_id.as_bytes()))
    {
        return Err(CwError::unauthorized("The clientId provided is not valid."));
    }
    let bad = || {
        CwError::unauthorized(
            "Authentication failed: the company, public key or private key is not valid.",
        )
    };
    let raw = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .ok_or_else(bad)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (user, private) = text.split_once(':').ok_or_else(bad)?;
    let (company, public) = user.split_once('+').ok_or_else(bad)?;
    if !company.eq_ignore_ascii_case(&t.company_id) {
        return Err(bad());
    }
    let key = t
        .keys
        .iter()
        .find(|k| ct_eq(k.public.as_bytes(), public.as_bytes()))
        .filter(|k| ct_eq(k.private.as_bytes(), private.as_bytes()))
        .ok_or_else(bad)?;
    let member = t.store.get(Kind::Member, key.member_id).ok_or_else(bad)?;
    if *member.at("inactiveFlag") == Value::Bool(true) {
        return Err(CwError::unauthorized("Member is inactive."));
    }
    let role = member
        .at("securityRole")
        .at("name")
        .as_str()
        .and_then(Role::from_name)
        .unwrap_or(Role::ApiReadOnly);
    Ok(Caller {
        member_id: key.member_id,
        identifier: member
            .at("identifier")
            .as_str()
            .unwrap_or_default()
            .to_string(),
        role,
    })
}
