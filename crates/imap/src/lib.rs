//! Tidings' IMAP client: connect, authenticate, detect the server's dialect, advertise ours,
//! sync a mailbox into the store and wait for changes with IDLE.
//!
//! Map of the crate:
//! - [`mod@connect`]: TCP, implicit TLS or STARTTLS (rustls), certificate pinning, plaintext policy,
//!   LOGIN / AUTHENTICATE PLAIN / OAuth2 SASL, timeouts. Returns an [`ImapSession`].
//! - [`mod@probe`]: the same connection up to the greeting, CAPABILITY and ID, without login.
//! - `tls`: the certificate verifiers (the platform's trust store, loaded once per process, with
//!   Mozilla's roots as the fallback; or one pinned certificate), which always remember the leaf
//!   so an untrusted certificate can be shown to the user by fingerprint.
//! - [`session`]: the logged-in connection and the one command runner every command goes through.
//! - [`folders`]: the account's folders with their SPECIAL-USE roles and decoded names, and one
//!   folder's STATUS counts.
//! - [`dialect`]: which IMAP dialect the server speaks (pure), and one strategy per dialect.
//! - [`id`]: what we say about ourselves in RFC 2971 `ID`.
//! - [`select`]: the resync rules applied when a mailbox is selected, as a [`SyncPlan`].
//! - [`sync`]: fetching into `tidings-store`, headers first and then bodies, batch by batch,
//!   crash-safe; and bodies on demand ([`fetch_bodies`]).
//! - [`idle`]: waiting for new mail, flag changes and expunges with IDLE.
//! - [`voicebox`]: the visual-voicemail box: quota, TUI PIN, prompt language, tutorial, greetings.
//!
//! Invariants:
//! - A password never leaves the process over an unencrypted connection unless the user allowed
//!   plaintext *and* the peer is on loopback or a private LAN; a STARTTLS that is not offered or
//!   refused ends the connection before any credential is sent.
//! - A certificate is trusted by the platform's roots or by an explicit SHA-256 pin, never silently.
//! - After any error (I/O, timeout, protocol, BYE) the underlying session is dropped: a zombie
//!   session answers `OK` with empty data, which must never be mistaken for an empty mailbox.
//!
//! This crate knows nothing about sled keys (it calls `tidings-store`), the OS keyring, the UI or
//! account autoconfiguration.

pub mod connect;
pub mod dialect;
pub mod folders;
pub mod id;
pub mod idle;
pub mod probe;
pub mod select;
pub mod session;
pub mod sync;
mod tls;
pub mod voicebox;

pub use connect::{
    connect, oauthbearer_initial_response, xoauth2_initial_response, Auth, ConnectOptions, Security,
    ServerConfig, Timeouts, TokenFuture, TokenProvider,
};
pub use dialect::{detect, strategy_for, Dialect, DialectReport, DialectStrategy, Extension};
pub use folders::{
    decode_modified_utf7, folder_status, list_folders, Folder, FolderRole, FolderStatus, ROLE_NAMES,
};
pub use id::ClientIdentity;
pub use idle::{watch, watch_or_wake, IdleEvent};
pub use probe::{probe, ProbeReport};
pub use select::{resync_rules, FlagChanges, NewMessages, SelectedMailbox, SyncPlan, SyncPolicy};
pub use session::ImapSession;
pub use sync::{
    fetch_bodies, sync_mailbox, sync_mailbox_cancellable, sync_mailbox_reporting, sync_mailbox_with, Bodies,
    SyncOptions, SyncProgress, SyncReport,
};
pub use voicebox::{
    activate_greeting, change_language, change_tui_password, close_tutorial, deactivate_greeting,
    delete_greeting, greetings_mailbox, list_greetings, quota, upload_greeting, FetchedGreeting,
    LanguageRefusal, PinRefusal, QuotaResource, QuotaRoot, QuotaUsage, GREETING_ON,
};

/// What can go wrong talking to an IMAP server, named for what the user or the caller can do.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The server rejected the user name or password (or the OAuth2 token): ask again.
    #[error("wrong password: the server rejected the login for this account")]
    WrongPassword,
    /// The server will not accept a password over this unencrypted connection: use TLS or STARTTLS.
    #[error("server refused plaintext login: connect with TLS or STARTTLS")]
    PlaintextRefused,
    /// Plaintext was asked for but is not allowed here (not enabled, or the host is not on
    /// loopback or a private LAN): use TLS or STARTTLS.
    #[error(
        "plaintext IMAP to {host} is not allowed: only to loopback or a private LAN, and only when enabled"
    )]
    PlaintextNotAllowed {
        /// The host (and resolved peer address) that was refused.
        host: String,
    },
    /// STARTTLS was required but the server did not offer it or refused it (possibly an attacker
    /// stripping it); the connection was closed and no password was sent.
    #[error("STARTTLS was required but the server did not offer it; the connection was closed before sending the password")]
    StartTlsStripped,
    /// The server's certificate is not trusted; show the fingerprint and let the user pin it.
    #[error("certificate not trusted (SHA-256 fingerprint {sha256_fingerprint})")]
    UntrustedCertificate {
        /// SHA-256 of the leaf certificate's DER, as `AA:BB:…` (what `openssl x509 -fingerprint -sha256` prints).
        sha256_fingerprint: String,
    },
    /// The server did not answer in time; the connection was dropped, retry later.
    #[error("the server did not answer in time during {during}")]
    Timeout {
        /// The step that timed out, e.g. "TLS handshake" or "UID FETCH".
        during: &'static str,
    },
    /// The network failed (DNS, refused, reset, closed, TLS failure other than trust); retry later.
    #[error("network error: {0}")]
    Network(String),
    /// The server said something we cannot work with (BAD, unexpected answer, missing UIDVALIDITY).
    #[error("IMAP protocol error: {0}")]
    Protocol(String),
    /// The mailbox does not exist on the server (SELECT answered NO).
    #[error("mailbox {0:?} does not exist on the server")]
    MailboxMissing(String),
    /// No OAuth2 access token could be obtained; sign in again.
    #[error("no OAuth2 access token: {0}")]
    OAuthToken(String),
    /// This session was dropped after an earlier error; connect again.
    #[error("the IMAP connection was closed after an earlier error; connect again")]
    Disconnected,
    /// This server's dialect has no such command or folder (e.g. "TUI password command" on a
    /// plain IMAP account): hide the feature.
    #[error("this server has no {what}")]
    NotOffered {
        /// What is missing, e.g. "TUI password command" or "greetings folder".
        what: &'static str,
    },
    /// An argument was refused before anything was sent, because it could break the command
    /// line (a PIN with non-digits, a language with spaces or line breaks): correct the input.
    #[error("the {what} was not sent: {reason}")]
    NotSendable {
        /// What was refused, e.g. "PIN" or "language".
        what: &'static str,
        /// Why, for the user.
        reason: &'static str,
    },
    /// The voicemail server refused the new PIN; `reason` tells the UI what to say. The session
    /// stays usable.
    #[error("the voicemail server refused the new PIN: {server_text}")]
    PinRefused {
        /// The OMTP reason.
        reason: voicebox::PinRefusal,
        /// The server's words, clipped.
        server_text: String,
    },
    /// The voicemail server refused the prompt language. The session stays usable.
    #[error("the voicemail server refused the language: {server_text}")]
    LanguageRefused {
        /// The OMTP reason.
        reason: voicebox::LanguageRefusal,
        /// The server's words, clipped.
        server_text: String,
    },
    /// The server answered `NO` to a command that has no more specific error. The session stays
    /// usable.
    #[error("the server refused {during}: {server_text}")]
    CommandRefused {
        /// The command, e.g. "APPEND" or "CLOSE_NUT".
        during: &'static str,
        /// The server's words, clipped.
        server_text: String,
    },
    /// The message with this UID is not (or no longer) in the mailbox: list again.
    #[error("no message with UID {uid} in {mailbox:?}")]
    MessageMissing {
        /// The mailbox.
        mailbox: String,
        /// The UID asked for.
        uid: u32,
    },
    /// The local mail cache failed.
    #[error(transparent)]
    Store(#[from] tidings_store::StoreError),
}

/// Result of this crate.
pub type Result<T, E = ImapError> = std::result::Result<T, E>;

impl ImapError {
    /// Maps an async-imap error of a command that is not a login.
    pub(crate) fn from_imap(error: async_imap::error::Error) -> ImapError {
        use async_imap::error::Error;
        match error {
            Error::Io(io) => ImapError::Network(io.to_string()),
            Error::ConnectionLost => ImapError::Network("the server closed the connection".into()),
            other => ImapError::Protocol(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    fn assert_send<T: Send>(_: &T) {}

    /// The app drives these from spawned tasks, which need `Send` futures; this fails to compile
    /// if one of them stops being `Send`.
    #[allow(dead_code)]
    fn public_futures_are_send(
        session: &mut crate::ImapSession,
        store: &tidings_store::Store,
        auth: &crate::Auth,
    ) {
        let options = crate::ConnectOptions::default();
        let config = crate::ServerConfig {
            host: "127.0.0.1".into(),
            port: 1,
            security: crate::Security::Tls,
            username: "u".into(),
            allow_plaintext: false,
            pinned_sha256: None,
        };
        assert_send(&crate::connect(&config, auth, &options));
        assert_send(&crate::probe(&config, &options));
        assert_send(&crate::sync_mailbox(session, store, "a", "INBOX"));
        assert_send(&crate::list_folders(session));
        assert_send(&crate::folder_status(session, "INBOX"));
        let stop = std::sync::atomic::AtomicBool::new(false);
        assert_send(&crate::sync_mailbox_cancellable(
            session,
            store,
            "a",
            "INBOX",
            &crate::SyncOptions::default(),
            &mut |_| {},
            &stop,
        ));
        assert_send(&crate::watch(session, std::time::Duration::from_secs(1)));
        assert_send(&crate::watch_or_wake(session, std::time::Duration::from_secs(1), async {}));
        let vvm = crate::strategy_for(crate::Dialect::OmtpVvm13);
        assert_send(&crate::quota(session, vvm.as_ref()));
        assert_send(&crate::change_tui_password(session, vvm.as_ref(), "1", "2"));
        assert_send(&crate::change_language(session, vvm.as_ref(), "1"));
        assert_send(&crate::close_tutorial(session, vvm.as_ref()));
        assert_send(&crate::greetings_mailbox(session, vvm.as_ref()));
        assert_send(&crate::list_greetings(session, "Greetings"));
        assert_send(&crate::activate_greeting(session, "Greetings", 1, &[2]));
        assert_send(&crate::deactivate_greeting(session, "Greetings", 1));
        assert_send(&crate::upload_greeting(session, "Greetings", b"x", true));
        assert_send(&crate::delete_greeting(session, "Greetings", 1));
    }
}
