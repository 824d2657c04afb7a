//! The platform's trust store, for real: with the test CA as its only root (`SSL_CERT_FILE`, which
//! rustls-native-certs reads on Linux), unpinned connections to the test Dovecot are trusted, the
//! way a corporate CA the user installed is. A pin still means exactly that certificate.
//!
//! One test in its own binary: the roots are loaded once per process, on the first unpinned
//! connection. `platform_roots_without_the_ca` and `platform_roots_fallback` are the other cases.

#[path = "support/platform_roots.rs"]
mod support;

use tidings_imap::Security;

use support::{assert_untrusted, config, start_tls, step, tls_logins, trust_only, try_connect};

#[tokio::test]
async fn a_ca_in_the_platform_store_is_trusted_without_a_pin() {
    let dovecot = start_tls();
    trust_only(dovecot.ca_pem().expect("a TLS test server has a CA"));

    // Implicit TLS, checked against the leaf's IP address SAN.
    let implicit = config(&dovecot, "127.0.0.1", Security::Tls, None);
    let session = try_connect(&dovecot, &implicit).await.unwrap_or_else(|e| panic!("implicit TLS: {e}"));
    assert!(session.is_connected());
    step("logout", session.logout()).await.expect("logout");

    // STARTTLS, checked against the leaf's DNS SAN.
    let starttls = config(&dovecot, "localhost", Security::StartTls, None);
    let session = try_connect(&dovecot, &starttls).await.unwrap_or_else(|e| panic!("STARTTLS: {e}"));
    assert!(!session.has_capability("STARTTLS"), "{:?}", session.capabilities());
    step("logout", session.logout()).await.expect("logout");
    assert_eq!(tls_logins(&dovecot, 2), 2, "{}", dovecot.log_text());

    // A pin replaces the roots rather than adding to them: another pin refuses this trusted
    // certificate, and the leaf's own pin is accepted.
    let mut other_pin = dovecot.cert_sha256().expect("leaf fingerprint");
    other_pin[0] ^= 0xff;
    let wrong = config(&dovecot, "127.0.0.1", Security::Tls, Some(other_pin));
    assert_untrusted("implicit TLS, another pin", &dovecot, try_connect(&dovecot, &wrong).await);
    let pinned = config(&dovecot, "127.0.0.1", Security::Tls, dovecot.cert_sha256());
    let session = try_connect(&dovecot, &pinned).await.unwrap_or_else(|e| panic!("pinned: {e}"));
    step("logout", session.logout()).await.expect("logout");
    assert_eq!(tls_logins(&dovecot, 3), 3, "{}", dovecot.log_text());
}
