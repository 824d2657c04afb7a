//! `sync_account` replays the user's queued changes (stars, a delete to Trash) in the folder
//! they were made in, and the deleted message shows up in Trash within the same account sync,
//! because Trash is synced after the inbox. Against a real Dovecot (root and dovecot-imapd).

use std::sync::atomic::AtomicBool;

use tidings_accounts::{sync_account, AccountSyncOptions, AccountSyncReport};
use tidings_keychain::MemoryStore;
use tidings_store::{MessageKey, PendingOp, Store};

mod support;

use support::{account, server, ID};

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: bob@example.org\r\nTo: alice@example.org\r\nSubject: Note {n}\r\n\
         Date: Tue, 24 Nov 2026 10:{n:02}:00 +0000\r\nMessage-ID: <note{n}@example.org>\r\n\r\nHi {n}\r\n"
    )
    .into_bytes()
}

async fn sync(store: &Store, secrets: &MemoryStore) -> AccountSyncReport {
    let never = AtomicBool::new(false);
    let options = AccountSyncOptions::default();
    let syncing = sync_account(store, secrets, ID, &options, &never, |_| {});
    tokio::time::timeout(std::time::Duration::from_secs(120), syncing)
        .await
        .expect("the sync ends within two minutes")
        .unwrap_or_else(|error| panic!("sync_account: {error}"))
}

fn subjects(store: &Store, folder: &str) -> Vec<String> {
    let mut subjects: Vec<String> =
        store.list_messages(ID, folder).unwrap().into_iter().filter_map(|summary| summary.subject).collect();
    subjects.sort();
    subjects
}

#[tokio::test(flavor = "current_thread")]
async fn a_star_and_a_delete_reach_the_server_and_the_message_lands_in_trash() {
    let dovecot = server();
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Trash"]).expect("create Trash");
    let messages: Vec<Vec<u8>> = (1..=3).map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", "INBOX", &refs).expect("seed");
    let (store, secrets) = account(&dovecot);
    sync(&store, &secrets).await;
    let uid_validity = store.mailbox(ID, "INBOX").unwrap().expect("INBOX synced").uid_validity;
    let key = |uid| MessageKey { account: ID.into(), mailbox: "INBOX".into(), uid_validity, uid };

    // The first sync told the store which folder is Trash.
    assert_eq!(store.queue_delete(&key(2)).unwrap(), Some(PendingOp::Move { to: "Trash".into() }));
    assert!(store.mark_flagged(&key(1), true).unwrap());
    let report = sync(&store, &secrets).await;

    let inbox = report.synced.iter().find(|synced| synced.mailbox == "INBOX").expect("INBOX synced");
    assert_eq!((inbox.moved, inbox.flags_pushed), (1, 1), "{inbox:?}");
    assert_eq!(subjects(&store, "INBOX"), ["Note 1", "Note 3"]);
    assert_eq!(subjects(&store, "Trash"), ["Note 2"], "fetched by Trash's sync in the same account sync");
    let on_server =
        dovecot.doveadm(&["fetch", "-u", "alice", "hdr.subject flags", "mailbox", "INBOX"]).unwrap();
    assert!(!on_server.contains("Note 2"), "{on_server}");
    let starred: Vec<&str> = on_server.lines().filter(|line| line.contains("\\Flagged")).collect();
    assert_eq!(starred.len(), 1, "{on_server}");
    let trash = dovecot.doveadm(&["fetch", "-u", "alice", "hdr.subject", "mailbox", "Trash"]).unwrap();
    assert!(trash.contains("Note 2"), "{trash}");
    assert!(store.message(&key(1)).unwrap().expect("cached").0.flagged);
}
