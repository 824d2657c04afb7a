//! Account passwords in the OS keyring (the Secret Service over D-Bus on Linux, e.g. gnome-keyring).
//!
//! [`Keychain`] stores one password per `(service, account)` through `keyring` 3 with the
//! `sync-secret-service` store; [`MemoryStore`] is an in-process stand-in for unit tests of other crates.
//! Both implement [`SecretStore`], so code that needs passwords can take either.
//!
//! This crate does not cache secrets, prompt the user or pick the service name: callers do.
//! Errors are named for what the user can do about them ([`KeychainError`]).

use std::collections::HashMap;
use std::sync::Mutex;

/// What went wrong talking to the keyring, phrased as what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// There is no Secret Service on the D-Bus session bus, or no session bus at all; the field holds
    /// the platform's own message for logs.
    #[error("No keyring service is running (Secret Service over D-Bus); start gnome-keyring or KWallet")]
    Unavailable(String),
    /// The keyring exists but refused access, typically because it is locked; the field holds the
    /// platform's own message for logs.
    #[error("The keyring is locked; unlock it and retry")]
    Locked(String),
    /// Anything else the keyring reported (bad encoding, ambiguous entries, over-long names).
    #[error("Keyring error: {0}")]
    Other(String),
}

/// Where account passwords live: the OS keyring in the app, memory in unit tests.
pub trait SecretStore {
    /// Stores `password` for `account`, replacing any earlier one.
    fn set(&self, account: &str, password: &str) -> Result<(), KeychainError>;
    /// The password for `account`, or `None` when none is stored.
    fn get(&self, account: &str) -> Result<Option<String>, KeychainError>;
    /// Removes the password for `account`; removing a missing one is not an error.
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
}

/// Passwords in the OS keyring under one service name (e.g. `"Tidings"`), one entry per account.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Keychain {
    /// A keychain whose entries carry `service` as their service attribute.
    pub fn new(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    /// The service name entries are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Stores `password` for `account`, replacing any earlier one.
    pub fn set(&self, account: &str, password: &str) -> Result<(), KeychainError> {
        self.entry(account)?.set_password(password).map_err(map_error)
    }

    /// The password for `account`, or `None` when no entry exists.
    pub fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Removes the password for `account`; a missing entry counts as removed.
    pub fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, account).map_err(map_error)
    }
}

impl SecretStore for Keychain {
    fn set(&self, account: &str, password: &str) -> Result<(), KeychainError> {
        Keychain::set(self, account, password)
    }

    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        Keychain::get(self, account)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        Keychain::delete(self, account)
    }
}

/// keyring 3 on the Secret Service reports a missing bus or service as `PlatformFailure` and a
/// locked (or collection-less) keyring as `NoStorageAccess` (seen in recipes/keyring.md).
fn map_error(error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::PlatformFailure(e) => KeychainError::Unavailable(e.to_string()),
        keyring::Error::NoStorageAccess(e) => KeychainError::Locked(e.to_string()),
        other => KeychainError::Other(other.to_string()),
    }
}

/// An in-memory [`SecretStore`] for **unit tests of other crates only**.
///
/// Secrets live in this value and vanish with it; nothing reaches the OS keyring. Never use it in
/// the app: that is exactly the silent failure keyring 3's mock store would cause.
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<String, String>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn secrets(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A panic in another test thread while holding the lock leaves the map intact; keep using it.
        self.secrets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, account: &str, password: &str) -> Result<(), KeychainError> {
        self.secrets().insert(account.to_owned(), password.to_owned());
        Ok(())
    }

    fn get(&self, account: &str) -> Result<Option<String>, KeychainError> {
        Ok(self.secrets().get(account).cloned())
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.secrets().remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_deletes_idempotently() {
        let store = MemoryStore::new();
        assert_eq!(store.get("alice").ok(), Some(None));
        store.set("alice", "first").expect("set");
        store.set("alice", "second").expect("replace");
        store.set("bob", "other").expect("set bob");
        assert_eq!(store.get("alice").ok(), Some(Some("second".to_owned())));
        store.delete("alice").expect("delete");
        store.delete("alice").expect("delete again");
        assert_eq!(store.get("alice").ok(), Some(None));
        assert_eq!(store.get("bob").ok(), Some(Some("other".to_owned())));
    }

    #[test]
    fn platform_errors_map_to_what_the_user_can_do() {
        let unavailable = map_error(keyring::Error::PlatformFailure("no bus".into()));
        assert!(matches!(&unavailable, KeychainError::Unavailable(d) if d == "no bus"));
        assert!(unavailable.to_string().contains("start gnome-keyring or KWallet"));
        let locked = map_error(keyring::Error::NoStorageAccess("locked".into()));
        assert_eq!(locked.to_string(), "The keyring is locked; unlock it and retry");
        assert!(matches!(map_error(keyring::Error::BadEncoding(vec![0xff])), KeychainError::Other(_)));
    }
}
