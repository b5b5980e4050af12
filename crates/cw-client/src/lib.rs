//! An async client for the ConnectWise PSA (Manage) REST API 3.0.
//!
//! * [`config`]: the environment names the seed servers use, site normalisation (cloud login
//!   hosts map to their `api-` hosts; plain http only for a local simulator), credentials
//!   whose [`config::Secret`]s never print.
//! * [`http`]: one shared [`Upstream`] per site (connection pool, codebase discovered through
//!   `/login/companyinfo` and re-discovered once on a 404), and a cheap [`CwClient`] per set of
//!   keys. GETs are retried with capped, jittered backoff honouring `Retry-After`; writes are
//!   sent once.
//! * [`endpoints`]: every operation as data, checked against ConnectWise's contract.
//! * [`error`]: ConnectWise's `code`, `message` and `errors[]` kept, with a hint per status.
//! * [`query`], [`api`], [`patch`], [`time`], [`models`]: paging with exact `has_more`,
//!   `fields=`, JSON Patch, whole-second UTC timestamps, and typed records.

pub mod api;
pub mod config;
pub mod endpoints;
pub mod error;
pub mod http;
pub mod models;
pub mod patch;
pub mod query;
pub mod time;

pub use config::{Config, ConfigError, Credentials, Secret, Site};
pub use error::{ApiError, Error, Result};
pub use http::{CompanyInfo, CwClient, Upstream};
pub use patch::PatchOp;
pub use query::{ListQuery, Page};
