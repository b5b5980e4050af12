//! System routes and the login front: `/system/info`, `/system/myAccount` (with and without
//! an id), a member by id or identifier, `GET /login/companyinfo/{company}` (no auth), and the
//! credentials line `connectwise-mcp sim` prints.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{json_response, Call};
use crate::auth::Level;
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::query::ListParams;
use crate::store::{member_name, Tenant};

/// The member fields `/system/myAccount` answers with.
const MY_ACCOUNT_FIELDS: [&str; 17] = [
    "id",
    "identifier",
    "firstName",
    "lastName",
    "title",
    "licenseClass",
    "inactiveFlag",
    "officeEmail",
    "primaryEmail",
    "defaultEmail",
    "defaultPhone",
    "officePhone",
    "hireDate",
    "_info",
    "invoiceScreenDefaultTabFormat",
    "invoicingDisplayOptions",
    "agreementInvoicingDisplayOptions",
];

pub(super) fn info(call: &Call) -> Result<Response, CwError> {
    let t = call.read();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "version": "v2025.1.10431",
            "isCloud": !t.codebase.starts_with("v4_6"),
            "serverTimeZone": "Pacific Standard Time",
            "licenseBits": [],
            "cloudRegion": "NA",
            "maxWorkFlowRecordsAllowed": 1000,
        }),
    ))
}

/// `/system/myAccount` (the caller; 404 where the tenant is set up like an on-prem version
/// without it) or `/system/myAccount/{id}`.
pub(super) fn my_account(call: &Call, id: Option<i64>) -> Result<Response, CwError> {
    let t = call.read();
    if id.is_none() && !t.my_account_enabled {
        return Err(CwError::not_found("The requested resource was not found."));
    }
    let mid = id.unwrap_or(call.caller.member_id);
    let m = t
        .store
        .get(Kind::Member, mid)
        .ok_or_else(|| CwError::not_found(format!("Member {mid} not found")))?;
    let acct: Map<String, Value> = MY_ACCOUNT_FIELDS
        .iter()
        .filter_map(|k| m.get(*k).map(|v| ((*k).to_string(), v.clone())))
        .chain([
            // The contract's member settings for screens the simulator has no data for.
            ("companyActivityTabFormat".to_string(), json!("SummaryList")),
            ("invoiceTimeTabFormat".to_string(), json!("SummaryList")),
        ])
        .collect();
    let params = ListParams::parse("MyAccount", call.req.query, false, None)?;
    Ok(json_response(
        StatusCode::OK,
        &params.project(&Value::Object(acct)),
    ))
}

/// `/system/members/{id}`, where `{id}` may also be a member identifier.
pub(super) fn member(call: &Call) -> Result<Response, CwError> {
    call.caller.require(Kind::Member, Level::Inquire)?;
    let t = call.read();
    let key = call.id.clone().unwrap_or_default();
    let m = match key.parse::<i64>() {
        Ok(n) => t.store.get(Kind::Member, n),
        Err(_) => t.store.table(Kind::Member).values().find(|m| {
            m.at("identifier")
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(&key))
        }),
    }
    .ok_or_else(|| CwError::not_found(format!("Member {key} not found")))?;
    let params = ListParams::parse("Member", call.req.query, false, None)?;
    Ok(json_response(StatusCode::OK, &params.project(m)))
}

/// `GET /login/companyinfo/{company}`: no auth; unknown companies get a 200 with `null`.
pub fn company_info(t: &Tenant, company: &str, host: &str) -> Response {
    if !company.eq_ignore_ascii_case(&t.company_id) {
        return json_response(StatusCode::OK, &Value::Null);
    }
    json_response(
        StatusCode::OK,
        &json!({
            "CompanyName": t.company_name,
            "Codebase": t.codebase,
            "VersionCode": "v2025.1",
            "VersionNumber": "v4.6.10431",
            "CompanyID": t.company_id,
            "IsCloud": !t.codebase.starts_with("v4_6"),
            "SiteUrl": host,
        }),
    )
}

/// The credentials line `connectwise-mcp sim` prints first.
pub fn credentials(t: &Tenant, site: &str) -> Value {
    let members: Vec<Value> = t
        .keys
        .iter()
        .filter_map(|k| {
            let m = t.store.get(Kind::Member, k.member_id)?;
            Some(json!({
                "identifier": m.at("identifier"),
                "name": member_name(m),
                "role": m.at("securityRole").at("name"),
                "licenseClass": m.at("licenseClass"),
                "publicKey": k.public,
                "privateKey": k.private,
            }))
        })
        .collect();
    json!({
        "site": site,
        "companyId": t.company_id,
        "clientId": t.client_ids.first(),
        "codebase": t.codebase,
        "apiBase": format!("{site}/{}apis/3.0", t.codebase),
        "members": members,
    })
}
