//! # tidings-autoconfig: where an account's IMAP server probably is
//!
//! Owns account setup's first step: from nothing but an e-mail address, the IMAP servers worth
//! trying, best first. Three sources, as Thunderbird has them:
//!
//! - the shipped ISPDB files of the big providers (`assets/autoconfig/*.xml`, compiled in), found by
//!   the address's domain or one of its aliases ([`candidates`]);
//! - an autoconfig document the caller fetched from one of the [`lookup_urls`] ([`parse_document`]);
//! - well-known host-name guesses, `imap.<domain>` and the like, never unencrypted ([`candidates`]).
//!
//! No IO: nothing here connects, resolves or fetches. The caller probes the candidates by connecting
//! and falls back to a manual form when none answers.
//!
//! ```
//! use tidings_autoconfig::{candidates, SocketType, Source};
//!
//! let found = candidates("someone@googlemail.com")?;
//! let best = &found[0];
//! assert_eq!((best.host.as_str(), best.port, best.socket), ("imap.gmail.com", 993, SocketType::Tls));
//! assert_eq!(best.source, Source::Shipped { provider: "Google Mail".to_owned() });
//! assert_eq!(found.last().unwrap().host, "googlemail.com");
//! # Ok::<(), tidings_autoconfig::AutoconfigError>(())
//! ```

mod address;
mod document;
mod shipped;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use address::EmailAddress;
use document::ProviderConfig;

/// How the IMAP connection is protected, as ISPDB's `socketType` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SocketType {
    /// TLS from the first byte (`SSL`), usually port 993.
    Tls,
    /// A plain connection upgraded with STARTTLS (`STARTTLS`), usually port 143.
    StartTls,
    /// No encryption at all (`plain`); only ever from a provider's own configuration.
    Plain,
}

/// Where a candidate comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// From the shipped ISPDB file of this provider (its display name).
    Shipped { provider: String },
    /// From a parsed autoconfig document the caller fetched.
    Document,
    /// A well-known host-name guess.
    Guess,
}

/// One IMAP server to try, with the user name to log in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The host name, ASCII (Punycode for an internationalised domain).
    pub host: String,
    pub port: u16,
    pub socket: SocketType,
    /// The login, placeholders filled in; the domain in it is lowercased Unicode.
    pub username: String,
    pub source: Source,
}

/// Why no candidates could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutoconfigError {
    /// The address, as given, and what is wrong with it.
    #[error("{address:?} is not an e-mail address: {reason}")]
    InvalidAddress { address: String, reason: &'static str },
    /// Not XML, XML with a DTD, or a document over 256 KiB.
    #[error("the autoconfig document is not well-formed XML: {0}")]
    MalformedXml(String),
    /// Well-formed XML that is not a `clientConfig`, or an IMAP server without a usable host name,
    /// port, socketType or username.
    #[error("the autoconfig document is not a usable clientConfig: {0}")]
    InvalidDocument(String),
    /// A `clientConfig` without an `<incomingServer type="imap">`.
    #[error("the autoconfig document lists no IMAP server")]
    NoImapServer,
}

/// The host-name guesses, in the order they are tried: a prefix for the domain, a port, a socket.
const GUESSES: [(&str, u16, SocketType); 5] = [
    ("imap.", 993, SocketType::Tls),
    ("imap.", 143, SocketType::StartTls),
    ("mail.", 993, SocketType::Tls),
    ("mail.", 143, SocketType::StartTls),
    ("", 993, SocketType::Tls),
];

/// Candidates for an e-mail address, best first: the shipped provider configuration (IMAP servers
/// only) if the domain, or one of its aliases such as googlemail.com, is known; then the guesses
/// `imap.<domain>:993` TLS, `imap.<domain>:143` STARTTLS, `mail.<domain>:993` TLS,
/// `mail.<domain>:143` STARTTLS, `<domain>:993` TLS, less any server already listed. Guesses log
/// in with the whole address and are never unencrypted.
pub fn candidates(email: &str) -> Result<Vec<Candidate>, AutoconfigError> {
    let email = EmailAddress::parse(email)?;
    let mut candidates = match shipped::provider_for(&email.ascii_domain) {
        Some(provider) => {
            provider.config.candidates(&email, &Source::Shipped { provider: provider.name.clone() })?
        }
        None => Vec::new(),
    };
    for (prefix, port, socket) in GUESSES {
        let host = format!("{prefix}{}", email.ascii_domain);
        let already_listed = candidates
            .iter()
            .any(|listed| listed.host == host && listed.port == port && listed.socket == socket);
        if !already_listed {
            candidates.push(Candidate {
                host,
                port,
                socket,
                username: email.login_address(),
                source: Source::Guess,
            });
        }
    }
    Ok(candidates)
}

/// Parses a Thunderbird autoconfig document (`clientConfig` version 1.1) for `email`: its IMAP
/// incoming servers only, in document order, with `%EMAILADDRESS%`, `%EMAILLOCALPART%` and
/// `%EMAILDOMAIN%` filled in. A document with a DTD, or larger than 256 KiB, is refused.
pub fn parse_document(xml: &str, email: &str) -> Result<Vec<Candidate>, AutoconfigError> {
    let email = EmailAddress::parse(email)?;
    ProviderConfig::parse(xml)?.candidates(&email, &Source::Document)
}

/// What a query value keeps unescaped: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The URLs a caller may fetch an autoconfig document from, in the order to try them: the
/// provider's autoconfig host, its well-known path, then Thunderbird's ISPDB service:
/// `https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<address>`,
/// `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`,
/// `https://autoconfig.thunderbird.net/v1.1/<domain>`. The domain is in Punycode, the address
/// percent-encoded.
pub fn lookup_urls(email: &str) -> Result<Vec<String>, AutoconfigError> {
    let email = EmailAddress::parse(email)?;
    let domain = &email.ascii_domain;
    let address = utf8_percent_encode(&email.login_address(), QUERY_VALUE).to_string();
    Ok(vec![
        format!("https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}"),
        format!("https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml"),
        format!("https://autoconfig.thunderbird.net/v1.1/{domain}"),
    ])
}
