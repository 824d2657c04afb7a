//! What Tidings says about itself in RFC 2971 `ID`: the client characteristics the Streamwide
//! patent (EP 2 856 709) has a server read to pick a dialect and transcode for the client.
//!
//! Fields: `name`, `version`, `os`, `os-version`, `vendor`, `support-url` (RFC 2971 §3.3), plus
//! our own `x-` fields (RFC 2971 allows non-standard keys): `x-dialects` (what we speak),
//! `x-audio` (formats we can play), `x-language` (BCP 47, from `LC_ALL`/`LANG`) and `x-images`
//! (whether we show remote images).
//!
//! This module builds and formats the fields; `connect.rs` decides when to send them and keeps the
//! server's answer for dialect detection.

/// The dialects Tidings speaks, as advertised in `x-dialects`.
pub const OUR_DIALECTS: &str = "imap4rev1 imap4rev2 gmail omtp-vvm-1.3 cvvm vvm3 apple-vvm";

/// The audio formats Tidings can play, as advertised in `x-audio` (MIME types, `;`-separated).
pub const OUR_AUDIO: &str = "audio/amr;audio/amr-wb;audio/wav;audio/mpeg;audio/ogg;audio/opus;audio/flac";

/// Where users get help. The project has no public site yet, so this is a reserved `.invalid`
/// name (RFC 2606) rather than a guess that could point at someone else's site.
pub const SUPPORT_URL: &str = "https://tidings.invalid/support";

/// The ID fields we send, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    fields: Vec<(String, String)>,
}

impl ClientIdentity {
    /// Our identity on this machine: OS from the build target and `/etc/os-release`, language from
    /// `LC_ALL`/`LANG`, and whether the user allows remote images.
    pub fn of_this_machine(show_images: bool) -> ClientIdentity {
        let lc_all = std::env::var("LC_ALL").ok();
        let lang = std::env::var("LANG").ok();
        ClientIdentity::new(&os_version(), &language_tag(lc_all.as_deref(), lang.as_deref()), show_images)
    }

    /// Our identity with the machine-dependent parts given.
    pub fn new(os_version: &str, language: &str, show_images: bool) -> ClientIdentity {
        let fields = [
            ("name", "Tidings"),
            ("version", env!("CARGO_PKG_VERSION")),
            ("os", std::env::consts::OS),
            ("os-version", os_version),
            ("vendor", "Tidings"),
            ("support-url", SUPPORT_URL),
            ("x-dialects", OUR_DIALECTS),
            ("x-audio", OUR_AUDIO),
            ("x-language", language),
            ("x-images", if show_images { "on" } else { "off" }),
        ];
        ClientIdentity { fields: fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() }
    }

    /// The fields, in the order they are sent.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// One field's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The `ID (...)` command line (RFC 2971 §3.1): keys and values as quoted strings.
    pub fn command(&self) -> String {
        let list: Vec<String> =
            self.fields.iter().map(|(key, value)| format!("{} {}", quoted(key), quoted(value))).collect();
        format!("ID ({})", list.join(" "))
    }
}

/// An IMAP quoted string (RFC 3501 §4.3): backslash and double quote escaped; line breaks, which
/// a quoted string cannot carry, become spaces. RFC 2971 §3.3 caps values at 1024 octets.
fn quoted(value: &str) -> String {
    let mut text: String = value.chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }).collect();
    if text.len() > 1024 {
        let mut end = 1024;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A BCP 47 tag from POSIX locale variables: `LC_ALL` wins over `LANG`; `de_DE.UTF-8` becomes
/// `de-DE`, `sr_RS@latin` becomes `sr-RS`; `C`, `POSIX` or nothing becomes `en`.
pub fn language_tag(lc_all: Option<&str>, lang: Option<&str>) -> String {
    let locale = [lc_all, lang].into_iter().flatten().find(|value| !value.trim().is_empty());
    let Some(locale) = locale else { return "en".to_owned() };
    let base = locale.split(['.', '@']).next().unwrap_or_default().trim();
    if base.is_empty() || base == "C" || base == "POSIX" {
        return "en".to_owned();
    }
    let mut parts = base.split(['_', '-']);
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    if language.is_empty() || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return "en".to_owned();
    }
    match parts
        .next()
        .filter(|region| region.chars().all(|c| c.is_ascii_alphanumeric()) && !region.is_empty())
    {
        Some(region) => format!("{language}-{}", region.to_ascii_uppercase()),
        None => language,
    }
}

/// `PRETTY_NAME` from `/etc/os-release` (e.g. "Debian GNU/Linux 12 (bookworm)"), else "unknown".
fn os_version() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|line| {
                line.strip_prefix("PRETTY_NAME=").map(|value| value.trim_matches('"').to_owned())
            })
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_from_posix_locales() {
        let cases: &[(Option<&str>, Option<&str>, &str)] = &[
            (None, None, "en"),
            (None, Some("de_DE.UTF-8"), "de-DE"),
            (Some("fr_CA.UTF-8"), Some("de_DE.UTF-8"), "fr-CA"),
            (Some(""), Some("pt_BR"), "pt-BR"),
            (None, Some("C"), "en"),
            (None, Some("POSIX"), "en"),
            (None, Some("C.UTF-8"), "en"),
            (None, Some("sr_RS@latin"), "sr-RS"),
            (None, Some("es"), "es"),
        ];
        for (lc_all, lang, expected) in cases {
            assert_eq!(language_tag(*lc_all, *lang), *expected, "LC_ALL={lc_all:?} LANG={lang:?}");
        }
    }

    #[test]
    fn command_quotes_every_field_in_order() {
        let identity = ClientIdentity::new("Debian \"12\"", "de-DE", true);
        let command = identity.command();
        assert!(command.starts_with("ID (\"name\" \"Tidings\" \"version\" \""), "{command}");
        assert!(command.contains("\"os-version\" \"Debian \\\"12\\\"\""), "{command}");
        assert!(command.contains(&format!("\"x-audio\" \"{OUR_AUDIO}\"")), "{command}");
        assert!(command.contains("\"x-language\" \"de-DE\""), "{command}");
        assert!(command.ends_with("\"x-images\" \"on\")"), "{command}");
        assert_eq!(identity.get("x-dialects"), Some(OUR_DIALECTS));
    }

    #[test]
    fn line_breaks_and_long_values_cannot_break_the_command() {
        let identity = ClientIdentity::new(&format!("evil\r\nA1 LOGOUT{}", "x".repeat(2000)), "en", false);
        let command = identity.command();
        assert!(!command.contains('\r') && !command.contains('\n'));
        let os_version = identity.get("os-version").unwrap_or_default();
        assert!(quoted(os_version).len() <= 1024 + 2);
    }
}
