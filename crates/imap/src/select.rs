//! Selecting a mailbox and deciding how to bring the cache up to date: the resync rules.
//!
//! The rules live in one function, [`resync_rules`], after chatmail's `select_with_uidvalidity`
//! and meli's numbered RFC 4549 plan; each rule's comment names its RFC section. It is pure, so
//! every rule is unit-tested. [`select_mailbox`] does the IO around it: `ENABLE QRESYNC`, SELECT,
//! and the STATUS fallback for a missing UIDNEXT.
//!
//! This module does not fetch messages or write the store (`sync.rs` does).

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status, StatusAttribute};
use serde::Serialize;
use tidings_store::Mailbox;

use crate::session::{capabilities_in, ImapSession, Tagged};
use crate::{ImapError, Result};

/// How flag changes and expunges can be found on this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncPolicy {
    /// Compare all flags and all UIDs (RFC 4549 §4.3).
    Basic,
    /// Flags changed since a mod-sequence (RFC 7162 §3.1); expunges by UID comparison.
    Condstore,
    /// Flags changed since a mod-sequence and expunged UIDs as VANISHED (RFC 7162 §3.2).
    Qresync,
}

impl SyncPolicy {
    /// The best policy the capabilities allow (QRESYNC needs ENABLE to be switched on).
    pub fn from_capabilities(capabilities: &[String]) -> SyncPolicy {
        let has = |name: &str| capabilities.iter().any(|c| c.eq_ignore_ascii_case(name));
        if has("QRESYNC") && has("ENABLE") {
            SyncPolicy::Qresync
        } else if has("CONDSTORE") || has("QRESYNC") {
            // RFC 7162 §3.2: a QRESYNC server also implements CONDSTORE.
            SyncPolicy::Condstore
        } else {
            SyncPolicy::Basic
        }
    }
}

/// What SELECT told us about the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SelectedMailbox {
    /// UIDVALIDITY (RFC 3501 §2.3.1.1).
    pub uid_validity: u32,
    /// UIDNEXT, from SELECT or else from STATUS.
    pub uid_next: u32,
    /// HIGHESTMODSEQ, when CONDSTORE is on (RFC 7162 §3.1.2.1).
    pub highest_modseq: Option<u64>,
    /// EXISTS: how many messages the mailbox has.
    pub exists: u32,
}

/// Which new messages to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NewMessages {
    /// None can be new.
    Nothing,
    /// Those with UID ≥ this.
    From(u32),
    /// Every UID on the server that is not cached.
    AllMissing,
}

/// How to find flag changes of cached messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlagChanges {
    /// Nothing changed, or nothing is cached.
    Nothing,
    /// `UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE modseq [VANISHED])`.
    ChangedSince {
        /// The cached HIGHESTMODSEQ.
        modseq: u64,
        /// Also ask for VANISHED (QRESYNC), which reports expunges in the same answer.
        vanished: bool,
    },
    /// `UID FETCH 1:<cached UIDNEXT - 1> (UID FLAGS)` and compare every message.
    CompareAll,
}

/// How to find expunged messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expunges {
    /// None can have gone.
    Nothing,
    /// From the VANISHED (EARLIER) answer to the flag fetch.
    FromVanished,
    /// `UID SEARCH ALL` and drop every cached UID the server no longer has.
    SearchAllDiff,
}

/// What to do for one mailbox, decided at SELECT time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncPlan {
    /// What SELECT said.
    pub selected: SelectedMailbox,
    /// Drop every cached message of this mailbox first.
    pub clear_cache: bool,
    /// Which new messages to fetch.
    pub new_messages: NewMessages,
    /// How to find flag changes.
    pub flag_changes: FlagChanges,
    /// How to find expunges.
    pub expunges: Expunges,
    /// Server misbehaviour worth telling the user about.
    pub warnings: Vec<String>,
}

/// The resync rules: what to do given the cached sync state and what SELECT said.
///
/// `cached_count` is how many messages the cache holds for this mailbox and UIDVALIDITY.
/// Rule 0, a SELECT without UIDNEXT, is handled before this by [`select_mailbox`] (STATUS).
pub fn resync_rules(
    cached: Option<&Mailbox>,
    cached_count: usize,
    server: SelectedMailbox,
    policy: SyncPolicy,
) -> SyncPlan {
    let plan = |clear_cache, new_messages, flag_changes, expunges, warnings| SyncPlan {
        selected: server,
        clear_cache,
        new_messages,
        flag_changes,
        expunges,
        warnings,
    };
    // Rule 1, first select: nothing is cached, so fetch everything. Any rows left from a sync
    // that crashed before writing the mailbox state are cleared rather than trusted.
    let Some(cached) = cached else {
        return plan(true, NewMessages::From(1), FlagChanges::Nothing, Expunges::Nothing, Vec::new());
    };
    // Rule 2, UIDVALIDITY changed (RFC 3501 §2.3.1.1): every cached UID may now name another
    // message; drop the cache and fetch everything again.
    if cached.uid_validity != server.uid_validity {
        return plan(true, NewMessages::From(1), FlagChanges::Nothing, Expunges::Nothing, Vec::new());
    }
    // Rule 3, UIDNEXT went down: RFC 3501 §2.3.1.1 says UIDs only ever grow, so this is a
    // server bug (chatmail saw servers "illegally decrease" it). Trust nothing: compare all.
    if server.uid_next < cached.uid_next {
        let warning = format!(
            "The server decreased UIDNEXT from {} to {} without changing UIDVALIDITY; resyncing the whole mailbox.",
            cached.uid_next, server.uid_next
        );
        tracing::warn!(mailbox = %cached.name, "{warning}");
        return plan(
            false,
            NewMessages::AllMissing,
            FlagChanges::CompareAll,
            Expunges::SearchAllDiff,
            vec![warning],
        );
    }
    let new_messages = if server.uid_next > cached.uid_next {
        NewMessages::From(cached.uid_next)
    } else {
        NewMessages::Nothing
    };
    // Without a cached message nothing can have changed flags or vanished.
    if cached_count == 0 {
        return plan(false, new_messages, FlagChanges::Nothing, Expunges::Nothing, Vec::new());
    }
    // How many cached messages the server should still have if none was expunged: an EXISTS
    // that equals cache + new arrivals (unknown here) cannot be checked, but with no new UIDs
    // an EXISTS equal to the cached count means nothing was expunged (RFC 3501 §7.3.1).
    let count_unchanged = new_messages == NewMessages::Nothing && server.exists as usize == cached_count;
    let modseqs = match (cached.highest_modseq, server.highest_modseq) {
        (Some(cached_modseq), Some(server_modseq)) if policy != SyncPolicy::Basic => {
            Some((cached_modseq, server_modseq))
        }
        _ => None,
    };
    match (policy, modseqs) {
        // Rule 4, HIGHESTMODSEQ unchanged (RFC 7162 §3.1.2.1: every flag change raises it, and
        // with QRESYNC every expunge too, §3.2.10): only new UIDs can differ.
        (SyncPolicy::Qresync, Some((cached_modseq, server_modseq))) if cached_modseq == server_modseq => {
            plan(false, new_messages, FlagChanges::Nothing, Expunges::Nothing, Vec::new())
        }
        // Rule 5, QRESYNC enabled: one `UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE m VANISHED)`
        // gives changed flags and expunged UIDs (RFC 7162 §3.2.6).
        (SyncPolicy::Qresync, Some((cached_modseq, _))) => plan(
            false,
            new_messages,
            FlagChanges::ChangedSince { modseq: cached_modseq, vanished: true },
            Expunges::FromVanished,
            Vec::new(),
        ),
        // Rule 6, CONDSTORE only: flags by CHANGEDSINCE (RFC 7162 §3.1.4.1); expunges do not
        // necessarily raise HIGHESTMODSEQ without QRESYNC, so compare UIDs unless the count
        // proves nothing went.
        (SyncPolicy::Condstore, Some((cached_modseq, server_modseq))) => {
            let flag_changes = if cached_modseq == server_modseq {
                FlagChanges::Nothing
            } else {
                FlagChanges::ChangedSince { modseq: cached_modseq, vanished: false }
            };
            let expunges = if count_unchanged { Expunges::Nothing } else { Expunges::SearchAllDiff };
            plan(false, new_messages, flag_changes, expunges, Vec::new())
        }
        // Rule 7, no mod-sequences to compare (basic server, or a sync that never finished):
        // RFC 4549 §4.3 — fetch all flags and compare all UIDs.
        _ => {
            let expunges = if count_unchanged { Expunges::Nothing } else { Expunges::SearchAllDiff };
            plan(false, new_messages, FlagChanges::CompareAll, expunges, Vec::new())
        }
    }
}

/// Selects `mailbox` the way `policy` needs; returns what the server said and the policy that
/// is really in force (QRESYNC falls back to CONDSTORE when `ENABLE` did not switch it on).
///
/// With QRESYNC, `ENABLE QRESYNC` is sent once per connection first (RFC 7162 §3.2.3); with
/// CONDSTORE, `SELECT … (CONDSTORE)` makes the server report HIGHESTMODSEQ (RFC 7162 §3.1.8).
/// A SELECT without UIDVALIDITY is an error, never an empty mailbox: a dead session answers that
/// way. Rule 0 of the resync rules: a SELECT without UIDNEXT (RFC 3501 §6.3.1 makes it only
/// SHOULD; chatmail met servers that omit it) falls back to `STATUS (UIDNEXT)`.
pub async fn select_mailbox(
    session: &mut ImapSession,
    mailbox: &str,
    policy: SyncPolicy,
) -> Result<(SelectedMailbox, SyncPolicy)> {
    let mut policy = policy;
    if policy == SyncPolicy::Qresync && session.qresync_enabled.is_none() {
        let mut enabled = false;
        session
            .command_ok("ENABLE", "ENABLE QRESYNC", |response| {
                // `* ENABLED QRESYNC` parses like a capability list.
                if let Some(list) = capabilities_in(response) {
                    enabled |= list.iter().any(|c| c.eq_ignore_ascii_case("QRESYNC"));
                }
            })
            .await?;
        session.qresync_enabled = Some(enabled);
    }
    if policy == SyncPolicy::Qresync && session.qresync_enabled != Some(true) {
        // The server advertised QRESYNC but did not enable it: CONDSTORE still works.
        tracing::warn!(mailbox, "The server did not enable QRESYNC; using CONDSTORE.");
        policy = SyncPolicy::Condstore;
    }
    let quoted = quote(mailbox)?;
    let command = if policy == SyncPolicy::Basic {
        format!("SELECT {quoted}")
    } else {
        format!("SELECT {quoted} (CONDSTORE)")
    };
    let mut uid_validity = None;
    let mut uid_next = None;
    let mut highest_modseq = None;
    let mut exists = None;
    let tagged = session
        .command("SELECT", &command, |response| match response {
            Response::MailboxData(MailboxDatum::Exists(n)) => exists = Some(*n),
            Response::Data { status: Status::Ok, outcome } => match outcome.code {
                Some(ResponseCode::UidValidity(v)) => uid_validity = Some(v),
                Some(ResponseCode::UidNext(n)) => uid_next = Some(n),
                Some(ResponseCode::HighestModSeq(m)) => highest_modseq = Some(m),
                _ => {}
            },
            _ => {}
        })
        .await?;
    if let Tagged::No(text) = tagged {
        tracing::info!(mailbox, reason = %text, "SELECT refused.");
        return Err(ImapError::MailboxMissing(mailbox.to_owned()));
    }
    let Some(uid_validity) = uid_validity else {
        return Err(
            session.drop_after(ImapError::Protocol(format!("SELECT {mailbox} returned no UIDVALIDITY")))
        );
    };
    let uid_next = match uid_next {
        Some(uid_next) => uid_next,
        None => {
            let mut from_status = None;
            session
                .command_ok("STATUS", &format!("STATUS {quoted} (UIDNEXT)"), |response| {
                    if let Response::MailboxData(MailboxDatum::Status { status, .. }) = response {
                        for attribute in status {
                            if let StatusAttribute::UidNext(n) = attribute {
                                from_status = Some(*n);
                            }
                        }
                    }
                })
                .await?;
            from_status.ok_or_else(|| {
                session.drop_after(ImapError::Protocol(format!(
                    "neither SELECT nor STATUS gave UIDNEXT for {mailbox}"
                )))
            })?
        }
    };
    Ok((SelectedMailbox { uid_validity, uid_next, highest_modseq, exists: exists.unwrap_or(0) }, policy))
}

/// A mailbox name as an IMAP quoted string; names with line breaks cannot be sent.
pub(crate) fn quote(mailbox: &str) -> Result<String> {
    if mailbox.contains(['\r', '\n', '\0']) {
        return Err(ImapError::MailboxMissing(mailbox.to_owned()));
    }
    Ok(format!("\"{}\"", mailbox.replace('\\', "\\\\").replace('"', "\\\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(uid_validity: u32, uid_next: u32, highest_modseq: Option<u64>) -> Mailbox {
        Mailbox { account: "a".into(), name: "INBOX".into(), uid_validity, uid_next, highest_modseq }
    }

    fn server(uid_validity: u32, uid_next: u32, highest_modseq: Option<u64>, exists: u32) -> SelectedMailbox {
        SelectedMailbox { uid_validity, uid_next, highest_modseq, exists }
    }

    /// rule, cached state, cached count, SELECT answer, policy, then the expected clear/new/flags/expunges.
    type Case = (
        &'static str,
        Option<Mailbox>,
        usize,
        SelectedMailbox,
        SyncPolicy,
        bool,
        NewMessages,
        FlagChanges,
        Expunges,
    );

    #[test]
    fn each_rule_gives_its_plan() {
        use Expunges as E;
        use FlagChanges as F;
        use NewMessages as N;
        use SyncPolicy::*;
        let changed_since = |modseq, vanished| F::ChangedSince { modseq, vanished };
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("first select", None, 0, server(7, 51, Some(9), 50), Qresync, true, N::From(1), F::Nothing, E::Nothing),
            ("UIDVALIDITY changed", Some(cached(7, 51, Some(9))), 50, server(8, 51, Some(9), 50), Qresync,
                true, N::From(1), F::Nothing, E::Nothing),
            ("UIDNEXT went down", Some(cached(7, 51, Some(9))), 50, server(7, 40, Some(9), 39), Qresync,
                false, N::AllMissing, F::CompareAll, E::SearchAllDiff),
            ("modseq unchanged, 5 new", Some(cached(7, 51, Some(9))), 50, server(7, 56, Some(9), 55), Qresync,
                false, N::From(51), F::Nothing, E::Nothing),
            ("nothing at all changed", Some(cached(7, 51, Some(9))), 50, server(7, 51, Some(9), 50), Qresync,
                false, N::Nothing, F::Nothing, E::Nothing),
            ("QRESYNC, modseq moved", Some(cached(7, 51, Some(9))), 50, server(7, 51, Some(12), 49), Qresync,
                false, N::Nothing, changed_since(9, true), E::FromVanished),
            ("CONDSTORE, modseq moved, one gone", Some(cached(7, 51, Some(9))), 50, server(7, 51, Some(12), 49), Condstore,
                false, N::Nothing, changed_since(9, false), E::SearchAllDiff),
            ("CONDSTORE, modseq moved, count same", Some(cached(7, 51, Some(9))), 50, server(7, 51, Some(12), 50), Condstore,
                false, N::Nothing, changed_since(9, false), E::Nothing),
            ("basic server", Some(cached(7, 51, None)), 50, server(7, 53, None, 52), Basic,
                false, N::From(51), F::CompareAll, E::SearchAllDiff),
            ("QRESYNC but unfinished first sync", Some(cached(7, 21, None)), 20, server(7, 51, Some(9), 50), Qresync,
                false, N::From(21), F::CompareAll, E::SearchAllDiff),
            ("nothing cached yet, 5 new", Some(cached(7, 1, None)), 0, server(7, 6, Some(3), 5), Qresync,
                false, N::From(1), F::Nothing, E::Nothing),
        ];
        for (name, cached, count, server, policy, clear, new, flags, expunges) in cases {
            let plan = resync_rules(cached.as_ref(), count, server, policy);
            assert_eq!(
                (plan.clear_cache, plan.new_messages, plan.flag_changes, plan.expunges),
                (clear, new, flags, expunges),
                "rule: {name}"
            );
            assert_eq!(plan.selected, server, "rule: {name}");
        }
    }

    #[test]
    fn a_decreasing_uidnext_is_reported() {
        let plan = resync_rules(Some(&cached(7, 51, None)), 50, server(7, 40, None, 39), SyncPolicy::Basic);
        assert_eq!(plan.warnings.len(), 1);
        assert!(plan.warnings[0].contains("from 51 to 40"), "{:?}", plan.warnings);
    }

    #[test]
    fn policy_follows_capabilities() {
        let caps = |list: &str| list.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            SyncPolicy::from_capabilities(&caps("IMAP4rev1 ENABLE CONDSTORE QRESYNC")),
            SyncPolicy::Qresync
        );
        assert_eq!(SyncPolicy::from_capabilities(&caps("IMAP4rev1 QRESYNC")), SyncPolicy::Condstore);
        assert_eq!(SyncPolicy::from_capabilities(&caps("IMAP4rev1 condstore")), SyncPolicy::Condstore);
        assert_eq!(SyncPolicy::from_capabilities(&caps("IMAP4rev1 IDLE")), SyncPolicy::Basic);
    }

    #[test]
    fn mailbox_names_are_quoted_and_line_breaks_refused() {
        assert_eq!(quote("INBOX").ok().as_deref(), Some("\"INBOX\""));
        assert_eq!(quote("a\"b\\c").ok().as_deref(), Some("\"a\\\"b\\\\c\""));
        assert!(quote("x\r\nA1 LOGOUT").is_err());
    }
}
