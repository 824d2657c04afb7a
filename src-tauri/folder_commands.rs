//! The whole-account sync behind the progress bar: every folder the server lists (INBOX first),
//! progress as `sync-progress` events, cancellable with `cancel_sync`. Thin: the work is
//! `tidings_accounts::sync_account`'s; the folder list it saves is what `list_accounts` shows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use tidings_accounts::{sync_account, AccountProgress, AccountSyncOptions};

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;

/// The event each step of a whole-account sync sends.
pub const SYNC_PROGRESS_EVENT: &str = "sync-progress";

/// One step of a whole-account sync, for the progress bar.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgressView {
    pub account: String,
    /// The folder being synced, for people.
    pub folder: String,
    pub folders_done: usize,
    pub folders_total: usize,
    /// New messages of this folder fetched so far, and in all.
    pub messages_done: usize,
    pub messages_total: usize,
    /// Bodies of its header-only messages fetched so far, and in all (0 until that step starts).
    pub bodies_done: usize,
    pub bodies_total: usize,
}

/// What a whole-account sync did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSyncView {
    /// Folders synced to the end.
    pub synced: usize,
    /// New messages cached, over all folders.
    pub new: usize,
    /// Folders the server refused, with why.
    pub failed: Vec<FolderFailureView>,
    /// The user cancelled: the folders after the last synced one were left for later.
    pub cancelled: bool,
}

#[derive(Debug, Serialize)]
pub struct FolderFailureView {
    pub folder: String,
    pub error: String,
}

/// Syncs every folder of account `id`, sending `sync-progress` events; one sync per account at
/// a time.
#[tauri::command]
pub async fn sync_all_folders<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> Result<AccountSyncView, IpcError> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let mut running = state.syncs.lock().map_err(|_| busy())?;
        if running.contains_key(&id) {
            return Err(IpcError::new(ErrorCode::InvalidInput, format!("{id} is already being synced.")));
        }
        running.insert(id.clone(), stop.clone());
    }
    let options =
        AccountSyncOptions { connect: state.connect_options.clone(), ..AccountSyncOptions::default() };
    let account = id.clone();
    let result =
        sync_account(&state.store, &state.keychain, &id, &options, &stop, |step: AccountProgress| {
            let view = SyncProgressView {
                account: account.clone(),
                folder: step.display_name,
                folders_done: step.folders_done,
                folders_total: step.folders_total,
                messages_done: step.messages_done,
                messages_total: step.messages_total,
                bodies_done: step.bodies_done,
                bodies_total: step.bodies_total,
            };
            let _ = app.emit(SYNC_PROGRESS_EVENT, view);
        })
        .await;
    if let Ok(mut running) = state.syncs.lock() {
        running.remove(&id);
    }
    state.tray.refresh(&state.store);
    let report = result?;
    Ok(AccountSyncView {
        synced: report.synced.iter().filter(|folder| !folder.cancelled).count(),
        new: report.synced.iter().map(|folder| folder.new).sum(),
        failed: report
            .failed
            .into_iter()
            .map(|failure| FolderFailureView { folder: failure.folder, error: failure.error })
            .collect(),
        cancelled: report.cancelled,
    })
}

/// Asks account `id`'s running whole-account sync to stop after the batch it is writing (what
/// is cached stays cached); nothing happens when none runs.
#[tauri::command]
pub fn cancel_sync(state: State<'_, AppState>, id: String) -> Result<bool, IpcError> {
    let running = state.syncs.lock().map_err(|_| busy())?;
    Ok(running.get(&id).map(|stop| stop.store(true, Ordering::SeqCst)).is_some())
}

fn busy() -> IpcError {
    IpcError::new(ErrorCode::Cache, "The list of running syncs is unavailable after an earlier failure.")
}
