//! Which IMAP dialect a server speaks, from its greeting, CAPABILITY and RFC 2971 ID answer, and
//! what each dialect changes for the client ([`DialectStrategy`]).
//!
//! [`detect`] is pure: no IO, no error; unknown servers are plain IMAP4rev1. Every rule writes a
//! human-readable line into [`DialectReport::evidence`] so the user (and a bug report) can see why.
//! Rules and where their evidence comes from, checked in this order (first match wins):
//! 1. `Gmail`: CAPABILITY lists `X-GM-EXT-1` (Google's "IMAP Extensions" page for Gmail).
//! 2. `AppleVvm`: a capability starting `X-APPLE-VVM`, or the greeting/ID names Apple *and*
//!    voicemail ("vvm", "voicemail", "visual voice"). Apple's mail push capability
//!    `XAPPLEPUSHSERVICE` alone is iCloud *mail* and is only noted. (Heuristic from the Tidings
//!    design brief and the Streamwide patent's Apple example; not checked against a live server.)
//! 3. `Vvm3`: greeting or ID mentions `vvm3` or Verizon (Verizon's VVM3 flavour of OMTP; the
//!    Android voicemail client has a separate VVM3 protocol for it). Heuristic, not checked live.
//! 4. `Cvvm`: CAPABILITY lists the OMTP commands *without* the `X` prefix (`CHANGE_TUI_PWD`,
//!    `CLOSE_NUT`, `CHANGE_VM_LANG`). Heuristic from the design brief, not checked live.
//! 5. `OmtpVvm13`: CAPABILITY lists `XCHANGE_TUI_PWD`, `XCLOSE_NUT` or `XCHANGE_VM_LANG` (the
//!    IMAP commands of the OMTP Visual Voice Mail Interface Specification v1.3, also used by
//!    Android's OMTP client), or the greeting/ID says "OMTP" or "VVM".
//! 6. `Imap4rev2`: CAPABILITY lists `IMAP4rev2` (RFC 9051 §7.2.2).
//! 7. `Imap4rev1`: everything else (RFC 3501).

use std::collections::HashMap;

use serde::Serialize;

/// The dialects Tidings tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// Plain RFC 3501 IMAP.
    Imap4rev1,
    /// RFC 9051 IMAP.
    Imap4rev2,
    /// Gmail: labels, thread ids, `X-GM-RAW` search.
    Gmail,
    /// OMTP Visual Voice Mail 1.3 (`XCHANGE_TUI_PWD`, `XCLOSE_NUT`, `XCHANGE_VM_LANG`).
    OmtpVvm13,
    /// A VVM server with the OMTP commands without the `X` prefix.
    Cvvm,
    /// Verizon's VVM3.
    Vvm3,
    /// Apple's visual voicemail.
    AppleVvm,
}

impl Dialect {
    /// The name JSON and the UI use (`imap4rev1`, `gmail`, `omtp-vvm13`, …).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Imap4rev1 => "imap4rev1",
            Dialect::Imap4rev2 => "imap4rev2",
            Dialect::Gmail => "gmail",
            Dialect::OmtpVvm13 => "omtp-vvm13",
            Dialect::Cvvm => "cvvm",
            Dialect::Vvm3 => "vvm3",
            Dialect::AppleVvm => "apple-vvm",
        }
    }

    /// The dialect named `name` (as [`Dialect::name`] spells it).
    pub fn from_name(name: &str) -> Option<Dialect> {
        ALL_DIALECTS.into_iter().find(|dialect| dialect.name() == name)
    }

    /// True for the visual-voicemail dialects.
    pub fn is_voicemail(self) -> bool {
        matches!(self, Dialect::OmtpVvm13 | Dialect::Cvvm | Dialect::Vvm3 | Dialect::AppleVvm)
    }
}

/// Every dialect, in the order of [`Dialect`].
const ALL_DIALECTS: [Dialect; 7] = [
    Dialect::Imap4rev1,
    Dialect::Imap4rev2,
    Dialect::Gmail,
    Dialect::OmtpVvm13,
    Dialect::Cvvm,
    Dialect::Vvm3,
    Dialect::AppleVvm,
];

/// IMAP extensions Tidings can make use of, by capability name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Extension {
    /// RFC 2177.
    #[serde(rename = "IDLE")]
    Idle,
    /// RFC 7162 §3.1.
    #[serde(rename = "CONDSTORE")]
    Condstore,
    /// RFC 7162 §3.2.
    #[serde(rename = "QRESYNC")]
    Qresync,
    /// RFC 4315.
    #[serde(rename = "UIDPLUS")]
    Uidplus,
    /// RFC 6851.
    #[serde(rename = "MOVE")]
    Move,
    /// RFC 5161.
    #[serde(rename = "ENABLE")]
    Enable,
    /// RFC 6154.
    #[serde(rename = "SPECIAL-USE")]
    SpecialUse,
    /// RFC 7888.
    #[serde(rename = "LITERAL+")]
    LiteralPlus,
    /// RFC 2971.
    #[serde(rename = "ID")]
    Id,
    /// RFC 2342.
    #[serde(rename = "NAMESPACE")]
    Namespace,
    /// RFC 2087 / RFC 9208.
    #[serde(rename = "QUOTA")]
    Quota,
    /// RFC 3501 §6.2.1.
    #[serde(rename = "STARTTLS")]
    StartTls,
    /// RFC 4959.
    #[serde(rename = "SASL-IR")]
    SaslIr,
    /// RFC 4978.
    #[serde(rename = "COMPRESS=DEFLATE")]
    CompressDeflate,
    /// RFC 5256.
    #[serde(rename = "SORT")]
    Sort,
    /// RFC 5256.
    #[serde(rename = "THREAD")]
    Thread,
    /// RFC 4731.
    #[serde(rename = "ESEARCH")]
    Esearch,
    /// RFC 5465.
    #[serde(rename = "NOTIFY")]
    Notify,
    /// RFC 5464.
    #[serde(rename = "METADATA")]
    Metadata,
    /// RFC 3516.
    #[serde(rename = "BINARY")]
    Binary,
    /// RFC 3691.
    #[serde(rename = "UNSELECT")]
    Unselect,
    /// RFC 8474.
    #[serde(rename = "OBJECTID")]
    ObjectId,
    /// RFC 6855.
    #[serde(rename = "UTF8=ACCEPT")]
    Utf8Accept,
}

impl Extension {
    /// The extension a capability atom announces, if Tidings knows it.
    pub fn from_capability(capability: &str) -> Option<Extension> {
        let upper = capability.to_ascii_uppercase();
        let extension = match upper.as_str() {
            "IDLE" => Extension::Idle,
            "CONDSTORE" => Extension::Condstore,
            "QRESYNC" => Extension::Qresync,
            "UIDPLUS" => Extension::Uidplus,
            "MOVE" => Extension::Move,
            "ENABLE" => Extension::Enable,
            "SPECIAL-USE" => Extension::SpecialUse,
            "LITERAL+" => Extension::LiteralPlus,
            "ID" => Extension::Id,
            "NAMESPACE" => Extension::Namespace,
            "QUOTA" => Extension::Quota,
            "STARTTLS" => Extension::StartTls,
            "SASL-IR" => Extension::SaslIr,
            "COMPRESS=DEFLATE" => Extension::CompressDeflate,
            "SORT" => Extension::Sort,
            "ESEARCH" => Extension::Esearch,
            "NOTIFY" => Extension::Notify,
            "METADATA" | "METADATA-SERVER" => Extension::Metadata,
            "BINARY" => Extension::Binary,
            "UNSELECT" => Extension::Unselect,
            "OBJECTID" => Extension::ObjectId,
            "UTF8=ACCEPT" => Extension::Utf8Accept,
            other if other.starts_with("THREAD=") => Extension::Thread,
            _ => return None,
        };
        Some(extension)
    }
}

/// What [`detect`] concluded, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialectReport {
    /// The dialect to speak.
    pub dialect: Dialect,
    /// Known extensions the server announced, sorted, without duplicates.
    pub extensions: Vec<Extension>,
    /// Why: one sentence per observation, e.g. "CAPABILITY lists X-GM-EXT-1".
    pub evidence: Vec<String>,
}

impl DialectReport {
    /// True when the server announced `extension`.
    pub fn has(&self, extension: Extension) -> bool {
        self.extensions.contains(&extension)
    }
}

const OMTP_COMMANDS: [&str; 3] = ["XCHANGE_TUI_PWD", "XCLOSE_NUT", "XCHANGE_VM_LANG"];
const UNPREFIXED_COMMANDS: [&str; 3] = ["CHANGE_TUI_PWD", "CLOSE_NUT", "CHANGE_VM_LANG"];

/// Detects the dialect from what the server showed before and after login.
pub fn detect(
    greeting: &str,
    capabilities: &[String],
    server_id: Option<&HashMap<String, String>>,
) -> DialectReport {
    let mut evidence = Vec::new();
    let has = |name: &str| capabilities.iter().any(|c| c.eq_ignore_ascii_case(name));
    let greeting_lower = greeting.to_ascii_lowercase();
    let id_text = server_id
        .map(|id| {
            let mut pairs: Vec<String> = id.iter().map(|(k, v)| format!("{k}={v}")).collect();
            pairs.sort();
            pairs.join(", ")
        })
        .unwrap_or_default();
    let id_lower = id_text.to_ascii_lowercase();
    if !id_text.is_empty() {
        evidence.push(format!("ID answer: {id_text}"));
    }
    let hinted = |words: &[&str]| words.iter().any(|w| greeting_lower.contains(w) || id_lower.contains(w));

    let mut extensions: Vec<Extension> =
        capabilities.iter().filter_map(|c| Extension::from_capability(c)).collect();
    extensions.sort();
    extensions.dedup();

    if has("XAPPLEPUSHSERVICE") {
        evidence.push("CAPABILITY lists XAPPLEPUSHSERVICE (Apple mail push; not voicemail by itself)".into());
    }
    let apple_vvm_capability =
        capabilities.iter().find(|c| c.to_ascii_uppercase().starts_with("X-APPLE-VVM"));
    let omtp_commands: Vec<&str> = OMTP_COMMANDS.iter().copied().filter(|c| has(c)).collect();
    let unprefixed_commands: Vec<&str> = UNPREFIXED_COMMANDS.iter().copied().filter(|c| has(c)).collect();

    let dialect = if has("X-GM-EXT-1") {
        evidence.push("CAPABILITY lists X-GM-EXT-1".into());
        Dialect::Gmail
    } else if let Some(capability) = apple_vvm_capability {
        evidence.push(format!("CAPABILITY lists {capability}"));
        Dialect::AppleVvm
    } else if hinted(&["apple"]) && hinted(&["vvm", "voicemail", "visual voice"]) {
        evidence.push("greeting or ID names Apple and voicemail".into());
        Dialect::AppleVvm
    } else if hinted(&["vvm3", "verizon"]) {
        evidence.push("greeting or ID mentions VVM3 or Verizon".into());
        Dialect::Vvm3
    } else if !unprefixed_commands.is_empty() {
        evidence
            .push(format!("CAPABILITY lists {} (OMTP commands without X)", unprefixed_commands.join(" ")));
        Dialect::Cvvm
    } else if !omtp_commands.is_empty() {
        evidence.push(format!("CAPABILITY lists {}", omtp_commands.join(" ")));
        Dialect::OmtpVvm13
    } else if hinted(&["omtp", "vvm"]) {
        evidence.push("greeting or ID mentions OMTP or VVM".into());
        Dialect::OmtpVvm13
    } else if has("IMAP4rev2") {
        evidence.push("CAPABILITY lists IMAP4rev2".into());
        Dialect::Imap4rev2
    } else {
        if has("IMAP4rev1") {
            evidence.push("CAPABILITY lists IMAP4rev1".into());
        } else {
            evidence.push("CAPABILITY lists neither IMAP4rev1 nor IMAP4rev2; assuming IMAP4rev1".into());
        }
        Dialect::Imap4rev1
    };
    // The sync strategy hangs on these three, so say whether they are there.
    for name in ["IDLE", "CONDSTORE", "QRESYNC"] {
        if has(name) {
            evidence.push(format!("CAPABILITY lists {name}"));
        }
    }
    DialectReport { dialect, extensions, evidence }
}

/// How message threads are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threading {
    /// The server assigns thread ids (Gmail `X-GM-THRID`).
    ServerThreadId,
    /// From `Message-ID`/`In-Reply-To`/`References` headers, on the client.
    References,
}

/// What a dialect changes for the client. One implementation per [`Dialect`]; get it with
/// [`strategy_for`]. Command builders return `None` when the dialect has no such command or the
/// argument cannot be sent safely (only digits for PINs, only letters/digits for languages).
pub trait DialectStrategy: Send + Sync + std::fmt::Debug {
    /// The dialect this strategy is for.
    fn dialect(&self) -> Dialect;
    /// FETCH items to add when fetching messages (Gmail: thread id and labels).
    fn extra_fetch_items(&self) -> &'static [&'static str] {
        &[]
    }
    /// How threads are found.
    fn threading(&self) -> Threading {
        Threading::References
    }
    /// True when mailboxes are labels and one message can carry several (Gmail).
    fn uses_labels(&self) -> bool {
        false
    }
    /// Where voice messages, faxes and missed-call notices live.
    fn voicemail_mailbox(&self) -> Option<&'static str> {
        None
    }
    /// Where the user's recorded greetings live.
    fn greetings_mailbox(&self) -> Option<&'static str> {
        None
    }
    /// The command that asks how full the box is (voicemail boxes are small).
    fn quota_command(&self) -> Option<String> {
        None
    }
    /// The command that changes the telephone-UI PIN.
    fn change_pin_command(&self, _old_pin: &str, _new_pin: &str) -> Option<String> {
        None
    }
    /// The command that changes the voicemail prompt language.
    fn change_language_command(&self, _language: &str) -> Option<String> {
        None
    }
    /// The command that ends the "new user tutorial" on the phone side.
    fn close_tutorial_command(&self) -> Option<String> {
        None
    }
}

/// Plain IMAP4rev1 / IMAP4rev2.
#[derive(Debug)]
struct StandardImap(Dialect);

impl DialectStrategy for StandardImap {
    fn dialect(&self) -> Dialect {
        self.0
    }
}

/// Gmail: thread ids and labels come with every message.
#[derive(Debug)]
struct Gmail;

impl DialectStrategy for Gmail {
    fn dialect(&self) -> Dialect {
        Dialect::Gmail
    }
    fn extra_fetch_items(&self) -> &'static [&'static str] {
        &["X-GM-THRID", "X-GM-LABELS"]
    }
    fn threading(&self) -> Threading {
        Threading::ServerThreadId
    }
    fn uses_labels(&self) -> bool {
        true
    }
}

/// The OMTP VVM family: voicemail in INBOX, greetings in `Greetings`, quota by GETQUOTAROOT, and
/// the OMTP commands with (`OmtpVvm13`) or without (`Cvvm`, `Vvm3`) the `X` prefix.
#[derive(Debug)]
struct VisualVoicemail {
    dialect: Dialect,
    command_prefix: &'static str,
}

impl DialectStrategy for VisualVoicemail {
    fn dialect(&self) -> Dialect {
        self.dialect
    }
    fn voicemail_mailbox(&self) -> Option<&'static str> {
        Some("INBOX")
    }
    fn greetings_mailbox(&self) -> Option<&'static str> {
        Some("Greetings")
    }
    fn quota_command(&self) -> Option<String> {
        Some("GETQUOTAROOT INBOX".to_owned())
    }
    fn change_pin_command(&self, old_pin: &str, new_pin: &str) -> Option<String> {
        let digits =
            |pin: &str| !pin.is_empty() && pin.len() <= 16 && pin.chars().all(|c| c.is_ascii_digit());
        (digits(old_pin) && digits(new_pin))
            .then(|| format!("{}CHANGE_TUI_PWD PWD={new_pin} OLD_PWD={old_pin}", self.command_prefix))
    }
    fn change_language_command(&self, language: &str) -> Option<String> {
        let safe = !language.is_empty()
            && language.len() <= 16
            && language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        safe.then(|| format!("{}CHANGE_VM_LANG LANG={language}", self.command_prefix))
    }
    fn close_tutorial_command(&self) -> Option<String> {
        Some(format!("{}CLOSE_NUT", self.command_prefix))
    }
}

/// Apple's visual voicemail: voicemail in INBOX, greetings in `Greetings`, quota by GETQUOTAROOT;
/// the PIN and language are managed on the phone, so there are no OMTP commands.
#[derive(Debug)]
struct AppleVisualVoicemail;

impl DialectStrategy for AppleVisualVoicemail {
    fn dialect(&self) -> Dialect {
        Dialect::AppleVvm
    }
    fn voicemail_mailbox(&self) -> Option<&'static str> {
        Some("INBOX")
    }
    fn greetings_mailbox(&self) -> Option<&'static str> {
        Some("Greetings")
    }
    fn quota_command(&self) -> Option<String> {
        Some("GETQUOTAROOT INBOX".to_owned())
    }
}

/// The strategy for a dialect.
pub fn strategy_for(dialect: Dialect) -> Box<dyn DialectStrategy> {
    match dialect {
        Dialect::Imap4rev1 | Dialect::Imap4rev2 => Box::new(StandardImap(dialect)),
        Dialect::Gmail => Box::new(Gmail),
        Dialect::OmtpVvm13 => Box::new(VisualVoicemail { dialect, command_prefix: "X" }),
        Dialect::Cvvm | Dialect::Vvm3 => Box::new(VisualVoicemail { dialect, command_prefix: "" }),
        Dialect::AppleVvm => Box::new(AppleVisualVoicemail),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_dialect_name_is_its_json_name_and_reads_back() {
        for dialect in ALL_DIALECTS {
            assert_eq!(serde_json::to_value(dialect).unwrap(), dialect.name(), "{dialect:?}");
            assert_eq!(Dialect::from_name(dialect.name()), Some(dialect));
        }
        assert_eq!(Dialect::from_name("OMTP-VVM13"), None);
    }

    use super::*;

    fn caps(list: &str) -> Vec<String> {
        list.split_whitespace().map(str::to_owned).collect()
    }

    fn id(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    const DOVECOT: &str = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES \
        THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS \
        LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS \
        BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

    /// greeting, capabilities, ID answer, expected dialect, the evidence line that decided it.
    type Case<'a> = (&'a str, Vec<String>, Option<&'a HashMap<String, String>>, Dialect, &'a str);

    #[test]
    fn detects_each_dialect_from_its_evidence() {
        let verizon = id(&[("name", "Verizon VVM3 gateway")]);
        let apple = id(&[("name", "Apple Visual Voicemail"), ("vendor", "Apple Inc.")]);
        let dovecot = id(&[("name", "Dovecot")]);
        let cases: Vec<Case<'_>> = vec![
            (
                "Dovecot ready.",
                caps(DOVECOT),
                Some(&dovecot),
                Dialect::Imap4rev1,
                "CAPABILITY lists IMAP4rev1",
            ),
            (
                "ready",
                caps("IMAP4rev2 IMAP4rev1 IDLE"),
                None,
                Dialect::Imap4rev2,
                "CAPABILITY lists IMAP4rev2",
            ),
            (
                "Gimap ready",
                caps("IMAP4rev1 X-GM-EXT-1 IDLE"),
                None,
                Dialect::Gmail,
                "CAPABILITY lists X-GM-EXT-1",
            ),
            (
                "ready",
                caps("IMAP4rev1 XCHANGE_TUI_PWD XCLOSE_NUT"),
                None,
                Dialect::OmtpVvm13,
                "CAPABILITY lists XCHANGE_TUI_PWD XCLOSE_NUT",
            ),
            (
                "VVM server ready",
                caps("IMAP4rev1"),
                None,
                Dialect::OmtpVvm13,
                "greeting or ID mentions OMTP or VVM",
            ),
            (
                "ready",
                caps("IMAP4rev1 CHANGE_TUI_PWD CHANGE_VM_LANG"),
                None,
                Dialect::Cvvm,
                "CAPABILITY lists CHANGE_TUI_PWD CHANGE_VM_LANG (OMTP commands without X)",
            ),
            (
                "ready",
                caps("IMAP4rev1 CHANGE_TUI_PWD"),
                Some(&verizon),
                Dialect::Vvm3,
                "greeting or ID mentions VVM3 or Verizon",
            ),
            ("ready", caps("IMAP4rev1 X-APPLE-VVM"), None, Dialect::AppleVvm, "CAPABILITY lists X-APPLE-VVM"),
            (
                "ready",
                caps("IMAP4rev1"),
                Some(&apple),
                Dialect::AppleVvm,
                "greeting or ID names Apple and voicemail",
            ),
            (
                "iCloud ready",
                caps("IMAP4rev1 XAPPLEPUSHSERVICE"),
                None,
                Dialect::Imap4rev1,
                "CAPABILITY lists XAPPLEPUSHSERVICE (Apple mail push; not voicemail by itself)",
            ),
            (
                "ready",
                caps("AUTH=PLAIN"),
                None,
                Dialect::Imap4rev1,
                "CAPABILITY lists neither IMAP4rev1 nor IMAP4rev2; assuming IMAP4rev1",
            ),
        ];
        for (greeting, capabilities, server_id, expected, reason) in cases {
            let report = detect(greeting, &capabilities, server_id);
            assert_eq!(report.dialect, expected, "{greeting:?} {capabilities:?}: {:?}", report.evidence);
            assert!(
                report.evidence.iter().any(|e| e == reason),
                "{expected:?}: missing {reason:?} in {:?}",
                report.evidence
            );
        }
    }

    #[test]
    fn dovecot_extensions_are_listed_once_and_sorted() {
        let report = detect("Dovecot ready.", &caps(&format!("{DOVECOT} IDLE")), None);
        for extension in [
            Extension::Idle,
            Extension::Condstore,
            Extension::Qresync,
            Extension::Uidplus,
            Extension::Move,
            Extension::Enable,
            Extension::SpecialUse,
            Extension::LiteralPlus,
            Extension::Id,
            Extension::Namespace,
            Extension::Thread,
        ] {
            assert!(report.has(extension), "{extension:?} missing from {:?}", report.extensions);
        }
        assert!(!report.has(Extension::Quota));
        let mut sorted = report.extensions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(report.extensions, sorted);
        assert!(report.evidence.contains(&"CAPABILITY lists QRESYNC".to_owned()), "{:?}", report.evidence);
    }

    #[test]
    fn report_serializes_with_capability_names() {
        let report = detect("ready", &caps("IMAP4rev1 LITERAL+ SPECIAL-USE"), None);
        let json = serde_json::to_string(&report).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"dialect":"imap4rev1","extensions":["SPECIAL-USE","LITERAL+"],"evidence":["CAPABILITY lists IMAP4rev1"]}"#
        );
    }

    #[test]
    fn strategies_build_the_dialects_commands() {
        let omtp = strategy_for(Dialect::OmtpVvm13);
        assert_eq!(
            omtp.change_pin_command("1234", "9876").as_deref(),
            Some("XCHANGE_TUI_PWD PWD=9876 OLD_PWD=1234")
        );
        assert_eq!(omtp.change_language_command("3").as_deref(), Some("XCHANGE_VM_LANG LANG=3"));
        assert_eq!(omtp.close_tutorial_command().as_deref(), Some("XCLOSE_NUT"));
        assert_eq!(omtp.greetings_mailbox(), Some("Greetings"));
        assert_eq!(omtp.quota_command().as_deref(), Some("GETQUOTAROOT INBOX"));
        for dialect in [Dialect::Cvvm, Dialect::Vvm3] {
            let strategy = strategy_for(dialect);
            assert_eq!(strategy.dialect(), dialect);
            assert_eq!(
                strategy.change_pin_command("1", "2").as_deref(),
                Some("CHANGE_TUI_PWD PWD=2 OLD_PWD=1")
            );
            assert_eq!(strategy.close_tutorial_command().as_deref(), Some("CLOSE_NUT"));
        }
        // A PIN that is not digits could smuggle a second command; it is refused.
        assert_eq!(omtp.change_pin_command("1234", "1\r\nA1 LOGOUT"), None);
        assert_eq!(omtp.change_language_command("en US"), None);
        let gmail = strategy_for(Dialect::Gmail);
        assert_eq!(gmail.extra_fetch_items(), ["X-GM-THRID", "X-GM-LABELS"]);
        assert_eq!(gmail.threading(), Threading::ServerThreadId);
        assert!(gmail.uses_labels());
        assert_eq!(gmail.greetings_mailbox(), None);
        let apple = strategy_for(Dialect::AppleVvm);
        assert_eq!(apple.greetings_mailbox(), Some("Greetings"));
        assert_eq!(apple.change_pin_command("1", "2"), None);
        let plain = strategy_for(Dialect::Imap4rev1);
        assert!(plain.extra_fetch_items().is_empty());
        assert_eq!(plain.quota_command(), None);
    }
}
