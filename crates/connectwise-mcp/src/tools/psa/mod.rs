//! The `psa` toolset: ConnectWise PSA as a technician works it. One file per area.

pub mod accounts;
pub mod agreements;
pub mod changes;
pub mod close;
pub mod companies;
pub mod configurations;
pub mod contacts;
pub mod explore;
pub mod lookups;
pub mod members;
pub mod notes;
pub mod projects;
pub mod sales;
pub mod schedule;
pub mod service;
pub mod ticket_detail;
pub mod ticket_write;
pub mod tickets;
pub mod time;
pub mod time_gaps;
pub mod timesheets;
pub mod whats_next;

/// What a tool says when a ticket number finds nothing.
pub fn no_ticket(id: i64) -> String {
    format!(
        "Ticket #{id} does not exist, or these keys cannot see it. Find tickets with cw_search_tickets."
    )
}
