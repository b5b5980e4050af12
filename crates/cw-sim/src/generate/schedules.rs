//! Upcoming schedule entries: every third of the first 200 open, owned tickets is booked
//! with its owner in the next four days.

use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::{info, Gen};
use crate::json::Json;
use crate::kind::Kind;
use crate::store::fmt_dt;

impl Gen {
    /// Upcoming schedule entries for open, owned tickets.
    pub(super) fn schedules(&mut self) {
        let open: Vec<(i64, i64, String)> = self
            .s
            .table(Kind::Ticket)
            .values()
            .filter(|t| *t.at("closedFlag") == json!(false) && t.at("owner").at("id").is_i64())
            .take(200)
            .map(|t| {
                (
                    t.at("id").as_i64().unwrap_or(0),
                    t.at("owner").at("id").as_i64().unwrap_or(0),
                    t.at("summary").as_str().unwrap_or("").to_string(),
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
