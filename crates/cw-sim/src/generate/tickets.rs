//! Service tickets and their history: the customer's opening note (a fixed slice of them
//! hostile), one to three technician updates with the time logged for each, customer replies,
//! and a resolution note on closed tickets.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{json, Value};

use super::boards::{Board, Work, TICKET_SHARE};
use super::text::{ALERT_SUMMARIES, CUSTOMER_NOTES, HOSTILE_NOTES, SUMMARIES, TECH_NOTES};
use super::{Co, Gen};
use crate::json::Json;
use crate::kind::Kind;
use crate::store::{contact_name, fmt_dt, period_start, NoteFlags};

/// Every how-many-th ticket opens with hostile customer text (prompt injection, invisible
/// characters, HTML), so every tenant has some.
const HOSTILE_EVERY: usize = 13;

/// Who wrote a note: a member, or a customer contact.
#[derive(Clone, Copy)]
enum Author {
    Member(i64),
    Contact(i64),
}

/// Where a ticket sits: board, company, the contact who raised it and the device it is about.
struct Setting<'a> {
    board: &'a Board,
    company: i64,
    contact: i64,
    device: (i64, String),
}

/// A ticket's life so far.
struct Life {
    entered: DateTime<Utc>,
    updated: DateTime<Utc>,
    closed: bool,
    status: i64,
    owner: Option<i64>,
}

impl Gen {
    pub(super) fn tickets(&mut self, n: usize, boards: &[Board], companies: &[Co]) {
        for i in 0..n {
            self.ticket(i, boards, companies);
        }
    }

    fn ticket(&mut self, i: usize, boards: &[Board], companies: &[Co]) {
        let horizon = 180 * 24 * 3600i64;
        // Three in ten tickets are from the last week; the rest spread over six months.
        let age = if i % 10 < 3 {
            self.rng.random_range(0..7 * 24 * 3600)
        } else {
            self.rng.random_range(0..horizon)
        };
        let entered = self.anchor - Duration::seconds(age + 600);
        let Some(board) = self.board_by_share(boards) else {
            return;
        };
        let Some(co) = companies.get(self.index(companies.len())) else {
            return;
        };
        let contact = self.pick(&co.contacts);
        let device = co
            .configs
            .get(self.index(co.configs.len()))
            .cloned()
            .unwrap_or_default();
        let at = Setting {
            board,
            company: co.id,
            contact,
            device,
        };
        let alerts = board.work == Work::Alerts;
        let cname = contact_name(self.s.get(Kind::Contact, contact).unwrap_or(&Value::Null));
        let template = self.pick(if alerts { ALERT_SUMMARIES } else { SUMMARIES });
        let summary: String = template
            .replace("{cfg}", &at.device.1)
            .replace("{person}", &cname)
            .chars()
            .take(100)
            .collect();
        let life = self.life(age, entered, board);
        let tid = self.ticket_record(&at, &life, summary, &cname);
        if !alerts || self.chance(0.5) {
            self.ticket_configs.insert(tid, vec![at.device.0]);
        }
        let opening = if i % HOSTILE_EVERY == 5 {
            HOSTILE_NOTES
                .get((i / HOSTILE_EVERY) % HOSTILE_NOTES.len())
                .copied()
                .unwrap_or_default()
                .to_string()
        } else if alerts {
            format!("Automated alert from monitoring for {}.", at.device.1)
        } else {
            CUSTOMER_NOTES
                .first()
                .copied()
                .unwrap_or_default()
                .to_string()
        };
        self.note(
            tid,
            &opening,
            NoteFlags::DISCUSSION,
            Author::Contact(contact),
            entered,
        );
        if let Some(owner) = life.owner {
            self.history(tid, &at, &life, owner);
        }
    }

    /// A board, chosen by each board's share of tickets.
    fn board_by_share<'b>(&mut self, boards: &'b [Board]) -> Option<&'b Board> {
        let roll = self.rng.random_range(0..100u32);
        let mut upto = 0;
        let i = TICKET_SHARE
            .iter()
            .position(|share| {
                upto += share;
                roll < upto
            })
            .unwrap_or(TICKET_SHARE.len() - 1);
        boards.get(i)
    }

    /// Open or closed (older tickets are mostly closed), status, owner and last update.
    fn life(&mut self, age: i64, entered: DateTime<Utc>, board: &Board) -> Life {
        let closed_p = match age / 86_400 {
            0..=2 => 0.1,
            3..=30 => 0.5,
            _ => 0.96,
        };
        let closed = self.chance(closed_p);
        let of = |closes: bool| -> Vec<i64> {
            board
                .statuses
                .iter()
                .filter(|s| s.1 == closes)
                .map(|s| s.0)
                .collect()
        };
        let (open_statuses, closed_statuses) = (of(false), of(true));
        let status = self.pick(if closed {
            &closed_statuses
        } else {
            &open_statuses
        });
        // A new ticket is often still in the dispatcher's queue.
        let is_new = open_statuses.first() == Some(&status);
        let owner = if is_new && self.chance(0.6) {
            None
        } else {
            Some(self.tech())
        };
        let updated = if closed {
            entered + Duration::seconds(self.rng.random_range(600..age.max(601)))
        } else {
            entered + Duration::seconds(self.rng.random_range(0..age.max(1) + 1))
        };
        Life {
            entered,
            updated: updated.min(self.anchor),
            closed,
            status,
            owner,
        }
    }

    /// Stores the ticket itself.
    fn ticket_record(&mut self, at: &Setting, life: &Life, summary: String, cname: &str) -> i64 {
        let board = at.board;
        let alerts = board.work == Work::Alerts;
        let prio = self.pick(&[1i64, 2, 3, 3, 3, 3, 4]);
        let ttype = self.pick(&board.types);
        let sub = self.pick(&board.subtypes);
        let item = self.pick(&board.items);
        let owner_ident = life
            .owner
            .map(|o| self.ident_of(o))
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| "dreyes".into());
        let contact_rec = self
            .s
            .get(Kind::Contact, at.contact)
            .cloned()
            .unwrap_or(Value::Null);
        let email = contact_rec
            .at("communicationItems")
            .get(0)
            .map(|c| c.at("value").clone())
            .unwrap_or(Value::Null);
        let (source_id, source) = if alerts {
            (3, "Monitoring")
        } else {
            (1, "Email Connector")
        };
        let mut t = json!({
            "summary": summary,
            "recordType": "ServiceTicket",
            "board": self.refer(Kind::Board, board.id),
            "status": self.refer(Kind::BoardStatus, life.status),
            "company": self.refer(Kind::Company, at.company),
            "contact": self.refer(Kind::Contact, at.contact),
            "contactName": cname,
            "contactEmailAddress": email,
            "contactPhoneNumber": contact_rec.at("defaultPhoneNbr"),
            "type": self.refer(Kind::BoardType, ttype),
            "subType": self.refer(Kind::BoardSubType, sub),
            "item": self.refer(Kind::BoardItem, item),
            "priority": self.refer(Kind::Priority, prio),
            "source": {"id": source_id, "name": source},
            "severity": "Medium",
            "impact": "Medium",
            "closedFlag": life.closed,
            "customerUpdatedFlag": !life.closed && self.chance(0.15),
            "approved": true,
            "hasChildTicket": false,
            "isInSla": self.chance(0.85),
            "billTime": "Billable",
            "_info": {"lastUpdated": fmt_dt(life.updated), "updatedBy": owner_ident, "dateEntered": fmt_dt(life.entered), "enteredBy": "Email Connector"},
        });
        if let Some(o) = life.owner {
            t.set(&["owner"], self.refer(Kind::Member, o));
            // Some tickets pull in a second technician as a resource.
            let helper = self.tech();
            let helper_ident = self.ident_of(helper);
            let resources = if helper != o && self.chance(0.15) {
                format!("{owner_ident}, {helper_ident}")
            } else {
                owner_ident.clone()
            };
            t.set(&["resources"], json!(resources));
        }
        if !life.closed {
            // The due date the board's SLA gives it: sooner the higher the priority.
            let hours = match prio {
                1 => 4,
                2 => 24,
                3 => 72,
                4 => 168,
                _ => 336,
            };
            let due = life.entered + Duration::hours(hours);
            t.set(&["requiredDate"], json!(fmt_dt(due)));
            // Past its due date, it is out of SLA.
            if due <= self.anchor {
                t.set(&["isInSla"], json!(false));
            }
        }
        if life.closed {
            t.set(&["closedDate"], json!(fmt_dt(life.updated)));
            t.set(&["closedBy"], json!(owner_ident));
            t.set(&["dateResolved"], json!(fmt_dt(life.updated)));
        }
        self.s.insert(Kind::Ticket, t)
    }

    /// What happened after the ticket was opened: updates by its owner with time logged,
    /// sometimes a customer reply, and a resolution when it closed.
    fn history(&mut self, tid: i64, at: &Setting, life: &Life, owner: i64) {
        let steps = self.rng.random_range(1..4);
        let span = (life.updated - life.entered)
            .num_seconds()
            .max(steps as i64 * 1800);
        for s in 0..steps {
            let when = (life.entered
                + Duration::seconds(span * (s as i64 + 1) / (steps as i64 + 1)))
            .min(self.anchor);
            let text = self.pick(TECH_NOTES);
            if self.chance(0.7) {
                self.note(tid, text, NoteFlags::INTERNAL, Author::Member(owner), when);
            } else {
                self.note(
                    tid,
                    "Update: we are working on this and will follow up shortly.",
                    NoteFlags::DISCUSSION,
                    Author::Member(owner),
                    when,
                );
            }
            if self.chance(0.25) {
                let reply = self.pick(CUSTOMER_NOTES);
                self.note(
                    tid,
                    reply,
                    NoteFlags::DISCUSSION,
                    Author::Contact(at.contact),
                    when + Duration::minutes(20),
                );
            }
            self.time_entry(tid, at.company, owner, when, text);
        }
        if life.closed {
            self.note(
                tid,
                "Resolved: issue fixed and confirmed with the customer.",
                NoteFlags::RESOLUTION,
                Author::Member(owner),
                life.updated,
            );
        }
    }

    fn note(&mut self, ticket: i64, text: &str, flags: NoteFlags, by: Author, at: DateTime<Utc>) {
        let created_by = match by {
            Author::Member(m) => self.ident_of(m),
            Author::Contact(_) => "Portal".into(),
        };
        let mut n = json!({
            "ticketId": ticket,
            "text": text,
            "detailDescriptionFlag": flags.detail,
            "internalAnalysisFlag": flags.internal,
            "resolutionFlag": flags.resolution,
            "issueFlag": false,
            "customerUpdatedFlag": matches!(by, Author::Contact(_)),
            "dateCreated": fmt_dt(at),
            "createdBy": created_by,
            "internalFlag": flags.internal,
            "externalFlag": flags.customer_visible(),
            "_info": {"lastUpdated": fmt_dt(at), "updatedBy": created_by},
        });
        match by {
            Author::Member(m) => n.set(&["member"], self.refer(Kind::Member, m)),
            Author::Contact(c) => n.set(&["contact"], self.refer(Kind::Contact, c)),
        }
        self.s.insert(Kind::TicketNote, n);
    }

    /// Time a member logged on a ticket, ending at `at`, on their sheet for that week.
    fn time_entry(
        &mut self,
        ticket: i64,
        company: i64,
        member: i64,
        at: DateTime<Utc>,
        text: &str,
    ) {
        let monday = period_start(at.date_naive());
        let Some(&sheet) = self.sheets.get(&(member, monday)) else {
            return;
        };
        let quarters = self.rng.random_range(1..9) as i64;
        let start = at - Duration::minutes(quarters * 15);
        let hours = quarters as f64 * 0.25;
        let status = self
            .s
            .get(Kind::TimeSheet, sheet)
            .map(|s| s.at("status").clone())
            .unwrap_or(json!("Open"));
        let by = self.ident_of(member);
        let (ticket_summary, board, tstatus) = self
            .s
            .get(Kind::Ticket, ticket)
            .map(|t| {
                (
                    t.at("summary").clone(),
                    t.at("board").at("name").clone(),
                    t.at("status").at("name").clone(),
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
            let h = s.at("hours").as_f64().unwrap_or(0.0) + hours;
            s.set(&["hours"], json!(h));
        }
    }
}
