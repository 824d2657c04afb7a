//! Syncing INBOX into the store: full, incremental, flag changes, expunges, a new UIDVALIDITY,
//! and a sync cut off mid-way then resumed; under QRESYNC, CONDSTORE and the basic fallback.

use std::collections::BTreeSet;

use tidings_imap::{
    sync_mailbox, sync_mailbox_reporting, sync_mailbox_with, ImapError, SyncOptions, SyncPolicy, SyncProgress,
};
use tidings_store::{MessageKey, Store};

use crate::util::{
    login, other_client, other_expunge, other_store, plain_config, seed, start, step, subject, tls_config,
};

fn subjects(store: &Store) -> BTreeSet<String> {
    let list = store.list_messages("acct", "INBOX").expect("list");
    list.into_iter().filter_map(|m| m.subject).collect()
}

fn expected_subjects(range: std::ops::Range<usize>) -> BTreeSet<String> {
    range.map(subject).collect()
}

fn key(uid_validity: u32, uid: u32) -> MessageKey {
    MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity, uid }
}

#[tokio::test]
async fn full_then_incremental_sync_over_tls_without_duplicates() {
    let dovecot = start(true);
    seed(&dovecot, 1, 50);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&tls_config(&dovecot), &dovecot).await;

    let first =
        step("sync 1", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("first sync");
    assert_eq!((first.new, first.exists, first.cache_cleared), (50, 50, true));
    assert_eq!(first.policy, SyncPolicy::Qresync);
    assert_eq!(store.count_messages("acct", "INBOX"), 50);
    assert_eq!(subjects(&store), expected_subjects(1..51));
    let state = store.mailbox("acct", "INBOX").expect("state").expect("mailbox state written");
    assert_eq!((state.uid_validity, state.uid_next), (first.uid_validity, 51));
    assert!(state.highest_modseq.is_some());

    seed(&dovecot, 51, 5);
    let second =
        step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("second sync");
    assert_eq!((second.new, second.changed, second.expunged, second.cache_cleared), (5, 0, 0, false));
    assert_eq!(store.count_messages("acct", "INBOX"), 55);
    assert_eq!(subjects(&store), expected_subjects(1..56));

    let third =
        step("sync 3", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("third sync");
    assert_eq!((third.new, third.changed, third.expunged), (0, 0, 0));
    assert_eq!(store.count_messages("acct", "INBOX"), 55);
}

#[tokio::test]
async fn changes_by_another_session_reach_the_store_under_every_policy() {
    for policy in [SyncPolicy::Qresync, SyncPolicy::Condstore, SyncPolicy::Basic] {
        let dovecot = start(false);
        seed(&dovecot, 1, 20);
        let store = Store::open_temporary().expect("store");
        let options = SyncOptions { policy: Some(policy), ..SyncOptions::default() };
        let mut session = login(&plain_config(&dovecot), &dovecot).await;
        let first = step("sync 1", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("first sync");
        assert_eq!(first.policy, policy);
        let validity = first.uid_validity;
        assert!(!store.message(&key(validity, 3)).expect("read").expect("uid 3 cached").0.seen);

        let mut other = other_client(&dovecot).await;
        other_store(&mut other, "3,5", "+FLAGS (\\Seen)").await;
        other_expunge(&mut other, "4").await;
        step("logout other", other.logout()).await.expect("logout");
        seed(&dovecot, 21, 1);

        let second = step("sync 2", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .unwrap_or_else(|error| panic!("{policy:?}: second sync: {error}"));
        assert_eq!((second.changed, second.expunged, second.new), (2, 1, 1), "{policy:?}: {second:?}");
        assert!(store.message(&key(validity, 3)).expect("read").expect("uid 3").0.seen, "{policy:?}");
        assert!(store.message(&key(validity, 5)).expect("read").expect("uid 5").0.seen, "{policy:?}");
        assert!(store.message(&key(validity, 4)).expect("read").is_none(), "{policy:?}: uid 4 was expunged");
        assert_eq!(store.count_messages("acct", "INBOX"), 20, "{policy:?}");
        let mut expected = expected_subjects(1..22);
        expected.remove(&subject(4));
        assert_eq!(subjects(&store), expected, "{policy:?}");
    }
}

#[tokio::test]
async fn a_new_uidvalidity_rebuilds_the_cache() {
    let dovecot = start(false);
    seed(&dovecot, 1, 10);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let first = step("sync 1", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 1");
    assert_ne!(first.uid_validity, 4242);
    step("logout", session.logout()).await.expect("logout");

    dovecot.set_uid_validity("alice", "INBOX", 4242).expect("doveadm mailbox update");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let second = step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 2");
    assert_eq!((second.uid_validity, second.cache_cleared, second.new), (4242, true, 10));
    assert_eq!(store.count_messages("acct", "INBOX"), 10);
    assert_eq!(store.uids("acct", "INBOX", 4242).expect("uids").len(), 10);
    assert!(store.uids("acct", "INBOX", first.uid_validity).expect("old uids").is_empty());
    assert_eq!(store.mailbox("acct", "INBOX").expect("state").map(|m| m.uid_validity), Some(4242));
    assert_eq!(subjects(&store), expected_subjects(1..11));
}

#[tokio::test]
async fn progress_is_told_before_the_first_batch_and_after_each() {
    let dovecot = start(false);
    seed(&dovecot, 1, 25);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let options = SyncOptions { batch_size: 10, ..SyncOptions::default() };
    let mut seen = Vec::new();
    let mut record =
        |p: SyncProgress| seen.push((p.fetched, p.to_fetch, p.bodies_fetched, p.bodies_to_fetch));
    let report =
        step("sync", sync_mailbox_reporting(&mut session, &store, "acct", "INBOX", &options, &mut record))
            .await
            .expect("sync");
    assert_eq!((report.new, report.bodies, report.bodies_missing), (25, 25, 0));
    // Headers batch by batch, then the bodies the same way.
    let headers = [(0, 25, 0, 0), (10, 25, 0, 0), (20, 25, 0, 0), (25, 25, 0, 0)];
    let bodies = [(25, 25, 0, 25), (25, 25, 10, 25), (25, 25, 20, 25), (25, 25, 25, 25)];
    assert_eq!(seen, [&headers[..], &bodies[..]].concat());
    seen.clear();
    let mut record =
        |p: SyncProgress| seen.push((p.fetched, p.to_fetch, p.bodies_fetched, p.bodies_to_fetch));
    step("sync again", sync_mailbox_reporting(&mut session, &store, "acct", "INBOX", &options, &mut record))
        .await
        .expect("sync again");
    assert_eq!(seen, [(0, 0, 0, 0)], "nothing new: one report, nothing to fetch");
}

#[tokio::test]
async fn a_sync_cut_off_after_one_batch_resumes_without_duplicates() {
    let dovecot = start(false);
    seed(&dovecot, 1, 35);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let cut = SyncOptions { batch_size: 10, cut_connection_after_batches: Some(1), ..SyncOptions::default() };
    match step("cut sync", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &cut)).await {
        Err(ImapError::Network(_)) => {}
        Err(other) => panic!("expected a network error after the cut, got {other}"),
        Ok(report) => panic!("the cut sync cannot finish: {report:?}"),
    }
    // The first batch is safe on disk and UIDNEXT moved exactly past it.
    assert_eq!(store.count_messages("acct", "INBOX"), 10);
    assert_eq!(store.mailbox("acct", "INBOX").expect("state").map(|m| m.uid_next), Some(11));
    // The broken session is gone for good: no zombie that answers "empty mailbox".
    assert!(!session.is_connected());
    match step("zombie", sync_mailbox(&mut session, &store, "acct", "INBOX")).await {
        Err(ImapError::Disconnected) => {}
        other => panic!("a dropped session must refuse to sync, got {other:?}"),
    }

    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let resumed = step("resume", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("resume");
    assert_eq!((resumed.new, resumed.cache_cleared), (25, false));
    assert_eq!(store.count_messages("acct", "INBOX"), 35);
    assert_eq!(subjects(&store), expected_subjects(1..36));
}

#[tokio::test]
async fn a_missing_mailbox_is_reported() {
    let dovecot = start(false);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    match step("sync", sync_mailbox(&mut session, &store, "acct", "Nope")).await {
        Err(ImapError::MailboxMissing(name)) => assert_eq!(name, "Nope"),
        other => panic!("expected MailboxMissing, got {other:?}"),
    }
    // A NO leaves the connection usable.
    assert!(session.is_connected());
    step("sync inbox", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("INBOX still syncs");
}

#[tokio::test]
async fn a_uidvalidity_change_under_a_live_session_never_leaves_stale_uids() {
    let dovecot = start(false);
    seed(&dovecot, 1, 5);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let first = step("sync 1", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 1");

    dovecot.set_uid_validity("alice", "INBOX", 777).expect("doveadm mailbox update");
    // Dovecot may answer the selected session with "* BYE IMAP session state is inconsistent"
    // (then the session is dropped and a new one syncs) or let the re-SELECT see the new value
    // (seen here with Dovecot 2.3.19); either way the cache must end up rebuilt under 777.
    let report = match step("sync on the old session", sync_mailbox(&mut session, &store, "acct", "INBOX"))
        .await
    {
        Ok(report) => report,
        Err(ImapError::Network(_)) => {
            assert!(!session.is_connected());
            assert_eq!(store.count_messages("acct", "INBOX"), 5, "a dying session must not drop the cache");
            let mut session = login(&plain_config(&dovecot), &dovecot).await;
            step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 2")
        }
        Err(other) => panic!("unexpected error: {other}"),
    };
    assert_eq!((report.uid_validity, report.cache_cleared, report.new), (777, true, 5));
    assert_eq!(store.uids("acct", "INBOX", 777).expect("uids"), [1, 2, 3, 4, 5]);
    assert!(store.uids("acct", "INBOX", first.uid_validity).expect("old uids").is_empty());
}

#[tokio::test]
async fn two_syncs_of_one_folder_take_turns() {
    // The inbox's follower and the user's Sync at the same moment, on two connections: the
    // second waits for the first and then finds nothing left to fetch, instead of fetching
    // (and replaying queued moves) side by side.
    let dovecot = start(false);
    seed(&dovecot, 1, 60);
    let store = Store::open_temporary().expect("store");
    let mut first_session = login(&plain_config(&dovecot), &dovecot).await;
    let mut second_session = login(&plain_config(&dovecot), &dovecot).await;
    let small = SyncOptions { batch_size: 10, ..SyncOptions::default() };
    let (first, second) = tokio::join!(
        sync_mailbox_with(&mut first_session, &store, "acct", "INBOX", &small),
        sync_mailbox_with(&mut second_session, &store, "acct", "INBOX", &small),
    );
    let (first, second) = (first.expect("first sync"), second.expect("second sync"));
    let mut fetched = [first.new, second.new];
    fetched.sort_unstable();
    assert_eq!(fetched, [0, 60], "one sync fetched everything, the other nothing");
    assert_eq!(first.bodies + second.bodies, 60, "each body fetched once");
    assert_eq!(store.count_messages("acct", "INBOX"), 60);
    assert_eq!(subjects(&store), expected_subjects(1..61));
}
