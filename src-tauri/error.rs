//! The error every command returns: a closed `code` the UI switches on, and a message for people.

use serde::Serialize;
use tidings_accounts::AccountsError;
use tidings_imap::ImapError;
use tidings_store::StoreError;
use tidings_voicemail::audio::AudioError;

use crate::links::LinkRefused;
use crate::settings::SettingsError;
use crate::user_masks::SaveError;

/// What went wrong, as the UI tells it apart (mirrored in `ui/src/lib/ipc.ts`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The message or account asked for is not in the cache.
    NotFound,
    /// The cache could not be read or written.
    Cache,
    /// What the user typed is not usable (address, server, port, fingerprint), or the account exists.
    InvalidInput,
    /// The server rejected the login.
    WrongPassword,
    /// The server's certificate is not trusted; `fingerprint` says which one it is.
    UntrustedCertificate,
    /// The server could not be reached, or no server was found for the address.
    Unreachable,
    /// No password was sent over an unencrypted connection.
    PlaintextRefused,
    /// The OS keyring is missing or locked.
    Keyring,
    /// The server answered something we cannot work with.
    Server,
    /// A voicemail's audio or a fax page could not be decoded (corrupt, empty or an unsupported format).
    Audio,
    /// A link was refused (scheme, credentials, length) before it reached the browser.
    LinkRefused,
    /// The system browser (or mail program) could not be started.
    Browser,
    /// The voicemail server refused a change (a PIN too short or too weak, a language, a greeting).
    Refused,
}

/// An error crossing IPC.
#[derive(Debug, Serialize)]
pub struct IpcError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A sentence for the user.
    pub message: String,
    /// The certificate's SHA-256 (`AB:CD:…`) with `untrusted_certificate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError { code, message: message.into(), fingerprint: None }
    }

    pub fn not_found(message: impl Into<String>) -> IpcError {
        IpcError::new(ErrorCode::NotFound, message)
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> IpcError {
        IpcError::new(ErrorCode::Cache, error.to_string())
    }
}

impl From<SaveError> for IpcError {
    fn from(error: SaveError) -> IpcError {
        let code = match error {
            SaveError::Invalid(_) => ErrorCode::InvalidInput,
            SaveError::Io(_) => ErrorCode::Cache,
        };
        IpcError::new(code, error.to_string())
    }
}

impl From<SettingsError> for IpcError {
    fn from(error: SettingsError) -> IpcError {
        let code = match error {
            SettingsError::Invalid(_) => ErrorCode::InvalidInput,
            SettingsError::Io(_) => ErrorCode::Cache,
        };
        IpcError::new(code, error.to_string())
    }
}

impl From<AudioError> for IpcError {
    fn from(error: AudioError) -> IpcError {
        IpcError::new(ErrorCode::Audio, format!("The voicemail's audio cannot be played: {error}."))
    }
}

impl From<LinkRefused> for IpcError {
    fn from(error: LinkRefused) -> IpcError {
        IpcError::new(ErrorCode::LinkRefused, format!("{error}."))
    }
}

impl From<AccountsError> for IpcError {
    fn from(error: AccountsError) -> IpcError {
        let code = match &error {
            AccountsError::InvalidInput(_) | AccountsError::AlreadyExists(_) | AccountsError::NoServer(_) => {
                ErrorCode::InvalidInput
            }
            AccountsError::NotFound(_) => ErrorCode::NotFound,
            AccountsError::WrongPassword { .. } => ErrorCode::WrongPassword,
            AccountsError::UntrustedCertificate { fingerprint, address } => {
                return IpcError {
                    code: ErrorCode::UntrustedCertificate,
                    message: format!(
                        "The certificate of {address} is not trusted. Its SHA-256 fingerprint is \
                         {fingerprint}; trust it only if it is the one your provider publishes."
                    ),
                    fingerprint: Some(fingerprint.clone()),
                }
            }
            AccountsError::Unreachable { .. } | AccountsError::NoServerFound { .. } => ErrorCode::Unreachable,
            AccountsError::PlaintextRefused(_) => ErrorCode::PlaintextRefused,
            AccountsError::NoPassword(_) | AccountsError::Keyring(_) => ErrorCode::Keyring,
            AccountsError::Store(_) => ErrorCode::Cache,
            AccountsError::Imap(
                ImapError::PinRefused { .. }
                | ImapError::LanguageRefused { .. }
                | ImapError::CommandRefused { .. },
            ) => ErrorCode::Refused,
            AccountsError::Imap(ImapError::NotSendable { .. }) => ErrorCode::InvalidInput,
            AccountsError::Imap(_) => ErrorCode::Server,
        };
        IpcError::new(code, sentence(&error.to_string()))
    }
}

/// `text` with a capital first letter, as the UI shows it.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_imap::ImapError;
    use tidings_store::{ConnectionSecurity, ServerSettings};

    #[test]
    fn every_imap_failure_of_a_login_has_a_code_the_ui_switches_on() {
        let settings = ServerSettings {
            host: "imap.example.org".into(),
            port: 143,
            security: ConnectionSecurity::Plain,
            username: "alice".into(),
            allow_plaintext: true,
            pinned_sha256: None,
        };
        let code = |error| IpcError::from(AccountsError::from_imap(error, &settings)).code;
        assert_eq!(code(ImapError::WrongPassword), ErrorCode::WrongPassword);
        assert_eq!(code(ImapError::PlaintextRefused), ErrorCode::PlaintextRefused);
        assert_eq!(code(ImapError::PlaintextNotAllowed { host: "x".into() }), ErrorCode::PlaintextRefused);
        assert_eq!(code(ImapError::StartTlsStripped), ErrorCode::PlaintextRefused);
        assert_eq!(code(ImapError::Timeout { during: "greeting" }), ErrorCode::Unreachable);
        assert_eq!(code(ImapError::Protocol("BAD".into())), ErrorCode::Server);
        let untrusted = IpcError::from(AccountsError::from_imap(
            ImapError::UntrustedCertificate { sha256_fingerprint: "AB:CD".into() },
            &settings,
        ));
        assert_eq!(untrusted.code, ErrorCode::UntrustedCertificate);
        assert_eq!(untrusted.fingerprint.as_deref(), Some("AB:CD"));
        assert!(untrusted.message.contains("AB:CD") && untrusted.message.starts_with("The certificate"));
    }
}
