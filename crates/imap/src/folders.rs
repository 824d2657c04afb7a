//! An account's folders: [`list_folders`] asks the server for every mailbox, reads which one
//! holds sent mail, drafts, trash… (its [`FolderRole`]) and decodes the names for display;
//! [`folder_status`] asks one folder's counts with STATUS.
//!
//! Where a role comes from, first source that has it wins:
//! 1. RFC 6154 attributes (`\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`, `\All`, `\Flagged`),
//!    asked with `LIST "" "*" RETURN (SPECIAL-USE)` when the server announces SPECIAL-USE and
//!    read from a plain `LIST "" "*"` otherwise (many servers send them anyway). The XLIST-era
//!    spellings `\Spam` and `\Starred` count too. `\AllMail` cannot: async-imap's parser reads
//!    `\All` and then fails on `Mail`, which ends the LIST with an error.
//! 2. For a role no attribute gave to any folder: a well-known name ([`ROLE_NAMES`]) of a folder
//!    at the top level or directly under INBOX, compared case-insensitively after decoding. One
//!    folder per role: the name earlier in the table wins, then the folder name.
//!
//! `INBOX` (any case, RFC 3501 §5.1) is always [`FolderRole::Inbox`], and always in the list: a
//! listing without it gets it added, since INBOX always exists. A folder with `\Noselect`
//! or `\NonExistent` (RFC 5258) is listed, not selectable. The list is ordered for the folder
//! pane: the inbox, then the roles in [`FolderRole`]'s order, then the others by display name.
//!
//! Names are kept as the server spells them for commands, and decoded from modified UTF-7
//! (RFC 3501 §5.1.3) for display by [`decode_modified_utf7`]; a name that is not valid modified
//! UTF-7 is shown as it is. This module does not sync the folders (`sync.rs`) or store them.

use async_imap::imap_proto::{MailboxDatum, NameAttribute, Response, StatusAttribute};
use serde::Serialize;

use crate::dialect::Extension;
use crate::select::quote;
use crate::session::{ImapSession, Tagged};
use crate::{ImapError, Result};

/// What a folder is for, as RFC 6154 names it (plus the inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderRole {
    /// The inbox (RFC 3501 §5.1).
    Inbox,
    /// Messages being composed (`\Drafts`).
    Drafts,
    /// Copies of sent messages (`\Sent`).
    Sent,
    /// Messages kept out of the way (`\Archive`).
    Archive,
    /// Every message of the account, usually virtual (`\All`).
    All,
    /// Flagged messages, usually virtual (`\Flagged`).
    Flagged,
    /// Spam (`\Junk`).
    Junk,
    /// Deleted messages (`\Trash`).
    Trash,
}

/// Every role, in the order the folder list shows them.
const ROLE_ORDER: [FolderRole; 8] = [
    FolderRole::Inbox,
    FolderRole::Drafts,
    FolderRole::Sent,
    FolderRole::Archive,
    FolderRole::All,
    FolderRole::Flagged,
    FolderRole::Junk,
    FolderRole::Trash,
];

impl FolderRole {
    /// The name the store and the UI use: `inbox`, `sent`, `drafts`, …
    pub fn name(self) -> &'static str {
        match self {
            FolderRole::Inbox => "inbox",
            FolderRole::Drafts => "drafts",
            FolderRole::Sent => "sent",
            FolderRole::Archive => "archive",
            FolderRole::All => "all",
            FolderRole::Flagged => "flagged",
            FolderRole::Junk => "junk",
            FolderRole::Trash => "trash",
        }
    }

    /// The role named `name` (as [`FolderRole::name`] spells it).
    pub fn from_name(name: &str) -> Option<FolderRole> {
        ROLE_ORDER.into_iter().find(|role| role.name() == name)
    }
}

/// Well-known folder names per role, for servers that give no attribute: the names of the big
/// providers and of Outlook, Thunderbird and Apple Mail in English, German, Russian, French and
/// Spanish. Compared case-insensitively with the decoded last part of a folder's name; earlier
/// names win when two folders match one role.
pub const ROLE_NAMES: &[(FolderRole, &[&str])] = &[
    (
        FolderRole::Sent,
        &[
            "Sent",
            "Sent Items",
            "Sent Messages",
            "Sent Mail",
            "Gesendet",
            "Gesendete Objekte",
            "Gesendete Elemente",
            "Отправленные",
            "Envoyés",
            "Éléments envoyés",
            "Enviados",
            "Elementos enviados",
        ],
    ),
    (FolderRole::Drafts, &["Drafts", "Draft", "Entwürfe", "Черновики", "Brouillons", "Borradores"]),
    (
        FolderRole::Trash,
        &[
            "Trash",
            "Deleted Items",
            "Deleted Messages",
            "Bin",
            "Papierkorb",
            "Gelöschte Elemente",
            "Gelöschte Objekte",
            "Корзина",
            "Удаленные",
            "Corbeille",
            "Éléments supprimés",
            "Papelera",
            "Elementos eliminados",
        ],
    ),
    (
        FolderRole::Junk,
        &[
            "Junk",
            "Spam",
            "Junk E-mail",
            "Junk Email",
            "Junk-E-Mail",
            "Bulk Mail",
            "Спам",
            "Courrier indésirable",
            "Correo no deseado",
        ],
    ),
    (FolderRole::Archive, &["Archive", "Archives", "Archiv", "Архив", "Archivo"]),
];

/// One folder of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Folder {
    /// The name as the server spells it (modified UTF-7): what commands must use.
    pub name: String,
    /// The name for people: decoded, or `name` itself when it does not decode.
    pub display_name: String,
    /// The hierarchy delimiter (`/`, `.`), `None` for a flat server.
    pub delimiter: Option<String>,
    /// What the folder is for, when known.
    pub role: Option<FolderRole>,
    /// False for `\Noselect` and `\NonExistent` folders, which hold no messages.
    pub selectable: bool,
}

/// What STATUS says about one folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FolderStatus {
    /// Messages in the folder.
    pub messages: u32,
    /// Messages without `\Seen`.
    pub unseen: u32,
    /// The UID the next message will get.
    pub uid_next: u32,
    /// The folder's UIDVALIDITY.
    pub uid_validity: u32,
}

/// A mailbox as one LIST line showed it: name, delimiter, attributes lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    name: String,
    delimiter: Option<String>,
    attributes: Vec<String>,
}

/// Every folder of the account, with roles and display names; see the module's rules.
pub async fn list_folders(session: &mut ImapSession) -> Result<Vec<Folder>> {
    let mut listed = Vec::new();
    let special_use = session.dialect().extensions.contains(&Extension::SpecialUse);
    let mut answered = false;
    if special_use {
        let tagged = session
            .command("LIST", "LIST \"\" \"*\" RETURN (SPECIAL-USE)", |r| collect(r, &mut listed))
            .await?;
        // A server that announces SPECIAL-USE without LIST-EXTENDED may refuse the RETURN form.
        answered = tagged == Tagged::Ok;
        if !answered {
            listed.clear();
        }
    }
    if !answered {
        match session.command("LIST", "LIST \"\" \"*\"", |r| collect(r, &mut listed)).await? {
            Tagged::Ok => {}
            Tagged::No(server_text) => return Err(ImapError::CommandRefused { during: "LIST", server_text }),
        }
    }
    Ok(folders_of(listed))
}

fn collect(response: &Response<'_>, listed: &mut Vec<Listed>) {
    if let Response::MailboxData(MailboxDatum::List(list)) = response {
        listed.push(Listed {
            name: list.name.to_string(),
            delimiter: list.delimiter.as_deref().map(str::to_owned),
            attributes: list.name_attributes.iter().map(attribute_name).collect(),
        });
    }
}

fn attribute_name(attribute: &NameAttribute<'_>) -> String {
    let name = match attribute {
        NameAttribute::NoInferiors => "\\noinferiors",
        NameAttribute::NoSelect => "\\noselect",
        NameAttribute::Marked => "\\marked",
        NameAttribute::Unmarked => "\\unmarked",
        NameAttribute::All => "\\all",
        NameAttribute::Archive => "\\archive",
        NameAttribute::Drafts => "\\drafts",
        NameAttribute::Flagged => "\\flagged",
        NameAttribute::Junk => "\\junk",
        NameAttribute::Sent => "\\sent",
        NameAttribute::Trash => "\\trash",
        NameAttribute::Extension(other) => return other.to_lowercase(),
        // A variant a newer imap-proto adds: unknown here, so it says nothing.
        _ => "",
    };
    name.to_owned()
}

/// The role an attribute (lower-cased) declares.
fn role_of_attribute(attribute: &str) -> Option<FolderRole> {
    Some(match attribute {
        "\\sent" => FolderRole::Sent,
        "\\drafts" => FolderRole::Drafts,
        "\\trash" => FolderRole::Trash,
        "\\junk" | "\\spam" => FolderRole::Junk,
        "\\archive" => FolderRole::Archive,
        "\\all" | "\\allmail" => FolderRole::All,
        "\\flagged" | "\\starred" => FolderRole::Flagged,
        _ => return None,
    })
}

/// The folders of one LIST answer, with roles and in display order (pure: see the module's rules).
fn folders_of(listed: Vec<Listed>) -> Vec<Folder> {
    let mut folders: Vec<Folder> = Vec::with_capacity(listed.len());
    for entry in listed {
        // A name listed twice is one folder; its first line counts.
        if folders.iter().any(|folder| folder.name == entry.name) {
            continue;
        }
        let is_inbox = entry.name.eq_ignore_ascii_case("INBOX");
        let role = if is_inbox {
            Some(FolderRole::Inbox)
        } else {
            entry.attributes.iter().find_map(|attribute| role_of_attribute(attribute))
        };
        let selectable = !entry
            .attributes
            .iter()
            .any(|attribute| attribute == "\\noselect" || attribute == "\\nonexistent");
        let display_name = decode_modified_utf7(&entry.name).unwrap_or_else(|| entry.name.clone());
        folders.push(Folder { name: entry.name, display_name, delimiter: entry.delimiter, role, selectable });
    }
    // RFC 3501 §5.1: INBOX always exists. A server that leaves it out of the listing must not
    // make the caller believe it is gone (and drop its cache).
    if !folders.iter().any(|folder| folder.role == Some(FolderRole::Inbox)) {
        let delimiter = folders.iter().find_map(|folder| folder.delimiter.clone());
        folders.push(Folder {
            name: "INBOX".to_owned(),
            display_name: "INBOX".to_owned(),
            delimiter,
            role: Some(FolderRole::Inbox),
            selectable: true,
        });
    }
    for (role, names) in ROLE_NAMES {
        if folders.iter().any(|folder| folder.role == Some(*role)) {
            continue;
        }
        let best = folders
            .iter()
            .enumerate()
            .filter(|(_, folder)| folder.role.is_none() && folder.selectable)
            .filter_map(|(index, folder)| {
                let leaf = leaf_name(folder)?.to_lowercase();
                let rank = names.iter().position(|name| name.to_lowercase() == leaf)?;
                Some((rank, folder.name.clone(), index))
            })
            .min();
        if let Some((_, _, index)) = best {
            folders[index].role = Some(*role);
        }
    }
    folders.sort_by(|a, b| {
        let rank = |folder: &Folder| folder.role.map_or(ROLE_ORDER.len(), |role| role as usize);
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()))
            .then_with(|| a.name.cmp(&b.name))
    });
    folders
}

/// The decoded name of a folder at the top level, or the part after `INBOX<delimiter>` for one
/// directly under the inbox; `None` deeper down (a `Projects/Sent` is not the Sent folder).
fn leaf_name(folder: &Folder) -> Option<&str> {
    let name = folder.display_name.as_str();
    let Some(delimiter) = folder.delimiter.as_deref().filter(|d| !d.is_empty()) else { return Some(name) };
    match name.split_once(delimiter) {
        None => Some(name),
        Some((parent, child)) if parent.eq_ignore_ascii_case("INBOX") && !child.contains(delimiter) => {
            Some(child)
        }
        Some(_) => None,
    }
}

/// `STATUS name (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)`. A folder the server refuses (`NO`) is
/// [`ImapError::MailboxMissing`] and the session stays usable.
pub async fn folder_status(session: &mut ImapSession, name: &str) -> Result<FolderStatus> {
    let command = format!("STATUS {} (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)", quote(name)?);
    let (mut messages, mut unseen, mut uid_next, mut uid_validity) = (None, None, None, None);
    let tagged = session
        .command("STATUS", &command, |response| {
            if let Response::MailboxData(MailboxDatum::Status { status, .. }) = response {
                for attribute in status {
                    match attribute {
                        StatusAttribute::Messages(n) => messages = Some(*n),
                        StatusAttribute::Unseen(n) => unseen = Some(*n),
                        StatusAttribute::UidNext(n) => uid_next = Some(*n),
                        StatusAttribute::UidValidity(n) => uid_validity = Some(*n),
                        _ => {}
                    }
                }
            }
        })
        .await?;
    if let Tagged::No(text) = tagged {
        tracing::info!(mailbox = name, reason = %text, "STATUS refused.");
        return Err(ImapError::MailboxMissing(name.to_owned()));
    }
    match (messages, unseen, uid_next, uid_validity) {
        (Some(messages), Some(unseen), Some(uid_next), Some(uid_validity)) => {
            Ok(FolderStatus { messages, unseen, uid_next, uid_validity })
        }
        _ => Err(session.drop_after(ImapError::Protocol(format!(
            "STATUS {name} did not answer MESSAGES, UNSEEN, UIDNEXT and UIDVALIDITY"
        )))),
    }
}

/// Decodes a mailbox name from IMAP's modified UTF-7 (RFC 3501 §5.1.3): printable ASCII stands
/// for itself, `&-` is `&`, and `&…-` is UTF-16 in base64 with `,` for `/` and no padding.
/// `None` when `raw` is not valid modified UTF-7 (a byte outside printable ASCII, an unclosed
/// `&`, a character outside the alphabet, leftover bits, broken UTF-16); never panics.
pub fn decode_modified_utf7(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = String::with_capacity(raw.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'&' {
            let rest = bytes.get(at + 1..)?;
            let length = rest.iter().position(|&c| c == b'-')?;
            let encoded = rest.get(..length)?;
            if encoded.is_empty() {
                decoded.push('&');
            } else {
                decoded.push_str(&decode_utf16_base64(encoded)?);
            }
            at += length + 2;
        } else if (0x20..=0x7e).contains(&byte) {
            decoded.push(char::from(byte));
            at += 1;
        } else {
            return None;
        }
    }
    Some(decoded)
}

/// The UTF-16BE text of one modified-base64 run (without `&` and `-`).
fn decode_utf16_base64(encoded: &[u8]) -> Option<String> {
    let mut bits: u32 = 0;
    let mut bit_count = 0;
    let mut units = Vec::with_capacity(encoded.len() * 6 / 16);
    for &c in encoded {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b',' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        bit_count += 6;
        if bit_count >= 16 {
            bit_count -= 16;
            units.push(((bits >> bit_count) & 0xFFFF) as u16);
            bits &= (1 << bit_count) - 1;
        }
    }
    // RFC 2152: what is left must be fewer than six bits, all zero.
    if bit_count >= 6 || bits != 0 {
        return None;
    }
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(name: &str, attributes: &[&str]) -> Listed {
        Listed {
            name: name.into(),
            delimiter: Some("/".into()),
            attributes: attributes.iter().map(|a| a.to_lowercase()).collect(),
        }
    }

    fn summary(folders: &[Folder]) -> Vec<(String, Option<&'static str>)> {
        folders.iter().map(|f| (f.display_name.clone(), f.role.map(FolderRole::name))).collect()
    }

    #[test]
    fn modified_utf7_decodes_as_rfc_3501_shows() {
        let cases = [
            ("INBOX", "INBOX"),
            // RFC 3501 §5.1.3's own example.
            ("~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"),
            ("Entw&APw-rfe", "Entwürfe"),
            ("&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-", "Отправленные"),
            ("Tom &- Jerry", "Tom & Jerry"),
            ("&AOQA9gD8-", "äöü"),
            // A character outside the BMP: a surrogate pair.
            ("&2D3eAA-", "😀"),
        ];
        for (raw, expected) in cases {
            assert_eq!(decode_modified_utf7(raw).as_deref(), Some(expected), "{raw}");
        }
    }

    #[test]
    fn bad_modified_utf7_is_refused_without_panicking() {
        for raw in
            ["&", "a&", "&AOQ", "&A-", "&AOQ/-", "&AOR-", "&2D0-", "Caf\u{e9}", "tab\there", "&&-", "&====-"]
        {
            assert_eq!(decode_modified_utf7(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn attributes_give_roles_before_names() {
        let folders = folders_of(vec![
            listed("Archive", &[]),
            listed("Sent", &["\\HasNoChildren"]),
            listed("Outbox-copies", &["\\Sent"]),
            listed("inbox", &[]),
            listed("Bulk", &["\\Spam"]),
            listed("Trash", &["\\Trash"]),
            listed("[Mail]", &["\\Noselect", "\\HasChildren"]),
        ]);
        assert_eq!(
            summary(&folders),
            vec![
                ("inbox".to_owned(), Some("inbox")),
                ("Outbox-copies".to_owned(), Some("sent")),
                ("Archive".to_owned(), Some("archive")),
                ("Bulk".to_owned(), Some("junk")),
                ("Trash".to_owned(), Some("trash")),
                ("[Mail]".to_owned(), None),
                ("Sent".to_owned(), None),
            ]
        );
        assert!(!folders[5].selectable);
        assert!(folders.iter().filter(|f| f.name != "[Mail]").all(|f| f.selectable));
    }

    #[test]
    fn names_give_one_folder_per_role_at_the_top_or_under_inbox() {
        let folders = folders_of(vec![
            listed("Gesendete Objekte", &[]),
            listed("Sent Items", &[]),
            listed("INBOX", &[]),
            listed("INBOX/Entw&APw-rfe", &[]),
            listed("Projects/Trash", &[]),
            listed("&BBoEPgRABDcEOAQ9BDA-", &[]),
            listed("Gone", &["\\NonExistent"]),
        ]);
        assert_eq!(
            summary(&folders),
            vec![
                ("INBOX".to_owned(), Some("inbox")),
                ("INBOX/Entwürfe".to_owned(), Some("drafts")),
                ("Sent Items".to_owned(), Some("sent")),
                ("Корзина".to_owned(), Some("trash")),
                ("Gesendete Objekte".to_owned(), None),
                ("Gone".to_owned(), None),
                ("Projects/Trash".to_owned(), None),
            ]
        );
        assert!(!folders.iter().any(|f| f.name == "Gone" && f.selectable));
    }

    #[test]
    fn an_inbox_left_out_of_the_listing_is_still_there() {
        let folders = folders_of(vec![listed("Sent", &[])]);
        assert_eq!(
            summary(&folders),
            vec![("INBOX".to_owned(), Some("inbox")), ("Sent".to_owned(), Some("sent"))]
        );
        assert!(folders[0].selectable);
        assert_eq!(folders[0].delimiter.as_deref(), Some("/"));
        assert_eq!(summary(&folders_of(Vec::new())), vec![("INBOX".to_owned(), Some("inbox"))]);
    }

    #[test]
    fn role_names_round_trip() {
        for role in ROLE_ORDER {
            assert_eq!(FolderRole::from_name(role.name()), Some(role));
        }
        assert_eq!(FolderRole::from_name("greetings"), None);
    }
}
