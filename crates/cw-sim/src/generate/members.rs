//! The MSP's members: the named core team every tenant has (a manager, a dispatcher,
//! technicians, two API members), one more technician per 2,500 tickets, and their API keys.

use chrono::Duration;
use serde_json::json;

use super::text::{FIRST, LAST};
use super::{info, key, Gen};
use crate::auth::{ApiKey, Role};
use crate::kind::Kind;
use crate::store::fmt_dt;

impl Gen {
    pub(super) fn members(&mut self, tickets: usize) {
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
            let f = FIRST
                .get((k * 7 + 3) % FIRST.len())
                .copied()
                .unwrap_or("Sam");
            let l = LAST
                .get((k * 11 + 5) % LAST.len())
                .copied()
                .unwrap_or("Lee");
            let initial: String = f.chars().take(1).collect();
            let ident = format!("{initial}{}{}", l.replace('\'', ""), k + 2).to_lowercase();
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
                // Required by clients generated from the contract (pyconnectwise's model
                // validation fails without them), though ConnectWise marks them nullable.
                "invoiceScreenDefaultTabFormat": "ShowInvoicingTab",
                "invoicingDisplayOptions": "RemainOnInvoicingScreen",
                "agreementInvoicingDisplayOptions": "RemainOnInvoicingScreen",
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
}
