//! Projects for every fourth company, on the board that does project work, each with its
//! phases and two project tickets (with a planning note) per phase.

use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::boards::{board_for, Board, Work};
use super::text::{PHASES, PROJECTS, PROJECT_TASKS};
use super::{info, Co, Gen};
use crate::json::Json;
use crate::kind::Kind;
use crate::store::fmt_dt;

impl Gen {
    pub(super) fn projects(&mut self, companies: &[Co], boards: &[Board]) {
        let board = board_for(boards, Work::Projects)
            .map(|b| json!({"id": b.id, "name": b.name}))
            .unwrap_or_else(|| json!({"id": 1}));
        let board_id = board.at("id").as_i64().unwrap_or(1);
        for co in companies.iter().step_by(4) {
            let start = self.anchor - Duration::days(self.rng.random_range(10..200));
            let end = start + Duration::days(self.rng.random_range(30..120));
            let closed = end < self.anchor && self.chance(0.7);
            let manager = self.tech();
            let name = self.pick(PROJECTS);
            let pid = self.s.insert(Kind::Project, json!({
                "name": name,
                "billingMethod": "FixedFee",
                "board": board,
                "company": self.refer(Kind::Company, co.id),
                "contact": self.refer(Kind::Contact, co.main_contact()),
                "estimatedStart": fmt_dt(start),
                "estimatedEnd": fmt_dt(end),
                "estimatedHours": 40.0,
                "actualHours": if closed { 38.5 } else { 12.0 },
                "percentComplete": if closed { 100.0 } else { 35.0 },
                "manager": self.refer(Kind::Member, manager),
                "status": {"id": if closed { 3 } else { 1 }, "name": if closed { "Closed" } else { "Open" }},
                "closedFlag": closed,
                "description": format!("{name} for {}", self.s.get(Kind::Company, co.id).and_then(|c| c.at("name").as_str()).unwrap_or_default()),
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
                    let task = self.pick(PROJECT_TASKS);
                    let owner = self.tech();
                    let tid = self.s.insert(
                        Kind::ProjectTicket,
                        json!({
                            "summary": task,
                            "board": board,
                            "status": {"id": 0, "name": if closed { ">Closed" } else { "New" }},
                            "project": proj_ref,
                            "phase": {"id": ph, "name": phase},
                            "wbsCode": format!("{}.{}", pi + 1, ti + 1),
                            "company": self.refer(Kind::Company, co.id),
                            "contact": self.refer(Kind::Contact, co.main_contact()),
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
            .filter(|s| s.at("board").at("id").as_i64() == Some(board_id))
            .map(|s| {
                (
                    s.at("id").as_i64().unwrap_or(0),
                    s.at("name").as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let ids: Vec<i64> = self.s.table(Kind::ProjectTicket).keys().copied().collect();
        for id in ids {
            if let Some(t) = self.s.get_mut(Kind::ProjectTicket, id) {
                let name = t.at("status").at("name").as_str().unwrap_or("").to_string();
                if let Some((sid, _)) = ps_status.iter().find(|(_, n)| *n == name) {
                    t.set(&["status", "id"], json!(sid));
                }
            }
        }
    }
}
