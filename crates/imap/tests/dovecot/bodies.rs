//! Headers first, bodies after: a headers-only sync lists, counts and threads a mailbox with every
//! body missing; one body on demand is the server's message byte for byte; a full sync then
//! makes the cache the server's mailbox exactly. A connection cut and a cancel during the body
//! step lose nothing and duplicate nothing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::TryStreamExt;
use tidings_imap::{
    fetch_bodies, sync_mailbox, sync_mailbox_cancellable, sync_mailbox_with, Bodies, ImapError, SyncOptions,
    SyncProgress,
};
use tidings_store::{MessageKey, Store};
use tidings_testkit::Dovecot;

use crate::util::{login, other_client, plain_config, seed, start, step, subject};

fn key(uid_validity: u32, uid: u32) -> MessageKey {
    MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity, uid }
}

/// Every message of alice's INBOX as the server sends it (`BODY.PEEK[]`), by UID.
async fn server_messages(dovecot: &Dovecot) -> BTreeMap<u32, Vec<u8>> {
    let mut session = other_client(dovecot).await;
    let stream = step("fetch all", session.uid_fetch("1:*", "(UID BODY.PEEK[])")).await.expect("uid fetch");
    let fetches: Vec<_> = step("drain", stream.try_collect::<Vec<_>>()).await.expect("fetch answer");
    let messages = fetches
        .iter()
        .map(|fetch| (fetch.uid.expect("a UID"), fetch.body().expect("a body").to_vec()))
        .collect();
    step("logout", session.logout()).await.expect("logout");
    messages
}

/// The header section of a message, with its closing blank line.
fn header_of(raw: &[u8]) -> &[u8] {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n").expect("a header end") + 4;
    &raw[..end]
}

/// The cache is the server's mailbox: the same UIDs, every message whole and byte-identical.
fn assert_equal_to_server(store: &Store, uid_validity: u32, server: &BTreeMap<u32, Vec<u8>>) {
    let uids = store.uids("acct", "INBOX", uid_validity).expect("uids");
    assert_eq!(uids, server.keys().copied().collect::<Vec<_>>(), "the cached UIDs");
    assert_eq!(store.count_messages("acct", "INBOX"), server.len(), "rows under another UIDVALIDITY");
    for (uid, raw) in server {
        let key = key(uid_validity, *uid);
        assert!(!store.body_missing(&key).expect("read"), "UID {uid} is still header-only");
        let (_, cached) = store.message(&key).expect("read").expect("cached");
        assert!(cached == *raw, "UID {uid}: the cached bytes differ from the server's");
    }
    assert!(store.missing_bodies("acct", "INBOX", uid_validity, usize::MAX).expect("missing").is_empty());
}

/// A conversation of two, besides the numbered messages.
fn seed_conversation(dovecot: &Dovecot) {
    let parent = b"From: Carol <carol@example.org>\r\nTo: alice@example.org\r\nSubject: Lunch?\r\n\
        Date: Wed, 25 Nov 2026 09:00:00 +0000\r\nMessage-ID: <lunch@example.org>\r\n\r\nNoon?\r\n";
    let reply = b"From: Alice <alice@example.org>\r\nTo: carol@example.org\r\nSubject: Re: Lunch?\r\n\
        Date: Wed, 25 Nov 2026 09:30:00 +0000\r\nMessage-ID: <lunch-re@example.org>\r\n\
        In-Reply-To: <lunch@example.org>\r\nReferences: <lunch@example.org>\r\n\r\nYes.\r\n";
    dovecot.seed("alice", "INBOX", &[parent.as_slice(), reply.as_slice()]).expect("seeding the conversation");
}

#[tokio::test]
async fn headers_first_then_one_body_on_demand_then_the_rest() {
    let dovecot = start(false);
    seed(&dovecot, 1, 30);
    seed_conversation(&dovecot);
    let server = server_messages(&dovecot).await;
    assert_eq!(server.len(), 32);
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;

    let headers_only = SyncOptions { batch_size: 10, bodies: Bodies::None, ..SyncOptions::default() };
    let report = step("headers", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &headers_only))
        .await
        .expect("headers-only sync");
    let validity = report.uid_validity;
    assert_eq!((report.new, report.bodies, report.bodies_missing), (32, 0, 32));
    // The list, the unread count and the threads work from the headers alone.
    let page = store.page("acct", "INBOX", 0, usize::MAX).expect("page");
    assert_eq!((page.total, page.unread), (32, 32));
    let newest = &page.summaries[0];
    assert_eq!(newest.subject.as_deref(), Some("Re: Lunch?"));
    assert_eq!(newest.from_email.as_deref(), Some("alice@example.org"));
    assert_eq!(page.summaries[1].subject.as_deref(), Some("Lunch?"));
    assert_eq!(newest.thread, page.summaries[1].thread, "the reply is in its parent's thread");
    assert!(newest.thread.is_some());
    assert!(page.summaries.iter().any(|summary| summary.subject.as_deref() == Some(subject(7).as_str())));
    assert_eq!(store.search("acct", "INBOX", "lunch", 10).expect("search").total, 2);
    for (uid, raw) in &server {
        let key = key(validity, *uid);
        assert!(store.body_missing(&key).expect("read"), "UID {uid} has a body already");
        let (_, cached) = store.message(&key).expect("read").expect("cached");
        assert_eq!(cached, header_of(raw), "UID {uid}: the header section, byte for byte");
    }
    let missing = store.missing_bodies("acct", "INBOX", validity, 3).expect("missing");
    assert_eq!(missing, [key(validity, 32), key(validity, 31), key(validity, 30)], "newest first");

    // The user opens message 5: its body alone comes, byte for byte.
    let filled = step("on demand", fetch_bodies(&mut session, &store, "acct", "INBOX", &[key(validity, 5)]))
        .await
        .expect("fetch_bodies");
    assert_eq!(filled, 1);
    assert!(!store.body_missing(&key(validity, 5)).expect("read"));
    assert!(store.message(&key(validity, 5)).expect("read").expect("cached").1 == server[&5]);
    assert!(store.body_missing(&key(validity, 6)).expect("read"), "only the one asked for");
    // A key of another UIDVALIDITY means nothing to the server now: skipped, nothing fetched.
    let stale = key(validity.wrapping_add(1), 6);
    let filled = step("stale", fetch_bodies(&mut session, &store, "acct", "INBOX", &[stale]))
        .await
        .expect("stale key");
    assert_eq!(filled, 0);
    assert!(store.body_missing(&key(validity, 6)).expect("read"));

    // A full sync fetches the rest: the cache is the server's mailbox.
    let full = step("full", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("full sync");
    assert_eq!((full.new, full.bodies, full.bodies_missing, full.cache_cleared), (0, 31, 0, false));
    assert_equal_to_server(&store, validity, &server);
    let again = step("again", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("again");
    assert_eq!((again.new, again.bodies), (0, 0), "nothing left to fetch");
}

#[tokio::test]
async fn a_connection_cut_during_the_bodies_loses_and_duplicates_nothing() {
    let dovecot = start(false);
    seed(&dovecot, 1, 35);
    let server = server_messages(&dovecot).await;
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    // Four header batches, then the cut after the first body batch.
    let cut = SyncOptions { batch_size: 10, cut_connection_after_batches: Some(5), ..SyncOptions::default() };
    match step("cut sync", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &cut)).await {
        Err(ImapError::Network(_)) => {}
        other => panic!("expected a network error after the cut, got {other:?}"),
    }
    let state = store.mailbox("acct", "INBOX").expect("state").expect("mailbox state");
    assert_eq!(store.count_messages("acct", "INBOX"), 35, "every header is cached");
    assert_eq!(state.uid_next, 36, "UIDNEXT stored once every header was");
    let missing = store.missing_bodies("acct", "INBOX", state.uid_validity, usize::MAX).expect("missing");
    let missing: Vec<u32> = missing.iter().map(|key| key.uid).collect();
    assert_eq!(missing, (1..=25).rev().collect::<Vec<u32>>(), "the newest ten bodies came first");

    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let resumed = step("resume", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("resume");
    assert_eq!((resumed.new, resumed.bodies, resumed.bodies_missing), (0, 25, 0));
    assert_equal_to_server(&store, state.uid_validity, &server);
}

#[tokio::test]
async fn a_sync_cancelled_during_the_bodies_leaves_the_rest_for_the_next() {
    let dovecot = start(false);
    seed(&dovecot, 1, 30);
    let server = server_messages(&dovecot).await;
    let store = Store::open_temporary().expect("store");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let options = SyncOptions { batch_size: 10, ..SyncOptions::default() };
    let stop = AtomicBool::new(false);
    let mut stop_after_a_body_batch = |progress: SyncProgress| {
        if progress.bodies_fetched >= 10 {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let report = step(
        "cancelled",
        sync_mailbox_cancellable(
            &mut session,
            &store,
            "acct",
            "INBOX",
            &options,
            &mut stop_after_a_body_batch,
            &stop,
        ),
    )
    .await
    .expect("cancelled sync");
    assert!(report.cancelled);
    assert_eq!((report.new, report.bodies, report.bodies_missing), (30, 10, 20));
    assert_eq!(store.count_messages("acct", "INBOX"), 30);

    let rest = step("rest", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("the rest");
    assert!(!rest.cancelled);
    assert_eq!((rest.new, rest.bodies, rest.bodies_missing), (0, 20, 0));
    assert_equal_to_server(&store, report.uid_validity, &server);
}
