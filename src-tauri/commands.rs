//! The commands the UI calls. Each one converts its arguments, calls a crate and converts back;
//! the IPC types (camelCase JSON) are defined here and nowhere else.

use serde::{Deserialize, Serialize};
use tauri::State;
use tidings_mask::{QuoteHeader, QuoteKind};
use tidings_store::{MessageKey, MessageSummary};

use crate::{error::IpcError, message_view, AppState};

/// A message's address, as the UI holds it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub account: String,
    pub mailbox: String,
    pub uid_validity: u32,
    pub uid: u32,
}

impl From<MessageRef> for MessageKey {
    fn from(r: MessageRef) -> MessageKey {
        MessageKey { account: r.account, mailbox: r.mailbox, uid_validity: r.uid_validity, uid: r.uid }
    }
}

impl From<&MessageKey> for MessageRef {
    fn from(key: &MessageKey) -> MessageRef {
        MessageRef {
            account: key.account.clone(),
            mailbox: key.mailbox.clone(),
            uid_validity: key.uid_validity,
            uid: key.uid,
        }
    }
}

/// An account with its mailboxes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub is_demo: bool,
    pub mailboxes: Vec<String>,
}

/// One row of the message list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRow {
    pub message: MessageRef,
    /// The sender's name, else their address, else an empty string.
    pub sender: String,
    pub sender_email: Option<String>,
    pub subject: String,
    /// Seconds since the Unix epoch; the UI formats it in the user's zone.
    pub date: Option<i64>,
    pub preview: String,
    pub seen: bool,
    pub attachments: usize,
    /// `voice`, `video`, `fax` or `missed-call` for voicemail-box content.
    pub voicemail: Option<String>,
}

impl From<MessageSummary> for MessageRow {
    fn from(summary: MessageSummary) -> MessageRow {
        let sender = summary.from_name.clone().or_else(|| summary.from_email.clone()).unwrap_or_default();
        MessageRow {
            message: MessageRef::from(&summary.key),
            sender,
            sender_email: summary.from_email,
            subject: summary.subject.unwrap_or_default(),
            date: summary.date,
            preview: summary.preview,
            seen: summary.seen,
            attachments: summary.attachments,
            voicemail: summary
                .voicemail
                .and_then(|kind| serde_json::to_value(kind).ok())
                .and_then(|value| value.as_str().map(str::to_owned)),
        }
    }
}

/// An opened message: its row and the document for the sandboxed body frame.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub row: MessageRow,
    pub to: String,
    /// A complete HTML document with its own CSP, for a sandboxed `<iframe srcdoc>`.
    pub body_document: String,
    /// The quote headers the mask engine found, outermost first.
    pub quotes: Vec<QuoteView>,
}

/// One quote header of an opened message, as the mask engine read it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
    /// 1 for the outermost (most recent) quoted message.
    pub depth: usize,
    /// `reply` or `forward`.
    pub kind: QuoteKind,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `YYYY-MM-DD` as written in the header.
    pub date: Option<String>,
    /// `HH:MM[:SS]` as written in the header, on a 24-hour clock.
    pub time: Option<String>,
    /// `+HH:MM` when the header names a zone.
    pub utc_offset: Option<String>,
    /// The header text as found.
    pub source: String,
    /// The id of the mask that matched.
    pub mask: String,
}

impl From<QuoteHeader> for QuoteView {
    fn from(quote: QuoteHeader) -> QuoteView {
        let QuoteHeader { depth, kind, fields, source, mask } = quote;
        QuoteView {
            depth,
            kind,
            name: fields.name,
            email: fields.email,
            date: fields.date,
            time: fields.time,
            utc_offset: fields.utc_offset,
            source,
            mask,
        }
    }
}

#[tauri::command]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountView>, IpcError> {
    let store = &state.store;
    store
        .accounts()?
        .into_iter()
        .map(|account| {
            let mailboxes = store.mailboxes(&account.id)?.into_iter().map(|m| m.name).collect();
            Ok(AccountView {
                id: account.id,
                display_name: account.display_name,
                email: account.email,
                is_demo: account.is_demo,
                mailboxes,
            })
        })
        .collect()
}

#[tauri::command]
pub fn list_messages(
    state: State<'_, AppState>,
    account: String,
    mailbox: String,
) -> Result<Vec<MessageRow>, IpcError> {
    Ok(state.store.list_messages(&account, &mailbox)?.into_iter().map(MessageRow::from).collect())
}

/// Opens a message and marks it read.
#[tauri::command]
pub fn open_message(state: State<'_, AppState>, message: MessageRef) -> Result<MessageView, IpcError> {
    let key = MessageKey::from(message);
    let (mut summary, raw) =
        state.store.message(&key)?.ok_or_else(|| IpcError::not_found(format!("{key} is not cached")))?;
    if !summary.seen {
        state.store.set_seen(&key, true)?;
        summary.seen = true;
    }
    let rendered = message_view::render(&raw, &state.masks, &state.address_book);
    Ok(MessageView {
        row: MessageRow::from(summary),
        to: rendered.to,
        body_document: rendered.document,
        quotes: rendered.quotes.into_iter().map(QuoteView::from).collect(),
    })
}

#[tauri::command]
pub fn set_seen(state: State<'_, AppState>, message: MessageRef, seen: bool) -> Result<(), IpcError> {
    let key = MessageKey::from(message);
    if state.store.set_seen(&key, seen)? {
        Ok(())
    } else {
        Err(IpcError::not_found(format!("{key} is not cached")))
    }
}
