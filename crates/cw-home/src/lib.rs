//! ConnectWise Home, the partner portal where MSPs manage their ConnectWise subscriptions,
//! users and support cases. It has no public API, so this crate drives it as a person would,
//! through a real headless Chromium (CDP, via `chromiumoxide`): the portal login with its TOTP
//! step, browser primitives for exploring it, and fetches made by the page itself with its
//! cookies or its OIDC token.
//!
//! Safety rules hold for every operation: the browser only goes to allow-listed origins
//! ([`origin`]), nothing a tool returns carries a credential ([`redact`]), the saved session is
//! readable by its owner only ([`state`]), and a failing login stops after three tries.

pub mod browser;
pub mod cases;
pub mod catalogue;
pub mod config;
pub mod error;
mod home;
pub mod login;
pub mod operations;
pub mod origin;
pub mod redact;
pub mod state;

pub use config::HomeConfig;
pub use error::HomeError;
pub use home::Home;
