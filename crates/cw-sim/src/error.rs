//! ConnectWise error bodies (`ErrorResponseMessage`) and the statuses they travel with.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// One entry of `errors[]` (`ValidationError`).
#[derive(Debug, Clone)]
pub struct FieldError {
    pub code: &'static str,
    pub message: String,
    pub resource: String,
    pub field: String,
}

/// An error as ConnectWise reports it.
#[derive(Debug, Clone)]
pub struct CwError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub errors: Vec<FieldError>,
    /// Extra response headers (e.g. `Retry-After` on 429).
    pub retry_after: Option<u64>,
}

impl CwError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        CwError {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }

    pub fn security() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "Security",
            "You do not have security permission to perform this action.",
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    pub fn find_condition(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ApiFindCondition", message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// `400 InvalidObject "<resource> object is invalid"` with one field error.
    pub fn invalid(
        resource: &str,
        field: &str,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            format!("{resource} object is invalid"),
        );
        e.errors.push(FieldError {
            code,
            message: message.into(),
            resource: resource.to_string(),
            field: field.to_string(),
        });
        e
    }

    /// `400 UnsupportedFormat` for a date with fractions or an offset.
    pub fn unsupported_format(field: &str) -> Self {
        Self::bad_request(
            "UnsupportedFormat",
            format!("Unsupported format applied to {field}"),
        )
    }

    pub fn body(&self) -> Value {
        let errors = if self.errors.is_empty() {
            Value::Null
        } else {
            Value::Array(
                self.errors
                    .iter()
                    .map(|e| {
                        json!({"code": e.code, "message": e.message, "resource": e.resource, "field": e.field})
                    })
                    .collect(),
            )
        };
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // The documented 429 body names its first key `error`, not `code`.
            return json!({"error": self.code, "message": self.message});
        }
        json!({"code": self.code, "message": self.message, "errors": errors})
    }
}

impl IntoResponse for CwError {
    fn into_response(self) -> Response {
        // ConnectWise's serializer escapes `/` as `\/` (seen in real ApiFindCondition bodies).
        let text = self.body().to_string().replace('/', "\\/");
        let mut resp = (self.status, text).into_response();
        let h = resp.headers_mut();
        h.insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Some(secs) = self.retry_after {
            h.insert("retry-after", HeaderValue::from(secs));
        }
        resp
    }
}
