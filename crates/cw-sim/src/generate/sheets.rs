//! Weekly time sheets for every member who works tickets, from six months back to this week:
//! past ones approved, this week's open.

use chrono::{Datelike, Duration};
use serde_json::json;

use super::{info, Gen, SHEET_WEEKS};
use crate::kind::Kind;
use crate::store::period_start;

impl Gen {
    /// Weekly sheets for every technician from six months back to this week: past ones
    /// approved, this week's open.
    pub(super) fn sheets(&mut self) {
        let this_week = period_start(self.anchor.date_naive());
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
}
