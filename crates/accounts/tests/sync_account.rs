//! `sync_account` against a real Dovecot on loopback (needs root and dovecot-imapd, like the
//! testkit): folders with their roles and decoded names, every folder cached with progress in
//! order, a folder deleted on the server leaving the cache, a folder the server refuses while
//! the others sync, a dropped connection ending the sync, and cancelling between folders and
//! between batches; a header-only message's body fetched on demand.

use std::sync::atomic::{AtomicBool, Ordering};

use tidings_accounts::{
    fetch_message_body, sync_account, AccountProgress, AccountSyncOptions, AccountSyncReport, AccountsError,
};
use tidings_imap::{Bodies, ConnectOptions, SyncOptions};
use tidings_keychain::MemoryStore;
use tidings_store::{FolderRecord, MessageKey, Store};
use tidings_testkit::Dovecot;

mod support;

use support::{account, server, ID};

/// "Reisekosten März" as Dovecot keeps it: modified UTF-7.
const TRAVEL: &str = "Reisekosten M&AOQ-rz";

fn message(folder: &str, n: usize) -> Vec<u8> {
    format!(
        "From: bob@example.org\r\nTo: alice@example.org\r\nSubject: {folder} {n}\r\n\
         Date: Tue, 24 Nov 2026 10:{n:02}:00 +0000\r\nMessage-ID: <{n}.{}@example.org>\r\n\r\nHi {n}\r\n",
        folder.len()
    )
    .into_bytes()
}

fn seed(dovecot: &Dovecot, folder: &str, count: usize) {
    let messages: Vec<Vec<u8>> = (1..=count).map(|n| message(folder, n)).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", folder, &refs).unwrap_or_else(|error| panic!("seeding {folder}: {error}"));
}

fn create(dovecot: &Dovecot, folders: &[&str]) {
    for folder in folders {
        dovecot
            .doveadm(&["mailbox", "create", "-u", "alice", folder])
            .unwrap_or_else(|error| panic!("creating {folder}: {error}"));
    }
}

async fn sync(
    store: &Store,
    secrets: &MemoryStore,
    options: &AccountSyncOptions,
    stop: &AtomicBool,
    mut on_progress: impl FnMut(&AccountProgress, &AtomicBool) + Send,
) -> (AccountSyncReport, Vec<AccountProgress>) {
    let mut events = Vec::new();
    let syncing = sync_account(store, secrets, ID, options, stop, |event| {
        on_progress(&event, stop);
        events.push(event);
    });
    let report = tokio::time::timeout(std::time::Duration::from_secs(120), syncing)
        .await
        .expect("the sync ends within two minutes")
        .unwrap_or_else(|error| panic!("sync_account: {error}"));
    (report, events)
}

fn record(name: &str, display_name: &str, role: Option<&str>) -> FolderRecord {
    FolderRecord {
        name: name.into(),
        display_name: display_name.into(),
        role: role.map(str::to_owned),
        selectable: true,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_folder_is_listed_with_its_role_and_cached_inbox_first() {
    let dovecot = server();
    create(&dovecot, &["Sent", "Drafts", "Trash", "Archive", "Gesendete Objekte", "Reisekosten März"]);
    seed(&dovecot, "INBOX", 3);
    seed(&dovecot, "Sent", 2);
    seed(&dovecot, TRAVEL, 1);
    let (store, secrets) = account(&dovecot);
    let never = AtomicBool::new(false);
    let (report, events) = sync(&store, &secrets, &AccountSyncOptions::default(), &never, |_, _| {}).await;

    let expected_folders = vec![
        record("INBOX", "INBOX", Some("inbox")),
        record("Drafts", "Drafts", Some("drafts")),
        record("Sent", "Sent", Some("sent")),
        record("Archive", "Archive", Some("archive")),
        record("Trash", "Trash", Some("trash")),
        // One folder per role: "Sent" comes first in the name table.
        record("Gesendete Objekte", "Gesendete Objekte", None),
        record(TRAVEL, "Reisekosten März", None),
    ];
    assert_eq!(store.folders(ID).unwrap(), expected_folders);
    let listed: Vec<&str> = report.folders.iter().map(|folder| folder.name.as_str()).collect();
    let expected_names: Vec<&str> = expected_folders.iter().map(|folder| folder.name.as_str()).collect();
    assert_eq!(listed, expected_names);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(!report.cancelled);
    let synced: Vec<&str> = report.synced.iter().map(|synced| synced.mailbox.as_str()).collect();
    assert_eq!(synced, expected_names, "every folder synced, in list order");

    for (folder, count) in [("INBOX", 3), ("Sent", 2), (TRAVEL, 1), ("Drafts", 0)] {
        assert_eq!(store.count_messages(ID, folder), count, "{folder}");
        assert_eq!(store.unread_count(ID, folder).unwrap(), count, "{folder}");
    }
    let subjects: Vec<String> =
        store.list_messages(ID, TRAVEL).unwrap().into_iter().filter_map(|m| m.subject).collect();
    assert_eq!(subjects, [format!("{TRAVEL} 1")]);

    // Each folder: a start with its total, one event per header batch, then the bodies' start and
    // one event per body batch, an end with folders_done moved on.
    let counts = [
        ("INBOX", 3),
        ("Drafts", 0),
        ("Sent", 2),
        ("Archive", 0),
        ("Trash", 0),
        ("Gesendete Objekte", 0),
        (TRAVEL, 1),
    ];
    let mut expected = Vec::new();
    for (done, (folder, total)) in counts.iter().enumerate() {
        expected.push((folder.to_string(), done, 0, *total, 0, 0));
        if *total > 0 {
            expected.push((folder.to_string(), done, *total, *total, 0, 0));
            expected.push((folder.to_string(), done, *total, *total, 0, *total));
            expected.push((folder.to_string(), done, *total, *total, *total, *total));
        }
        let bodies = if *total > 0 { (*total, *total) } else { (0, 0) };
        expected.push((folder.to_string(), done + 1, *total, *total, bodies.0, bodies.1));
    }
    let seen: Vec<(String, usize, usize, usize, usize, usize)> = events
        .iter()
        .map(|e| {
            let (messages, bodies) = ((e.messages_done, e.messages_total), (e.bodies_done, e.bodies_total));
            (e.folder.clone(), e.folders_done, messages.0, messages.1, bodies.0, bodies.1)
        })
        .collect();
    assert_eq!(seen, expected);
    assert!(events.iter().all(|e| e.folders_total == 7));
    assert_eq!(events.last().map(|e| e.display_name.as_str()), Some("Reisekosten März"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_folder_deleted_on_the_server_leaves_the_cache_at_the_next_sync() {
    let dovecot = server();
    seed(&dovecot, "INBOX", 1);
    seed(&dovecot, "Projects", 2);
    let (store, secrets) = account(&dovecot);
    let never = AtomicBool::new(false);
    let options = AccountSyncOptions::default();
    let (first, _) = sync(&store, &secrets, &options, &never, |_, _| {}).await;
    assert!(first.removed.is_empty());
    assert_eq!(store.count_messages(ID, "Projects"), 2);

    dovecot.doveadm(&["mailbox", "delete", "-u", "alice", "Projects"]).expect("Projects is deleted");
    let (second, _) = sync(&store, &secrets, &options, &never, |_, _| {}).await;
    assert_eq!(second.removed, [("Projects".to_owned(), 2)]);
    assert_eq!(store.count_messages(ID, "Projects"), 0);
    assert!(store.mailbox(ID, "Projects").unwrap().is_none());
    let names: Vec<String> = store.folders(ID).unwrap().into_iter().map(|folder| folder.name).collect();
    assert_eq!(names, ["INBOX"]);
    assert_eq!(store.count_messages(ID, "INBOX"), 1, "the other folders keep their mail");
}

#[tokio::test(flavor = "current_thread")]
async fn cancelling_after_the_first_folder_leaves_the_inbox_whole_and_the_rest_untouched() {
    let dovecot = server();
    seed(&dovecot, "INBOX", 3);
    seed(&dovecot, "Sent", 2);
    let (store, secrets) = account(&dovecot);
    let stop = AtomicBool::new(false);
    let options = AccountSyncOptions::default();
    let (report, events) = sync(&store, &secrets, &options, &stop, |event, stop| {
        if event.folders_done == 1 {
            stop.store(true, Ordering::SeqCst);
        }
    })
    .await;
    assert!(report.cancelled);
    let synced: Vec<&str> = report.synced.iter().map(|synced| synced.mailbox.as_str()).collect();
    assert_eq!(synced, ["INBOX"]);
    assert!(!report.synced[0].cancelled, "the inbox itself was finished");
    assert_eq!(store.count_messages(ID, "INBOX"), 3);
    assert_eq!(store.count_messages(ID, "Sent"), 0);
    assert!(store.mailbox(ID, "Sent").unwrap().is_none(), "Sent was not even selected");
    assert!(events.iter().all(|event| event.folder == "INBOX"), "{events:?}");

    let never = AtomicBool::new(false);
    let (again, _) = sync(&store, &secrets, &options, &never, |_, _| {}).await;
    assert!(!again.cancelled);
    assert_eq!(store.count_messages(ID, "Sent"), 2);
    assert_eq!(again.synced[0].new, 0, "the inbox was complete");
}

#[tokio::test(flavor = "current_thread")]
async fn cancelling_between_batches_keeps_whole_batches_and_resumes_after_them() {
    let dovecot = server();
    seed(&dovecot, "INBOX", 5);
    let (store, secrets) = account(&dovecot);
    let stop = AtomicBool::new(false);
    let options = AccountSyncOptions {
        sync: SyncOptions { batch_size: 2, ..SyncOptions::default() },
        ..Default::default()
    };
    let (report, _) = sync(&store, &secrets, &options, &stop, |event, stop| {
        if event.messages_done == 2 {
            stop.store(true, Ordering::SeqCst);
        }
    })
    .await;
    assert!(report.cancelled);
    assert!(report.synced[0].cancelled);
    assert_eq!(report.synced[0].new, 2);
    assert_eq!(store.count_messages(ID, "INBOX"), 2);
    let state = store.mailbox(ID, "INBOX").unwrap().expect("the inbox has a sync state");
    assert_eq!(state.uid_next, 3, "UIDNEXT stops right after the batches written");

    let never = AtomicBool::new(false);
    let (again, _) = sync(&store, &secrets, &options, &never, |_, _| {}).await;
    assert_eq!(again.synced[0].new, 3);
    assert_eq!(store.count_messages(ID, "INBOX"), 5);
    assert_eq!(store.mailbox(ID, "INBOX").unwrap().map(|state| state.uid_next), Some(6));
}

#[tokio::test(flavor = "current_thread")]
async fn a_folder_the_server_refuses_is_reported_and_the_others_sync() {
    use std::os::unix::fs::PermissionsExt;
    let dovecot = server();
    seed(&dovecot, "INBOX", 1);
    seed(&dovecot, "Locked", 1);
    seed(&dovecot, "Open", 1);
    // Dovecot runs as vmail: a folder it cannot read is listed but cannot be selected.
    let locked = dovecot.maildir("alice").join(".Locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let (store, secrets) = account(&dovecot);
    let never = AtomicBool::new(false);
    let (report, _) = sync(&store, &secrets, &AccountSyncOptions::default(), &never, |_, _| {}).await;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).expect("chmod back");
    let failed: Vec<&str> = report.failed.iter().map(|failure| failure.folder.as_str()).collect();
    assert_eq!(failed, ["Locked"], "{:?}", report.failed);
    let synced: Vec<&str> = report.synced.iter().map(|synced| synced.mailbox.as_str()).collect();
    assert_eq!(synced, ["INBOX", "Open"]);
    assert_eq!(store.count_messages(ID, "Open"), 1);
    assert_eq!(store.count_messages(ID, "Locked"), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_dropped_connection_stops_the_sync_with_whole_batches_kept() {
    let dovecot = server();
    seed(&dovecot, "INBOX", 3);
    seed(&dovecot, "Sent", 2);
    let (store, secrets) = account(&dovecot);
    let never = AtomicBool::new(false);
    let sync = SyncOptions { batch_size: 2, cut_connection_after_batches: Some(1), ..SyncOptions::default() };
    let options = AccountSyncOptions { sync, ..Default::default() };
    let syncing = sync_account(&store, &secrets, ID, &options, &never, |_| {});
    let result = tokio::time::timeout(std::time::Duration::from_secs(120), syncing).await.expect("it ends");
    assert!(matches!(result, Err(AccountsError::Unreachable { .. })), "{result:?}");
    assert_eq!(store.count_messages(ID, "INBOX"), 2, "the batch written before the cut stays");
    assert_eq!(store.mailbox(ID, "INBOX").unwrap().map(|state| state.uid_next), Some(3));
    assert!(store.mailbox(ID, "Sent").unwrap().is_none(), "no folder is tried after the connection is gone");
}

#[tokio::test(flavor = "current_thread")]
async fn a_header_only_message_gets_its_body_on_demand() {
    let dovecot = server();
    seed(&dovecot, "INBOX", 3);
    let (store, secrets) = account(&dovecot);
    let never = AtomicBool::new(false);
    let headers_only = SyncOptions { bodies: Bodies::None, ..SyncOptions::default() };
    let options = AccountSyncOptions { sync: headers_only, ..Default::default() };
    let (report, _) = sync(&store, &secrets, &options, &never, |_, _| {}).await;
    assert_eq!((report.synced[0].new, report.synced[0].bodies_missing), (3, 3));
    let validity = store.mailbox(ID, "INBOX").unwrap().expect("the inbox has a sync state").uid_validity;
    let key = |uid| MessageKey { account: ID.into(), mailbox: "INBOX".into(), uid_validity: validity, uid };
    assert!(store.body_missing(&key(2)).unwrap());

    let connect = ConnectOptions::default();
    assert!(fetch_message_body(&store, &secrets, &key(2), &connect).await.expect("fetched"));
    assert!(!store.body_missing(&key(2)).unwrap());
    assert_eq!(store.message(&key(2)).unwrap().expect("cached").1, message("INBOX", 2));
    assert!(store.body_missing(&key(1)).unwrap(), "only the one asked for");
    assert!(fetch_message_body(&store, &secrets, &key(2), &connect).await.expect("whole already"));

    // Expunged on the server since: no body comes, and the caller hears so.
    dovecot.doveadm(&["expunge", "-u", "alice", "mailbox", "INBOX", "uid", "3"]).expect("doveadm expunge");
    assert!(!fetch_message_body(&store, &secrets, &key(3), &connect).await.expect("asked"));
    assert!(store.body_missing(&key(3)).unwrap(), "left for the next sync to remove");
    assert!(!fetch_message_body(&store, &secrets, &key(9), &connect).await.expect("not cached"));
}
