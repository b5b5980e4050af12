//! One record by id (`GET …/{id}`), projected to the `fields` asked for.

use axum::http::StatusCode;
use axum::response::Response;

use super::{json_response, record, Call};
use crate::auth::Level;
use crate::error::CwError;
use crate::kind::Kind;
use crate::query::ListParams;

pub(super) fn get(call: &Call, kind: Kind) -> Result<Response, CwError> {
    call.caller.require(kind, Level::Inquire)?;
    let t = call.read();
    let (_, rec) = record(&t, kind, call)?;
    let params = ListParams::parse(kind.schema(), call.req.query, false, None)?;
    Ok(json_response(StatusCode::OK, &params.project(rec)))
}
