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
    assert!(store.mark_seen(&key(1), true).unwrap());
    assert!(store.message(&key(1)).unwrap().unwrap().0.seen);
    assert!(!store.mark_seen(&key(9), true).unwrap());
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
        let db = open_locked(dir.path()).unwrap();
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
        voicemail: None,
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
        let db = open_locked(dir.path()).unwrap();
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
    drop(store);
    let (_reopened, _) = Store::open_or_rebuild(dir.path()).unwrap();
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
        voicemail: None,
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

/// Every summary has exactly one index entry, with its `\Seen` flag, and nothing else is indexed.
fn assert_index_matches_summaries(store: &Store) {
    let mut expected: Vec<(Vec<u8>, Vec<u8>)> = store
        .summaries
        .iter()
        .values()
        .map(|value| {
            let summary: MessageSummary = decode(&value.unwrap()).unwrap();
            (keys::date_index_key(&summary.key, summary.date), vec![u8::from(summary.seen)])
        })
        .collect();
    expected.sort();
    let actual: Vec<(Vec<u8>, Vec<u8>)> =
        store.by_date.iter().map(|entry| entry.map(|(k, v)| (k.to_vec(), v.to_vec())).unwrap()).collect();
    assert_eq!(actual, expected);
}

fn dated(uid: u32, day: u32, seen: bool) -> NewMessage {
    NewMessage {
        key: key(uid),
        seen,
        raw: raw(&format!("s{uid}"), &format!("Mon, {day} Jan 2024 10:00:00 +0000")),
    }
}

fn subjects(page: &MessagePage) -> Vec<&str> {
    page.summaries.iter().map(|summary| summary.subject.as_deref().unwrap()).collect()
}

#[test]
fn pages_come_newest_first_with_the_mailbox_counts() {
    let store = Store::open_temporary().unwrap();
    let batch: Vec<NewMessage> = (1..=10).map(|uid| dated(uid, 11 - uid, uid % 3 == 0)).collect();
    store.insert_messages(&batch).unwrap();
    // An undated message sorts after every dated one.
    let undated = b"From: x@example.org\r\nSubject: s99\r\n\r\nno date\r\n".to_vec();
    store.insert_messages(&[NewMessage { key: key(99), seen: false, raw: undated }]).unwrap();
    let page = store.page("a", "INBOX", 0, 3).unwrap();
    assert_eq!((page.total, page.unread), (11, 8));
    assert_eq!(subjects(&page), ["s1", "s2", "s3"]);
    assert_eq!(subjects(&store.page("a", "INBOX", 9, 5).unwrap()), ["s10", "s99"]);
    assert!(store.page("a", "INBOX", 20, 5).unwrap().summaries.is_empty());
    assert_eq!(store.page("a", "Sent", 0, 5).unwrap().total, 0);

    // The same UID cached again with another date moves, and reading it changes the count.
    store.insert_messages(&[dated(10, 20, false)]).unwrap();
    store.mark_seen(&key(1), true).unwrap();
    let page = store.page("a", "INBOX", 0, 2).unwrap();
    assert_eq!((page.total, page.unread), (11, 7));
    assert_eq!(subjects(&page), ["s10", "s1"]);
    assert_index_matches_summaries(&store);
}

#[test]
fn the_index_follows_every_write_and_is_built_for_an_older_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.insert_messages(&(1..=6).map(|uid| dated(uid, uid, false)).collect::<Vec<_>>()).unwrap();
        store.set_seen_flags(&[(key(1), true), (key(2), true)]).unwrap();
        store.remove_messages(&[key(3)]).unwrap();
        let other = MessageKey { mailbox: "INBOX2".into(), ..key(1) };
        store
            .insert_messages(&[NewMessage {
                key: other,
                seen: false,
                raw: raw("o", "Mon, 1 Jan 2024 10:00:00 +0000"),
            }])
            .unwrap();
        store.clear_mailbox("a", "INBOX2").unwrap();
        assert_index_matches_summaries(&store);
        // As a store written before the index existed.
        store.by_date.clear().unwrap();
        store.db.remove(DATE_INDEX_KEY).unwrap();
        store.db.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_index_matches_summaries(&store);
    let page = store.page("a", "INBOX", 0, 10).unwrap();
    assert_eq!((page.total, page.unread), (5, 3));
    assert_eq!(subjects(&page), ["s6", "s5", "s4", "s2", "s1"]);
    store.put_account(&account("a")).unwrap();
    store.remove_account("a").unwrap();
    assert_eq!(store.by_date.len(), 0);
}

#[test]
fn search_matches_every_word_in_sender_or_subject_ignoring_case() {
    let store = Store::open_temporary().unwrap();
    let message = |uid: u32, from: &str, subject: &str, seen: bool| NewMessage {
        key: key(uid),
        seen,
        raw: format!(
            "From: {from}\r\nSubject: {subject}\r\nDate: Mon, {uid} Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n"
        )
        .into_bytes(),
    };
    store
        .insert_messages(&[
            message(1, "Maria Sokolova <maria.s@sample2.com>", "Re: IT coffee times", true),
            message(2, "Andrew P. <andrew@sample1.com>", "IT coffee times", false),
            message(3, "Olivia Brown <olivia@example.com>", "Invoice renewal", false),
            message(4, "Ольга Смирнова <olga@example.ru>", "Отчёт за квартал", false),
        ])
        .unwrap();
    let found = store.search("a", "INBOX", "COFFEE times", 10).unwrap();
    assert_eq!((found.total, found.unread), (2, 1));
    assert_eq!(subjects(&found), ["IT coffee times", "Re: IT coffee times"]);
    assert_eq!(subjects(&store.search("a", "INBOX", "sample2 coffee", 10).unwrap()), ["Re: IT coffee times"]);
    assert_eq!(subjects(&store.search("a", "INBOX", "ольга", 10).unwrap()), ["Отчёт за квартал"]);
    let limited = store.search("a", "INBOX", "", 1).unwrap();
    assert_eq!((limited.total, limited.summaries.len()), (4, 1));
    assert_eq!(store.search("a", "INBOX", "nothing like it", 10).unwrap().total, 0);
}

#[test]
fn the_dialect_of_the_last_login_survives_reopening_and_goes_with_its_account() {
    let dir = tempfile::tempdir().unwrap();
    let gmail = ServerDialect { name: "gmail".into(), evidence: vec!["CAPABILITY lists X-GM-EXT-1".into()] };
    {
        let store = Store::open(dir.path()).unwrap();
        store.put_account(&account("a")).unwrap();
        store.put_account(&account("b")).unwrap();
        store.put_dialect("a", &gmail).unwrap();
        store.put_dialect("b", &ServerDialect { name: "imap4rev1".into(), evidence: Vec::new() }).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.dialect("a").unwrap(), Some(gmail));
    assert_eq!(store.dialect("c").unwrap(), None);
    store.remove_account("a").unwrap();
    assert_eq!(store.dialect("a").unwrap(), None);
    assert_eq!(store.dialect("b").unwrap().unwrap().name, "imap4rev1");
}

#[test]
fn a_rebuilt_cache_keeps_its_accounts_but_not_their_mail() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("cache");
    {
        let store = Store::open(&dir).unwrap();
        store.put_account(&account("a")).unwrap();
        store.put_account(&account("b")).unwrap();
        store.put_account(&Account { is_demo: true, ..account("demo") }).unwrap();
        store.remove_account("b").unwrap();
        store
            .insert_messages(&[NewMessage {
                key: key(1),
                seen: false,
                raw: raw("one", "Mon, 1 Nov 2021 10:00:00 +0000"),
            }])
            .unwrap();
    }
    let copy: Vec<Account> =
        decode(&std::fs::read(parent.path().join("cache.accounts.json")).unwrap()).unwrap();
    assert_eq!(copy, [account("a")], "removed accounts and the demo are not copied");
    std::fs::write(dir.join("conf"), b"\xff garbage \x00").unwrap();
    std::fs::write(dir.join("db"), vec![0xa5; 4096]).unwrap();
    let (store, rebuilt) = Store::open_or_rebuild(&dir).unwrap();
    assert!(rebuilt.as_deref().unwrap().ends_with("the account was kept"), "{rebuilt:?}");
    assert_eq!(store.accounts().unwrap(), [account("a")], "accounts (with their servers) survive");
    assert_eq!(store.count_messages("a", "INBOX"), 0, "mail comes back with the next sync");
}

/// A store with messages 1–3 of account "a" (which has a server), all unread.
fn store_with_a_server_account() -> Store {
    let store = Store::open_temporary().unwrap();
    store.put_account(&account("a")).unwrap();
    insert(&store, &[key(1), key(2), key(3)]);
    store
}

#[test]
fn a_local_change_is_cached_and_queued_together() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.put_account(&account("a")).unwrap();
        insert(&store, &[key(1), key(2), key(3)]);
        assert!(store.mark_seen(&key(3), true).unwrap());
        assert!(store.mark_seen(&key(1), true).unwrap());
        assert!(store.mark_seen(&key(1), false).unwrap(), "the newest wish replaces the row");
        assert!(!store.mark_seen(&key(9), true).unwrap(), "not cached");
    }
    // What mark_seen returned for is on disk: the flag and its row.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.pending_flags("a", "INBOX", 7).unwrap(), [(1, false), (3, true)]);
    assert_eq!(store.seen_flags("a", "INBOX", 7).unwrap(), [(1, false), (2, false), (3, true)]);
    assert!(store.pending_flags("a", "INBOX", 8).unwrap().is_empty(), "another UIDVALIDITY");
    assert_index_matches_summaries(&store);
}

#[test]
fn an_account_without_a_server_changes_locally_and_queues_nothing() {
    let store = Store::open_temporary().unwrap();
    store.put_account(&Account { server: None, ..account("a") }).unwrap();
    insert(&store, &[key(1)]);
    assert!(store.mark_seen(&key(1), true).unwrap());
    assert!(store.message(&key(1)).unwrap().unwrap().0.seen);
    assert!(store.pending_flags("a", "INBOX", 7).unwrap().is_empty());
}

#[test]
fn pulled_flags_do_not_overwrite_a_change_still_to_push() {
    let store = store_with_a_server_account();
    store.mark_seen(&key(1), true).unwrap();
    // The server still says unread for 1 (not pushed yet) and read for 2.
    let changed = store.set_seen_flags(&[(key(1), false), (key(2), true)]).unwrap();
    assert_eq!(changed, 1);
    assert_eq!(store.seen_flags("a", "INBOX", 7).unwrap(), [(1, true), (2, true), (3, false)]);
    // Once pushed and cleared, the server's word counts again.
    assert_eq!(store.clear_pending_flags(&[(key(1), Flag::Seen, true)]).unwrap(), 1);
    assert_eq!(store.set_seen_flags(&[(key(1), false)]).unwrap(), 1);
    assert!(!store.message(&key(1)).unwrap().unwrap().0.seen);
    assert_index_matches_summaries(&store);
}

#[test]
fn clearing_pushed_changes_keeps_one_made_again_meanwhile() {
    let store = store_with_a_server_account();
    store.mark_seen(&key(1), true).unwrap();
    store.mark_seen(&key(2), true).unwrap();
    let pushed: Vec<(MessageKey, Flag, bool)> = store
        .pending_flags("a", "INBOX", 7)
        .unwrap()
        .into_iter()
        .map(|(uid, seen)| (key(uid), Flag::Seen, seen))
        .collect();
    // While the push is on the wire, the user marks 2 unread again.
    store.mark_seen(&key(2), false).unwrap();
    assert_eq!(store.clear_pending_flags(&pushed).unwrap(), 1);
    assert_eq!(store.pending_flags("a", "INBOX", 7).unwrap(), [(2, false)]);
}

#[test]
fn changes_to_push_go_with_their_message_mailbox_or_account() {
    let store = store_with_a_server_account();
    let mut old_validity = key(5);
    old_validity.uid_validity = 6;
    let neighbour = MessageKey { mailbox: "INBOX2".into(), ..key(1) };
    insert(&store, &[old_validity.clone(), neighbour.clone()]);
    for key in [key(1), key(2), old_validity, neighbour.clone()] {
        store.mark_seen(&key, true).unwrap();
    }
    store.remove_messages(&[key(2)]).unwrap();
    assert_eq!(store.pending_flags("a", "INBOX", 7).unwrap(), [(1, true)], "expunged: row dropped");
    store.clear_mailbox("a", "INBOX").unwrap();
    assert!(store.pending_flags("a", "INBOX", 7).unwrap().is_empty());
    assert!(store.pending_flags("a", "INBOX", 6).unwrap().is_empty(), "an old UIDVALIDITY too");
    assert_eq!(store.pending_flags("a", "INBOX2", 7).unwrap(), [(1, true)], "the neighbour stays");
    store.remove_account("a").unwrap();
    assert_eq!(store.pending_flags.len(), 0);
}

fn folder(name: &str, role: Option<&str>) -> FolderRecord {
    FolderRecord {
        name: name.into(),
        display_name: name.into(),
        role: role.map(str::to_owned),
        selectable: true,
    }
}

#[test]
fn a_folder_that_left_the_list_takes_its_messages_and_state_along() {
    let store = Store::open_temporary().unwrap();
    let sent = |uid| MessageKey { mailbox: "Sent".into(), ..key(uid) };
    let old = |uid| MessageKey { mailbox: "Old".into(), ..key(uid) };
    insert(&store, &[key(1), sent(1), sent(2), old(1)]);
    for name in ["INBOX", "Sent", "Old", "Never listed"] {
        let state = Mailbox {
            account: "a".into(),
            name: name.into(),
            uid_validity: 7,
            uid_next: 3,
            highest_modseq: None,
        };
        store.put_mailbox(&state).unwrap();
    }
    let first = [folder("INBOX", Some("inbox")), folder("Sent", Some("sent")), folder("Old", None)];
    let removed = store.put_folders("a", &first).unwrap();
    assert_eq!(removed, [FolderRemoval { name: "Never listed".into(), messages: 0 }]);
    assert_eq!(store.folders("a").unwrap(), first);

    let removed = store.put_folders("a", &first[..2]).unwrap();
    assert_eq!(removed, [FolderRemoval { name: "Old".into(), messages: 1 }]);
    assert_eq!(store.count_messages("a", "Old"), 0);
    assert!(store.mailbox("a", "Old").unwrap().is_none());
    assert_eq!(store.count_messages("a", "Sent"), 2, "folders still listed keep their mail");
    assert_eq!(store.count_messages("a", "INBOX"), 1);
    assert_eq!(store.folders("a").unwrap(), first[..2]);
    assert!(store.folders("b").unwrap().is_empty());
}

#[test]
fn folders_go_with_their_account() {
    let store = Store::open_temporary().unwrap();
    store.put_account(&account("a")).unwrap();
    store.put_account(&account("b")).unwrap();
    store.put_folders("a", &[folder("INBOX", Some("inbox"))]).unwrap();
    store.put_folders("b", &[folder("INBOX", Some("inbox"))]).unwrap();
    store.remove_account("a").unwrap();
    assert!(store.folders("a").unwrap().is_empty());
    assert_eq!(store.folders("b").unwrap().len(), 1);
}

#[test]
fn unread_count_follows_the_seen_flags() {
    let store = Store::open_temporary().unwrap();
    insert(&store, &[key(1), key(2), key(3), MessageKey { mailbox: "INBOX2".into(), ..key(4) }]);
    assert_eq!(store.unread_count("a", "INBOX").unwrap(), 3);
    store.set_seen_flags(&[(key(2), true)]).unwrap();
    assert_eq!(store.unread_count("a", "INBOX").unwrap(), 2);
    assert_eq!(store.unread_count("a", "INBOX").unwrap(), store.page("a", "INBOX", 0, 0).unwrap().unread);
    assert_eq!(store.unread_count("a", "Nothing").unwrap(), 0);
}

#[test]
fn a_cache_from_before_threads_is_threaded_in_place_and_keeps_changes_to_push() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache");
    {
        let store = Store::open(&path).unwrap();
        store.put_account(&account("a")).unwrap();
        let mail = |uid: u32, id: &str, parent: &str| {
            NewMessage {
            key: MessageKey { account: "a".into(), mailbox: "INBOX".into(), uid_validity: 7, uid },
            seen: false,
            raw: format!(
                "From: x@example.org\r\nSubject: s\r\nMessage-ID: <{id}>\r\n{parent}Date: Tue, 1 Sep 2026 10:0{uid}:00 +0000\r\n\r\nhi\r\n"
            )
            .into_bytes(),
        }
        };
        store
            .insert_messages(&[mail(1, "root@x", ""), mail(2, "reply@x", "In-Reply-To: <root@x>\r\n")])
            .unwrap();
        let first = MessageKey { account: "a".into(), mailbox: "INBOX".into(), uid_validity: 7, uid: 1 };
        assert!(store.mark_seen(&first, true).unwrap());
    }
    // Make it look like version 1: no threads tree content, summaries without a thread.
    {
        let db = open_locked(&path).unwrap();
        db.insert(SCHEMA_KEY, &1u32.to_be_bytes()).unwrap();
        db.open_tree("threads").unwrap().clear().unwrap();
        let summaries = db.open_tree("summaries").unwrap();
        for entry in summaries.iter() {
            let (key, value) = entry.unwrap();
            let mut json: serde_json::Value = serde_json::from_slice(&value).unwrap();
            json.as_object_mut().unwrap().remove("thread");
            summaries.insert(key, serde_json::to_vec(&json).unwrap()).unwrap();
        }
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let page = store.thread_page("a", "INBOX", 0, 10).unwrap();
    assert_eq!(page.total_threads, 1, "both messages in one conversation");
    assert_eq!(page.rows[0].count, 2);
    assert_eq!(
        store.pending_flags("a", "INBOX", 7).unwrap(),
        [(1, true)],
        "the read flag still to push is kept"
    );
    assert!(store.list_messages("a", "INBOX").unwrap().iter().any(|m| m.key.uid == 1 && m.seen));
    drop(store);
    let db = open_locked(&path).unwrap();
    assert_eq!(db.get(SCHEMA_KEY).unwrap().unwrap().as_ref(), SCHEMA_VERSION.to_be_bytes());
}

/// A message with a thread link, a body and (when `attached`) a file.
fn whole(uid: u32, in_reply_to: Option<u32>, attached: bool) -> Vec<u8> {
    let reply = in_reply_to.map_or(String::new(), |parent| {
        format!("In-Reply-To: <m{parent}@example.org>\r\nReferences: <m{parent}@example.org>\r\n")
    });
    let mut raw = format!(
        "From: Ann Example <ann@example.org>\r\nTo: bob@example.org\r\nSubject: Plans {uid}\r\n\
         Date: Mon, {uid} Jan 2024 10:00:00 +0000\r\nMessage-ID: <m{uid}@example.org>\r\n{reply}\
         MIME-Version: 1.0\r\n"
    );
    if attached {
        raw.push_str(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
             Hello   Bob, the plan.\r\n--b\r\nContent-Type: application/pdf\r\n\
             Content-Disposition: attachment; filename=\"plan.pdf\"\r\n\r\n%PDF-1.4\r\n--b--\r\n",
        );
    } else {
        raw.push_str("Content-Type: text/plain\r\n\r\nHello   Bob, the plan.\r\n");
    }
    raw.into_bytes()
}

/// The header section of `raw`, with its closing blank line, as `BODY[HEADER]` brings it.
fn header_of(raw: &[u8]) -> Vec<u8> {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n").unwrap() + 4;
    raw[..end].to_vec()
}

fn headers(uid: u32, raw: &[u8], attachments: usize) -> FetchedHeaders {
    FetchedHeaders {
        key: key(uid),
        seen: false,
        flagged: false,
        server_thread: None,
        header: header_of(raw),
        attachments,
    }
}

#[test]
fn a_header_only_message_lists_counts_threads_and_searches_like_any_other() {
    let store = store_with_a_server_account();
    let (parent, reply) = (whole(10, None, false), whole(11, Some(10), true));
    let written = store.insert_headers(&[headers(10, &parent, 0), headers(11, &reply, 1)]).unwrap();
    assert_eq!(written, 2);
    for uid in [10, 11] {
        assert!(store.body_missing(&key(uid)).unwrap(), "UID {uid}");
    }
    assert!(!store.body_missing(&key(1)).unwrap(), "a whole message has its body");
    assert!(!store.body_missing(&key(99)).unwrap(), "nor is anything missing for an unknown key");
    // The list: sender, subject, date from the header; no preview yet; the server's attachment count.
    let page = store.page("a", "INBOX", 0, 2).unwrap();
    assert_eq!((page.total, page.unread), (5, 5));
    let newest = &page.summaries[0];
    assert_eq!(newest.subject.as_deref(), Some("Plans 11"));
    assert_eq!(newest.from_name.as_deref(), Some("Ann Example"));
    assert_eq!(newest.from_email.as_deref(), Some("ann@example.org"));
    assert_eq!(newest.date, Some(1_704_967_200));
    assert_eq!((newest.preview.as_str(), newest.attachments), ("", 1));
    // The reply joined its parent's thread through In-Reply-To / References.
    let thread = newest.thread.clone().unwrap();
    let members: Vec<u32> =
        store.thread_messages("a", &thread).unwrap().iter().map(|summary| summary.key.uid).collect();
    assert_eq!(members, [10, 11]);
    assert_eq!(store.search("a", "INBOX", "plans 10", 10).unwrap().total, 1);
    // `message` gives the header bytes; the missing ones come newest first.
    assert_eq!(store.message(&key(11)).unwrap().unwrap().1, header_of(&reply));
    assert_eq!(store.missing_bodies("a", "INBOX", 7, 10).unwrap(), [key(11), key(10)]);
    assert_eq!(store.missing_bodies("a", "INBOX", 7, 1).unwrap(), [key(11)]);
    assert!(store.missing_bodies("a", "INBOX", 8, 10).unwrap().is_empty(), "another UIDVALIDITY");
    assert_index_matches_summaries(&store);
}

#[test]
fn a_filled_body_gives_the_whole_summary_and_keeps_the_users_flag_changes() {
    let store = store_with_a_server_account();
    let (parent, reply) = (whole(10, None, false), whole(11, Some(10), true));
    store.insert_headers(&[headers(10, &parent, 0), headers(11, &reply, 0)]).unwrap();
    // The user reads and stars the reply before its body came; neither is pushed yet.
    store.mark_seen(&key(11), true).unwrap();
    store.mark_flagged(&key(11), true).unwrap();
    let thread = store.message(&key(11)).unwrap().unwrap().0.thread;

    let gone = MessageKey { uid: 12, ..key(11) };
    let filled =
        store.fill_bodies(&[(key(11), reply.clone()), (gone.clone(), whole(12, None, false))]).unwrap();
    assert_eq!(filled, 1, "a key no longer cached is skipped");
    assert!(store.message(&gone).unwrap().is_none(), "and not cached by the fill");
    let (summary, raw) = store.message(&key(11)).unwrap().unwrap();
    assert_eq!(raw, reply, "the whole message replaces the header");
    assert!(!store.body_missing(&key(11)).unwrap());
    assert!(store.body_missing(&key(10)).unwrap(), "the other one still waits");
    assert_eq!((summary.seen, summary.flagged, summary.thread.clone()), (true, true, thread));
    assert_eq!((summary.preview.as_str(), summary.attachments), ("Hello Bob, the plan.", 1));
    let pending = store.pending_flag_changes("a", "INBOX", 7).unwrap();
    assert_eq!(pending, [(11, Flag::Seen, true), (11, Flag::Flagged, true)], "still to push");

    // The same summary as the message fetched whole, but for the user's flags.
    let direct = Store::open_temporary().unwrap();
    direct.insert_messages(&[NewMessage { key: key(10), seen: false, raw: parent.clone() }]).unwrap();
    direct.insert_messages(&[NewMessage { key: key(11), seen: true, raw: reply.clone() }]).unwrap();
    let expected = direct.message(&key(11)).unwrap().unwrap().0;
    assert_eq!(summary, MessageSummary { flagged: true, thread: summary.thread.clone(), ..expected });

    assert_eq!(store.fill_bodies(&[(key(11), reply)]).unwrap(), 0, "filled already: skipped");
    assert_eq!(store.missing_bodies("a", "INBOX", 7, 10).unwrap(), [key(10)]);
    assert_index_matches_summaries(&store);
}

#[test]
fn headers_never_replace_a_whole_message_and_a_whole_insert_ends_the_wait() {
    let store = store_with_a_server_account();
    let first = store.message(&key(1)).unwrap().unwrap();
    assert_eq!(store.insert_headers(&[headers(1, &first.1, 0)]).unwrap(), 0);
    assert_eq!(store.message(&key(1)).unwrap().unwrap(), first, "the whole message stays");
    assert!(!store.body_missing(&key(1)).unwrap());

    let raw = whole(10, None, false);
    store.insert_headers(&[headers(10, &raw, 0)]).unwrap();
    let fetched = FetchedMessage {
        message: NewMessage { key: key(10), seen: false, raw: raw.clone() },
        flagged: false,
        server_thread: None,
    };
    store.insert_fetched(&[fetched]).unwrap();
    assert!(!store.body_missing(&key(10)).unwrap(), "cached whole: nothing missing");
    assert_eq!(store.message(&key(10)).unwrap().unwrap().1, raw);
}

#[test]
fn every_removal_takes_the_missing_body_mark_along() {
    let store = store_with_a_server_account();
    store
        .put_folders(
            "a",
            &[folder("INBOX", Some("inbox")), folder("Old", None), folder("Trash", Some("trash"))],
        )
        .unwrap();
    let in_old = |uid| MessageKey { mailbox: "Old".into(), ..key(uid) };
    let header_only = |keys: &[MessageKey]| {
        let batch: Vec<FetchedHeaders> = keys
            .iter()
            .map(|key| FetchedHeaders {
                key: key.clone(),
                ..headers(key.uid, &whole(key.uid, None, false), 0)
            })
            .collect();
        assert_eq!(store.insert_headers(&batch).unwrap(), keys.len());
    };
    let marks = || store.missing_bodies.len();
    header_only(&[key(10), key(11), key(12), key(13), key(14), in_old(20)]);
    assert_eq!(marks(), 6);

    store.remove_messages(&[key(10)]).unwrap();
    assert!(!store.body_missing(&key(10)).unwrap(), "expunged");
    store.queue_move(&key(11), "Old").unwrap().unwrap();
    assert!(!store.body_missing(&key(11)).unwrap(), "moved away");
    store.queue_delete(&key(12)).unwrap().unwrap();
    assert!(!store.body_missing(&key(12)).unwrap(), "deleted to Trash");
    assert_eq!(marks(), 3);

    let removed =
        store.put_folders("a", &[folder("INBOX", Some("inbox")), folder("Trash", Some("trash"))]).unwrap();
    assert_eq!(removed.len(), 1);
    assert!(!store.body_missing(&in_old(20)).unwrap(), "its folder left the list");
    assert_eq!(marks(), 2);

    store.clear_mailbox("a", "INBOX").unwrap();
    assert_eq!(marks(), 0, "a new UIDVALIDITY");

    header_only(&[key(30)]);
    let elsewhere = MessageKey { account: "b".into(), ..key(31) };
    store.put_account(&account("b")).unwrap();
    header_only(std::slice::from_ref(&elsewhere));
    store.remove_account("a").unwrap();
    assert_eq!(marks(), 1, "the account's marks went with it, its neighbour's stayed");
    assert!(store.body_missing(&elsewhere).unwrap());
}
