//! Waiting for the selected mailbox to change, with IDLE (RFC 2177).
//!
//! [`watch`] returns on the first change (new mail, flag change, expunge) or when the caller's
//! timeout passes; [`watch_or_wake`] also when the caller wakes it (a local change to push),
//! ending IDLE with DONE so the session stays usable. IDLE is ended with DONE and restarted every [`Timeouts::idle_keepalive`]
//! (below RFC 2177 §3's 29 minutes) so neither the server nor a NAT drops the idle connection.
//! The caller runs a sync after an event; this module does not fetch or store anything.
//!
//! [`Timeouts::idle_keepalive`]: crate::Timeouts::idle_keepalive

use std::time::{Duration, Instant};

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{MailboxDatum, Response, Status};
use async_imap::types::UnsolicitedResponse;
use serde::Serialize;

use crate::session::ImapSession;
use crate::{ImapError, Result};

/// RFC 2177 §3: re-issue IDLE at least every 29 minutes; keep a minute of margin.
const LONGEST_IDLE: Duration = Duration::from_secs(28 * 60);

/// Why [`watch`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum IdleEvent {
    /// The mailbox now has `exists` messages (an `EXISTS` response).
    NewMail {
        /// EXISTS as the server reported it.
        exists: u32,
    },
    /// Some message's flags changed (an unsolicited `FETCH`).
    FlagsChanged,
    /// Messages were expunged (`EXPUNGE` or `VANISHED`).
    Expunged,
    /// Nothing happened before the timeout.
    Timeout,
    /// The caller's wake-up came first ([`watch_or_wake`]).
    Woken,
}

/// Waits in IDLE on the selected mailbox until something changes or `timeout` passes.
///
/// The session must have a mailbox selected (a sync does that). Errors drop the session.
pub async fn watch(session: &mut ImapSession, timeout: Duration) -> Result<IdleEvent> {
    watch_or_wake(session, timeout, std::future::pending()).await
}

/// [`watch`] that also returns [`IdleEvent::Woken`] once `wake` completes, after ending IDLE
/// with DONE as usual. A server's change seen in the same round wins over the wake-up.
pub async fn watch_or_wake(
    session: &mut ImapSession,
    timeout: Duration,
    wake: impl std::future::Future<Output = ()> + Send,
) -> Result<IdleEvent> {
    let mut wake = std::pin::pin!(wake);
    let mut woken = false;
    if !session.has_capability("IDLE") {
        return Err(ImapError::Protocol("the server has no IDLE; poll with a sync instead".into()));
    }
    let keepalive = session.timeouts().idle_keepalive.min(LONGEST_IDLE);
    let command_timeout = session.timeouts().command;
    let deadline = Instant::now() + timeout;
    loop {
        // IDLE takes the connection; on any error it is simply not put back (dropped).
        let mut idle = session.take()?.idle();
        match tokio::time::timeout(command_timeout, idle.init()).await {
            Err(_) => return Err(ImapError::Timeout { during: "IDLE" }),
            Ok(Err(error)) => return Err(ImapError::from_imap(error)),
            Ok(Ok(())) => {}
        }
        let round_end = deadline.min(Instant::now() + keepalive);
        let mut event = None;
        while event.is_none() && !woken {
            let left = round_end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let (wait, stop) = idle.wait_with_timeout(left);
            let mut stop = Some(stop);
            // wait_with_timeout restarts its clock on every response, including Dovecot's
            // "* OK Still here" every 2 minutes, so the round end is enforced here as well.
            let mut wait = std::pin::pin!(tokio::time::timeout(left, wait));
            let outcome = tokio::select! {
                outcome = &mut wait => outcome,
                () = &mut wake => {
                    // Dropping the stop source interrupts the wait, which then ends cleanly
                    // (never cancelled halfway through a response).
                    woken = true;
                    stop.take();
                    wait.await
                }
            };
            drop(stop);
            match outcome {
                Err(_) | Ok(Ok(IdleResponse::Timeout)) | Ok(Ok(IdleResponse::ManualInterrupt)) => break,
                Ok(Err(error)) => return Err(ImapError::from_imap(error)),
                Ok(Ok(IdleResponse::NewData(data))) => event = classify(data.parsed())?,
            }
        }
        let inner = match tokio::time::timeout(command_timeout, idle.done()).await {
            Err(_) => return Err(ImapError::Timeout { during: "IDLE DONE" }),
            Ok(Err(error)) => return Err(ImapError::from_imap(error)),
            Ok(Ok(inner)) => inner,
        };
        // What the server said between IDLE and "+ idling", or between DONE and its OK, went to
        // the unsolicited channel rather than the IDLE stream; under load that is where a new
        // message's EXISTS lands.
        while let Ok(unsolicited) = inner.unsolicited_responses.try_recv() {
            let seen = match unsolicited {
                UnsolicitedResponse::Exists(exists) => Some(IdleEvent::NewMail { exists }),
                UnsolicitedResponse::Expunge(_) => Some(IdleEvent::Expunged),
                UnsolicitedResponse::Other(response) => classify(response.parsed())?,
                UnsolicitedResponse::Status { .. } | UnsolicitedResponse::Recent(_) => None,
            };
            event = event.or(seen);
        }
        session.restore(inner);
        if let Some(event) = event {
            return Ok(event);
        }
        if woken {
            return Ok(IdleEvent::Woken);
        }
        if Instant::now() >= deadline {
            return Ok(IdleEvent::Timeout);
        }
        tracing::debug!("Restarting IDLE to keep the connection alive.");
    }
}

/// What a response seen in IDLE means; `None` for ones that change nothing we show (RECENT).
fn classify(response: &Response<'_>) -> Result<Option<IdleEvent>> {
    Ok(match response {
        Response::MailboxData(MailboxDatum::Exists(exists)) => Some(IdleEvent::NewMail { exists: *exists }),
        Response::Expunge(_) | Response::Vanished { .. } => Some(IdleEvent::Expunged),
        Response::Fetch(..) => Some(IdleEvent::FlagsChanged),
        Response::Data { status: Status::Bye, outcome } => {
            let text = outcome.information.as_deref().unwrap_or_default();
            return Err(ImapError::Network(format!("the server said BYE during IDLE: {text}")));
        }
        _ => None,
    })
}
