//! `tidings sync`: bring an account's folders in the cache up to date with its IMAP server, and
//! with `--watch` stay in IDLE and sync again on every change.
//!
//! The password comes from the OS keyring (put there by `tidings account add`); the cache is held
//! for the whole run, so the app cannot open it meanwhile. `--watch` prints JSON lines:
//! `{"kind": "synced", …}` after each sync and `{"kind": "new-mail" | "flags-changed" |
//! "expunged", "folder", …}` for each change the server reports; Ctrl-C ends it with exit code 0.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tidings_accounts::AccountsError;
use tidings_imap::{
    sync_mailbox, sync_mailbox_reporting, watch, Dialect, IdleEvent, ImapError, ImapSession, SyncOptions,
    SyncPolicy, SyncProgress, SyncReport,
};
use tidings_store::{Account, Store};

use crate::account::print_json;
use crate::args::SyncArgs;
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::server::{self, imap_failure, keychain};

/// How long one IDLE wait lasts before it is simply started again (the IMAP crate keeps the
/// connection alive within it).
const WATCH_ROUND: Duration = Duration::from_secs(30 * 60);

/// One folder after a sync.
#[derive(Serialize)]
struct FolderSummary {
    folder: String,
    uid_validity: u32,
    /// Messages in the cache after the sync.
    messages: usize,
    /// Messages on the server (EXISTS at SELECT).
    exists: u32,
    new: usize,
    changed: usize,
    /// Local flag changes (read/unread, star) pushed to the server.
    flags_pushed: usize,
    /// Queued moves and deletes the server did, and those dropped for messages already gone.
    moved: usize,
    deleted: usize,
    ops_dropped: usize,
    expunged: usize,
    /// Bodies of header-only messages fetched.
    bodies: usize,
    /// Messages still header-only after the sync (their bodies come with the next one).
    bodies_missing: usize,
    /// The cache of this folder was dropped first (first sync or UIDVALIDITY change).
    cache_cleared: bool,
    policy: SyncPolicy,
    dialect: Dialect,
    warnings: Vec<String>,
}

impl FolderSummary {
    fn new(store: &Store, account: &str, report: SyncReport) -> FolderSummary {
        FolderSummary {
            messages: store.count_messages(account, &report.mailbox),
            folder: report.mailbox,
            uid_validity: report.uid_validity,
            exists: report.exists,
            new: report.new,
            changed: report.changed,
            flags_pushed: report.flags_pushed,
            moved: report.moved,
            deleted: report.deleted,
            ops_dropped: report.ops_dropped,
            expunged: report.expunged,
            bodies: report.bodies,
            bodies_missing: report.bodies_missing,
            cache_cleared: report.cache_cleared,
            policy: report.policy,
            dialect: report.dialect,
            warnings: report.warnings,
        }
    }
}

/// `sync --json`.
#[derive(Serialize)]
struct SyncOutput<'a> {
    account: &'a str,
    folders: Vec<FolderSummary>,
}

/// A `--watch` line after a sync.
#[derive(Serialize)]
struct SyncedLine<'a> {
    kind: &'static str,
    account: &'a str,
    #[serde(flatten)]
    summary: FolderSummary,
}

pub fn run(data_dir: Option<&Path>, args: &SyncArgs) -> Result<(), Failure> {
    if args.watch && args.folders.len() > 1 {
        return Err(Failure::BadInput("--watch follows one folder; pass --folder once".into()));
    }
    let store = cache::open(data_dir)?;
    let account = account_to_sync(&store, args.account.as_deref())?;
    let id = account.id.as_str();
    if account.server.is_none() {
        return Err(Failure::BadInput(format!(
            "account {id:?} has no server settings; remove it and add it again with tidings account add"
        )));
    }
    let certificate_hint = certificate_hint(id);
    let connect_failure = connect_failure(id);
    let show_progress = !args.json && !args.watch && std::io::stderr().is_terminal();

    server::runtime()?.block_on(async {
        let mut session = tidings_accounts::connect(&store, &keychain(), id, &server::connect_options())
            .await
            .map_err(connect_failure)?;
        if args.watch {
            return follow(&mut session, &store, id, &args.folders[0]).await;
        }
        let mut folders = Vec::with_capacity(args.folders.len());
        for folder in &args.folders {
            let synced = if show_progress {
                let bar = progress_bar(folder);
                let mut advance = |progress: SyncProgress| {
                    // New messages' headers first, then the bodies still missing.
                    if progress.bodies_to_fetch > 0 {
                        bar.set_message("bodies");
                        bar.set_length(progress.bodies_to_fetch as u64);
                        bar.set_position(progress.bodies_fetched as u64);
                    } else {
                        bar.set_length(progress.to_fetch as u64);
                        bar.set_position(progress.fetched as u64);
                    }
                };
                let options = SyncOptions::default();
                let synced =
                    sync_mailbox_reporting(&mut session, &store, id, folder, &options, &mut advance).await;
                bar.finish_and_clear();
                synced
            } else {
                sync_mailbox(&mut session, &store, id, folder).await
            };
            let report = synced.map_err(|error| imap_failure(error, certificate_hint))?;
            folders.push(FolderSummary::new(&store, id, report));
        }
        // Everything is cached; a slow goodbye does not matter.
        let _ = session.logout().await;
        for summary in &folders {
            for warning in &summary.warnings {
                eprintln!("tidings: warning: {}: {warning}", summary.folder);
            }
        }
        if args.json {
            return print_json(&SyncOutput { account: id, folders });
        }
        for summary in &folders {
            println!(
                "{}: {} new, {} changed, {} expunged, {} local changes pushed; {} messages cached ({}).",
                summary.folder,
                summary.new,
                summary.changed,
                summary.expunged,
                summary.flags_pushed,
                summary.messages,
                summary.dialect.name()
            );
            if summary.bodies_missing > 0 {
                println!(
                    "{}: {} messages are header-only; their bodies come with the next sync.",
                    summary.folder, summary.bodies_missing
                );
            }
        }
        Ok(())
    })
}

/// What to do about a server certificate that is not the one accepted for account `id`.
fn certificate_hint(id: &str) -> impl Fn(&str) -> String + Copy + '_ {
    move |fingerprint| {
        format!(
            "it is not the one accepted for account {id:?}; if you trust it, remove the account and add it \
             again with --accept-certificate {fingerprint}"
        )
    }
}

/// A failure to connect account `id`, worded as before the connection moved into tidings-accounts.
fn connect_failure(id: &str) -> impl Fn(AccountsError) -> Failure + '_ {
    move |error| match error {
        AccountsError::WrongPassword { .. } => imap_failure(ImapError::WrongPassword, certificate_hint(id)),
        AccountsError::UntrustedCertificate { fingerprint, .. } => imap_failure(
            ImapError::UntrustedCertificate { sha256_fingerprint: fingerprint },
            certificate_hint(id),
        ),
        AccountsError::Unreachable { reason, .. } => Failure::Runtime(reason),
        AccountsError::Imap(error) => imap_failure(error, certificate_hint(id)),
        AccountsError::InvalidInput(message) => Failure::BadInput(message),
        other => Failure::Runtime(other.to_string()),
    }
}

/// Connects account `id` and syncs one folder, without progress bar: what `mark` runs to push.
pub fn sync_one(store: &Store, id: &str, folder: &str) -> Result<SyncReport, Failure> {
    server::runtime()?.block_on(async {
        let mut session = tidings_accounts::connect(store, &keychain(), id, &server::connect_options())
            .await
            .map_err(connect_failure(id))?;
        let report = sync_mailbox(&mut session, store, id, folder)
            .await
            .map_err(|e| imap_failure(e, certificate_hint(id)))?;
        let _ = session.logout().await;
        Ok(report)
    })
}

/// The terminal's progress bar for one folder: headers fetched of the messages new on the
/// server, then bodies fetched of those still missing.
fn progress_bar(folder: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(format!("Syncing {folder}"));
    bar.set_message("new messages");
    bar
}

/// `--watch`: sync, then IDLE; each change is printed and followed by a sync, until Ctrl-C.
async fn follow(
    session: &mut ImapSession,
    store: &Store,
    account: &str,
    folder: &str,
) -> Result<(), Failure> {
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let failure = |error| imap_failure(error, server::accept_hint);
    loop {
        let report = tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            report = sync_mailbox(session, store, account, folder) => report.map_err(failure)?,
        };
        for warning in &report.warnings {
            eprintln!("tidings: warning: {folder}: {warning}");
        }
        let summary = FolderSummary::new(store, account, report);
        print_json(&SyncedLine { kind: "synced", account, summary })?;
        loop {
            let event = tokio::select! {
                _ = &mut ctrl_c => return Ok(()),
                event = watch(session, WATCH_ROUND) => event.map_err(failure)?,
            };
            if event == IdleEvent::Timeout {
                continue;
            }
            let mut line = serde_json::to_value(event)
                .map_err(|error| Failure::Runtime(format!("could not write JSON: {error}")))?;
            if let Some(fields) = line.as_object_mut() {
                fields.insert("account".into(), account.into());
                fields.insert("folder".into(), folder.into());
            }
            print_json(&line)?;
            break;
        }
    }
}

/// The account given, else the only account that has a server.
fn account_to_sync(store: &Store, given: Option<&str>) -> Result<Account, Failure> {
    let accounts = store.accounts().map_err(store_failure)?;
    let ids = || accounts.iter().map(|account| account.id.as_str()).collect::<Vec<_>>().join(", ");
    if let Some(given) = given {
        let Some(account) = accounts.iter().find(|account| account.id == given) else {
            return Err(Failure::BadInput(format!("no account {given:?}; the accounts are: {}", ids())));
        };
        if account.is_demo {
            return Err(Failure::BadInput(format!(
                "{given:?} is the demo mailbox, which has no server to sync"
            )));
        }
        return Ok(account.clone());
    }
    let real: Vec<&Account> = accounts.iter().filter(|account| !account.is_demo).collect();
    match real.as_slice() {
        [only] => Ok((*only).clone()),
        [] => Err(Failure::BadInput(
            "there is no account to sync; add one with tidings account add --email ADDRESS --server HOST"
                .into(),
        )),
        _ => Err(Failure::BadInput(format!("there are several accounts ({}); pass --account ID", ids()))),
    }
}
