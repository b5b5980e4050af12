//! Why a Home call did not do what was asked, worded to say what to change. Nothing in a
//! message is a secret: every text that came from the portal passes through redaction first.

/// A Home failure.
#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    /// A setting is missing or wrong (the message names it and the fix).
    #[error("{0}")]
    Config(String),
    /// The arguments ask for something not allowed or not possible (an origin off the
    /// allow-list, a selector that matches nothing).
    #[error("{0}")]
    Invalid(String),
    /// The portal login failed, or is refused while the circuit breaker is open.
    #[error("{0}")]
    Login(String),
    /// Not logged in (or the session expired): call cw_home_login.
    #[error("{0}")]
    NotLoggedIn(String),
    /// The browser could not be started or stopped answering.
    #[error("{0}")]
    Browser(String),
}

impl From<chromiumoxide::error::CdpError> for HomeError {
    fn from(e: chromiumoxide::error::CdpError) -> Self {
        HomeError::Browser(format!("the browser failed: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, HomeError>;
