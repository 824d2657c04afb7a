//! Every account's inbox kept current while the app runs: one task per account runs
//! `tidings_accounts::follow` (IDLE, reconnects with backoff) and tells the UI what changed
//! through events. Tasks start for the accounts in the cache at launch and after an account's
//! first sync, and are aborted when the account is removed. [`Followers::wake`] ends a task's
//! wait so that a read/unread change the user just made is pushed now.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tidings_accounts::{follow, FollowEvent, FollowOptions};
use tokio::sync::Notify;

use crate::AppState;

/// The folder followed; other folders sync when the user opens them.
const FOLLOWED_MAILBOX: &str = "INBOX";

/// Emitted after each background sync: `mailbox-synced`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxSynced {
    pub account: String,
    pub mailbox: String,
    pub new: usize,
    pub changed: usize,
    pub expunged: usize,
}

/// Emitted when following an account fails: `account-sync-problem`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncProblem {
    pub account: String,
    pub message: String,
    /// Seconds until the next attempt; null when following stopped (the user must act).
    pub retry_in_seconds: Option<u64>,
}

/// One account's background task and what wakes it.
struct Follower {
    task: JoinHandle<()>,
    wake: Arc<Notify>,
}

/// The running background tasks, by account id.
#[derive(Default)]
pub struct Followers {
    tasks: Mutex<HashMap<String, Follower>>,
}

impl Followers {
    fn tasks(&self) -> std::sync::MutexGuard<'_, HashMap<String, Follower>> {
        self.tasks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stops following account `id`, if it was followed.
    pub fn stop(&self, id: &str) {
        if let Some(follower) = self.tasks().remove(id) {
            follower.task.abort();
        }
    }

    /// Asks account `id`'s task to sync now (a flag change waits to be pushed). An account that
    /// is not followed (no server, or not synced yet) is left alone: its next sync pushes.
    pub fn wake(&self, id: &str) {
        if let Some(follower) = self.tasks().get(id) {
            follower.wake.notify_one();
        }
    }
}

/// Follows every account that has a server.
pub fn follow_all<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let Ok(accounts) = state.store.accounts() else { return };
    for account in accounts.into_iter().filter(|account| account.server.is_some()) {
        start(app, &account.id);
    }
}

/// Starts following account `id` unless it is followed already.
pub fn start<R: Runtime>(app: &AppHandle<R>, id: &str) {
    let state = app.state::<AppState>();
    let mut tasks = state.followers.tasks();
    if tasks.get(id).is_some_and(|follower| !follower.task.inner().is_finished()) {
        return;
    }
    let handle = app.clone();
    let account = id.to_string();
    let wake = Arc::new(Notify::new());
    let woken = wake.clone();
    let task = tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        let emitter = handle.clone();
        let options = FollowOptions { connect: state.connect_options.clone(), ..FollowOptions::default() };
        follow(&state.store, &state.keychain, &account, FOLLOWED_MAILBOX, &options, &woken, |event| {
            let _ = match event {
                FollowEvent::Synced(report) => {
                    state.tray.refresh(&state.store);
                    emitter.emit(
                        "mailbox-synced",
                        MailboxSynced {
                            account: account.clone(),
                            mailbox: report.mailbox,
                            new: report.new,
                            changed: report.changed,
                            expunged: report.expunged,
                        },
                    )
                }
                FollowEvent::Retrying { error, retry_in } => emitter.emit(
                    "account-sync-problem",
                    SyncProblem {
                        account: account.clone(),
                        message: error.to_string(),
                        retry_in_seconds: Some(retry_in.as_secs()),
                    },
                ),
                FollowEvent::Stopped(error) => emitter.emit(
                    "account-sync-problem",
                    SyncProblem {
                        account: account.clone(),
                        message: error.to_string(),
                        retry_in_seconds: None,
                    },
                ),
            };
        })
        .await;
    });
    tasks.insert(id.to_string(), Follower { task, wake });
}
