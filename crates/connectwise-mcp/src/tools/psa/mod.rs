//! The `psa` toolset: ConnectWise PSA as a technician works it. One file per area.

pub mod agreements;
pub mod companies;
pub mod configurations;
pub mod contacts;
pub mod explore;
pub mod lookups;
pub mod members;
pub mod notes;
pub mod projects;
pub mod sales;
pub mod ticket_detail;
pub mod ticket_write;
pub mod tickets;
pub mod time;
