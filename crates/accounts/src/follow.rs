//! Keeping one folder of an account current while the app runs.
//!
//! The rules, in one place:
//! 1. Connect and sync the folder (the sync itself follows `tidings_imap::sync`'s rules).
//! 2. Wait in IDLE for a change (rounds of [`FollowOptions::idle_round`]; a quiet round just
//!    starts the next one). A server without IDLE is polled every [`FollowOptions::poll_every`].
//!    Any change, the end of a poll interval, or a wake-up from the caller (the user changed a
//!    flag: the sync pushes it now rather than at the next change) goes back to 1's sync on the
//!    same connection. A wake-up that comes during a sync is kept and ends the next wait at once.
//! 3. A connection or protocol error drops the session; after a pause that doubles from
//!    [`FollowOptions::first_retry`] up to [`FollowOptions::longest_retry`] (and starts again
//!    after a good sync) the loop goes back to 1.
//! 4. Errors the user has to act on — a refused password, a certificate that is no longer the
//!    pinned one, a removed account or password — end the loop instead: retrying would only
//!    hammer the server (some lock an account after repeated failed logins).
//!
//! Nothing here knows about the app: events go to a callback, and stopping is the caller's
//! (drop or abort the future).

use std::time::Duration;

use tidings_imap::{ConnectOptions, IdleEvent, ImapSession, SyncReport};
use tidings_keychain::SecretStore;
use tidings_store::Store;
use tokio::sync::Notify;

use crate::{connect, remember_dialect, AccountsError};

/// How to connect and how long to wait in each step.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// Timeouts and the ID we send, for every connection.
    pub connect: ConnectOptions,
    /// One IDLE round; quiet rounds follow each other.
    pub idle_round: Duration,
    /// How often a server without IDLE is synced.
    pub poll_every: Duration,
    /// Pause after the first failure in a row.
    pub first_retry: Duration,
    /// Longest pause between attempts.
    pub longest_retry: Duration,
}

impl Default for FollowOptions {
    fn default() -> FollowOptions {
        FollowOptions {
            connect: ConnectOptions::default(),
            idle_round: Duration::from_secs(5 * 60),
            poll_every: Duration::from_secs(2 * 60),
            first_retry: Duration::from_secs(2),
            longest_retry: Duration::from_secs(5 * 60),
        }
    }
}

impl FollowOptions {
    /// The pause after `failures` failures in a row (1 = the first).
    pub fn retry_delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first_retry.saturating_mul(1 << doublings).min(self.longest_retry)
    }
}

/// What happened while following.
#[derive(Debug)]
pub enum FollowEvent {
    /// The folder was synced (first sync, or after a change).
    Synced(SyncReport),
    /// The connection failed; the next attempt comes after `retry_in`.
    Retrying { error: AccountsError, retry_in: Duration },
    /// Following stopped for good: the user must act (password, certificate, account gone).
    Stopped(AccountsError),
}

/// Follows `mailbox` of account `id` until an error that needs the user (see the module rules);
/// reports every sync and failure to `on_event`. `wake.notify_one()` asks for a sync now.
pub async fn follow(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    mailbox: &str,
    options: &FollowOptions,
    wake: &Notify,
    mut on_event: impl FnMut(FollowEvent),
) {
    let mut failures = 0u32;
    loop {
        let error = match connect(store, secrets, id, &options.connect).await {
            Ok(mut session) => {
                let waiting = Waiting { options, wake };
                let result =
                    stay_current(&mut session, store, id, mailbox, waiting, &mut failures, &mut on_event)
                        .await;
                match result {
                    Ok(never) => match never {},
                    Err(error) => error,
                }
            }
            Err(error) => error,
        };
        if needs_the_user(&error) {
            on_event(FollowEvent::Stopped(error));
            return;
        }
        failures = failures.saturating_add(1);
        let retry_in = options.retry_delay(failures);
        on_event(FollowEvent::Retrying { error, retry_in });
        tokio::time::sleep(retry_in).await;
    }
}

/// What ends rule 2's wait besides the server.
#[derive(Clone, Copy)]
struct Waiting<'a> {
    options: &'a FollowOptions,
    wake: &'a Notify,
}

/// Rules 1–2 on one connection; returns only with the error that ended it.
async fn stay_current(
    session: &mut ImapSession,
    store: &Store,
    id: &str,
    mailbox: &str,
    Waiting { options, wake }: Waiting<'_>,
    failures: &mut u32,
    on_event: &mut impl FnMut(FollowEvent),
) -> Result<std::convert::Infallible, AccountsError> {
    remember_dialect(store, id, session.dialect())?;
    loop {
        let report =
            tidings_imap::sync_mailbox(session, store, id, mailbox).await.map_err(AccountsError::Imap)?;
        *failures = 0;
        on_event(FollowEvent::Synced(report));
        if session.has_capability("IDLE") {
            while tidings_imap::watch_or_wake(session, options.idle_round, wake.notified())
                .await
                .map_err(AccountsError::Imap)?
                == IdleEvent::Timeout
            {}
        } else {
            tokio::select! {
                () = tokio::time::sleep(options.poll_every) => {}
                () = wake.notified() => {}
            }
        }
    }
}

fn needs_the_user(error: &AccountsError) -> bool {
    matches!(
        error,
        AccountsError::WrongPassword { .. }
            | AccountsError::UntrustedCertificate { .. }
            | AccountsError::NotFound(_)
            | AccountsError::NoServer(_)
            | AccountsError::NoPassword(_)
            | AccountsError::InvalidInput(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_first_pause_up_to_the_longest() {
        let options = FollowOptions {
            first_retry: Duration::from_secs(2),
            longest_retry: Duration::from_secs(60),
            ..FollowOptions::default()
        };
        let delays: Vec<u64> = (1..=8).map(|failures| options.retry_delay(failures).as_secs()).collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(options.retry_delay(u32::MAX), Duration::from_secs(60), "no overflow");
    }
}
