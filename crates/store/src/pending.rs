//! The user's changes still to reach the server: flag changes (`\Seen`, `\Flagged`) and queued
//! moves and deletes, each written in one transaction with what the user sees, so a crash keeps
//! both or neither.
//!
//! This module owns the layout of the `pending_flags` and `pending_ops` trees. It does not talk
//! to any server: the sync reads the queues, replays them and clears what went through.
//!
//! `pending_flags` rows (message key → the wanted flags) come in two layouts, both read:
//! - one byte, 0 or 1: the wanted `\Seen` (rows written before `\Flagged` was queued);
//! - pairs of bytes, a flag code (`S` for `\Seen`, `F` for `\Flagged`) and 0 or 1.
//!
//! Every row written now uses pairs, so old stores keep their rows without a schema change.
//!
//! `pending_ops` rows (message key → JSON [`PendingOp`]) are written together with the removal of
//! the message's summary, body, date-index entry and missing-body mark (a header-only message's
//! body is fetched at the destination): the message leaves its folder's list at once and comes
//! back, where it went, with the next sync of the destination.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sled::transaction::{
    ConflictableTransactionError, ConflictableTransactionResult, Transactional, TransactionalTree,
};

use crate::{
    decode, encode, keys, threads, transaction_error, MessageKey, MessageSummary, Result, Store, StoreError,
};

/// A flag the user can change and the cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Flag {
    /// `\Seen`: read.
    Seen,
    /// `\Flagged`: starred.
    Flagged,
}

impl Flag {
    fn code(self) -> u8 {
        match self {
            Flag::Seen => b'S',
            Flag::Flagged => b'F',
        }
    }

    fn from_code(code: u8) -> Option<Flag> {
        match code {
            b'S' => Some(Flag::Seen),
            b'F' => Some(Flag::Flagged),
            _ => None,
        }
    }
}

/// A move or delete queued for the next sync of the message's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PendingOp {
    /// Move the message to the folder `to` (its name as the server spells it).
    Move {
        /// The destination folder.
        to: String,
    },
    /// Mark the message `\Deleted` and expunge it (a delete with no Trash to move to, or in
    /// Trash itself).
    Expunge,
}

/// The wanted state of each flag a `pending_flags` row holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FlagWishes {
    seen: Option<bool>,
    flagged: Option<bool>,
}

impl FlagWishes {
    fn decode(bytes: &[u8]) -> FlagWishes {
        if let [seen] = bytes {
            return FlagWishes { seen: Some(*seen == 1), flagged: None };
        }
        let mut wishes = FlagWishes::default();
        for pair in bytes.chunks_exact(2) {
            // An unknown code (a newer Tidings) is skipped rather than misread.
            if let Some(flag) = Flag::from_code(pair[0]) {
                wishes.set(flag, Some(pair[1] == 1));
            }
        }
        wishes
    }

    fn encode(self) -> Vec<u8> {
        [(Flag::Seen, self.seen), (Flag::Flagged, self.flagged)]
            .into_iter()
            .filter_map(|(flag, wanted)| wanted.map(|wanted| [flag.code(), u8::from(wanted)]))
            .flatten()
            .collect()
    }

    fn get(self, flag: Flag) -> Option<bool> {
        match flag {
            Flag::Seen => self.seen,
            Flag::Flagged => self.flagged,
        }
    }

    fn set(&mut self, flag: Flag, wanted: Option<bool>) {
        match flag {
            Flag::Seen => self.seen = wanted,
            Flag::Flagged => self.flagged = wanted,
        }
    }

    fn is_empty(self) -> bool {
        self.seen.is_none() && self.flagged.is_none()
    }
}

impl Store {
    /// Stars or unstars a cached message (`\Flagged`) as the user asked; returns `false` when it
    /// is not cached. Queued for the next sync like [`Store::mark_seen`].
    pub fn mark_flagged(&self, key: &MessageKey, flagged: bool) -> Result<bool> {
        self.mark(key, Flag::Flagged, flagged)
    }

    /// Sets `flag` of a cached message and, for an account with a server, its pending row, in
    /// one transaction, then flushes.
    pub(crate) fn mark(&self, key: &MessageKey, flag: Flag, wanted: bool) -> Result<bool> {
        let queued = self.account(&key.account)?.is_some_and(|account| account.server.is_some());
        let bytes = key.to_bytes();
        let cached = (&self.summaries, &self.by_date, &self.pending_flags)
            .transaction(|(summaries, by_date, pending_flags)| {
                let Some(old) = summaries.get(&bytes)? else { return Ok(false) };
                write_flags(summaries, by_date, &bytes, &old, &[(flag, wanted)])?;
                if queued {
                    let mut wishes = pending_flags
                        .get(&bytes)?
                        .map_or_else(FlagWishes::default, |row| FlagWishes::decode(&row));
                    wishes.set(flag, Some(wanted));
                    pending_flags.insert(bytes.as_slice(), wishes.encode())?;
                }
                Ok(true)
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(cached)
    }

    /// The local `\Seen` changes of one mailbox under one UIDVALIDITY still to be pushed, as
    /// (UID, wanted `\Seen`), ascending by UID.
    pub fn pending_flags(&self, account: &str, mailbox: &str, uid_validity: u32) -> Result<Vec<(u32, bool)>> {
        Ok(self
            .pending_flag_changes(account, mailbox, uid_validity)?
            .into_iter()
            .filter(|(_, flag, _)| *flag == Flag::Seen)
            .map(|(uid, _, wanted)| (uid, wanted))
            .collect())
    }

    /// Every local flag change of one mailbox under one UIDVALIDITY still to be pushed, as
    /// (UID, flag, wanted), ascending by UID.
    pub fn pending_flag_changes(
        &self,
        account: &str,
        mailbox: &str,
        uid_validity: u32,
    ) -> Result<Vec<(u32, Flag, bool)>> {
        let mut changes = Vec::new();
        for entry in self.pending_flags.scan_prefix(keys::validity_prefix(account, mailbox, uid_validity)) {
            let (key, value) = entry?;
            let uid =
                keys::uid_of(&key).ok_or_else(|| StoreError::Corrupt("a pending key is too short".into()))?;
            let wishes = FlagWishes::decode(&value);
            for flag in [Flag::Seen, Flag::Flagged] {
                if let Some(wanted) = wishes.get(flag) {
                    changes.push((uid, flag, wanted));
                }
            }
        }
        Ok(changes)
    }

    /// Forgets pushed flag changes, each only if its row still wants what was pushed: a change
    /// the user made again meanwhile stays queued. One transaction, then a flush; returns how
    /// many changes went.
    pub fn clear_pending_flags(&self, pushed: &[(MessageKey, Flag, bool)]) -> Result<usize> {
        let rows: Vec<(Vec<u8>, Flag, bool)> =
            pushed.iter().map(|(key, flag, wanted)| (key.to_bytes(), *flag, *wanted)).collect();
        let cleared = self
            .pending_flags
            .transaction(|pending_flags| {
                let mut cleared = 0;
                for (key, flag, wanted) in &rows {
                    let Some(row) = pending_flags.get(key)? else { continue };
                    let mut wishes = FlagWishes::decode(&row);
                    if wishes.get(*flag) != Some(*wanted) {
                        continue;
                    }
                    wishes.set(*flag, None);
                    if wishes.is_empty() {
                        pending_flags.remove(key.as_slice())?;
                    } else {
                        pending_flags.insert(key.as_slice(), wishes.encode())?;
                    }
                    cleared += 1;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(cleared)
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(cleared)
    }

    /// Sets flags as the server has them on a batch of cached messages, (key, flag, state) each,
    /// in one transaction, then flushes.
    ///
    /// Messages that are not cached are skipped, and so is each flag with a local change still
    /// to push (it wins until pushed); returns how many summaries changed.
    pub fn set_server_flags(&self, changes: &[(MessageKey, Flag, bool)]) -> Result<usize> {
        let mut by_key: BTreeMap<Vec<u8>, Vec<(Flag, bool)>> = BTreeMap::new();
        for (key, flag, state) in changes {
            by_key.entry(key.to_bytes()).or_default().push((*flag, *state));
        }
        let changed = (&self.summaries, &self.by_date, &self.pending_flags)
            .transaction(|(summaries, by_date, pending_flags)| {
                let mut changed = 0;
                for (key, flags) in &by_key {
                    let wishes =
                        pending_flags.get(key)?.map(|row| FlagWishes::decode(&row)).unwrap_or_default();
                    let pulled: Vec<(Flag, bool)> =
                        flags.iter().copied().filter(|(flag, _)| wishes.get(*flag).is_none()).collect();
                    let Some(old) = summaries.get(key)? else { continue };
                    changed += usize::from(write_flags(summaries, by_date, key, &old, &pulled)?);
                }
                Ok(changed)
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(changed)
    }

    /// Sets `\Seen` as the server has it on a batch of cached messages; see
    /// [`Store::set_server_flags`].
    pub fn set_seen_flags(&self, changes: &[(MessageKey, bool)]) -> Result<usize> {
        let changes: Vec<(MessageKey, Flag, bool)> =
            changes.iter().map(|(key, seen)| (key.clone(), Flag::Seen, *seen)).collect();
        self.set_server_flags(&changes)
    }

    /// Queues moving a cached message to the folder `to` and hides it from its folder, in one
    /// transaction, then flushes. Returns the queued op; `None` when the message is not cached,
    /// is already in `to`, or its account has no server (local mail has no folders to move to).
    pub fn queue_move(&self, key: &MessageKey, to: &str) -> Result<Option<PendingOp>> {
        if to == key.mailbox || !self.has_server(&key.account)? {
            return Ok(None);
        }
        self.queue_op(key, PendingOp::Move { to: to.to_owned() }, true)
    }

    /// Queues deleting a cached message and hides it from its folder, in one transaction, then
    /// flushes: a move to the account's Trash (the selectable folder with role `trash`) when one
    /// is known and the message is elsewhere, else `\Deleted` and expunge. An account without a
    /// server has nothing to tell, so the message is simply removed. Returns what was queued (or
    /// done); `None` when the message is not cached.
    pub fn queue_delete(&self, key: &MessageKey) -> Result<Option<PendingOp>> {
        let trash = self.trash_folder(&key.account)?;
        let op = match trash {
            Some(trash) if trash != key.mailbox => PendingOp::Move { to: trash },
            _ => PendingOp::Expunge,
        };
        let queued = self.has_server(&key.account)?;
        self.queue_op(key, op, queued)
    }

    /// The account's Trash: the selectable folder with role `trash` in its last folder list;
    /// `None` before a whole-account sync listed the folders, or when the server has none. A
    /// delete without it expunges for good, so callers ask before they delete.
    pub fn trash_folder(&self, account: &str) -> Result<Option<String>> {
        Ok(self
            .folders(account)?
            .into_iter()
            .find(|folder| folder.selectable && folder.role.as_deref() == Some("trash"))
            .map(|folder| folder.name))
    }

    fn has_server(&self, account: &str) -> Result<bool> {
        Ok(self.account(account)?.is_some_and(|account| account.server.is_some()))
    }

    fn queue_op(&self, key: &MessageKey, op: PendingOp, queued: bool) -> Result<Option<PendingOp>> {
        // Held from reading the index key on: an insert meanwhile could move the date entry.
        // The message leaves its thread's rows too (they count and list it), in the same
        // transaction; it comes back with the destination folder's next sync.
        let _one_thread_writer = self.thread_writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let bytes = key.to_bytes();
        let index = self.index_keys_of(std::slice::from_ref(&bytes))?;
        let row = encode(&op)?;
        let mut threads = threads::ThreadWrites::new(&self.threads, &self.summaries);
        threads.remove(key)?;
        let threads = threads.finish()?;
        let trees = (
            &self.summaries,
            &self.raws,
            &self.by_date,
            &self.pending_ops,
            &self.threads,
            &self.missing_bodies,
        );
        let hidden = trees
            .transaction(|(summaries, raws, by_date, pending_ops, thread_tree, missing_bodies)| {
                if summaries.remove(bytes.as_slice())?.is_none() {
                    return Ok(false);
                }
                threads.apply(thread_tree, summaries)?;
                raws.remove(bytes.as_slice())?;
                // A header-only message's body comes with the destination's sync, not here.
                missing_bodies.remove(bytes.as_slice())?;
                for index in &index {
                    by_date.remove(index.as_slice())?;
                }
                if queued {
                    pending_ops.insert(bytes.as_slice(), row.as_slice())?;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(true)
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(hidden.then_some(op))
    }

    /// The moves and deletes queued for one mailbox under one UIDVALIDITY, as (UID, op),
    /// ascending by UID.
    pub fn pending_ops(
        &self,
        account: &str,
        mailbox: &str,
        uid_validity: u32,
    ) -> Result<Vec<(u32, PendingOp)>> {
        self.pending_ops
            .scan_prefix(keys::validity_prefix(account, mailbox, uid_validity))
            .map(|entry| {
                let (key, value) = entry?;
                let uid = keys::uid_of(&key)
                    .ok_or_else(|| StoreError::Corrupt("a pending key is too short".into()))?;
                Ok((uid, decode(&value)?))
            })
            .collect()
    }

    /// Forgets the queued ops of `keys` (done, or their message is gone from the server) with
    /// any flag change still queued for them, in one transaction, then flushes; returns how many
    /// ops went.
    pub fn finish_ops(&self, keys: &[MessageKey]) -> Result<usize> {
        let rows: Vec<Vec<u8>> = keys.iter().map(MessageKey::to_bytes).collect();
        let finished = (&self.pending_ops, &self.pending_flags)
            .transaction(|(pending_ops, pending_flags)| {
                let mut finished = 0;
                for key in &rows {
                    finished += usize::from(pending_ops.remove(key.as_slice())?.is_some());
                    pending_flags.remove(key.as_slice())?;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(finished)
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(finished)
    }

    /// How many messages of one mailbox, under any UIDVALIDITY, have a change still to push (a
    /// flag change or a queued op): what a UIDVALIDITY change would throw away.
    pub fn pending_change_count(&self, account: &str, mailbox: &str) -> Result<usize> {
        let prefix = keys::mailbox_key(account, mailbox);
        let mut messages: Vec<Vec<u8>> = Vec::new();
        for key in
            self.pending_flags.scan_prefix(&prefix).keys().chain(self.pending_ops.scan_prefix(&prefix).keys())
        {
            messages.push(key?.to_vec());
        }
        messages.sort();
        messages.dedup();
        Ok(messages.len())
    }
}

/// Inside a transaction: sets `flags` on the summary `old` stored under `key` (and its `by_date`
/// entry when `\Seen` changes); returns whether anything changed.
pub(crate) fn write_flags(
    summaries: &TransactionalTree,
    by_date: &TransactionalTree,
    key: &[u8],
    old: &[u8],
    flags: &[(Flag, bool)],
) -> ConflictableTransactionResult<bool, StoreError> {
    let mut summary: MessageSummary = decode(old).map_err(ConflictableTransactionError::Abort)?;
    let before = (summary.seen, summary.flagged);
    for (flag, state) in flags {
        match flag {
            Flag::Seen => summary.seen = *state,
            Flag::Flagged => summary.flagged = *state,
        }
    }
    if (summary.seen, summary.flagged) == before {
        return Ok(false);
    }
    summaries.insert(key, encode(&summary).map_err(ConflictableTransactionError::Abort)?)?;
    if summary.seen != before.0 {
        by_date.insert(keys::date_index_key(&summary.key, summary.date), &[u8::from(summary.seen)])?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Account, ConnectionSecurity, FolderRecord, NewMessage, ServerSettings};

    fn key(uid: u32) -> MessageKey {
        MessageKey { account: "a".into(), mailbox: "INBOX".into(), uid_validity: 7, uid }
    }

    fn account(server: bool) -> Account {
        let server = server.then(|| ServerSettings {
            host: "127.0.0.1".into(),
            port: 143,
            security: ConnectionSecurity::Plain,
            username: "ann".into(),
            allow_plaintext: true,
            pinned_sha256: None,
        });
        Account {
            id: "a".into(),
            display_name: "Ann".into(),
            email: "ann@example.org".into(),
            is_demo: false,
            server,
            voicemail: None,
        }
    }

    fn message(key: MessageKey) -> NewMessage {
        let raw = format!(
            "From: ann@example.org\r\nSubject: m{}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nHi.\r\n",
            key.uid
        );
        NewMessage { key, seen: false, raw: raw.into_bytes() }
    }

    /// A store with account "a" and INBOX messages 1–3 (and `extra`), all unread and unstarred.
    fn store_with(dir: &std::path::Path, server: bool, extra: &[MessageKey]) -> Store {
        let store = Store::open(dir).unwrap();
        store.put_account(&account(server)).unwrap();
        let batch: Vec<NewMessage> =
            [key(1), key(2), key(3)].into_iter().chain(extra.iter().cloned()).map(message).collect();
        store.insert_messages(&batch).unwrap();
        store
    }

    fn listed(store: &Store, mailbox: &str) -> Vec<u32> {
        store.list_messages("a", mailbox).unwrap().into_iter().map(|summary| summary.key.uid).collect()
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
    fn rows_of_both_layouts_read_back() {
        assert_eq!(FlagWishes::decode(&[1]), FlagWishes { seen: Some(true), flagged: None });
        assert_eq!(FlagWishes::decode(&[0]), FlagWishes { seen: Some(false), flagged: None });
        let both = FlagWishes { seen: Some(false), flagged: Some(true) };
        assert_eq!(both.encode(), b"S\x00F\x01");
        assert_eq!(FlagWishes::decode(&both.encode()), both);
        let starred = FlagWishes { seen: None, flagged: Some(false) };
        assert_eq!(FlagWishes::decode(&starred.encode()), starred);
        assert_eq!(FlagWishes::decode(b"X\x01F\x01"), FlagWishes { seen: None, flagged: Some(true) });
    }

    #[test]
    fn a_row_written_before_stars_were_queued_is_still_pushed() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), true, &[]);
        store.pending_flags.insert(key(2).to_bytes(), &[1]).unwrap();
        assert_eq!(store.pending_flag_changes("a", "INBOX", 7).unwrap(), [(2, Flag::Seen, true)]);
        store.mark_flagged(&key(2), true).unwrap();
        assert_eq!(
            store.pending_flag_changes("a", "INBOX", 7).unwrap(),
            [(2, Flag::Seen, true), (2, Flag::Flagged, true)],
            "the old wish is kept when a star joins it"
        );
    }

    #[test]
    fn a_star_is_cached_queued_and_kept_from_pulls_until_pushed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = store_with(dir.path(), true, &[]);
            assert!(store.mark_flagged(&key(1), true).unwrap());
            assert!(store.mark_seen(&key(1), true).unwrap());
            assert!(!store.mark_flagged(&key(9), true).unwrap(), "not cached");
        }
        let store = Store::open(dir.path()).unwrap();
        let summary = store.message(&key(1)).unwrap().unwrap().0;
        assert!(summary.flagged && summary.seen);
        assert_eq!(
            store.pending_flag_changes("a", "INBOX", 7).unwrap(),
            [(1, Flag::Seen, true), (1, Flag::Flagged, true)]
        );
        // The server still has 1 unstarred and unread, and stars 2.
        let pulled = [
            (key(1), Flag::Seen, false),
            (key(1), Flag::Flagged, false),
            (key(2), Flag::Seen, false),
            (key(2), Flag::Flagged, true),
        ];
        assert_eq!(store.set_server_flags(&pulled).unwrap(), 1);
        assert!(store.message(&key(1)).unwrap().unwrap().0.flagged, "the pending star wins");
        assert!(store.message(&key(2)).unwrap().unwrap().0.flagged, "the server's star is pulled");
        // The star is pushed and cleared; the \Seen wish stays queued on its own.
        assert_eq!(store.clear_pending_flags(&[(key(1), Flag::Flagged, true)]).unwrap(), 1);
        assert_eq!(store.pending_flag_changes("a", "INBOX", 7).unwrap(), [(1, Flag::Seen, true)]);
        assert_eq!(store.set_server_flags(&[(key(1), Flag::Flagged, false)]).unwrap(), 1);
        assert!(!store.message(&key(1)).unwrap().unwrap().0.flagged, "once pushed, the server counts again");
    }

    #[test]
    fn a_summary_cached_before_stars_loads_unstarred() {
        let summary: MessageSummary = decode(
            br#"{"key":{"account":"a","mailbox":"INBOX","uid_validity":7,"uid":1},"from_name":null,
            "from_email":null,"subject":null,"date":null,"preview":"","seen":true,"attachments":0,"voicemail":null}"#,
        )
        .unwrap();
        assert!(summary.seen && !summary.flagged);
    }

    #[test]
    fn a_delete_goes_to_trash_or_is_expunged_and_leaves_the_list_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let in_trash = MessageKey { mailbox: "Trash".into(), ..key(1) };
        let store = store_with(dir.path(), true, std::slice::from_ref(&in_trash));
        assert_eq!(store.queue_delete(&key(1)).unwrap(), Some(PendingOp::Expunge), "no Trash known");
        store.put_folders("a", &[folder("INBOX", Some("inbox")), folder("Trash", Some("trash"))]).unwrap();
        assert_eq!(store.queue_delete(&key(2)).unwrap(), Some(PendingOp::Move { to: "Trash".into() }));
        assert_eq!(store.queue_delete(&in_trash).unwrap(), Some(PendingOp::Expunge), "already in Trash");
        assert_eq!(store.queue_delete(&key(2)).unwrap(), None, "already gone");
        assert_eq!(listed(&store, "INBOX"), [3]);
        assert!(listed(&store, "Trash").is_empty());
        assert_eq!(store.page("a", "INBOX", 0, 10).unwrap().unread, 1);
        assert_eq!(
            store.pending_ops("a", "INBOX", 7).unwrap(),
            [(1, PendingOp::Expunge), (2, PendingOp::Move { to: "Trash".into() })]
        );
        assert_eq!(store.pending_ops("a", "Trash", 7).unwrap(), [(1, PendingOp::Expunge)]);
    }

    /// Kill-safety: what `queue_move` returned for is on disk after a reopen, the hiding and the
    /// op together, and a queued star of the message is kept for the push before the move.
    #[test]
    fn a_queued_move_and_its_hiding_survive_a_reopen_together() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = store_with(dir.path(), true, &[]);
            store.mark_flagged(&key(2), true).unwrap();
            let queued = store.queue_move(&key(2), "Archive").unwrap();
            assert_eq!(queued, Some(PendingOp::Move { to: "Archive".into() }));
            assert_eq!(store.queue_move(&key(3), "INBOX").unwrap(), None, "already there");
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(listed(&store, "INBOX"), [3, 1], "newest first");
        assert_eq!(store.message(&key(2)).unwrap(), None);
        assert_eq!(
            store.pending_ops("a", "INBOX", 7).unwrap(),
            [(2, PendingOp::Move { to: "Archive".into() })]
        );
        assert_eq!(store.pending_flag_changes("a", "INBOX", 7).unwrap(), [(2, Flag::Flagged, true)]);
        assert_eq!(store.pending_change_count("a", "INBOX").unwrap(), 1);
        assert_eq!(store.finish_ops(&[key(2)]).unwrap(), 1);
        assert!(store.pending_ops("a", "INBOX", 7).unwrap().is_empty());
        assert!(store.pending_flag_changes("a", "INBOX", 7).unwrap().is_empty(), "its star goes with it");
        // Every index entry still names a cached message.
        assert_eq!(store.by_date.len(), store.summaries.len());
    }

    #[test]
    fn without_a_server_a_delete_removes_and_a_move_does_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with(dir.path(), false, &[]);
        assert_eq!(store.queue_move(&key(1), "Archive").unwrap(), None);
        assert_eq!(store.queue_delete(&key(2)).unwrap(), Some(PendingOp::Expunge));
        assert_eq!(listed(&store, "INBOX"), [3, 1], "newest first");
        assert_eq!(store.pending_ops.len(), 0);
    }

    #[test]
    fn queued_ops_go_with_their_message_mailbox_or_account() {
        let dir = tempfile::tempdir().unwrap();
        let neighbour = MessageKey { mailbox: "INBOX2".into(), ..key(1) };
        let store = store_with(dir.path(), true, std::slice::from_ref(&neighbour));
        for key in [key(1), key(2), neighbour] {
            store.queue_move(&key, "Archive").unwrap();
        }
        store.remove_messages(&[key(1)]).unwrap();
        assert_eq!(
            store.pending_ops("a", "INBOX", 7).unwrap(),
            [(2, PendingOp::Move { to: "Archive".into() })]
        );
        store.clear_mailbox("a", "INBOX").unwrap();
        assert!(store.pending_ops("a", "INBOX", 7).unwrap().is_empty());
        assert_eq!(store.pending_change_count("a", "INBOX2").unwrap(), 1);
        store.remove_account("a").unwrap();
        assert_eq!(store.pending_ops.len(), 0);
    }
}
