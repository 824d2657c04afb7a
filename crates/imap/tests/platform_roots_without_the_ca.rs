//! The platform's trust store without the server's CA: the store has a usable root (another test
//! server's CA, so no fallback to the bundled roots happens), just not the one that signed this
//! server's leaf. Unpinned connections end in `UntrustedCertificate` with the leaf's fingerprint,
//! before any login.
//!
//! One test in its own binary: the roots are loaded once per process, on the first unpinned
//! connection.

#[path = "support/platform_roots.rs"]
mod support;

use tidings_imap::Security;

use support::{assert_untrusted, config, start_tls, trust_only, try_connect};

#[tokio::test]
async fn a_certificate_from_a_ca_the_store_lacks_is_untrusted_with_its_fingerprint() {
    let dovecot = start_tls();
    let unrelated = start_tls();
    trust_only(unrelated.ca_pem().expect("a TLS test server has a CA"));

    let implicit = config(&dovecot, "127.0.0.1", Security::Tls, None);
    assert_untrusted("implicit TLS", &dovecot, try_connect(&dovecot, &implicit).await);
    let starttls = config(&dovecot, "localhost", Security::StartTls, None);
    assert_untrusted("STARTTLS", &dovecot, try_connect(&dovecot, &starttls).await);
    assert!(!dovecot.log_text().contains("Login: user=<alice>"), "{}", dovecot.log_text());
}
