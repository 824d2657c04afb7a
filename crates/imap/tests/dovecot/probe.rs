//! Probing: greeting, CAPABILITY and ID before login, over plaintext, implicit TLS and STARTTLS,
//! with the same trust and plaintext rules as a login, and never a credential.

use tidings_imap::{probe, Dialect, ImapError, Security, ServerConfig};

use crate::util::{options, plain_config, start, step, tls_config};

#[tokio::test]
async fn a_probe_reads_the_dialect_and_sends_our_id_without_logging_in() {
    let dovecot = start(false);
    let report = match step("probe", probe(&plain_config(&dovecot), &options())).await {
        Ok(report) => report,
        Err(error) => panic!("probe failed: {error}"),
    };
    assert!(!report.secure);
    assert!(report.greeting.contains("ready"), "{}", report.greeting);
    assert!(report.capabilities.iter().any(|c| c == "IMAP4rev1"), "{:?}", report.capabilities);
    assert!(report.capabilities.iter().any(|c| c == "ID"), "{:?}", report.capabilities);
    assert_eq!(report.dialect.dialect, Dialect::Imap4rev1, "{:?}", report.dialect.evidence);
    assert_eq!(report.server_id.as_ref().and_then(|id| id.get("name")).map(String::as_str), Some("Dovecot"));
    assert!(report.dialect.evidence.iter().any(|e| e.contains("name=Dovecot")), "{:?}", report.dialect);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let our_id = |log: &str| log.lines().any(|l| l.contains("ID sent:") && l.contains("x-language=de-DE"));
    let log = dovecot.log_text_when(our_id);
    assert!(our_id(&log), "{log}");
    assert!(!log.contains("Login: user="), "a probe must not log in:\n{log}");
}

#[tokio::test]
async fn a_probe_over_tls_and_starttls_trusts_only_the_pinned_certificate() {
    let dovecot = start(true);
    let starttls =
        ServerConfig { port: dovecot.imap_port(), security: Security::StartTls, ..tls_config(&dovecot) };
    for (name, config) in [("implicit TLS", tls_config(&dovecot)), ("STARTTLS", starttls.clone())] {
        match step(name, probe(&config, &options())).await {
            Ok(report) => {
                assert!(report.secure, "{name}");
                // After STARTTLS the plaintext capabilities are forgotten and asked again.
                assert!(
                    !report.capabilities.iter().any(|c| c == "STARTTLS"),
                    "{name}: {:?}",
                    report.capabilities
                );
            }
            Err(error) => panic!("{name}: {error}"),
        }
    }
    let unpinned = ServerConfig { pinned_sha256: None, ..starttls };
    match step("unpinned", probe(&unpinned, &options())).await {
        Err(ImapError::UntrustedCertificate { sha256_fingerprint }) => {
            assert_eq!(sha256_fingerprint.len(), 32 * 3 - 1, "{sha256_fingerprint}")
        }
        Err(other) => panic!("expected UntrustedCertificate, got {other}"),
        Ok(_) => panic!("a self-signed certificate must not be trusted silently"),
    }
}

#[tokio::test]
async fn a_probe_keeps_the_plaintext_policy() {
    let dovecot = start(false);
    let config = ServerConfig { allow_plaintext: false, ..plain_config(&dovecot) };
    match step("probe", probe(&config, &options())).await {
        Err(ImapError::PlaintextNotAllowed { .. }) => {}
        Err(other) => panic!("expected PlaintextNotAllowed, got {other}"),
        Ok(_) => panic!("plaintext must need allow_plaintext, even without a password"),
    }
}
