//! JSON Patch as ConnectWise takes it: top-level paths without a leading slash, and objects
//! replaced whole (a sub-path such as `company/identifier` is silently ignored by ConnectWise,
//! so the builder cannot produce one).

use serde::Serialize;
use serde_json::Value;

use crate::models::Ref;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOp {
    pub op: &'static str,
    pub path: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl PatchOp {
    /// Replaces a top-level field with a value.
    pub fn replace(path: &'static str, value: impl Serialize) -> PatchOp {
        PatchOp {
            op: "replace",
            path,
            value: Some(serde_json::to_value(value).unwrap_or(Value::Null)),
        }
    }

    /// Replaces a reference field with a whole reference object.
    pub fn reference(path: &'static str, r: &Ref) -> PatchOp {
        Self::replace(path, r)
    }

    /// Clears a field.
    pub fn remove(path: &'static str) -> PatchOp {
        PatchOp {
            op: "remove",
            path,
            value: None,
        }
    }
}
