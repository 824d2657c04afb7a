//! Moves and deletes queued in the store and replayed by the next sync of the source folder,
//! against a real Dovecot (which has MOVE and UIDPLUS; the COPY fallback is a `faults` test).
//! What the server holds is read with `doveadm`, outside any IMAP session.

use tidings_imap::{sync_mailbox, sync_mailbox_with, ImapError, SyncOptions, SyncPolicy, SyncReport};
use tidings_store::{FolderRecord, MessageKey, PendingOp, Store};
use tidings_testkit::Dovecot;

use crate::flags::{inbox_key, put_account, store};
use crate::util::{
    create_mailbox, login, other_client, other_expunge, plain_config, seed, server_subjects,
    server_uids_with, start, step, subject,
};

/// One sync of `mailbox` over a new session.
async fn sync(dovecot: &Dovecot, store: &Store, mailbox: &str) -> SyncReport {
    sync_with(dovecot, store, mailbox, &SyncOptions::default()).await
}

/// One sync of `mailbox` over a new session, with `options`.
async fn sync_with(dovecot: &Dovecot, store: &Store, mailbox: &str, options: &SyncOptions) -> SyncReport {
    let mut session = login(&plain_config(dovecot), dovecot).await;
    let report = step("sync", sync_mailbox_with(&mut session, store, "acct", mailbox, options)).await;
    step("logout", session.logout()).await.expect("logout");
    match report {
        Ok(report) => report,
        Err(error) => panic!("sync of {mailbox}: {error}"),
    }
}

fn subjects(numbers: &[usize]) -> Vec<String> {
    numbers.iter().map(|number| subject(*number)).collect()
}

fn local_subjects(store: &Store, mailbox: &str) -> Vec<String> {
    let mut subjects: Vec<String> = store
        .list_messages("acct", mailbox)
        .expect("list")
        .into_iter()
        .filter_map(|summary| summary.subject)
        .collect();
    subjects.sort();
    subjects
}

fn folder(name: &str, role: Option<&str>) -> FolderRecord {
    FolderRecord {
        name: name.into(),
        display_name: name.into(),
        role: role.map(str::to_owned),
        selectable: true,
    }
}

#[tokio::test]
async fn a_delete_moves_to_trash_and_a_delete_in_trash_expunges() {
    let dovecot = start(false);
    seed(&dovecot, 1, 5);
    create_mailbox(&dovecot, "Trash");
    let store = store();
    store
        .put_folders("acct", &[folder("INBOX", Some("inbox")), folder("Trash", Some("trash"))])
        .expect("folders");
    let first = sync(&dovecot, &store, "INBOX").await;

    let queued = store.queue_delete(&inbox_key(first.uid_validity, 2)).expect("delete");
    assert_eq!(queued, Some(PendingOp::Move { to: "Trash".into() }));
    assert_eq!(local_subjects(&store, "INBOX"), subjects(&[1, 3, 4, 5]), "gone from the list at once");
    assert_eq!(server_subjects(&dovecot, "INBOX"), subjects(&[1, 2, 3, 4, 5]), "not yet on the server");

    let report = sync(&dovecot, &store, "INBOX").await;
    assert_eq!((report.moved, report.new, report.warnings.len()), (1, 0, 0), "{report:?}");
    assert_eq!(server_subjects(&dovecot, "INBOX"), subjects(&[1, 3, 4, 5]));
    assert_eq!(server_subjects(&dovecot, "Trash"), subjects(&[2]));
    assert_eq!(local_subjects(&store, "INBOX"), subjects(&[1, 3, 4, 5]));
    assert!(store.pending_ops("acct", "INBOX", first.uid_validity).expect("ops").is_empty());

    // The message shows up in Trash with Trash's sync; deleting it there expunges it.
    let trash = sync(&dovecot, &store, "Trash").await;
    assert_eq!(local_subjects(&store, "Trash"), subjects(&[2]));
    let uid = store.uids("acct", "Trash", trash.uid_validity).expect("uids")[0];
    let in_trash = MessageKey { mailbox: "Trash".into(), ..inbox_key(trash.uid_validity, uid) };
    assert_eq!(store.queue_delete(&in_trash).expect("delete"), Some(PendingOp::Expunge));
    let report = sync(&dovecot, &store, "Trash").await;
    assert_eq!((report.deleted, report.warnings.len()), (1, 0), "{report:?}");
    assert!(server_subjects(&dovecot, "Trash").is_empty(), "expunged, not only marked \\Deleted");
    assert!(local_subjects(&store, "Trash").is_empty());
}

#[tokio::test]
async fn a_move_reaches_the_other_folder_and_shows_there_after_its_sync() {
    let dovecot = start(false);
    seed(&dovecot, 1, 4);
    create_mailbox(&dovecot, "Archive");
    let store = store();
    let first = sync(&dovecot, &store, "INBOX").await;
    let key = |uid| inbox_key(first.uid_validity, uid);
    store.mark_flagged(&key(3), true).expect("star");
    assert!(store.queue_move(&key(3), "Archive").expect("move").is_some());
    assert_eq!(local_subjects(&store, "INBOX"), subjects(&[1, 2, 4]));

    let report = sync(&dovecot, &store, "INBOX").await;
    assert_eq!((report.moved, report.flags_pushed), (1, 1), "{report:?}");
    assert_eq!(server_subjects(&dovecot, "INBOX"), subjects(&[1, 2, 4]));
    assert_eq!(server_subjects(&dovecot, "Archive"), subjects(&[3]));
    assert_eq!(
        server_uids_with(&dovecot, "Archive", "\\Flagged").len(),
        1,
        "the star set before the move went along"
    );

    sync(&dovecot, &store, "Archive").await;
    let archived = store.list_messages("acct", "Archive").expect("list");
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].subject.as_deref(), Some(subject(3).as_str()));
    assert!(archived[0].flagged);
}

/// Changes made with no server reachable are on disk: they survive closing and reopening the
/// store (as after a restart) and are replayed by the first sync after.
#[tokio::test]
async fn changes_made_offline_survive_a_reopen_and_are_replayed() {
    let dovecot = start(false);
    seed(&dovecot, 1, 4);
    create_mailbox(&dovecot, "Archive");
    let dir = tempfile::tempdir().expect("dir");
    let uid_validity = {
        let store = Store::open(dir.path()).expect("store");
        put_account(&store);
        let first = sync(&dovecot, &store, "INBOX").await;
        let key = |uid| inbox_key(first.uid_validity, uid);
        // No session from here: the user works offline.
        assert_eq!(store.queue_delete(&key(1)).expect("delete"), Some(PendingOp::Expunge), "no Trash known");
        assert!(store.queue_move(&key(2), "Archive").expect("move").is_some());
        assert!(store.mark_flagged(&key(3), true).expect("star"));
        first.uid_validity
    };
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(local_subjects(&store, "INBOX"), subjects(&[3, 4]));
    assert_eq!(store.pending_ops("acct", "INBOX", uid_validity).expect("ops").len(), 2);

    let report = sync(&dovecot, &store, "INBOX").await;
    assert_eq!((report.deleted, report.moved, report.flags_pushed), (1, 1, 1), "{report:?}");
    assert_eq!(server_subjects(&dovecot, "INBOX"), subjects(&[3, 4]));
    assert_eq!(server_subjects(&dovecot, "Archive"), subjects(&[2]));
    assert_eq!(server_uids_with(&dovecot, "INBOX", "\\Flagged"), [3]);
    assert!(store.pending_ops("acct", "INBOX", uid_validity).expect("ops").is_empty());
}

#[tokio::test]
async fn a_move_to_a_missing_folder_stays_queued_with_a_warning() {
    let dovecot = start(false);
    seed(&dovecot, 1, 3);
    let store = store();
    let first = sync(&dovecot, &store, "INBOX").await;
    let key = |uid| inbox_key(first.uid_validity, uid);
    store.queue_move(&key(1), "Nowhere").expect("move");

    for round in 1..=2 {
        let report = sync(&dovecot, &store, "INBOX").await;
        assert_eq!((report.moved, report.new), (0, 0), "round {round}: {report:?}");
        assert!(
            report
                .warnings
                .iter()
                .any(|warning| warning.contains("refused to move") && warning.contains("Nowhere")),
            "round {round}: {:?}",
            report.warnings
        );
        assert_eq!(
            store.pending_ops("acct", "INBOX", first.uid_validity).expect("ops"),
            [(1, PendingOp::Move { to: "Nowhere".into() })],
            "round {round}: kept for the next sync"
        );
        assert_eq!(
            local_subjects(&store, "INBOX"),
            subjects(&[2, 3]),
            "round {round}: still hidden, not refetched"
        );
        assert_eq!(server_subjects(&dovecot, "INBOX"), subjects(&[1, 2, 3]));
    }

    create_mailbox(&dovecot, "Nowhere");
    let report = sync(&dovecot, &store, "INBOX").await;
    assert_eq!((report.moved, report.warnings.len()), (1, 0), "{report:?}");
    assert_eq!(server_subjects(&dovecot, "Nowhere"), subjects(&[1]));
}

/// Under every policy, since each finds expunges its own way (VANISHED, or a SEARCH compared
/// with the cache).
#[tokio::test]
async fn an_op_on_a_message_expunged_elsewhere_is_dropped() {
    for policy in [SyncPolicy::Qresync, SyncPolicy::Condstore, SyncPolicy::Basic] {
        let options = SyncOptions { policy: Some(policy), ..SyncOptions::default() };
        let dovecot = start(false);
        seed(&dovecot, 1, 4);
        create_mailbox(&dovecot, "Archive");
        let store = store();
        let first = sync_with(&dovecot, &store, "INBOX", &options).await;
        let key = |uid| inbox_key(first.uid_validity, uid);
        store.queue_move(&key(4), "Archive").expect("move");
        store.queue_delete(&key(1)).expect("delete");
        let mut other = other_client(&dovecot).await;
        other_expunge(&mut other, "4").await;
        step("logout other", other.logout()).await.expect("logout");

        let report = sync_with(&dovecot, &store, "INBOX", &options).await;
        assert_eq!((report.ops_dropped, report.moved, report.deleted), (1, 0, 1), "{policy:?}: {report:?}");
        assert!(report.warnings.is_empty(), "{policy:?}: {:?}", report.warnings);
        assert!(store.pending_ops("acct", "INBOX", first.uid_validity).expect("ops").is_empty());
        assert!(server_subjects(&dovecot, "Archive").is_empty(), "{policy:?}");
        assert_eq!(server_subjects(&dovecot, "INBOX"), subjects(&[2, 3]), "{policy:?}");
        assert_eq!(local_subjects(&store, "INBOX"), subjects(&[2, 3]), "{policy:?}");
        let again = sync_with(&dovecot, &store, "INBOX", &options).await;
        assert_eq!((again.new, again.expunged, again.ops_dropped), (0, 0, 0), "{policy:?}: {again:?}");
    }
}

#[tokio::test]
async fn a_new_uidvalidity_drops_the_queued_ops_and_says_so() {
    let dovecot = start(false);
    seed(&dovecot, 1, 3);
    create_mailbox(&dovecot, "Archive");
    let store = store();
    let first = sync(&dovecot, &store, "INBOX").await;
    store.queue_move(&inbox_key(first.uid_validity, 2), "Archive").expect("move");
    store.mark_flagged(&inbox_key(first.uid_validity, 3), true).expect("star");
    dovecot.set_uid_validity("alice", "INBOX", 4242).expect("doveadm mailbox update");

    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let report = match step("sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await {
        Ok(report) => report,
        Err(ImapError::Network(error)) => panic!("sync after the UIDVALIDITY change: {error}"),
        Err(error) => panic!("sync: {error}"),
    };
    assert!(report.cache_cleared);
    assert!(
        report
            .warnings
            .iter()
            .any(|warning| warning.contains("2 local changes") && warning.contains("UIDVALIDITY")),
        "{:?}",
        report.warnings
    );
    assert!(store.pending_ops("acct", "INBOX", first.uid_validity).expect("ops").is_empty());
    assert_eq!(store.pending_change_count("acct", "INBOX").expect("count"), 0);
    assert_eq!(local_subjects(&store, "INBOX"), subjects(&[1, 2, 3]), "the server's messages, as they are");
    assert!(server_subjects(&dovecot, "Archive").is_empty(), "nothing was moved under the new UIDs");
}
