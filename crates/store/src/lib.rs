//! The mail cache: accounts, mailboxes and messages on sled.
//!
//! This crate is the only one that knows sled tree names, key layouts and the schema version.
//! It does no network IO and knows nothing about IMAP sessions: callers hand it what they fetched.
//!
//! Invariants:
//! - A UID means nothing without its UIDVALIDITY: both are part of every message key ([`MessageKey`]).
//! - A batch of messages is written in one sled transaction and flushed before `insert_messages`
//!   (or `insert_fetched`, `insert_headers`, `fill_bodies`) returns, so after a crash a message is
//!   either cached with its summary and raw bytes (whole, or header-only with its missing-body
//!   mark) or absent.
//! - The schema version is written once at creation; a store of another version is refused with
//!   [`StoreError::SchemaMismatch`] so the caller can wipe it and resync.
//! - Accounts (never passwords) are also written to `<cache dir>.accounts.json` beside the cache,
//!   so that a cache rebuilt after damage keeps them: only mail, which the servers hold, is lost.
//! - The newest-first index (`by_date`: mailbox, date, UID → `\Seen`) holds exactly one entry per
//!   summary and is written in the same transaction as the summary; a store from before the
//!   index gets it built once, when it is opened. Pages of a 100 000-message mailbox are read
//!   from it without decoding the other summaries.
//! - A `\Seen` change the user makes ([`Store::mark_seen`]) is written with its pending-push row
//!   (`pending_flags`: message key → wanted `\Seen`) in one transaction and flushed, so a crash
//!   leaves both or neither. Flags pulled from the server never overwrite a message with a
//!   pending row: the user's change wins until it is pushed and cleared
//!   ([`Store::clear_pending_flags`], which keeps a row changed again meanwhile).
//! - `\Flagged` changes are queued like `\Seen`, in the same rows; moves and deletes
//!   ([`Store::queue_move`], [`Store::queue_delete`]) hide the message and queue the op
//!   (`pending_ops`) in one transaction. The queues' layouts live in `pending`.
//! - An account's folder list (`folders`: account id → its [`FolderRecord`]s) is replaced whole;
//!   a folder that left the list takes its cached messages and sync state with it, before the
//!   new list is written, so a crash in between repeats the clean-up at the next save.
//! - Every cached message is in one thread of its account (`threads`, see that module); the
//!   thread entries are written in the same transaction as the messages they describe, by every
//!   insert and removal.
//! - A message may be cached *header-only* ([`Store::insert_headers`]): its summary is built from
//!   its header section, which is kept as its raw bytes, and a mark in `missing_bodies` (message
//!   key → nothing) written in the same transaction says its body is still to come. The mark
//!   lives exactly as long as a header-only message: [`Store::fill_bodies`] swaps in the whole
//!   message and drops the mark in one transaction, a whole insert drops it too, and every
//!   removal path (removal, clearing a mailbox, a folder leaving the list, removing an account,
//!   hiding for a queued move or delete) drops it with the message. See the `bodies` module.
//! - The schema version stays 2 with `missing_bodies`: the tree is additive, and a cache written
//!   before it simply has no header-only messages. (An older Tidings opening a newer cache does not
//!   know the marks: it would show a header-only message with an empty body and never fetch it.
//!   Downgrades are not supported; wiping the cache, which holds only what the server holds,
//!   mends that.)

mod bodies;
mod claims;
mod keys;
mod pending;
mod summary;
mod threads;

use std::path::Path;

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

pub use bodies::FetchedHeaders;
pub use claims::FolderClaim;
pub use keys::MessageKey;
pub use pending::{Flag, PendingOp};
pub use summary::{MessageSummary, VoicemailKind};
pub use threads::{ThreadPage, ThreadRow};

/// The layout version of the trees below; bump it when a key or value layout changes.
pub const SCHEMA_VERSION: u32 = 2;
/// The version before conversation threads, which `open` upgrades in place.
const VERSION_WITHOUT_THREADS: u32 = 1;

const SCHEMA_KEY: &[u8] = b"schema_version";
/// Present once the `by_date` index covers every summary.
const DATE_INDEX_KEY: &[u8] = b"date_index_built";

/// What can go wrong with the cache, named for what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (the app or the `tidings` command line) has the store open.
    #[error("The mail cache at {path} is in use by another Tidings process; close it and retry")]
    InUse {
        /// The store's directory.
        path: String,
    },
    /// The store was written by another version of Tidings; wipe it and resync.
    #[error("The mail cache has schema version {found}, this Tidings expects {expected}")]
    SchemaMismatch {
        /// The version found on disk.
        found: u32,
        /// [`SCHEMA_VERSION`].
        expected: u32,
    },
    /// The files are damaged; wipe the cache and resync (accounts are kept elsewhere).
    #[error("The mail cache is damaged: {0}")]
    Corrupt(String),
    /// A raw message could not be parsed at all, so it was not cached.
    #[error("Not an e-mail message: {0}")]
    NotAMessage(String),
    /// The disk refused a read or a write.
    #[error("The mail cache could not be read or written: {0}")]
    Io(String),
}

impl From<sled::Error> for StoreError {
    fn from(error: sled::Error) -> Self {
        match error {
            sled::Error::Corruption { .. } => StoreError::Corrupt(error.to_string()),
            sled::Error::Io(io) => StoreError::Io(io.to_string()),
            other => StoreError::Io(other.to_string()),
        }
    }
}

/// Result of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A mail account as the cache knows it; the password is never here (it lives in the OS keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Stable identifier, used in every key of this account.
    pub id: String,
    /// What the user sees, usually the e-mail address.
    pub display_name: String,
    /// The user's e-mail address.
    pub email: String,
    /// `true` for the embedded demo mailbox, which has no server behind it.
    pub is_demo: bool,
    /// Where and how to reach the account's IMAP server; `None` for the demo and for records
    /// written before server settings were kept (they still load).
    #[serde(default)]
    pub server: Option<ServerSettings>,
    /// What the carrier's STATUS SMS said about a visual-voicemail box; `None` for mail accounts.
    #[serde(default)]
    pub voicemail: Option<VoicemailBox>,
}

/// A visual-voicemail box as its carrier's STATUS SMS described it: the dialect it declared and
/// the limits the client must respect. Kept with the account because the server's own answers
/// (CAPABILITY, ID) often say nothing about voicemail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoicemailBox {
    /// The dialect the SMS implies (`omtp-vvm13`, `vvm3`, …), used when the server shows none.
    pub declared_dialect: String,
    /// The SMS prefix (`VVM`, `VZWVVM`, …), for the account screen.
    pub sms_prefix: String,
    /// TUI languages the box offers (`lang`), in the carrier's codes.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Longest greeting the box takes, in seconds (`g_len`).
    pub max_greeting_seconds: Option<u32>,
    /// Longest voice signature, in seconds (`vs_len`).
    pub max_voice_signature_seconds: Option<u32>,
    /// Shortest and longest TUI password (`pw_len`).
    pub tui_password_length: Option<(u8, u8)>,
    /// The number to dial for the telephone user interface (`tui`).
    pub tui_number: Option<String>,
    /// The TUI password may be changed from the client (`pm`); `None` when the SMS did not say.
    pub password_change_supported: Option<bool>,
    /// Greetings may be changed from the client (`gm`); `None` when the SMS did not say.
    pub greeting_change_supported: Option<bool>,
}

/// How an account's IMAP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionSecurity {
    /// Implicit TLS from the first byte (usually port 993).
    Tls,
    /// Plaintext greeting, then STARTTLS (usually port 143).
    Starttls,
    /// No encryption (only to loopback or a private LAN, and only with `allow_plaintext`).
    Plain,
}

/// An account's IMAP server settings. No credential is ever here: the password lives in the OS
/// keyring under the account's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSettings {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS, STARTTLS or plaintext.
    pub security: ConnectionSecurity,
    /// The login name.
    pub username: String,
    /// The user allowed plaintext IMAP (honoured only for loopback and private LAN peers).
    pub allow_plaintext: bool,
    /// SHA-256 of the one server certificate the user accepted, as 64 lower-case hex digits;
    /// `None` trusts the platform's root certificates.
    pub pinned_sha256: Option<String>,
}

/// The IMAP dialect an account's server showed at its last login, and why it was read so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerDialect {
    /// The dialect's name (`imap4rev1`, `gmail`, `omtp-vvm13`, …).
    pub name: String,
    /// One sentence per observation.
    pub evidence: Vec<String>,
}

/// What [`Store::remove_account`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountRemoval {
    /// The account record existed.
    pub account: bool,
    /// Mailboxes (sync states) removed.
    pub mailboxes: usize,
    /// Cached messages (summary and raw bytes) removed.
    pub messages: usize,
}

/// A mailbox and its sync state (RFC 3501 §2.3.1.1, RFC 7162).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// The owning account's id.
    pub account: String,
    /// The mailbox name as the server spells it (`INBOX`, `Greetings`, …).
    pub name: String,
    /// UIDVALIDITY of the cached UIDs.
    pub uid_validity: u32,
    /// The UIDNEXT seen at the last sync.
    pub uid_next: u32,
    /// HIGHESTMODSEQ seen at the last sync, where the server has CONDSTORE.
    pub highest_modseq: Option<u64>,
}

/// One folder of an account as the last folder listing showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderRecord {
    /// The name as the server spells it (modified UTF-7), as every other key of the store has it.
    pub name: String,
    /// The name for people, decoded.
    pub display_name: String,
    /// What the folder is for: `inbox`, `sent`, `drafts`, `trash`, `junk`, `archive`, `all`,
    /// `flagged`; `None` for the user's own folders.
    pub role: Option<String>,
    /// False for folders that hold no messages (`\Noselect`).
    pub selectable: bool,
}

/// A folder [`Store::put_folders`] dropped because the server no longer lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRemoval {
    /// Its name.
    pub name: String,
    /// Cached messages removed with it.
    pub messages: usize,
}

/// A message to cache: its key, its flags and its raw RFC 5322 bytes.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// Where it lives.
    pub key: MessageKey,
    /// `\Seen` on the server.
    pub seen: bool,
    /// The whole message as fetched.
    pub raw: Vec<u8>,
}

/// A message as a sync fetched it: the message, its `\Flagged` state and the thread id the
/// server assigned (Gmail's `X-GM-THRID`), if any.
#[derive(Debug, Clone)]
pub struct FetchedMessage {
    pub message: NewMessage,
    pub flagged: bool,
    pub server_thread: Option<u64>,
}

/// One message on its way into the cache: whole, or its header section only.
pub(crate) struct Incoming<'a> {
    key: &'a MessageKey,
    /// `\Seen` and `\Flagged`.
    flags: (bool, bool),
    /// The whole message, or its header section when `header_only` is set.
    raw: &'a [u8],
    /// The thread id the server assigned (Gmail's `X-GM-THRID`), if any.
    server_thread: Option<u64>,
    /// `Some(attachments the server's BODYSTRUCTURE shows)` for a header-only message.
    header_only: Option<usize>,
}

impl<'a> Incoming<'a> {
    fn whole(key: &'a MessageKey, flags: (bool, bool), raw: &'a [u8], server_thread: Option<u64>) -> Self {
        Incoming { key, flags, raw, server_thread, header_only: None }
    }
}

/// One page of a mailbox, newest first, with the counts the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// Messages in the mailbox (or matching the search).
    pub total: usize,
    /// Of those, the ones without `\Seen`.
    pub unread: usize,
    /// The page's summaries, newest first.
    pub summaries: Vec<MessageSummary>,
}

/// The mail cache.
pub struct Store {
    db: sled::Db,
    /// The copy of the accounts beside the cache (none for a temporary store).
    accounts_copy: Option<std::path::PathBuf>,
    accounts: sled::Tree,
    mailboxes: sled::Tree,
    summaries: sled::Tree,
    raws: sled::Tree,
    by_date: sled::Tree,
    dialects: sled::Tree,
    /// Each account's folder list: account id → JSON list of [`FolderRecord`].
    folders: sled::Tree,
    /// Local flag changes not yet on the server: message key → the wanted flags (see `pending`).
    pending_flags: sled::Tree,
    /// Conversation threads; its layout belongs to the `threads` module.
    threads: sled::Tree,
    /// Held from planning thread changes to writing them: a plan is read outside its
    /// transaction, so two at once could each miss the other's merge.
    thread_writer: std::sync::Mutex<()>,
    /// Moves and deletes not yet on the server: message key → JSON [`PendingOp`].
    pending_ops: sled::Tree,
    /// Header-only messages whose body is still to be fetched: message key → nothing (see the
    /// `bodies` module).
    missing_bodies: sled::Tree,
    /// Folders a sync of this process is working on (see the `claims` module).
    claims: claims::FolderClaims,
}

impl Store {
    /// Opens (or creates) the cache in `dir`.
    pub fn open(dir: &Path) -> Result<Store> {
        let db = open_locked(dir).map_err(|error| match error {
            sled::Error::Io(ref io) if is_lock_error(io) => {
                StoreError::InUse { path: dir.display().to_string() }
            }
            other => StoreError::from(other),
        })?;
        let mut store = Store::from_db(db)?;
        store.accounts_copy = Some(accounts_copy_of(dir));
        Ok(store)
    }

    /// Opens the cache in `dir`, and when it is damaged or from another schema version, wipes it
    /// and starts an empty one: the cache only holds what the servers hold. Returns why it was
    /// rebuilt, if it was, so the caller can tell the user. A cache in use by another process is
    /// never wiped ([`StoreError::InUse`]).
    pub fn open_or_rebuild(dir: &Path) -> Result<(Store, Option<String>)> {
        let reason = match Store::open(dir) {
            Err(StoreError::Corrupt(reason)) | Err(StoreError::Io(reason)) if dir.exists() => {
                format!("the mail cache could not be opened ({reason}); it was rebuilt")
            }
            Err(StoreError::SchemaMismatch { found, expected }) => {
                format!("the mail cache had schema {found}, not {expected}; it was rebuilt")
            }
            other => return other.map(|store| (store, None)),
        };
        std::fs::remove_dir_all(dir).map_err(|error| StoreError::Io(error.to_string()))?;
        let store = Store::open(dir)?;
        // The accounts come back from their copy; their mail comes back with the next sync.
        let kept = match std::fs::read(accounts_copy_of(dir)) {
            Ok(bytes) => decode::<Vec<Account>>(&bytes).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        for account in &kept {
            store.put_account(account)?;
        }
        let reason = match kept.len() {
            0 => reason,
            1 => format!("{reason}; the account was kept"),
            count => format!("{reason}; the {count} accounts were kept"),
        };
        Ok((store, Some(reason)))
    }

    /// A store that lives in memory only, for tests and previews.
    pub fn open_temporary() -> Result<Store> {
        Store::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Store> {
        let mut without_threads = false;
        match db.get(SCHEMA_KEY)? {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt("schema version is not 4 bytes".into()))?;
                // Version 1 differs only by having no threads: it is threaded in place below,
                // so no read flag or move still to push is lost to a rebuild.
                without_threads = found == VERSION_WITHOUT_THREADS;
                if found != SCHEMA_VERSION && !without_threads {
                    return Err(StoreError::SchemaMismatch { found, expected: SCHEMA_VERSION });
                }
            }
            None => {
                db.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                db.flush()?;
            }
        }
        let store = Store {
            accounts_copy: None,
            accounts: db.open_tree("accounts")?,
            mailboxes: db.open_tree("mailboxes")?,
            summaries: db.open_tree("summaries")?,
            raws: db.open_tree("raws")?,
            by_date: db.open_tree("by_date")?,
            dialects: db.open_tree("dialects")?,
            folders: db.open_tree("folders")?,
            pending_flags: db.open_tree("pending_flags")?,
            threads: db.open_tree("threads")?,
            thread_writer: std::sync::Mutex::new(()),
            pending_ops: db.open_tree("pending_ops")?,
            missing_bodies: db.open_tree("missing_bodies")?,
            db,
            claims: claims::FolderClaims::default(),
        };
        if store.db.get(DATE_INDEX_KEY)?.is_none() {
            store.build_date_index()?;
        }
        if without_threads {
            store.thread_cached_messages()?;
            store.db.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
            store.db.flush()?;
        }
        Ok(store)
    }

    /// Places every cached message in its thread (a store of version 1, from before threads),
    /// batch by batch through the insert path, which keeps each message's flags; the changes
    /// still to push are in other trees and stay. A crash halfway leaves version 1, and the next
    /// open starts again from an empty threads tree.
    fn thread_cached_messages(&self) -> Result<()> {
        const BATCH: usize = 500;
        self.threads.clear()?;
        let keys = self.summaries.iter().keys().collect::<Result<Vec<_>, _>>()?;
        for chunk in keys.chunks(BATCH) {
            let mut batch = Vec::with_capacity(chunk.len());
            for key in chunk {
                let (Some(summary), Some(raw)) = (self.summaries.get(key)?, self.raws.get(key)?) else {
                    continue;
                };
                let summary: MessageSummary = decode(&summary)?;
                batch.push((summary.key, (summary.seen, summary.flagged), raw.to_vec()));
            }
            self.insert_batch(batch.iter().map(|(key, flags, raw)| Incoming::whole(key, *flags, raw, None)))?;
        }
        Ok(())
    }

    /// Indexes every summary by date (a store written before the index existed).
    fn build_date_index(&self) -> Result<()> {
        self.by_date.clear()?;
        for value in self.summaries.iter().values() {
            let summary: MessageSummary = decode(&value?)?;
            self.by_date
                .insert(keys::date_index_key(&summary.key, summary.date), &[u8::from(summary.seen)])?;
        }
        self.db.insert(DATE_INDEX_KEY, &[1])?;
        self.db.flush()?;
        Ok(())
    }

    /// The index keys of the cached messages among `keys` (those not cached are skipped).
    fn index_keys_of(&self, keys: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        let mut index = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(value) = self.summaries.get(key)? {
                let summary: MessageSummary = decode(&value)?;
                index.push(keys::date_index_key(&summary.key, summary.date));
            }
        }
        Ok(index)
    }

    /// Adds or replaces an account.
    pub fn put_account(&self, account: &Account) -> Result<()> {
        self.accounts.insert(account.id.as_bytes(), encode(account)?)?;
        self.accounts.flush()?;
        self.copy_accounts()
    }

    /// Writes every account to the copy beside the cache (temporary file, then rename).
    fn copy_accounts(&self) -> Result<()> {
        let Some(path) = &self.accounts_copy else { return Ok(()) };
        let accounts: Vec<Account> =
            self.accounts()?.into_iter().filter(|account| !account.is_demo).collect();
        let temporary = path.with_extension("json.tmp");
        let io = |error: std::io::Error| StoreError::Io(error.to_string());
        std::fs::write(&temporary, encode(&accounts)?).map_err(io)?;
        std::fs::rename(&temporary, path).map_err(io)
    }

    /// All accounts, ordered by id.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        self.accounts.iter().values().map(|value| decode(&value?)).collect()
    }

    /// One account, if it exists.
    pub fn account(&self, id: &str) -> Result<Option<Account>> {
        self.accounts.get(id.as_bytes())?.map(|value| decode(&value)).transpose()
    }

    /// Removes an account with its mailboxes and every cached message (summary and raw bytes)
    /// in one transaction, then flushes. Removing an account that does not exist removes
    /// nothing and is not an error. The password in the keyring is the caller's to delete.
    pub fn remove_account(&self, id: &str) -> Result<AccountRemoval> {
        // Held from the scans on: an insert between them and the write would leave its
        // messages or thread entries behind.
        let _one_thread_writer = self.thread_writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let prefix = keys::account_prefix(id);
        let mailboxes = self.mailboxes.scan_prefix(&prefix).keys().collect::<Result<Vec<_>, _>>()?;
        let messages = self.summaries.scan_prefix(&prefix).keys().collect::<Result<Vec<_>, _>>()?;
        // Raw bytes are keyed like summaries, but a body without a summary must go too.
        let raws = self.raws.scan_prefix(&prefix).keys().collect::<Result<Vec<_>, _>>()?;
        let index = self.by_date.scan_prefix(&prefix).keys().collect::<Result<Vec<_>, _>>()?;
        let pending = self
            .pending_flags
            .scan_prefix(&prefix)
            .keys()
            .chain(self.pending_ops.scan_prefix(&prefix).keys())
            .collect::<Result<Vec<_>, _>>()?;
        let missing = self.missing_bodies.scan_prefix(&prefix).keys().collect::<Result<Vec<_>, _>>()?;
        let thread_keys = threads::account_keys(&self.threads, id)?;
        let trees = (
            &self.accounts,
            &self.mailboxes,
            &self.summaries,
            &self.raws,
            &self.by_date,
            &self.dialects,
            &self.pending_flags,
            &self.folders,
            &self.threads,
            &self.pending_ops,
            &self.missing_bodies,
        );
        let existed = trees
            .transaction(
                |(
                    accounts,
                    mailbox_tree,
                    summaries,
                    raw_tree,
                    by_date,
                    dialects,
                    pending_flags,
                    folders,
                    thread_tree,
                    pending_ops,
                    missing_bodies,
                )| {
                    let existed = accounts.remove(id.as_bytes())?.is_some();
                    for key in &missing {
                        missing_bodies.remove(key)?;
                    }
                    for key in &thread_keys {
                        thread_tree.remove(key)?;
                    }
                    for key in &pending {
                        pending_flags.remove(key)?;
                        pending_ops.remove(key)?;
                    }
                    dialects.remove(id.as_bytes())?;
                    folders.remove(id.as_bytes())?;
                    for key in &mailboxes {
                        mailbox_tree.remove(key)?;
                    }
                    for key in &messages {
                        summaries.remove(key)?;
                    }
                    for key in &raws {
                        raw_tree.remove(key)?;
                    }
                    for key in &index {
                        by_date.remove(key)?;
                    }
                    Ok::<_, ConflictableTransactionError<StoreError>>(existed)
                },
            )
            .map_err(transaction_error)?;
        self.db.flush()?;
        self.copy_accounts()?;
        Ok(AccountRemoval { account: existed, mailboxes: mailboxes.len(), messages: messages.len() })
    }

    /// Remembers the dialect account `id`'s server showed at its last login.
    pub fn put_dialect(&self, id: &str, dialect: &ServerDialect) -> Result<()> {
        self.dialects.insert(id.as_bytes(), encode(dialect)?)?;
        self.dialects.flush()?;
        Ok(())
    }

    /// The dialect account `id`'s server showed at its last login, if it ever logged in.
    pub fn dialect(&self, id: &str) -> Result<Option<ServerDialect>> {
        self.dialects.get(id.as_bytes())?.map(|value| decode(&value)).transpose()
    }

    /// Replaces account `id`'s folder list. Every folder that had a list entry or a sync state
    /// and is not in `folders` any more is gone from the server: its cached messages (with
    /// changes still to push) and its sync state are removed first, then the list is written
    /// and flushed. Returns what was removed, by name.
    pub fn put_folders(&self, id: &str, folders: &[FolderRecord]) -> Result<Vec<FolderRemoval>> {
        let listed = |name: &str| folders.iter().any(|folder| folder.name == name);
        let mut gone: Vec<String> = self.folders(id)?.into_iter().map(|folder| folder.name).collect();
        gone.extend(self.mailboxes(id)?.into_iter().map(|mailbox| mailbox.name));
        gone.retain(|name| !listed(name));
        gone.sort();
        gone.dedup();
        let mut removed = Vec::with_capacity(gone.len());
        for name in gone {
            let messages = self.clear_mailbox(id, &name)?;
            self.mailboxes.remove(keys::mailbox_key(id, &name))?;
            removed.push(FolderRemoval { name, messages });
        }
        self.folders.insert(id.as_bytes(), encode(&folders)?)?;
        self.db.flush()?;
        Ok(removed)
    }

    /// Account `id`'s folder list as last saved; empty when it was never listed.
    pub fn folders(&self, id: &str) -> Result<Vec<FolderRecord>> {
        self.folders.get(id.as_bytes())?.map_or(Ok(Vec::new()), |value| decode(&value))
    }

    /// Adds or replaces a mailbox's sync state.
    pub fn put_mailbox(&self, mailbox: &Mailbox) -> Result<()> {
        let key = keys::mailbox_key(&mailbox.account, &mailbox.name);
        self.mailboxes.insert(key, encode(mailbox)?)?;
        self.mailboxes.flush()?;
        Ok(())
    }

    /// The sync state of one mailbox, if cached.
    pub fn mailbox(&self, account: &str, name: &str) -> Result<Option<Mailbox>> {
        let key = keys::mailbox_key(account, name);
        self.mailboxes.get(key)?.map(|value| decode(&value)).transpose()
    }

    /// The mailboxes of one account, ordered by name.
    pub fn mailboxes(&self, account: &str) -> Result<Vec<Mailbox>> {
        self.mailboxes
            .scan_prefix(keys::account_prefix(account))
            .values()
            .map(|value| decode(&value?))
            .collect()
    }

    /// Parses and caches a batch of messages in one transaction, then flushes it to disk.
    ///
    /// A message already cached under the same key is replaced, never duplicated.
    /// Each message is placed in a thread of its account by its `Message-ID`, `References` and
    /// `In-Reply-To` (see the `threads` module), in the same transaction.
    /// Returns how many messages were written; a message that is not e-mail at all fails the
    /// whole batch with [`StoreError::NotAMessage`] before anything is written.
    pub fn insert_messages(&self, batch: &[NewMessage]) -> Result<usize> {
        self.insert_batch(
            batch
                .iter()
                .map(|message| Incoming::whole(&message.key, (message.seen, false), &message.raw, None)),
        )
    }

    /// [`Store::insert_messages`] for messages as a sync fetched them: with their `\Flagged`
    /// state and the thread id the server assigned (Gmail's `X-GM-THRID`), which then decides
    /// their thread (see the `threads` module).
    pub fn insert_fetched(&self, batch: &[FetchedMessage]) -> Result<usize> {
        self.insert_batch(batch.iter().map(|fetched| {
            let message = &fetched.message;
            Incoming::whole(
                &message.key,
                (message.seen, fetched.flagged),
                &message.raw,
                fetched.server_thread,
            )
        }))
    }

    /// Writes whole and header-only messages (see [`Incoming`]) in one transaction with their
    /// threads, date-index entries and missing-body marks, then flushes.
    fn insert_batch<'a>(&self, batch: impl Iterator<Item = Incoming<'a>>) -> Result<usize> {
        let _one_thread_writer = self.thread_writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut parsed = Vec::new();
        let mut threads = threads::ThreadWrites::new(&self.threads, &self.summaries);
        for message in batch {
            let mut summary = MessageSummary::parse(message.key, message.flags, message.raw)
                .ok_or_else(|| StoreError::NotAMessage(message.key.to_string()))?;
            if let Some(attachments) = message.header_only {
                summary.attachments = attachments;
            }
            threads.place(&mut summary, message.raw, message.server_thread)?;
            parsed.push((message, summary));
        }
        let mut rows = Vec::with_capacity(parsed.len());
        for (message, mut summary) in parsed {
            let key = message.key.to_bytes();
            // A message placed later in the batch may have merged this one's thread.
            summary.thread = threads.placed(&key).cloned();
            let index = keys::date_index_key(message.key, summary.date);
            let header_only = message.header_only.is_some();
            rows.push((key, encode(&summary)?, message.raw, index, summary.seen, header_only));
        }
        let threads = threads.finish()?;
        // A message cached again may carry another date: its old index entry goes.
        let keys: Vec<Vec<u8>> = rows.iter().map(|row| row.0.clone()).collect();
        let replaced = self.index_keys_of(&keys)?;
        (&self.summaries, &self.raws, &self.by_date, &self.threads, &self.missing_bodies)
            .transaction(|(summaries, raws, by_date, thread_tree, missing_bodies)| {
                for index in &replaced {
                    by_date.remove(index.as_slice())?;
                }
                threads.apply(thread_tree, summaries)?;
                for (key, summary, raw, index, seen, header_only) in &rows {
                    summaries.insert(key.as_slice(), summary.as_slice())?;
                    raws.insert(key.as_slice(), *raw)?;
                    by_date.insert(index.as_slice(), &[u8::from(*seen)])?;
                    // A whole message replacing a header-only one has its body now.
                    if *header_only {
                        missing_bodies.insert(key.as_slice(), &[])?;
                    } else {
                        missing_bodies.remove(key.as_slice())?;
                    }
                }
                Ok::<_, ConflictableTransactionError<StoreError>>(())
            })
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(rows.len())
    }

    /// The summaries of one mailbox, newest first.
    pub fn list_messages(&self, account: &str, mailbox: &str) -> Result<Vec<MessageSummary>> {
        Ok(self.page(account, mailbox, 0, usize::MAX)?.summaries)
    }

    /// `limit` summaries of one mailbox from place `offset` on, newest first, with the
    /// mailbox's total and unread counts. Only the page's summaries are decoded.
    pub fn page(&self, account: &str, mailbox: &str, offset: usize, limit: usize) -> Result<MessagePage> {
        let prefix = keys::mailbox_key(account, mailbox);
        let (mut total, mut unread) = (0, 0);
        let mut summaries = Vec::new();
        for entry in self.by_date.scan_prefix(&prefix) {
            let (index, seen) = entry?;
            if seen.first() == Some(&0) {
                unread += 1;
            }
            if total >= offset && summaries.len() < limit {
                summaries.push(self.summary_at(&prefix, &index)?);
            }
            total += 1;
        }
        Ok(MessagePage { total, unread, summaries })
    }

    /// Messages of one mailbox whose sender (name or address) or subject contains every word of
    /// `query`, ignoring case; newest first, at most `limit` of them, with the counts of all
    /// that match.
    pub fn search(&self, account: &str, mailbox: &str, query: &str, limit: usize) -> Result<MessagePage> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let prefix = keys::mailbox_key(account, mailbox);
        let (mut total, mut unread) = (0, 0);
        let mut summaries = Vec::new();
        for entry in self.by_date.scan_prefix(&prefix) {
            let (index, _) = entry?;
            let summary = self.summary_at(&prefix, &index)?;
            let haystack = [&summary.from_name, &summary.from_email, &summary.subject]
                .into_iter()
                .flatten()
                .map(|field| field.to_lowercase())
                .collect::<Vec<_>>()
                .join("\n");
            if !words.iter().all(|word| haystack.contains(word.as_str())) {
                continue;
            }
            total += 1;
            unread += usize::from(!summary.seen);
            if summaries.len() < limit {
                summaries.push(summary);
            }
        }
        Ok(MessagePage { total, unread, summaries })
    }

    fn summary_at(&self, prefix: &[u8], index: &[u8]) -> Result<MessageSummary> {
        let key = keys::key_of_index(prefix, index)
            .ok_or_else(|| StoreError::Corrupt("a date index key is too short".into()))?;
        let value = self
            .summaries
            .get(&key)?
            .ok_or_else(|| StoreError::Corrupt("the date index names a message that is not cached".into()))?;
        decode(&value)
    }

    /// Number of cached messages of one mailbox without `\Seen` (read from the date index,
    /// without decoding summaries).
    pub fn unread_count(&self, account: &str, mailbox: &str) -> Result<usize> {
        let mut unread = 0;
        for seen in self.by_date.scan_prefix(keys::mailbox_key(account, mailbox)).values() {
            unread += usize::from(seen?.first() == Some(&0));
        }
        Ok(unread)
    }

    /// Number of messages cached in one mailbox.
    pub fn count_messages(&self, account: &str, mailbox: &str) -> usize {
        self.summaries.scan_prefix(keys::mailbox_key(account, mailbox)).count()
    }

    /// One message's summary and raw bytes; for a header-only message (see
    /// [`Store::body_missing`]) the raw bytes are its header section.
    pub fn message(&self, key: &MessageKey) -> Result<Option<(MessageSummary, Vec<u8>)>> {
        let bytes = key.to_bytes();
        let Some(summary) = self.summaries.get(&bytes)? else { return Ok(None) };
        let raw = self
            .raws
            .get(&bytes)?
            .ok_or_else(|| StoreError::Corrupt(format!("{key} has a summary but no body")))?;
        Ok(Some((decode(&summary)?, raw.to_vec())))
    }

    /// Marks a cached message read or unread as the user asked; returns `false` when it is not
    /// cached. For an account with a server the change is queued for the next sync to push, in
    /// the same transaction (see the crate invariants); an account without one (the demo, a
    /// local account of imported files) has nowhere to push it, so nothing is queued.
    pub fn mark_seen(&self, key: &MessageKey, seen: bool) -> Result<bool> {
        self.mark(key, Flag::Seen, seen)
    }

    /// The cached UIDs of one mailbox under one UIDVALIDITY, ascending.
    pub fn uids(&self, account: &str, mailbox: &str, uid_validity: u32) -> Result<Vec<u32>> {
        self.summaries
            .scan_prefix(keys::validity_prefix(account, mailbox, uid_validity))
            .keys()
            .map(|key| {
                keys::uid_of(&key?).ok_or_else(|| StoreError::Corrupt("a message key is too short".into()))
            })
            .collect()
    }

    /// The cached UIDs of one mailbox under one UIDVALIDITY with their `\Seen` flag, ascending.
    pub fn seen_flags(&self, account: &str, mailbox: &str, uid_validity: u32) -> Result<Vec<(u32, bool)>> {
        self.summaries
            .scan_prefix(keys::validity_prefix(account, mailbox, uid_validity))
            .values()
            .map(|value| decode::<MessageSummary>(&value?).map(|summary| (summary.key.uid, summary.seen)))
            .collect()
    }

    /// Removes a batch of messages (summary, raw bytes, any change or op still to push and any
    /// missing-body mark) in one transaction, then flushes.
    ///
    /// Returns how many were cached; keys that are not cached are ignored.
    pub fn remove_messages(&self, keys: &[MessageKey]) -> Result<usize> {
        // Held from reading the index keys on: an insert meanwhile could move a date entry.
        let _one_thread_writer = self.thread_writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rows: Vec<Vec<u8>> = keys.iter().map(MessageKey::to_bytes).collect();
        let index = self.index_keys_of(&rows)?;
        let mut threads = threads::ThreadWrites::new(&self.threads, &self.summaries);
        for key in keys {
            threads.remove(key)?;
        }
        let threads = threads.finish()?;
        let trees = (
            &self.summaries,
            &self.raws,
            &self.by_date,
            &self.pending_flags,
            &self.pending_ops,
            &self.threads,
            &self.missing_bodies,
        );
        let removed = trees
            .transaction(
                |(summaries, raws, by_date, pending_flags, pending_ops, thread_tree, missing_bodies)| {
                    threads.apply(thread_tree, summaries)?;
                    let mut removed = 0;
                    for key in &rows {
                        if summaries.remove(key.as_slice())?.is_some() {
                            removed += 1;
                        }
                        raws.remove(key.as_slice())?;
                        pending_flags.remove(key.as_slice())?;
                        pending_ops.remove(key.as_slice())?;
                        missing_bodies.remove(key.as_slice())?;
                    }
                    for key in &index {
                        by_date.remove(key.as_slice())?;
                    }
                    Ok::<_, ConflictableTransactionError<StoreError>>(removed)
                },
            )
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(removed)
    }

    /// Removes every cached message of one mailbox, under any UIDVALIDITY (for a UIDVALIDITY
    /// change), with the changes and ops still to push (their UIDs mean nothing any more) and the
    /// missing-body marks, in one
    /// transaction, then flushes. The mailbox's sync state is left to the caller.
    pub fn clear_mailbox(&self, account: &str, mailbox: &str) -> Result<usize> {
        // Held from the scans on: an insert between them and the write would leave its
        // messages or thread entries behind.
        let _one_thread_writer = self.thread_writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rows = self
            .summaries
            .scan_prefix(keys::mailbox_key(account, mailbox))
            .keys()
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let index = self
            .by_date
            .scan_prefix(keys::mailbox_key(account, mailbox))
            .keys()
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let pending = self
            .pending_flags
            .scan_prefix(keys::mailbox_key(account, mailbox))
            .keys()
            .chain(self.pending_ops.scan_prefix(keys::mailbox_key(account, mailbox)).keys())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let missing = self
            .missing_bodies
            .scan_prefix(keys::mailbox_key(account, mailbox))
            .keys()
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut threads = threads::ThreadWrites::new(&self.threads, &self.summaries);
        threads.clear_mailbox(account, mailbox)?;
        let threads = threads.finish()?;
        let trees = (
            &self.summaries,
            &self.raws,
            &self.by_date,
            &self.pending_flags,
            &self.pending_ops,
            &self.threads,
            &self.missing_bodies,
        );
        trees
            .transaction(
                |(summaries, raws, by_date, pending_flags, pending_ops, thread_tree, missing_bodies)| {
                    threads.apply(thread_tree, summaries)?;
                    for key in &rows {
                        summaries.remove(key)?;
                        raws.remove(key)?;
                    }
                    for key in &missing {
                        missing_bodies.remove(key)?;
                    }
                    for key in &index {
                        by_date.remove(key)?;
                    }
                    for key in &pending {
                        pending_flags.remove(key)?;
                        pending_ops.remove(key)?;
                    }
                    Ok::<_, ConflictableTransactionError<StoreError>>(())
                },
            )
            .map_err(transaction_error)?;
        self.db.flush()?;
        Ok(rows.len())
    }
}

/// How long [`open_locked`] waits for a cache lock that sled's own background work still holds:
/// a store dropped in this process lets go of its file once its last IO tasks end, a moment
/// after the drop.
const LOCK_SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Opens the sled database in `dir`, trying again for [`LOCK_SETTLE`] while its lock is taken.
/// A lock still taken after that belongs to another process (or an open `Store`).
fn open_locked(dir: &Path) -> sled::Result<sled::Db> {
    let started = std::time::Instant::now();
    loop {
        match sled::Config::new().path(dir).open() {
            Err(sled::Error::Io(ref io)) if is_lock_error(io) && started.elapsed() < LOCK_SETTLE => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Whether sled could not open a database because its file lock is taken.
fn is_lock_error(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock")
}

/// `<cache dir>.accounts.json`: beside the cache, so wiping the cache leaves it.
fn accounts_copy_of(dir: &Path) -> std::path::PathBuf {
    let mut name = dir.file_name().map(|name| name.to_os_string()).unwrap_or_else(|| "cache".into());
    name.push(".accounts.json");
    dir.with_file_name(name)
}

fn transaction_error(error: TransactionError<StoreError>) -> StoreError {
    match error {
        TransactionError::Storage(error) => StoreError::from(error),
        TransactionError::Abort(error) => error,
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|error| StoreError::Corrupt(error.to_string()))
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|error| StoreError::Corrupt(error.to_string()))
}

#[cfg(test)]
mod tests;
