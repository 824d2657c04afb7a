//! Opening the mail cache the app uses, and choosing an account in it.

use std::path::{Path, PathBuf};

use tidings_store::{Store, StoreError};

use crate::failure::Failure;

/// The app's identifier (`tauri.conf.json`); Tauri keeps the app's data under
/// `<platform data dir>/<identifier>`, and so do we.
const APP_IDENTIFIER: &str = "org.tidings.desktop";

/// The data directory: `--data-dir`/`TIDINGS_DATA_DIR`, else the app's.
pub fn data_dir(given: Option<&Path>) -> Result<PathBuf, Failure> {
    match given {
        Some(dir) => Ok(dir.to_owned()),
        None => dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER)).ok_or_else(|| {
            Failure::Runtime("this system has no user data directory; pass --data-dir DIR".into())
        }),
    }
}

/// Opens the cache as the app does: rebuilt when damaged, the demo mailbox imported while there
/// is no account. Another process holding it is a runtime failure with a clear message.
pub fn open(given: Option<&Path>) -> Result<Store, Failure> {
    let store = open_without_demo(given)?;
    if store.accounts().map_err(store_failure)?.is_empty() {
        tidings_demo::import_demo(&store).map_err(store_failure)?;
    }
    Ok(store)
}

/// Opens the cache as [`open`] does but never imports the demo mailbox: for a command that is
/// about to create an account itself (`import`).
pub fn open_without_demo(given: Option<&Path>) -> Result<Store, Failure> {
    let dir = data_dir(given)?;
    std::fs::create_dir_all(&dir).map_err(|error| {
        Failure::Runtime(format!("cannot create the data directory {}: {error}", dir.display()))
    })?;
    let (store, rebuilt) = Store::open_or_rebuild(&dir.join("cache")).map_err(store_failure)?;
    if let Some(reason) = rebuilt {
        eprintln!("tidings: warning: {reason}");
    }
    Ok(store)
}

/// The account to work on: the one given, else the only real account, else the demo.
pub fn account(store: &Store, given: Option<&str>) -> Result<String, Failure> {
    let accounts = store.accounts().map_err(store_failure)?;
    let ids = || accounts.iter().map(|account| account.id.as_str()).collect::<Vec<_>>().join(", ");
    if let Some(given) = given {
        return match accounts.iter().any(|account| account.id == given) {
            true => Ok(given.to_owned()),
            false => Err(Failure::BadInput(format!("no account {given:?}; the accounts are: {}", ids()))),
        };
    }
    let real: Vec<_> = accounts.iter().filter(|account| !account.is_demo).collect();
    match (real.as_slice(), accounts.first()) {
        ([only], _) => Ok(only.id.clone()),
        ([], Some(demo)) => Ok(demo.id.clone()),
        _ => Err(Failure::BadInput(format!("there are several accounts ({}); pass --account ID", ids()))),
    }
}

pub fn store_failure(error: StoreError) -> Failure {
    Failure::Runtime(error.to_string())
}
