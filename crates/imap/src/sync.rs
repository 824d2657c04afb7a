//! Bringing one mailbox of the store up to date with the server.
//!
//! Numbered plan of [`sync_mailbox_with`]:
//! 0. Wait for the folder's claim in the store ([`Store::claim_folder`]), held to the end: two
//!    syncs of one folder in this process (the inbox's follower and the user's Sync) take turns.
//!    Side by side, both would replay the same queued moves (two `UID COPY`s, two copies), fetch
//!    the same new messages and race each other's UIDNEXT; in turn, the second finds the work
//!    done.
//! 1. Pick the sync policy from the capabilities (QRESYNC > CONDSTORE > basic), SELECT, and let
//!    [`resync_rules`] decide what to do against the cached state.
//! 2. UIDVALIDITY changed or first select: clear the mailbox's cached messages and record the new
//!    UIDVALIDITY with UIDNEXT 1, so a crash from here on resumes instead of starting over. Local
//!    changes and queued ops of the old UIDVALIDITY go too (their UIDs mean nothing any more),
//!    with a warning that counts them.
//! 3. Local flag changes still to push (the store's `pending_flags` of this UIDVALIDITY, when
//!    it is unchanged): `UID STORE <set> +FLAGS.SILENT (\Seen)` for those the user read and
//!    `-FLAGS.SILENT (\Seen)` for those marked unread, the same for `\Flagged` (stars), then
//!    each change is cleared only if its row still wants what was pushed (a change made
//!    meanwhile waits for the next sync). This comes before
//!    the pull so that 4 reads back the user's flags instead of overwriting them; the store also
//!    keeps 4 away from a message with a row. A UID the server expunged is ignored by `UID
//!    STORE` (RFC 3501 §6.4.8 acts on the UIDs that exist), so its row is simply cleared. A crash
//!    between STORE and the clearing pushes the same flags again next time, which is harmless.
//!    A `NO` (read-only mailbox, `[INUSE]`…) keeps the rows for the next sync, with a warning.
//!    Then the queued moves and deletes (the store's `pending_ops`; their messages are already
//!    hidden from the cache): `UID SEARCH UID <set>` finds which the server still has, and the
//!    ops of the others (expunged elsewhere) are dropped. A move is `UID MOVE` where the server
//!    has MOVE (RFC 6851), else `UID COPY`, `UID STORE +FLAGS.SILENT (\Deleted)` and, with
//!    UIDPLUS (RFC 4315), `UID EXPUNGE` of exactly those UIDs; without UIDPLUS the copies stay
//!    `\Deleted` in this folder (a plain EXPUNGE would also remove what other clients marked)
//!    and a warning says so. A delete without a Trash is `\Deleted` + `UID EXPUNGE` the same way.
//!    A `NO` to the MOVE, COPY or STORE (the destination does not exist…) keeps the op for the
//!    next sync, with a warning. The moved message is fetched at the destination's next sync.
//!    Flags go first, so a star set before a move travels with the message. A crash after a
//!    COPY and before its op is cleared copies again next time (a duplicate, never a loss).
//! 4. Flag changes of cached messages: `CHANGEDSINCE` (and `VANISHED` with QRESYNC), else all
//!    flags; written to the store in one batch.
//! 5. Expunges: from VANISHED, else `UID SEARCH ALL` compared with the cached UIDs.
//! 6. New messages, header first (never one with an op queued at step 3: it was moved away, or
//!    stays hidden until its op goes through): `UID SEARCH` for their UIDs, then
//!    `UID FETCH (UID FLAGS BODYSTRUCTURE BODY.PEEK[HEADER])` in batches of at most [`MAX_BATCH`].
//!    Each batch is cached header-only ([`Store::insert_headers`]: summary, header bytes and a
//!    missing-body mark, one transaction + flush) *before* the stored UIDNEXT moves past it, so a
//!    crash or a dropped connection loses nothing; the next sync skips what is already cached,
//!    and a message fetched twice replaces rather than duplicates (keys are UIDVALIDITY + UID).
//!    The list, unread counts, threads and search work from the header alone; BODYSTRUCTURE
//!    gives the attachment count until the body is there. On Gmail the fetch also asks for
//!    `X-GM-THRID`, which the store takes as the message's thread.
//! 7. Store the SELECT's UIDNEXT and HIGHESTMODSEQ: every header is cached.
//! 8. Bodies (with [`Bodies::All`], the default): every message of the mailbox still
//!    header-only, whether its header came in step 6 or in an earlier sync that was cancelled,
//!    cut off or run with [`Bodies::None`], highest UID (newest) first, by
//!    `UID FETCH (UID BODY.PEEK[])` in batches, each batch swapped in by [`Store::fill_bodies`]
//!    (one transaction + flush; flags and thread stay as cached, so a read or star the user set
//!    meanwhile is kept). This step runs at every sync, not only after new headers, so a body
//!    left missing by any interruption comes with the next sync. A body the server does not send
//!    (expunged meanwhile) is a warning and stays missing: each sync asks once, and step 5 of a
//!    later sync removes the message with its mark, so nothing loops. A message the user opens
//!    before its body came is fetched alone by [`fetch_bodies`].
//!
//! [`sync_mailbox_cancellable`] checks its stop flag before each batch of steps 6 and 8: once it
//! is set, no more batches are fetched. Stopped in step 6, step 7 is skipped, so the stored
//! UIDNEXT stays after the last batch written and the next sync fetches the rest; stopped in
//! step 8, the headers are all cached and the bodies still missing keep their marks for the next
//! sync ([`SyncReport::cancelled`] says so in both cases).
//!
//! What a server gets wrong is held to these rules: an untagged `OK [UIDVALIDITY n]` with a new
//! value during steps 3–6 or 8 ends the sync before anything of that command is written (the next sync
//! starts at 2; rows pushed by a `UID STORE` it came with stay queued, and go with the old
//! UIDVALIDITY's cache); FETCH answers for UIDs not asked for, without a header (step 6) or a
//! body (step 8), or repeated are ignored;
//! UID 0 from a SEARCH is dropped; messages asked for but not sent are reported as a warning
//! (usually expunged meanwhile) and the stored UIDNEXT stops at the first of them, so the next
//! sync asks again rather than skipping one for good (bodies not sent: see step 8). A literal
//! over `session::MAX_LITERAL_BYTES`, a malformed response or silence past the timeout ends the
//! session with an error; batches already written stay.
//!
//! Every command goes through the session's runner, which reads each answer to its tagged end,
//! gives each response a timeout and drops the session after any error. This module knows no
//! sled keys and does not parse MIME (the store does).

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use async_imap::imap_proto::{
    AttributeValue, BodyContentCommon, BodyStructure, MailboxDatum, MessageSection, Response, ResponseCode,
    SectionPath,
};
use serde::Serialize;
use tidings_store::{FetchedHeaders, Flag, Mailbox, MessageKey, PendingOp, Store, StoreError};

use crate::dialect::{strategy_for, Dialect};
use crate::select::{quote, resync_rules, select_mailbox, Expunges, FlagChanges, NewMessages, SyncPolicy};
use crate::session::{ImapSession, Tagged};
use crate::{ImapError, Result};

/// The most messages fetched and written in one batch.
pub const MAX_BATCH: usize = 200;

/// The most UIDs in one `UID STORE`, which keeps its command line far below the 8 000 octets
/// RFC 7162 §4 asks clients to stay under.
const MAX_STORE_UIDS: usize = 500;

/// How often a sync waiting for its folder's claim looks again.
const CLAIM_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Knobs of one sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Messages per FETCH and per store transaction; clamped to 1..=[`MAX_BATCH`].
    pub batch_size: usize,
    /// Use at most this policy (e.g. `Basic` to exercise the fallback); `None` = the best the
    /// server offers.
    pub policy: Option<SyncPolicy>,
    /// Fault injection for tests and diagnostics: after this many batches (header batches,
    /// then body batches), shut the connection down as a network failure would. The sync then
    /// fails like a real drop.
    pub cut_connection_after_batches: Option<usize>,
    /// Whether step 8 fetches the bodies still missing; the default fetches them all.
    pub bodies: Bodies,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_size: MAX_BATCH,
            policy: None,
            cut_connection_after_batches: None,
            bodies: Bodies::All,
        }
    }
}

/// What a sync does about the bodies of header-only messages (step 8 of the module's plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bodies {
    /// Fetch every missing body of the mailbox, newest first, after the headers.
    #[default]
    All,
    /// Headers only: the bodies are left for a later sync or [`fetch_bodies`] on demand.
    None,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// The mailbox.
    pub mailbox: String,
    /// Its UIDVALIDITY.
    pub uid_validity: u32,
    /// EXISTS at SELECT time.
    pub exists: u32,
    /// Messages fetched and cached.
    pub new: usize,
    /// Cached messages whose flags changed on the server.
    pub changed: usize,
    /// Local flag changes (read/unread, star) pushed to the server.
    pub flags_pushed: usize,
    /// Queued moves (and deletes to Trash) done on the server.
    pub moved: usize,
    /// Queued deletes without a Trash done on the server (`\Deleted`, expunged with UIDPLUS).
    pub deleted: usize,
    /// Queued moves and deletes dropped because the server no longer has their message.
    pub ops_dropped: usize,
    /// Cached messages removed because the server expunged them.
    pub expunged: usize,
    /// The cache was dropped first (first sync or UIDVALIDITY change).
    pub cache_cleared: bool,
    /// How changes were found.
    pub policy: SyncPolicy,
    /// The server's dialect.
    pub dialect: Dialect,
    /// Server misbehaviour and messages that could not be cached.
    pub warnings: Vec<String>,
    /// The sync was stopped between two batches: what was fetched is cached, the rest comes
    /// with the next sync.
    pub cancelled: bool,
    /// Bodies of header-only messages fetched and cached (step 8).
    pub bodies: usize,
    /// Messages of the mailbox still header-only when the sync ended (bodies off, cancelled, or
    /// not sent by the server).
    pub bodies_missing: usize,
}

/// Syncs `mailbox` of `account` into `store` with default options.
pub async fn sync_mailbox(
    session: &mut ImapSession,
    store: &Store,
    account: &str,
    mailbox: &str,
) -> Result<SyncReport> {
    sync_mailbox_with(session, store, account, mailbox, &SyncOptions::default()).await
}

/// How far the fetching of new messages (their headers) and then of missing bodies is, for a
/// progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// New messages whose header is fetched and cached so far.
    pub fetched: usize,
    /// New messages this sync fetches in all.
    pub to_fetch: usize,
    /// Bodies fetched and cached so far (step 8, after every header).
    pub bodies_fetched: usize,
    /// Bodies step 8 fetches in all: 0 until it starts, and when there are none.
    pub bodies_to_fetch: usize,
}

/// Syncs `mailbox` of `account` into `store`; see the module's plan.
pub async fn sync_mailbox_with(
    session: &mut ImapSession,
    store: &Store,
    account: &str,
    mailbox: &str,
    options: &SyncOptions,
) -> Result<SyncReport> {
    sync_mailbox_reporting(session, store, account, mailbox, options, &mut |_| {}).await
}

/// [`sync_mailbox_with`], telling `on_progress` how many new messages there are to fetch (once,
/// before the first) and how many are cached after each batch; then, when bodies are missing,
/// how many (once, before the first body batch) and how many are cached after each batch.
pub async fn sync_mailbox_reporting(
    session: &mut ImapSession,
    store: &Store,
    account: &str,
    mailbox: &str,
    options: &SyncOptions,
    on_progress: &mut (dyn FnMut(SyncProgress) + Send),
) -> Result<SyncReport> {
    let never = AtomicBool::new(false);
    sync_mailbox_cancellable(session, store, account, mailbox, options, on_progress, &never).await
}

/// [`sync_mailbox_reporting`] that stops before the next batch of new messages once `stop` is
/// set (see the module's note); `on_progress` may set it.
pub async fn sync_mailbox_cancellable(
    session: &mut ImapSession,
    store: &Store,
    account: &str,
    mailbox: &str,
    options: &SyncOptions,
    on_progress: &mut (dyn FnMut(SyncProgress) + Send),
    stop: &AtomicBool,
) -> Result<SyncReport> {
    // 0. One sync of this folder at a time.
    let _claim = loop {
        match store.claim_folder(account, mailbox) {
            Some(claim) => break claim,
            None => tokio::time::sleep(CLAIM_POLL).await,
        }
    };
    // 1. Policy, SELECT, rules.
    let offered = SyncPolicy::from_capabilities(session.capabilities());
    let wanted = options.policy.map_or(offered, |wanted| wanted.min(offered));
    let (selected, policy) = select_mailbox(session, mailbox, wanted).await?;
    let cached = store.mailbox(account, mailbox)?;
    let mut cached_uids = match &cached {
        Some(state) if state.uid_validity == selected.uid_validity => {
            store.uids(account, mailbox, state.uid_validity)?
        }
        _ => Vec::new(),
    };
    let plan = resync_rules(cached.as_ref(), cached_uids.len(), selected, policy);
    let uid_validity = selected.uid_validity;
    let key =
        |uid: u32| MessageKey { account: account.to_owned(), mailbox: mailbox.to_owned(), uid_validity, uid };
    let mut report = SyncReport {
        mailbox: mailbox.to_owned(),
        uid_validity,
        exists: selected.exists,
        new: 0,
        changed: 0,
        flags_pushed: 0,
        moved: 0,
        deleted: 0,
        ops_dropped: 0,
        expunged: 0,
        cache_cleared: plan.clear_cache,
        policy,
        dialect: session.dialect().dialect,
        warnings: plan.warnings.clone(),
        cancelled: false,
        bodies: 0,
        bodies_missing: 0,
    };

    // 2. A fresh start under this UIDVALIDITY.
    let mut state = match cached {
        Some(state) if !plan.clear_cache => state,
        _ => Mailbox {
            account: account.to_owned(),
            name: mailbox.to_owned(),
            uid_validity,
            uid_next: 1,
            highest_modseq: None,
        },
    };
    if plan.clear_cache {
        let unsent = store.pending_change_count(account, mailbox)?;
        if unsent > 0 {
            report.warnings.push(format!(
                "{unsent} local changes (flags, moves, deletes) to messages of {mailbox} were dropped: \
                 the server changed the folder's UIDVALIDITY, so their UIDs mean nothing any more."
            ));
        }
        let dropped = store.clear_mailbox(account, mailbox)?;
        if dropped > 0 {
            tracing::info!(account, mailbox, dropped, uid_validity, "Cache cleared for a new UIDVALIDITY.");
        }
        cached_uids.clear();
        store.put_mailbox(&state)?;
    }

    // 3. The user's flag changes, before the pull can read them back; then moves and deletes.
    let mut queued_ops = HashSet::new();
    if !plan.clear_cache {
        report.flags_pushed =
            push_pending_flags(session, store, (account, mailbox, uid_validity), &mut report.warnings)
                .await?;
        let replayed =
            replay_pending_ops(session, store, (account, mailbox, uid_validity), &mut report.warnings)
                .await?;
        report.moved = replayed.moved;
        report.deleted = replayed.deleted;
        report.ops_dropped = replayed.dropped;
        queued_ops = replayed.uids;
    }

    // 4. Flag changes (and, with QRESYNC, expunges in the same answer).
    let mut vanished = Vec::new();
    let flag_command = match plan.flag_changes {
        FlagChanges::Nothing => None,
        FlagChanges::ChangedSince { modseq, vanished: true } => {
            Some(format!("UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE {modseq} VANISHED)"))
        }
        FlagChanges::ChangedSince { modseq, vanished: false } => {
            Some(format!("UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE {modseq})"))
        }
        FlagChanges::CompareAll => cached_uids.last().map(|last| format!("UID FETCH 1:{last} (UID FLAGS)")),
    };
    if let Some(command) = flag_command {
        let mut flags = Vec::new();
        let mut flipped = None;
        session
            .command_ok("UID FETCH", &command, |response| match response {
                Response::Fetch(_, attributes) => {
                    if let Some(uid) = uid_of(attributes) {
                        if let Some((seen, flagged)) = flags_of(attributes) {
                            flags.push((key(uid), Flag::Seen, seen));
                            flags.push((key(uid), Flag::Flagged, flagged));
                        }
                    }
                }
                Response::Vanished { uids, .. } => {
                    vanished.extend(uids.iter().flat_map(|range| range.clone()))
                }
                other => flipped = flipped.or_else(|| changed_uid_validity(other, uid_validity)),
            })
            .await?;
        if let Some(new_validity) = flipped {
            return Err(uid_validity_changed(session, mailbox, uid_validity, new_validity));
        }
        // Messages not cached yet (new ones) are skipped by the store; they come with their flags.
        report.changed = store.set_server_flags(&flags)?;
    }

    // 5. Expunges.
    let gone: Vec<u32> = match plan.expunges {
        Expunges::Nothing => Vec::new(),
        Expunges::FromVanished => {
            let cached: HashSet<u32> = cached_uids.iter().copied().collect();
            vanished.into_iter().filter(|uid| cached.contains(uid)).collect()
        }
        Expunges::SearchAllDiff => {
            let on_server: HashSet<u32> =
                search(session, "UID SEARCH ALL", (mailbox, uid_validity)).await?.into_iter().collect();
            if on_server.is_empty() && selected.exists > 0 {
                let error = ImapError::Protocol(format!(
                    "UID SEARCH ALL found nothing in {mailbox}, which SELECT said has {} messages",
                    selected.exists
                ));
                return Err(session.drop_after(error));
            }
            cached_uids.iter().copied().filter(|uid| !on_server.contains(uid)).collect()
        }
    };
    if !gone.is_empty() {
        let keys: Vec<MessageKey> = gone.iter().map(|uid| key(*uid)).collect();
        report.expunged = store.remove_messages(&keys)?;
        let gone: HashSet<u32> = gone.into_iter().collect();
        cached_uids.retain(|uid| !gone.contains(uid));
    }

    // 6. New messages, header first, batch by batch.
    let to_fetch: Vec<u32> = match plan.new_messages {
        NewMessages::Nothing => Vec::new(),
        NewMessages::From(_) | NewMessages::AllMissing if selected.exists == 0 => Vec::new(),
        NewMessages::From(first) => {
            // Messages at or above the stored UIDNEXT can already be cached (a batch written
            // just before a crash, or the batches after a message the server did not send).
            let mut cached: HashSet<u32> = cached_uids.iter().copied().collect();
            cached.extend(&queued_ops);
            search(session, &format!("UID SEARCH UID {first}:*"), (mailbox, uid_validity))
                .await?
                .into_iter()
                .filter(|uid| *uid >= first && !cached.contains(uid))
                .collect()
        }
        NewMessages::AllMissing => {
            let mut cached: HashSet<u32> = cached_uids.iter().copied().collect();
            cached.extend(&queued_ops);
            search(session, "UID SEARCH ALL", (mailbox, uid_validity))
                .await?
                .into_iter()
                .filter(|uid| !cached.contains(uid))
                .collect()
        }
    };
    let strategy = strategy_for(report.dialect);
    let mut query = String::from("(UID FLAGS BODYSTRUCTURE BODY.PEEK[HEADER]");
    for item in strategy.extra_fetch_items() {
        query.push(' ');
        query.push_str(item);
    }
    query.push(')');
    let batch_size = options.batch_size.clamp(1, MAX_BATCH);
    let mut progress =
        SyncProgress { fetched: 0, to_fetch: to_fetch.len(), bodies_fetched: 0, bodies_to_fetch: 0 };
    let mut first_unsent = None;
    // Batches of both phases, for `cut_connection_after_batches`.
    let mut batches = 0;
    on_progress(progress);
    for chunk in to_fetch.chunks(batch_size) {
        if stop.load(Ordering::SeqCst) {
            // UIDNEXT was stored after the last batch: the next sync fetches the rest.
            report.cancelled = true;
            tracing::info!(account, mailbox, fetched = progress.fetched, "Sync stopped as asked.");
            return Ok(report);
        }
        let wanted: HashSet<u32> = chunk.iter().copied().collect();
        // Each header with its flags, the attachments its BODYSTRUCTURE shows and Gmail's thread
        // id (X-GM-THRID), when sent.
        let mut batch: Vec<FetchedHeaders> = Vec::with_capacity(chunk.len());
        let mut flipped = None;
        session
            .command_ok("UID FETCH", &format!("UID FETCH {} {query}", uid_set(chunk)), |response| {
                // Unsolicited FETCHes (flag changes by others) may arrive here too: keep only
                // answers with a UID we asked for and a header, the first of each.
                if let Response::Fetch(_, attributes) = response {
                    let (Some(uid), Some(header)) = (uid_of(attributes), header_of(attributes)) else {
                        return;
                    };
                    if wanted.contains(&uid) && !batch.iter().any(|fetched| fetched.key.uid == uid) {
                        let (seen, flagged) = flags_of(attributes).unwrap_or((false, false));
                        batch.push(FetchedHeaders {
                            key: key(uid),
                            seen,
                            flagged,
                            server_thread: gmail_thread_of(attributes),
                            header,
                            attachments: attachments_of(attributes),
                        });
                    }
                }
                flipped = flipped.or_else(|| changed_uid_validity(response, uid_validity));
            })
            .await?;
        if let Some(new_validity) = flipped {
            return Err(uid_validity_changed(session, mailbox, uid_validity, new_validity));
        }
        let unsent: Vec<u32> = chunk
            .iter()
            .copied()
            .filter(|uid| !batch.iter().any(|fetched| fetched.key.uid == *uid))
            .collect();
        if let Some(first) = unsent.first() {
            // Expunged between the SEARCH and the FETCH, or a server that skips messages: the
            // stored UIDNEXT stays at the first one, so the next sync asks again.
            first_unsent.get_or_insert(*first);
            report.warnings.push(format!(
                "The server did not send {} of the {} messages asked for (UIDs {}).",
                unsent.len(),
                chunk.len(),
                uid_set(&unsent)
            ));
        }
        report.new +=
            insert_one_by_one_if_needed(&batch, |part| store.insert_headers(part), &mut report.warnings)?;
        // Only now that the batch is on disk may UIDNEXT move past it.
        if let Some(last) = chunk.last() {
            state.uid_next = state.uid_next.max(first_unsent.unwrap_or(last.saturating_add(1)));
            store.put_mailbox(&state)?;
        }
        progress.fetched += chunk.len();
        on_progress(progress);
        batches += 1;
        cut_if_asked(session, options, batches, (account, mailbox)).await;
    }

    // 7. Every header is cached: remember where the server is.
    state.uid_next = state.uid_next.max(first_unsent.unwrap_or(selected.uid_next));
    state.highest_modseq = if policy == SyncPolicy::Basic { None } else { selected.highest_modseq };
    store.put_mailbox(&state)?;

    // 8. The bodies still missing, newest first, batch by batch.
    if options.bodies == Bodies::All {
        let missing = store.missing_bodies(account, mailbox, uid_validity, usize::MAX)?;
        if !missing.is_empty() {
            progress.bodies_to_fetch = missing.len();
            on_progress(progress);
        }
        for chunk in missing.chunks(batch_size) {
            if stop.load(Ordering::SeqCst) {
                // The headers are cached and the rest stay marked: the next sync fetches them.
                report.cancelled = true;
                tracing::info!(account, mailbox, bodies = report.bodies, "Sync stopped as asked.");
                report.bodies_missing =
                    store.missing_bodies(account, mailbox, uid_validity, usize::MAX)?.len();
                return Ok(report);
            }
            let uids: Vec<u32> = chunk.iter().map(|key| key.uid).collect();
            let bodies =
                fetch_bodies_of(session, (mailbox, uid_validity), &uids, &mut report.warnings).await?;
            let bodies: Vec<(MessageKey, Vec<u8>)> =
                bodies.into_iter().map(|(uid, raw)| (key(uid), raw)).collect();
            report.bodies += store.fill_bodies(&bodies)?;
            progress.bodies_fetched += chunk.len();
            on_progress(progress);
            batches += 1;
            cut_if_asked(session, options, batches, (account, mailbox)).await;
        }
    }
    report.bodies_missing = store.missing_bodies(account, mailbox, uid_validity, usize::MAX)?.len();
    tracing::info!(
        account,
        mailbox,
        new = report.new,
        bodies = report.bodies,
        bodies_missing = report.bodies_missing,
        changed = report.changed,
        flags_pushed = report.flags_pushed,
        moved = report.moved,
        deleted = report.deleted,
        expunged = report.expunged,
        "Mailbox synced."
    );
    Ok(report)
}

/// Fault injection: after `batches` batches, shuts the connection down when `options` asks to.
async fn cut_if_asked(
    session: &mut ImapSession,
    options: &SyncOptions,
    batches: usize,
    (account, mailbox): (&str, &str),
) {
    if options.cut_connection_after_batches == Some(batches) {
        tracing::warn!(account, mailbox, batches, "Cutting the connection as asked (fault injection).");
        session.cut_connection().await;
    }
}

/// `UID FETCH <uids> (UID BODY.PEEK[])` in the selected `mailbox`: the whole messages the server
/// sent, each UID asked for at most once (unsolicited or repeated answers are ignored). UIDs it did
/// not send (expunged meanwhile) are a warning: their messages stay header-only until the expunge
/// step of a later sync removes them, and nothing asks for them again within this call.
async fn fetch_bodies_of(
    session: &mut ImapSession,
    (mailbox, uid_validity): (&str, u32),
    uids: &[u32],
    warnings: &mut Vec<String>,
) -> Result<Vec<(u32, Vec<u8>)>> {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let wanted: HashSet<u32> = sorted.iter().copied().collect();
    let mut bodies: Vec<(u32, Vec<u8>)> = Vec::with_capacity(sorted.len());
    let mut flipped = None;
    let command = format!("UID FETCH {} (UID BODY.PEEK[])", uid_set(&sorted));
    session
        .command_ok("UID FETCH", &command, |response| {
            if let Response::Fetch(_, attributes) = response {
                let (Some(uid), Some(raw)) = (uid_of(attributes), body_of(attributes)) else { return };
                if wanted.contains(&uid) && !bodies.iter().any(|(fetched, _)| *fetched == uid) {
                    bodies.push((uid, raw));
                }
            }
            flipped = flipped.or_else(|| changed_uid_validity(response, uid_validity));
        })
        .await?;
    if let Some(new_validity) = flipped {
        return Err(uid_validity_changed(session, mailbox, uid_validity, new_validity));
    }
    let unsent: Vec<u32> =
        sorted.iter().copied().filter(|uid| !bodies.iter().any(|(fetched, _)| fetched == uid)).collect();
    if !unsent.is_empty() {
        warnings.push(format!(
            "The server did not send the bodies of {} of the {} messages asked for (UIDs {}); they stay header-only until a sync finds them expunged or fetches them.",
            unsent.len(),
            sorted.len(),
            uid_set(&unsent)
        ));
    }
    Ok(bodies)
}

/// Fetches and caches the bodies of header-only messages on demand (the message the user opened):
/// SELECTs `mailbox`, fetches the bodies of those of `keys` that belong to it, are still
/// header-only and were cached under the UIDVALIDITY the server has now, and fills them in with
/// [`Store::fill_bodies`]. Returns how many bodies were cached.
///
/// Keys of another account or mailbox, and keys already whole, are skipped. Keys of another
/// UIDVALIDITY are skipped with a warning in the log: their UIDs mean nothing any more, and the
/// next sync of the folder starts it over. A message the server no longer sends stays
/// header-only (the next sync removes it). The caller tells these apart with
/// [`Store::body_missing`] and [`Store::message`].
pub async fn fetch_bodies(
    session: &mut ImapSession,
    store: &Store,
    account: &str,
    mailbox: &str,
    keys: &[MessageKey],
) -> Result<usize> {
    let mine: Vec<&MessageKey> =
        keys.iter().filter(|key| key.account == account && key.mailbox == mailbox).collect();
    if mine.is_empty() {
        return Ok(0);
    }
    let (selected, _) = select_mailbox(session, mailbox, SyncPolicy::Basic).await?;
    let uid_validity = selected.uid_validity;
    let mut uids = Vec::with_capacity(mine.len());
    for key in mine {
        if key.uid_validity != uid_validity {
            tracing::warn!(
                account,
                mailbox,
                uid = key.uid,
                cached = key.uid_validity,
                server = uid_validity,
                "Body not fetched: the folder's UIDVALIDITY changed since the message was cached."
            );
        } else if store.body_missing(key)? {
            uids.push(key.uid);
        }
    }
    let mut filled = 0;
    let mut warnings = Vec::new();
    for chunk in uids.chunks(MAX_BATCH) {
        let bodies = fetch_bodies_of(session, (mailbox, uid_validity), chunk, &mut warnings).await?;
        let bodies: Vec<(MessageKey, Vec<u8>)> = bodies
            .into_iter()
            .map(|(uid, raw)| {
                (
                    MessageKey {
                        account: account.to_owned(),
                        mailbox: mailbox.to_owned(),
                        uid_validity,
                        uid,
                    },
                    raw,
                )
            })
            .collect();
        filled += store.fill_bodies(&bodies)?;
    }
    for warning in warnings {
        tracing::warn!(account, mailbox, "{warning}");
    }
    Ok(filled)
}

/// Step 3: pushes the queued flag changes (`\Seen`, `\Flagged`) of `mailbox` under
/// `uid_validity` and clears those still wanted as pushed; returns how many were pushed. A `UID
/// STORE` the server refuses (`NO`: a read-only mailbox, or a passing `[INUSE]`) is a warning and
/// its changes stay queued: they are kept in this cache (a pull does not overwrite them) and
/// tried again at the next sync. A new UIDVALIDITY announced meanwhile ends the sync with
/// nothing cleared.
async fn push_pending_flags(
    session: &mut ImapSession,
    store: &Store,
    (account, mailbox, uid_validity): (&str, &str, u32),
    warnings: &mut Vec<String>,
) -> Result<usize> {
    let pending = store.pending_flag_changes(account, mailbox, uid_validity)?;
    let mut pushed = 0;
    let mut refused = HashSet::new();
    for flag in [Flag::Seen, Flag::Flagged] {
        for (change, wanted) in [("+FLAGS.SILENT", true), ("-FLAGS.SILENT", false)] {
            // Ascending, as the store lists them, so runs compress into ranges.
            let uids: Vec<u32> = pending
                .iter()
                .filter(|(_, which, state)| *which == flag && *state == wanted)
                .map(|(uid, _, _)| *uid)
                .collect();
            for chunk in uids.chunks(MAX_STORE_UIDS) {
                let name = flag_name(flag);
                let command = format!("UID STORE {} {change} ({name})", uid_set(chunk));
                match run(session, "UID STORE", &command, (mailbox, uid_validity)).await? {
                    Tagged::Ok => pushed += chunk.len(),
                    Tagged::No(text) => {
                        refused.extend(chunk.iter().map(|uid| (*uid, flag)));
                        warnings.push(format!(
                            "The server refused to change {name} of {} messages in {mailbox} ({text}); the change is kept in this cache and tried again at the next sync.",
                            chunk.len()
                        ))
                    }
                }
            }
        }
    }
    let done: Vec<(MessageKey, Flag, bool)> = pending
        .iter()
        .filter(|(uid, flag, _)| !refused.contains(&(*uid, *flag)))
        .map(|(uid, flag, wanted)| {
            let key =
                MessageKey { account: account.into(), mailbox: mailbox.into(), uid_validity, uid: *uid };
            (key, *flag, *wanted)
        })
        .collect();
    store.clear_pending_flags(&done)?;
    if pushed > 0 {
        tracing::info!(account, mailbox, pushed, "Local flag changes pushed.");
    }
    Ok(pushed)
}

/// What step 3 did with the queued moves and deletes.
#[derive(Debug, Default)]
struct Replayed {
    /// Moved to another folder (Trash included).
    moved: usize,
    /// Marked `\Deleted` (and expunged where the server has UIDPLUS).
    deleted: usize,
    /// Dropped: the server no longer had the message.
    dropped: usize,
    /// Every UID that had an op when step 3 began; step 6 never fetches them.
    uids: HashSet<u32>,
}

/// Step 3, second half: replays the queued moves and deletes of `mailbox` under `uid_validity`
/// (see the module's plan).
async fn replay_pending_ops(
    session: &mut ImapSession,
    store: &Store,
    (account, mailbox, uid_validity): (&str, &str, u32),
    warnings: &mut Vec<String>,
) -> Result<Replayed> {
    let ops = store.pending_ops(account, mailbox, uid_validity)?;
    let mut replayed = Replayed { uids: ops.iter().map(|(uid, _)| *uid).collect(), ..Replayed::default() };
    if ops.is_empty() {
        return Ok(replayed);
    }
    let key = |uid: u32| MessageKey { account: account.into(), mailbox: mailbox.into(), uid_validity, uid };
    let keys_of = |uids: &[u32]| uids.iter().map(|uid| key(*uid)).collect::<Vec<_>>();
    // Which messages the server still has: the ops of the others (expunged elsewhere) go.
    let all: Vec<u32> = ops.iter().map(|(uid, _)| *uid).collect();
    let mut present = HashSet::new();
    for chunk in all.chunks(MAX_STORE_UIDS) {
        let command = format!("UID SEARCH UID {}", uid_set(chunk));
        present.extend(search(session, &command, (mailbox, uid_validity)).await?);
    }
    let gone: Vec<u32> = all.iter().copied().filter(|uid| !present.contains(uid)).collect();
    replayed.dropped = store.finish_ops(&keys_of(&gone))?;
    // One group per destination (`None`: expunge here), each in ascending UIDs.
    let mut groups: BTreeMap<Option<&str>, Vec<u32>> = BTreeMap::new();
    for (uid, op) in ops.iter().filter(|(uid, _)| present.contains(uid)) {
        let destination = match op {
            PendingOp::Move { to } => Some(to.as_str()),
            PendingOp::Expunge => None,
        };
        groups.entry(destination).or_default().push(*uid);
    }
    for (destination, uids) in groups {
        for chunk in uids.chunks(MAX_STORE_UIDS) {
            let set = uid_set(chunk);
            let done = match destination {
                Some(to) => move_messages(session, (mailbox, uid_validity), &set, to, warnings).await?,
                None => expunge_messages(session, (mailbox, uid_validity), &set, warnings).await?,
            };
            if done {
                store.finish_ops(&keys_of(chunk))?;
                match destination {
                    Some(_) => replayed.moved += chunk.len(),
                    None => replayed.deleted += chunk.len(),
                }
            }
        }
    }
    if replayed.moved + replayed.deleted + replayed.dropped > 0 {
        tracing::info!(
            account,
            mailbox,
            moved = replayed.moved,
            deleted = replayed.deleted,
            dropped = replayed.dropped,
            "Queued moves and deletes replayed."
        );
    }
    Ok(replayed)
}

/// Moves the messages `set` of the selected `mailbox` to `to`; returns whether they left (the
/// op is done), or `false` after a warning when the server refused (the op stays queued).
async fn move_messages(
    session: &mut ImapSession,
    (mailbox, uid_validity): (&str, u32),
    set: &str,
    to: &str,
    warnings: &mut Vec<String>,
) -> Result<bool> {
    let refused = |text: &str| {
        format!(
            "The server refused to move messages {set} of {mailbox} to {to} ({text}); they stay hidden here and the move is tried again at the next sync."
        )
    };
    let Ok(destination) = quote(to) else {
        warnings.push(refused("the folder name has a line break"));
        return Ok(false);
    };
    if session.has_capability("MOVE") {
        let command = format!("UID MOVE {set} {destination}");
        return Ok(match run(session, "UID MOVE", &command, (mailbox, uid_validity)).await? {
            Tagged::Ok => true,
            Tagged::No(text) => {
                warnings.push(refused(&text));
                false
            }
        });
    }
    let command = format!("UID COPY {set} {destination}");
    if let Tagged::No(text) = run(session, "UID COPY", &command, (mailbox, uid_validity)).await? {
        warnings.push(refused(&text));
        return Ok(false);
    }
    // The copy exists now: from here on the op is done, whatever becomes of the original.
    remove_from_selected(session, (mailbox, uid_validity), set, warnings).await?;
    Ok(true)
}

/// Marks the messages `set` of the selected `mailbox` `\Deleted` and expunges them; returns
/// whether they were marked (the op is done), or `false` after a warning when the server refused.
async fn expunge_messages(
    session: &mut ImapSession,
    (mailbox, uid_validity): (&str, u32),
    set: &str,
    warnings: &mut Vec<String>,
) -> Result<bool> {
    let command = format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)");
    if let Tagged::No(text) = run(session, "UID STORE", &command, (mailbox, uid_validity)).await? {
        warnings.push(format!(
            "The server refused to delete messages {set} of {mailbox} ({text}); they stay hidden here and the delete is tried again at the next sync."
        ));
        return Ok(false);
    }
    expunge_marked(session, (mailbox, uid_validity), set, warnings).await?;
    Ok(true)
}

/// After a COPY: marks the originals `\Deleted` and expunges them, each failure a warning (the
/// copy is made, so nothing is tried again).
async fn remove_from_selected(
    session: &mut ImapSession,
    (mailbox, uid_validity): (&str, u32),
    set: &str,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let command = format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)");
    if let Tagged::No(text) = run(session, "UID STORE", &command, (mailbox, uid_validity)).await? {
        warnings.push(format!(
            "Messages {set} were copied out of {mailbox}, but the server refused to mark the originals deleted ({text}); they stay there."
        ));
        return Ok(());
    }
    expunge_marked(session, (mailbox, uid_validity), set, warnings).await
}

/// `UID EXPUNGE <set>` where the server has UIDPLUS; without it, a warning: a plain EXPUNGE
/// would also remove every message other clients marked `\Deleted`.
async fn expunge_marked(
    session: &mut ImapSession,
    (mailbox, uid_validity): (&str, u32),
    set: &str,
    warnings: &mut Vec<String>,
) -> Result<()> {
    if !session.has_capability("UIDPLUS") {
        warnings.push(format!(
            "The server has no UIDPLUS, so messages {set} stay in {mailbox} marked \\Deleted until a client expunges the folder (Tidings does not expunge what others marked)."
        ));
        return Ok(());
    }
    let command = format!("UID EXPUNGE {set}");
    if let Tagged::No(text) = run(session, "UID EXPUNGE", &command, (mailbox, uid_validity)).await? {
        warnings.push(format!(
            "The server refused to expunge messages {set} of {mailbox} ({text}); they stay there marked \\Deleted."
        ));
    }
    Ok(())
}

/// Runs a command of step 3 and returns its tagged answer; a new UIDVALIDITY announced with it
/// ends the sync (see the module's rules). Other untagged answers (EXPUNGE, VANISHED, MODSEQs)
/// are left to steps 4 and 5.
async fn run(
    session: &mut ImapSession,
    during: &'static str,
    command: &str,
    (mailbox, uid_validity): (&str, u32),
) -> Result<Tagged> {
    let mut flipped = None;
    let tagged = session
        .command(during, command, |response| {
            flipped = flipped.or_else(|| changed_uid_validity(response, uid_validity));
        })
        .await?;
    if let Some(new_validity) = flipped {
        return Err(uid_validity_changed(session, mailbox, uid_validity, new_validity));
    }
    Ok(tagged)
}

/// A flag as IMAP spells it.
fn flag_name(flag: Flag) -> &'static str {
    match flag {
        Flag::Seen => "\\Seen",
        Flag::Flagged => "\\Flagged",
    }
}

/// Writes a batch with `insert` (one transaction); if one message is not e-mail at all, writes
/// the others one by one and reports the bad ones, so a single broken message cannot stall the
/// mailbox forever.
fn insert_one_by_one_if_needed<T>(
    batch: &[T],
    insert: impl Fn(&[T]) -> std::result::Result<usize, StoreError>,
    warnings: &mut Vec<String>,
) -> Result<usize> {
    match insert(batch) {
        Ok(written) => Ok(written),
        Err(StoreError::NotAMessage(_)) => {
            let mut written = 0;
            for message in batch {
                match insert(std::slice::from_ref(message)) {
                    Ok(n) => written += n,
                    Err(StoreError::NotAMessage(what)) => {
                        warnings.push(format!("{what} is not an e-mail message and was not cached."));
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            Ok(written)
        }
        Err(other) => Err(other.into()),
    }
}

async fn search(
    session: &mut ImapSession,
    command: &str,
    (mailbox, uid_validity): (&str, u32),
) -> Result<Vec<u32>> {
    let mut uids = Vec::new();
    let mut flipped = None;
    session
        .command_ok("UID SEARCH", command, |response| match response {
            Response::MailboxData(MailboxDatum::Search(found)) => uids.extend_from_slice(found),
            other => flipped = flipped.or_else(|| changed_uid_validity(other, uid_validity)),
        })
        .await?;
    if let Some(new_validity) = flipped {
        return Err(uid_validity_changed(session, mailbox, uid_validity, new_validity));
    }
    // UID 0 does not exist (RFC 3501 §2.3.1.1); asking for it would end the session.
    uids.retain(|uid| *uid != 0);
    uids.sort_unstable();
    uids.dedup();
    Ok(uids)
}

/// Ends the sync after an untagged `OK [UIDVALIDITY n]` with a new value (see the module's rules):
/// what that command brought may already be the new generation's messages under old UIDs.
fn uid_validity_changed(session: &mut ImapSession, mailbox: &str, old: u32, new: u32) -> ImapError {
    session.drop_after(ImapError::Protocol(format!(
        "the server changed the UIDVALIDITY of {mailbox} during the sync ({old} → {new}); \
         the next sync starts this folder over"
    )))
}

/// The new UIDVALIDITY when `response` is an untagged `OK [UIDVALIDITY n]` with another value
/// than the one selected (RFC 3501 §2.3.1.1: UIDs of the old value mean nothing any more).
fn changed_uid_validity(response: &Response<'_>, selected: u32) -> Option<u32> {
    match response {
        Response::Data { outcome, .. } => match outcome.code {
            Some(ResponseCode::UidValidity(value)) if value != selected => Some(value),
            _ => None,
        },
        _ => None,
    }
}

fn uid_of(attributes: &[AttributeValue<'_>]) -> Option<u32> {
    attributes.iter().find_map(|a| if let AttributeValue::Uid(uid) = a { Some(*uid) } else { None })
}

/// `\Seen` and `\Flagged` of a FETCH answer that has FLAGS.
fn flags_of(attributes: &[AttributeValue<'_>]) -> Option<(bool, bool)> {
    attributes.iter().find_map(|a| match a {
        AttributeValue::Flags(flags) => {
            let has = |name: &str| flags.iter().any(|flag| flag.eq_ignore_ascii_case(name));
            Some((has("\\Seen"), has("\\Flagged")))
        }
        _ => None,
    })
}

fn gmail_thread_of(attributes: &[AttributeValue<'_>]) -> Option<u64> {
    attributes.iter().find_map(|a| if let AttributeValue::GmailThrId(id) = a { Some(*id) } else { None })
}

/// The header section of a FETCH answer (`BODY[HEADER]`, or `RFC822.HEADER` from an old server).
fn header_of(attributes: &[AttributeValue<'_>]) -> Option<Vec<u8>> {
    attributes.iter().find_map(|a| match a {
        AttributeValue::BodySection {
            section: Some(SectionPath::Full(MessageSection::Header)),
            data: Some(data),
            ..
        } => Some(data.to_vec()),
        AttributeValue::Rfc822Header(Some(data)) => Some(data.to_vec()),
        _ => None,
    })
}

/// How many attachments the BODYSTRUCTURE of a FETCH answer shows (0 without one): an estimate
/// the summary keeps until the body comes and is counted itself.
fn attachments_of(attributes: &[AttributeValue<'_>]) -> usize {
    attributes
        .iter()
        .find_map(|a| {
            if let AttributeValue::BodyStructure(structure) = a {
                Some(attachments_in(structure))
            } else {
                None
            }
        })
        .unwrap_or(0)
}

/// Leaf parts that are attachments: every non-text part (audio, images, files; a voicemail's
/// recording), and text or attached messages with `Content-Disposition: attachment`.
fn attachments_in(structure: &BodyStructure<'_>) -> usize {
    let marked = |common: &BodyContentCommon<'_>| {
        common
            .disposition
            .as_ref()
            .is_some_and(|disposition| disposition.ty.eq_ignore_ascii_case("attachment"))
    };
    match structure {
        BodyStructure::Multipart { bodies, .. } => bodies.iter().map(attachments_in).sum(),
        BodyStructure::Basic { .. } => 1,
        BodyStructure::Text { common, .. } | BodyStructure::Message { common, .. } => {
            usize::from(marked(common))
        }
    }
}

fn body_of(attributes: &[AttributeValue<'_>]) -> Option<Vec<u8>> {
    attributes.iter().find_map(|a| match a {
        AttributeValue::BodySection { section: None, data: Some(data), .. } => Some(data.to_vec()),
        AttributeValue::Rfc822(Some(data)) => Some(data.to_vec()),
        _ => None,
    })
}

/// A compact UID set for sorted UIDs: `1:3,7,9:10`.
fn uid_set(sorted: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    for &uid in sorted {
        run = match run {
            Some((start, end)) if end.checked_add(1) == Some(uid) => Some((start, uid)),
            Some(done) => {
                parts.push(range_text(done));
                Some((uid, uid))
            }
            None => Some((uid, uid)),
        };
    }
    if let Some(done) = run {
        parts.push(range_text(done));
    }
    parts.join(",")
}

fn range_text((start, end): (u32, u32)) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start}:{end}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_compress_runs() {
        let cases: &[(&[u32], &str)] = &[
            (&[], ""),
            (&[5], "5"),
            (&[1, 2, 3], "1:3"),
            (&[1, 2, 3, 7, 9, 10], "1:3,7,9:10"),
            (&[4, 6, 8], "4,6,8"),
            (&[u32::MAX - 1, u32::MAX], "4294967294:4294967295"),
        ];
        for (uids, expected) in cases {
            assert_eq!(uid_set(uids), *expected, "{uids:?}");
        }
    }

    #[test]
    fn gmail_thread_ids_are_read_from_a_fetch_answer() {
        let answer = b"* 1 FETCH (X-GM-THRID 1278455344230334865 UID 5 BODY[] {4}\r\nab\r\n)\r\n";
        let (_, response) = Response::parse(answer).unwrap();
        let Response::Fetch(_, attributes) = response else { panic!("not a FETCH: {response:?}") };
        assert_eq!(gmail_thread_of(&attributes), Some(1_278_455_344_230_334_865));
        assert_eq!(uid_of(&attributes), Some(5));
        let plain = b"* 1 FETCH (UID 5 BODY[] {4}\r\nab\r\n)\r\n";
        let (_, response) = Response::parse(plain).unwrap();
        let Response::Fetch(_, attributes) = response else { panic!("not a FETCH: {response:?}") };
        assert_eq!(gmail_thread_of(&attributes), None);
    }
}
