//! The carrier's visual-voicemail SMS, as a user pastes it to set up a VVM account.
//!
//! Server-originated VVM SMS (OMTP VVM 1.3 §2.8, also used by T-Mobile CVVM and Verizon VVM3) are
//! `//<prefix>:<event>:<field>=<value>;…`, where the prefix is `VVM` (OMTP, CVVM) or a carrier
//! prefix such as `VZWVVM`, and the event is `STATUS` (provisioning: server, ports, credentials,
//! limits) or `SYNC` (a mailbox change: new message, greeting update…). Every field the
//! specification defines gets a named, typed member; fields it does not define are kept in
//! `extras` in the order they came. A text that is not such an SMS, or a defined field whose value
//! does not parse, is an [`SmsError`] that says which field and what was expected.
//!
//! Passwords (`pw`, `smtp_pw`) are held in [`Secret`], whose `Debug` prints `<redacted>`.

use std::fmt;
use std::ops::RangeInclusive;

/// A password from the SMS. `Debug` never shows it; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The password itself, for handing to the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a text is not a usable VVM SMS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    #[error(
        "not a visual voicemail SMS: it should start with `//VVM:` (or a carrier prefix such as `//VZWVVM:`)"
    )]
    NotVvm,
    #[error("the VVM SMS has no event: expected `//{prefix}:STATUS:…` or `//{prefix}:SYNC:…`")]
    MissingEvent { prefix: String },
    #[error("unknown VVM SMS event `{0}`: expected STATUS or SYNC")]
    UnknownEvent(String),
    #[error("field `{0}` has no `=` (fields are `name=value`, separated by `;`)")]
    MalformedField(String),
    #[error("field `{0}` appears twice")]
    DuplicateField(String),
    #[error("the {event} SMS has no `{field}` field")]
    MissingField { event: &'static str, field: &'static str },
    #[error("field `{field}` is `{value}`: expected {expected}")]
    BadValue { field: String, value: String, expected: &'static str },
}

/// A parsed VVM SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VvmSms {
    /// Boxed: it is much larger than a SYNC.
    Status(Box<StatusSms>),
    Sync(SyncSms),
}

/// `st`: the subscriber's provisioning status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisioningStatus {
    /// `N`: new subscriber, not yet set up.
    New,
    /// `R`: ready.
    Ready,
    /// `P`: provisioned, the client must still be activated.
    Provisioned,
    /// `U`: unknown subscriber.
    Unknown,
    /// `B`: blocked.
    Blocked,
}

/// `rc`: the return code of the request that triggered the STATUS SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnCode {
    /// `0`.
    Success,
    /// `1`.
    SystemError,
    /// `2`.
    SubscriberError,
    /// `3`.
    MailboxUnknown,
    /// `4`.
    VvmNotActivated,
    /// `5`.
    VvmNotProvisioned,
    /// `6`.
    VvmClientUnknown,
    /// `7`.
    VvmMailboxNotInitialised,
    /// Any other number (carrier-specific).
    Other(u16),
}

/// A STATUS SMS: how to reach and use the voicemail box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSms {
    /// `VVM`, `VZWVVM`…: the prefix after `//`.
    pub prefix: String,
    /// `st`.
    pub provisioning_status: ProvisioningStatus,
    /// `rc`.
    pub return_code: ReturnCode,
    /// `rs`: where the user subscribes to the service.
    pub subscription_url: Option<String>,
    /// `srv`: IMAP server host name or address (an `n:` address-type prefix is split off).
    pub server: Option<String>,
    /// The `n` of `srv=n:host`, when the carrier writes one.
    pub server_type: Option<String>,
    /// `tui`: the number of the telephone user interface.
    pub tui_number: Option<String>,
    /// `dn`: the number the client sends its SMS to.
    pub client_sms_destination: Option<String>,
    /// `ipt`.
    pub imap_port: Option<u16>,
    /// `spt`.
    pub smtp_port: Option<u16>,
    /// `u`.
    pub imap_user: Option<String>,
    /// `pw`.
    pub imap_password: Option<Secret>,
    /// `lang`: supported languages, `|`-separated in the SMS.
    pub languages: Vec<String>,
    /// `g_len`: longest greeting, in seconds.
    pub max_greeting_seconds: Option<u32>,
    /// `vs_len`: longest voice signature, in seconds.
    pub max_voice_signature_seconds: Option<u32>,
    /// `pw_len`: allowed TUI password lengths, `min-max`.
    pub tui_password_length: Option<RangeInclusive<u8>>,
    /// `smtp_u`.
    pub smtp_user: Option<String>,
    /// `smtp_pw`.
    pub smtp_password: Option<Secret>,
    /// `pm`: the TUI password can be changed from the client (`Y`/`N`).
    pub password_change_supported: Option<bool>,
    /// `gm`: greetings can be changed from the client (`Y`/`N`).
    pub greeting_change_supported: Option<bool>,
    /// `vtc`: voice-to-text capability, as the carrier writes it.
    pub transcription_capability: Option<String>,
    /// `vt`: voice-to-text setting or language, as the carrier writes it.
    pub transcription: Option<String>,
    /// Fields the specification does not define, in order.
    pub extras: Vec<(String, String)>,
}

/// `ev` of a SYNC SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncEvent {
    /// `NM`: a new message arrived.
    NewMessage,
    /// `MBU`: the mailbox changed (messages deleted or read elsewhere).
    MailboxUpdate,
    /// `GU`: a greeting changed.
    GreetingUpdate,
}

/// `t` of a SYNC SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMessageType {
    /// `v`.
    Voice,
    /// `o`.
    Video,
    /// `f`.
    Fax,
    /// `i`.
    Infotainment,
    /// `e`: empty call capture (a missed call).
    EmptyCallCapture,
}

/// A SYNC SMS: the mailbox changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSms {
    /// `VVM`, `VZWVVM`…
    pub prefix: String,
    /// `ev`.
    pub event: SyncEvent,
    /// `id`: the new message's UID.
    pub message_id: Option<String>,
    /// `c`: number of new messages.
    pub new_count: Option<u32>,
    /// `t`.
    pub message_type: Option<SyncMessageType>,
    /// `s`: the caller's number.
    pub sender: Option<String>,
    /// `dt`: when the message was left, as written (`dd/MM/yyyy HH:mm ±zzzz`).
    pub date: Option<String>,
    /// `l`: length in seconds (pages for a fax).
    pub length: Option<u32>,
    /// Fields the specification does not define, in order.
    pub extras: Vec<(String, String)>,
}

/// Parses a VVM SMS text. Surrounding white space and line breaks (from copying the SMS out of a
/// phone) are ignored, as is a trailing `;`.
pub fn parse(text: &str) -> Result<VvmSms, SmsError> {
    let text: String = text.trim().chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let rest = text.strip_prefix("//").ok_or(SmsError::NotVvm)?;
    let (prefix, rest) = rest.split_once(':').ok_or(SmsError::NotVvm)?;
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(SmsError::NotVvm);
    }
    let prefix = prefix.to_owned();
    let (event, body) = rest.split_once(':').unwrap_or((rest, ""));
    let event = event.trim();
    if event.is_empty() {
        return Err(SmsError::MissingEvent { prefix });
    }
    let fields = fields(body)?;
    match event.to_ascii_uppercase().as_str() {
        "STATUS" => status(prefix, fields).map(|sms| VvmSms::Status(Box::new(sms))),
        "SYNC" => sync(prefix, fields).map(VvmSms::Sync),
        _ => Err(SmsError::UnknownEvent(event.to_owned())),
    }
}

fn fields(body: &str) -> Result<Vec<(String, String)>, SmsError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for field in body.split(';').map(str::trim).filter(|f| !f.is_empty()) {
        let (name, value) =
            field.split_once('=').ok_or_else(|| SmsError::MalformedField(field.to_owned()))?;
        let name = name.trim().to_ascii_lowercase();
        if out.iter().any(|(seen, _)| *seen == name) {
            return Err(SmsError::DuplicateField(name));
        }
        out.push((name, value.trim().to_owned()));
    }
    Ok(out)
}

fn bad(field: &str, value: &str, expected: &'static str) -> SmsError {
    SmsError::BadValue { field: field.to_owned(), value: value.to_owned(), expected }
}

fn number<T: std::str::FromStr>(field: &str, value: &str, expected: &'static str) -> Result<T, SmsError> {
    value.parse().map_err(|_| bad(field, value, expected))
}

fn port(field: &str, value: &str) -> Result<u16, SmsError> {
    match value.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(bad(field, value, "a port number 1-65535")),
    }
}

fn yes_no(field: &str, value: &str) -> Result<bool, SmsError> {
    match value {
        "Y" | "y" | "1" => Ok(true),
        "N" | "n" | "0" => Ok(false),
        _ => Err(bad(field, value, "Y or N")),
    }
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

fn status(prefix: String, fields: Vec<(String, String)>) -> Result<StatusSms, SmsError> {
    let mut provisioning_status = None;
    let mut return_code = None;
    let mut sms = StatusSms {
        prefix,
        provisioning_status: ProvisioningStatus::Unknown,
        return_code: ReturnCode::Success,
        subscription_url: None,
        server: None,
        server_type: None,
        tui_number: None,
        client_sms_destination: None,
        imap_port: None,
        smtp_port: None,
        imap_user: None,
        imap_password: None,
        languages: Vec::new(),
        max_greeting_seconds: None,
        max_voice_signature_seconds: None,
        tui_password_length: None,
        smtp_user: None,
        smtp_password: None,
        password_change_supported: None,
        greeting_change_supported: None,
        transcription_capability: None,
        transcription: None,
        extras: Vec::new(),
    };
    for (name, value) in fields {
        match name.as_str() {
            "st" => {
                provisioning_status = Some(match value.as_str() {
                    "N" | "n" => ProvisioningStatus::New,
                    "R" | "r" => ProvisioningStatus::Ready,
                    "P" | "p" => ProvisioningStatus::Provisioned,
                    "U" | "u" => ProvisioningStatus::Unknown,
                    "B" | "b" => ProvisioningStatus::Blocked,
                    _ => return Err(bad(&name, &value, "one of N, R, P, U, B")),
                })
            }
            "rc" => {
                return_code = Some(match number::<u16>(&name, &value, "a number")? {
                    0 => ReturnCode::Success,
                    1 => ReturnCode::SystemError,
                    2 => ReturnCode::SubscriberError,
                    3 => ReturnCode::MailboxUnknown,
                    4 => ReturnCode::VvmNotActivated,
                    5 => ReturnCode::VvmNotProvisioned,
                    6 => ReturnCode::VvmClientUnknown,
                    7 => ReturnCode::VvmMailboxNotInitialised,
                    other => ReturnCode::Other(other),
                })
            }
            "rs" => sms.subscription_url = non_empty(value),
            "srv" => match value.split_once(':') {
                Some((kind, host)) if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_digit()) => {
                    sms.server_type = Some(kind.to_owned());
                    sms.server = non_empty(host.to_owned());
                }
                _ => sms.server = non_empty(value),
            },
            "tui" => sms.tui_number = non_empty(value),
            "dn" => sms.client_sms_destination = non_empty(value),
            "ipt" => sms.imap_port = Some(port(&name, &value)?),
            "spt" => sms.smtp_port = Some(port(&name, &value)?),
            "u" => sms.imap_user = non_empty(value),
            "pw" => sms.imap_password = non_empty(value).map(Secret),
            "lang" => {
                sms.languages =
                    value.split('|').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
            }
            "g_len" => sms.max_greeting_seconds = Some(number(&name, &value, "a number of seconds")?),
            "vs_len" => sms.max_voice_signature_seconds = Some(number(&name, &value, "a number of seconds")?),
            "pw_len" => {
                let expected = "a length range such as 4-9";
                let (min, max) = value.split_once('-').unwrap_or((&value, &value));
                let min: u8 = min.trim().parse().map_err(|_| bad(&name, &value, expected))?;
                let max: u8 = max.trim().parse().map_err(|_| bad(&name, &value, expected))?;
                if min > max {
                    return Err(bad(&name, &value, expected));
                }
                sms.tui_password_length = Some(min..=max);
            }
            "smtp_u" => sms.smtp_user = non_empty(value),
            "smtp_pw" => sms.smtp_password = non_empty(value).map(Secret),
            "pm" => sms.password_change_supported = Some(yes_no(&name, &value)?),
            "gm" => sms.greeting_change_supported = Some(yes_no(&name, &value)?),
            "vtc" => sms.transcription_capability = non_empty(value),
            "vt" => sms.transcription = non_empty(value),
            _ => sms.extras.push((name, value)),
        }
    }
    sms.provisioning_status =
        provisioning_status.ok_or(SmsError::MissingField { event: "STATUS", field: "st" })?;
    sms.return_code = return_code.ok_or(SmsError::MissingField { event: "STATUS", field: "rc" })?;
    Ok(sms)
}

fn sync(prefix: String, fields: Vec<(String, String)>) -> Result<SyncSms, SmsError> {
    let mut event = None;
    let mut sms = SyncSms {
        prefix,
        event: SyncEvent::MailboxUpdate,
        message_id: None,
        new_count: None,
        message_type: None,
        sender: None,
        date: None,
        length: None,
        extras: Vec::new(),
    };
    for (name, value) in fields {
        match name.as_str() {
            "ev" => {
                event = Some(match value.to_ascii_uppercase().as_str() {
                    "NM" => SyncEvent::NewMessage,
                    "MBU" => SyncEvent::MailboxUpdate,
                    "GU" => SyncEvent::GreetingUpdate,
                    _ => return Err(bad(&name, &value, "one of NM, MBU, GU")),
                })
            }
            "id" => sms.message_id = non_empty(value),
            "c" => sms.new_count = Some(number(&name, &value, "a message count")?),
            "t" => {
                sms.message_type = Some(match value.to_ascii_lowercase().as_str() {
                    "v" => SyncMessageType::Voice,
                    "o" => SyncMessageType::Video,
                    "f" => SyncMessageType::Fax,
                    "i" => SyncMessageType::Infotainment,
                    "e" => SyncMessageType::EmptyCallCapture,
                    _ => return Err(bad(&name, &value, "one of v, o, f, i, e")),
                })
            }
            "s" => sms.sender = non_empty(value),
            "dt" => sms.date = non_empty(value),
            "l" => sms.length = Some(number(&name, &value, "a length in seconds or pages")?),
            _ => sms.extras.push((name, value)),
        }
    }
    sms.event = event.ok_or(SmsError::MissingField { event: "SYNC", field: "ev" })?;
    Ok(sms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(text: &str) -> StatusSms {
        match parse(text) {
            Ok(VvmSms::Status(status)) => *status,
            other => panic!("not a STATUS: {other:?}"),
        }
    }

    #[test]
    fn omtp_status_every_field() {
        let sms = status_of(
            "//VVM:STATUS:st=R;rc=0;srv=1:imap.vvm.example.net;ipt=993;u=15551234567;pw=secret;\
             lang=1|2;g_len=180;vs_len=10;pw_len=4-9;smtp_u=15551234567@vvm.example.net;spt=465;\
             smtp_pw=smtpsecret;pm=Y;gm=N;vtc=D;vt=1;tui=+15550100;dn=94183567;rs=http://vvm.example.net/s",
        );
        assert_eq!(sms.prefix, "VVM");
        assert_eq!(sms.provisioning_status, ProvisioningStatus::Ready);
        assert_eq!(sms.return_code, ReturnCode::Success);
        assert_eq!(sms.server_type.as_deref(), Some("1"));
        assert_eq!(sms.server.as_deref(), Some("imap.vvm.example.net"));
        assert_eq!(sms.imap_port, Some(993));
        assert_eq!(sms.smtp_port, Some(465));
        assert_eq!(sms.imap_user.as_deref(), Some("15551234567"));
        assert_eq!(sms.imap_password.as_ref().map(Secret::expose), Some("secret"));
        assert_eq!(sms.smtp_password.as_ref().map(Secret::expose), Some("smtpsecret"));
        assert_eq!(sms.languages, ["1", "2"]);
        assert_eq!(sms.max_greeting_seconds, Some(180));
        assert_eq!(sms.max_voice_signature_seconds, Some(10));
        assert_eq!(sms.tui_password_length, Some(4..=9));
        assert_eq!(sms.smtp_user.as_deref(), Some("15551234567@vvm.example.net"));
        assert_eq!(sms.password_change_supported, Some(true));
        assert_eq!(sms.greeting_change_supported, Some(false));
        assert_eq!(sms.transcription_capability.as_deref(), Some("D"));
        assert_eq!(sms.transcription.as_deref(), Some("1"));
        assert_eq!(sms.tui_number.as_deref(), Some("+15550100"));
        assert_eq!(sms.client_sms_destination.as_deref(), Some("94183567"));
        assert_eq!(sms.subscription_url.as_deref(), Some("http://vvm.example.net/s"));
        assert!(sms.extras.is_empty());
    }

    #[test]
    fn debug_never_shows_passwords() {
        let sms =
            parse("//VVM:STATUS:st=R;rc=0;srv=imap.example.net;u=1;pw=hunter2;smtp_pw=swordfish").unwrap();
        let debug = format!("{sms:?} {:#?}", sms);
        assert!(!debug.contains("hunter2") && !debug.contains("swordfish"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn tmobile_cvvm_status_with_extras_pasted_with_line_breaks() {
        let sms = status_of(
            "  //VVM:STATUS:st=R;rc=0;srv=vvm.tmo.example.com;ipt=143;u=12065550123@vvm.tmo.example.com;\n\
             pw=a1b2c3;lang=eng|spa;g_len=60;vs_len=0;pw_len=4-7;smtp_u=12065550123;spt=25;pm=N;gm=Y;\r\n\
             vtc=E;vt=eng;dev_t=5;  \n",
        );
        assert_eq!(sms.server.as_deref(), Some("vvm.tmo.example.com"));
        assert_eq!(sms.server_type, None);
        assert_eq!(sms.imap_port, Some(143));
        assert_eq!(sms.languages, ["eng", "spa"]);
        assert_eq!(sms.tui_password_length, Some(4..=7));
        assert_eq!(sms.extras, [("dev_t".to_owned(), "5".to_owned())]);
    }

    #[test]
    fn verizon_vvm3_prefix_and_provisioning_states() {
        let sms = status_of("//VZWVVM:STATUS:st=N;rc=5;srv=10.20.30.40;ipt=143;u=5551234567;pw=;");
        assert_eq!(sms.prefix, "VZWVVM");
        assert_eq!(sms.provisioning_status, ProvisioningStatus::New);
        assert_eq!(sms.return_code, ReturnCode::VvmNotProvisioned);
        assert_eq!(sms.server.as_deref(), Some("10.20.30.40"));
        assert_eq!(sms.imap_password, None, "an empty pw is no password");
        let sms = status_of("//VVM:STATUS:st=B;rc=42");
        assert_eq!(sms.provisioning_status, ProvisioningStatus::Blocked);
        assert_eq!(sms.return_code, ReturnCode::Other(42));
    }

    #[test]
    fn sync_new_message() {
        let sms =
            match parse("//VVM:SYNC:ev=NM;id=3446456;c=1;t=v;s=01234567898;dt=02/08/2008 12:53 +0200;l=30") {
                Ok(VvmSms::Sync(sync)) => sync,
                other => panic!("{other:?}"),
            };
        assert_eq!(sms.event, SyncEvent::NewMessage);
        assert_eq!(sms.message_id.as_deref(), Some("3446456"));
        assert_eq!(sms.new_count, Some(1));
        assert_eq!(sms.message_type, Some(SyncMessageType::Voice));
        assert_eq!(sms.sender.as_deref(), Some("01234567898"));
        assert_eq!(sms.date.as_deref(), Some("02/08/2008 12:53 +0200"));
        assert_eq!(sms.length, Some(30));
        let fax = parse("//VVM:SYNC:ev=MBU;t=f;l=3").unwrap();
        assert!(matches!(fax, VvmSms::Sync(SyncSms { event: SyncEvent::MailboxUpdate, .. })));
        assert!(matches!(
            parse("//VVM:sync:ev=gu").unwrap(),
            VvmSms::Sync(SyncSms { event: SyncEvent::GreetingUpdate, .. })
        ));
    }

    #[test]
    fn bad_sms_say_what_is_wrong() {
        let cases: &[(&str, SmsError, &str)] = &[
            ("Your voicemail is ready", SmsError::NotVvm, "should start with `//VVM:`"),
            ("", SmsError::NotVvm, "not a visual voicemail SMS"),
            ("//VVM", SmsError::NotVvm, "not a visual voicemail SMS"),
            ("//VVM:", SmsError::MissingEvent { prefix: "VVM".into() }, "no event"),
            ("//VVM:HELLO:st=R", SmsError::UnknownEvent("HELLO".into()), "unknown VVM SMS event `HELLO`"),
            ("//VVM:STATUS:st=R;rc", SmsError::MalformedField("rc".into()), "field `rc` has no `=`"),
            ("//VVM:STATUS:st=R;rc=0;st=N", SmsError::DuplicateField("st".into()), "appears twice"),
            ("//VVM:STATUS:rc=0", SmsError::MissingField { event: "STATUS", field: "st" }, "no `st` field"),
            ("//VVM:STATUS:st=R", SmsError::MissingField { event: "STATUS", field: "rc" }, "no `rc` field"),
            ("//VVM:SYNC:id=1", SmsError::MissingField { event: "SYNC", field: "ev" }, "no `ev` field"),
        ];
        for (text, error, message) in cases {
            let got = parse(text).unwrap_err();
            assert_eq!(&got, error, "{text}");
            assert!(got.to_string().contains(message), "{text}: {got}");
        }
        for (text, field, expected) in [
            ("//VVM:STATUS:st=X;rc=0", "st", "N, R, P, U, B"),
            ("//VVM:STATUS:st=R;rc=ok", "rc", "a number"),
            ("//VVM:STATUS:st=R;rc=0;ipt=imap", "ipt", "port number"),
            ("//VVM:STATUS:st=R;rc=0;spt=0", "spt", "port number"),
            ("//VVM:STATUS:st=R;rc=0;ipt=70000", "ipt", "port number"),
            ("//VVM:STATUS:st=R;rc=0;pw_len=9-4", "pw_len", "4-9"),
            ("//VVM:STATUS:st=R;rc=0;pw_len=six", "pw_len", "4-9"),
            ("//VVM:STATUS:st=R;rc=0;pm=maybe", "pm", "Y or N"),
            ("//VVM:STATUS:st=R;rc=0;g_len=-1", "g_len", "seconds"),
            ("//VVM:SYNC:ev=XX", "ev", "NM, MBU, GU"),
            ("//VVM:SYNC:ev=NM;t=z", "t", "v, o, f, i, e"),
            ("//VVM:SYNC:ev=NM;c=many", "c", "count"),
        ] {
            let got = parse(text).unwrap_err();
            assert!(matches!(&got, SmsError::BadValue { field: f, .. } if f == field), "{text}: {got:?}");
            let message = got.to_string();
            assert!(message.contains(&format!("field `{field}`")) && message.contains(expected), "{message}");
        }
    }
}
