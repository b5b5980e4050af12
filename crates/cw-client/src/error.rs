//! Errors as a caller can act on them: ConnectWise's own `code`, `message` and `errors[]` are
//! kept, and every status comes with a hint saying what to do about it. No error ever carries
//! a key: keys travel only in the Authorization header.

use std::fmt;

/// One entry of ConnectWise's `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct FieldError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
}

/// An error answer from ConnectWise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// Reads ConnectWise's error body (`{code, message, errors}`, or the 429 shape `{error,
    /// message}`), falling back to a bounded excerpt of whatever came back.
    pub fn from_body(status: u16, body: &str, retry_after: Option<u64>) -> ApiError {
        #[derive(serde::Deserialize)]
        struct Body {
            code: Option<String>,
            error: Option<String>,
            message: Option<String>,
            errors: Option<Vec<FieldError>>,
        }
        match serde_json::from_str::<Body>(body) {
            Ok(b) if b.message.is_some() || b.code.is_some() || b.error.is_some() => ApiError {
                status,
                code: b.code.or(b.error).unwrap_or_default(),
                message: b.message.unwrap_or_default(),
                errors: b.errors.unwrap_or_default(),
                retry_after,
            },
            _ => ApiError {
                status,
                code: String::new(),
                message: body
                    .chars()
                    .take(300)
                    .collect::<String>()
                    .trim()
                    .to_string(),
                errors: Vec::new(),
                retry_after,
            },
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self.status {
            400 if self.code == "ApiFindCondition" => "a filter named a field ConnectWise does not know or used it the wrong way; check the field names".into(),
            400 => "ConnectWise rejected the request as invalid; fix the field it names and try again".into(),
            401 => "ConnectWise did not accept the credentials: check the company id, the API member's public and private keys, and the clientId".into(),
            403 => "the API member's security role in ConnectWise does not allow this; ask a ConnectWise admin to grant it, or use keys of a member who has it".into(),
            404 => "not found: check the id. On ConnectWise cloud a wrong codebase or credentials can also show up as 404".into(),
            405 => "ConnectWise does not support this operation on this record".into(),
            409 => "the record is in use or was changed by someone else; reload it and try again".into(),
            429 => match self.retry_after {
                Some(s) => format!("ConnectWise is rate limiting; try again in {s} seconds"),
                None => "ConnectWise is rate limiting; try again shortly".into(),
            },
            s if s >= 500 => "ConnectWise had an internal error; try again in a moment".into(),
            _ => "unexpected answer from ConnectWise".into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectWise answered {}", self.status)?;
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        for e in &self.errors {
            match (&e.field, &e.message) {
                (Some(fl), Some(m)) if !fl.is_empty() => write!(f, " [{fl}: {m}]")?,
                (_, Some(m)) => write!(f, " [{m}]")?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// Anything that can go wrong calling ConnectWise. Cheap to clone, so one failure can answer
/// every caller waiting on the same request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Api(ApiError),
    /// The request may or may not have reached ConnectWise (`maybe_sent`): a write that fails
    /// this way must be reconciled by reading back, never blindly re-sent. `timed_out` says
    /// ConnectWise did not answer in time (as opposed to a refused or broken connection).
    #[error("could not reach ConnectWise: {message}")]
    Transport {
        message: String,
        maybe_sent: bool,
        timed_out: bool,
    },
    #[error("ConnectWise sent an answer that could not be read: {0}")]
    Decode(String),
    /// The site failed repeatedly and the circuit is open: nothing was sent.
    #[error("ConnectWise is unreachable (last error: {last}); nothing was sent")]
    Unavailable { last: String, retry_in: u64 },
    #[error("{0}")]
    Invalid(String),
    /// A write a dry-run client ([`crate::CwClient::dry_run`]) held back: nothing was sent.
    #[error("dry run: {} {} was not sent", .0.method, .0.path)]
    Held(Box<HeldWrite>),
}

/// The write a dry run would have sent, exactly as it would have gone.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HeldWrite {
    pub method: &'static str,
    /// The path under the API base, ids filled in.
    pub path: String,
    pub body: Option<serde_json::Value>,
}

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(a) => Some(a.status),
            _ => None,
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            Error::Api(a) => a.hint(),
            Error::Transport { maybe_sent: false, .. } => "check CW_SITE and the network path to ConnectWise".into(),
            Error::Transport { timed_out: true, .. } => "ConnectWise did not answer in time; try again in a moment".into(),
            Error::Transport { .. } => "the connection to ConnectWise broke before its answer arrived; try again in a moment".into(),
            Error::Unavailable { retry_in, .. } => format!("requests are paused after repeated failures; the next attempt goes out in about {retry_in} s"),
            Error::Decode(_) => "ConnectWise's answer did not have the expected shape; the API version may differ (CW_API_VERSION)".into(),
            Error::Invalid(_) => "fix the request as described".into(),
            Error::Held(_) => "nothing to do: this was a dry run".into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_connectwise_error_shapes() {
        let e = ApiError::from_body(
            400,
            r#"{"code":"InvalidObject","message":"serviceNote object is invalid","errors":[{"code":"InvalidObject","message":"Please choose where to display the notes in order to save this record.","resource":"serviceNote","field":"detailDescriptionFlag"}]}"#,
            None,
        );
        assert_eq!(e.code, "InvalidObject");
        assert_eq!(e.to_string(), "ConnectWise answered 400 InvalidObject: serviceNote object is invalid [detailDescriptionFlag: Please choose where to display the notes in order to save this record.]");
        let t = ApiError::from_body(
            429,
            r#"{"error":"ConnectWiseAPI","message":"Too many requests. Please try again in 30 seconds."}"#,
            Some(30),
        );
        assert_eq!(t.code, "ConnectWiseAPI");
        assert!(t.hint().contains("30 seconds"));
        let escaped = ApiError::from_body(
            400,
            r#"{"code":"ApiFindCondition","message":"board\/name is not a recognized name.","errors":null}"#,
            None,
        );
        assert_eq!(escaped.message, "board/name is not a recognized name.");
        let html = ApiError::from_body(502, "<html>Bad gateway</html>", None);
        assert_eq!(html.message, "<html>Bad gateway</html>");
    }
}
