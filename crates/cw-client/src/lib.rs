//! An async client for the ConnectWise PSA (Manage) REST API 3.0.
//!
//! * [`config`]: site normalisation (cloud login hosts map to their `api-` hosts; plain http
//!   only for a local simulator), the API version or pinned codebase, and credentials whose
//!   keys never print. The crate reads no environment; the product's configuration does.
//! * [`http`]: one shared [`Upstream`] per site (connection pool, codebase discovered through
//!   `/login/companyinfo` and re-discovered once on a 404), and a cheap [`CwClient`] per set of
//!   keys. GETs are retried (connect errors, 429, 502-504) with capped, jittered backoff
//!   honouring `Retry-After`; writes are sent once. A [`CwClient::cached`] client (for read
//!   tools) shares identical GETs in flight and reuses their answers for a moment; every write
//!   clears them. [`stats`] counts what one call cost.
//! * [`circuit`]: a breaker per site, so calls fail at once while the site is down and one
//!   probe at a time finds out when it is back.
//! * [`endpoints`]: every operation as data, checked against ConnectWise's contract.
//! * [`error`]: ConnectWise's `code`, `message` and `errors[]` kept, with a hint per status.
//! * [`query`], [`api`], [`patch`], [`time`], [`models`]: paging with exact `has_more`,
//!   `fields=`, JSON Patch, whole-second UTC timestamps, and typed records.

pub mod api;
pub mod circuit;
pub mod config;
pub mod endpoints;
pub mod error;
pub mod http;
pub mod in_flight;
pub mod models;
pub mod patch;
pub mod query;
pub mod stats;
pub mod time;

pub use circuit::CircuitPolicy;
pub use config::{Config, ConfigError, Credentials, Site};
pub use error::{ApiError, Error, HeldWrite, Result};
pub use http::{CompanyInfo, CwClient, Upstream};
pub use in_flight::{SharedSlot, SharedSlots};
pub use patch::PatchOp;
pub use query::{ListQuery, Page};
pub use secrecy::{ExposeSecret, SecretString};
pub use stats::CallStats;
