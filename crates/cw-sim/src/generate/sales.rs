//! What each company has bought and might buy: an agreement per company, and for every other
//! company an opportunity with a follow-up activity.

use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::text::OPPORTUNITIES;
use super::{info, Co, Gen};
use crate::kind::Kind;
use crate::store::fmt_dt;

impl Gen {
    pub(super) fn agreements_and_sales(&mut self, companies: &[Co]) {
        for (i, co) in companies.iter().enumerate() {
            let start = self.anchor - Duration::days(self.rng.random_range(30..900));
            let (name, tname) = self.pick(&[
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
                "contact": self.refer(Kind::Contact, co.main_contact()),
                "startDate": fmt_dt(start),
                "endDate": fmt_dt(start + Duration::days(365)),
                "noEndingDateFlag": false,
                "cancelledFlag": cancelled,
                "agreementStatus": if cancelled { "Cancelled" } else if start + Duration::days(365) < self.anchor { "Expired" } else { "Active" },
                "billAmount": self.pick(&[499.0, 1250.0, 2400.0, 3900.0]),
                "billTime": "NoCharge",
                "applicationUnits": "Hours",
                "applicationLimit": 20.0,
                "_info": info(start, "amorgan"),
            });
            self.s.insert(Kind::Agreement, rec);
            if i % 2 == 0 {
                let rep = self.techs.first().copied().unwrap_or(1);
                let close = self.anchor + Duration::days(self.rng.random_range(-60..90));
                let (status, prob) =
                    self.pick(&[("Open", 50), ("Open", 25), ("Won", 100), ("Lost", 0)]);
                let name = self.pick(OPPORTUNITIES);
                let opp = self.s.insert(Kind::Opportunity, json!({
                    "name": name,
                    "expectedCloseDate": fmt_dt(close),
                    "type": {"id": 1, "name": "New Business"},
                    "stage": {"id": 1, "name": if status == "Open" { "Proposal" } else { "Closed" }},
                    "status": {"id": 1, "name": status},
                    "probability": {"id": 1, "name": format!("{prob}%")},
                    "primarySalesRep": self.refer(Kind::Member, rep),
                    "company": self.refer(Kind::Company, co.id),
                    "contact": self.refer(Kind::Contact, co.main_contact()),
                    "notes": "Customer asked for a quote after the last QBR.",
                    "_info": info(close - Duration::days(45), "amorgan"),
                }));
                let when = close - Duration::days(10);
                let done = when < self.anchor;
                let assignee = self.tech();
                let rec = json!({
                    "name": format!("Follow up: {name}"),
                    "type": {"id": 1, "name": self.pick(&["Call", "Email", "Meeting"])},
                    "company": self.refer(Kind::Company, co.id),
                    "contact": self.refer(Kind::Contact, co.main_contact()),
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
}
