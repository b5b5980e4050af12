//! A faithful in-memory simulation of the ConnectWise PSA REST API 3.0.
//!
//! No real ConnectWise tenant is reachable from where this project is built and tested, so the
//! simulator is the upstream of every test and the embedded tenant of the demo. It is built
//! from ConnectWise's published contract (the [`cw_schema`] crate, and the route table in
//! [`routes`], both checked against the shared contract data by `tests/contract.rs`) and the
//! behaviour client authors recorded from real tenants:
//!
//! * `GET /login/companyinfo/{company}` without auth; everything else under
//!   `/{codebase}apis/3.0/` for `v4_6_release/` and cloud codebases such as `v2025_1/`.
//! * Basic `company+public:private` plus `clientId`; per-member security roles (403 `Security`).
//! * The conditions language ([`cw_conditions`]) with schema-checked field names, child and
//!   custom-field conditions, `orderBy`, `fields`, navigable and forward-only paging with
//!   `Link` headers, `/count`, `POST …/search`, JSON Patch, whole-second UTC dates.
//! * The rules real tenants enforce on writes ([`rules`]): note display flags, statuses that
//!   belong to the ticket's board, closed and submitted time periods, unknown members.
//! * A generated tenant of a fictional MSP ([`generate`]), deterministic from a seed.
//! * Every other operation of the 2025.1 contract ([`contract`]): collections the simulator
//!   does not keep by hand are synthesised from the contract's schemas, so any client can be
//!   pointed at it.
//! * Test hooks ([`hooks`]): a request log and injected faults.
//!
//! Choices where the contract is silent are documented where they are made: [`auth`] (missing
//! `clientId` → 401), [`query`] (paging limits, repeated parameters, `fields`), [`rules`]
//! (error texts marked unverified in the reference), [`handlers`] (nested PATCH paths are
//! accepted and ignored, as ConnectWise does).

pub mod auth;
pub mod contract;
pub mod error;
pub mod generate;
pub mod handlers;
pub mod hooks;
pub mod index;
pub mod json;
pub mod kind;
pub mod query;
pub mod routes;
pub mod rules;
pub mod server;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::Value;

pub use generate::{generate, TenantSpec};
pub use hooks::{Fault, FaultAction, LoggedRequest};
pub use store::Tenant;

/// A simulated tenant and its hooks. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<handlers::Inner>,
}

/// A running simulator; the server stops when this is dropped.
pub struct RunningSim {
    pub sim: Sim,
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`, the value for `CW_SITE`.
    pub fn site(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API base, `http://127.0.0.1:PORT/{codebase}apis/3.0`.
    pub fn api_base(&self) -> String {
        format!("{}/{}apis/3.0", self.site(), self.sim.tenant().codebase)
    }

    /// The credentials line (site, company, clientId, members with keys and roles).
    pub fn credentials(&self) -> Value {
        handlers::credentials(&self.sim.tenant(), &self.site())
    }
}

impl Sim {
    pub fn new(tenant: Tenant) -> Sim {
        Sim {
            inner: Arc::new(handlers::Inner {
                tenant: RwLock::new(tenant),
                hooks: hooks::Hooks::default(),
            }),
        }
    }

    /// Generates a tenant and wraps it.
    pub fn generate(spec: &TenantSpec) -> Sim {
        Sim::new(generate(spec))
    }

    /// Serves on `addr` (port 0 picks a free port) in the background.
    pub async fn start(&self, addr: SocketAddr) -> std::io::Result<RunningSim> {
        let (addr, task) = server::spawn(self.inner.clone(), addr).await?;
        Ok(RunningSim {
            sim: self.clone(),
            addr,
            task,
        })
    }

    pub fn tenant(&self) -> RwLockReadGuard<'_, Tenant> {
        self.inner.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn tenant_mut(&self) -> RwLockWriteGuard<'_, Tenant> {
        self.inner.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn hooks(&self) -> &hooks::Hooks {
        &self.inner.hooks
    }
}
