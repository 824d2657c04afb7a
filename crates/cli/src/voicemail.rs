//! `tidings voicemail list|decode|import-sms`: the visual-voicemail crate (`tidings-voicemail`)
//! over the cache, over files and over a pasted SMS. No network.

use std::io::Read;
use std::path::Path;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};
use tidings_voicemail::audio::{self, AudioError, Decoded};
use tidings_voicemail::sms::{
    self, ProvisioningStatus, ReturnCode, Secret, SyncEvent, SyncMessageType, VvmSms,
};
use tidings_voicemail::{AudioFormat, Voicemail};

use crate::args::{VoicemailDecodeArgs, VoicemailImportSmsArgs, VoicemailListArgs};
use crate::cache::{self, store_failure};
use crate::failure::Failure;
use crate::mailbox::{folder, print_json, rfc3339, truncate};

/// The largest file `decode` reads: an hour of AMR-WB is about 6 MiB, of 16-bit WAV at 48 kHz 330 MiB.
const MAX_AUDIO_BYTES: u64 = 512 * 1024 * 1024;

/// One voicemail of `voicemail list --json`.
#[derive(serde::Serialize)]
struct ListedVoicemail {
    uid: u32,
    /// `voice`, `video`, `fax`, `missed_call`, `number` or `infotainment`.
    kind: Value,
    caller: Option<String>,
    callback: Option<String>,
    /// RFC 3339 in the zone the message was written in.
    date: Option<String>,
    /// Seconds: declared, else measured from the audio; `None` without either.
    duration_seconds: Option<f64>,
    /// `declared` or `measured`.
    duration_source: Option<&'static str>,
    /// The `\Seen` flag.
    heard: bool,
    transcription: Option<String>,
    /// The audio format, when there is audio.
    audio_format: Option<Value>,
    /// Fax pages (documents) attached.
    fax_pages: usize,
}

pub fn list(data_dir: Option<&Path>, args: &VoicemailListArgs) -> Result<(), Failure> {
    let store = cache::open(data_dir)?;
    let (account, mailbox) = folder(&store, &args.folder)?;
    let mut listed = Vec::new();
    for summary in store.list_messages(&account, &mailbox).map_err(store_failure)? {
        let Some((summary, raw)) = store.message(&summary.key).map_err(store_failure)? else {
            continue;
        };
        // Only its header is cached: the recording and the fax pages are still on the server.
        if store.body_missing(&summary.key).map_err(store_failure)? {
            eprintln!("tidings: warning: UID {}: not downloaded yet; run `tidings sync`", summary.key.uid);
            continue;
        }
        let Some(voicemail) = Voicemail::parse(&raw) else {
            continue;
        };
        let (duration_seconds, duration_source) = match duration(&voicemail) {
            Ok(Some((seconds, source))) => (Some(seconds), Some(source)),
            Ok(None) => (None, None),
            Err(error) => {
                eprintln!("tidings: warning: UID {}: {error}", summary.key.uid);
                (None, None)
            }
        };
        listed.push(ListedVoicemail {
            uid: summary.key.uid,
            kind: serde_json::to_value(voicemail.kind).unwrap_or(Value::Null),
            caller: voicemail.caller,
            callback: voicemail.callback,
            date: voicemail.date.or_else(|| summary.date.and_then(rfc3339)),
            duration_seconds,
            duration_source,
            heard: summary.seen,
            transcription: voicemail.transcription.map(|text| text.trim().to_owned()),
            audio_format: voicemail.audio.as_ref().and_then(|part| serde_json::to_value(part.format).ok()),
            fax_pages: voicemail.fax_pages.len(),
        });
    }
    if args.json {
        return print_json(&listed);
    }
    for voicemail in listed {
        let date = voicemail.date.as_deref().map(|date| date.get(..16).unwrap_or(date).replace('T', " "));
        let kind = voicemail.kind.as_str().unwrap_or_default().replace('_', " ");
        let duration =
            voicemail.duration_seconds.map(|seconds| format!("{seconds:.0} s")).unwrap_or_default();
        println!(
            "{:>6}  {:<16}  {}  {:<11}  {:<16}  {:>6}  {}",
            voicemail.uid,
            date.unwrap_or_default(),
            if voicemail.heard { ' ' } else { '●' },
            kind,
            truncate(voicemail.caller.as_deref().unwrap_or("unknown"), 16),
            duration,
            truncate(&voicemail.transcription.unwrap_or_default().replace(['\n', '\r'], " "), 60),
        );
    }
    Ok(())
}

/// The declared duration, else the audio's measured by decoding it (to the millisecond), with
/// which of the two it is; `None` for a message with neither (a fax, a missed call).
fn duration(voicemail: &Voicemail) -> Result<Option<(f64, &'static str)>, AudioError> {
    if let Some(seconds) = voicemail.declared_duration {
        return Ok(Some((f64::from(seconds), "declared")));
    }
    let Some(part) = &voicemail.audio else {
        return Ok(None);
    };
    let decoded = audio::decode(&part.bytes, Some(part.format))?;
    Ok(Some(((decoded.pcm.duration_secs() * 1000.0).round() / 1000.0, "measured")))
}

pub fn decode(args: &VoicemailDecodeArgs) -> Result<(), Failure> {
    let name = args.file.display().to_string();
    let input = read(&args.file, MAX_AUDIO_BYTES)?;
    let (bytes, hint, source) = match AudioFormat::sniff(&input) {
        Some(_) => (input, None, "file"),
        None => match Voicemail::parse(&input) {
            Some(voicemail) => match voicemail.audio {
                Some(part) => (part.bytes, Some(part.format), "voicemail message"),
                None => {
                    return Err(Failure::BadInput(format!(
                        "{name} is a voicemail-box message ({}) without audio",
                        serde_json::to_value(voicemail.kind)
                            .ok()
                            .and_then(|kind| kind.as_str().map(|kind| kind.replace('_', " ")))
                            .unwrap_or_default()
                    )))
                }
            },
            None => match extension_format(&args.file) {
                Some(format) => (input, Some(format), "file"),
                None if looks_like_mail(&input) => {
                    return Err(Failure::BadInput(format!(
                        "{name} is an e-mail message but not a voicemail: there is no voicemail audio in it"
                    )))
                }
                None => {
                    return Err(Failure::BadInput(format!(
                        "{name} is not audio (AMR, AMR-WB, WAV, MP3, Ogg Vorbis, FLAC) nor a voicemail .eml"
                    )))
                }
            },
        },
    };
    check_amr(&name, &bytes)?;
    let decoded = audio::decode(&bytes, hint).map_err(|error| audio_failure(&name, error))?;
    let wav = audio::to_wav(&decoded.pcm).map_err(|error| audio_failure(&name, error))?;
    std::fs::write(&args.output, &wav)
        .map_err(|error| Failure::Runtime(format!("cannot write {}: {error}", args.output.display())))?;
    for warning in &decoded.warnings {
        eprintln!("tidings: warning: {name}: {warning}");
    }
    report_decoded(args, source, &decoded)
}

fn report_decoded(args: &VoicemailDecodeArgs, source: &str, decoded: &Decoded) -> Result<(), Failure> {
    let format = serde_json::to_value(decoded.format).unwrap_or(Value::Null);
    let pcm = &decoded.pcm;
    if args.json {
        return print_json(&json!({
            "format": format,
            "source": source,
            "sample_rate": pcm.sample_rate,
            "channels": pcm.channels,
            "duration_seconds": (pcm.duration_secs() * 1000.0).round() / 1000.0,
            "amr_frames": decoded.amr_frames,
            "warnings": decoded.warnings,
            "output": args.output.display().to_string(),
        }));
    }
    let channels = match pcm.channels {
        1 => "mono".to_owned(),
        2 => "stereo".to_owned(),
        other => format!("{other} channels"),
    };
    println!(
        "{}, {} Hz, {channels}, {:.2} s → {}",
        format.as_str().unwrap_or_default().replace('_', "-"),
        pcm.sample_rate,
        pcm.duration_secs(),
        args.output.display()
    );
    Ok(())
}

/// AMR is parsed leniently (stray octets are skipped), so random bytes after `#!AMR\n` would
/// "decode" to noise: refuse a file where more than a quarter of the octets are not frames.
fn check_amr(name: &str, bytes: &[u8]) -> Result<(), Failure> {
    if !matches!(AudioFormat::sniff(bytes), Some(AudioFormat::AmrNb | AudioFormat::AmrWb)) {
        return Ok(());
    }
    let file = audio::parse_amr(bytes).map_err(|error| audio_failure(name, error))?;
    let magic = if bytes.starts_with(b"#!AMR-WB\n") { 9 } else { 6 };
    let body = bytes.len() - magic;
    if file.skipped_octets * 4 > body {
        return Err(Failure::BadInput(format!(
            "{name} is corrupt AMR: {} of its {body} octets after the header are not AMR frames",
            file.skipped_octets + file.truncated_octets
        )));
    }
    Ok(())
}

fn audio_failure(name: &str, error: AudioError) -> Failure {
    match error {
        AudioError::Wav(_) => Failure::Runtime(format!("{name}: {error}")),
        _ => Failure::BadInput(format!("{name}: {error}")),
    }
}

/// The format a file name's extension names (used only when the bytes say nothing).
fn extension_format(path: &Path) -> Option<AudioFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "amr" => Some(AudioFormat::AmrNb),
        "awb" => Some(AudioFormat::AmrWb),
        "wav" => Some(AudioFormat::Wav),
        "mp3" => Some(AudioFormat::Mp3),
        "ogg" | "oga" => Some(AudioFormat::Ogg),
        "flac" => Some(AudioFormat::Flac),
        _ => None,
    }
}

/// Starts with a header field (`Name: value`).
fn looks_like_mail(bytes: &[u8]) -> bool {
    let line = bytes.split(|&byte| byte == b'\n').next().unwrap_or_default();
    match line.iter().position(|&byte| byte == b':') {
        Some(colon) => colon > 0 && line[..colon].iter().all(|&byte| byte.is_ascii_graphic()),
        None => false,
    }
}

fn read(file: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    let mut input = Vec::new();
    let result = if file == Path::new("-") {
        std::io::stdin().lock().take(limit + 1).read_to_end(&mut input)
    } else {
        std::fs::File::open(file)
            .and_then(|opened| opened.take(limit + 1).read_to_end(&mut input))
            .map_err(|error| std::io::Error::new(error.kind(), format!("{}: {error}", file.display())))
    };
    result.map_err(|error| Failure::BadInput(format!("cannot read {error}")))?;
    if input.len() as u64 > limit {
        return Err(Failure::BadInput(format!(
            "{} is larger than {} MiB",
            file.display(),
            limit / (1024 * 1024)
        )));
    }
    Ok(input)
}

pub fn import_sms(args: &VoicemailImportSmsArgs) -> Result<(), Failure> {
    let text = if args.text == "-" {
        let bytes = read(Path::new("-"), 64 * 1024)?;
        String::from_utf8(bytes)
            .map_err(|_| Failure::BadInput("the SMS on standard input is not UTF-8 text".into()))?
    } else {
        args.text.clone()
    };
    let parsed = sms::parse(&text).map_err(|error| Failure::BadInput(error.to_string()))?;
    let fields = Fields(sms_fields(&parsed, args.show_password));
    if args.json {
        return print_json(&fields);
    }
    let width = fields.0.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in &fields.0 {
        let shown = match value {
            Value::String(text) => text.clone(),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map_or(item.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(object) => match (object.get("min"), object.get("max")) {
                (Some(min), Some(max)) => format!("{min}-{max}"),
                _ => object
                    .iter()
                    .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            other => other.to_string(),
        };
        println!("{name:<width$}  {shown}");
    }
    Ok(())
}

/// Named fields in the SMS's order of importance; serialised as one JSON object in that order.
struct Fields(Vec<(String, Value)>);

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

fn sms_fields(parsed: &VvmSms, show_password: bool) -> Vec<(String, Value)> {
    let mut fields: Vec<(String, Value)> = Vec::new();
    let mut put = |name: &str, value: Value| {
        if !value.is_null() {
            fields.push((name.to_owned(), value));
        }
    };
    let secret = |secret: &Option<Secret>| match secret {
        Some(secret) if show_password => json!(secret.expose()),
        Some(_) => json!("<redacted>"),
        None => Value::Null,
    };
    match parsed {
        VvmSms::Status(status) => {
            put("event", json!("status"));
            put("prefix", json!(status.prefix));
            put("provisioning_status", json!(provisioning_status(status.provisioning_status)));
            let (code, meaning) = return_code(status.return_code);
            put("return_code", json!(code));
            put("return_code_meaning", json!(meaning));
            put("server", json!(status.server));
            put("server_type", json!(status.server_type));
            put("imap_port", json!(status.imap_port));
            put("imap_user", json!(status.imap_user));
            put("imap_password", secret(&status.imap_password));
            put("smtp_port", json!(status.smtp_port));
            put("smtp_user", json!(status.smtp_user));
            put("smtp_password", secret(&status.smtp_password));
            put("tui_number", json!(status.tui_number));
            put("client_sms_destination", json!(status.client_sms_destination));
            put("subscription_url", json!(status.subscription_url));
            if !status.languages.is_empty() {
                put("languages", json!(status.languages));
            }
            put("max_greeting_seconds", json!(status.max_greeting_seconds));
            put("max_voice_signature_seconds", json!(status.max_voice_signature_seconds));
            if let Some(range) = &status.tui_password_length {
                put("tui_password_length", json!({"min": range.start(), "max": range.end()}));
            }
            put("password_change_supported", json!(status.password_change_supported));
            put("greeting_change_supported", json!(status.greeting_change_supported));
            put("transcription_capability", json!(status.transcription_capability));
            put("transcription", json!(status.transcription));
            if !status.extras.is_empty() {
                put("extras", extras(&status.extras));
            }
        }
        VvmSms::Sync(sync) => {
            put("event", json!("sync"));
            put("prefix", json!(sync.prefix));
            put("sync_event", json!(sync_event(sync.event)));
            put("message_id", json!(sync.message_id));
            put("new_count", json!(sync.new_count));
            put("message_type", json!(sync.message_type.map(message_type)));
            put("sender", json!(sync.sender));
            put("date", json!(sync.date));
            put("length", json!(sync.length));
            if !sync.extras.is_empty() {
                put("extras", extras(&sync.extras));
            }
        }
    }
    fields
}

fn extras(extras: &[(String, String)]) -> Value {
    Value::Object(extras.iter().map(|(name, value)| (name.clone(), json!(value))).collect())
}

fn provisioning_status(status: ProvisioningStatus) -> &'static str {
    match status {
        ProvisioningStatus::New => "new",
        ProvisioningStatus::Ready => "ready",
        ProvisioningStatus::Provisioned => "provisioned",
        ProvisioningStatus::Unknown => "unknown",
        ProvisioningStatus::Blocked => "blocked",
    }
}

fn return_code(code: ReturnCode) -> (u16, &'static str) {
    match code {
        ReturnCode::Success => (0, "success"),
        ReturnCode::SystemError => (1, "system_error"),
        ReturnCode::SubscriberError => (2, "subscriber_error"),
        ReturnCode::MailboxUnknown => (3, "mailbox_unknown"),
        ReturnCode::VvmNotActivated => (4, "vvm_not_activated"),
        ReturnCode::VvmNotProvisioned => (5, "vvm_not_provisioned"),
        ReturnCode::VvmClientUnknown => (6, "vvm_client_unknown"),
        ReturnCode::VvmMailboxNotInitialised => (7, "vvm_mailbox_not_initialised"),
        ReturnCode::Other(code) => (code, "carrier_specific"),
    }
}

fn sync_event(event: SyncEvent) -> &'static str {
    match event {
        SyncEvent::NewMessage => "new_message",
        SyncEvent::MailboxUpdate => "mailbox_update",
        SyncEvent::GreetingUpdate => "greeting_update",
    }
}

fn message_type(kind: SyncMessageType) -> &'static str {
    match kind {
        SyncMessageType::Voice => "voice",
        SyncMessageType::Video => "video",
        SyncMessageType::Fax => "fax",
        SyncMessageType::Infotainment => "infotainment",
        SyncMessageType::EmptyCallCapture => "empty_call_capture",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GARAGE: &[u8] = include_bytes!("../../../assets/demo/21-voicemail-garage.eml");

    #[test]
    fn the_duration_is_measured_when_no_header_declares_it() {
        let declared = Voicemail::parse(GARAGE).unwrap();
        assert_eq!(duration(&declared).unwrap(), Some((11.0, "declared")));
        let text = String::from_utf8(GARAGE.to_vec()).unwrap();
        let undeclared: String =
            text.split_inclusive('\n').filter(|line| !line.starts_with("Content-Duration:")).collect();
        let measured = Voicemail::parse(undeclared.as_bytes()).unwrap();
        assert_eq!(measured.declared_duration, None);
        assert_eq!(duration(&measured).unwrap(), Some((11.24, "measured")));
    }

    #[test]
    fn a_fax_has_no_duration() {
        let fax = Voicemail::parse(include_bytes!("../../../assets/demo/19-fax-delivery-note.eml")).unwrap();
        assert_eq!(duration(&fax).unwrap(), None);
    }
}
