//! Shared by the `platform_roots*` test binaries: each sets the trust store through the environment
//! before its first unpinned connection, because `tidings-imap` loads the platform's roots once per
//! process. Each binary therefore has exactly one test.

// Each binary uses only some of these helpers.
#![allow(dead_code, unused_imports)]

use std::path::Path;

use tidings_imap::{connect, Auth, ImapError, ImapSession, Security, ServerConfig};
use tidings_testkit::Dovecot;

/// The Dovecot test binary's helpers; these binaries use its step timeout and connect options.
#[path = "../dovecot/util.rs"]
mod util;

use util::{fingerprint, start};
pub use util::{options, step, tls_logins};

/// A Dovecot with implicit TLS and STARTTLS, its leaf signed by its own test CA.
pub fn start_tls() -> Dovecot {
    start(true)
}

/// Makes `bundle` the whole platform trust store of this process, as rustls-native-certs reads it
/// on Linux: `SSL_CERT_FILE` alone (an inherited `SSL_CERT_DIR` would add the system's roots).
/// Must run before the first unpinned connection of the process.
pub fn trust_only(bundle: &Path) {
    std::env::set_var("SSL_CERT_FILE", bundle);
    std::env::remove_var("SSL_CERT_DIR");
}

/// `host` is `127.0.0.1` (checked against the leaf's IP SAN) or `localhost` (its DNS SAN).
pub fn config(dovecot: &Dovecot, host: &str, security: Security, pin: Option<[u8; 32]>) -> ServerConfig {
    let port = match security {
        Security::Tls => dovecot.imaps_port().expect("a TLS test server has an imaps port"),
        Security::StartTls | Security::Plain => dovecot.imap_port(),
    };
    ServerConfig {
        host: host.to_owned(),
        port,
        security,
        username: dovecot.user(0).expect("user 0").to_owned(),
        allow_plaintext: false,
        pinned_sha256: pin,
    }
}

pub async fn try_connect(dovecot: &Dovecot, config: &ServerConfig) -> Result<ImapSession, ImapError> {
    let password = Auth::Password(dovecot.password(0).expect("password 0").to_owned());
    step("connect", connect(config, &password, &options())).await
}

/// The leaf's fingerprint as `ImapError::UntrustedCertificate` shows it.
pub fn leaf_fingerprint(dovecot: &Dovecot) -> String {
    fingerprint(dovecot.cert_sha256().expect("a TLS test server has a leaf"))
}

/// Fails unless `result` is `UntrustedCertificate` with the leaf's fingerprint.
pub fn assert_untrusted(what: &str, dovecot: &Dovecot, result: Result<ImapSession, ImapError>) {
    match result {
        Err(ImapError::UntrustedCertificate { sha256_fingerprint }) => {
            assert_eq!(sha256_fingerprint, leaf_fingerprint(dovecot), "{what}")
        }
        Err(other) => panic!("{what}: expected UntrustedCertificate, got {other}"),
        Ok(_) => panic!("{what}: a certificate from a CA the store lacks was trusted"),
    }
}
