//! Who is calling: a principal (a label and a role) and, optionally, the ConnectWise keys they
//! brought. Every surface builds a [`Caller`] for each request and hands it to the call
//! pipeline, which decides what that caller may see and do.
//!
//! The local user (stdio, and HTTP in dev mode) and the holders of role tokens on shared HTTP
//! deployments are principals; per-technician keys and a narrowed toolset ride along.

use cw_client::Credentials;

/// What a principal may do. Ordered: each role has everything the one before it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read tools.
    Viewer,
    /// Read and write tools.
    Editor,
    /// Everything, including admin-only toolsets.
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// An authenticated principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A human label for the audit trail ("local", "alice").
    pub label: String,
    pub role: Role,
    /// The machine's own user (stdio, or HTTP in dev mode, loopback only): shared-deployment
    /// policies such as customer contact do not apply.
    pub local: bool,
}

impl Principal {
    /// The local user of a stdio server or a dev-mode HTTP server.
    pub fn local(role: Role) -> Principal {
        Principal {
            label: "local".into(),
            role,
            local: true,
        }
    }
}

/// One request's caller: the principal, and the ConnectWise keys to act with when they
/// brought their own (otherwise the server-wide keys are used).
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub creds: Option<Credentials>,
    /// Names of the toolsets the client asked to be limited to (`x-cw-toolsets`); can only
    /// narrow what the role and the deployment allow.
    pub toolsets: Option<Vec<&'static str>>,
}

impl Caller {
    pub fn local(role: Role) -> Caller {
        Caller::new(Principal::local(role), None)
    }

    pub fn new(principal: Principal, creds: Option<Credentials>) -> Caller {
        Caller {
            principal,
            creds,
            toolsets: None,
        }
    }
}
