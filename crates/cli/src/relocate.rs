//! `tidings delete UID…` and `tidings move --to FOLDER UID…`: the user's delete or move, as the
//! app makes it.
//!
//! Each message leaves the cache's folder in its own transaction, together with the op the
//! server still has to do (`Store::queue_delete`, `Store::queue_move`), so an interrupted run
//! leaves every message either gone and queued or untouched. Then, unless `--offline`, one sync
//! of the folder replays the queue. A local account or the demo has no server: a delete only
//! removes the message from the cache there, and a move is refused. Where no Trash folder is
//! known (the command line's `sync` does not list folders; the app does), a delete would expunge
//! for good, so it is refused unless `--expunge-without-trash` says so.

use std::path::Path;

use serde::Serialize;
use tidings_store::PendingOp;

use crate::args::RelocateArgs;
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::mailbox::{cached_keys, folder, print_json};

/// One message's queued op in `--json`.
#[derive(Serialize)]
struct Queued {
    uid: u32,
    op: PendingOp,
}

/// `delete --json` and `move --json`.
#[derive(Serialize)]
struct Relocated<'a> {
    account: &'a str,
    folder: &'a str,
    queued: Vec<Queued>,
    /// What the sync did (0 with --offline or without a server).
    moved: usize,
    deleted: usize,
    /// Ops dropped because the server no longer had the message.
    dropped: usize,
}

/// What to do with the messages.
pub enum Relocation {
    /// `delete`; `expunge_without_trash` allows deleting for good where no Trash is known.
    Delete { expunge_without_trash: bool },
    /// `move --to`.
    Move { to: String },
}

/// Deletes or moves the messages of `args`.
pub fn run(data_dir: Option<&Path>, relocation: &Relocation, args: &RelocateArgs) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let (account, folder) = folder(&store, &args.folder)?;
    let has_server =
        store.account(&account).map_err(store_failure)?.is_some_and(|account| account.server.is_some());
    let to = match relocation {
        Relocation::Move { to } => {
            check_destination(&store, &account, &folder, to, has_server)?;
            Some(to)
        }
        Relocation::Delete { expunge_without_trash } => {
            let trash_known = store.trash_folder(&account).map_err(store_failure)?.is_some();
            if has_server && !trash_known && !expunge_without_trash {
                return Err(Failure::BadInput(format!(
                    "no Trash folder is known for account {account:?} (the app lists folders when it syncs), \
                     so this would delete for good; pass --expunge-without-trash to do that"
                )));
            }
            None
        }
    };
    let key = cached_keys(&store, &account, &folder, &args.uids)?;
    let mut queued = Vec::with_capacity(args.uids.len());
    for uid in &args.uids {
        let op = match to {
            Some(to) => store.queue_move(&key(*uid), to),
            None => store.queue_delete(&key(*uid)),
        }
        .map_err(store_failure)?;
        if let Some(op) = op {
            queued.push(Queued { uid: *uid, op });
        }
    }
    let (mut moved, mut deleted, mut dropped) = (0, 0, 0);
    if has_server && !args.offline {
        let report = crate::sync::sync_one(&store, &account, &folder)?;
        for warning in &report.warnings {
            eprintln!("tidings: warning: {folder}: {warning}");
        }
        (moved, deleted, dropped) = (report.moved, report.deleted, report.ops_dropped);
    }
    if args.json {
        return print_json(&Relocated {
            account: &account,
            folder: &folder,
            queued,
            moved,
            deleted,
            dropped,
        });
    }
    let count = queued.len();
    let what = match to {
        Some(to) => format!("{count} moved to {to}"),
        None => format!("{count} deleted"),
    };
    match (has_server, args.offline) {
        (false, _) => println!("{what} (account {account:?} has no server)."),
        (true, true) => println!("{what} here; the next sync tells the server."),
        (true, false) => {
            println!("{what}; the server did {} ({dropped} were already gone).", moved + deleted)
        }
    }
    Ok(())
}

/// A move needs a server and a destination the account has (when its folder list is known).
fn check_destination(
    store: &tidings_store::Store,
    account: &str,
    folder: &str,
    to: &str,
    has_server: bool,
) -> Result<(), Failure> {
    if !has_server {
        return Err(Failure::BadInput(format!(
            "account {account:?} has no server, so it has no folders to move to"
        )));
    }
    if to == folder {
        return Err(Failure::BadInput(format!("the messages are already in {to}")));
    }
    let folders = store.folders(account).map_err(store_failure)?;
    if !folders.is_empty() && !folders.iter().any(|known| known.name == to && known.selectable) {
        let names: Vec<&str> =
            folders.iter().filter(|known| known.selectable).map(|known| known.name.as_str()).collect();
        return Err(Failure::BadInput(format!(
            "account {account:?} has no folder {to:?}; its folders are: {}",
            names.join(", ")
        )));
    }
    Ok(())
}
