//! The demo mailbox: hand-written messages from `assets/demo/`, embedded in the binary and
//! imported into the cache on first start, so a new user has something to read.
//!
//! It owns nothing but the import rule; the messages themselves are documented in
//! `assets/demo/README.md`.

use tidings_store::{Account, Mailbox, MessageKey, NewMessage, Store, StoreError};

include!(concat!(env!("OUT_DIR"), "/demo_messages.rs"));

/// The id of the demo account.
pub const DEMO_ACCOUNT: &str = "demo";
/// The demo account's one mailbox.
pub const DEMO_MAILBOX: &str = "INBOX";
/// The demo mailbox's UIDVALIDITY; UIDs are 1, 2, … in file-name order.
pub const DEMO_UID_VALIDITY: u32 = 1;
/// The newest messages stay unread, so the list shows what unread looks like.
const UNREAD_NEWEST: usize = 6;

/// Imports the demo mailbox unless it is already complete; returns how many messages were written.
///
/// Safe to run again after a crash halfway: messages are keyed by UID, so a second run replaces
/// rather than duplicates, and a complete import is left alone (keeping the user's read flags).
pub fn import_demo(store: &Store) -> Result<usize, StoreError> {
    if store.count_messages(DEMO_ACCOUNT, DEMO_MAILBOX) == DEMO_MESSAGES.len() {
        return Ok(0);
    }
    store.put_account(&Account {
        id: DEMO_ACCOUNT.into(),
        display_name: "Demo mailbox".into(),
        email: "you@demo.tidings.invalid".into(),
        is_demo: true,
        server: None,
        voicemail: None,
    })?;
    let count = DEMO_MESSAGES.len();
    let batch: Vec<NewMessage> = DEMO_MESSAGES
        .iter()
        .enumerate()
        .map(|(index, (_, raw))| NewMessage {
            key: demo_key(index as u32 + 1),
            seen: index + UNREAD_NEWEST < count,
            raw: raw.to_vec(),
        })
        .collect();
    let written = store.insert_messages(&batch)?;
    store.put_mailbox(&Mailbox {
        account: DEMO_ACCOUNT.into(),
        name: DEMO_MAILBOX.into(),
        uid_validity: DEMO_UID_VALIDITY,
        uid_next: count as u32 + 1,
        highest_modseq: None,
    })?;
    Ok(written)
}

/// The key of the demo message with `uid`.
pub fn demo_key(uid: u32) -> MessageKey {
    MessageKey {
        account: DEMO_ACCOUNT.into(),
        mailbox: DEMO_MAILBOX.into(),
        uid_validity: DEMO_UID_VALIDITY,
        uid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_mailbox_has_at_least_fifteen_messages_that_all_parse() {
        assert!(DEMO_MESSAGES.len() >= 15, "only {} demo messages", DEMO_MESSAGES.len());
        for (name, raw) in DEMO_MESSAGES {
            let message = mail_parser::MessageParser::default().parse(raw);
            let message = message.unwrap_or_else(|| panic!("{name} does not parse"));
            assert!(message.subject().is_some(), "{name} has no subject");
            assert!(message.date().is_some(), "{name} has no date");
            assert!(message.from().is_some(), "{name} has no sender");
        }
    }

    #[test]
    fn import_is_complete_and_idempotent() {
        let store = Store::open_temporary().unwrap();
        assert_eq!(import_demo(&store).unwrap(), DEMO_MESSAGES.len());
        assert!(store.mark_seen(&demo_key(1), false).unwrap());
        assert_eq!(import_demo(&store).unwrap(), 0, "a complete import is left alone");
        let list = store.list_messages(DEMO_ACCOUNT, DEMO_MAILBOX).unwrap();
        assert_eq!(list.len(), DEMO_MESSAGES.len());
        let first = list.iter().find(|m| m.key.uid == 1).unwrap();
        assert!(!first.seen, "the user's flag survives a second import");
        assert_eq!(list.iter().filter(|m| !m.seen).count(), UNREAD_NEWEST + 1);
    }

    #[test]
    fn the_it_coffee_times_thread_is_there() {
        let store = Store::open_temporary().unwrap();
        import_demo(&store).unwrap();
        let thread: Vec<_> = store
            .list_messages(DEMO_ACCOUNT, DEMO_MAILBOX)
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.as_deref().is_some_and(|s| s.contains("IT coffee times")))
            .collect();
        assert_eq!(thread.len(), 4, "the patent's thread has 4 messages");
    }
}
