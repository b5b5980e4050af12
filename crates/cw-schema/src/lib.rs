//! ConnectWise PSA's own entity schemas, embedded from `data/schemas.json` (generated from the
//! published contract data by `scripts/gen-schemas.py`).
//!
//! The simulator checks condition fields, `orderBy`, request bodies, enums and string lengths
//! against them; the client checks a caller's raw `conditions` against the same field names
//! before anything is sent, so both sides agree on what a field is.

use std::collections::{BTreeMap, HashMap};

use std::sync::OnceLock;

use serde::Deserialize;

/// One schema: property name → simplified type (`string`, `integer|null`, `date-time`,
/// `BoardReference`, `array<X>`, `object<string>` …).
#[derive(Debug, Deserialize)]
pub struct Schema {
    pub required: Vec<String>,
    pub properties: BTreeMap<String, String>,
    #[serde(default)]
    pub enums: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "maxLength")]
    pub max_length: BTreeMap<String, usize>,
}

/// What [`schema`] answers for a name that is not embedded: no fields at all, so every field
/// is unknown (the contract tests prove each name the crates use is embedded).
static EMPTY: Schema = Schema {
    required: Vec::new(),
    properties: BTreeMap::new(),
    enums: BTreeMap::new(),
    max_length: BTreeMap::new(),
};

/// What a property's type is, for validation and path resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropType {
    String,
    DateTime,
    Integer,
    Number,
    Boolean,
    /// `object<string>` (`_info`) or an untyped `object`.
    Map,
    /// A nested object with its own schema (references and embedded objects).
    Object(String),
    /// An array of scalars or of objects with a schema.
    Array(Box<PropType>),
}

impl PropType {
    pub fn parse(t: &str) -> PropType {
        let t = t.split('|').next().unwrap_or(t);
        if let Some(inner) = t.strip_prefix("array<").and_then(|s| s.strip_suffix('>')) {
            return PropType::Array(Box::new(PropType::parse(inner)));
        }
        match t {
            "string" => PropType::String,
            "date-time" => PropType::DateTime,
            "integer" => PropType::Integer,
            "number" => PropType::Number,
            "boolean" => PropType::Boolean,
            s if s.starts_with(|c: char| c.is_ascii_uppercase()) => PropType::Object(s.to_string()),
            _ => PropType::Map,
        }
    }
}

/// The embedded schemas, parsed once (a unit test proves the embedded file parses).
pub fn schemas() -> &'static HashMap<String, Schema> {
    static S: OnceLock<HashMap<String, Schema>> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(include_str!("../data/schemas.json")).unwrap_or_default())
}

/// A schema by name; one that is not embedded has no fields (add it to
/// `scripts/gen-schemas.py`).
pub fn schema(name: &str) -> &'static Schema {
    schemas().get(name).unwrap_or(&EMPTY)
}

/// Drops what `schema_name` does not declare, and nulls, from a computed record (views such as
/// `allNotes` are assembled from several entities and must still match their own schema).
pub fn conform(schema_name: &str, v: &mut serde_json::Value) {
    let Some(sch) = schemas().get(schema_name) else {
        return;
    };
    let Some(obj) = v.as_object_mut() else { return };
    obj.retain(|k, val| !val.is_null() && sch.properties.contains_key(k));
    for (k, val) in obj.iter_mut() {
        let Some(t) = sch.properties.get(k) else {
            continue;
        };
        match PropType::parse(t) {
            PropType::Object(inner) => conform(&inner, val),
            PropType::Map => {
                if let Some(m) = val.as_object_mut() {
                    m.retain(|_, x| x.is_string());
                }
            }
            _ => {}
        }
    }
}

/// Why a field path does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// No such field (ConnectWise: "`<name>` is not a recognized name.").
    Unknown,
    /// The path crosses an array, which only `childConditions` may search.
    ChildCollection,
}

/// `_info` keys ConnectWise also accepts as top-level condition fields (`lastUpdated > [...]`).
const INFO_ALIASES: [&str; 4] = ["lastUpdated", "updatedBy", "dateEntered", "enteredBy"];

/// Resolves a field path against a schema, case-insensitively, returning the canonical
/// spelling of each segment. `through_arrays` allows crossing arrays (childConditions).
pub fn resolve_path(
    root: &str,
    segs: &[String],
    through_arrays: bool,
) -> Result<Vec<String>, PathError> {
    let mut out = Vec::with_capacity(segs.len() + 1);
    let mut current = PropType::Object(root.to_string());
    for (i, seg) in segs.iter().enumerate() {
        current = match current {
            PropType::Object(name) => {
                let sch = schemas().get(&name).ok_or(PathError::Unknown)?;
                match sch
                    .properties
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(seg))
                {
                    Some((k, t)) => {
                        out.push(k.clone());
                        PropType::parse(t)
                    }
                    None if i == 0 && sch.properties.contains_key("_info") => {
                        let alias = INFO_ALIASES
                            .iter()
                            .find(|a| a.eq_ignore_ascii_case(seg))
                            .ok_or(PathError::Unknown)?;
                        out.push("_info".into());
                        out.push(alias.to_string());
                        PropType::String
                    }
                    None => return Err(PathError::Unknown),
                }
            }
            PropType::Map => {
                out.push(seg.clone());
                PropType::String
            }
            _ => return Err(PathError::Unknown),
        };
        if let PropType::Array(inner) = &current {
            if !through_arrays {
                return Err(PathError::ChildCollection);
            }
            current = (**inner).clone();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schemas_parse() {
        assert!(schemas().len() > 100);
        assert!(schema("Ticket").properties.contains_key("summary"));
        assert!(schema("NoSuchThing").properties.is_empty());
    }

    fn segs(p: &str) -> Vec<String> {
        p.split('/').map(str::to_string).collect()
    }

    #[test]
    fn resolves_case_insensitively_through_references() {
        assert_eq!(
            resolve_path("Ticket", &segs("Board/Name"), false),
            Ok(segs("board/name"))
        );
        assert_eq!(
            resolve_path("Ticket", &segs("lastupdated"), false),
            Ok(segs("_info/lastUpdated"))
        );
        assert_eq!(
            resolve_path("Ticket", &segs("invoiceDate"), false),
            Err(PathError::Unknown)
        );
        assert_eq!(
            resolve_path("Ticket", &segs("summary/x"), false),
            Err(PathError::Unknown)
        );
        assert_eq!(
            resolve_path("Contact", &segs("communicationItems/value"), false),
            Err(PathError::ChildCollection)
        );
        assert_eq!(
            resolve_path(
                "Contact",
                &segs("communicationItems/communicationType"),
                true
            ),
            Ok(segs("communicationItems/communicationType"))
        );
    }
}
