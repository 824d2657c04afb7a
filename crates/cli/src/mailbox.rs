//! `tidings list` and `tidings show`: reading the cached messages of a folder.

use std::path::Path;

use chrono::DateTime;
use serde::Serialize;
use tidings_mask::{AddressBook, MaskSet, RenderOptions, Rendering};
use tidings_store::{MessageKey, MessageSummary, Store};

use crate::args::{FolderArgs, ListArgs, ShowArgs};
use crate::cache::{self, store_failure};
use crate::failure::Failure;

/// One message of `list --json`.
#[derive(Serialize)]
struct ListedMessage {
    uid: u32,
    uid_validity: u32,
    /// RFC 3339, UTC.
    date: Option<String>,
    seen: bool,
    /// `\Flagged`: starred.
    flagged: bool,
    from_name: Option<String>,
    from_email: Option<String>,
    subject: Option<String>,
    preview: String,
    attachments: usize,
    /// `voice`, `video`, `fax` or `missed-call` for voicemail-box content.
    voicemail: Option<serde_json::Value>,
}

impl From<MessageSummary> for ListedMessage {
    fn from(summary: MessageSummary) -> ListedMessage {
        ListedMessage {
            uid: summary.key.uid,
            uid_validity: summary.key.uid_validity,
            date: summary.date.and_then(rfc3339),
            seen: summary.seen,
            flagged: summary.flagged,
            from_name: summary.from_name,
            from_email: summary.from_email,
            subject: summary.subject,
            preview: summary.preview,
            attachments: summary.attachments,
            voicemail: summary.voicemail.and_then(|kind| serde_json::to_value(kind).ok()),
        }
    }
}

/// `show --json`.
#[derive(Serialize)]
struct ShownMessage {
    #[serde(flatten)]
    listed: ListedMessage,
    to: String,
    text: String,
    /// The mask engine's reading, with `--rendered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered: Option<Rendering>,
}

pub fn list(data_dir: Option<&Path>, args: &ListArgs) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let (account, folder) = folder(&store, &args.folder)?;
    let messages = store.list_messages(&account, &folder).map_err(store_failure)?;
    if args.json {
        let listed: Vec<ListedMessage> = messages.into_iter().map(ListedMessage::from).collect();
        return print_json(&listed);
    }
    for message in messages {
        let date = message.date.and_then(rfc3339).map(|date| date[..16].replace('T', " "));
        let sender = message.from_name.or(message.from_email).unwrap_or_default();
        println!(
            "{:>6}  {:<16}  {}  {:<24}  {}",
            message.key.uid,
            date.unwrap_or_default(),
            if message.seen { ' ' } else { '●' },
            truncate(&sender, 24),
            message.subject.unwrap_or_default()
        );
    }
    Ok(())
}

pub fn show(data_dir: Option<&Path>, args: &ShowArgs) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let (account, folder) = folder(&store, &args.folder)?;
    let mailbox = store.mailbox(&account, &folder).map_err(store_failure)?;
    let key = MessageKey {
        account,
        mailbox: folder.clone(),
        uid_validity: mailbox.map(|mailbox| mailbox.uid_validity).unwrap_or_default(),
        uid: args.uid,
    };
    let (summary, raw) = store
        .message(&key)
        .map_err(store_failure)?
        .ok_or_else(|| Failure::BadInput(format!("there is no message with UID {} in {folder}", args.uid)))?;
    // Only its header is cached: showing that as the message would show an empty body.
    if store.body_missing(&key).map_err(store_failure)? {
        return Err(Failure::Runtime(format!(
            "the body of the message with UID {} in {folder} is not downloaded yet; run `tidings sync`",
            args.uid
        )));
    }
    let message = tidings_message::read_lenient(&raw).ok_or_else(|| {
        Failure::Runtime(format!("the cached message with UID {} cannot be read", args.uid))
    })?;
    let rendered = args.rendered.then(|| {
        tidings_mask::render(
            message.body.as_body(),
            Some(&message.top),
            &MaskSet::builtin(),
            &AddressBook::new(),
            &RenderOptions::default(),
        )
    });
    if args.json {
        return print_json(&ShownMessage {
            listed: ListedMessage::from(summary),
            to: message.to,
            text: message.text,
            rendered,
        });
    }
    let sender = match (&summary.from_name, &summary.from_email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (name, email) => name.clone().or(email.clone()).unwrap_or_default(),
    };
    println!("From:    {sender}");
    println!("To:      {}", message.to);
    println!("Date:    {}", summary.date.and_then(rfc3339).unwrap_or_default());
    println!("Subject: {}", summary.subject.unwrap_or_default());
    if let Some(rendering) = &rendered {
        println!();
        print!("{}", crate::render::summary(rendering));
    }
    println!();
    print!("{}", message.text);
    Ok(())
}

/// The key of each of `uids` in `folder` of `account` (under its current UIDVALIDITY), as a
/// function of the UID, once every one of them is checked to be cached: a command that changes
/// messages writes nothing when one UID is wrong.
pub fn cached_keys(
    store: &Store,
    account: &str,
    folder: &str,
    uids: &[u32],
) -> Result<impl Fn(u32) -> MessageKey, Failure> {
    let uid_validity = store
        .mailbox(account, folder)
        .map_err(store_failure)?
        .map(|mailbox| mailbox.uid_validity)
        .unwrap_or_default();
    let cached = store.uids(account, folder, uid_validity).map_err(store_failure)?;
    if let Some(missing) = uids.iter().find(|uid| cached.binary_search(uid).is_err()) {
        return Err(Failure::BadInput(format!("there is no message with UID {missing} in {folder}")));
    }
    let (account, mailbox) = (account.to_owned(), folder.to_owned());
    Ok(move |uid| MessageKey { account: account.clone(), mailbox: mailbox.clone(), uid_validity, uid })
}

pub fn folder(store: &Store, args: &FolderArgs) -> Result<(String, String), Failure> {
    let account = cache::account(store, args.account.as_deref())?;
    let folders = store.mailboxes(&account).map_err(store_failure)?;
    if !folders.iter().any(|mailbox| mailbox.name == args.folder) {
        let names: Vec<&str> = folders.iter().map(|mailbox| mailbox.name.as_str()).collect();
        return Err(Failure::BadInput(format!(
            "account {account:?} has no folder {:?}; its folders are: {}",
            args.folder,
            names.join(", ")
        )));
    }
    Ok((account, args.folder.clone()))
}

pub fn rfc3339(seconds: i64) -> Option<String> {
    DateTime::from_timestamp(seconds, 0).map(|date| date.to_rfc3339())
}

pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        text.chars().take(width.saturating_sub(1)).chain(['…']).collect()
    }
}

pub fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let json = serde_json::to_string(value)
        .map_err(|error| Failure::Runtime(format!("could not write JSON: {error}")))?;
    println!("{json}");
    Ok(())
}
