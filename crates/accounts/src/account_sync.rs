//! Syncing a whole account ([`sync_account`]): one login, the folder list (kept in the store,
//! which drops the cache of folders the server no longer has), then every selectable folder,
//! the inbox first, each with `tidings_imap::sync_mailbox_cancellable`.
//!
//! Failure rules: a folder the server refuses while the session stays usable (a `NO` to its
//! SELECT: gone meanwhile, no permission) is reported in [`AccountSyncReport::failed`] and the
//! other folders go on; an error that drops the session (network, timeout, protocol) or a cache
//! failure ends the sync with that error. Either way every batch already written stays whole,
//! as `tidings-imap`'s sync guarantees.
//!
//! Cancelling: `stop` is read before each folder and, inside a folder, before each batch of new
//! messages; the folder being fetched keeps its finished batches and resumes at the next sync.
//!
//! This module does not decide when to sync (the app and the command line do) and does not
//! follow folders with IDLE (`follow.rs`).

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use tidings_imap::{ConnectOptions, Folder, ImapError, SyncOptions, SyncProgress, SyncReport};
use tidings_keychain::SecretStore;
use tidings_store::{FolderRecord, FolderRemoval, Store};

use crate::{connect, remember_dialect, AccountsError};

/// How to connect and how to sync each folder.
#[derive(Debug, Clone, Default)]
pub struct AccountSyncOptions {
    /// Timeouts and identity of the connection.
    pub connect: ConnectOptions,
    /// Batch size and policy of every folder's sync.
    pub sync: SyncOptions,
}

/// Where an account's sync is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountProgress {
    /// The folder being synced (or just finished), as the server spells it.
    pub folder: String,
    /// Its name for people.
    pub display_name: String,
    /// Folders finished (synced or failed) so far.
    pub folders_done: usize,
    /// Selectable folders this sync goes through.
    pub folders_total: usize,
    /// New messages of this folder fetched and cached so far.
    pub messages_done: usize,
    /// New messages this folder's sync fetches in all.
    pub messages_total: usize,
    /// Bodies of this folder's header-only messages fetched and cached so far (after every new
    /// message's header).
    pub bodies_done: usize,
    /// Bodies this folder's sync fetches in all: 0 until that step starts.
    pub bodies_total: usize,
}

/// A folder whose sync failed while the others went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderFailure {
    /// The folder, as the server spells it.
    pub folder: String,
    /// What went wrong, for people.
    pub error: String,
}

/// What [`sync_account`] did.
#[derive(Debug, Clone, Serialize)]
pub struct AccountSyncReport {
    /// The folders the server listed, in display order.
    pub folders: Vec<Folder>,
    /// One report per folder synced (the last one may say `cancelled`).
    pub synced: Vec<SyncReport>,
    /// Folders the server refused.
    pub failed: Vec<FolderFailure>,
    /// Folders gone from the server whose cache was dropped: (name, messages removed).
    pub removed: Vec<(String, usize)>,
    /// `stop` was set: the folders after the last one in `synced` were not synced.
    pub cancelled: bool,
}

/// The store's record of a listed folder.
fn record_of(folder: &Folder) -> FolderRecord {
    FolderRecord {
        name: folder.name.clone(),
        display_name: folder.display_name.clone(),
        role: folder.role.map(|role| role.name().to_owned()),
        selectable: folder.selectable,
    }
}

/// Brings every folder of account `id` in the cache up to date; see the module's rules.
/// `progress` hears each folder start (0 of its new messages), each batch (headers, then
/// bodies), and each folder end.
pub async fn sync_account(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    options: &AccountSyncOptions,
    stop: &AtomicBool,
    mut progress: impl FnMut(AccountProgress) + Send,
) -> Result<AccountSyncReport, AccountsError> {
    let mut session = connect(store, secrets, id, &options.connect).await?;
    remember_dialect(store, id, session.dialect())?;
    let imap_error = |error: ImapError| -> AccountsError {
        match store.account(id).ok().flatten().and_then(|account| account.server) {
            Some(settings) => AccountsError::from_imap(error, &settings),
            None => AccountsError::Imap(error),
        }
    };
    let folders = tidings_imap::list_folders(&mut session).await.map_err(imap_error)?;
    let records: Vec<FolderRecord> = folders.iter().map(record_of).collect();
    let removed = store.put_folders(id, &records)?;
    let to_sync: Vec<&Folder> = folders.iter().filter(|folder| folder.selectable).collect();
    let mut report = AccountSyncReport {
        folders: Vec::new(),
        synced: Vec::new(),
        failed: Vec::new(),
        removed: removed.into_iter().map(|FolderRemoval { name, messages }| (name, messages)).collect(),
        cancelled: false,
    };
    let folders_total = to_sync.len();
    for (done, folder) in to_sync.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            report.cancelled = true;
            break;
        }
        let at = |fetched: SyncProgress| AccountProgress {
            folder: folder.name.clone(),
            display_name: folder.display_name.clone(),
            folders_done: done,
            folders_total,
            messages_done: fetched.fetched,
            messages_total: fetched.to_fetch,
            bodies_done: fetched.bodies_fetched,
            bodies_total: fetched.bodies_to_fetch,
        };
        let mut last = SyncProgress { fetched: 0, to_fetch: 0, bodies_fetched: 0, bodies_to_fetch: 0 };
        let mut on_progress = |fetched: SyncProgress| {
            last = fetched;
            progress(at(fetched));
        };
        let result = tidings_imap::sync_mailbox_cancellable(
            &mut session,
            store,
            id,
            &folder.name,
            &options.sync,
            &mut on_progress,
            stop,
        )
        .await;
        match result {
            Ok(synced) if synced.cancelled => {
                report.synced.push(synced);
                report.cancelled = true;
                break;
            }
            Ok(synced) => report.synced.push(synced),
            Err(ImapError::Store(error)) => return Err(error.into()),
            // The session survived: only this folder is affected.
            Err(error) if session.is_connected() => {
                report.failed.push(FolderFailure { folder: folder.name.clone(), error: error.to_string() });
            }
            Err(error) => return Err(imap_error(error)),
        }
        progress(AccountProgress { folders_done: done + 1, ..at(last) });
    }
    report.folders = folders;
    // Everything is cached; a slow goodbye does not matter.
    let _ = session.logout().await;
    Ok(report)
}
