//! Customer companies, each with its contacts (one is the default) and its configurations
//! (devices with serials, addresses, OS and warranty).

use chrono::Duration;
use rand::Rng;
use serde_json::json;

use super::text::{COMPANY_A, COMPANY_B, DEVICE_PREFIX, FIRST, LAST, MANUFACTURERS};
use super::{info, Co, Gen};
use crate::json::Json;
use crate::kind::Kind;
use crate::store::fmt_dt;

impl Gen {
    pub(super) fn companies(&mut self, count: usize) -> Vec<Co> {
        let mut out = Vec::with_capacity(count);
        let mut used = std::collections::HashSet::new();
        for i in 0..count {
            let (a, b) = (self.pick(COMPANY_A), self.pick(COMPANY_B));
            let mut name = format!("{a} {b}");
            if !used.insert(name.clone()) {
                name = format!("{a} {b} {}", i + 1);
                used.insert(name.clone());
            }
            let ident: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let domain = format!("{}.example", ident.to_lowercase());
            let since = self.anchor - Duration::days(self.rng.random_range(200..3000));
            let status = if self.chance(0.06) { 2 } else { 1 };
            let city = self.pick(&[
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
                let (f, l) = (self.pick(FIRST), self.pick(LAST));
                let email = format!(
                    "{}.{}@{domain}",
                    f.to_lowercase(),
                    l.to_lowercase().replace('\'', "")
                );
                let rec = json!({
                    "firstName": f, "lastName": l,
                    "company": self.refer(Kind::Company, id),
                    "title": self.pick(&["Office Manager", "Owner", "Accountant", "Receptionist", "Operations Lead", "Controller"]),
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
                let r = self.refer(Kind::Contact, co.main_contact());
                if let Some(c) = self.s.get_mut(Kind::Company, id) {
                    c.set(&["defaultContact"], r);
                }
            }
            for k in 0..self.rng.random_range(3..12) {
                let (prefix, ctype, os) = self.pick(DEVICE_PREFIX);
                let dev = format!(
                    "{prefix}-{}{:02}",
                    ident.chars().take(4).collect::<String>().to_uppercase(),
                    k + 1
                );
                let purchased = self.anchor - Duration::days(self.rng.random_range(30..1800));
                let contact = self.pick(&co.contacts);
                let rec = json!({
                    "name": dev,
                    "deviceIdentifier": dev,
                    "type": {"id": DEVICE_PREFIX.iter().position(|d| d.1 == ctype).unwrap_or(0) as i64 + 1, "name": ctype},
                    "status": {"id": 1, "name": "Active"},
                    "company": self.refer(Kind::Company, id),
                    "contact": self.refer(Kind::Contact, contact),
                    "serialNumber": format!("{}{:08X}", prefix.chars().take(2).collect::<String>(), self.rng.random::<u32>()),
                    "modelNumber": format!("{}-{}", self.pick(MANUFACTURERS), self.rng.random_range(100..999)),
                    "tagNumber": format!("HV-{:05}", self.rng.random_range(0..99999)),
                    "ipAddress": format!("10.{}.{}.{}", i % 250, k / 250, 10 + k % 240),
                    "macAddress": format!("00:1A:2B:{:02X}:{:02X}:{:02X}", i % 256, k % 256, self.rng.random::<u8>()),
                    "defaultGateway": format!("10.{}.0.1", i % 250),
                    "osType": os.split(' ').next().unwrap_or(os),
                    "osInfo": os,
                    "cpuSpeed": "3.2 GHz",
                    "ram": self.pick(&["8 GB", "16 GB", "32 GB", "64 GB"]),
                    "manufacturer": {"id": 1, "name": self.pick(MANUFACTURERS)},
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
}
