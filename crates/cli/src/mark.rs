//! `tidings mark --read|--unread|--star|--unstar UID…`: the user's read/unread or star change,
//! as the app makes it.
//!
//! Each message is marked in the cache in its own transaction, together with the note that the
//! server still has to hear of it (`Store::mark_seen`, `Store::mark_flagged`), so an interrupted run leaves every
//! message either marked and queued or untouched. Then, unless `--offline`, one sync of the
//! folder pushes the queue (and pulls what changed on the server). A local account or the demo
//! has no server: the change is only local there.

use std::path::Path;

use serde::Serialize;

use crate::args::MarkArgs;
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::mailbox::{cached_keys, folder, print_json};

/// `mark --json`.
#[derive(Serialize)]
struct Marked<'a> {
    account: &'a str,
    folder: &'a str,
    /// The wanted `\Seen`, when that is what changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<bool>,
    /// The wanted `\Flagged`, when that is what changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    flagged: Option<bool>,
    /// UIDs marked in the cache.
    marked: Vec<u32>,
    /// Changes the sync pushed to the server (0 with --offline or without a server).
    pushed: usize,
}

pub fn run(data_dir: Option<&Path>, args: &MarkArgs) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let (account, folder) = folder(&store, &args.folder)?;
    let key = cached_keys(&store, &account, &folder, &args.uids)?;
    // clap lets exactly one of the four through.
    let (seen, flagged) = match (args.read || args.unread, args.read || args.star) {
        (true, wanted) => (Some(wanted), None),
        (false, wanted) => (None, Some(wanted)),
    };
    for uid in &args.uids {
        match (seen, flagged) {
            (Some(seen), _) => store.mark_seen(&key(*uid), seen),
            (None, flagged) => store.mark_flagged(&key(*uid), flagged.unwrap_or_default()),
        }
        .map_err(store_failure)?;
    }
    let has_server =
        store.account(&account).map_err(store_failure)?.is_some_and(|account| account.server.is_some());
    let pushed = if has_server && !args.offline {
        let report = crate::sync::sync_one(&store, &account, &folder)?;
        for warning in &report.warnings {
            eprintln!("tidings: warning: {folder}: {warning}");
        }
        report.flags_pushed
    } else {
        0
    };
    if args.json {
        return print_json(&Marked {
            account: &account,
            folder: &folder,
            seen,
            flagged,
            marked: args.uids.clone(),
            pushed,
        });
    }
    let state = match (seen, flagged) {
        (Some(true), _) => "read",
        (Some(false), _) => "unread",
        (None, Some(true)) => "starred",
        (None, _) => "unstarred",
    };
    let count = args.uids.len();
    match (has_server, args.offline) {
        (false, _) => println!("{count} marked {state} (account {account:?} has no server)."),
        (true, true) => println!("{count} marked {state}; the next sync pushes the change."),
        (true, false) => println!("{count} marked {state}; {pushed} changes pushed to the server."),
    }
    Ok(())
}
