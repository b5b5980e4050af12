//! The contract's other operations ([`crate::contract`]): lists, counts, records, `info`,
//! `usages` and `default` views, writes, actions and files of every collection the simulator
//! does not keep by hand, and the same views over the ones it does.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cw_schema::Shape;
use serde_json::{json, Value};

use super::list::page;
use super::writes::{self, apply_patch, Update};
use super::{belongs, check_parent, json_response, parse_id, Call};
use crate::auth::Level;
use crate::contract::records::{Parent, Synth};
use crate::contract::{self, kind_of, module_of, parent_of, table_key, Linked, Op, View};
use crate::error::CwError;
use crate::json::Json;
use crate::kind::Kind;
use crate::query::ListParams;
use crate::rules::{self, body};
use crate::store::Tenant;

/// A collection as one request sees it.
struct Coll<'p> {
    pattern: &'static str,
    /// The hand-made kind behind it, if any.
    kind: Option<Kind>,
    key: String,
    parent: Option<Parent<'p>>,
    /// The schema of its records (the op may answer with another: `info`, `Usage`).
    item_schema: String,
}

/// `companySite` for `CompanySite`: the resource name in validation errors.
fn resource(schema_name: &str) -> String {
    let mut c = schema_name.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The schema a collection's list answers with.
fn item_schema(pattern: &str, op_schema: &str) -> String {
    contract::item_schema(pattern)
        .unwrap_or(op_schema)
        .to_string()
}

fn param(call: &Call, name: &str) -> Result<i64, CwError> {
    let v = call
        .params
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    parse_id(v)
}

/// Whether record `id` exists in collection `pattern` under the path's parents.
fn exists(t: &Tenant, call: &Call, pattern: &str, id: i64) -> Result<bool, CwError> {
    if let Some(k) = kind_of(pattern) {
        return Ok(t.store.get(k, id).is_some());
    }
    let parent = parent_ref(t, call, pattern)?;
    let key = table_key(pattern, &call.params);
    Ok(match t.contract.get(&key) {
        Some(table) => table.contains_key(&id),
        None => Synth { t }.has(pattern, &key, parent, id),
    })
}

/// The parent a child collection hangs under, checked to exist.
fn parent_ref<'p>(
    t: &Tenant,
    call: &Call,
    pattern: &'p str,
) -> Result<Option<Parent<'p>>, CwError> {
    let Some((parent_pattern, name)) = parent_of(pattern) else {
        return Ok(None);
    };
    let id = param(call, name)?;
    if contract::is_collection(parent_pattern) && !exists(t, call, parent_pattern, id)? {
        let label = kind_of(parent_pattern).map_or("Record", |k| k.label());
        return Err(CwError::not_found(format!("{label} {id} not found")));
    }
    Ok(Some(Parent {
        collection: parent_pattern,
        id,
    }))
}

fn coll<'p>(
    t: &Tenant,
    call: &Call,
    pattern: &'static str,
    op_schema: &str,
) -> Result<Coll<'p>, CwError> {
    let kind = kind_of(pattern);
    // A record route whose schema is neither the list's nor a projection of it
    // (`/sales/opportunities/{id}/forecast/{id}` answers a ForecastItem) is its own shape.
    let listed = item_schema(pattern, op_schema);
    let projection =
        op_schema.ends_with("Info") || op_schema.ends_with("Reference") || op_schema == "Usage";
    let item = if kind.is_none() && !projection && !op_schema.is_empty() && op_schema != "Count" {
        op_schema.to_string()
    } else {
        listed
    };
    let parent = match kind {
        Some(k) => {
            check_parent(t, k, &call.parent)?;
            None
        }
        None => parent_ref(t, call, pattern)?,
    };
    Ok(Coll {
        pattern,
        kind,
        key: table_key(pattern, &call.params),
        parent,
        item_schema: item,
    })
}

/// Every record of the collection, in id order.
fn records<'t>(t: &'t Tenant, c: &Coll) -> Result<Vec<Cow<'t, Value>>, CwError> {
    if let Some(k) = c.kind {
        let parent = hand_made_parent(k, c);
        return Ok(t
            .store
            .table(k)
            .values()
            .filter(|r| belongs(k, r, parent))
            .map(Cow::Borrowed)
            .collect());
    }
    Ok(match t.contract.get(&c.key) {
        Some(table) => table.values().map(Cow::Borrowed).collect(),
        None => synthesised(t, c).into_values().map(Cow::Owned).collect(),
    })
}

/// The parent of a hand-made child collection (`/service/boards/5/statuses` → 5), already
/// checked to exist by [`coll`].
fn hand_made_parent(k: Kind, c: &Coll) -> Option<i64> {
    k.parent_field()?;
    c.key.rsplit('/').nth(1)?.parse::<i64>().ok()
}

fn synthesised(t: &Tenant, c: &Coll) -> BTreeMap<i64, Value> {
    let s = Synth { t };
    s.ids(c.pattern, &c.key, c.parent)
        .into_iter()
        .map(|id| {
            (
                id,
                s.record(c.pattern, &c.key, &c.item_schema, id, c.parent),
            )
        })
        .collect()
}

/// A record shaped as `schema_name` (an `info` view drops what the info schema lacks).
fn shaped<'v>(rec: Cow<'v, Value>, item: &str, schema_name: &str) -> Cow<'v, Value> {
    if schema_name == item || schema_name.is_empty() {
        return rec;
    }
    let mut v = rec.into_owned();
    cw_schema::conform(schema_name, &mut v);
    Cow::Owned(v)
}

fn level(op: &Op) -> Level {
    match (op.endpoint.method.as_str(), op.endpoint.shape) {
        ("GET", _) | (_, Shape::Search) | (_, Shape::Count) => Level::Inquire,
        ("POST", Shape::Create) => Level::Add,
        ("DELETE", _) => Level::Delete,
        _ => Level::Edit,
    }
}

/// Answers contract operation `index`.
pub(super) fn run(call: &Call, index: usize) -> Result<Response, CwError> {
    let op = contract::op(index)
        .ok_or_else(|| CwError::not_found(format!("No resource matches {}", call.req.path)))?;
    call.caller
        .require_module(module_of(&op.endpoint.path), level(op))?;
    let schema_name = op.endpoint.schema.clone().unwrap_or_default();
    let Some(pattern) = op.collection else {
        return singleton(call, op, &schema_name);
    };
    let shape = op.endpoint.shape;
    // Writes to hand-made kinds keep their rules.
    if let Some(k) = kind_of(pattern) {
        match shape {
            Shape::Create => return writes::create(call, k),
            Shape::Put => return writes::update(call, k, Update::Put),
            Shape::Patch => return writes::update(call, k, Update::Patch),
            Shape::Delete => return writes::delete(call, k),
            _ => {}
        }
    }
    match shape {
        Shape::Create => create(call, pattern, &schema_name),
        Shape::Put | Shape::Patch => update(call, pattern, &schema_name, shape == Shape::Put),
        Shape::Delete => delete(call, pattern, &schema_name),
        _ => read(call, op, pattern, &schema_name),
    }
}

fn read(
    call: &Call,
    op: &Op,
    pattern: &'static str,
    schema_name: &str,
) -> Result<Response, CwError> {
    let t = call.read();
    let c = coll(&t, call, pattern, schema_name)?;
    let shape = op.endpoint.shape;
    let subject = if op.by_id {
        let id = subject_id(call, op)?;
        if !exists(&t, call, pattern, id)? {
            let label = c
                .kind
                .map_or("Record".to_string(), |k| k.label().to_string());
            return Err(CwError::not_found(format!("{label} {id} not found")));
        }
        Some(id)
    } else {
        None
    };
    match (op.view, shape) {
        (_, Shape::Binary) => Ok(file(&op.endpoint.path)),
        (_, Shape::Action) => Ok(json_response(
            StatusCode::OK,
            &action_answer(&t, pattern, schema_name, subject.unwrap_or(1)),
        )),
        (View::Usages, _) => {
            let id = subject.unwrap_or(0);
            let usages = usages(&t, &c.key, id);
            let params = ListParams::parse("Usage", call.req.query, call.forward_only(), None)?;
            respond_list(
                call,
                shape,
                usages.into_iter().map(Cow::Owned).collect(),
                &params,
            )
        }
        (View::Default, _) => {
            let mut v = Synth { t: &t }.record(
                pattern,
                &format!("{}#default", c.key),
                &c.item_schema,
                0,
                c.parent,
            );
            cw_schema::conform(schema_name, &mut v);
            Ok(json_response(StatusCode::OK, &v))
        }
        (View::Records, _) => {
            let search = (shape == Shape::Search).then(|| call.body()).transpose()?;
            let params = ListParams::parse(
                schema_name,
                call.req.query,
                call.forward_only(),
                search.as_ref(),
            )?;
            let recs = records(&t, &c)?;
            if let Some(id) = subject {
                // Records whose schema has no numeric id (reports) are named by position.
                let numbered = recs.iter().any(|r| r.at("id").is_i64());
                let rec = recs
                    .into_iter()
                    .find(|r| !numbered || r.at("id").as_i64() == Some(id))
                    .ok_or_else(|| CwError::not_found(format!("Record {id} not found")))?;
                let rec = shaped(rec, &c.item_schema, schema_name);
                // A few operations document a list or a count for one record.
                return Ok(match shape {
                    Shape::List => json_response(StatusCode::OK, &json!([params.project(&rec)])),
                    Shape::Count => json_response(StatusCode::OK, &json!({"count": 1})),
                    _ => json_response(StatusCode::OK, &params.project(&rec)),
                });
            }
            let shaped: Vec<Cow<Value>> = recs
                .into_iter()
                .map(|r| shaped(r, &c.item_schema, schema_name))
                .collect();
            respond_list(call, shape, shaped, &params)
        }
    }
}

/// The id a write's path ends with, whatever its placeholder is called.
fn record_id(call: &Call) -> Result<i64, CwError> {
    match call.params.last() {
        Some((_, v)) => parse_id(v),
        None => call.id(),
    }
}

/// The id of the record an op's path names. A placeholder that is not an id by name
/// (`{reportName}`) names the collection's first record whatever it says.
fn subject_id(call: &Call, op: &Op) -> Result<i64, CwError> {
    match op.id_param {
        Some(name) if name == "id" || name.ends_with("Id") => param(call, name),
        Some(name) => Ok(param(call, name).unwrap_or(1)),
        None => call.id(),
    }
}

fn respond_list(
    call: &Call,
    shape: Shape,
    recs: Vec<Cow<Value>>,
    params: &ListParams,
) -> Result<Response, CwError> {
    let matching: Vec<&Value> = recs
        .iter()
        .map(|r| r.as_ref())
        .filter(|r| params.accepts(r))
        .collect();
    if shape == Shape::Count {
        return Ok(json_response(
            StatusCode::OK,
            &json!({"count": matching.len()}),
        ));
    }
    Ok(page(matching, params, call.req))
}

/// Where a record is used: a few believable usage rows, stable per record.
fn usages(t: &Tenant, key: &str, id: i64) -> Vec<Value> {
    let n = (t
        .seed
        .wrapping_add(id as u64)
        .wrapping_add(key.len() as u64))
        % 3;
    (0..n)
        .map(|i| {
            let (ty, what) = match i {
                0 => ("Ticket", "Service tickets"),
                1 => ("Agreement", "Agreements"),
                _ => ("Company", "Companies"),
            };
            json!({"type": ty, "typeKey": ty.to_ascii_lowercase(), "count": 1 + (id + i as i64) % 7,
                   "description": format!("{what} that use this record"), "hyperlink": ""})
        })
        .collect()
}

/// An action's answer: a success message, or a record of the action's schema.
fn action_answer(t: &Tenant, pattern: &str, schema_name: &str, id: i64) -> Value {
    if schema_name == "SuccessResponse" || schema_name.is_empty() {
        return json!({"success": true, "message": "Completed."});
    }
    Synth { t }.record(pattern, &format!("{pattern}#action"), schema_name, id, None)
}

/// A document-free operation such as `/service/knowledgebasesettings`: one record.
fn singleton(call: &Call, op: &Op, schema_name: &str) -> Result<Response, CwError> {
    let t = call.read();
    let path = op.endpoint.path.as_str();
    if op.endpoint.shape == Shape::Binary {
        return Ok(file(path));
    }
    if let Some((_, name)) = parent_of(path) {
        // Placeholders in an action's path must at least be well-formed ids.
        if name.ends_with("Id") || name == "id" {
            param(call, name)?;
        }
    }
    if op.endpoint.method == "DELETE" {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(json_response(
        StatusCode::OK,
        &action_answer(&t, path, schema_name, 1),
    ))
}

/// A tiny file of the type the path names.
fn file(path: &str) -> Response {
    // A 1×1 transparent PNG, and the smallest PDF readers accept.
    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    let (bytes, ctype): (&[u8], &str) = if path.ends_with("/pdf") {
        (PDF, "application/pdf")
    } else if path.ends_with("/image") || path.ends_with("/thumbnail") {
        (PNG, "image/png")
    } else {
        (b"simulated file\n", "application/octet-stream")
    };
    let mut r = (StatusCode::OK, bytes.to_vec()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static(ctype));
    r
}

/// The table at the path's key, copied out of synthesis on the first write.
fn table<'t>(t: &'t mut Tenant, c: &Coll) -> &'t mut BTreeMap<i64, Value> {
    // Synthesised only the first time: the seed needs the tenant while the table is borrowed.
    let seed = t.contract.get(&c.key).is_none().then(|| synthesised(t, c));
    t.contract.materialise(&c.key, || seed.unwrap_or_default())
}

fn create(call: &Call, pattern: &'static str, op_schema: &str) -> Result<Response, CwError> {
    let b = call.body()?;
    let ctx = call.rules_ctx();
    let mut t = call.write();
    let c = coll(&t, call, pattern, op_schema)?;
    let res = resource(&c.item_schema);
    let mut rec = body::sanitize_as(&c.item_schema, &res, &b)?;
    if let Some(p) = c.parent {
        // The child's fields naming its parent hold the parent, whatever the body says.
        rec.extend(Synth { t: &t }.parent_links(&c.item_schema, p));
    }
    body::require_fields_of(&c.item_schema, &res, &rec)?;
    rules::stamp(&ctx, &rules::Write::Create { parent: None }, &mut rec);
    rec.retain(|_, v| !v.is_null());
    let id = t.contract.next_id(pattern);
    rec.insert("id".into(), json!(id));
    let stored = Value::Object(rec);
    table(&mut t, &c).insert(id, stored.clone());
    Ok(json_response(StatusCode::CREATED, &stored))
}

fn update(
    call: &Call,
    pattern: &'static str,
    op_schema: &str,
    put: bool,
) -> Result<Response, CwError> {
    let b = call.body()?;
    let ctx = call.rules_ctx();
    let mut t = call.write();
    let c = coll(&t, call, pattern, op_schema)?;
    let id = record_id(call)?;
    let res = resource(&c.item_schema);
    let before = table(&mut t, &c)
        .get(&id)
        .cloned()
        .ok_or_else(|| CwError::not_found(format!("Record {id} not found")))?;
    let candidate = if put {
        b
    } else {
        apply_patch(&c.item_schema, &res, &before, &b)?
    };
    let mut rec = body::sanitize_as(&c.item_schema, &res, &candidate)?;
    body::require_fields_of(&c.item_schema, &res, &rec)?;
    rules::stamp(
        &ctx,
        &rules::Write::Update {
            id,
            before: &before,
        },
        &mut rec,
    );
    rec.insert("id".into(), json!(id));
    rec.retain(|_, v| !v.is_null());
    let stored = Value::Object(rec);
    table(&mut t, &c).insert(id, stored.clone());
    Ok(json_response(StatusCode::OK, &stored))
}

fn delete(call: &Call, pattern: &'static str, op_schema: &str) -> Result<Response, CwError> {
    let mut t = call.write();
    let c = coll(&t, call, pattern, op_schema)?;
    let id = record_id(call)?;
    table(&mut t, &c)
        .remove(&id)
        .map(|_| StatusCode::NO_CONTENT.into_response())
        .ok_or_else(|| CwError::not_found(format!("Record {id} not found")))
}

/// `/service/tickets/{id}/timeentries` and kin: the ticket's records of another entity as
/// references.
pub(super) fn linked(call: &Call, l: Linked) -> Result<Response, CwError> {
    let (kind, field, reference) = l.target();
    call.caller.require(kind, Level::Inquire)?;
    let t = call.read();
    let ticket = call.parent_id()?;
    if t.store.get(l.parent(), ticket).is_none() {
        return Err(CwError::not_found(format!("Ticket {ticket} not found")));
    }
    let params = ListParams::parse(reference, call.req.query, call.forward_only(), None)?;
    let refs: Vec<Cow<Value>> = t
        .store
        .narrowed(kind, field, ticket)
        .into_iter()
        .filter(|r| kind != Kind::TimeEntry || r.at("chargeToType").as_str() != Some("ChargeCode"))
        .map(|r| {
            let mut v = t.store.reference(kind, r.at("id").as_i64().unwrap_or(0));
            if let Some(info) = r.get("_info") {
                v.set(&["_info"], info.clone());
            }
            if kind == Kind::ScheduleEntry {
                v.set(&["description"], r.at("name").clone());
            }
            cw_schema::conform(reference, &mut v);
            Cow::Owned(v)
        })
        .collect();
    let shape = if l.count() { Shape::Count } else { Shape::List };
    respond_list(call, shape, refs, &params)
}
