//! The parsed summary kept beside each raw message: what a message list needs, without
//! re-parsing MIME on every scroll.

use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

use crate::MessageKey;

/// How many characters of body text a summary keeps as its preview.
const PREVIEW_CHARS: usize = 160;

/// What the message list shows for one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    /// Where the message lives.
    pub key: MessageKey,
    /// The sender's display name, if the From header has one.
    pub from_name: Option<String>,
    /// The sender's address, if the From header has one.
    pub from_email: Option<String>,
    /// The decoded subject.
    pub subject: Option<String>,
    /// The Date header as seconds since the Unix epoch (UTC).
    pub date: Option<i64>,
    /// The start of the body text, whitespace folded.
    pub preview: String,
    /// `\Seen`.
    pub seen: bool,
    /// `\Flagged` (starred); summaries cached before it was kept read as not flagged.
    #[serde(default)]
    pub flagged: bool,
    /// Number of attachments (audio, fax pages, files).
    pub attachments: usize,
    /// Set when the message is a visual-voicemail message (RFC 3458 `Message-Context`).
    pub voicemail: Option<VoicemailKind>,
    /// The conversation the message belongs to within its account (see the `threads` module);
    /// `None` only until the store has placed it.
    #[serde(default)]
    pub thread: Option<String>,
}

/// The RFC 3458 message contexts Tidings treats as voicemail-box content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoicemailKind {
    /// `voice-message`.
    Voice,
    /// `video-message`.
    Video,
    /// `fax-message`.
    Fax,
    /// `x-empty-call-capture-message`: a missed call without a message.
    MissedCall,
}

impl MessageSummary {
    /// Parses `raw`; `None` when it is not an e-mail message at all.
    pub(crate) fn parse(
        key: &MessageKey,
        (seen, flagged): (bool, bool),
        raw: &[u8],
    ) -> Option<MessageSummary> {
        let message = MessageParser::default().parse(raw)?;
        if message.headers().is_empty() {
            return None;
        }
        let from = message.from().and_then(|from| from.first());
        let preview = message
            .body_preview(PREVIEW_CHARS * 2)
            .map(|text| fold_whitespace(&text, PREVIEW_CHARS))
            .unwrap_or_default();
        let attachments = message
            .attachments()
            .filter(|part| !part.is_message() || part.attachment_name().is_some())
            .count();
        Some(MessageSummary {
            key: key.clone(),
            from_name: from.and_then(|addr| addr.name()).map(str::to_owned),
            from_email: from.and_then(|addr| addr.address()).map(str::to_owned),
            subject: message.subject().map(str::to_owned),
            date: message.date().map(|date| date.to_timestamp()),
            preview,
            seen,
            flagged,
            attachments,
            voicemail: message.header_raw("Message-Context").and_then(VoicemailKind::from_context),
            thread: None,
        })
    }
}

impl VoicemailKind {
    fn from_context(value: &str) -> Option<VoicemailKind> {
        match value.trim().to_ascii_lowercase().as_str() {
            "voice-message" => Some(VoicemailKind::Voice),
            "video-message" => Some(VoicemailKind::Video),
            "fax-message" => Some(VoicemailKind::Fax),
            "x-empty-call-capture-message" => Some(VoicemailKind::MissedCall),
            _ => None,
        }
    }
}

fn fold_whitespace(text: &str, max_chars: usize) -> String {
    let mut folded = String::with_capacity(text.len().min(max_chars * 4));
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
        if folded.chars().count() >= max_chars {
            break;
        }
    }
    folded.chars().take(max_chars).collect()
}
