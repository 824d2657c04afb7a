//! Which folders a sync is working on in this process, so that two syncs of one folder (the
//! inbox's background follower and a click on Sync, say) take turns instead of fetching,
//! copying and expunging the same messages side by side: a queued move done twice over `UID
//! COPY` would leave two copies. Another process cannot open the store at all (sled's lock), so
//! the claims live in memory, with the store. This module keeps the claims; waiting for one is
//! the caller's business (syncs are async, the store is not).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::Store;

/// The folders claimed, as (account, mailbox).
#[derive(Default)]
pub(crate) struct FolderClaims(Arc<Mutex<HashSet<(String, String)>>>);

/// One folder claimed for one sync; the claim ends when this is dropped.
#[must_use = "the claim ends when this is dropped"]
pub struct FolderClaim {
    claims: Arc<Mutex<HashSet<(String, String)>>>,
    folder: (String, String),
}

impl Drop for FolderClaim {
    fn drop(&mut self) {
        lock(&self.claims).remove(&self.folder);
    }
}

impl Store {
    /// Claims `mailbox` of `account` for a sync; `None` while another sync of this store holds it.
    pub fn claim_folder(&self, account: &str, mailbox: &str) -> Option<FolderClaim> {
        let folder = (account.to_string(), mailbox.to_string());
        let claims = &self.claims.0;
        lock(claims).insert(folder.clone()).then(|| FolderClaim { claims: claims.clone(), folder })
    }
}

/// The set, even after a panic elsewhere poisoned the lock (a set of names stays consistent).
fn lock(claims: &Mutex<HashSet<(String, String)>>) -> MutexGuard<'_, HashSet<(String, String)>> {
    claims.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_has_one_claim_at_a_time_and_comes_free_when_it_ends() {
        let store = Store::open_temporary().unwrap();
        let claim = store.claim_folder("a", "INBOX").unwrap();
        assert!(store.claim_folder("a", "INBOX").is_none());
        let other = store.claim_folder("a", "Sent").expect("another folder is free");
        let elsewhere = store.claim_folder("b", "INBOX").expect("another account's inbox is free");
        drop(claim);
        assert!(store.claim_folder("a", "INBOX").is_some());
        drop((other, elsewhere));
    }
}
