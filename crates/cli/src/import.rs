//! `tidings import`: .eml files cached in a folder of a local account (one with no server), as if
//! they had been delivered there. The account and the folder are created when missing.
//!
//! Every file is read and checked first; the messages then go into the cache in one batch (one
//! transaction), and only after that are the folder and the account recorded, so a refused file
//! leaves the cache as it was. An account that syncs with a server is refused: its UIDs belong to
//! the server, and a sync would take imported messages for expunged ones. The demo is refused too
//! (it is re-imported whenever its message count changes).

use std::path::{Path, PathBuf};

use serde::Serialize;
use tidings_message::MessageError;
use tidings_store::{Account, Mailbox, MessageKey, NewMessage, Store};

use crate::args::ImportArgs;
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::mailbox::print_json;

/// The UIDVALIDITY of a folder created by `import` (a local folder never renumbers).
const LOCAL_UID_VALIDITY: u32 = 1;

/// `import --json`.
#[derive(Serialize)]
struct Imported<'a> {
    account: &'a str,
    folder: &'a str,
    uid_validity: u32,
    uids: Vec<u32>,
}

pub fn run(data_dir: Option<&Path>, args: &ImportArgs) -> Result<(), Failure> {
    let raws = args.files.iter().map(read_message).collect::<Result<Vec<_>, _>>()?;
    let store = cache::open_without_demo(data_dir)?;
    let account = local_account(&store, &args.account)?;
    let mailbox = store.mailbox(&account.id, &args.folder).map_err(store_failure)?;
    let uid_validity = mailbox.as_ref().map_or(LOCAL_UID_VALIDITY, |mailbox| mailbox.uid_validity);
    let cached = store.uids(&account.id, &args.folder, uid_validity).map_err(store_failure)?;
    let first_uid = cached
        .iter()
        .max()
        .map_or(1, |uid| uid + 1)
        .max(mailbox.as_ref().map_or(1, |mailbox| mailbox.uid_next));
    let batch: Vec<NewMessage> = raws
        .into_iter()
        .zip(first_uid..)
        .map(|(raw, uid)| NewMessage {
            key: MessageKey { account: account.id.clone(), mailbox: args.folder.clone(), uid_validity, uid },
            seen: false,
            raw,
        })
        .collect();
    let uids: Vec<u32> = batch.iter().map(|message| message.key.uid).collect();
    store.insert_messages(&batch).map_err(|error| match error {
        tidings_store::StoreError::NotAMessage(_) => {
            Failure::BadInput(format!("not an e-mail message: {error}; nothing was imported"))
        }
        error => store_failure(error),
    })?;
    store
        .put_mailbox(&Mailbox {
            account: account.id.clone(),
            name: args.folder.clone(),
            uid_validity,
            uid_next: first_uid + uids.len() as u32,
            highest_modseq: mailbox.and_then(|mailbox| mailbox.highest_modseq),
        })
        .map_err(store_failure)?;
    store.put_account(&account).map_err(store_failure)?;
    if args.json {
        return print_json(&Imported { account: &account.id, folder: &args.folder, uid_validity, uids });
    }
    println!("Imported {} messages into {}/{}.", uids.len(), account.id, args.folder);
    Ok(())
}

/// The file's bytes, if they are an e-mail message. Damaged MIME is kept (the app shows what can
/// be read, as it does for such a message from a server); bytes that are not mail are refused.
fn read_message(file: &PathBuf) -> Result<Vec<u8>, Failure> {
    let raw = std::fs::read(file)
        .map_err(|error| Failure::BadInput(format!("cannot read {}: {error}", file.display())))?;
    match tidings_message::read(&raw) {
        Ok(_) | Err(MessageError::BrokenMime(_)) => Ok(raw),
        Err(error) => Err(Failure::BadInput(format!("{}: {error}; nothing was imported", file.display()))),
    }
}

/// The local account `id`, as cached or new (not yet written).
fn local_account(store: &Store, id: &str) -> Result<Account, Failure> {
    if id.trim().is_empty() {
        return Err(Failure::BadInput("the account id is empty".into()));
    }
    match store.account(id).map_err(store_failure)? {
        Some(account) if account.is_demo => {
            Err(Failure::BadInput(format!("{id:?} is the demo mailbox; import into a local account")))
        }
        Some(account) if account.server.is_some() => Err(Failure::BadInput(format!(
            "account {id:?} syncs with a server; import into a local account (--account local)"
        ))),
        Some(account) => Ok(account),
        None => Ok(Account {
            id: id.to_owned(),
            display_name: if id == "local" { "Local folders".to_owned() } else { id.to_owned() },
            email: String::new(),
            is_demo: false,
            server: None,
            voicemail: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use tidings_store::{ConnectionSecurity, ServerSettings};

    use super::*;

    #[test]
    fn an_account_that_syncs_with_a_server_is_refused_and_a_local_one_reused() {
        let store = Store::open_temporary().unwrap();
        let server = ServerSettings {
            host: "imap.example.org".into(),
            port: 993,
            security: ConnectionSecurity::Tls,
            username: "ann".into(),
            allow_plaintext: false,
            pinned_sha256: None,
        };
        let ann = Account {
            id: "ann".into(),
            display_name: "Ann".into(),
            email: "ann@example.org".into(),
            is_demo: false,
            server: Some(server),
            voicemail: None,
        };
        store.put_account(&ann).unwrap();
        let refused = local_account(&store, "ann").unwrap_err().to_string();
        assert!(refused.contains("syncs with a server"), "{refused}");
        let local = Account { id: "box".into(), display_name: "My box".into(), server: None, ..ann };
        store.put_account(&local).unwrap();
        assert_eq!(local_account(&store, "box").unwrap(), local);
        assert_eq!(local_account(&store, "local").unwrap().display_name, "Local folders");
    }
}
