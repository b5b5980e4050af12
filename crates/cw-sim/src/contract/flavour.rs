//! Believable words for the generic collections the product's tools read (ticket tasks,
//! company sites, teams, sources, invoices): the records keep their synthesised shape, but a
//! technician reading them sees a task list or a source list they recognise. A collection with
//! a fixed name list holds exactly those records, in that order.

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
        ("/service/tickets/{parentId}/tasks", "notes") => &[
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
            "",
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
