//! A write is sent once. When its answer is lost (the connection broke after sending) or
//! ConnectWise answered with a server error, nobody knows yet whether the record was made; it
//! is never sent again blindly. Instead the tool reads back: only a record that matches and was
//! made after the request was sent (by ConnectWise's clock) counts, so an older identical note
//! is never mistaken for this one. The answer then says truthfully what happened: made, not
//! made, or (when reading back fails too) not known.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use cw_client::Error as CwError;

use crate::context::Ctx;
use crate::errors::ToolError;

/// Slack on "made after the request was sent": ConnectWise's clock is known to the second
/// (from its `Date` header), and its timestamps are whole seconds.
const CLOCK_SLACK_SECS: i64 = 2;

/// Whether a failed write may have been made anyway.
fn ambiguous(e: &CwError) -> bool {
    match e {
        CwError::Transport { maybe_sent, .. } => *maybe_sent,
        CwError::Api(a) => a.status >= 500,
        _ => false,
    }
}

/// Sends a create once and settles a lost answer by reading back. `what` names the record for
/// the messages ("The note on ticket #5"); `find` looks for it among records made since the
/// given time.
pub async fn create_once<T, F, Fut>(
    ctx: &Ctx,
    what: &str,
    send: impl Future<Output = Result<T, CwError>>,
    find: F,
) -> Result<T, ToolError>
where
    F: FnOnce(DateTime<Utc>) -> Fut,
    Fut: Future<Output = Result<Option<T>, CwError>>,
{
    let since = ctx.cw.upstream().server_now() - Duration::seconds(CLOCK_SLACK_SECS);
    let cause = match send.await {
        Ok(t) => return Ok(t),
        Err(e) if ambiguous(&e) => e,
        Err(e) => return Err(e.into()),
    };
    match find(since).await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(ToolError::NotWritten(format!(
            "{what} was not made: {cause}, and reading back shows nothing was written. It is safe to try again."
        ))),
        Err(read) => Err(ToolError::Unconfirmed(format!(
            "{what} may or may not have been made: {cause}, and reading it back failed too ({read}). Check before trying again, so it is not made twice."
        ))),
    }
}
