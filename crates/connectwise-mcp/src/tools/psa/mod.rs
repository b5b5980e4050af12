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

/// Runs `each` for every ticket in `ids`, four requests at a time (ConnectWise has no batch
/// read of tickets' notes or devices), answering in the order given; the first failure is the
/// answer.
pub async fn per_ticket<T, E, Fut>(
    ids: Vec<i64>,
    each: impl Fn(i64) -> Fut,
) -> Result<Vec<(i64, T)>, crate::errors::ToolError>
where
    Fut: std::future::Future<Output = Result<T, E>>,
    crate::errors::ToolError: From<E>,
{
    use futures::stream::{self, StreamExt};
    let each = &each;
    stream::iter(ids)
        .map(|id| async move { each(id).await.map(|t| (id, t)) })
        .buffered(4)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|r| r.map_err(Into::into))
        .collect()
}

/// What a tool says when a ticket number finds nothing.
pub fn no_ticket(id: i64) -> String {
    format!(
        "Ticket #{id} does not exist, or these keys cannot see it. Find tickets with cw_search_tickets."
    )
}
