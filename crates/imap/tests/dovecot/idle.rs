//! IDLE: a message appended by another session is seen; a quiet mailbox times out; a wake-up
//! from the caller ends IDLE early and leaves the session usable.

use std::time::{Duration, Instant};

use tidings_imap::{sync_mailbox, watch, watch_or_wake, IdleEvent};
use tidings_store::Store;

use crate::util::{login, message, other_client, other_store, plain_config, seed, start, step};

#[tokio::test]
async fn an_append_from_another_session_is_seen_in_idle() {
    let dovecot = start(false);
    seed(&dovecot, 1, 3);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    step("sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync selects INBOX");

    let mut other = other_client(&dovecot).await;
    let appender = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let appended = other.append("INBOX", None, None, message(4)).await;
        (appended.is_ok(), other)
    });
    let started = Instant::now();
    let event = step("watch", watch(&mut session, Duration::from_secs(20))).await.expect("watch");
    let waited = started.elapsed();
    assert_eq!(event, IdleEvent::NewMail { exists: 4 });
    // Dovecot reports changes about 0.5 s after they happen; far below the 20 s timeout.
    assert!(waited < Duration::from_secs(5), "took {waited:?}");
    let (appended, mut other) = step("append", appender).await.expect("append task");
    assert!(appended, "APPEND failed");
    assert!(session.is_connected());

    // After IDLE the session is usable: the sync picks the new message up.
    let report = step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 2");
    assert_eq!(report.new, 1);

    // A flag change by the other session is reported too.
    let flagger = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        other_store(&mut other, "1", "+FLAGS (\\Flagged)").await;
    });
    let event = step("watch flags", watch(&mut session, Duration::from_secs(20))).await.expect("watch");
    assert_eq!(event, IdleEvent::FlagsChanged);
    step("flag", flagger).await.expect("flag task");
}

#[tokio::test]
async fn a_quiet_mailbox_times_out_and_the_session_stays_usable() {
    let dovecot = start(false);
    seed(&dovecot, 1, 1);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    step("sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync");
    let started = Instant::now();
    let event = step("watch", watch(&mut session, Duration::from_millis(800))).await.expect("watch");
    assert_eq!(event, IdleEvent::Timeout);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(800) && waited < Duration::from_secs(3), "took {waited:?}");
    assert!(session.is_connected());
    step("sync again", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync after IDLE");
}

#[tokio::test]
async fn idle_is_restarted_at_the_keepalive_and_still_sees_new_mail() {
    let dovecot = start(false);
    seed(&dovecot, 1, 2);
    let store = Store::open_temporary().expect("store");
    let mut config_options = crate::util::options();
    config_options.timeouts.idle_keepalive = Duration::from_millis(700);
    let mut session = match step(
        "connect",
        tidings_imap::connect(&plain_config(&dovecot), &crate::util::password(&dovecot), &config_options),
    )
    .await
    {
        Ok(session) => session,
        Err(error) => panic!("connect: {error}"),
    };
    step("sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync");

    let mut other = other_client(&dovecot).await;
    let appender = tokio::spawn(async move {
        // Well after the first 0.7 s IDLE round has ended with DONE and a new IDLE began.
        tokio::time::sleep(Duration::from_millis(1600)).await;
        other.append("INBOX", None, None, message(3)).await.is_ok()
    });
    let event = step("watch", watch(&mut session, Duration::from_secs(20))).await.expect("watch");
    assert_eq!(event, IdleEvent::NewMail { exists: 3 });
    assert!(step("append", appender).await.expect("append task"), "APPEND failed");
    assert!(session.is_connected());
}

#[tokio::test]
async fn a_wake_up_ends_idle_with_done_and_the_session_stays_usable() {
    let dovecot = start(false);
    seed(&dovecot, 1, 2);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    step("sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync");
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let waker = wake.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        waker.notify_one();
    });
    let started = Instant::now();
    let event = step("watch", watch_or_wake(&mut session, Duration::from_secs(20), wake.notified()))
        .await
        .expect("watch");
    assert_eq!(event, IdleEvent::Woken);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(session.is_connected());
    step("sync after", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync after IDLE");
}
