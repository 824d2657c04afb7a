//! Tests of threading against sled: the joining rule, the thread list and its upkeep.

use super::*;
use crate::{FetchedMessage, NewMessage};

const ACCOUNT: &str = "a";

fn key_in(mailbox: &str, uid: u32) -> MessageKey {
    MessageKey { account: ACCOUNT.into(), mailbox: mailbox.into(), uid_validity: 1, uid }
}

/// A message with the given headers; `day` of January 2024 is its date.
struct Mail<'a> {
    id: Option<&'a str>,
    references: Option<&'a str>,
    in_reply_to: Option<&'a str>,
    from: &'a str,
    day: u32,
}

impl Mail<'_> {
    fn raw(&self) -> Vec<u8> {
        let mut text =
            format!("From: {}\r\nSubject: s\r\nDate: {} Jan 2024 10:00:00 +0000\r\n", self.from, self.day);
        for (name, value) in
            [("Message-ID", self.id), ("References", self.references), ("In-Reply-To", self.in_reply_to)]
        {
            if let Some(value) = value {
                text.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        text.push_str("\r\nbody\r\n");
        text.into_bytes()
    }
}

fn mail<'a>(id: &'a str, references: &'a str, day: u32) -> Mail<'a> {
    Mail {
        id: Some(id),
        references: (!references.is_empty()).then_some(references),
        in_reply_to: None,
        from: "Ann <ann@example.org>",
        day,
    }
}

fn put(store: &Store, mailbox: &str, uid: u32, mail: &Mail<'_>) {
    let message = NewMessage { key: key_in(mailbox, uid), seen: false, raw: mail.raw() };
    store.insert_messages(&[message]).unwrap();
}

fn thread_of(store: &Store, mailbox: &str, uid: u32) -> String {
    store.message(&key_in(mailbox, uid)).unwrap().unwrap().0.thread.unwrap()
}

/// The UIDs of each thread row of a mailbox's first page, with their counts.
fn rows(store: &Store, mailbox: &str) -> Vec<(u32, usize, usize)> {
    let page = store.thread_page(ACCOUNT, mailbox, 0, 100).unwrap();
    assert_eq!(page.total_threads, page.rows.len());
    page.rows.iter().map(|row| (row.latest.key.uid, row.count, row.unread)).collect()
}

#[test]
fn replies_arriving_before_their_parents_join_them() {
    let store = Store::open_temporary().unwrap();
    // r1 names only its direct parent b, r2 only the root a: nothing links them until b comes.
    put(&store, "INBOX", 1, &mail("<r1@x>", "<b@x>", 3));
    put(&store, "INBOX", 2, &mail("<r2@x>", "<a@x>", 4));
    assert_ne!(thread_of(&store, "INBOX", 1), thread_of(&store, "INBOX", 2));
    assert_eq!(rows(&store, "INBOX").len(), 2);
    put(&store, "INBOX", 3, &mail("<b@x>", "<a@x>", 2));
    let thread = thread_of(&store, "INBOX", 3);
    assert_eq!(thread_of(&store, "INBOX", 1), thread);
    assert_eq!(thread_of(&store, "INBOX", 2), thread);
    assert_eq!(rows(&store, "INBOX"), [(2, 3, 3)]);
    // The root comes last and joins too; a later reply to r1 as well.
    put(&store, "INBOX", 4, &mail("<a@x>", "", 1));
    put(&store, "INBOX", 5, &Mail { in_reply_to: Some("<r1@x>"), ..mail("<r3@x>", "", 5) });
    assert_eq!(thread_of(&store, "INBOX", 4), thread);
    assert_eq!(thread_of(&store, "INBOX", 5), thread);
    let uids: Vec<u32> =
        store.thread_messages(ACCOUNT, &thread).unwrap().iter().map(|summary| summary.key.uid).collect();
    assert_eq!(uids, [4, 3, 1, 2, 5]);
}

#[test]
fn a_batch_in_reverse_order_makes_one_thread() {
    let store = Store::open_temporary().unwrap();
    let mails = [mail("<c@x>", "<b@x>", 3), mail("<b@x>", "<a@x>", 2), mail("<a@x>", "", 1)];
    let batch: Vec<NewMessage> = mails
        .iter()
        .enumerate()
        .map(|(index, mail)| NewMessage {
            key: key_in("INBOX", index as u32 + 1),
            seen: true,
            raw: mail.raw(),
        })
        .collect();
    store.insert_messages(&batch).unwrap();
    assert_eq!(rows(&store, "INBOX"), [(1, 3, 0)]);
    let threads: Vec<Option<String>> =
        store.list_messages(ACCOUNT, "INBOX").unwrap().into_iter().map(|summary| summary.thread).collect();
    assert!(threads.iter().all(|thread| thread.is_some() && *thread == threads[0]), "{threads:?}");
}

#[test]
fn a_reply_in_another_folder_joins_the_inbox_thread() {
    let store = Store::open_temporary().unwrap();
    put(&store, "INBOX", 10, &mail("<q@x>", "", 1));
    put(&store, "Sent", 3, &Mail { from: "Me <me@example.org>", ..mail("<answer@x>", "<q@x>", 2) });
    let thread = thread_of(&store, "INBOX", 10);
    assert_eq!(thread_of(&store, "Sent", 3), thread);
    // Each folder counts its own messages; reading the thread shows both, oldest first.
    assert_eq!(rows(&store, "INBOX"), [(10, 1, 1)]);
    assert_eq!(rows(&store, "Sent"), [(3, 1, 1)]);
    let read: Vec<(String, u32)> = store
        .thread_messages(ACCOUNT, &thread)
        .unwrap()
        .into_iter()
        .map(|summary| (summary.key.mailbox, summary.key.uid))
        .collect();
    assert_eq!(read, [("INBOX".to_owned(), 10), ("Sent".to_owned(), 3)]);
}

#[test]
fn gmail_thread_ids_win_over_headers() {
    let store = Store::open_temporary().unwrap();
    let fetched = |uid: u32, mail: Mail<'_>, thread: Option<u64>| FetchedMessage {
        message: NewMessage { key: key_in("INBOX", uid), seen: false, raw: mail.raw() },
        flagged: false,
        server_thread: thread,
    };
    store
        .insert_fetched(&[
            fetched(1, mail("<one@x>", "", 1), Some(42)),
            // Unrelated headers, same Gmail thread: together.
            fetched(2, mail("<two@x>", "", 2), Some(42)),
            // Names one@x but Gmail split it off: Gmail wins.
            fetched(3, mail("<three@x>", "<one@x>", 3), Some(7)),
        ])
        .unwrap();
    assert_eq!(thread_of(&store, "INBOX", 1), "gm:42");
    assert_eq!(thread_of(&store, "INBOX", 2), "gm:42");
    assert_eq!(thread_of(&store, "INBOX", 3), "gm:7");
    // A message without a Gmail id (a local copy) that replies to two@x joins Gmail's thread.
    put(&store, "Local", 1, &mail("<four@x>", "<two@x>", 4));
    assert_eq!(thread_of(&store, "Local", 1), "gm:42");
    assert_eq!(rows(&store, "INBOX"), [(3, 1, 1), (2, 2, 2)]);
}

#[test]
fn messages_without_any_id_are_threads_of_their_own() {
    let store = Store::open_temporary().unwrap();
    let anonymous = |day| Mail { id: None, references: None, in_reply_to: None, from: "x@example.org", day };
    put(&store, "INBOX", 1, &anonymous(1));
    put(&store, "INBOX", 2, &anonymous(2));
    assert_ne!(thread_of(&store, "INBOX", 1), thread_of(&store, "INBOX", 2));
    assert_eq!(rows(&store, "INBOX"), [(2, 1, 1), (1, 1, 1)]);
    // Without its own id, a reply still joins its parent.
    put(&store, "INBOX", 3, &mail("<p@x>", "", 3));
    put(&store, "INBOX", 4, &Mail { id: None, ..mail("", "<p@x>", 4) });
    assert_eq!(thread_of(&store, "INBOX", 4), thread_of(&store, "INBOX", 3));
}

#[test]
fn garbage_references_neither_fail_nor_link() {
    let store = Store::open_temporary().unwrap();
    put(&store, "INBOX", 1, &mail("<p@x>", "", 1));
    for (uid, garbage) in [(2, "<>"), (3, "< >"), (4, "\u{1}"), (5, "<<<>>>")] {
        put(&store, "INBOX", uid, &mail(&format!("<g{uid}@x>"), garbage, uid));
    }
    let long = format!("<{}@x>", "y".repeat(2000));
    put(&store, "INBOX", 6, &mail("<g6@x>", &long, 6));
    let threads: Vec<String> = (1..=6).map(|uid| thread_of(&store, "INBOX", uid)).collect();
    let mut distinct = threads.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 6, "{threads:?}");
    // A good id among garbage still links.
    put(&store, "INBOX", 7, &mail("<g7@x>", "<> <p@x>", 7));
    assert_eq!(thread_of(&store, "INBOX", 7), thread_of(&store, "INBOX", 1));
}

#[test]
fn the_thread_list_follows_flags_removals_and_clearing() {
    let store = Store::open_temporary().unwrap();
    put(&store, "INBOX", 1, &Mail { from: "Ann <ann@example.org>", ..mail("<a@x>", "", 1) });
    put(&store, "INBOX", 2, &Mail { from: "bob@example.org", ..mail("<b@x>", "<a@x>", 6) });
    put(&store, "INBOX", 3, &Mail { from: "Cy <cy@example.org>", ..mail("<c@x>", "<a@x>", 3) });
    put(&store, "INBOX", 4, &Mail { from: "Di <di@example.org>", ..mail("<d@x>", "<a@x>", 4) });
    put(&store, "INBOX", 5, &mail("<other@x>", "", 5));
    assert_eq!(rows(&store, "INBOX"), [(2, 4, 4), (5, 1, 1)]);
    let page = store.thread_page(ACCOUNT, "INBOX", 0, 1).unwrap();
    assert_eq!(page.total_threads, 2);
    assert_eq!(page.rows[0].participants, ["Ann", "Cy", "Di"]);
    assert_eq!(page.rows[0].thread, thread_of(&store, "INBOX", 1));
    assert_eq!(store.thread_page(ACCOUNT, "INBOX", 1, 5).unwrap().rows[0].latest.key.uid, 5);

    store.mark_seen(&key_in("INBOX", 3), true).unwrap();
    store.set_seen_flags(&[(key_in("INBOX", 2), true)]).unwrap();
    assert_eq!(rows(&store, "INBOX"), [(2, 4, 2), (5, 1, 1)]);

    // The newest message goes: the thread's activity falls back behind the other thread.
    store.remove_messages(&[key_in("INBOX", 2)]).unwrap();
    assert_eq!(rows(&store, "INBOX"), [(5, 1, 1), (4, 3, 2)]);
    store.remove_messages(&[key_in("INBOX", 5)]).unwrap();
    assert_eq!(rows(&store, "INBOX"), [(4, 3, 2)]);

    put(&store, "Sent", 1, &mail("<e@x>", "<a@x>", 9));
    store.clear_mailbox(ACCOUNT, "INBOX").unwrap();
    assert_eq!(rows(&store, "INBOX"), []);
    let thread = thread_of(&store, "Sent", 1);
    assert_eq!(store.thread_messages(ACCOUNT, &thread).unwrap().len(), 1);
    // The ids are remembered: a late copy of a message of the thread still joins it.
    put(&store, "INBOX", 6, &mail("<c@x>", "", 3));
    assert_eq!(thread_of(&store, "INBOX", 6), thread);

    store.remove_account(ACCOUNT).unwrap();
    assert_eq!(store.thread_page(ACCOUNT, "Sent", 0, 10).unwrap().total_threads, 0);
    assert!(store.thread_messages(ACCOUNT, &thread).unwrap().is_empty());
    assert_eq!(store.threads.len(), 0, "every thread entry of the account is gone");
}

#[test]
fn a_message_cached_again_moves_rather_than_doubles() {
    let store = Store::open_temporary().unwrap();
    put(&store, "INBOX", 1, &mail("<a@x>", "", 1));
    put(&store, "INBOX", 2, &mail("<b@x>", "", 2));
    // UID 2 is fetched again with other headers (a server that reused nothing, a test that
    // changed its mind): it leaves b's thread for a's.
    put(&store, "INBOX", 2, &mail("<c@x>", "<a@x>", 3));
    assert_eq!(rows(&store, "INBOX"), [(2, 2, 2)]);
}

#[test]
fn threads_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let thread = {
        let store = Store::open(dir.path()).unwrap();
        put(&store, "INBOX", 1, &mail("<b@x>", "<a@x>", 2));
        put(&store, "Sent", 1, &mail("<c@x>", "<b@x>", 3));
        thread_of(&store, "INBOX", 1)
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(thread_of(&store, "Sent", 1), thread);
    assert_eq!(rows(&store, "INBOX"), [(1, 1, 1)]);
    put(&store, "INBOX", 2, &mail("<a@x>", "", 1));
    assert_eq!(thread_of(&store, "INBOX", 2), thread);
    assert_eq!(store.thread_messages(ACCOUNT, &thread).unwrap().len(), 3);
}

/// A small deterministic generator (xorshift), so the big test needs no dependency.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

#[test]
fn ten_thousand_messages_page_like_a_brute_force_grouping() {
    let store = Store::open_temporary().unwrap();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    // 2 000 conversations; each message replies to a random earlier one of its conversation
    // with the whole chain in References, and messages arrive in a shuffled order.
    let mut conversations: Vec<Vec<String>> = Vec::new();
    let mut messages = Vec::new();
    for index in 0..10_000u32 {
        let conversation = dice.roll(2_000) as usize;
        if conversation >= conversations.len() {
            conversations.resize(conversation + 1, Vec::new());
        }
        let chain = &mut conversations[conversation];
        let references: Vec<String> = match chain.len() {
            0 => Vec::new(),
            len => chain[..=dice.roll(len as u64) as usize].to_vec(),
        };
        let id = format!("<m{index}@x>");
        chain.push(id.clone());
        let date =
            format!("{} Jan 2024 {:02}:{:02}:00 +0000", 1 + dice.roll(28), dice.roll(24), dice.roll(60));
        let mailbox = if dice.roll(5) == 0 { "Sent" } else { "INBOX" };
        let raw = format!(
            "From: p{}@example.org\r\nSubject: s\r\nDate: {date}\r\nMessage-ID: {id}\r\nReferences: {}\r\n\r\nb\r\n",
            dice.roll(50),
            references.join(" ")
        );
        messages.push((conversation, mailbox, raw.into_bytes(), dice.roll(3) == 0));
    }
    for index in (1..messages.len()).rev() {
        messages.swap(index, dice.roll(index as u64 + 1) as usize);
    }
    for (chunk_index, chunk) in messages.chunks(500).enumerate() {
        let batch: Vec<NewMessage> = chunk
            .iter()
            .enumerate()
            .map(|(index, (_, mailbox, raw, seen))| NewMessage {
                key: key_in(mailbox, (chunk_index * 500 + index) as u32 + 1),
                seen: *seen,
                raw: raw.clone(),
            })
            .collect();
        store.insert_messages(&batch).unwrap();
    }
    // Remove a few hundred, so the index upkeep on removal is part of what is compared.
    let removed: Vec<MessageKey> = (1..=10_000).step_by(37).map(|uid| key_in("INBOX", uid)).collect();
    store.remove_messages(&removed).unwrap();

    let summaries = store.list_messages(ACCOUNT, "INBOX").unwrap();
    // The generated conversations and the stored threads are the same partition.
    let mut thread_of_conversation: HashMap<usize, String> = HashMap::new();
    let mut conversation_of_thread: HashMap<String, usize> = HashMap::new();
    for summary in &summaries {
        let conversation = messages[summary.key.uid as usize - 1].0;
        let thread = summary.thread.clone().unwrap();
        assert_eq!(thread_of_conversation.entry(conversation).or_insert_with(|| thread.clone()), &thread);
        assert_eq!(*conversation_of_thread.entry(thread).or_insert(conversation), conversation);
    }
    // Brute force: group the summaries by thread, order by newest message then thread id.
    let mut groups: BTreeMap<String, Vec<&MessageSummary>> = BTreeMap::new();
    for summary in &summaries {
        groups.entry(summary.thread.clone().unwrap()).or_default().push(summary);
    }
    let mut expected: Vec<(u64, String, u32, usize, usize)> = groups
        .into_iter()
        .map(|(thread, members)| {
            let newest = members
                .iter()
                .min_by_key(|summary| (keys::descending_date(summary.date), !summary.key.uid))
                .unwrap();
            let unread = members.iter().filter(|summary| !summary.seen).count();
            (keys::descending_date(newest.date), thread, newest.key.uid, members.len(), unread)
        })
        .collect();
    expected.sort();
    let expected: Vec<(String, u32, usize, usize)> =
        expected.into_iter().map(|(_, thread, uid, count, unread)| (thread, uid, count, unread)).collect();

    assert_index_matches_summaries(&store);

    let mut actual = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.thread_page(ACCOUNT, "INBOX", offset, 300).unwrap();
        assert_eq!(page.total_threads, expected.len());
        if page.rows.is_empty() {
            break;
        }
        offset += page.rows.len();
        actual
            .extend(page.rows.into_iter().map(|row| (row.thread, row.latest.key.uid, row.count, row.unread)));
    }
    assert_eq!(actual, expected);
}

/// The member and list entries of the `threads` tree are exactly those the summaries imply.
fn assert_index_matches_summaries(store: &Store) {
    let mut expected = BTreeMap::new();
    let mut latest: BTreeMap<(String, String), u64> = BTreeMap::new();
    for entry in store.summaries.iter() {
        let summary: MessageSummary = decode(&entry.unwrap().1).unwrap();
        let thread = summary.thread.clone().unwrap();
        let sender = summary.from_name.as_deref().or(summary.from_email.as_deref()).unwrap_or_default();
        let descending = keys::descending_date(summary.date);
        expected.insert(
            member_key(&summary.key, &thread),
            [&descending.to_be_bytes(), sender.as_bytes()].concat(),
        );
        let newest = latest.entry((summary.key.mailbox.clone(), thread)).or_insert(descending);
        *newest = (*newest).min(descending);
    }
    for ((mailbox, thread), descending) in latest {
        expected.insert(list_key(&list_prefix(ACCOUNT, &mailbox), descending, &thread), Vec::new());
    }
    let actual: BTreeMap<Vec<u8>, Vec<u8>> = store
        .threads
        .iter()
        .map(|entry| entry.map(|(key, value)| (key.to_vec(), value.to_vec())).unwrap())
        .filter(|(key, _)| [MEMBERS, LIST].contains(&key[ACCOUNT.len() + 1]))
        .collect();
    assert_eq!(actual, expected);
}
