//! Synthesises the records of a generic collection from the tenant's seed, field by field
//! from the contract's schema: the same collection, id and field always give the same value,
//! so a record read twice, or through its `info` view, or as a reference from another record,
//! agrees with itself.
//!
//! References point at real records: a `CompanyReference` at one of the tenant's companies, a
//! `SourceReference` at one of `/service/sources`' records; a child's field naming its parent
//! (`ticketId` under `/service/tickets/{parentId}/tasks`) holds the parent's id.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::Duration;
use cw_schema::{endpoints, schema, PropType, Schema, Shape};
use serde_json::{json, Map, Value};

use super::flavour;
use crate::kind::Kind;
use crate::store::{fmt_dt, Tenant};

/// Where a child table hangs: the parent collection's pattern and the parent's id.
#[derive(Debug, Clone, Copy)]
pub struct Parent<'a> {
    pub collection: &'a str,
    pub id: i64,
}

/// Ids per parent in a child collection: child ids are `(parent-1)*SLOT + 1 …`.
const SLOT: i64 = 8;

/// Nesting depth of embedded (non-reference) objects that are filled in.
const MAX_DEPTH: u8 = 2;

/// FNV-1a over the parts: stable across runs and platforms, unlike `DefaultHasher`.
fn hash(seed: u64, parts: &[&str], n: i64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for p in parts {
        eat(p.as_bytes());
        eat(&[0xff]);
    }
    eat(&n.to_le_bytes());
    h
}

/// The record synthesiser for one tenant.
pub struct Synth<'t> {
    pub t: &'t Tenant,
}

/// `AddressFormat` → `Address Format`.
fn words_of(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The top-level collection whose records a schema describes (`Source` → `/service/sources`).
fn collection_for(schema_name: &str) -> Option<&'static str> {
    static M: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    M.get_or_init(|| {
        let mut m = HashMap::new();
        for e in endpoints() {
            if e.method == "GET" && e.shape == Shape::List && !e.path.contains('{') {
                if let Some(s) = &e.schema {
                    m.entry(s.as_str()).or_insert(e.path.as_str());
                }
            }
        }
        m
    })
    .get(schema_name)
    .copied()
}

/// The hand-made kind a reference schema points at.
fn kind_for_reference(reference: &str) -> Option<Kind> {
    let base = reference.strip_suffix("Reference")?;
    let extra = match base {
        "ServiceStatus" => Some(Kind::BoardStatus),
        "ServiceType" => Some(Kind::BoardType),
        "ServiceSubType" => Some(Kind::BoardSubType),
        "ServiceItem" => Some(Kind::BoardItem),
        "Configuration" => Some(Kind::Configuration),
        "ServiceTicket" => Some(Kind::Ticket),
        _ => None,
    };
    extra.or_else(|| Kind::ALL.into_iter().find(|k| k.schema() == base))
}

impl<'t> Synth<'t> {
    fn h(&self, parts: &[&str], n: i64) -> u64 {
        hash(self.t.seed, parts, n)
    }

    /// The ids a synthesised table holds.
    pub fn ids(&self, collection: &str, key: &str, parent: Option<Parent>) -> Vec<i64> {
        let n = match flavour::names(collection) {
            Some(names) => names.len() as i64,
            None if parent.is_some() => 1 + (self.h(&[key, "#count"], 0) % 4) as i64,
            None => 3 + (self.h(&[key, "#count"], 0) % 10) as i64,
        };
        let base = parent.map_or(0, |p| (p.id.max(1) - 1).saturating_mul(SLOT));
        (1..=n).map(|i| base + i).collect()
    }

    /// Whether a synthesised table holds `id`.
    pub fn has(&self, collection: &str, key: &str, parent: Option<Parent>, id: i64) -> bool {
        self.ids(collection, key, parent).contains(&id)
    }

    /// Record `id` of the table at `key`, shaped by `schema_name`.
    pub fn record(
        &self,
        collection: &str,
        key: &str,
        schema_name: &str,
        id: i64,
        parent: Option<Parent>,
    ) -> Value {
        let mut v = self.object(collection, key, schema(schema_name), id, parent, 0);
        if let Value::Object(m) = &mut v {
            flavour::settle(collection, m, id, (id - 1).rem_euclid(SLOT) + 1);
        }
        v
    }

    fn object(
        &self,
        collection: &str,
        key: &str,
        sch: &Schema,
        id: i64,
        parent: Option<Parent>,
        depth: u8,
    ) -> Value {
        let mut out = Map::new();
        for (field, ty) in &sch.properties {
            if let Some(v) = self.value(collection, key, sch, field, ty, id, parent, depth) {
                out.insert(field.clone(), v);
            }
        }
        Value::Object(out)
    }

    /// One field's value; `None` leaves it out (as ConnectWise leaves out what is unset).
    #[allow(clippy::too_many_arguments)]
    fn value(
        &self,
        collection: &str,
        key: &str,
        sch: &Schema,
        field: &str,
        ty: &str,
        id: i64,
        parent: Option<Parent>,
        depth: u8,
    ) -> Option<Value> {
        let h = self.h(&[key, field], id);
        if field == "id" {
            return Some(if ty.starts_with("string") {
                json!(id.to_string())
            } else {
                json!(id)
            });
        }
        if let Some(v) = parent.and_then(|p| self.parent_link(field, p)) {
            return Some(v);
        }
        if field == "_info" {
            let at = fmt_dt(self.t.anchor - Duration::days((h % 400) as i64 + 1));
            let by = self.member_identifier(h);
            return Some(
                json!({"lastUpdated": at, "updatedBy": by, "dateEntered": at, "enteredBy": by}),
            );
        }
        if let Some(allowed) = sch.enums.get(field) {
            return allowed
                .get((h % allowed.len().max(1) as u64) as usize)
                .map(|s| json!(s));
        }
        let v = match PropType::parse(ty) {
            PropType::String if sch.formats.contains_key(field) => {
                let day = self.t.anchor - Duration::days((h % 180) as i64);
                match sch.formats.get(field).map(String::as_str) {
                    Some("uuid") => json!(format!(
                        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                        h >> 32,
                        (h >> 16) & 0xffff,
                        h & 0xfff,
                        (h >> 12) & 0xfff,
                        h & 0xffff_ffff_ffff
                    )),
                    Some("date") => json!(day.format("%Y-%m-%d").to_string()),
                    _ => json!(fmt_dt(day)),
                }
            }
            PropType::String => {
                let s = self.text(collection, sch, field, id, h);
                let max = sch.max_length.get(field).copied().unwrap_or(usize::MAX);
                json!(s.chars().take(max).collect::<String>())
            }
            PropType::DateTime => json!(fmt_dt(
                self.t.anchor - Duration::days((h % 180) as i64) - Duration::hours((h % 9) as i64)
            )),
            PropType::Integer => json!(self.integer(field, id, h)),
            PropType::Number => json!(((h % 50_000) as f64) / 100.0),
            PropType::Boolean => json!(match field {
                "inactiveFlag" => false,
                "defaultFlag" => id == 1 || id % SLOT == 1,
                _ => h.is_multiple_of(4),
            }),
            PropType::Map => return None,
            PropType::Array(_) => json!([]),
            PropType::Object(inner) if inner.ends_with("Reference") => {
                return self.reference(key, id, &inner);
            }
            PropType::Object(inner) if depth < MAX_DEPTH => {
                let v = self.object(collection, key, schema(&inner), id, None, depth + 1);
                if v.as_object().is_some_and(Map::is_empty) {
                    return None;
                }
                v
            }
            PropType::Object(_) => return None,
        };
        Some(v)
    }

    /// The value of `field` when it names the parent a child hangs under: `ticketId` under
    /// `/service/tickets/{parentId}/tasks` holds the ticket's id, `company` under
    /// `/company/companies/{parentId}/sites` the company's reference.
    fn parent_link(&self, field: &str, p: Parent) -> Option<Value> {
        let leaf = p.collection.rsplit('/').next()?;
        let word = leaf
            .strip_suffix("ies")
            .map(|s| format!("{s}y"))
            .unwrap_or_else(|| leaf.trim_end_matches('s').to_string());
        if field.eq_ignore_ascii_case(&format!("{word}Id")) {
            return Some(json!(p.id));
        }
        if field == word {
            return super::kind_of(p.collection).map(|k| self.t.store.reference(k, p.id));
        }
        None
    }

    /// Every field of `schema_name` that names the parent, with the parent in it: what a
    /// record created under the parent must hold.
    pub fn parent_links(&self, schema_name: &str, p: Parent) -> Vec<(String, Value)> {
        schema(schema_name)
            .properties
            .keys()
            .filter_map(|f| Some((f.clone(), self.parent_link(f, p)?)))
            .collect()
    }

    fn member_identifier(&self, h: u64) -> String {
        self.pick_kind(Kind::Member, h)
            .and_then(|id| self.t.store.get(Kind::Member, id))
            .and_then(|m| m.get("identifier"))
            .and_then(Value::as_str)
            .unwrap_or("admin")
            .to_string()
    }

    /// A record of `kind` chosen by `h`, found in O(log n) whatever the table's size.
    fn pick_kind(&self, kind: Kind, h: u64) -> Option<i64> {
        let table = self.t.store.table(kind);
        let (&first, _) = table.first_key_value()?;
        let (&last, _) = table.last_key_value()?;
        let span = (last - first + 1).max(1) as u64;
        let at = first + (h % span) as i64;
        table.range(at..).next().map(|(id, _)| *id).or(Some(first))
    }

    fn reference(&self, key: &str, record: i64, reference: &str) -> Option<Value> {
        // One pick per reference type and record: an invoice's company and bill-to company
        // are the same company.
        let h = self.h(&[key, reference], record);
        let ref_schema = schema(reference);
        if let Some(kind) = kind_for_reference(reference) {
            let id = self.pick_kind(kind, h)?;
            let mut v = self.t.store.reference(kind, id);
            cw_schema::conform(reference, &mut v);
            return Some(v);
        }
        let base = reference.strip_suffix("Reference").unwrap_or(reference);
        // `SystemDepartmentReference` points at `/system/departments` (schema `Department`),
        // `BillingTermsReference` at `/finance/billingTerms` (`BillingTerm`).
        let found = collection_for(base)
            .or_else(|| base.strip_prefix("System").and_then(collection_for))
            .or_else(|| base.strip_suffix('s').and_then(collection_for));
        let (collection, id) = match found {
            Some(c) => {
                let ids = self.ids(c, c, None);
                (
                    c,
                    ids.get((h % ids.len().max(1) as u64) as usize)
                        .copied()
                        .unwrap_or(1),
                )
            }
            // Named after the reference: `Calendar 2`, not a bare number.
            None => (base, 1 + (h % 3) as i64),
        };
        let key = collection;
        let mut out = Map::new();
        for (field, ty) in &ref_schema.properties {
            if field == "_info" {
                continue;
            }
            if let Some(v) = self.value(collection, key, ref_schema, field, ty, id, None, MAX_DEPTH)
            {
                out.insert(field.clone(), v);
            }
        }
        Some(Value::Object(out))
    }

    fn integer(&self, field: &str, id: i64, h: u64) -> i64 {
        let kind = match field {
            "ticketId" | "serviceTicketId" => Some(Kind::Ticket),
            "companyId" => Some(Kind::Company),
            "contactId" => Some(Kind::Contact),
            "memberId" => Some(Kind::Member),
            "projectId" => Some(Kind::Project),
            "agreementId" => Some(Kind::Agreement),
            "boardId" => Some(Kind::Board),
            "opportunityId" => Some(Kind::Opportunity),
            _ => None,
        };
        if let Some(k) = kind {
            return self.pick_kind(k, h).unwrap_or(1);
        }
        match field {
            "sequenceNumber" | "sortOrder" => id,
            f if f.ends_with("Id") || f.ends_with("ID") => 1 + (h % 5) as i64,
            _ => (h % 100) as i64,
        }
    }

    fn text(&self, collection: &str, sch: &Schema, field: &str, id: i64, h: u64) -> String {
        if field == "name" || field == "description" && !sch.properties.contains_key("name") {
            if let Some(names) = flavour::names(collection) {
                let i = (id - 1).rem_euclid(SLOT) as usize;
                if let Some(n) = names.get(i % names.len().max(1)) {
                    return (*n).to_string();
                }
            }
        }
        if let Some(ws) = flavour::words(collection, field) {
            if let Some(w) = ws.get((h % ws.len().max(1) as u64) as usize) {
                return (*w).to_string();
            }
        }
        let entity = collection
            .rsplit('/')
            .find(|s| !s.starts_with('{'))
            .map(|s| {
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .map(|s| words_of(&s))
            .unwrap_or_else(|| "Record".to_string());
        let lower = field.to_ascii_lowercase();
        if lower.contains("email") {
            format!("ops{id}@harborview.example")
        } else if lower.contains("phone") || lower.contains("fax") {
            format!("503-555-{:04}", h % 10_000)
        } else if lower.contains("url") || lower.contains("link") || lower.contains("website") {
            format!("https://harborview.example/{}/{id}", field)
        } else if lower.contains("color") {
            format!("#{:06x}", h % 0x0100_0000)
        } else if lower == "identifier" || lower.ends_with("identifier") {
            format!("{}{id}", entity.replace(' ', "").to_ascii_uppercase())
        } else if lower == "name" || lower == "description" || lower == "summary" {
            format!("{entity} {id}")
        } else {
            format!("{} {id}", words_of(field))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_is_stable() {
        assert_eq!(hash(1, &["a", "b"], 3), hash(1, &["a", "b"], 3));
        assert_ne!(hash(1, &["a", "b"], 3), hash(2, &["a", "b"], 3));
        assert_ne!(hash(1, &["ab"], 3), hash(1, &["a", "b"], 3));
    }

    #[test]
    fn schema_names_find_their_collection() {
        assert_eq!(collection_for("Source"), Some("/service/sources"));
        assert_eq!(kind_for_reference("CompanyReference"), Some(Kind::Company));
        assert_eq!(
            kind_for_reference("ServiceStatusReference"),
            Some(Kind::BoardStatus)
        );
        assert_eq!(words_of("AddressFormats"), "Address Formats");
    }
}
