//! A generated tenant of a believable fictional MSP, deterministic from a seed.
//!
//! Same seed, size and anchor give the same tenant, byte for byte, so tests can name records
//! and benchmarks are repeatable. Dates hang off the anchor ("now" by default): tickets spread
//! over the last six months, the current week's time sheets open, past ones approved.
//!
//! One file per entity, generated in dependency order: [`members`], [`catalogs`] (work types,
//! roles, priorities, company statuses), [`boards`], [`companies`] (with contacts and
//! configurations), [`sales`] (agreements, opportunities, activities), [`projects`],
//! [`sheets`], [`tickets`] (with notes and time) and [`schedules`].

mod boards;
mod catalogs;
mod companies;
mod members;
mod projects;
mod sales;
mod schedules;
mod sheets;
mod text;
mod tickets;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::auth::ApiKey;
use crate::kind::Kind;
use crate::store::{fmt_dt, member_name, period_start, Periods, Store, Tenant};

/// What to generate.
#[derive(Debug, Clone)]
pub struct TenantSpec {
    pub seed: u64,
    /// Number of service tickets; every other count scales from it.
    pub tickets: usize,
    /// "Now" for the generated data.
    pub anchor: DateTime<Utc>,
}

/// How many weeks back time sheets (and open or closed periods) reach from the anchor's week.
const SHEET_WEEKS: i64 = 27;

/// The default demo size.
pub const DEMO_TICKETS: usize = 600;

impl TenantSpec {
    /// The demo-size tenant for `seed`, anchored at the start of the current UTC hour.
    pub fn demo(seed: u64) -> Self {
        let now = Utc::now();
        let anchor =
            DateTime::from_timestamp(now.timestamp() - now.timestamp() % 3600, 0).unwrap_or(now);
        TenantSpec {
            seed,
            tickets: DEMO_TICKETS,
            anchor,
        }
    }

    /// Parses a size: `demo`, `small` (2,000), `large` (100,000), or a ticket count.
    pub fn parse_scale(s: &str) -> Result<usize, String> {
        match s {
            "demo" => Ok(DEMO_TICKETS),
            "small" => Ok(2_000),
            "medium" => Ok(20_000),
            "large" => Ok(100_000),
            n => n
                .replace('_', "")
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=2_000_000).contains(n))
                .ok_or_else(|| format!("scale `{s}`: use demo, small, medium, large or a ticket count from 1 to 2000000")),
        }
    }
}

/// Builds the tenant.
pub fn generate(spec: &TenantSpec) -> Tenant {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        s: Store::new(),
        anchor: spec.anchor,
        keys: Vec::new(),
        techs: Vec::new(),
        ticket_configs: BTreeMap::new(),
        sheets: BTreeMap::new(),
    };
    let n = spec.tickets.max(1);
    g.members(n);
    g.catalogs();
    let boards = g.boards();
    let companies = g.companies((n / 20).clamp(12, 5_000));
    g.agreements_and_sales(&companies);
    g.projects(&companies, &boards);
    g.sheets();
    g.tickets(n, &boards, &companies);
    g.schedules();
    let monday = period_start(spec.anchor.date_naive());
    Tenant {
        company_id: "harborview".into(),
        company_name: "Harborview Technology Partners".into(),
        codebase: "v2025_1/".into(),
        client_ids: vec![uuid_like(&mut g.rng)],
        store: g.s,
        keys: g.keys,
        anchor: spec.anchor,
        periods: Periods {
            first: monday - Duration::weeks(SHEET_WEEKS),
            last: monday + Duration::weeks(8),
        },
        ticket_configs: g.ticket_configs,
        my_account_enabled: true,
        outbox: Vec::new(),
        seed: spec.seed,
        contract: Default::default(),
    }
}

/// A company as later steps need it: its contacts and configurations (id, device name).
struct Co {
    id: i64,
    contacts: Vec<i64>,
    configs: Vec<(i64, String)>,
}

impl Co {
    /// The company's first contact, its default.
    fn main_contact(&self) -> i64 {
        self.contacts.first().copied().unwrap_or_default()
    }
}

/// The generator's state: the store being filled and what later steps pick from.
struct Gen {
    rng: ChaCha8Rng,
    s: Store,
    anchor: DateTime<Utc>,
    keys: Vec<ApiKey>,
    /// Members who work tickets (full licence: technicians, the dispatcher, the manager).
    techs: Vec<i64>,
    ticket_configs: BTreeMap<i64, Vec<i64>>,
    /// (member id, Monday) → time sheet id.
    sheets: BTreeMap<(i64, NaiveDate), i64>,
}

fn uuid_like(rng: &mut ChaCha8Rng) -> String {
    let hex = |rng: &mut ChaCha8Rng, n: usize| -> String {
        (0..n)
            .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
            .collect()
    };
    format!(
        "{}-{}-{}-{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 4),
        hex(rng, 12)
    )
}

fn key(rng: &mut ChaCha8Rng) -> String {
    const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    (0..16)
        .map(|_| char::from(A.get(rng.random_range(0..A.len())).copied().unwrap_or(b'A')))
        .collect()
}

fn info(at: DateTime<Utc>, by: &str) -> Value {
    json!({"lastUpdated": fmt_dt(at), "updatedBy": by, "dateEntered": fmt_dt(at), "enteredBy": by})
}

impl Gen {
    /// An index into a list of `len` items (0 for an empty list, which the generator never
    /// has: every list it picks from is a non-empty constant or was just filled).
    fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            self.rng.random_range(0..len)
        }
    }

    /// One item of `xs`, at random.
    fn pick<T: Copy + Default>(&mut self, xs: &[T]) -> T {
        let i = self.index(xs.len());
        xs.get(i).copied().unwrap_or_default()
    }

    /// A member who works tickets, at random.
    fn tech(&mut self) -> i64 {
        let i = self.index(self.techs.len());
        self.techs.get(i).copied().unwrap_or(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn refer(&self, kind: Kind, id: i64) -> Value {
        self.s.reference(kind, id)
    }

    /// A member's identifier (empty for an unknown id).
    fn ident_of(&self, member: i64) -> String {
        self.s
            .get(Kind::Member, member)
            .and_then(|m| m.get("identifier"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }
}

#[doc(hidden)]
pub fn _names_for_tests(t: &Tenant) -> Vec<String> {
    t.store
        .table(Kind::Member)
        .values()
        .map(member_name)
        .collect()
}
