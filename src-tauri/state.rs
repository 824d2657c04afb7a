//! The app's one piece of state: the open cache, the masks, the settings, the keyring and how we
//! connect to servers. Commands reach it through `tauri::State`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use tidings_accounts::voicebox::BoxGreeting;

use tidings_imap::ConnectOptions;
use tidings_keychain::Keychain;
use tidings_mask::AddressBook;
use tidings_store::{Store, StoreError};

use crate::background::Followers;
use crate::settings::SettingsFile;
use crate::tray::TrayBadge;
use crate::user_masks::UserMasks;

/// Everything the commands share.
pub struct AppState {
    /// The mail cache.
    pub store: Store,
    /// The quote-header masks bodies are rendered with: the shipped ones and the user's files.
    pub masks: UserMasks,
    /// Contacts that fill in names and addresses a quote header leaves out (empty for now).
    pub address_book: AddressBook,
    /// Account passwords: the OS keyring, service `org.tidings.desktop`.
    pub keychain: Keychain,
    /// What we advertise in ID and the step timeouts.
    pub connect_options: ConnectOptions,
    /// Theme, header-block format and the remote-image policy (`<data dir>/settings.json`).
    pub settings: SettingsFile,
    /// The background tasks keeping each account's inbox current.
    pub followers: Followers,
    /// What the user should know from the start (a rebuilt cache, unreadable settings).
    pub notices: Vec<String>,
    /// Where exported mask files go: the user's Downloads folder in the app.
    pub export_dir: PathBuf,
    /// Each voicemail account's greetings as last listed, for playing one without a new login.
    pub greetings: Mutex<HashMap<String, Vec<BoxGreeting>>>,
    /// The whole-account syncs running, by account id, with the flag that cancels each.
    pub syncs: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// The tray icon and the unread count on it.
    pub tray: TrayBadge,
}

impl AppState {
    /// Opens the cache under `data_dir` (rebuilding it when it is damaged or from another
    /// version), loads the user's masks from `data_dir/masks` and imports the demo mailbox
    /// when there is no account yet.
    pub fn open(data_dir: &Path) -> Result<AppState, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|error| StoreError::Io(error.to_string()))?;
        let (store, rebuilt) = open_waiting(&data_dir.join("cache"))?;
        let mut state = AppState::with_store(store, UserMasks::load(&data_dir.join("masks")))?;
        state.settings = SettingsFile::load(Some(data_dir.join("settings.json")));
        let rebuilt = rebuilt.map(|reason| {
            let mut letters = reason.chars();
            let first: String = letters.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
            format!("{first}{}. Mail comes back with the next sync.", letters.as_str())
        });
        state.notices.extend(
            rebuilt.into_iter().chain(state.settings.problem.clone().map(|problem| format!("{problem}."))),
        );
        for notice in &state.notices {
            eprintln!("Tidings: {notice}");
        }
        Ok(state)
    }

    /// Wraps an already open store and mask files (tests use temporary ones).
    pub fn with_store(store: Store, masks: UserMasks) -> Result<AppState, StoreError> {
        if store.accounts()?.is_empty() {
            tidings_demo::import_demo(&store)?;
        }
        Ok(AppState {
            store,
            masks,
            settings: SettingsFile::load(None),
            followers: Followers::default(),
            notices: Vec::new(),
            export_dir: std::env::temp_dir(),
            address_book: AddressBook::new(),
            keychain: tidings_accounts::keychain(),
            connect_options: ConnectOptions::default(),
            greetings: Mutex::default(),
            syncs: Mutex::default(),
            tray: TrayBadge::default(),
        })
    }
}

/// How long a start waits for the cache of a Tidings that is still closing.
const CLOSING_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens the cache, waiting while another process has it: started again right after it was
/// closed, Tidings finds its previous process still writing the last batch and releasing its
/// lock. A process that keeps it past [`CLOSING_GRACE`] (a second Tidings, or the command line)
/// is reported as the error it is.
fn open_waiting(dir: &Path) -> Result<(Store, Option<String>), StoreError> {
    let started = std::time::Instant::now();
    loop {
        match Store::open_or_rebuild(dir) {
            Err(StoreError::InUse { .. }) if started.elapsed() < CLOSING_GRACE => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_waits_for_the_cache_of_a_closing_process() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let closing = Store::open(&cache).unwrap();
        assert!(matches!(Store::open(&cache), Err(StoreError::InUse { .. })), "the cache is locked");
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            drop(closing);
        });
        let (store, rebuilt) = open_waiting(&cache).unwrap();
        releaser.join().unwrap();
        assert!(rebuilt.is_none());
        assert!(store.accounts().unwrap().is_empty());
    }
}
