//! Read/unread both ways: the user's changes queued in the store reach the server with the next
//! sync, and the server's own changes still come back, without either overwriting the other.

use std::collections::BTreeMap;

use tidings_imap::{sync_mailbox, sync_mailbox_with, SyncOptions, SyncPolicy};
use tidings_store::{Account, ConnectionSecurity, MessageKey, ServerSettings, Store};

use crate::util::{
    login, other_client, other_expunge, other_store, plain_config, seed, server_seen, start, step,
};

/// A store whose account "acct" has a server, so its changes are queued for it.
pub fn store() -> Store {
    let store = Store::open_temporary().expect("store");
    put_account(&store);
    store
}

/// Writes the test account "acct" (with a server) into `store`.
pub fn put_account(store: &Store) {
    let server = ServerSettings {
        host: "127.0.0.1".into(),
        port: 143,
        security: ConnectionSecurity::Plain,
        username: "alice".into(),
        allow_plaintext: true,
        pinned_sha256: None,
    };
    let account = Account {
        id: "acct".into(),
        display_name: "alice".into(),
        email: "alice@example.org".into(),
        is_demo: false,
        server: Some(server),
        voicemail: None,
    };
    store.put_account(&account).expect("account");
}

/// The key of message `uid` in the test account's INBOX.
pub fn inbox_key(uid_validity: u32, uid: u32) -> MessageKey {
    MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity, uid }
}

fn local_seen(store: &Store, uid_validity: u32) -> BTreeMap<u32, bool> {
    store.seen_flags("acct", "INBOX", uid_validity).expect("flags").into_iter().collect()
}

#[tokio::test]
async fn read_and_unread_marks_reach_the_server_under_every_policy() {
    for policy in [SyncPolicy::Qresync, SyncPolicy::Condstore, SyncPolicy::Basic] {
        let dovecot = start(false);
        seed(&dovecot, 1, 10);
        let store = store();
        let options = SyncOptions { policy: Some(policy), ..SyncOptions::default() };
        let mut session = login(&plain_config(&dovecot), &dovecot).await;
        let first = step("sync 1", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("first sync");
        let key = |uid| inbox_key(first.uid_validity, uid);

        for uid in [2, 3, 4, 7] {
            assert!(store.mark_seen(&key(uid), true).expect("mark read"));
        }
        let pushed = step("sync 2", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("second sync");
        assert_eq!(pushed.flags_pushed, 4, "{policy:?}");
        let read: Vec<u32> =
            server_seen(&dovecot).await.into_iter().filter(|(_, seen)| *seen).map(|(uid, _)| uid).collect();
        assert_eq!(read, [2, 3, 4, 7], "{policy:?}: a fresh session sees the user's marks");

        assert!(store.mark_seen(&key(3), false).expect("mark unread"));
        let unread = step("sync 3", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("third sync");
        assert_eq!(unread.flags_pushed, 1, "{policy:?}");
        let on_server = server_seen(&dovecot).await;
        assert!(!on_server[&3], "{policy:?}: marked unread on the server too");
        assert_eq!(on_server, local_seen(&store, first.uid_validity), "{policy:?}");
        assert!(store.pending_flags("acct", "INBOX", first.uid_validity).expect("pending").is_empty());

        let quiet = step("sync 4", sync_mailbox_with(&mut session, &store, "acct", "INBOX", &options))
            .await
            .expect("fourth sync");
        assert_eq!(quiet.flags_pushed, 0, "{policy:?}: nothing is pushed twice");
    }
}

#[tokio::test]
async fn the_servers_changes_come_back_but_never_over_a_change_still_to_push() {
    let dovecot = start(false);
    seed(&dovecot, 1, 6);
    let store = store();
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let first = step("sync 1", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 1");
    let key = |uid| inbox_key(first.uid_validity, uid);

    // The user reads 2 here while another client reads 5 and, at once, reads then unreads 2.
    store.mark_seen(&key(2), true).expect("mark read");
    let mut other = other_client(&dovecot).await;
    other_store(&mut other, "5", "+FLAGS (\\Seen)").await;
    other_store(&mut other, "2", "+FLAGS (\\Seen)").await;
    other_store(&mut other, "2", "-FLAGS (\\Seen)").await;
    step("logout other", other.logout()).await.expect("logout");

    let report = step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 2");
    assert_eq!(report.flags_pushed, 1);
    let local = local_seen(&store, first.uid_validity);
    assert!(local[&5], "the other client's change to a message we did not touch is pulled");
    assert!(local[&2], "the user's pending change was not overwritten by the pull");
    assert_eq!(server_seen(&dovecot).await, local, "and it is what the server has now");

    // A pulled flag never overwrites a row that is still pending (the store's rule, seen here
    // with the server's real answer): the row wins until a sync pushes it.
    store.mark_seen(&key(5), false).expect("mark unread");
    assert_eq!(store.set_seen_flags(&[(key(5), true)]).expect("pull"), 0);
    assert!(!local_seen(&store, first.uid_validity)[&5]);
    step("sync 3", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 3");
    assert!(!server_seen(&dovecot).await[&5]);
}

#[tokio::test]
async fn a_change_to_a_message_expunged_on_the_server_is_dropped_quietly() {
    let dovecot = start(false);
    seed(&dovecot, 1, 5);
    let store = store();
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let first = step("sync 1", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 1");
    let key = |uid| inbox_key(first.uid_validity, uid);

    store.mark_seen(&key(4), true).expect("mark read");
    store.mark_seen(&key(1), true).expect("mark read");
    let mut other = other_client(&dovecot).await;
    other_expunge(&mut other, "4").await;
    step("logout other", other.logout()).await.expect("logout");

    let report = step("sync 2", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("sync 2");
    assert_eq!((report.expunged, report.warnings.len()), (1, 0), "{report:?}");
    assert!(store.pending_flags("acct", "INBOX", first.uid_validity).expect("pending").is_empty());
    assert_eq!(store.message(&key(4)).expect("read").map(|(summary, _)| summary.seen), None);
    let on_server = server_seen(&dovecot).await;
    assert_eq!(on_server.keys().copied().collect::<Vec<_>>(), [1, 2, 3, 5]);
    assert_eq!(on_server, local_seen(&store, first.uid_validity));
}
