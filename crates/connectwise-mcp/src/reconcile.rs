//! A write that adds a record is sent once, and never again blindly. Before it leaves, it is
//! journaled ([`crate::journal`]); when its answer is lost (the connection broke, or
//! ConnectWise was slower than our timeout) or ConnectWise answered with a server error,
//! nobody knows yet whether the record was made, so the tool reads back: only a record that
//! matches (content, member) and was made after the request was sent (by ConnectWise's clock)
//! counts, so an older identical note is never mistaken for this one.
//!
//! A lost answer may still become a record: ConnectWise can finish a write after we stopped
//! waiting. So "not made" is never said on one look. The tool keeps looking, with backoff,
//! until the call's deadline; if the record has not appeared it answers "not known yet", and
//! the entry stays in the journal. A re-send of the same request (after that answer, a crash,
//! a restart, or through another replica) finds the entry and looks again before writing: the
//! record found is the answer; nothing found while the first attempt could still land (within
//! [`settle_time`] of it) is "not known yet" again; nothing found after that means the first
//! attempt was not made, and only then is the write sent again.

use std::future::Future;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use cw_client::Error as CwError;

use crate::context::Ctx;
use crate::errors::ToolError;
use crate::journal::Entry;

/// Slack on "made after the request was sent": ConnectWise's clock is known to the second
/// (from its `Date` header), and its timestamps are whole seconds.
const CLOCK_SLACK_SECS: i64 = 2;

/// Looks after a server error (ConnectWise answered, so the request is over): a few, quickly.
const ANSWERED_LOOKS: [u64; 3] = [0, 500, 1_500];

/// The longest wait between two looks for a lost answer's record.
const MOST_BETWEEN_LOOKS: StdDuration = StdDuration::from_secs(8);

/// What a read-back looks for: records made since `since`; `earlier` when it checks an
/// earlier attempt of the same request (a re-send), which a tool that cannot filter by time
/// (ticket tasks) needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub since: DateTime<Utc>,
    pub earlier: bool,
}

/// A record that says its id.
pub trait Record {
    fn record_id(&self) -> Option<i64>;
}

macro_rules! records {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn record_id(&self) -> Option<i64> {
                self.id
            }
        }
    )*};
}
records!(
    cw_client::models::Note,
    cw_client::models::Ticket,
    cw_client::models::TimeEntry,
    cw_client::models::ScheduleEntry,
    cw_client::models::TicketTask
);

/// How the first attempt failed, when it may have been made anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doubt {
    /// ConnectWise answered with a server error: the request is over; if the record is not
    /// there now, it never will be.
    Answered,
    /// The answer was lost: ConnectWise may still be saving it.
    Lost,
}

fn doubt(e: &CwError) -> Option<Doubt> {
    match e {
        CwError::Transport {
            maybe_sent: true, ..
        } => Some(Doubt::Lost),
        CwError::Api(a) if a.status >= 500 => Some(Doubt::Answered),
        _ => None,
    }
}

/// How long after a write was sent its record may still appear: twice the upstream timeout
/// (ConnectWise finishing a request we stopped waiting for takes no longer than it could
/// have taken to answer, and then as long again to be safe).
pub fn settle_time(ctx: &Ctx) -> StdDuration {
    ctx.cw.upstream().cfg.request_timeout * 2
}

/// Sends a create once and settles a lost answer by reading back; consults the journal for
/// an earlier attempt of the same request first. `what` names the record for the messages
/// ("The note on ticket #5"); `find` looks for it among records made since a time.
pub async fn create_once<T, F, Fut>(
    ctx: &Ctx,
    what: &str,
    send: impl Future<Output = Result<T, CwError>>,
    find: F,
) -> Result<T, ToolError>
where
    T: Record,
    F: Fn(Look) -> Fut,
    Fut: Future<Output = Result<Option<T>, CwError>>,
{
    let journal = ctx.journal_slot();
    let now = ctx.cw.upstream().server_now();
    if let Some((j, k)) = &journal {
        let prior = j.get(k).await.map_err(|e| {
            ToolError::Paused(format!(
                "Not sent: the write journal cannot be read ({}), so whether an identical earlier request was already made cannot be checked. Try again shortly.",
                e.0
            ))
        })?;
        match prior {
            Some(prior) => {
                if let Some(found) = earlier_attempt(ctx, what, &prior, now, &find).await? {
                    j.made(k, found.record_id()).await;
                    return Ok(found);
                }
                // The earlier attempt was certainly not made: this one goes ahead.
            }
            None => {
                // The journal may have lost entries (Redis restarted empty): a write asked
                // for soon after is looked for before it is sent.
                if let Some(lost) = j.lost_at() {
                    let window = Duration::from_std(settle_time(ctx) + crate::journal::MADE_FOR)
                        .unwrap_or_default();
                    if now - lost < window {
                        let look = Look {
                            since: lost - window,
                            earlier: true,
                        };
                        if let Ok(Some(found)) = find(look).await {
                            ctx.made_earlier(now - lost);
                            return Ok(found);
                        }
                    }
                }
            }
        }
        let entry = Entry {
            tool: ctx.tool_name().to_string(),
            member: ctx.cw.credentials().member_identifier.clone(),
            started: now.timestamp(),
            record: None,
        };
        j.begin(k, entry).await.map_err(|e| {
            ToolError::Paused(format!(
                "Not sent: the write journal cannot be written ({}), and without it a crash could make this twice. Try again shortly.",
                e.0
            ))
        })?;
    }
    let since = now - Duration::seconds(CLOCK_SLACK_SECS);
    let cause = match send.await {
        Ok(t) => {
            if let Some((j, k)) = &journal {
                j.made(k, t.record_id()).await;
            }
            return Ok(t);
        }
        Err(e) => match doubt(&e) {
            Some(d) => (e, d),
            None => {
                if let Some((j, k)) = &journal {
                    j.forget(k).await;
                }
                return Err(e.into());
            }
        },
    };
    let (cause, how) = cause;
    let look = Look {
        since,
        earlier: false,
    };
    match keep_looking(ctx, how, look, &find).await {
        Ok((Some(t), _)) => {
            if let Some((j, k)) = &journal {
                j.made(k, t.record_id()).await;
            }
            Ok(t)
        }
        Ok((None, looks)) if how == Doubt::Answered => {
            if let Some((j, k)) = &journal {
                j.forget(k).await;
            }
            Err(ToolError::NotWritten(format!(
                "{what} was not made: {cause}, and reading back {looks} times shows nothing was written. It is safe to try again."
            )))
        }
        Ok((None, looks)) => Err(ToolError::Unconfirmed(format!(
            "{what}: it is not known yet whether it was made. {cause}; ConnectWise may still be saving it, and reading back {looks} times has not found it yet. Call again with the same arguments in a minute: it is looked for again before anything is written, so nothing will be written twice."
        ))),
        Err(read) => Err(ToolError::Unconfirmed(format!(
            "{what}: it is not known yet whether it was made. {cause}, and reading it back failed too ({read}). Call again with the same arguments shortly: it is looked for again before anything is written, so nothing will be written twice."
        ))),
    }
}

/// An earlier attempt of this request was journaled: its record, if it was made; `Ok(None)`
/// when it certainly was not (so the write may go ahead); an error while it may still appear.
async fn earlier_attempt<T, F, Fut>(
    ctx: &Ctx,
    what: &str,
    prior: &Entry,
    now: DateTime<Utc>,
    find: &F,
) -> Result<Option<T>, ToolError>
where
    F: Fn(Look) -> Fut,
    Fut: Future<Output = Result<Option<T>, CwError>>,
{
    let age = now - prior.started_at();
    let look = Look {
        since: prior.started_at() - Duration::seconds(CLOCK_SLACK_SECS),
        earlier: true,
    };
    let found = find(look).await.map_err(|e| {
        ToolError::Unconfirmed(format!(
            "{what}: an identical request was sent {} s ago, and whether it was made cannot be checked just now ({e}). Nothing was written; call again with the same arguments shortly.",
            age.num_seconds().max(0)
        ))
    })?;
    if let Some(t) = found {
        ctx.made_earlier(age);
        return Ok(Some(t));
    }
    if let Some(id) = prior.record {
        return Err(ToolError::invalid(format!(
            "{what} was made a moment ago by an identical request (record {id}), and has changed since. Nothing was written again; to write it once more, change something in the request."
        )));
    }
    let settle = Duration::from_std(settle_time(ctx)).unwrap_or_default();
    if age < settle {
        let wait = (settle - age).num_seconds().max(1);
        return Err(ToolError::Unconfirmed(format!(
            "{what}: it is not known yet whether it was made. An identical request sent {} s ago lost its answer, and ConnectWise may still be saving it; its record has not appeared. Nothing was written now; call again with the same arguments in {wait} s, and it is looked for again before anything is written.",
            age.num_seconds().max(0)
        )));
    }
    Ok(None)
}

/// Reads back until the record appears, with backoff: a few quick looks after a server error,
/// or until the call's deadline after a lost answer. The record (if found) and how many looks
/// it took.
async fn keep_looking<T, F, Fut>(
    ctx: &Ctx,
    how: Doubt,
    look: Look,
    find: &F,
) -> Result<(Option<T>, u32), CwError>
where
    F: Fn(Look) -> Fut,
    Fut: Future<Output = Result<Option<T>, CwError>>,
{
    let mut looks = 0u32;
    let mut last_error = None;
    let mut wait = StdDuration::from_millis(500);
    let mut answered = ANSWERED_LOOKS.iter();
    loop {
        let pause = match how {
            Doubt::Answered => match answered.next() {
                Some(ms) => StdDuration::from_millis(*ms),
                None => break,
            },
            Doubt::Lost if looks == 0 => StdDuration::ZERO,
            Doubt::Lost => {
                let p = wait;
                wait = (wait * 2).min(MOST_BETWEEN_LOOKS);
                p
            }
        };
        // A look must leave time to answer before the call's deadline.
        if how == Doubt::Lost && looks > 0 && ctx.time_left() <= pause + StdDuration::from_secs(2) {
            break;
        }
        tokio::time::sleep(pause).await;
        looks += 1;
        match find(look).await {
            Ok(Some(t)) => return Ok((Some(t), looks)),
            Ok(None) => last_error = None,
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        Some(e) => Err(e),
        None => Ok((None, looks)),
    }
}
