//! What the IMAP subcommands share: the server address and trust options, the conversion between
//! the cache's [`ServerSettings`] and `tidings-imap`'s [`ServerConfig`], the password (keyring,
//! environment or standard input), the async runtime and how IMAP errors become one-line failures.

use std::io::{BufRead, IsTerminal};

use tidings_imap::{ConnectOptions, ImapError, ServerConfig};
use tidings_store::{ConnectionSecurity, ServerSettings};

use crate::args::{ConnectionArgs, SecurityArg};
use crate::failure::Failure;

/// Where a password may come from besides standard input.
pub const PASSWORD_ENV: &str = "TIDINGS_PASSWORD";

pub use tidings_accounts::{address, colon_fingerprint, default_port, keychain, security_name};

pub fn security_of(arg: SecurityArg) -> ConnectionSecurity {
    match arg {
        SecurityArg::Tls => ConnectionSecurity::Tls,
        SecurityArg::Starttls => ConnectionSecurity::Starttls,
        SecurityArg::Plain => ConnectionSecurity::Plain,
    }
}

/// Splits `HOST`, `HOST:PORT`, `[IPv6]` or `[IPv6]:PORT`; a bare IPv6 address has no port.
pub fn parse_server(text: &str) -> Result<(String, Option<u16>), Failure> {
    let bad = || Failure::BadInput(format!("--server {text:?} is not HOST or HOST:PORT"));
    let text = text.trim();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(bad)?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or_else(bad)?)),
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) if !port.contains(':') => (host, Some(port)),
            // More than one colon: a bare IPv6 address.
            _ => (text, None),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
        return Err(bad());
    }
    let port = match port {
        None => None,
        Some(port) => match port.parse::<u16>() {
            Ok(port) if port > 0 => Some(port),
            _ => return Err(Failure::BadInput(format!("--server {text:?}: {port:?} is not a port number"))),
        },
    };
    Ok((host.to_owned(), port))
}

/// A SHA-256 fingerprint as `AB:CD:…` (what Tidings and `openssl x509 -fingerprint` print) or as
/// 64 hex digits, returned as 64 lower-case hex digits.
pub fn parse_fingerprint(text: &str) -> Result<String, Failure> {
    tidings_accounts::parse_fingerprint(text).ok_or_else(|| {
        Failure::BadInput(format!(
            "--accept-certificate {text:?} is not a SHA-256 fingerprint (AB:CD:… or 64 hex digits)"
        ))
    })
}

/// Server settings from `--server` and the connection options.
pub fn settings_from_args(
    server: &str,
    connection: &ConnectionArgs,
    username: String,
) -> Result<ServerSettings, Failure> {
    let (host, port) = parse_server(server)?;
    let security = connection.security.map_or(ConnectionSecurity::Tls, security_of);
    let pinned_sha256 = connection.accept_certificate.as_deref().map(parse_fingerprint).transpose()?;
    if pinned_sha256.is_some() && security == ConnectionSecurity::Plain {
        return Err(Failure::BadInput(
            "--accept-certificate needs --security tls or starttls: plaintext has no certificate".into(),
        ));
    }
    Ok(ServerSettings {
        port: port.unwrap_or_else(|| default_port(security)),
        host,
        security,
        username,
        allow_plaintext: connection.allow_plaintext,
        pinned_sha256,
    })
}

/// What `tidings-imap` needs to connect with these settings.
pub fn config_of(settings: &ServerSettings) -> Result<ServerConfig, Failure> {
    tidings_accounts::config_of(settings).map_err(|error| Failure::BadInput(error.to_string()))
}

/// Our ID and the default step timeouts.
pub fn connect_options() -> ConnectOptions {
    ConnectOptions::default()
}

/// A password typed or piped in: `TIDINGS_PASSWORD`, else the first line of standard input
/// (asked for without echo when standard input is a terminal). Never printed, never written.
pub fn read_password() -> Result<String, Failure> {
    let password = match std::env::var(PASSWORD_ENV) {
        Ok(password) => password,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Failure::BadInput(format!("{PASSWORD_ENV} is not valid UTF-8")))
        }
        Err(std::env::VarError::NotPresent) if std::io::stdin().is_terminal() => {
            rpassword::prompt_password("Password: ")
                .map_err(|error| Failure::Runtime(format!("could not read the password: {error}")))?
        }
        Err(std::env::VarError::NotPresent) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|_| Failure::BadInput("the password on standard input is not valid UTF-8".into()))?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    if password.is_empty() {
        return Err(Failure::BadInput(format!(
            "no password: set {PASSWORD_ENV} or give it as the first line of standard input"
        )));
    }
    Ok(password)
}

/// A single-threaded runtime: the command line talks to one server at a time.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Runtime(format!("could not start the async runtime: {error}")))
}

/// An IMAP error as a one-line failure. `retry_hint` completes an untrusted-certificate message
/// with what to run to trust it (it gets the fingerprint).
pub fn imap_failure(error: ImapError, retry_hint: impl FnOnce(&str) -> String) -> Failure {
    match error {
        ImapError::UntrustedCertificate { ref sha256_fingerprint } => {
            let hint = retry_hint(sha256_fingerprint);
            Failure::Runtime(format!("{error}: {hint}"))
        }
        ImapError::MailboxMissing(_) => Failure::BadInput(error.to_string()),
        other => Failure::Runtime(other.to_string()),
    }
}

/// The usual hint: pin the certificate if the user trusts it.
pub fn accept_hint(fingerprint: &str) -> String {
    format!("if you trust this server, rerun with --accept-certificate {fingerprint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_parse_with_and_without_ports() {
        let cases: &[(&str, &str, Option<u16>)] = &[
            ("imap.example.org", "imap.example.org", None),
            ("imap.example.org:143", "imap.example.org", Some(143)),
            ("127.0.0.1:1993", "127.0.0.1", Some(1993)),
            ("[::1]:993", "::1", Some(993)),
            ("[::1]", "::1", None),
            ("fe80::1", "fe80::1", None),
        ];
        for (text, host, port) in cases {
            let parsed = parse_server(text).unwrap_or_else(|f| panic!("{text}: {f}"));
            assert_eq!(parsed, ((*host).to_owned(), *port), "{text}");
        }
        for bad in ["", ":993", "host:0", "host:99999", "host:imap", "[::1", "[::1]x", "a b"] {
            assert!(matches!(parse_server(bad), Err(Failure::BadInput(_))), "{bad:?}");
        }
    }

    #[test]
    fn fingerprints_are_accepted_with_or_without_colons() {
        let hex = "0123456789abcdef".repeat(4);
        let colons = colon_fingerprint(&hex);
        assert!(colons.starts_with("01:23:45:67:89:AB:CD:EF:01"), "{colons}");
        assert_eq!(parse_fingerprint(&colons).ok(), Some(hex.clone()));
        assert_eq!(parse_fingerprint(&hex.to_uppercase()).ok(), Some(hex.clone()));
        for bad in ["", "AB:CD", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(parse_fingerprint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn untrusted_certificates_come_with_the_rerun_hint() {
        let error = ImapError::UntrustedCertificate { sha256_fingerprint: "AB:CD".into() };
        let message = imap_failure(error, accept_hint).to_string();
        assert_eq!(
            message,
            "certificate not trusted (SHA-256 fingerprint AB:CD): if you trust this server, rerun with \
             --accept-certificate AB:CD"
        );
        assert!(matches!(imap_failure(ImapError::WrongPassword, accept_hint), Failure::Runtime(_)));
    }
}
