//! Conversation threads of an account: which thread each cached message belongs to, and the
//! per-mailbox thread list ([`Store::thread_page`]) and per-thread reading
//! ([`Store::thread_messages`]) built on it.
//!
//! This module owns the layout of the `threads` tree; it plans its writes outside a transaction
//! ([`ThreadWrites`]) so that `lib.rs` applies them in the same transaction as the messages
//! they describe. It does not decide when messages come or go, and it does not group by subject.
//!
//! The rule, per account (a reply filed in Sent joins its INBOX thread):
//! 1. A message fetched with Gmail's `X-GM-THRID` is in thread `gm:<id>`, whatever its headers.
//! 2. Otherwise its *linked ids* are its `References`, then its `In-Reply-To` ids not already
//!    there, then its own `Message-ID`. Its thread is the thread of the first linked id already
//!    known (a Gmail thread among them is preferred); when none is known, a new thread named after
//!    the root, `id:<first reference>` (or `id:<own Message-ID>` for a message that starts a
//!    conversation). Naming after the root means a reply arriving before its parent already
//!    lands in the thread the parent will join.
//! 3. Every linked id not yet known is recorded as belonging to that thread, even ids of
//!    messages not cached (yet): a later parent, child or sibling naming one of them joins.
//! 4. When a message links ids of two or more computed threads (e.g. a parent arriving after two
//!    replies whose `References` were cut differently), those threads are merged into the chosen
//!    one: their ids, members and the summaries of their messages are rewritten. Gmail threads
//!    are never merged: Gmail's own split wins.
//! 5. A message with no usable id at all (no `Message-ID`, no references) is a thread of its own,
//!    `key:<UIDVALIDITY>/<UID>/<mailbox>`. Ids with spaces, control characters or over 998
//!    octets are ignored as garbage.
//!
//! Limits: threads only ever merge, never split (removing the message that joined two threads
//! leaves them joined); two conversations that share no id stay apart even with the same
//! subject; an id is never forgotten while its account exists.
//!
//! Layout of the `threads` tree, every key starting with the account id and a NUL:
//! - `i` id → thread: the thread of every known id (cached or only referenced).
//! - `r` thread NUL id → (): the ids of a thread, for merging.
//! - `m` thread NUL mailbox NUL UIDVALIDITY UID → descending date, sender: the thread's members.
//! - `l` mailbox NUL descending latest date, thread → (): one row per thread with messages in the
//!   mailbox, newest activity first, which [`Store::thread_page`] pages through.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use mail_parser::{HeaderValue, MessageParser};
use sled::transaction::{ConflictableTransactionError, ConflictableTransactionResult, TransactionalTree};

use crate::{decode, encode, keys, MessageKey, MessageSummary, Result, Store, StoreError};

const IDS: u8 = b'i';
const REVERSE: u8 = b'r';
const MEMBERS: u8 = b'm';
const LIST: u8 = b'l';
const GMAIL: &str = "gm:";
/// RFC 5322's longest line: an id longer than that is not one.
const MAX_ID_OCTETS: usize = 998;
/// How many participants a thread row names.
const MAX_PARTICIPANTS: usize = 3;

/// One page of a mailbox's threads, newest activity first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadPage {
    /// Threads with at least one message in the mailbox.
    pub total_threads: usize,
    /// The page's threads.
    pub rows: Vec<ThreadRow>,
}

/// What the thread list shows for one thread, counted within one mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadRow {
    /// The thread's id, for [`Store::thread_messages`].
    pub thread: String,
    /// The thread's newest message in the mailbox.
    pub latest: MessageSummary,
    /// The thread's messages in the mailbox.
    pub count: usize,
    /// Of those, the ones without `\Seen`.
    pub unread: usize,
    /// Distinct senders (name, else address) of those messages, oldest first, at most three.
    pub participants: Vec<String>,
}

impl Store {
    /// `limit` threads of one mailbox from place `offset` on, newest activity (in this mailbox)
    /// first; ties go by thread id. Reads the thread list index and, for the page's rows only,
    /// their members and latest summary.
    pub fn thread_page(
        &self,
        account: &str,
        mailbox: &str,
        offset: usize,
        limit: usize,
    ) -> Result<ThreadPage> {
        let prefix = list_prefix(account, mailbox);
        let mut total_threads = 0;
        let mut rows = Vec::new();
        for list_key in self.threads.scan_prefix(&prefix).keys() {
            let list_key = list_key?;
            if total_threads >= offset && rows.len() < limit {
                let thread = list_key
                    .get(prefix.len() + 8..)
                    .and_then(|tail| std::str::from_utf8(tail).ok())
                    .ok_or_else(|| StoreError::Corrupt("a thread list key is damaged".into()))?;
                // A row whose messages went between the two reads (an expunge, a delete) is
                // skipped: the next page read no longer lists it.
                rows.extend(self.thread_row(account, mailbox, thread)?);
            }
            total_threads += 1;
        }
        Ok(ThreadPage { total_threads, rows })
    }

    fn thread_row(&self, account: &str, mailbox: &str, thread: &str) -> Result<Option<ThreadRow>> {
        let prefix = member_prefix_in(account, thread, mailbox);
        let mut members = Vec::new();
        for entry in self.threads.scan_prefix(&prefix) {
            let (member_key, value) = entry?;
            let member = Member::decode(&prefix, &member_key, &value)
                .ok_or_else(|| StoreError::Corrupt("a thread member entry is damaged".into()))?;
            members.push(member);
        }
        // Newest first, as the date index orders a mailbox: date, then UID, both descending.
        members.sort_by_key(|member| (member.descending, !member.uid, member.uid_validity));
        let Some(latest) = members.first() else { return Ok(None) };
        let key_of = |member: &Member| MessageKey {
            account: account.to_owned(),
            mailbox: mailbox.to_owned(),
            uid_validity: member.uid_validity,
            uid: member.uid,
        };
        let latest_key = key_of(latest);
        let Some(latest) = self.summaries.get(latest_key.to_bytes())? else { return Ok(None) };
        let mut unread = 0;
        for member in &members {
            // The date index holds each message's current `\Seen`, kept by every flag change.
            let index = keys::date_index_key(&key_of(member), keys::date_of_descending(member.descending));
            unread += usize::from(self.by_date.get(index)?.is_some_and(|seen| seen.first() == Some(&0)));
        }
        let mut participants: Vec<String> = Vec::new();
        for member in members.iter().rev() {
            if participants.len() == MAX_PARTICIPANTS {
                break;
            }
            if !member.sender.is_empty() && !participants.contains(&member.sender) {
                participants.push(member.sender.clone());
            }
        }
        Ok(Some(ThreadRow {
            thread: thread.to_owned(),
            latest: decode(&latest)?,
            count: members.len(),
            unread,
            participants,
        }))
    }

    /// Every cached message of one thread across the account's mailboxes, oldest first
    /// (undated ones last); empty for an unknown thread.
    pub fn thread_messages(&self, account: &str, thread: &str) -> Result<Vec<MessageSummary>> {
        let account_prefix = keys::account_prefix(account);
        let mut summaries = Vec::new();
        for member_key in self.threads.scan_prefix(members_prefix(account, thread)).keys() {
            let member_key = member_key?;
            // A member key ends with exactly the message key's tail: mailbox NUL UIDVALIDITY UID.
            let tail = member_key
                .get(account_prefix.len() + 1 + thread.len() + 1..)
                .ok_or_else(|| StoreError::Corrupt("a thread member key is too short".into()))?;
            let key = [account_prefix.as_slice(), tail].concat();
            // A message removed between the two reads is left out, not an error.
            let Some(value) = self.summaries.get(&key)? else { continue };
            summaries.push(decode::<MessageSummary>(&value)?);
        }
        summaries.sort_by(|a, b| {
            (a.date.is_none(), a.date, &a.key.mailbox, a.key.uid_validity, a.key.uid).cmp(&(
                b.date.is_none(),
                b.date,
                &b.key.mailbox,
                b.key.uid_validity,
                b.key.uid,
            ))
        });
        Ok(summaries)
    }
}

/// The ids a message links to, read from its headers.
#[derive(Debug, Default)]
pub(crate) struct ThreadHeaders {
    own: Option<String>,
    /// `References`, then `In-Reply-To` ids not already there; never the message's own id.
    references: Vec<String>,
}

impl ThreadHeaders {
    pub(crate) fn parse(raw: &[u8]) -> ThreadHeaders {
        let Some(message) = MessageParser::default().parse_headers(raw) else {
            return ThreadHeaders::default();
        };
        let own = message.message_id().and_then(usable_id);
        let mut references: Vec<String> = Vec::new();
        for id in ids_of(message.references()).chain(ids_of(message.in_reply_to())) {
            if Some(&id) != own.as_ref() && !references.contains(&id) {
                references.push(id);
            }
        }
        ThreadHeaders { own, references }
    }

    /// References first, then the own id: the order in which a known thread is looked for.
    fn linked(&self) -> impl Iterator<Item = &String> {
        self.references.iter().chain(self.own.as_ref())
    }
}

fn ids_of<'a>(value: &'a HeaderValue<'_>) -> impl Iterator<Item = String> + 'a {
    value
        .as_text_list()
        .unwrap_or_default()
        .iter()
        .flat_map(|text| text.split_whitespace())
        .filter_map(usable_id)
}

/// An id without its angle brackets, or `None` when it cannot be one.
fn usable_id(text: &str) -> Option<String> {
    let id = text.trim().trim_start_matches('<').trim_end_matches('>');
    let garbage = id.is_empty()
        || id.len() > MAX_ID_OCTETS
        || id.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    (!garbage).then(|| id.to_owned())
}

/// One member of a thread in one mailbox, decoded from its `m` entry.
struct Member {
    uid_validity: u32,
    uid: u32,
    descending: u64,
    sender: String,
}

impl Member {
    fn decode(prefix: &[u8], key: &[u8], value: &[u8]) -> Option<Member> {
        let tail = key.get(prefix.len()..)?;
        Some(Member {
            uid_validity: u32::from_be_bytes(tail.get(0..4)?.try_into().ok()?),
            uid: u32::from_be_bytes(tail.get(4..8)?.try_into().ok()?),
            descending: u64::from_be_bytes(value.get(0..8)?.try_into().ok()?),
            sender: String::from_utf8_lossy(value.get(8..)?).into_owned(),
        })
    }
}

/// Changes to the `threads` tree (and to summaries whose thread changed) planned from the store
/// as it is plus the changes planned so far, to be applied in the caller's transaction.
pub(crate) struct ThreadWrites<'a> {
    tree: &'a sled::Tree,
    summaries: &'a sled::Tree,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// (account, thread, mailbox) whose members changed: their list rows are redone.
    touched: BTreeSet<(String, String, String)>,
    /// Messages placed by this plan: message key → thread.
    placed: HashMap<Vec<u8>, String>,
    /// Cached messages moved to another thread by a merge: message key → new thread.
    moved: BTreeMap<Vec<u8>, String>,
}

impl<'a> ThreadWrites<'a> {
    pub(crate) fn new(tree: &'a sled::Tree, summaries: &'a sled::Tree) -> ThreadWrites<'a> {
        ThreadWrites {
            tree,
            summaries,
            writes: BTreeMap::new(),
            touched: BTreeSet::new(),
            placed: HashMap::new(),
            moved: BTreeMap::new(),
        }
    }

    /// Places a message being cached (replacing any copy under the same key) and sets its
    /// summary's thread.
    pub(crate) fn place(
        &mut self,
        summary: &mut MessageSummary,
        raw: &[u8],
        gmail_thread: Option<u64>,
    ) -> Result<()> {
        let key = summary.key.clone();
        let key_bytes = key.to_bytes();
        if let Some(previous) = self.current_thread(&key_bytes)? {
            self.remove_member(&key, &previous);
        }
        let headers = ThreadHeaders::parse(raw);
        let thread = self.choose(&key, &headers, gmail_thread)?;
        let sender = summary.from_name.as_deref().or(summary.from_email.as_deref()).unwrap_or_default();
        let mut value = keys::descending_date(summary.date).to_be_bytes().to_vec();
        value.extend_from_slice(sender.as_bytes());
        self.write(member_key(&key, &thread), Some(value));
        self.touched.insert((key.account.clone(), thread.clone(), key.mailbox.clone()));
        self.moved.remove(&key_bytes);
        self.placed.insert(key_bytes, thread.clone());
        summary.thread = Some(thread);
        Ok(())
    }

    /// Takes a cached message out of its thread (it is being removed).
    pub(crate) fn remove(&mut self, key: &MessageKey) -> Result<()> {
        if let Some(thread) = self.current_thread(&key.to_bytes())? {
            self.remove_member(key, &thread);
        }
        Ok(())
    }

    /// Takes every message of one mailbox out of its thread (the mailbox is being emptied).
    pub(crate) fn clear_mailbox(&mut self, account: &str, mailbox: &str) -> Result<()> {
        let prefix = list_prefix(account, mailbox);
        for (list_key, _) in self.scan(&prefix)? {
            let thread = list_key
                .get(prefix.len() + 8..)
                .and_then(|tail| std::str::from_utf8(tail).ok())
                .ok_or_else(|| StoreError::Corrupt("a thread list key is damaged".into()))?
                .to_owned();
            for (member, _) in self.scan(&member_prefix_in(account, &thread, mailbox))? {
                self.write(member, None);
            }
            self.write(list_key, None);
        }
        Ok(())
    }

    /// The thread a message is in now: as placed or moved by this plan, else as cached.
    fn current_thread(&self, key_bytes: &[u8]) -> Result<Option<String>> {
        if let Some(thread) = self.moved.get(key_bytes).or_else(|| self.placed.get(key_bytes)) {
            return Ok(Some(thread.clone()));
        }
        match self.summaries.get(key_bytes)? {
            Some(value) => Ok(decode::<MessageSummary>(&value)?.thread),
            None => Ok(None),
        }
    }

    fn remove_member(&mut self, key: &MessageKey, thread: &str) {
        self.write(member_key(key, thread), None);
        self.touched.insert((key.account.clone(), thread.to_owned(), key.mailbox.clone()));
    }

    /// The thread of a new message, by the module's rule; merges the threads it links.
    fn choose(
        &mut self,
        key: &MessageKey,
        headers: &ThreadHeaders,
        gmail_thread: Option<u64>,
    ) -> Result<String> {
        let account = key.account.as_str();
        let mut known: Vec<String> = Vec::new();
        for id in headers.linked() {
            if let Some(thread) = self.thread_of_id(account, id)? {
                if !known.contains(&thread) {
                    known.push(thread);
                }
            }
        }
        let is_gmail = |thread: &String| thread.starts_with(GMAIL);
        let thread = match gmail_thread {
            Some(id) => format!("{GMAIL}{id}"),
            None => match known.iter().find(|thread| is_gmail(thread)).or(known.first()) {
                Some(thread) => thread.clone(),
                None => match headers.references.first().or(headers.own.as_ref()) {
                    Some(root) => format!("id:{root}"),
                    None => format!("key:{}/{}/{}", key.uid_validity, key.uid, key.mailbox),
                },
            },
        };
        if gmail_thread.is_none() {
            for other in known.iter().filter(|other| **other != thread && !is_gmail(other)) {
                self.merge(account, other, &thread)?;
            }
        }
        for id in headers.linked() {
            if self.thread_of_id(account, id)?.is_none() {
                self.write(id_key(account, id), Some(thread.as_bytes().to_vec()));
                self.write(reverse_key(account, &thread, id), Some(Vec::new()));
            }
        }
        Ok(thread)
    }

    fn thread_of_id(&self, account: &str, id: &str) -> Result<Option<String>> {
        let Some(value) = self.get(&id_key(account, id))? else { return Ok(None) };
        String::from_utf8(value).map(Some).map_err(|_| StoreError::Corrupt("a thread id is not UTF-8".into()))
    }

    /// Moves every id and member of thread `from` to thread `into`.
    fn merge(&mut self, account: &str, from: &str, into: &str) -> Result<()> {
        let prefix = reverse_prefix(account, from);
        for (reverse, _) in self.scan(&prefix)? {
            let id = std::str::from_utf8(&reverse[prefix.len()..])
                .map_err(|_| StoreError::Corrupt("a thread's id is not UTF-8".into()))?
                .to_owned();
            self.write(reverse, None);
            self.write(id_key(account, &id), Some(into.as_bytes().to_vec()));
            self.write(reverse_key(account, into, &id), Some(Vec::new()));
        }
        let prefix = members_prefix(account, from);
        let account_prefix = keys::account_prefix(account);
        for (member, value) in self.scan(&prefix)? {
            // The tail is the message key's own tail: mailbox NUL UIDVALIDITY UID.
            let tail = member[prefix.len()..].to_vec();
            let mailbox = tail
                .iter()
                .position(|byte| *byte == 0)
                .and_then(|end| std::str::from_utf8(&tail[..end]).ok())
                .ok_or_else(|| StoreError::Corrupt("a thread member key is damaged".into()))?
                .to_owned();
            self.write(member, None);
            self.write([members_prefix(account, into), tail.clone()].concat(), Some(value));
            self.touched.insert((account.to_owned(), from.to_owned(), mailbox.clone()));
            self.touched.insert((account.to_owned(), into.to_owned(), mailbox));
            let key = [account_prefix.as_slice(), &tail].concat();
            match self.placed.get_mut(&key) {
                Some(placed) => *placed = into.to_owned(),
                None => {
                    self.moved.insert(key, into.to_owned());
                }
            }
        }
        Ok(())
    }

    fn write(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.writes.insert(key, value);
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.writes.get(key) {
            Some(planned) => Ok(planned.clone()),
            None => Ok(self.tree.get(key)?.map(|value| value.to_vec())),
        }
    }

    /// The entries under `prefix` as they will be once the planned writes are applied.
    fn scan(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut entries = self.scan_stored(prefix)?;
        self.overlay(prefix, &mut entries);
        Ok(entries.into_iter().collect())
    }

    /// The entries under `prefix` as stored, before this plan.
    fn scan_stored(&self, prefix: &[u8]) -> Result<BTreeMap<Vec<u8>, Vec<u8>>> {
        let mut entries = BTreeMap::new();
        for entry in self.tree.scan_prefix(prefix) {
            let (key, value) = entry?;
            entries.insert(key.to_vec(), value.to_vec());
        }
        Ok(entries)
    }

    /// Applies the planned writes under `prefix` to `entries`.
    fn overlay(&self, prefix: &[u8], entries: &mut BTreeMap<Vec<u8>, Vec<u8>>) {
        for (key, value) in
            self.writes.range(prefix.to_vec()..).take_while(|(key, _)| key.starts_with(prefix))
        {
            match value {
                Some(value) => entries.insert(key.clone(), value.clone()),
                None => entries.remove(key),
            };
        }
    }

    /// The thread a message of the plan ends up in, once every message is placed (a later one
    /// may have merged its thread into another).
    pub(crate) fn placed(&self, key_bytes: &[u8]) -> Option<&String> {
        self.placed.get(key_bytes)
    }

    /// Ends the plan: redoes the list rows of every thread whose members changed, and returns
    /// the writes with the re-encoded summaries of moved messages.
    pub(crate) fn finish(mut self) -> Result<PlannedThreads> {
        let touched = std::mem::take(&mut self.touched);
        let mut rows = Vec::new();
        for (account, thread, mailbox) in &touched {
            let prefix = member_prefix_in(account, thread, mailbox);
            let mut members = self.scan_stored(&prefix)?;
            let before = newest_of(members.values())?;
            self.overlay(&prefix, &mut members);
            let after = newest_of(members.values())?;
            if before != after {
                rows.push((list_prefix(account, mailbox), thread, before, after));
            }
        }
        for (prefix, thread, before, _) in &rows {
            if let Some(newest) = before {
                self.write(list_key(prefix, *newest, thread), None);
            }
        }
        for (prefix, thread, _, after) in &rows {
            if let Some(newest) = after {
                self.write(list_key(prefix, *newest, thread), Some(Vec::new()));
            }
        }
        let summaries = self.moved.iter().map(|(key, thread)| (key.clone(), thread.clone())).collect();
        Ok(PlannedThreads { writes: self.writes, summaries })
    }
}

/// A finished [`ThreadWrites`], ready for a transaction.
pub(crate) struct PlannedThreads {
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// Cached messages whose thread changed: message key → their new thread. Their summaries
    /// are read and written inside the transaction, so a flag changed meanwhile is kept.
    summaries: Vec<(Vec<u8>, String)>,
}

impl PlannedThreads {
    /// Writes the plan inside the caller's transaction.
    pub(crate) fn apply(
        &self,
        threads: &TransactionalTree,
        summaries: &TransactionalTree,
    ) -> ConflictableTransactionResult<(), StoreError> {
        for (key, value) in &self.writes {
            match value {
                Some(value) => threads.insert(key.as_slice(), value.as_slice())?,
                None => threads.remove(key.as_slice())?,
            };
        }
        for (key, thread) in &self.summaries {
            let Some(value) = summaries.get(key.as_slice())? else { continue };
            let mut summary: MessageSummary = decode(&value).map_err(ConflictableTransactionError::Abort)?;
            summary.thread = Some(thread.clone());
            let value = encode(&summary).map_err(ConflictableTransactionError::Abort)?;
            summaries.insert(key.as_slice(), value)?;
        }
        Ok(())
    }
}

/// Every `threads` key of an account (it is being removed).
pub(crate) fn account_keys(tree: &sled::Tree, account: &str) -> Result<Vec<sled::IVec>> {
    Ok(tree.scan_prefix(keys::account_prefix(account)).keys().collect::<Result<Vec<_>, _>>()?)
}

/// The newest date (as [`keys::descending_date`], so the smallest) among member values.
fn newest_of<'v>(member_values: impl Iterator<Item = &'v Vec<u8>>) -> Result<Option<u64>> {
    let mut newest: Option<u64> = None;
    for value in member_values {
        let descending = value
            .get(0..8)
            .and_then(|bytes| bytes.try_into().ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| StoreError::Corrupt("a thread member value is too short".into()))?;
        newest = Some(newest.map_or(descending, |newest| newest.min(descending)));
    }
    Ok(newest)
}

fn tagged(account: &str, tag: u8) -> Vec<u8> {
    let mut key = keys::account_prefix(account);
    key.push(tag);
    key
}

fn id_key(account: &str, id: &str) -> Vec<u8> {
    [tagged(account, IDS), id.as_bytes().to_vec()].concat()
}

fn reverse_prefix(account: &str, thread: &str) -> Vec<u8> {
    [tagged(account, REVERSE), thread.as_bytes().to_vec(), vec![0]].concat()
}

fn reverse_key(account: &str, thread: &str, id: &str) -> Vec<u8> {
    [reverse_prefix(account, thread), id.as_bytes().to_vec()].concat()
}

fn members_prefix(account: &str, thread: &str) -> Vec<u8> {
    [tagged(account, MEMBERS), thread.as_bytes().to_vec(), vec![0]].concat()
}

fn member_prefix_in(account: &str, thread: &str, mailbox: &str) -> Vec<u8> {
    [members_prefix(account, thread), mailbox.as_bytes().to_vec(), vec![0]].concat()
}

fn member_key(key: &MessageKey, thread: &str) -> Vec<u8> {
    let mut member = member_prefix_in(&key.account, thread, &key.mailbox);
    member.extend_from_slice(&key.uid_validity.to_be_bytes());
    member.extend_from_slice(&key.uid.to_be_bytes());
    member
}

fn list_prefix(account: &str, mailbox: &str) -> Vec<u8> {
    [tagged(account, LIST), mailbox.as_bytes().to_vec(), vec![0]].concat()
}

fn list_key(prefix: &[u8], latest: u64, thread: &str) -> Vec<u8> {
    [prefix, &latest.to_be_bytes(), thread.as_bytes()].concat()
}

#[cfg(test)]
mod tests;
