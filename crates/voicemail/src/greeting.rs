//! Voicemail greetings and voice signatures: reading the messages of a VVM box's `Greetings`
//! folder and building the message a client APPENDs there to upload a new one.
//!
//! OMTP VVM 1.3 §2.7 (GSMA TS.46 §2.7) keeps each greeting as an ordinary message in the
//! `Greetings` folder: `X-CNS-Greeting-Type` says which greeting it is (`normal-greeting`,
//! `voice-signature`, `busy-greeting`, `no-answer-greeting`, `extended-absence-greeting`), the
//! IMAP keyword `$CNS-Greeting-On` marks the one in use, and the audio is an attachment with its
//! `Content-Duration`. [`Greeting::parse`] reads such a message (its MIME tree is walked by the
//! same code as [`crate::Voicemail::parse`]); [`greeting_message`] builds one for APPEND, after
//! decoding the audio to prove it plays and to measure the duration it declares, and refusing
//! audio longer than the carrier's limit (the STATUS SMS fields `g_len` and `vs_len`).
//!
//! This module does no IMAP: the caller APPENDs the bytes with the `\Seen $CNS-Greeting-On`
//! flags (and clears the flag on the greeting it replaces), and passes the keywords it FETCHed
//! to [`Greeting::parse`].

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

use mail_builder::headers::address::Address;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;
use mail_builder::MessageBuilder;
use mail_parser::MessageParser;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::audio;
use crate::model::{seconds, unfold, AudioFormat, AudioPart, MessageParts};

/// The IMAP keyword that marks the active greeting of its kind.
pub const GREETING_ON_KEYWORD: &str = "$CNS-Greeting-On";

/// Which greeting a message is (`X-CNS-Greeting-Type`). Serialised as the header value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GreetingKind {
    /// `normal-greeting`: played to every caller unless a more specific one applies.
    Normal,
    /// `voice-signature`: the recorded name used by the system's standard greeting.
    VoiceSignature,
    /// `busy-greeting`: played when the line is busy.
    Busy,
    /// `no-answer-greeting`: played when the call is not answered.
    NoAnswer,
    /// `extended-absence-greeting`: played while the subscriber is away.
    ExtendedAbsence,
    /// A value the specification does not define, lowercased and kept.
    Other(String),
}

impl GreetingKind {
    /// The kind for an `X-CNS-Greeting-Type` value (case and surrounding space ignored).
    pub fn parse(value: &str) -> GreetingKind {
        let value = value.trim().to_ascii_lowercase();
        match value.as_str() {
            "normal-greeting" => GreetingKind::Normal,
            "voice-signature" => GreetingKind::VoiceSignature,
            "busy-greeting" => GreetingKind::Busy,
            "no-answer-greeting" => GreetingKind::NoAnswer,
            "extended-absence-greeting" => GreetingKind::ExtendedAbsence,
            _ => GreetingKind::Other(value),
        }
    }

    /// The `X-CNS-Greeting-Type` value.
    pub fn header_value(&self) -> &str {
        match self {
            GreetingKind::Normal => "normal-greeting",
            GreetingKind::VoiceSignature => "voice-signature",
            GreetingKind::Busy => "busy-greeting",
            GreetingKind::NoAnswer => "no-answer-greeting",
            GreetingKind::ExtendedAbsence => "extended-absence-greeting",
            GreetingKind::Other(value) => value,
        }
    }
}

impl fmt::Display for GreetingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.header_value())
    }
}

impl Serialize for GreetingKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.header_value())
    }
}

impl<'de> Deserialize<'de> for GreetingKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(GreetingKind::parse(&value))
    }
}

/// A message of the `Greetings` folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Greeting {
    pub kind: GreetingKind,
    /// The message carries the `$CNS-Greeting-On` keyword: callers hear this greeting.
    pub active: bool,
    /// The greeting's audio; `None` when the message has no audio part.
    pub audio: Option<AudioPart>,
    /// `Content-Duration` of the message, else of the audio part, in whole seconds.
    pub declared_duration: Option<u32>,
    /// `Date:` in RFC 3339, in the zone the header was written in.
    pub date: Option<String>,
}

impl Greeting {
    /// Reads a greeting from its raw bytes and the IMAP keywords FETCHed with it; `None` when the
    /// bytes are not a message or have no `X-CNS-Greeting-Type` (not a greeting).
    pub fn parse(raw: &[u8], keywords: &[&str]) -> Option<Greeting> {
        let message = MessageParser::default().parse(raw)?;
        let header = |name: &str| message.header_raw(name).map(unfold).filter(|value| !value.is_empty());
        let kind = GreetingKind::parse(&header("X-CNS-Greeting-Type")?);
        let MessageParts { audio, .. } = MessageParts::collect(&message, false);
        let declared_duration = header("Content-Duration")
            .and_then(|value| seconds(&value))
            .or_else(|| audio.as_ref().and_then(|audio| audio.declared_duration));
        Some(Greeting {
            kind,
            active: keywords.iter().any(|keyword| keyword.trim().eq_ignore_ascii_case(GREETING_ON_KEYWORD)),
            audio,
            declared_duration,
            date: message.date().map(|date| date.to_rfc3339()),
        })
    }
}

/// What [`greeting_message`] needs to build an upload.
#[derive(Debug, Clone)]
pub struct GreetingUpload<'a> {
    pub kind: GreetingKind,
    /// The recorded audio file (AMR, WAV, MP3, Ogg, FLAC).
    pub audio: &'a [u8],
    /// Its format; the bytes win when they say otherwise.
    pub format: AudioFormat,
    /// The mailbox address (the IMAP user, e.g. `15551234567@vvm.example`): `From` and `To`.
    pub from: &'a str,
    /// `Date:` as an RFC 2822 date, e.g. `Tue, 3 Mar 2026 10:00:00 +0100`.
    pub date: &'a str,
    /// The carrier's limit in seconds: STATUS SMS `g_len` for greetings, `vs_len` for the voice
    /// signature; `None` when the carrier gave none.
    pub max_seconds: Option<u32>,
}

/// Why a greeting cannot be uploaded.
#[derive(Debug, thiserror::Error)]
pub enum GreetingError {
    /// The audio did not decode, so the server would store something no caller can hear.
    #[error("the greeting audio cannot be played: {0}")]
    NotAudio(#[from] audio::AudioError),
    /// The audio decoded to nothing.
    #[error("the greeting audio is empty")]
    Empty,
    /// The audio is longer than the carrier allows.
    #[error("the greeting is {seconds:.1} s long; the voicemail box accepts at most {max} s for a {kind}")]
    TooLong { seconds: f64, max: u32, kind: GreetingKind },
    /// The mailbox address is not `local@domain`.
    #[error("`{0}` is not a mailbox address (expected something like 15551234567@vvm.example)")]
    BadAddress(String),
    /// The date is not an RFC 2822 date.
    #[error("`{0}` is not an RFC 2822 date (expected e.g. `Tue, 3 Mar 2026 10:00:00 +0100`)")]
    BadDate(String),
    /// The greeting type would break the header.
    #[error("`{0}` is not a valid greeting type")]
    BadKind(String),
    /// Writing the message failed.
    #[error("could not write the greeting message: {0}")]
    Write(#[from] std::io::Error),
}

/// Builds the RFC 5322 message to APPEND to the `Greetings` folder: `multipart/mixed` with one
/// base64 audio attachment, `X-CNS-Greeting-Type` and `Content-Duration` (measured by decoding,
/// in whole seconds) on the message and on the part. No `Message-Context`: the clients we could
/// read (AOSP's, the Orange Labs OMTP client) send none with a greeting, and `voice-message`
/// would make the greeting look like a message left by a caller.
pub fn greeting_message(upload: &GreetingUpload<'_>) -> Result<Vec<u8>, GreetingError> {
    let from = upload.from.trim();
    let valid_address = from.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && from.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | ',' | ';'))
    });
    if !valid_address {
        return Err(GreetingError::BadAddress(upload.from.to_owned()));
    }
    let date = upload.date.trim();
    if date.contains(['\r', '\n']) || mail_parser::DateTime::parse_rfc822(date).is_none() {
        return Err(GreetingError::BadDate(upload.date.to_owned()));
    }
    let kind_value = upload.kind.header_value();
    if kind_value.is_empty()
        || !kind_value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(GreetingError::BadKind(kind_value.to_owned()));
    }

    let decoded = audio::decode(upload.audio, Some(upload.format))?;
    let length = decoded.pcm.duration_secs();
    if decoded.pcm.samples.is_empty() || length <= 0.0 {
        return Err(GreetingError::Empty);
    }
    // Whole seconds, as servers count them: a 12.16 s recording (608 AMR frames) is 12 s.
    let whole_seconds = (length.round() as u32).max(1);
    if let Some(max) = upload.max_seconds {
        if whole_seconds > max {
            return Err(GreetingError::TooLong { seconds: length, max, kind: upload.kind.clone() });
        }
    }
    let duration = whole_seconds.to_string();
    let (mime_type, extension) = audio_mime(decoded.format);
    let is_signature = upload.kind == GreetingKind::VoiceSignature;

    let mut hasher = DefaultHasher::new();
    (upload.audio, from, date, kind_value).hash(&mut hasher);
    let domain = from.rsplit_once('@').map_or("localhost", |(_, domain)| domain);
    let message_id = format!("greeting.{:016x}@{domain}", hasher.finish());

    let part = MimePart::new(mime_type, upload.audio)
        .attachment(format!("{}.{extension}", if is_signature { "voice-signature" } else { "greeting" }))
        .header("Content-Duration", Raw::new(duration.clone()));
    let message = MessageBuilder::new()
        .from(Address::new_address(None::<&str>, from))
        .to(Address::new_address(None::<&str>, from))
        .header("Date", Raw::new(date))
        .message_id(message_id)
        .subject(if is_signature { "Voice signature" } else { "Greeting" })
        .header("X-CNS-Greeting-Type", Raw::new(kind_value))
        .header("Content-Duration", Raw::new(duration))
        .body(MimePart::new("multipart/mixed", vec![part]));
    Ok(message.write_to_vec()?)
}

/// The MIME type a VVM server expects for a format (OMTP VVM 1.3 §2.1.3), and a file extension.
fn audio_mime(format: AudioFormat) -> (&'static str, &'static str) {
    match format {
        AudioFormat::AmrNb => ("audio/amr", "amr"),
        AudioFormat::AmrWb => ("audio/amr-wb", "awb"),
        AudioFormat::Wav => ("audio/wav", "wav"),
        AudioFormat::Mp3 => ("audio/mpeg", "mp3"),
        AudioFormat::Ogg => ("audio/ogg", "ogg"),
        AudioFormat::Flac => ("audio/flac", "flac"),
        AudioFormat::Unknown => ("application/octet-stream", "bin"),
    }
}
