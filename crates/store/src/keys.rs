//! Key layouts of the sled trees. Strings end with a NUL byte so that no account or mailbox
//! name is a prefix of another one's key; numbers are big-endian so keys sort by UID.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a message lives: account, mailbox, UIDVALIDITY and UID travel together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageKey {
    /// The account's id.
    pub account: String,
    /// The mailbox name.
    pub mailbox: String,
    /// The mailbox's UIDVALIDITY when the UID was assigned.
    pub uid_validity: u32,
    /// The message's UID.
    pub uid: u32,
}

impl MessageKey {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut key = validity_prefix(&self.account, &self.mailbox, self.uid_validity);
        key.extend_from_slice(&self.uid.to_be_bytes());
        key
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} UID {} (UIDVALIDITY {})", self.account, self.mailbox, self.uid, self.uid_validity)
    }
}

pub(crate) fn account_prefix(account: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(account.len() + 1);
    key.extend_from_slice(account.as_bytes());
    key.push(0);
    key
}

pub(crate) fn mailbox_key(account: &str, mailbox: &str) -> Vec<u8> {
    let mut key = account_prefix(account);
    key.extend_from_slice(mailbox.as_bytes());
    key.push(0);
    key
}

/// The prefix of every message key of one mailbox under one UIDVALIDITY.
pub(crate) fn validity_prefix(account: &str, mailbox: &str, uid_validity: u32) -> Vec<u8> {
    let mut key = mailbox_key(account, mailbox);
    key.extend_from_slice(&uid_validity.to_be_bytes());
    key
}

/// The UID at the end of a message key.
pub(crate) fn uid_of(key: &[u8]) -> Option<u32> {
    let tail = key.len().checked_sub(4).map(|start| &key[start..])?;
    <[u8; 4]>::try_from(tail).ok().map(u32::from_be_bytes)
}

/// The key of a message in the newest-first index: its mailbox, then the date and the UID both
/// descending, then the UIDVALIDITY. Messages without a date sort last.
pub(crate) fn date_index_key(key: &MessageKey, date: Option<i64>) -> Vec<u8> {
    let mut index = mailbox_key(&key.account, &key.mailbox);
    index.extend_from_slice(&descending_date(date).to_be_bytes());
    index.extend_from_slice(&(!key.uid).to_be_bytes());
    index.extend_from_slice(&key.uid_validity.to_be_bytes());
    index
}

/// A date as a number that sorts newest first, a missing date last.
pub(crate) fn descending_date(date: Option<i64>) -> u64 {
    // Flipping the sign bit makes i64 order match u64 order; inverting makes it descending.
    date.map_or(u64::MAX, |date| !((date as u64) ^ (1 << 63)))
}

/// The date behind [`descending_date`].
pub(crate) fn date_of_descending(descending: u64) -> Option<i64> {
    (descending != u64::MAX).then_some(((!descending) ^ (1 << 63)) as i64)
}

/// The message key behind an index key of the mailbox whose `mailbox_key` is `prefix`.
pub(crate) fn key_of_index(prefix: &[u8], index: &[u8]) -> Option<Vec<u8>> {
    let tail = index.get(prefix.len()..)?;
    let uid = !u32::from_be_bytes(tail.get(8..12)?.try_into().ok()?);
    let uid_validity = tail.get(12..16)?;
    let mut key = prefix.to_vec();
    key.extend_from_slice(uid_validity);
    key.extend_from_slice(&uid.to_be_bytes());
    Some(key)
}
