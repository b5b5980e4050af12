//! Believable words for the generic collections the product's tools read (ticket tasks,
//! company sites, teams, sources, invoices): the records keep their synthesised shape, but a
//! technician reading them sees a task list or a source list they recognise. A collection with
//! a fixed name list holds exactly those records, in that order; [`settle`] makes the fields of
//! one record agree with each other the way real data does.

use chrono::{DateTime, Duration};
use serde_json::{json, Map, Value};

/// The fixed records of a collection, by `name`, when it has them.
pub fn names(collection: &str) -> Option<&'static [&'static str]> {
    Some(match collection {
        // Ids 1 and 3 are what generated tickets carry as their source.
        "/service/sources" => &[
            "Email Connector",
            "Phone",
            "Monitoring",
            "Portal",
            "Walk-in",
            "Chat",
        ],
        "/service/teams" => &["Service Desk", "Field Services", "Projects", "NOC"],
        "/service/boards/{parentId}/teams" => &["Tier 1", "Tier 2", "Onsite"],
        "/company/companies/{parentId}/sites" => &["Main", "Warehouse", "Branch Office"],
        "/finance/billingTerms" => &["Net 15", "Net 30", "Due on receipt"],
        "/finance/billingStatuses" => &["New", "Sent", "Paid", "Overdue"],
        "/company/countries" => &["United States", "Canada", "United Kingdom", "Australia"],
        "/company/states" => &["Oregon", "Washington", "California", "Idaho"],
        "/system/departments" => &["Service", "Projects", "Sales", "Administration"],
        "/system/locations" => &["Portland", "Seattle", "Remote"],
        _ => return None,
    })
}

/// Words for one field of a collection's records, picked by the record's hash.
pub fn words(collection: &str, field: &str) -> Option<&'static [&'static str]> {
    Some(match (collection, field) {
        ("/service/tickets/{parentId}/tasks", "summary") => &[
            "Confirm last night's backup job completed",
            "Check the event log for disk errors",
            "Update the firewall firmware",
            "Call the user to confirm the fix",
            "Document the change in the runbook",
            "Reboot the server after hours",
            "Verify the printer queue is clear",
            "Remove the old user account",
        ],
        ("/service/tickets/{parentId}/tasks", "resolution") => &[
            "Done, no issues found.",
            "Completed and verified with the user.",
        ],
        (_, "city") => &[
            "Portland",
            "Beaverton",
            "Hillsboro",
            "Salem",
            "Bend",
            "Eugene",
        ],
        (_, "addressLine1") => &[
            "1200 NW Naito Pkwy",
            "455 SW Oak St",
            "88 Commerce Way",
            "3100 Industrial Ave",
        ],
        (_, "zip") => &["97209", "97204", "97005", "97301"],
        _ => return None,
    })
}

/// Makes one synthesised record agree with itself: a task has a resolution only once done and
/// sits at its place in the checklist; a site's address is one real-looking address; an
/// invoice has a number, a currency, a due date after its date, and a balance no larger than
/// its total (none once paid). `position` is the record's place under its parent, from 1.
pub fn settle(collection: &str, rec: &mut Map<String, Value>, id: i64, position: i64) {
    match collection {
        "/service/tickets/{parentId}/tasks" => {
            if rec.get("closedFlag") != Some(&json!(true)) {
                rec.remove("resolution");
            }
            rec.remove("notes");
            rec.insert("priority".into(), json!(position));
        }
        "/service/boards/{parentId}/teams" => {
            // Two or three of the tenant's first members (ids 2 to 7 are its technicians).
            let ids: Vec<i64> = (0..2 + id % 2).map(|k| 2 + (id + 2 * k) % 6).collect();
            rec.insert("members".into(), json!(ids));
        }
        "/company/companies/{parentId}/sites" => {
            for junk in ["addressLine2", "addressFormat", "phoneNumberExt"] {
                rec.remove(junk);
            }
            let state = rec
                .get("stateReference")
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str);
            let abbr = match state {
                Some("Washington") => "WA",
                Some("California") => "CA",
                Some("Idaho") => "ID",
                _ => "OR",
            };
            if let Some(Value::Object(s)) = rec.get_mut("stateReference") {
                s.insert("identifier".into(), json!(abbr));
            }
            rec.insert(
                "country".into(),
                json!({"id": 1, "identifier": "US", "name": "United States"}),
            );
        }
        "/finance/invoices" => {
            rec.insert(
                "invoiceNumber".into(),
                json!(format!("INV-{}", 10_000 + id)),
            );
            rec.insert(
                "currency".into(),
                json!({"id": 1, "currencyCode": "USD", "currencyIdentifier": "USD", "name": "US Dollar",
                       "symbol": "$", "decimalSeparator": ".", "thousandsSeparator": ",",
                       "numberOfDecimals": 2, "displaySymbolFlag": true, "displayIdFlag": false,
                       "negativeParenthesesFlag": false, "rightAlign": false}),
            );
            let date = rec
                .get("date")
                .and_then(Value::as_str)
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok());
            if let Some(d) = date {
                let due = (d + Duration::days(30))
                    .to_utc()
                    .format("%Y-%m-%dT%H:%M:%SZ")
                    .to_string();
                rec.insert("dueDate".into(), json!(due));
            }
            let total = rec.get("total").and_then(Value::as_f64).unwrap_or(0.0);
            let paid = rec
                .get("status")
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                == Some("Paid");
            let balance = rec.get("balance").and_then(Value::as_f64).unwrap_or(0.0);
            let balance = if paid { 0.0 } else { balance.min(total) };
            rec.insert("balance".into(), json!(balance));
            if let Some(Value::Object(s)) = rec.get_mut("status") {
                s.insert("isClosed".into(), json!(paid));
            }
        }
        _ => {}
    }
}
