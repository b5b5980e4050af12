//! The tenant's data: one id-ordered table of JSON records per kind, plus the side tables that
//! ConnectWise keeps outside the entities (API keys, ticket↔configuration links, sent mail).

use crate::json::Json;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::auth::ApiKey;
use crate::index::Indexes;
use crate::kind::Kind;

/// Formats a timestamp the way ConnectWise does: whole-second UTC with `Z`. (Written out by
/// hand: chrono's strftime dominated tenant generation time.)
pub fn fmt_dt(d: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn fmt_dt_matches_the_connectwise_shape() {
        let d = chrono::DateTime::from_timestamp(1_700_000_005, 999_000_000).unwrap();
        assert_eq!(super::fmt_dt(d), "2023-11-14T22:13:25Z");
    }
}

/// Records per kind, keyed and ordered by id (ConnectWise's default order).
#[derive(Debug, Clone, Default)]
pub struct Store {
    tables: Vec<BTreeMap<i64, Value>>,
    next_id: Vec<i64>,
    indexes: Indexes,
}

impl Store {
    pub fn new() -> Self {
        Store {
            tables: vec![BTreeMap::new(); Kind::ALL.len()],
            next_id: vec![1; Kind::ALL.len()],
            indexes: Indexes::default(),
        }
    }

    pub fn table(&self, kind: Kind) -> &BTreeMap<i64, Value> {
        static EMPTY: BTreeMap<i64, Value> = BTreeMap::new();
        self.tables.get(kind.index()).unwrap_or(&EMPTY)
    }

    /// The table, to change: its indexes are dropped.
    fn table_mut(&mut self, kind: Kind) -> Option<&mut BTreeMap<i64, Value>> {
        self.indexes.forget(kind.index());
        self.tables.get_mut(kind.index())
    }

    /// The records of `kind` that may hold the integer `value` at `path`, in id order, found
    /// by an index rather than a scan. Callers still apply their whole filter.
    pub fn narrowed<S: AsRef<str>>(&self, kind: Kind, path: &[S], value: i64) -> Vec<&Value> {
        let path: Vec<String> = path.iter().map(|s| s.as_ref().to_string()).collect();
        let table = self.table(kind);
        let ix = self.indexes.get(kind.index(), &path, table.iter());
        ix.candidates(value)
            .iter()
            .filter_map(|id| table.get(id))
            .collect()
    }

    pub fn get(&self, kind: Kind, id: i64) -> Option<&Value> {
        self.table(kind).get(&id)
    }

    pub fn get_mut(&mut self, kind: Kind, id: i64) -> Option<&mut Value> {
        self.table_mut(kind)?.get_mut(&id)
    }

    /// Stores a new record under the next id, writing that id into it.
    pub fn insert(&mut self, kind: Kind, mut record: Value) -> i64 {
        let Some(next) = self.next_id.get_mut(kind.index()) else {
            return 0;
        };
        let id = *next;
        *next += 1;
        record.set(&["id"], json!(id));
        if let Some(t) = self.table_mut(kind) {
            t.insert(id, record);
        }
        id
    }

    pub fn replace(&mut self, kind: Kind, id: i64, record: Value) {
        if let Some(t) = self.table_mut(kind) {
            t.insert(id, record);
        }
    }

    pub fn remove(&mut self, kind: Kind, id: i64) -> Option<Value> {
        self.table_mut(kind)?.remove(&id)
    }

    pub fn len(&self, kind: Kind) -> usize {
        self.table(kind).len()
    }

    /// The reference object (`{id, name …}`) another record uses to point at this one.
    pub fn reference(&self, kind: Kind, id: i64) -> Value {
        let Some(r) = self.get(kind, id) else {
            return json!({ "id": id });
        };
        match kind {
            Kind::Member => {
                json!({"id": id, "identifier": r.at("identifier"), "name": member_name(r)})
            }
            Kind::Company => {
                json!({"id": id, "identifier": r.at("identifier"), "name": r.at("name")})
            }
            Kind::Contact => json!({"id": id, "name": contact_name(r)}),
            Kind::Ticket | Kind::ProjectTicket => json!({"id": id, "summary": r.at("summary")}),
            Kind::ProjectPhase => json!({"id": id, "name": r.at("description")}),
            Kind::TimeSheet => {
                json!({"id": id, "name": format!("{}-{}", r.at("year"), r.at("period"))})
            }
            _ => json!({"id": id, "name": r.at("name")}),
        }
    }
}

pub fn member_name(m: &Value) -> String {
    format!(
        "{} {}",
        m.at("firstName").as_str().unwrap_or(""),
        m.at("lastName").as_str().unwrap_or("")
    )
}

pub fn contact_name(c: &Value) -> String {
    format!(
        "{} {}",
        c.at("firstName").as_str().unwrap_or(""),
        c.at("lastName").as_str().unwrap_or("")
    )
    .trim()
    .to_string()
}

/// The Monday that starts the weekly time period containing `d` (time sheets cover one).
pub fn period_start(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Time-sheet statuses in which the member can still add and change time; any other status
/// (submitted, approved, billed) locks the sheet's entries.
pub const OPEN_SHEET_STATUSES: [&str; 3] = ["Open", "Rejected", "ErrorsCorrected"];

/// Where a ticket note shows: the three display flags ConnectWise keeps on a note (at least
/// one must be set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteFlags {
    /// Discussion (detail description): the customer sees it.
    pub detail: bool,
    /// Internal analysis: technicians only.
    pub internal: bool,
    /// Resolution: the customer sees it.
    pub resolution: bool,
}

impl NoteFlags {
    pub const DISCUSSION: NoteFlags = NoteFlags {
        detail: true,
        internal: false,
        resolution: false,
    };
    pub const INTERNAL: NoteFlags = NoteFlags {
        detail: false,
        internal: true,
        resolution: false,
    };
    pub const RESOLUTION: NoteFlags = NoteFlags {
        detail: false,
        internal: false,
        resolution: true,
    };

    pub fn customer_visible(self) -> bool {
        self.detail || self.resolution
    }
}

/// A weekly time period: the unit a time sheet covers.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    /// Monday of the first period defined; earlier periods are closed to new time.
    pub first: NaiveDate,
    /// Monday of the last period defined (entries after its Sunday are refused).
    pub last: NaiveDate,
}

/// A notification ConnectWise would have e-mailed; tests check that none went out unasked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Notification {
    pub event: String,
    pub ticket_id: Option<i64>,
    pub recipients: Vec<String>,
}

/// The whole simulated tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub company_id: String,
    pub company_name: String,
    /// Codebase as `/login/companyinfo` reports it, with its trailing slash.
    pub codebase: String,
    pub client_ids: Vec<String>,
    pub store: Store,
    pub keys: Vec<ApiKey>,
    /// "Now" at generation; relative dates in the data hang off it.
    pub anchor: DateTime<Utc>,
    pub periods: Periods,
    /// Ticket id → attached configuration ids (`/service/tickets/{id}/configurations`).
    pub ticket_configs: BTreeMap<i64, Vec<i64>>,
    /// Whether `GET /system/myAccount` answers (some on-prem versions return 404).
    pub my_account_enabled: bool,
    pub outbox: Vec<Notification>,
    /// The generation seed; generic collections are synthesised from it on demand.
    pub seed: u64,
    /// Generic collections something wrote to ([`crate::contract`]).
    pub contract: crate::contract::Tables,
}
