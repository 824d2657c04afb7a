//! Header-only messages: cached from their header section first, their bodies filled in later.
//!
//! This module owns the layout of the `missing_bodies` tree (message key → nothing): a key is
//! there exactly while its message is cached header-only. It does not fetch anything: a sync (or
//! the app, on demand) fetches the bodies [`Store::missing_bodies`] names and hands them to
//! [`Store::fill_bodies`].
//!
//! A header-only message is a message like any other for lists, unread counts, threads and
//! search: all of those read the summary, which the header section fills (sender, subject, date,
//! `Message-ID`, `References`, `In-Reply-To`). Only the preview is empty, and the attachment
//! count is the server's (from BODYSTRUCTURE) until the body comes. [`Store::message`] returns
//! the header bytes for it; callers that show or export a body ask [`Store::body_missing`] first.

use sled::transaction::{ConflictableTransactionError, Transactional};

use crate::{
    decode, encode, keys, transaction_error, Incoming, MessageKey, MessageSummary, Result, Store, StoreError,
};

/// A message whose header section a sync fetched, without its body.
#[derive(Debug, Clone)]
pub struct FetchedHeaders {
    /// Where it lives.
    pub key: MessageKey,
    /// `\Seen` on the server.
    pub seen: bool,
    /// `\Flagged` on the server.
    pub flagged: bool,
    /// The thread id the server assigned (Gmail's `X-GM-THRID`), if any.
    pub server_thread: Option<u64>,
    /// The header section as the server sent it (`BODY[HEADER]`, with its closing blank line).
    pub header: Vec<u8>,
    /// Attachments the server's BODYSTRUCTURE shows, which the header alone cannot tell.
    pub attachments: usize,
}

impl Store {
    /// Caches a batch of messages header-only, each with its missing-body mark, in one
    /// transaction (with their threads and date-index entries), then flushes; see the crate
    /// invariants. A message already cached whole is left as it is (its header would only take
    /// its body away); a header-only one is replaced. Returns how many were written; a header
    /// that is not e-mail at all fails the batch with [`StoreError::NotAMessage`] before anything
    /// is written.
    pub fn insert_headers(&self, batch: &[FetchedHeaders]) -> Result<usize> {
        let mut wanted = Vec::with_capacity(batch.len());
        for headers in batch {
            let bytes = headers.key.to_bytes();
            let whole = self.summaries.contains_key(&bytes)? && !self.missing_bodies.contains_key(&bytes)?;
            if !whole {
                wanted.push(headers);
            }
        }
        self.insert_batch(wanted.into_iter().map(|headers| Incoming {
            key: &headers.key,
            flags: (headers.seen, headers.flagged),
            raw: &headers.header,
            server_thread: headers.server_thread,
            header_only: Some(headers.attachments),
        }))
    }

    /// Whether `key` is cached header-only, its body still to be fetched. `false` for a message
    /// cached whole and for one not cached at all.
    pub fn body_missing(&self, key: &MessageKey) -> Result<bool> {
        Ok(self.missing_bodies.contains_key(key.to_bytes())?)
    }

    /// At most `limit` header-only messages of one mailbox under one UIDVALIDITY, highest UID
    /// (the most recently arrived) first: the mail the user is likeliest to open next.
    pub fn missing_bodies(
        &self,
        account: &str,
        mailbox: &str,
        uid_validity: u32,
        limit: usize,
    ) -> Result<Vec<MessageKey>> {
        self.missing_bodies
            .scan_prefix(keys::validity_prefix(account, mailbox, uid_validity))
            .keys()
            .rev()
            .take(limit)
            .map(|key| {
                let uid = keys::uid_of(&key?)
                    .ok_or_else(|| StoreError::Corrupt("a missing-body key is too short".into()))?;
                Ok(MessageKey { account: account.to_owned(), mailbox: mailbox.to_owned(), uid_validity, uid })
            })
            .collect()
    }

    /// Swaps whole messages in for header-only ones, (key, whole raw message) each, in one
    /// transaction, then flushes; returns how many were filled.
    ///
    /// The summary takes what only the body tells (preview, attachments, voicemail kind) from
    /// the whole message and keeps the rest as cached: the flags (a change the user made
    /// meanwhile, pushed or not, stays), the thread, and the header fields, which came from the
    /// same header section (so the date index and thread rows stay right). A key that is no
    /// longer cached (expunged or moved meanwhile) or no longer header-only (filled already) is
    /// skipped. A body that cannot be parsed is still cached, with the summary left as it was.
    pub fn fill_bodies(&self, bodies: &[(MessageKey, Vec<u8>)]) -> Result<usize> {
        let rows: Vec<(Vec<u8>, &[u8], Option<MessageSummary>)> = bodies
            .iter()
            .map(|(key, raw)| {
                (key.to_bytes(), raw.as_slice(), MessageSummary::parse(key, (false, false), raw))
            })
            .collect();
        let filled = (&self.summaries, &self.raws, &self.missing_bodies)
            .transaction(|(summaries, raws, missing_bodies)| {
                let mut filled = 0;
                for (key, raw, whole) in &rows {
                    if missing_bodies.get(key.as_slice())?.is_none() {
                        continue;
                    }
                    let Some(cached) = summaries.get(key.as_slice())? else {
                        // A mark without its message: drop it rather than keep asking.
                        missing_bodies.remove(key.as_slice())?;
                        continue;
                    };
                    if let Some(whole) = whole {
                        let mut summary: MessageSummary =
                            decode(&cached).map_err(ConflictableTransactionError::Abort)?;
                        summary.preview = whole.preview.clone();
                        summary.attachments = whole.attachments;
                        summary.voicemail = whole.voicemail;
                        let encoded = encode(&summary).map_err(ConflictableTransactionError::Abort)?;
                        summaries.insert(key.as_slice(), encoded)?;
                    }
                    raws.insert(key.as_slice(), *raw)?;
                    missing_bodies.remove(key.as_slice())?;
                    filled += 1;
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(filled)
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(filled)
    }
}
