//! Unit tests of the store against sled on a temporary directory.

use super::*;

fn key(uid: u32) -> MessageKey {
    MessageKey { account: "a".into(), mailbox: "INBOX".into(), uid_validity: 7, uid }
}

fn raw(subject: &str, date: &str) -> Vec<u8> {
    format!(
        "From: Ann Example <ann@example.org>\r\nTo: bob@example.org\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: <{subject}@example.org>\r\n\r\nHello   Bob,\r\n  see you.\r\n"
    )
    .into_bytes()
}

#[test]
fn messages_survive_reopening_and_list_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let batch = vec![
            NewMessage { key: key(1), seen: true, raw: raw("old", "Mon, 1 Jan 2024 10:00:00 +0000") },
            NewMessage { key: key(2), seen: false, raw: raw("new", "Tue, 2 Jan 2024 10:00:00 +0000") },
        ];
        assert_eq!(store.insert_messages(&batch).unwrap(), 2);
    }
    let store = Store::open(dir.path()).unwrap();
    let list = store.list_messages("a", "INBOX").unwrap();
    let subjects: Vec<_> = list.iter().map(|m| m.subject.as_deref().unwrap()).collect();
    assert_eq!(subjects, ["new", "old"]);
    assert_eq!(list[0].from_name.as_deref(), Some("Ann Example"));
    assert_eq!(list[0].from_email.as_deref(), Some("ann@example.org"));
    assert_eq!(list[0].preview, "Hello Bob, see you.");
    assert!(!list[0].seen);
    assert_eq!(list[1].date, Some(1_704_103_200));
}

#[test]
fn inserting_the_same_uid_twice_keeps_one_copy() {
    let store = Store::open_temporary().unwrap();
    let message = NewMessage { key: key(5), seen: false, raw: raw("x", "Mon, 1 Jan 2024 10:00:00 +0000") };
    store.insert_messages(std::slice::from_ref(&message)).unwrap();
    store.insert_messages(&[message]).unwrap();
    assert_eq!(store.count_messages("a", "INBOX"), 1);
}

#[test]
fn same_uid_under_another_uidvalidity_is_another_message() {
    let store = Store::open_temporary().unwrap();
    let mut other = key(5);
    other.uid_validity = 8;
    for key in [key(5), other.clone()] {
        let raw = raw("x", "Mon, 1 Jan 2024 10:00:00 +0000");
        store.insert_messages(&[NewMessage { key, seen: false, raw }]).unwrap();
    }
    assert_eq!(store.count_messages("a", "INBOX"), 2);
    assert!(store.message(&other).unwrap().is_some());
}

#[test]
fn a_batch_with_a_non_message_writes_nothing() {
    let store = Store::open_temporary().unwrap();
    let good = NewMessage { key: key(1), seen: false, raw: raw("x", "Mon, 1 Jan 2024 10:00:00 +0000") };
    let bad = NewMessage { key: key(2), seen: false, raw: Vec::new() };
    let error = store.insert_messages(&[good, bad]).unwrap_err();
    assert!(matches!(error, StoreError::NotAMessage(_)), "{error}");
    assert_eq!(store.count_messages("a", "INBOX"), 0);
}

#[test]
fn seen_flag_is_updated_in_place() {
    let store = Store::open_temporary().unwrap();
    let raw = raw("x", "Mon, 1 Jan 2024 10:00:00 +0000");
    store.insert_messages(&[NewMessage { key: key(1), seen: false, raw }]).unwrap();
    assert!(store.set_seen(&key(1), true).unwrap());
    assert!(store.message(&key(1)).unwrap().unwrap().0.seen);
    assert!(!store.set_seen(&key(9), true).unwrap());
}

#[test]
fn a_second_open_of_the_same_directory_says_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    match Store::open(dir.path()) {
        Err(StoreError::InUse { .. }) => {}
        Err(other) => panic!("expected InUse, got {other}"),
        Ok(_) => panic!("a second open must be refused"),
    }
}

#[test]
fn a_store_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert(SCHEMA_KEY, &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    match Store::open(dir.path()) {
        Err(StoreError::SchemaMismatch { found: 99, expected: SCHEMA_VERSION }) => {}
        other => panic!("expected a schema mismatch, got {:?}", other.err()),
    }
}

#[test]
fn accounts_and_mailboxes_round_trip() {
    let store = Store::open_temporary().unwrap();
    let account = Account {
        id: "a".into(),
        display_name: "Ann".into(),
        email: "ann@example.org".into(),
        is_demo: false,
        server: None,
    };
    store.put_account(&account).unwrap();
    let mailbox = Mailbox {
        account: "a".into(),
        name: "INBOX".into(),
        uid_validity: 7,
        uid_next: 3,
        highest_modseq: Some(9),
    };
    store.put_mailbox(&mailbox).unwrap();
    // "a" must not see the mailboxes of an account whose id merely starts with "a".
    let other = Mailbox { account: "ab".into(), ..mailbox.clone() };
    store.put_mailbox(&other).unwrap();
    assert_eq!(store.accounts().unwrap(), vec![account]);
    assert_eq!(store.mailboxes("a").unwrap(), vec![mailbox.clone()]);
    assert_eq!(store.mailbox("a", "INBOX").unwrap(), Some(mailbox));
}

#[test]
fn voicemail_context_is_recognised() {
    let store = Store::open_temporary().unwrap();
    let raw = b"From: VOICE=+15551234567@vvm.example.net\r\nSubject: voice mail\r\nMessage-Context: voice-message\r\n\r\nhi\r\n".to_vec();
    store.insert_messages(&[NewMessage { key: key(1), seen: false, raw }]).unwrap();
    let summary = store.message(&key(1)).unwrap().unwrap().0;
    assert_eq!(summary.voicemail, Some(VoicemailKind::Voice));
}

fn insert(store: &Store, keys: &[MessageKey]) {
    let batch: Vec<NewMessage> = keys
        .iter()
        .map(|key| NewMessage {
            key: key.clone(),
            seen: false,
            raw: raw(&format!("m{}", key.uid), "Mon, 1 Jan 2024 10:00:00 +0000"),
        })
        .collect();
    store.insert_messages(&batch).unwrap();
}

#[test]
fn uids_are_listed_ascending_per_uidvalidity_and_mailbox() {
    let store = Store::open_temporary().unwrap();
    let mut other_validity = key(3);
    other_validity.uid_validity = 8;
    let other_mailbox = MessageKey { mailbox: "INBOX2".into(), ..key(4) };
    insert(&store, &[key(300), key(2), key(70_000), other_validity, other_mailbox]);
    assert_eq!(store.uids("a", "INBOX", 7).unwrap(), [2, 300, 70_000]);
    assert_eq!(store.uids("a", "INBOX", 8).unwrap(), [3]);
    assert_eq!(store.uids("a", "INBOX2", 7).unwrap(), [4]);
    assert!(store.uids("a", "Sent", 7).unwrap().is_empty());
}

#[test]
fn seen_flags_change_in_one_batch_and_unknown_keys_are_skipped() {
    let store = Store::open_temporary().unwrap();
    insert(&store, &[key(1), key(2), key(3)]);
    let changed =
        store.set_seen_flags(&[(key(1), true), (key(2), false), (key(3), true), (key(9), true)]).unwrap();
    assert_eq!(changed, 2, "key 2 was already unseen and key 9 is not cached");
    assert_eq!(store.seen_flags("a", "INBOX", 7).unwrap(), [(1, true), (2, false), (3, true)]);
    assert!(store.message(&key(3)).unwrap().unwrap().0.seen);
}

#[test]
fn removed_messages_lose_summary_and_body() {
    let store = Store::open_temporary().unwrap();
    insert(&store, &[key(1), key(2), key(3)]);
    assert_eq!(store.remove_messages(&[key(2), key(3), key(9)]).unwrap(), 2);
    assert_eq!(store.uids("a", "INBOX", 7).unwrap(), [1]);
    assert!(store.message(&key(2)).unwrap().is_none());
    assert_eq!(store.raws.len(), 1, "raw bytes of removed messages must go too");
}

#[test]
fn clearing_a_mailbox_drops_every_uidvalidity_but_not_its_neighbours() {
    let store = Store::open_temporary().unwrap();
    let mut old_validity = key(5);
    old_validity.uid_validity = 6;
    // "INBOX" must not clear "INBOX2", whose key merely starts with the same letters.
    let neighbour = MessageKey { mailbox: "INBOX2".into(), ..key(1) };
    insert(&store, &[key(1), key(2), old_validity, neighbour.clone()]);
    assert_eq!(store.clear_mailbox("a", "INBOX").unwrap(), 3);
    assert_eq!(store.count_messages("a", "INBOX"), 0);
    assert_eq!(store.raws.len(), 1);
    assert!(store.message(&neighbour).unwrap().is_some());
}

#[test]
fn a_cache_of_another_schema_is_rebuilt_empty_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::open(dir.path()).unwrap();
        db.insert(SCHEMA_KEY, &99u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    let (store, rebuilt) = Store::open_or_rebuild(dir.path()).unwrap();
    assert!(rebuilt.unwrap().contains("schema 99"));
    assert!(store.accounts().unwrap().is_empty());
    drop(store);
    let (_, rebuilt) = Store::open_or_rebuild(dir.path()).unwrap();
    assert_eq!(rebuilt, None, "a healthy cache is opened as it is");
}

#[test]
fn a_garbled_cache_is_rebuilt_and_a_cache_in_use_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store
            .insert_messages(&[NewMessage {
                key: key(1),
                seen: false,
                raw: raw("one", "Mon, 1 Nov 2021 10:00:00 +0000"),
            }])
            .unwrap();
    }
    std::fs::write(dir.path().join("conf"), b"\xff garbage \x00").unwrap();
    std::fs::write(dir.path().join("db"), vec![0xa5; 4096]).unwrap();
    let (store, rebuilt) = Store::open_or_rebuild(dir.path()).unwrap();
    assert!(rebuilt.is_some(), "a garbled cache must be rebuilt");
    assert_eq!(store.count_messages("a", "INBOX"), 0);
    match Store::open_or_rebuild(dir.path()) {
        Err(StoreError::InUse { .. }) => {}
        other => panic!("a cache in use must not be wiped: {:?}", other.map(|(_, why)| why)),
    }
    assert!(dir.path().join("db").exists());
}

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        display_name: "ann@example.org".into(),
        email: "ann@example.org".into(),
        is_demo: false,
        server: Some(ServerSettings {
            host: "imap.example.org".into(),
            port: 993,
            security: ConnectionSecurity::Tls,
            username: "ann".into(),
            allow_plaintext: false,
            pinned_sha256: Some("ab".repeat(32)),
        }),
    }
}

#[test]
fn server_settings_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.put_account(&account("a")).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.account("a").unwrap(), Some(account("a")));
    assert_eq!(store.account("nobody").unwrap(), None);
    let json = String::from_utf8(store.accounts.get("a").unwrap().unwrap().to_vec()).unwrap();
    assert!(json.contains("\"security\":\"tls\""), "{json}");
}

#[test]
fn an_account_written_before_server_settings_still_loads() {
    let store = Store::open_temporary().unwrap();
    let old = br#"{"id":"old","display_name":"Old","email":"old@example.org","is_demo":false}"#;
    store.accounts.insert("old", old.as_slice()).unwrap();
    let loaded = store.account("old").unwrap().unwrap();
    assert_eq!(loaded.email, "old@example.org");
    assert_eq!(loaded.server, None);
}

#[test]
fn removing_an_account_takes_its_mailboxes_and_mail_but_not_its_neighbours() {
    let store = Store::open_temporary().unwrap();
    // "a" must not take "ab", whose keys merely start with the same letter.
    for id in ["a", "ab"] {
        store.put_account(&account(id)).unwrap();
        for name in ["INBOX", "Sent"] {
            store
                .put_mailbox(&Mailbox {
                    account: id.into(),
                    name: name.into(),
                    uid_validity: 7,
                    uid_next: 3,
                    highest_modseq: None,
                })
                .unwrap();
        }
    }
    let sent = MessageKey { mailbox: "Sent".into(), ..key(9) };
    let neighbour = MessageKey { account: "ab".into(), ..key(1) };
    insert(&store, &[key(1), key(2), sent, neighbour.clone()]);

    let removal = store.remove_account("a").unwrap();
    assert_eq!(removal, AccountRemoval { account: true, mailboxes: 2, messages: 3 });
    assert_eq!(store.account("a").unwrap(), None);
    assert!(store.mailboxes("a").unwrap().is_empty());
    assert_eq!(store.count_messages("a", "INBOX") + store.count_messages("a", "Sent"), 0);
    assert_eq!(store.raws.len(), 1, "raw bytes of the removed account must go too");
    assert_eq!(store.accounts().unwrap(), vec![account("ab")]);
    assert_eq!(store.mailboxes("ab").unwrap().len(), 2);
    assert!(store.message(&neighbour).unwrap().is_some());

    assert_eq!(store.remove_account("a").unwrap(), AccountRemoval::default(), "twice is harmless");
}

#[test]
fn a_removed_account_stays_removed_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.put_account(&account("a")).unwrap();
        insert(&store, &[key(1)]);
        store.remove_account("a").unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert!(store.accounts().unwrap().is_empty());
    assert_eq!(store.count_messages("a", "INBOX"), 0);
    assert_eq!(store.raws.len(), 0);
}
