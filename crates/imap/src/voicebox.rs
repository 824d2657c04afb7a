//! The voicemail-box operations of a visual-voicemail (VVM) client: how full the box is, the
//! telephone-UI PIN, the prompt language, the new-user tutorial, and the user's recorded greetings.
//!
//! Every command comes from the account's [`DialectStrategy`] (OMTP VVM 1.3 sends
//! `XCHANGE_TUI_PWD PWD=new OLD_PWD=old`, `XCHANGE_VM_LANG LANG=n` and `XCLOSE_NUT`; CVVM and VVM3
//! the same without the `X`), and runs through the session's command runner with its timeouts. A
//! dialect without the command is [`ImapError::NotOffered`]; an argument that could break the
//! command line (a PIN with anything but digits, a language with spaces or line breaks) is
//! [`ImapError::NotSendable`] and nothing is sent. The server's `NO` reasons of the OMTP spec
//! (`password too short`, `old password mismatch`, `invalid language`, …) become
//! [`PinRefusal`] and [`LanguageRefusal`], with the server's words kept for the log; a `NO` keeps
//! the session usable.
//!
//! Quota (RFC 9208, `GETQUOTAROOT INBOX`): `* QUOTAROOT` names the roots and each `* QUOTA root
//! (resource used limit …)` gives their usage; STORAGE counts units of 1024 octets, MESSAGE counts
//! messages, and resources this module does not know are kept by name. A root named by QUOTAROOT
//! without a QUOTA line is listed with no resources; a QUOTA for a root QUOTAROOT did not name is
//! kept too. A line the IMAP parser cannot read at all ends the session like any malformed
//! response (see `session`): it is an error, never a wrong number.
//!
//! Greetings live in a folder of their own (`Greetings` for the OMTP family), whose real spelling
//! on the server is found with LIST, case-insensitively, at the top level or under INBOX. The
//! active greeting of a kind carries the keyword [`GREETING_ON`]. This module does not parse MIME:
//! which greeting is of which kind (`X-CNS-Greeting-Type`) is `tidings-voicemail`'s business, so
//! [`activate_greeting`] is told the UIDs of the other greetings of the same kind.

use async_imap::imap_proto::rfc2087::QuotaResourceName;
use async_imap::imap_proto::{AttributeValue, MailboxDatum, NameAttribute, Response};
use serde::Serialize;

use crate::dialect::{DialectStrategy, Extension};
use crate::select::{quote, select_mailbox, SyncPolicy};
use crate::session::{ImapSession, Tagged};
use crate::{ImapError, Result};

/// The keyword of the greeting the server plays (OMTP VVM 1.3, greeting messages).
pub const GREETING_ON: &str = "$CNS-Greeting-On";

/// What a quota resource counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuotaResource {
    /// RFC 9208 STORAGE: the size of the messages, in units of 1024 octets.
    StorageKib,
    /// RFC 9208 MESSAGE: the number of messages.
    Messages,
    /// A resource this module does not know, as the server named it (upper-cased).
    Other(String),
}

/// One resource of a quota root: how much is used out of how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaUsage {
    /// What is counted.
    pub resource: QuotaResource,
    /// How much is used.
    pub used: u64,
    /// The most allowed.
    pub limit: u64,
}

/// A quota root the voicemail box falls under, with its resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaRoot {
    /// The root's name (often empty, or a name like `User quota`).
    pub name: String,
    /// Its resources, in the server's order.
    pub resources: Vec<QuotaUsage>,
}

impl QuotaRoot {
    /// The usage of `resource` in this root, if the server reported it.
    pub fn usage(&self, resource: &QuotaResource) -> Option<&QuotaUsage> {
        self.resources.iter().find(|usage| &usage.resource == resource)
    }
}

/// Why the server refused a new telephone-UI PIN (OMTP VVM 1.3 §2.3, change password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinRefusal {
    /// `password too short`.
    TooShort,
    /// `password too long`.
    TooLong,
    /// `password too weak` (e.g. 1111 or 1234).
    TooWeak,
    /// `old password mismatch`: the current PIN given was wrong.
    Mismatch,
    /// `password contains invalid characters`.
    InvalidCharacters,
    /// `system error`: nothing the user can fix; retry later.
    System,
    /// A reason the spec does not list; the server's text is in the error.
    Other,
}

impl PinRefusal {
    /// The refusal a `NO` text names; servers differ in case and may add words around it.
    pub fn from_server_text(text: &str) -> PinRefusal {
        let text = text.to_ascii_lowercase();
        // "old password mismatch" comes first: it is the one reason that names the old PIN.
        let reasons = [
            ("old password mismatch", PinRefusal::Mismatch),
            ("invalid character", PinRefusal::InvalidCharacters),
            ("too short", PinRefusal::TooShort),
            ("too long", PinRefusal::TooLong),
            ("too weak", PinRefusal::TooWeak),
            ("system error", PinRefusal::System),
        ];
        reasons.into_iter().find(|(words, _)| text.contains(words)).map_or(PinRefusal::Other, |(_, r)| r)
    }
}

/// Why the server refused a prompt language (OMTP VVM 1.3 §2.4, change language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LanguageRefusal {
    /// `invalid language`: the box does not have this language.
    Invalid,
    /// `system error`: retry later.
    System,
    /// A reason the spec does not list; the server's text is in the error.
    Other,
}

impl LanguageRefusal {
    /// The refusal a `NO` text names.
    pub fn from_server_text(text: &str) -> LanguageRefusal {
        let text = text.to_ascii_lowercase();
        if text.contains("invalid language") {
            LanguageRefusal::Invalid
        } else if text.contains("system error") {
            LanguageRefusal::System
        } else {
            LanguageRefusal::Other
        }
    }
}

/// One greeting as stored on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedGreeting {
    /// Its UID in the greetings folder.
    pub uid: u32,
    /// Its keywords (flags without the system flags such as `\Seen`), as the server spelled them.
    pub keywords: Vec<String>,
    /// The whole message (MIME with the audio attachment).
    pub raw: Vec<u8>,
}

impl FetchedGreeting {
    /// True when it carries [`GREETING_ON`].
    pub fn is_on(&self) -> bool {
        self.keywords.iter().any(|keyword| keyword.eq_ignore_ascii_case(GREETING_ON))
    }
}

/// The quota roots of INBOX, by `GETQUOTAROOT INBOX`. Visual-voicemail strategies always ask;
/// other dialects only when the server announced QUOTA.
pub async fn quota(session: &mut ImapSession, strategy: &dyn DialectStrategy) -> Result<Vec<QuotaRoot>> {
    let command = match strategy.quota_command() {
        Some(command) => command,
        None if session.dialect().has(Extension::Quota) => "GETQUOTAROOT INBOX".to_owned(),
        None => return Err(ImapError::NotOffered { what: "quota command" }),
    };
    let mut roots: Vec<QuotaRoot> = Vec::new();
    let tagged = session
        .command("GETQUOTAROOT", &command, |response| match response {
            Response::QuotaRoot(listed) => {
                for name in &listed.quota_root_names {
                    root_named(&mut roots, name);
                }
            }
            Response::Quota(quota) => {
                root_named(&mut roots, &quota.root_name).resources = quota
                    .resources
                    .iter()
                    .map(|resource| QuotaUsage {
                        resource: match &resource.name {
                            QuotaResourceName::Storage => QuotaResource::StorageKib,
                            QuotaResourceName::Message => QuotaResource::Messages,
                            QuotaResourceName::Atom(name) => QuotaResource::Other(name.to_ascii_uppercase()),
                        },
                        used: resource.usage,
                        limit: resource.limit,
                    })
                    .collect();
            }
            _ => {}
        })
        .await?;
    match tagged {
        Tagged::Ok => Ok(roots),
        Tagged::No(server_text) => Err(ImapError::CommandRefused { during: "GETQUOTAROOT", server_text }),
    }
}

/// The root called `name`, added at the end when it is new.
fn root_named<'a>(roots: &'a mut Vec<QuotaRoot>, name: &str) -> &'a mut QuotaRoot {
    let index = match roots.iter().position(|root| root.name == name) {
        Some(index) => index,
        None => {
            roots.push(QuotaRoot { name: name.to_owned(), resources: Vec::new() });
            roots.len() - 1
        }
    };
    &mut roots[index]
}

/// Changes the telephone-UI PIN from `old_pin` to `new_pin` (digits only, checked before
/// anything is sent). A refusal is [`ImapError::PinRefused`] and the session stays usable.
pub async fn change_tui_password(
    session: &mut ImapSession,
    strategy: &dyn DialectStrategy,
    old_pin: &str,
    new_pin: &str,
) -> Result<()> {
    for pin in [old_pin, new_pin] {
        if pin.is_empty() || !pin.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(ImapError::NotSendable { what: "PIN", reason: "a PIN is one or more digits 0-9" });
        }
    }
    let Some(command) = strategy.change_pin_command(old_pin, new_pin) else {
        return Err(if strategy.change_pin_command("0", "0").is_some() {
            ImapError::NotSendable { what: "PIN", reason: "it is longer than the command allows" }
        } else {
            ImapError::NotOffered { what: "TUI password command" }
        });
    };
    match session.command("CHANGE_TUI_PWD", &command, |_| {}).await? {
        Tagged::Ok => Ok(()),
        Tagged::No(server_text) => {
            Err(ImapError::PinRefused { reason: PinRefusal::from_server_text(&server_text), server_text })
        }
    }
}

/// Changes the voicemail prompt language (the box's own code, e.g. `1` or `en`; letters, digits,
/// `-` and `_` only, checked before anything is sent).
pub async fn change_language(
    session: &mut ImapSession,
    strategy: &dyn DialectStrategy,
    language: &str,
) -> Result<()> {
    let sendable = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
    if language.is_empty() || !language.bytes().all(sendable) {
        return Err(ImapError::NotSendable {
            what: "language",
            reason: "a language code is letters, digits, '-' and '_'",
        });
    }
    let Some(command) = strategy.change_language_command(language) else {
        return Err(if strategy.change_language_command("1").is_some() {
            ImapError::NotSendable { what: "language", reason: "it is longer than the command allows" }
        } else {
            ImapError::NotOffered { what: "voicemail language command" }
        });
    };
    match session.command("CHANGE_VM_LANG", &command, |_| {}).await? {
        Tagged::Ok => Ok(()),
        Tagged::No(server_text) => Err(ImapError::LanguageRefused {
            reason: LanguageRefusal::from_server_text(&server_text),
            server_text,
        }),
    }
}

/// Ends the new-user tutorial the telephone UI plays.
pub async fn close_tutorial(session: &mut ImapSession, strategy: &dyn DialectStrategy) -> Result<()> {
    let Some(command) = strategy.close_tutorial_command() else {
        return Err(ImapError::NotOffered { what: "tutorial-closing command" });
    };
    match session.command("CLOSE_NUT", &command, |_| {}).await? {
        Tagged::Ok => Ok(()),
        Tagged::No(server_text) => Err(ImapError::CommandRefused { during: "CLOSE_NUT", server_text }),
    }
}

/// A mailbox as LIST showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    name: String,
    delimiter: Option<String>,
    selectable: bool,
}

/// The server's real name of the strategy's greetings folder, found with `LIST "" "*"`;
/// `None` when the server has no such folder.
pub async fn greetings_mailbox(
    session: &mut ImapSession,
    strategy: &dyn DialectStrategy,
) -> Result<Option<String>> {
    let Some(wanted) = strategy.greetings_mailbox() else {
        return Err(ImapError::NotOffered { what: "greetings folder" });
    };
    let mut listed = Vec::new();
    session
        .command_ok("LIST", "LIST \"\" \"*\"", |response| {
            if let Response::MailboxData(MailboxDatum::List(list)) = response {
                listed.push(Listed {
                    name: list.name.to_string(),
                    delimiter: list.delimiter.as_deref().map(str::to_owned),
                    selectable: !list.name_attributes.iter().any(|a| matches!(a, NameAttribute::NoSelect)),
                });
            }
        })
        .await?;
    Ok(pick_greetings_folder(wanted, &listed))
}

/// The best of the listed folders for `wanted`: the exact spelling, else a top-level folder of
/// that name in another case, else one directly under INBOX (`INBOX.Greetings`, `INBOX/greetings`).
fn pick_greetings_folder(wanted: &str, listed: &[Listed]) -> Option<String> {
    let under_inbox = |folder: &Listed| {
        let delimiter = folder.delimiter.as_deref().filter(|d| !d.is_empty())?;
        let (parent, child) = folder.name.split_once(delimiter)?;
        (parent.eq_ignore_ascii_case("INBOX") && child.eq_ignore_ascii_case(wanted)).then_some(())
    };
    let selectable = || listed.iter().filter(|folder| folder.selectable);
    selectable()
        .find(|folder| folder.name == wanted)
        .or_else(|| selectable().find(|folder| folder.name.eq_ignore_ascii_case(wanted)))
        .or_else(|| selectable().find(|folder| under_inbox(folder).is_some()))
        .map(|folder| folder.name.clone())
}

/// Every greeting in `mailbox`: UID, keywords and the whole message, by
/// `UID FETCH 1:* (UID FLAGS BODY.PEEK[])` (the runner's literal limit applies).
pub async fn list_greetings(session: &mut ImapSession, mailbox: &str) -> Result<Vec<FetchedGreeting>> {
    let (selected, _) = select_mailbox(session, mailbox, SyncPolicy::Basic).await?;
    if selected.exists == 0 {
        // Some servers answer a FETCH of `1:*` in an empty mailbox with NO or BAD.
        return Ok(Vec::new());
    }
    let mut greetings: Vec<FetchedGreeting> = Vec::new();
    session
        .command_ok("UID FETCH", "UID FETCH 1:* (UID FLAGS BODY.PEEK[])", |response| {
            let Response::Fetch(_, attributes) = response else { return };
            let mut uid = None;
            let mut keywords = Vec::new();
            let mut raw = None;
            for attribute in attributes {
                match attribute {
                    AttributeValue::Uid(value) => uid = Some(*value),
                    AttributeValue::Flags(flags) => {
                        keywords =
                            flags.iter().filter(|f| !f.starts_with('\\')).map(|f| f.to_string()).collect()
                    }
                    AttributeValue::BodySection { section: None, data: Some(data), .. } => {
                        raw = Some(data.to_vec())
                    }
                    _ => {}
                }
            }
            // An unsolicited FETCH (flags of one message, no body) is not a greeting to list.
            if let (Some(uid), Some(raw)) = (uid, raw) {
                greetings.retain(|greeting| greeting.uid != uid);
                greetings.push(FetchedGreeting { uid, keywords, raw });
            }
        })
        .await?;
    greetings.sort_by_key(|greeting| greeting.uid);
    Ok(greetings)
}

/// Makes greeting `uid` of `mailbox` the one played: sets [`GREETING_ON`] on it, then removes
/// it from `others` (the other greetings of the same kind, which the caller knows from their
/// MIME). Setting comes first so that a failure in between leaves the user's choice on.
pub async fn activate_greeting(
    session: &mut ImapSession,
    mailbox: &str,
    uid: u32,
    others: &[u32],
) -> Result<()> {
    select_mailbox(session, mailbox, SyncPolicy::Basic).await?;
    let mut stored = false;
    let command = format!("UID STORE {uid} +FLAGS ({GREETING_ON})");
    let tagged = session
        .command("UID STORE", &command, |response| {
            if let Response::Fetch(_, attributes) = response {
                stored |= attributes.iter().any(|a| matches!(a, AttributeValue::Uid(found) if *found == uid));
            }
        })
        .await?;
    if let Tagged::No(server_text) = tagged {
        return Err(ImapError::CommandRefused { during: "UID STORE", server_text });
    }
    // RFC 3501 §6.4.8: a UID STORE answers with a FETCH per message changed; none means no such UID.
    if !stored {
        return Err(ImapError::MessageMissing { mailbox: mailbox.to_owned(), uid });
    }
    let others: Vec<String> = others.iter().filter(|other| **other != uid).map(u32::to_string).collect();
    if others.is_empty() {
        return Ok(());
    }
    store_silently(session, &others.join(","), &format!("-FLAGS.SILENT ({GREETING_ON})")).await
}

/// Takes [`GREETING_ON`] off greeting `uid` of `mailbox` (the server then plays its default).
pub async fn deactivate_greeting(session: &mut ImapSession, mailbox: &str, uid: u32) -> Result<()> {
    select_mailbox(session, mailbox, SyncPolicy::Basic).await?;
    store_silently(session, &uid.to_string(), &format!("-FLAGS.SILENT ({GREETING_ON})")).await
}

async fn store_silently(session: &mut ImapSession, uids: &str, change: &str) -> Result<()> {
    match session.command("UID STORE", &format!("UID STORE {uids} {change}"), |_| {}).await? {
        Tagged::Ok => Ok(()),
        Tagged::No(server_text) => Err(ImapError::CommandRefused { during: "UID STORE", server_text }),
    }
}

/// Stores `message` (a complete greeting message, MIME built by the caller) in `mailbox` with
/// APPEND, carrying [`GREETING_ON`] when `activate` (the caller then deactivates the others of
/// its kind). Returns the new UID when the server tells it (RFC 4315 `APPENDUID`).
pub async fn upload_greeting(
    session: &mut ImapSession,
    mailbox: &str,
    message: &[u8],
    activate: bool,
) -> Result<Option<u32>> {
    if message.is_empty() {
        return Err(ImapError::NotSendable { what: "greeting", reason: "the message is empty" });
    }
    let flags = if activate { format!(" ({GREETING_ON})") } else { String::new() };
    let command = format!("APPEND {}{flags} {{{}}}", quote(mailbox)?, message.len());
    match session.command_with_literal("APPEND", &command, message, |_| {}).await? {
        (Tagged::Ok, uid) => Ok(uid),
        (Tagged::No(server_text), _) => Err(ImapError::CommandRefused { during: "APPEND", server_text }),
    }
}

/// Deletes greeting `uid` of `mailbox`: `\Deleted`, then `UID EXPUNGE` with UIDPLUS. Without
/// UIDPLUS a plain EXPUNGE also removes any other message already marked `\Deleted` there.
pub async fn delete_greeting(session: &mut ImapSession, mailbox: &str, uid: u32) -> Result<()> {
    select_mailbox(session, mailbox, SyncPolicy::Basic).await?;
    store_silently(session, &uid.to_string(), "+FLAGS.SILENT (\\Deleted)").await?;
    let (during, command) = if session.dialect().has(Extension::Uidplus) {
        ("UID EXPUNGE", format!("UID EXPUNGE {uid}"))
    } else {
        ("EXPUNGE", "EXPUNGE".to_owned())
    };
    match session.command(during, &command, |_| {}).await? {
        Tagged::Ok => Ok(()),
        Tagged::No(server_text) => Err(ImapError::CommandRefused { during, server_text }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_omtp_pin_reason_is_recognised_whatever_the_case_and_wording_around_it() {
        let cases = [
            ("password too short", PinRefusal::TooShort),
            ("Password too long", PinRefusal::TooLong),
            ("PASSWORD TOO WEAK", PinRefusal::TooWeak),
            ("old password mismatch", PinRefusal::Mismatch),
            ("password contains invalid characters", PinRefusal::InvalidCharacters),
            ("system error", PinRefusal::System),
            ("[ALERT] system error, try later", PinRefusal::System),
            ("mailbox locked", PinRefusal::Other),
            ("", PinRefusal::Other),
        ];
        for (text, expected) in cases {
            assert_eq!(PinRefusal::from_server_text(text), expected, "{text:?}");
        }
        assert_eq!(LanguageRefusal::from_server_text("invalid language"), LanguageRefusal::Invalid);
        assert_eq!(LanguageRefusal::from_server_text("System Error"), LanguageRefusal::System);
        assert_eq!(LanguageRefusal::from_server_text("nope"), LanguageRefusal::Other);
    }

    fn listed(name: &str, delimiter: &str, selectable: bool) -> Listed {
        Listed {
            name: name.to_owned(),
            delimiter: (!delimiter.is_empty()).then(|| delimiter.to_owned()),
            selectable,
        }
    }

    #[test]
    fn the_greetings_folder_is_found_in_every_spelling_servers_use() {
        let cases: [(&[Listed], Option<&str>); 8] = [
            (&[listed("INBOX", ".", true), listed("Greetings", ".", true)], Some("Greetings")),
            (&[listed("INBOX", "/", true), listed("GREETINGS", "/", true)], Some("GREETINGS")),
            (&[listed("greetings", "/", true)], Some("greetings")),
            (&[listed("INBOX", ".", true), listed("INBOX.Greetings", ".", true)], Some("INBOX.Greetings")),
            (&[listed("inbox/greetings", "/", true)], Some("inbox/greetings")),
            // The exact spelling wins over another case, a top-level folder over one under INBOX.
            (
                &[
                    listed("INBOX.Greetings", ".", true),
                    listed("GREETINGS", ".", true),
                    listed("Greetings", ".", true),
                ],
                Some("Greetings"),
            ),
            // Not selectable, deeper, or only a similar name: no greetings folder.
            (
                &[
                    listed("Greetings", "/", false),
                    listed("Archive/Greetings", "/", true),
                    listed("INBOX/Greetings/Old", "/", true),
                    listed("Greetings2", "/", true),
                ],
                None,
            ),
            (&[listed("INBOX.Greetings", "", true)], None),
        ];
        for (folders, expected) in cases {
            assert_eq!(pick_greetings_folder("Greetings", folders).as_deref(), expected, "{folders:?}");
        }
    }

    #[test]
    fn a_greeting_is_on_with_the_keyword_in_any_case() {
        let greeting = |keywords: &[&str]| FetchedGreeting {
            uid: 1,
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            raw: Vec::new(),
        };
        assert!(greeting(&["$CNS-Greeting-On"]).is_on());
        assert!(greeting(&["$cns-greeting-on", "$Other"]).is_on());
        assert!(!greeting(&["$Other"]).is_on());
    }
}
