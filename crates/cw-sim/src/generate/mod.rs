//! A generated tenant of a believable fictional MSP, deterministic from a seed.
//!
//! Same seed, size and anchor give the same tenant, byte for byte, so tests can name records
//! and benchmarks are repeatable. Dates hang off the anchor ("now" by default): tickets spread
//! over the last six months, the current week's time sheets open, past ones approved.

mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::auth::{ApiKey, Role};
use crate::kind::Kind;
use crate::store::{contact_name, fmt_dt, member_name, Periods, Store, Tenant};
use text::*;

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
    g.projects(&companies);
    g.sheets();
    g.tickets(n, &boards, &companies);
    g.schedules();
    let monday = week_start(spec.anchor.date_naive());
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
    }
}

struct Board {
    id: i64,
    statuses: Vec<(i64, bool)>,
    types: Vec<i64>,
    subtypes: Vec<i64>,
    items: Vec<i64>,
}

struct Co {
    id: i64,
    contacts: Vec<i64>,
    configs: Vec<(i64, String)>,
}

struct Gen {
    rng: ChaCha8Rng,
    s: Store,
    anchor: DateTime<Utc>,
    keys: Vec<ApiKey>,
    techs: Vec<i64>,
    ticket_configs: BTreeMap<i64, Vec<i64>>,
    /// (member id, Monday) → time sheet id.
    sheets: BTreeMap<(i64, NaiveDate), i64>,
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
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
        .map(|_| A[rng.random_range(0..A.len())] as char)
        .collect()
}

fn info(at: DateTime<Utc>, by: &str) -> Value {
    json!({"lastUpdated": fmt_dt(at), "updatedBy": by, "dateEntered": fmt_dt(at), "enteredBy": by})
}

impl Gen {
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.rng.random_range(0..xs.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn refer(&self, kind: Kind, id: i64) -> Value {
        self.s.reference(kind, id)
    }

    fn members(&mut self, tickets: usize) {
        let core: &[(&str, &str, &str, Role, &str, &str)] = &[
            (
                "amorgan",
                "Alex",
                "Morgan",
                Role::Admin,
                "F",
                "Service Manager",
            ),
            (
                "dreyes",
                "Dana",
                "Reyes",
                Role::Dispatcher,
                "F",
                "Dispatcher",
            ),
            (
                "jchen",
                "Jamie",
                "Chen",
                Role::Technician,
                "F",
                "Support Technician",
            ),
            (
                "psharma",
                "Priya",
                "Sharma",
                Role::Technician,
                "F",
                "Support Technician",
            ),
            (
                "mokafor",
                "Marcus",
                "Okafor",
                Role::Technician,
                "F",
                "Senior Engineer",
            ),
            (
                "lnguyen",
                "Lena",
                "Nguyen",
                Role::Technician,
                "F",
                "Field Technician",
            ),
            (
                "apireader",
                "API",
                "Reader",
                Role::ApiReadOnly,
                "A",
                "Reporting integration",
            ),
            (
                "apisync",
                "API",
                "Integration",
                Role::ApiIntegration,
                "A",
                "PSA integration",
            ),
        ];
        let mut rows: Vec<(String, String, String, Role, &str, &str)> = core
            .iter()
            .map(|(i, f, l, r, c, t)| (i.to_string(), f.to_string(), l.to_string(), *r, *c, *t))
            .collect();
        for k in 0..tickets / 2_500 {
            let f = FIRST[(k * 7 + 3) % FIRST.len()];
            let l = LAST[(k * 11 + 5) % LAST.len()];
            let ident = format!("{}{}{}", &f[..1], l.replace('\'', ""), k + 2).to_lowercase();
            rows.push((
                ident,
                f.into(),
                l.into(),
                Role::Technician,
                "F",
                "Support Technician",
            ));
        }
        let hired = self.anchor - Duration::days(900);
        for (ident, first, last, role, class, title) in rows {
            let rec = json!({
                "identifier": ident,
                "firstName": first,
                "lastName": last,
                "licenseClass": class,
                "title": title,
                "inactiveFlag": false,
                "hireDate": fmt_dt(hired),
                "officeEmail": format!("{ident}@harborview.example"),
                "primaryEmail": format!("{ident}@harborview.example"),
                "defaultEmail": "Office",
                "defaultPhone": "Office",
                "officePhone": "555-0100",
                "securityRole": {"id": Role::ALL.iter().position(|r| *r == role).unwrap_or(0) as i64 + 1, "name": role.name()},
                "_info": info(hired, "amorgan"),
            });
            let id = self.s.insert(Kind::Member, rec);
            if matches!(role, Role::Technician | Role::Dispatcher | Role::Admin) && class == "F" {
                self.techs.push(id);
            }
            let (public, private) = (key(&mut self.rng), key(&mut self.rng));
            self.keys.push(ApiKey {
                public,
                private,
                member_id: id,
            });
        }
    }

    fn catalogs(&mut self) {
        let at = self.anchor - Duration::days(1000);
        for (name, bill, def) in [
            ("Remote Support", "Billable", true),
            ("Onsite Support", "Billable", false),
            ("After Hours", "Billable", false),
            ("Travel", "NoCharge", false),
            ("Internal", "DoNotBill", false),
        ] {
            self.s.insert(Kind::WorkType, json!({
                "name": name, "billTime": bill, "rateType": "Multiplier", "rate": 1.0,
                "inactiveFlag": false, "overallDefaultFlag": def, "utilizationFlag": bill == "Billable",
                "_info": info(at, "amorgan"),
            }));
        }
        for (name, rate) in [
            ("Technician", 125.0),
            ("Senior Engineer", 165.0),
            ("Project Manager", 150.0),
            ("Dispatcher", 95.0),
        ] {
            self.s.insert(Kind::WorkRole, json!({"name": name, "hourlyRate": rate, "inactiveFlag": false, "_info": info(at, "amorgan")}));
        }
        for (i, (name, color, level, def)) in [
            ("Priority 1 - Emergency Response", "Red", "Critical", false),
            ("Priority 2 - Quick Response", "Orange", "High", false),
            ("Priority 3 - Normal Response", "Green", "Medium", true),
            ("Priority 4 - Schedule Maintenance", "Blue", "Low", false),
            ("Do Not Respond", "Gray", "Low", false),
        ]
        .into_iter()
        .enumerate()
        {
            self.s.insert(Kind::Priority, json!({
                "name": name, "color": color, "level": level, "sortOrder": i as i64 + 1, "defaultFlag": def,
                "_info": info(at, "amorgan"),
            }));
        }
        for (name, def) in [
            ("Active", true),
            ("Inactive", false),
            ("Not-Approved", false),
        ] {
            self.s.insert(Kind::CompanyStatus, json!({"name": name, "defaultFlag": def, "inactiveFlag": false, "_info": info(at, "amorgan")}));
        }
    }

    fn boards(&mut self) -> Vec<Board> {
        let at = self.anchor - Duration::days(1000);
        // (board, statuses (name, closed, default, escalation))
        type StatusSpec = (&'static str, bool, bool, &'static str);
        let specs: &[(&str, &[StatusSpec])] = &[
            (
                "Help Desk",
                &[
                    ("New", false, true, "NotResponded"),
                    ("Assigned", false, false, "Responded"),
                    ("In Progress", false, false, "ResolutionPlan"),
                    ("Waiting on Customer", false, false, "ResolutionPlan"),
                    ("Scheduled", false, false, "ResolutionPlan"),
                    ("Escalated", false, false, "ResolutionPlan"),
                    ("Resolved", false, false, "Resolved"),
                    (">Closed", true, false, "Resolved"),
                    (">Closed - No response", true, false, "Resolved"),
                ],
            ),
            (
                "Field Services",
                &[
                    ("New", false, true, "NotResponded"),
                    ("Dispatched", false, false, "Responded"),
                    ("Onsite", false, false, "ResolutionPlan"),
                    ("Waiting on Parts", false, false, "ResolutionPlan"),
                    ("Completed", true, false, "Resolved"),
                ],
            ),
            (
                "Network Operations",
                &[
                    ("New (Alert)", false, true, "NotResponded"),
                    ("Investigating", false, false, "Responded"),
                    ("Monitoring", false, false, "ResolutionPlan"),
                    (">Closed", true, false, "Resolved"),
                ],
            ),
            (
                "Professional Services",
                &[
                    ("New", false, true, "NotResponded"),
                    ("In Progress", false, false, "ResolutionPlan"),
                    ("Ready for Review", false, false, "ResolutionPlan"),
                    (">Closed", true, false, "Resolved"),
                ],
            ),
        ];
        let dispatcher = self.refer(Kind::Member, 2);
        let manager = self.refer(Kind::Member, 1);
        let mut boards = Vec::new();
        for (bname, statuses) in specs {
            let id = self.s.insert(
                Kind::Board,
                json!({
                    "name": bname,
                    "location": {"id": 1, "name": "Main Office"},
                    "department": {"id": 1, "name": "Service"},
                    "inactiveFlag": false,
                    "projectFlag": false,
                    "dispatchMember": dispatcher,
                    "serviceManagerMember": manager,
                    "timeEntryDiscussionFlag": true,
                    "_info": info(at, "amorgan"),
                }),
            );
            let bref = json!({"id": id, "name": bname});
            let mut b = Board {
                id,
                statuses: vec![],
                types: vec![],
                subtypes: vec![],
                items: vec![],
            };
            for (i, (name, closed, def, esc)) in statuses.iter().enumerate() {
                let sid = self.s.insert(
                    Kind::BoardStatus,
                    json!({
                        "name": name, "board": bref, "sortOrder": i as i64, "displayOnBoard": true,
                        "inactive": false, "closedStatus": closed, "timeEntryNotAllowed": *closed,
                        "defaultFlag": def, "escalationStatus": esc, "customerPortalFlag": true,
                        "_info": info(at, "amorgan"),
                    }),
                );
                b.statuses.push((sid, *closed));
            }
            for (name, cat) in [
                ("Incident", "Reactive"),
                ("Service Request", "Reactive"),
                ("Problem", "Reactive"),
                ("Maintenance", "Proactive"),
            ] {
                b.types.push(self.s.insert(Kind::BoardType, json!({
                    "name": name, "category": cat, "defaultFlag": name == "Incident", "inactiveFlag": false,
                    "board": bref, "_info": info(at, "amorgan"),
                })));
            }
            for name in [
                "Email",
                "Network",
                "Printer",
                "Hardware",
                "Software",
                "Account / Access",
                "Backup",
                "Security",
            ] {
                b.subtypes.push(self.s.insert(Kind::BoardSubType, json!({
                    "name": name, "inactiveFlag": false, "board": bref, "_info": info(at, "amorgan"),
                })));
            }
            for name in [
                "Outlook",
                "VPN",
                "Firewall",
                "Laptop",
                "Server",
                "Wi-Fi",
                "MFA",
                "Microsoft 365",
            ] {
                b.items.push(self.s.insert(Kind::BoardItem, json!({
                    "name": name, "inactiveFlag": false, "board": bref, "_info": info(at, "amorgan"),
                })));
            }
            boards.push(b);
        }
        boards
    }

    fn companies(&mut self, count: usize) -> Vec<Co> {
        let mut out = Vec::with_capacity(count);
        let mut used = std::collections::HashSet::new();
        for i in 0..count {
            let (a, b) = (*self.pick(COMPANY_A), *self.pick(COMPANY_B));
            let mut name = format!("{a} {b}");
            if !used.insert(name.clone()) {
                name = format!("{a} {b} {}", i + 1);
                used.insert(name.clone());
            }
            let ident: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let domain = format!("{}.example", ident.to_lowercase());
            let since = self.anchor - Duration::days(self.rng.random_range(200..3000));
            let status = if self.chance(0.06) { 2 } else { 1 };
            let city = *self.pick(&[
                "Portland", "Tacoma", "Boise", "Spokane", "Eugene", "Salem", "Bend",
            ]);
            let id = self.s.insert(
                Kind::Company,
                json!({
                    "identifier": ident, "name": name,
                    "status": self.refer(Kind::CompanyStatus, status),
                    "addressLine1": format!("{} Main St", 100 + i * 7 % 900),
                    "city": city, "state": "OR", "zip": format!("97{:03}", i % 1000),
                    "phoneNumber": format!("555-{:04}", 1000 + i % 9000),
                    "website": format!("www.{domain}"),
                    "dateAcquired": fmt_dt(since),
                    "numberOfEmployees": self.rng.random_range(5..400),
                    "deletedFlag": false, "leadFlag": false,
                    "types": [{"id": 1, "name": "Client"}],
                    "_info": info(since, "amorgan"),
                }),
            );
            let mut co = Co {
                id,
                contacts: vec![],
                configs: vec![],
            };
            for _ in 0..self.rng.random_range(2..7) {
                let (f, l) = (*self.pick(FIRST), *self.pick(LAST));
                let email = format!(
                    "{}.{}@{domain}",
                    f.to_lowercase(),
                    l.to_lowercase().replace('\'', "")
                );
                let rec = json!({
                    "firstName": f, "lastName": l,
                    "company": self.refer(Kind::Company, id),
                    "title": *self.pick(&["Office Manager", "Owner", "Accountant", "Receptionist", "Operations Lead", "Controller"]),
                    "inactiveFlag": self.chance(0.05),
                    "defaultPhoneType": "Direct",
                    "defaultPhoneNbr": format!("555-{:04}", self.rng.random_range(1000..9999)),
                    "communicationItems": [
                        {"id": 1, "type": {"id": 1, "name": "Email"}, "value": email, "defaultFlag": true, "domain": format!("@{domain}"), "communicationType": "Email"},
                        {"id": 2, "type": {"id": 2, "name": "Direct"}, "value": format!("555-{:04}", self.rng.random_range(1000..9999)), "defaultFlag": true, "communicationType": "Phone"},
                    ],
                    "types": [{"id": 1, "name": "End User"}],
                    "_info": info(since, "amorgan"),
                });
                let cid = self.s.insert(Kind::Contact, rec);
                co.contacts.push(cid);
            }
            if co.contacts.len() > 1 {
                let first = co.contacts[0];
                let r = self.refer(Kind::Contact, first);
                if let Some(c) = self.s.get_mut(Kind::Company, id) {
                    c["defaultContact"] = r;
                }
            }
            for k in 0..self.rng.random_range(3..12) {
                let &(prefix, ctype, os) = self.pick(DEVICE_PREFIX);
                let dev = format!(
                    "{prefix}-{}{:02}",
                    &ident[..ident.len().min(4)].to_uppercase(),
                    k + 1
                );
                let purchased = self.anchor - Duration::days(self.rng.random_range(30..1800));
                let contact = co.contacts[self.rng.random_range(0..co.contacts.len())];
                let rec = json!({
                    "name": dev,
                    "deviceIdentifier": dev,
                    "type": {"id": DEVICE_PREFIX.iter().position(|d| d.1 == ctype).unwrap_or(0) as i64 + 1, "name": ctype},
                    "status": {"id": 1, "name": "Active"},
                    "company": self.refer(Kind::Company, id),
                    "contact": self.refer(Kind::Contact, contact),
                    "serialNumber": format!("{}{:08X}", &prefix[..2], self.rng.random::<u32>()),
                    "modelNumber": format!("{}-{}", *self.pick(MANUFACTURERS), self.rng.random_range(100..999)),
                    "tagNumber": format!("HV-{:05}", self.rng.random_range(0..99999)),
                    "ipAddress": format!("10.{}.{}.{}", i % 250, k / 250, 10 + k % 240),
                    "macAddress": format!("00:1A:2B:{:02X}:{:02X}:{:02X}", i % 256, k % 256, self.rng.random::<u8>()),
                    "defaultGateway": format!("10.{}.0.1", i % 250),
                    "osType": os.split(' ').next().unwrap_or(os),
                    "osInfo": os,
                    "cpuSpeed": "3.2 GHz",
                    "ram": *self.pick(&["8 GB", "16 GB", "32 GB", "64 GB"]),
                    "manufacturer": {"id": 1, "name": *self.pick(MANUFACTURERS)},
                    "purchaseDate": fmt_dt(purchased),
                    "installationDate": fmt_dt(purchased + Duration::days(7)),
                    "warrantyExpirationDate": fmt_dt(purchased + Duration::days(365 * 3)),
                    "activeFlag": true,
                    "billFlag": true,
                    "_info": info(purchased, "amorgan"),
                });
                let cfg = self.s.insert(Kind::Configuration, rec);
                co.configs.push((cfg, dev));
            }
            out.push(co);
        }
        out
    }

    fn agreements_and_sales(&mut self, companies: &[Co]) {
        for (i, co) in companies.iter().enumerate() {
            let start = self.anchor - Duration::days(self.rng.random_range(30..900));
            let (name, tname) = *self.pick(&[
                ("Managed Services - Gold", "Managed Services"),
                ("Managed Services - Silver", "Managed Services"),
                ("Block Hours - 20h", "Block Time"),
                ("Backup as a Service", "Recurring Service"),
            ]);
            let cancelled = self.chance(0.08);
            let rec = json!({
                "name": name,
                "type": {"id": 1, "name": tname},
                "company": self.refer(Kind::Company, co.id),
                "contact": self.refer(Kind::Contact, co.contacts[0]),
                "startDate": fmt_dt(start),
                "endDate": fmt_dt(start + Duration::days(365)),
                "noEndingDateFlag": false,
                "cancelledFlag": cancelled,
                "agreementStatus": if cancelled { "Cancelled" } else if start + Duration::days(365) < self.anchor { "Expired" } else { "Active" },
                "billAmount": *self.pick(&[499.0, 1250.0, 2400.0, 3900.0]),
                "billTime": "NoCharge",
                "applicationUnits": "Hours",
                "applicationLimit": 20.0,
                "_info": info(start, "amorgan"),
            });
            self.s.insert(Kind::Agreement, rec);
            if i % 2 == 0 {
                let rep = self.techs[0];
                let close = self.anchor + Duration::days(self.rng.random_range(-60..90));
                let (status, prob) =
                    *self.pick(&[("Open", 50), ("Open", 25), ("Won", 100), ("Lost", 0)]);
                let name = *self.pick(OPPORTUNITIES);
                let opp = self.s.insert(Kind::Opportunity, json!({
                    "name": name,
                    "expectedCloseDate": fmt_dt(close),
                    "type": {"id": 1, "name": "New Business"},
                    "stage": {"id": 1, "name": if status == "Open" { "Proposal" } else { "Closed" }},
                    "status": {"id": 1, "name": status},
                    "probability": {"id": 1, "name": format!("{prob}%")},
                    "primarySalesRep": self.refer(Kind::Member, rep),
                    "company": self.refer(Kind::Company, co.id),
                    "contact": self.refer(Kind::Contact, co.contacts[0]),
                    "notes": "Customer asked for a quote after the last QBR.",
                    "_info": info(close - Duration::days(45), "amorgan"),
                }));
                let when = close - Duration::days(10);
                let done = when < self.anchor;
                let assignee = self.techs[self.rng.random_range(0..self.techs.len())];
                let rec = json!({
                    "name": format!("Follow up: {name}"),
                    "type": {"id": 1, "name": *self.pick(&["Call", "Email", "Meeting"])},
                    "company": self.refer(Kind::Company, co.id),
                    "contact": self.refer(Kind::Contact, co.contacts[0]),
                    "status": {"id": if done { 2 } else { 1 }, "name": if done { "Closed" } else { "Open" }},
                    "opportunity": self.refer(Kind::Opportunity, opp),
                    "notes": "Review the proposal and confirm timeline.",
                    "dateStart": fmt_dt(when),
                    "dateEnd": fmt_dt(when + Duration::minutes(30)),
                    "assignedBy": self.refer(Kind::Member, 1),
                    "assignTo": self.refer(Kind::Member, assignee),
                    "_info": info(when - Duration::days(3), "amorgan"),
                });
                self.s.insert(Kind::Activity, rec);
            }
        }
    }

    fn projects(&mut self, companies: &[Co]) {
        for co in companies.iter().step_by(4) {
            let start = self.anchor - Duration::days(self.rng.random_range(10..200));
            let end = start + Duration::days(self.rng.random_range(30..120));
            let closed = end < self.anchor && self.chance(0.7);
            let manager = self.techs[self.rng.random_range(0..self.techs.len())];
            let name = *self.pick(PROJECTS);
            let pid = self.s.insert(Kind::Project, json!({
                "name": name,
                "billingMethod": "FixedFee",
                "board": {"id": 4, "name": "Professional Services"},
                "company": self.refer(Kind::Company, co.id),
                "contact": self.refer(Kind::Contact, co.contacts[0]),
                "estimatedStart": fmt_dt(start),
                "estimatedEnd": fmt_dt(end),
                "estimatedHours": 40.0,
                "actualHours": if closed { 38.5 } else { 12.0 },
                "percentComplete": if closed { 100.0 } else { 35.0 },
                "manager": self.refer(Kind::Member, manager),
                "status": {"id": if closed { 3 } else { 1 }, "name": if closed { "Closed" } else { "Open" }},
                "closedFlag": closed,
                "description": format!("{name} for {}", self.s.get(Kind::Company, co.id).map(|c| c["name"].to_string()).unwrap_or_default()),
                "_info": info(start, "amorgan"),
            }));
            let proj_ref = json!({"id": pid, "name": name});
            for (pi, phase) in PHASES.iter().enumerate() {
                let ph = self.s.insert(
                    Kind::ProjectPhase,
                    json!({
                        "projectId": pid, "description": phase, "wbsCode": format!("{}", pi + 1),
                        "status": {"id": 1, "name": if closed { "Closed" } else { "Open" }},
                        "scheduledHours": 12.0, "_info": info(start, "amorgan"),
                    }),
                );
                for ti in 0..2 {
                    let task = *self.pick(PROJECT_TASKS);
                    let owner = self.techs[self.rng.random_range(0..self.techs.len())];
                    let tid = self.s.insert(
                        Kind::ProjectTicket,
                        json!({
                            "summary": task,
                            "board": {"id": 4, "name": "Professional Services"},
                            "status": {"id": 0, "name": if closed { ">Closed" } else { "New" }},
                            "project": proj_ref,
                            "phase": {"id": ph, "name": phase},
                            "wbsCode": format!("{}.{}", pi + 1, ti + 1),
                            "company": self.refer(Kind::Company, co.id),
                            "contact": self.refer(Kind::Contact, co.contacts[0]),
                            "owner": self.refer(Kind::Member, owner),
                            "closedFlag": closed,
                            "budgetHours": 4.0,
                            "_info": info(start, "amorgan"),
                        }),
                    );
                    self.s.insert(Kind::ProjectTicketNote, json!({
                        "ticketId": tid, "text": format!("Plan: {task}."), "detailDescriptionFlag": true,
                        "internalAnalysisFlag": false, "resolutionFlag": false,
                        "member": self.refer(Kind::Member, owner), "internalFlag": false, "externalFlag": true,
                        "_info": info(start, "amorgan"),
                    }));
                }
            }
        }
        // Project statuses share the board's status ids in ConnectWise; fill them in.
        let ps_status: Vec<(i64, String)> = self
            .s
            .table(Kind::BoardStatus)
            .values()
            .filter(|s| s["board"]["id"] == json!(4))
            .map(|s| {
                (
                    s["id"].as_i64().unwrap_or(0),
                    s["name"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let ids: Vec<i64> = self.s.table(Kind::ProjectTicket).keys().copied().collect();
        for id in ids {
            if let Some(t) = self.s.get_mut(Kind::ProjectTicket, id) {
                let name = t["status"]["name"].as_str().unwrap_or("").to_string();
                if let Some((sid, _)) = ps_status.iter().find(|(_, n)| *n == name) {
                    t["status"]["id"] = json!(sid);
                }
            }
        }
    }

    /// Weekly sheets for every technician from six months back to this week: past ones
    /// approved, this week's open.
    fn sheets(&mut self) {
        let this_week = week_start(self.anchor.date_naive());
        let techs = self.techs.clone();
        for m in techs {
            let mref = self.refer(Kind::Member, m);
            for w in (0..=SHEET_WEEKS).rev() {
                let monday = this_week - Duration::weeks(w);
                let end = monday + Duration::days(6);
                let iso = monday.iso_week();
                let id = self.s.insert(Kind::TimeSheet, json!({
                    "member": mref,
                    "year": iso.year(),
                    "period": iso.week(),
                    "dateStart": format!("{monday}T00:00:00Z"),
                    "dateEnd": format!("{end}T00:00:00Z"),
                    "status": if w == 0 { "Open" } else { "ApprovedByTierTwo" },
                    "hours": 0.0,
                    "deadline": format!("{}T00:00:00Z", end + Duration::days(2)),
                    "_info": info(monday.and_hms_opt(8, 0, 0).map(|d| d.and_utc()).unwrap_or(self.anchor), "amorgan"),
                }));
                self.sheets.insert((m, monday), id);
            }
        }
    }

    fn tickets(&mut self, n: usize, boards: &[Board], companies: &[Co]) {
        let horizon = 180 * 24 * 3600i64;
        // Customer-written hostile text goes on a fixed slice of tickets so every tenant has it.
        for i in 0..n {
            let age = if i % 10 < 3 {
                self.rng.random_range(0..7 * 24 * 3600)
            } else {
                self.rng.random_range(0..horizon)
            };
            let entered = self.anchor - Duration::seconds(age + 600);
            let bi = match self.rng.random_range(0..100) {
                0..=59 => 0,
                60..=74 => 1,
                75..=94 => 2,
                _ => 3,
            };
            let board = &boards[bi];
            let co = &companies[self.rng.random_range(0..companies.len())];
            let contact = co.contacts[self.rng.random_range(0..co.contacts.len())];
            let (cfg_id, cfg_name) = co.configs[self.rng.random_range(0..co.configs.len())].clone();
            let cname = contact_name(self.s.get(Kind::Contact, contact).unwrap_or(&Value::Null));
            let template = if bi == 2 {
                *self.pick(ALERT_SUMMARIES)
            } else {
                *self.pick(SUMMARIES)
            };
            let summary: String = template
                .replace("{cfg}", &cfg_name)
                .replace("{person}", &cname)
                .chars()
                .take(100)
                .collect();
            let closed_p = match age / 86_400 {
                0..=2 => 0.1,
                3..=30 => 0.5,
                _ => 0.96,
            };
            let closed = self.chance(closed_p);
            let open_statuses: Vec<i64> = board
                .statuses
                .iter()
                .filter(|s| !s.1)
                .map(|s| s.0)
                .collect();
            let closed_statuses: Vec<i64> =
                board.statuses.iter().filter(|s| s.1).map(|s| s.0).collect();
            let status = if closed {
                *self.pick(&closed_statuses)
            } else {
                *self.pick(&open_statuses)
            };
            let is_new = status == open_statuses[0];
            let owner = if is_new && self.chance(0.6) {
                None
            } else {
                Some(self.techs[self.rng.random_range(0..self.techs.len())])
            };
            let prio = *self.pick(&[1i64, 2, 3, 3, 3, 3, 4]);
            let ttype = *self.pick(&board.types);
            let sub = *self.pick(&board.subtypes);
            let item = *self.pick(&board.items);
            let updated = if closed {
                entered + Duration::seconds(self.rng.random_range(600..age.max(601)))
            } else {
                entered + Duration::seconds(self.rng.random_range(0..age.max(1) + 1))
            };
            let updated = updated.min(self.anchor);
            let owner_ident = owner
                .and_then(|o| self.s.get(Kind::Member, o))
                .and_then(|m| m["identifier"].as_str())
                .unwrap_or("dreyes")
                .to_string();
            let contact_rec = self
                .s
                .get(Kind::Contact, contact)
                .cloned()
                .unwrap_or(Value::Null);
            let email = contact_rec["communicationItems"][0]["value"].clone();
            let mut t = json!({
                "summary": summary,
                "recordType": "ServiceTicket",
                "board": self.refer(Kind::Board, board.id),
                "status": self.refer(Kind::BoardStatus, status),
                "company": self.refer(Kind::Company, co.id),
                "contact": self.refer(Kind::Contact, contact),
                "contactName": cname,
                "contactEmailAddress": email,
                "contactPhoneNumber": contact_rec["defaultPhoneNbr"],
                "type": self.refer(Kind::BoardType, ttype),
                "subType": self.refer(Kind::BoardSubType, sub),
                "item": self.refer(Kind::BoardItem, item),
                "priority": self.refer(Kind::Priority, prio),
                "source": {"id": if bi == 2 { 3 } else { 1 }, "name": if bi == 2 { "Monitoring" } else { "Email Connector" }},
                "severity": "Medium",
                "impact": "Medium",
                "closedFlag": closed,
                "customerUpdatedFlag": !closed && self.chance(0.15),
                "approved": true,
                "hasChildTicket": false,
                "isInSla": self.chance(0.85),
                "billTime": "Billable",
                "_info": {"lastUpdated": fmt_dt(updated), "updatedBy": owner_ident, "dateEntered": fmt_dt(entered), "enteredBy": "Email Connector"},
            });
            if let Some(o) = owner {
                t["owner"] = self.refer(Kind::Member, o);
                // Some tickets pull in a second technician as a resource.
                let helper = self.techs[self.rng.random_range(0..self.techs.len())];
                let helper_ident = self
                    .s
                    .get(Kind::Member, helper)
                    .and_then(|m| m["identifier"].as_str())
                    .unwrap_or("")
                    .to_string();
                t["resources"] = if helper != o && self.chance(0.15) {
                    json!(format!("{owner_ident}, {helper_ident}"))
                } else {
                    json!(owner_ident)
                };
            }
            if closed {
                t["closedDate"] = json!(fmt_dt(updated));
                t["closedBy"] = json!(owner_ident);
                t["dateResolved"] = json!(fmt_dt(updated));
            }
            let tid = self.s.insert(Kind::Ticket, t);
            if bi != 2 || self.chance(0.5) {
                self.ticket_configs.insert(tid, vec![cfg_id]);
            }
            // The customer's opening description, sometimes hostile.
            let opening = if i % 13 == 5 {
                HOSTILE_NOTES[(i / 13) % HOSTILE_NOTES.len()].to_string()
            } else if bi == 2 {
                format!("Automated alert from monitoring for {cfg_name}.")
            } else {
                CUSTOMER_NOTES[0].to_string()
            };
            self.note(
                tid,
                &opening,
                (true, false, false),
                None,
                Some(contact),
                entered,
            );
            let Some(o) = owner else { continue };
            let steps = self.rng.random_range(1..4);
            let span = (updated - entered).num_seconds().max(steps as i64 * 1800);
            for s in 0..steps {
                let at = (entered + Duration::seconds(span * (s as i64 + 1) / (steps as i64 + 1)))
                    .min(self.anchor);
                let text = *self.pick(TECH_NOTES);
                if self.chance(0.7) {
                    self.note(tid, text, (false, true, false), Some(o), None, at);
                } else {
                    self.note(
                        tid,
                        "Update: we are working on this and will follow up shortly.",
                        (true, false, false),
                        Some(o),
                        None,
                        at,
                    );
                }
                if self.chance(0.25) {
                    let reply = *self.pick(CUSTOMER_NOTES);
                    self.note(
                        tid,
                        reply,
                        (true, false, false),
                        None,
                        Some(contact),
                        at + Duration::minutes(20),
                    );
                }
                self.time_entry(tid, co.id, o, at, text);
            }
            if closed {
                self.note(
                    tid,
                    "Resolved: issue fixed and confirmed with the customer.",
                    (false, false, true),
                    Some(o),
                    None,
                    updated,
                );
            }
        }
    }

    fn note(
        &mut self,
        ticket: i64,
        text: &str,
        flags: (bool, bool, bool),
        member: Option<i64>,
        contact: Option<i64>,
        at: DateTime<Utc>,
    ) {
        let by = member
            .and_then(|m| self.s.get(Kind::Member, m))
            .and_then(|m| m["identifier"].as_str())
            .unwrap_or("Portal")
            .to_string();
        let mut n = json!({
            "ticketId": ticket,
            "text": text,
            "detailDescriptionFlag": flags.0,
            "internalAnalysisFlag": flags.1,
            "resolutionFlag": flags.2,
            "issueFlag": false,
            "customerUpdatedFlag": contact.is_some(),
            "dateCreated": fmt_dt(at),
            "createdBy": by,
            "internalFlag": flags.1,
            "externalFlag": flags.0 || flags.2,
            "_info": {"lastUpdated": fmt_dt(at), "updatedBy": by},
        });
        if let Some(m) = member {
            n["member"] = self.refer(Kind::Member, m);
        }
        if let Some(c) = contact {
            n["contact"] = self.refer(Kind::Contact, c);
        }
        self.s.insert(Kind::TicketNote, n);
    }

    fn time_entry(
        &mut self,
        ticket: i64,
        company: i64,
        member: i64,
        at: DateTime<Utc>,
        text: &str,
    ) {
        let monday = week_start(at.date_naive());
        let Some(&sheet) = self.sheets.get(&(member, monday)) else {
            return;
        };
        let quarters = self.rng.random_range(1..9) as i64;
        let start = at - Duration::minutes(quarters * 15);
        let hours = quarters as f64 * 0.25;
        let status = self
            .s
            .get(Kind::TimeSheet, sheet)
            .map(|s| s["status"].clone())
            .unwrap_or(json!("Open"));
        let by = self
            .s
            .get(Kind::Member, member)
            .and_then(|m| m["identifier"].as_str())
            .unwrap_or("")
            .to_string();
        let (ticket_summary, board, tstatus) = self
            .s
            .get(Kind::Ticket, ticket)
            .map(|t| {
                (
                    t["summary"].clone(),
                    t["board"]["name"].clone(),
                    t["status"]["name"].clone(),
                )
            })
            .unwrap_or_default();
        self.s.insert(Kind::TimeEntry, json!({
            "company": self.refer(Kind::Company, company),
            "chargeToId": ticket,
            "chargeToType": "ServiceTicket",
            "member": self.refer(Kind::Member, member),
            "workType": self.refer(Kind::WorkType, 1),
            "workRole": self.refer(Kind::WorkRole, 1),
            "timeStart": fmt_dt(start),
            "timeEnd": fmt_dt(at),
            "actualHours": hours,
            "hoursDeduct": 0.0,
            "billableOption": "Billable",
            "notes": text,
            "addToDetailDescriptionFlag": false,
            "addToInternalAnalysisFlag": true,
            "addToResolutionFlag": false,
            "emailResourceFlag": false,
            "emailContactFlag": false,
            "emailCcFlag": false,
            "enteredBy": by,
            "dateEntered": fmt_dt(at),
            "timeSheet": self.refer(Kind::TimeSheet, sheet),
            "status": status,
            "ticket": {"id": ticket, "summary": ticket_summary},
            "ticketBoard": board,
            "ticketStatus": tstatus,
            "_info": {"lastUpdated": fmt_dt(at), "updatedBy": by, "dateEntered": fmt_dt(at), "enteredBy": by},
        }));
        if let Some(s) = self.s.get_mut(Kind::TimeSheet, sheet) {
            let h = s["hours"].as_f64().unwrap_or(0.0) + hours;
            s["hours"] = json!(h);
        }
    }

    /// Upcoming schedule entries for open, owned tickets.
    fn schedules(&mut self) {
        let open: Vec<(i64, i64, String)> = self
            .s
            .table(Kind::Ticket)
            .values()
            .filter(|t| t["closedFlag"] == json!(false) && t["owner"]["id"].is_i64())
            .take(200)
            .map(|t| {
                (
                    t["id"].as_i64().unwrap_or(0),
                    t["owner"]["id"].as_i64().unwrap_or(0),
                    t["summary"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        for (k, (tid, owner, summary)) in open.into_iter().enumerate() {
            if k % 3 != 0 {
                continue;
            }
            let start = self.anchor + Duration::hours(self.rng.random_range(1..96));
            self.s.insert(
                Kind::ScheduleEntry,
                json!({
                    "objectId": tid,
                    "name": summary,
                    "member": self.refer(Kind::Member, owner),
                    "dateStart": fmt_dt(start),
                    "dateEnd": fmt_dt(start + Duration::hours(1)),
                    "type": {"id": 4, "identifier": "S"},
                    "status": {"id": 2, "name": "Firm"},
                    "span": {"id": 1, "identifier": "N"},
                    "doneFlag": false,
                    "acknowledgedFlag": false,
                    "hours": 1.0,
                    "_info": info(self.anchor, "dreyes"),
                }),
            );
        }
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
