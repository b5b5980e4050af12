//! The lists other records point at: work types, work roles, priorities and company
//! statuses.

use chrono::Duration;
use serde_json::json;

use super::{info, Gen};
use crate::kind::Kind;

impl Gen {
    pub(super) fn catalogs(&mut self) {
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
}
