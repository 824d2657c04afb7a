//! The voicemail message model: recognises a visual-voicemail message in raw MIME bytes and reads
//! what the Voicemail view shows.
//!
//! A message is VVM content when any dialect marks it so: the RFC 3458 `Message-Context` header
//! (OMTP VVM 1.3, CVVM, VVM3), a `multipart/voice-message` (or `x-`, fax, video) body, an
//! Apple/AT&T `X-AppleVM-*` header, an OMTP `X-CNS-*` header, or a `VOICE=`/`FAX=`/`VIDEO=` sender
//! (OMTP §5.1.2). Everything else is ordinary mail and [`Voicemail::parse`] returns `None`.
//!
//! The whole MIME tree is walked: the first audio part is the voicemail (recognised from its bytes
//! first, so an AMR file labelled `application/octet-stream` or `audio/wav` is still found and
//! typed correctly), a `text/plain` part of a voice or video message is its transcription, and
//! TIFF/PDF parts are fax pages. Headers are trusted only as far as they parse: a missing or
//! malformed `Content-Duration` leaves `declared_duration` empty and the caller measures the
//! audio instead (see [`crate::audio`]).

use mail_parser::{HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use serde::Serialize;

use crate::greeting::GreetingKind;

/// What kind of voicemail-box item a message is (the `Message-Context` values of RFC 3458 and
/// OMTP VVM 1.3 §5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoicemailKind {
    /// `voice-message`.
    Voice,
    /// `video-message`.
    Video,
    /// `fax-message`.
    Fax,
    /// `x-empty-call-capture-message`: a missed call that left no message.
    MissedCall,
    /// `x-number-message`: the caller left only a number to call back.
    Number,
    /// `x-voice-infotainment-message`: a message from the carrier's service.
    Infotainment,
}

impl VoicemailKind {
    /// The kind for a `Message-Context` value (case and surrounding space ignored).
    pub fn from_context(value: &str) -> Option<VoicemailKind> {
        match value.trim().to_ascii_lowercase().as_str() {
            "voice-message" => Some(VoicemailKind::Voice),
            "video-message" => Some(VoicemailKind::Video),
            "fax-message" => Some(VoicemailKind::Fax),
            "x-empty-call-capture-message" => Some(VoicemailKind::MissedCall),
            "x-number-message" => Some(VoicemailKind::Number),
            "x-voice-infotainment-message" => Some(VoicemailKind::Infotainment),
            _ => None,
        }
    }
}

/// `Importance` (RFC 2156 §5.3.4 values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    Low,
    Normal,
    High,
}

/// `Sensitivity` (RFC 2156 §5.3.4 values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    Personal,
    Private,
    CompanyConfidential,
}

/// An audio format, as recognised from its bytes (or, failing that, its declared type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioFormat {
    /// RFC 4867 storage format, `#!AMR\n`.
    AmrNb,
    /// RFC 4867 storage format, `#!AMR-WB\n`.
    AmrWb,
    /// RIFF/WAVE (PCM, μ-law, A-law, ADPCM).
    Wav,
    /// MPEG audio (ID3 tag or frame sync).
    Mp3,
    /// Ogg (Vorbis or Opus).
    Ogg,
    /// FLAC.
    Flac,
    /// Declared as audio, but neither the bytes nor the type say which format.
    Unknown,
}

impl AudioFormat {
    /// Recognises a format from the first bytes of a file (magic numbers only).
    pub fn sniff(bytes: &[u8]) -> Option<AudioFormat> {
        if bytes.starts_with(b"#!AMR-WB\n") {
            Some(AudioFormat::AmrWb)
        } else if bytes.starts_with(b"#!AMR\n") {
            Some(AudioFormat::AmrNb)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
            Some(AudioFormat::Wav)
        } else if bytes.starts_with(b"OggS") {
            Some(AudioFormat::Ogg)
        } else if bytes.starts_with(b"fLaC") {
            Some(AudioFormat::Flac)
        } else if bytes.starts_with(b"ID3")
            || (bytes.len() >= 2 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0 && bytes[1] & 0x06 != 0)
        {
            // Frame sync (11 bits) with a layer that is not "reserved".
            Some(AudioFormat::Mp3)
        } else {
            None
        }
    }

    /// The format a MIME type names, if it names one.
    pub fn from_mime(content_type: &str) -> Option<AudioFormat> {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "audio/amr" | "audio/x-amr" | "audio/3gpp" => Some(AudioFormat::AmrNb),
            "audio/amr-wb" | "audio/x-amr-wb" | "audio/awb" => Some(AudioFormat::AmrWb),
            "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => Some(AudioFormat::Wav),
            "audio/mpeg" | "audio/mp3" | "audio/x-mp3" | "audio/mpeg3" => Some(AudioFormat::Mp3),
            "audio/ogg" | "audio/x-ogg" | "audio/opus" | "audio/vorbis" => Some(AudioFormat::Ogg),
            "audio/flac" | "audio/x-flac" => Some(AudioFormat::Flac),
            _ => None,
        }
    }
}

/// The voicemail's audio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudioPart {
    /// The declared MIME type, lowercased, without parameters (it may lie; see `format`).
    pub content_type: String,
    /// The format, from the bytes when they say, else from `content_type`.
    pub format: AudioFormat,
    /// The attachment's file name, when it has one.
    pub filename: Option<String>,
    /// The part's own `Content-Duration` in whole seconds, when present and well formed.
    pub declared_duration: Option<u32>,
    /// Size of `bytes`.
    pub size: usize,
    /// The decoded (transfer-encoding removed) audio file. Not serialised: audio reaches the UI
    /// as WAV through its own channel.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// One fax document (a TIFF with one or more pages, or a PDF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaxPage {
    /// The declared MIME type, lowercased, without parameters.
    pub content_type: String,
    /// The attachment's file name, when it has one.
    pub filename: Option<String>,
    /// Size of `bytes`.
    pub size: usize,
    /// The decoded document. Not serialised.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// A visual-voicemail message, as the Voicemail view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Voicemail {
    pub kind: VoicemailKind,
    /// The caller's number, E.164-ish (`+` and digits when the server gave them so, else digits).
    pub caller: Option<String>,
    /// The caller's number laid out for people: international numbers in the international
    /// format of their country (`+1 555-123-4567`, `+33 6 12 34 56 78`), a number without `+` as
    /// the server wrote it (its country is unknown, so it is not reformatted).
    pub caller_display: Option<String>,
    /// The caller's name when the server gave one (the `From` display name, e.g. carrier CNAM),
    /// never the number itself, a `VOICE=` address or a "Private"/"Unknown" placeholder.
    pub caller_name: Option<String>,
    /// The server said the caller's number was withheld (`From` or `X-CNS-Originator-Phone-Number`
    /// is "private", "anonymous", "restricted", "unknown"… in English, Russian, German, French or
    /// Spanish) and no number was found; `caller` is then `None`.
    pub caller_withheld: bool,
    /// The number to call back (`Reply-To`), when it is a number and differs from nothing useful.
    pub callback: Option<String>,
    /// `Date:` in RFC 3339, in the zone the header was written in.
    pub date: Option<String>,
    /// The declared duration in whole seconds (`Content-Duration`, else `X-AppleVM-Duration`, else
    /// the audio part's own `Content-Duration`); `None` when absent or malformed.
    pub declared_duration: Option<u32>,
    /// `X-Content-Pages` of a fax.
    pub declared_pages: Option<u32>,
    /// The first audio part of the tree.
    pub audio: Option<AudioPart>,
    /// The text of a voice or video message's `text/plain` part.
    pub transcription: Option<String>,
    /// TIFF and PDF parts, in tree order.
    pub fax_pages: Vec<FaxPage>,
    pub importance: Option<Importance>,
    pub sensitivity: Option<Sensitivity>,
    /// `X-Original-Msg-UID`: the UID on the voicemail platform.
    pub original_uid: Option<String>,
    /// `X-CNS-Greeting-Type` (normal, voice-signature, busy, no-answer…) of a greeting.
    pub greeting_type: Option<GreetingKind>,
    /// `X-AppleVM-Message-Version`: the message comes from an Apple/AT&T visual voicemail server.
    pub apple_version: Option<String>,
}

impl Voicemail {
    /// Reads `raw`; `None` when it is not MIME at all or not visual-voicemail content.
    pub fn parse(raw: &[u8]) -> Option<Voicemail> {
        let message = MessageParser::default().parse(raw)?;
        if message.headers().is_empty() {
            return None;
        }
        let header = |name: &str| message.header_raw(name).map(unfold).filter(|value| !value.is_empty());
        let from_addr = message.from().and_then(|from| from.first());
        let from_email = from_addr.and_then(|addr| addr.address()).unwrap_or("");
        let from_prefix = address_prefix(from_email);
        let root_type = message
            .root_part()
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase())
            .unwrap_or_default();
        let apple_version = header("X-AppleVM-Message-Version");
        let has_cns = message.headers().iter().any(|h| h.name().to_ascii_lowercase().starts_with("x-cns-"));

        let kind = header("Message-Context")
            .and_then(|value| VoicemailKind::from_context(&value))
            .or(match root_type.as_str() {
                "multipart/voice-message" | "multipart/x-voice-message" => Some(VoicemailKind::Voice),
                "multipart/fax-message" | "multipart/x-fax-message" => Some(VoicemailKind::Fax),
                "multipart/video-message" | "multipart/x-video-message" => Some(VoicemailKind::Video),
                _ => None,
            })
            .or(match from_prefix {
                Some("VOICE") => Some(VoicemailKind::Voice),
                Some("FAX") => Some(VoicemailKind::Fax),
                Some("VIDEO") => Some(VoicemailKind::Video),
                _ => None,
            })
            .or_else(|| (apple_version.is_some() || has_cns).then_some(VoicemailKind::Voice))?;

        let MessageParts { audio, transcription, fax_pages } =
            MessageParts::collect(&message, matches!(kind, VoicemailKind::Voice | VoicemailKind::Video));

        let from_name = from_addr.and_then(|addr| addr.name()).map(unfold).filter(|name| !name.is_empty());
        let cns_number = header("X-CNS-Originator-Phone-Number");
        // The number as the server wrote it, so that a national number keeps its own layout.
        let caller_as_written = [cns_number.as_deref(), Some(local_part(from_email)), from_name.as_deref()]
            .into_iter()
            .flatten()
            .find(|text| phone_number(text).is_some());
        let caller = caller_as_written.and_then(phone_number);
        let caller_display = caller_as_written.and_then(display_number);
        let caller_withheld = caller.is_none()
            && [cns_number.as_deref(), Some(local_part(from_email)), from_name.as_deref()]
                .into_iter()
                .flatten()
                .any(is_withheld);
        let caller_name = from_name.filter(|name| is_person_name(name, from_email));
        let callback = message
            .reply_to()
            .and_then(|reply| reply.first())
            .and_then(|addr| addr.address())
            .and_then(|email| phone_number(local_part(email)));
        let declared_duration = header("Content-Duration")
            .and_then(|value| seconds(&value))
            .or_else(|| header("X-AppleVM-Duration").and_then(|value| seconds(&value)))
            .or_else(|| audio.as_ref().and_then(|audio: &AudioPart| audio.declared_duration));

        Some(Voicemail {
            kind,
            caller,
            caller_display,
            caller_name,
            caller_withheld,
            callback,
            date: message.date().map(|date| date.to_rfc3339()),
            declared_duration,
            declared_pages: header("X-Content-Pages").and_then(|value| value.parse().ok()),
            audio,
            transcription,
            fax_pages,
            importance: header("Importance").and_then(|value| match value.to_ascii_lowercase().as_str() {
                "low" => Some(Importance::Low),
                "normal" => Some(Importance::Normal),
                "high" => Some(Importance::High),
                _ => None,
            }),
            sensitivity: header("Sensitivity").and_then(|value| match value.to_ascii_lowercase().as_str() {
                "personal" => Some(Sensitivity::Personal),
                "private" => Some(Sensitivity::Private),
                "company-confidential" => Some(Sensitivity::CompanyConfidential),
                _ => None,
            }),
            original_uid: header("X-Original-Msg-UID"),
            greeting_type: header("X-CNS-Greeting-Type").map(|value| GreetingKind::parse(&value)),
            apple_version,
        })
    }
}

/// What the MIME tree of a voicemail-box message carries: the first audio part, the first
/// non-empty `text/plain` part (when asked for) and every TIFF/PDF document, in tree order.
/// Shared by [`Voicemail::parse`] and [`crate::greeting::Greeting::parse`].
#[derive(Debug, Default)]
pub(crate) struct MessageParts {
    pub(crate) audio: Option<AudioPart>,
    pub(crate) transcription: Option<String>,
    pub(crate) fax_pages: Vec<FaxPage>,
}

impl MessageParts {
    /// Walks every leaf of `message`; `want_transcription` is false for faxes (a cover note is not
    /// a transcription) and greetings.
    pub(crate) fn collect(message: &Message<'_>, want_transcription: bool) -> MessageParts {
        let mut parts = MessageParts::default();
        for part in &message.parts {
            parts.walk(part, want_transcription);
        }
        parts
    }

    /// Classifies one leaf part; multipart containers are skipped (their children follow in
    /// `message.parts`), attached messages are walked recursively.
    fn walk(&mut self, part: &MessagePart<'_>, want_transcription: bool) {
        if let PartType::Message(inner) = &part.body {
            for inner_part in &inner.parts {
                self.walk(inner_part, want_transcription);
            }
            return;
        }
        if part.is_multipart() {
            return;
        }
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("")).to_ascii_lowercase())
            .unwrap_or_else(|| "text/plain".to_owned());
        let bytes = part.contents();
        let sniffed = AudioFormat::sniff(bytes);
        let is_audio = sniffed.is_some() || content_type.starts_with("audio/");
        if is_audio {
            if self.audio.is_none() {
                let declared_duration =
                    part_header(part, "Content-Duration").and_then(|value| seconds(&value));
                self.audio = Some(AudioPart {
                    format: sniffed
                        .or_else(|| AudioFormat::from_mime(&content_type))
                        .unwrap_or(AudioFormat::Unknown),
                    content_type,
                    filename: part.attachment_name().map(str::to_owned),
                    declared_duration,
                    size: bytes.len(),
                    bytes: bytes.to_vec(),
                });
            }
            return;
        }
        let is_fax = matches!(
            content_type.as_str(),
            "image/tiff" | "image/tif" | "image/x-tiff" | "application/pdf" | "application/x-pdf"
        ) || bytes.starts_with(b"II*\0")
            || bytes.starts_with(b"MM\0*")
            || bytes.starts_with(b"%PDF-");
        if is_fax {
            self.fax_pages.push(FaxPage {
                content_type,
                filename: part.attachment_name().map(str::to_owned),
                size: bytes.len(),
                bytes: bytes.to_vec(),
            });
            return;
        }
        if self.transcription.is_none() && want_transcription && content_type == "text/plain" {
            if let PartType::Text(text) = &part.body {
                let text = text.trim();
                if !text.is_empty() {
                    self.transcription = Some(text.to_owned());
                }
            }
        }
    }
}

/// A header of one MIME part, as text.
fn part_header(part: &MessagePart<'_>, name: &str) -> Option<String> {
    part.headers().iter().find(|h| h.name().eq_ignore_ascii_case(name)).and_then(|h| match h.value() {
        HeaderValue::Text(text) => Some(unfold(text)),
        HeaderValue::TextList(list) => list.first().map(|text| unfold(text)),
        _ => None,
    })
}

/// Folded header text on one line, trimmed.
pub(crate) fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `VOICE` for `VOICE=+15551234@host` (OMTP §5.1.2), upper-cased.
fn address_prefix(email: &str) -> Option<&'static str> {
    let local = email.rsplit_once('@').map_or(email, |(local, _)| local);
    let (prefix, _) = local.split_once('=')?;
    ["VOICE", "FAX", "VIDEO"].into_iter().find(|known| prefix.eq_ignore_ascii_case(known))
}

/// The local part of an address with any `VOICE=`-style prefix removed.
fn local_part(email: &str) -> &str {
    let local = email.rsplit_once('@').map_or(email, |(local, _)| local);
    local.split_once('=').map_or(local, |(_, number)| number)
}

/// A phone number in E.164-ish form: an optional leading `+` then digits, separators (space, dot,
/// dash, parentheses) dropped; `None` when there are letters or fewer than 3 digits. `tel:` and
/// `sip:` prefixes are accepted.
pub fn phone_number(text: &str) -> Option<String> {
    let text = text.trim();
    let text = ["tel:", "sip:"]
        .iter()
        .find_map(|scheme| text.get(..4).filter(|head| head.eq_ignore_ascii_case(scheme)).map(|_| &text[4..]))
        .unwrap_or(text);
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        match c {
            '+' if i == 0 => out.push('+'),
            '0'..='9' => out.push(c),
            ' ' | '.' | '-' | '(' | ')' => {}
            _ => return None,
        }
    }
    (out.trim_start_matches('+').len() >= 3).then_some(out)
}

/// `text` (a number as a server wrote it) laid out for people; `None` when it is not a number.
fn display_number(text: &str) -> Option<String> {
    let e164 = phone_number(text)?;
    if e164.starts_with('+') {
        if let Ok(parsed) = phonenumber::parse(None, &e164) {
            return Some(parsed.format().mode(phonenumber::Mode::International).to_string());
        }
        return Some(e164);
    }
    // Without a country code the number's country is unknown: keep the server's own layout.
    let text = text.trim();
    let text = ["tel:", "sip:"]
        .iter()
        .find_map(|scheme| text.get(..4).filter(|head| head.eq_ignore_ascii_case(scheme)).map(|_| &text[4..]))
        .unwrap_or(text);
    Some(text.trim().to_owned())
}

/// What servers write instead of a withheld or unknown caller, lowercased, in the five UI
/// languages (en, ru, de, fr, es).
const WITHHELD_CALLERS: &[&str] = &[
    // English
    "unknown",
    "private",
    "anonymous",
    "restricted",
    "withheld",
    "unavailable",
    "blocked",
    "private number",
    "unknown number",
    "unknown caller",
    "private caller",
    "anonymous caller",
    "restricted number",
    "number withheld",
    "withheld number",
    "no caller id",
    "caller id blocked",
    "not available",
    // Russian
    "неизвестный",
    "неизвестно",
    "неизвестный номер",
    "неизвестный абонент",
    "скрытый",
    "скрытый номер",
    "номер скрыт",
    "частный номер",
    "анонимный",
    "анонимный абонент",
    "аноним",
    "нет номера",
    // German
    "unbekannt",
    "anonym",
    "privat",
    "private nummer",
    "unterdrückt",
    "rufnummer unterdrückt",
    "nummer unterdrückt",
    "unbekannter anrufer",
    "unbekannte nummer",
    "keine rufnummer",
    // French
    "inconnu",
    "privé",
    "numéro privé",
    "masqué",
    "numéro masqué",
    "appel masqué",
    "anonyme",
    "appelant inconnu",
    "numéro inconnu",
    "appel privé",
    // Spanish
    "desconocido",
    "privado",
    "número privado",
    "oculto",
    "número oculto",
    "anónimo",
    "restringido",
    "número restringido",
    "número desconocido",
    "llamada privada",
];

/// The text is a placeholder for a withheld caller (case, quotes and punctuation ignored).
fn is_withheld(text: &str) -> bool {
    let normalised = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    WITHHELD_CALLERS.contains(&normalised.as_str())
}

/// The `From` display name names a person or business: not empty, not the number in any layout,
/// not an address or `VOICE=…` local part, not a withheld-caller placeholder.
fn is_person_name(name: &str, from_email: &str) -> bool {
    let name = name.trim().trim_matches(['"', '\'']).trim();
    !name.is_empty()
        && name.chars().any(char::is_alphabetic)
        && phone_number(name).is_none()
        && !name.contains('@')
        && address_prefix(name).is_none()
        && !name.eq_ignore_ascii_case(from_email)
        && !name.eq_ignore_ascii_case(local_part(from_email))
        && !is_withheld(name)
}

/// Whole seconds from `12`, ` 12 `, `12.4`, `12s`; `None` for anything else.
pub(crate) fn seconds(text: &str) -> Option<u32> {
    let text = text.trim().trim_end_matches(['s', 'S']).trim();
    if let Ok(whole) = text.parse::<u32>() {
        return Some(whole);
    }
    let value = text.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0 && *v < 1e7)?;
    Some(value.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo(name: &str) -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/");
        std::fs::read(format!("{path}{name}")).expect("demo message")
    }

    #[test]
    fn demo_fax_19() {
        let vm = Voicemail::parse(&demo("19-fax-delivery-note.eml")).expect("fax is VVM");
        assert_eq!(vm.kind, VoicemailKind::Fax);
        assert_eq!(vm.caller.as_deref(), Some("+15550107788"));
        assert_eq!(vm.declared_pages, Some(1));
        assert_eq!(vm.fax_pages.len(), 1);
        assert_eq!(vm.fax_pages[0].content_type, "image/tiff");
        assert!(vm.fax_pages[0].bytes.starts_with(b"II*\0"));
        assert_eq!(vm.audio, None);
        assert_eq!(vm.transcription, None, "a fax cover note is not a transcription");
        assert_eq!(vm.importance, Some(Importance::Normal));
        assert_eq!(vm.date.as_deref(), Some("2026-11-17T16:04:27Z"));
    }

    #[test]
    fn demo_voicemail_20_amr_nb() {
        let vm = Voicemail::parse(&demo("20-voicemail-dentist.eml")).expect("voicemail");
        assert_eq!(vm.kind, VoicemailKind::Voice);
        assert_eq!(vm.caller.as_deref(), Some("+15551234567"));
        assert_eq!(vm.declared_duration, Some(12));
        assert_eq!(vm.importance, Some(Importance::Normal));
        assert_eq!(vm.sensitivity, Some(Sensitivity::Personal));
        assert_eq!(vm.original_uid.as_deref(), Some("48213"));
        assert_eq!(vm.transcription, None);
        let audio = vm.audio.expect("audio part");
        assert_eq!(audio.format, AudioFormat::AmrNb);
        assert_eq!(audio.content_type, "audio/amr");
        assert_eq!(audio.filename.as_deref(), Some("voicemail-20261118-0942.amr"));
        assert_eq!(audio.declared_duration, Some(12));
        assert_eq!(audio.size, 19_462);
    }

    #[test]
    fn demo_voicemail_21_amr_wb_with_transcription() {
        let vm = Voicemail::parse(&demo("21-voicemail-garage.eml")).expect("voicemail");
        assert_eq!(vm.kind, VoicemailKind::Voice);
        assert_eq!(vm.caller.as_deref(), Some("+442079460321"));
        assert_eq!(vm.declared_duration, Some(11));
        let audio = vm.audio.expect("audio part");
        assert_eq!(audio.format, AudioFormat::AmrWb);
        assert_eq!(audio.size, 34_291);
        let text = vm.transcription.expect("transcription");
        assert!(text.starts_with("Hello, it's Hannah from the garage."), "{text}");
    }

    #[test]
    fn ordinary_mail_is_not_voicemail() {
        for name in ["01-it-coffee-times.eml", "18-spare-keys.eml", "22-invoice-overdue.eml"] {
            assert_eq!(Voicemail::parse(&demo(name)), None, "{name}");
        }
        assert_eq!(Voicemail::parse(b""), None);
        assert_eq!(Voicemail::parse(b"not a message at all"), None);
    }

    #[test]
    fn serialises_snake_case_without_bytes() {
        let vm = Voicemail::parse(&demo("20-voicemail-dentist.eml")).unwrap();
        let json = serde_json::to_value(&vm).unwrap();
        assert_eq!(json["kind"], "voice");
        assert_eq!(json["audio"]["format"], "amr_nb");
        assert_eq!(json["audio"]["size"], 19_462);
        assert!(json["audio"].get("bytes").is_none());
        assert_eq!(json["sensitivity"], "personal");
    }

    const AMR_WB: &[u8] = b"#!AMR-WB\n\x0c"; // magic + one NO_DATA-ish header octet

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn apple_vvm_without_message_context() {
        let raw = format!(
            "From: 14155550123@vvm.mobile.att.net\r\nTo: 14155550999@vvm.mobile.att.net\r\n\
             Date: Mon, 2 Mar 2026 08:15:00 -0800\r\nSubject: voice mail\r\n\
             X-AppleVM-Message-Version: 1.0\r\nX-AppleVM-Duration: 7\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
             Content-Type: audio/amr-wb\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            b64(AMR_WB)
        );
        let vm = Voicemail::parse(raw.as_bytes()).expect("Apple VVM");
        assert_eq!(vm.kind, VoicemailKind::Voice);
        assert_eq!(vm.apple_version.as_deref(), Some("1.0"));
        assert_eq!(vm.caller.as_deref(), Some("14155550123"));
        assert_eq!(vm.declared_duration, Some(7));
        assert_eq!(vm.date.as_deref(), Some("2026-03-02T08:15:00-08:00"));
        assert_eq!(vm.audio.unwrap().format, AudioFormat::AmrWb);
    }

    #[test]
    fn cvvm_with_cns_number_reply_to_and_missing_duration() {
        let raw = format!(
            "From: unknown@vvm.tmo.example\r\nReply-To: Call back <+15550102222@vvm.tmo.example>\r\n\
             Date: Tue, 3 Mar 2026 10:00:00 +0000\r\nMessage-Context: Voice-Message\r\n\
             X-CNS-Originator-Phone-Number: +1-555-010-1111\r\nImportance: high\r\n\
             Sensitivity: Company-Confidential\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/voice-message; boundary=b\r\n\r\n--b\r\n\
             Content-Type: audio/amr\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            b64(b"#!AMR\n\x7c")
        );
        let vm = Voicemail::parse(raw.as_bytes()).expect("CVVM");
        assert_eq!(vm.kind, VoicemailKind::Voice);
        assert_eq!(vm.caller.as_deref(), Some("+15550101111"));
        assert_eq!(vm.callback.as_deref(), Some("+15550102222"));
        assert_eq!(vm.declared_duration, None, "absent: measured from the audio later");
        assert_eq!(vm.importance, Some(Importance::High));
        assert_eq!(vm.sensitivity, Some(Sensitivity::CompanyConfidential));
    }

    #[test]
    fn lying_content_type_is_sniffed_and_bad_duration_ignored() {
        let raw = format!(
            "From: VOICE=+15550100000@vvm.example.net\r\nContent-Duration: about a minute\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
             --b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
             {}\r\n--b\r\nContent-Type: audio/wav\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            b64(b"#!AMR\n\x3c"),
            b64(AMR_WB)
        );
        let vm = Voicemail::parse(raw.as_bytes()).expect("VOICE= sender");
        assert_eq!(vm.kind, VoicemailKind::Voice);
        assert_eq!(vm.caller.as_deref(), Some("+15550100000"));
        assert_eq!(vm.declared_duration, None);
        let audio = vm.audio.unwrap();
        assert_eq!(audio.content_type, "application/octet-stream");
        assert_eq!(audio.format, AudioFormat::AmrNb, "first audio part, recognised by its magic");
    }

    #[test]
    fn other_contexts_and_single_part_audio() {
        for (context, kind) in [
            ("x-empty-call-capture-message", VoicemailKind::MissedCall),
            ("x-number-message", VoicemailKind::Number),
            ("x-voice-infotainment-message", VoicemailKind::Infotainment),
            ("video-message", VoicemailKind::Video),
        ] {
            let raw = format!("From: a@b.example\r\nMessage-Context: {context}\r\n\r\nhello\r\n");
            assert_eq!(Voicemail::parse(raw.as_bytes()).unwrap().kind, kind, "{context}");
        }
        let raw = format!(
            "From: +15550103333@vvm.example.net\r\nMessage-Context: voice-message\r\nMIME-Version: 1.0\r\n\
             Content-Type: audio/mpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(b"ID3\x04\0\0\0\0\0\0")
        );
        let vm = Voicemail::parse(raw.as_bytes()).unwrap();
        assert_eq!(vm.audio.unwrap().format, AudioFormat::Mp3);
        assert_eq!(vm.caller.as_deref(), Some("+15550103333"));
    }

    #[test]
    fn sniffing_and_numbers() {
        assert_eq!(AudioFormat::sniff(b"RIFF\0\0\0\0WAVEfmt "), Some(AudioFormat::Wav));
        assert_eq!(AudioFormat::sniff(b"OggS\0"), Some(AudioFormat::Ogg));
        assert_eq!(AudioFormat::sniff(b"fLaC"), Some(AudioFormat::Flac));
        assert_eq!(AudioFormat::sniff(&[0xff, 0xfb, 0x90]), Some(AudioFormat::Mp3));
        assert_eq!(AudioFormat::sniff(b"#!AMR"), None);
        assert_eq!(AudioFormat::sniff(b""), None);
        assert_eq!(phone_number("tel:+1 555 010 7788").as_deref(), Some("+15550107788"));
        assert_eq!(phone_number("unknown"), None);
        assert_eq!(phone_number("1+2"), None);
        assert_eq!(seconds(" 12 "), Some(12));
        assert_eq!(seconds("12.6"), Some(13));
        assert_eq!(seconds("-3"), None);
    }
}
