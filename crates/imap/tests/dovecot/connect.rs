//! Connecting: implicit TLS and STARTTLS with a pinned certificate, untrusted certificates,
//! wrong passwords, plaintext policy, the dialect report and our ID in Dovecot's log.

use tidings_imap::{connect, Auth, Dialect, Extension, ImapError, Security, ServerConfig};

use crate::util::{fingerprint, login, options, password, plain_config, start, step, tls_config, tls_logins};

#[tokio::test]
async fn implicit_tls_with_the_pinned_certificate_logs_in() {
    let dovecot = start(true);
    let session = login(&tls_config(&dovecot), &dovecot).await;
    assert!(session.is_connected());
    assert!(session.has_capability("IMAP4rev1"));
    assert_eq!(tls_logins(&dovecot, 1), 1, "{}", dovecot.log_text());
    step("logout", session.logout()).await.expect("logout");
}

#[tokio::test]
async fn starttls_with_the_pinned_certificate_logs_in_over_tls() {
    let dovecot = start(true);
    let config =
        ServerConfig { port: dovecot.imap_port(), security: Security::StartTls, ..tls_config(&dovecot) };
    let session = login(&config, &dovecot).await;
    assert!(session.is_connected());
    // After STARTTLS the capabilities are fetched again and no longer offer STARTTLS.
    assert!(!session.has_capability("STARTTLS"), "{:?}", session.capabilities());
    assert_eq!(tls_logins(&dovecot, 1), 1, "{}", dovecot.log_text());
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_with_its_fingerprint() {
    let dovecot = start(true);
    let expected = fingerprint(dovecot.cert_sha256().expect("tls server has a cert"));
    let mut wrong_pin = dovecot.cert_sha256().unwrap_or_default();
    wrong_pin[0] ^= 0xff;
    let starttls = ServerConfig {
        port: dovecot.imap_port(),
        security: Security::StartTls,
        pinned_sha256: None,
        ..tls_config(&dovecot)
    };
    let cases = [
        ("implicit TLS, platform roots", ServerConfig { pinned_sha256: None, ..tls_config(&dovecot) }),
        (
            "implicit TLS, another pin",
            ServerConfig { pinned_sha256: Some(wrong_pin), ..tls_config(&dovecot) },
        ),
        ("STARTTLS, platform roots", starttls),
    ];
    for (name, config) in cases {
        match step(name, connect(&config, &password(&dovecot), &options())).await {
            Err(ImapError::UntrustedCertificate { sha256_fingerprint }) => {
                assert_eq!(sha256_fingerprint, expected, "{name}")
            }
            Err(other) => panic!("{name}: expected UntrustedCertificate, got {other}"),
            Ok(_) => panic!("{name}: a certificate from an unknown CA must not be trusted silently"),
        }
    }
    let message = ImapError::UntrustedCertificate { sha256_fingerprint: expected.clone() }.to_string();
    assert!(message.contains("certificate not trusted") && message.contains(&expected), "{message}");
    // No login happened on any of them.
    assert!(!dovecot.log_text().contains("Login: user=<alice>"), "{}", dovecot.log_text());
}

#[tokio::test]
async fn a_wrong_password_is_reported_as_such() {
    let dovecot = start(false);
    let wrong = Auth::Password("not the password".into());
    match step("connect", connect(&plain_config(&dovecot), &wrong, &options())).await {
        Err(ImapError::WrongPassword) => {}
        Err(other) => panic!("expected WrongPassword, got {other}"),
        Ok(_) => panic!("a wrong password must not log in"),
    }
}

#[tokio::test]
async fn plaintext_is_refused_unless_allowed() {
    let dovecot = start(false);
    let config = ServerConfig { allow_plaintext: false, ..plain_config(&dovecot) };
    match step("connect", connect(&config, &password(&dovecot), &options())).await {
        Err(ImapError::PlaintextNotAllowed { host }) => assert_eq!(host, "127.0.0.1"),
        Err(other) => panic!("expected PlaintextNotAllowed, got {other}"),
        Ok(_) => panic!("plaintext must need allow_plaintext"),
    }
    assert!(!dovecot.log_text().contains("Login: user=<alice>"));
}

#[tokio::test]
async fn dovecot_is_reported_as_imap4rev1_with_its_extensions() {
    // The test Dovecot has no special-use mailboxes configured, so it does not list SPECIAL-USE.
    let dovecot = start(false);
    let session = login(&plain_config(&dovecot), &dovecot).await;
    let report = session.dialect();
    assert_eq!(report.dialect, Dialect::Imap4rev1, "{:?}", report.evidence);
    for extension in [
        Extension::Idle,
        Extension::Condstore,
        Extension::Qresync,
        Extension::Uidplus,
        Extension::Move,
        Extension::Enable,
        Extension::LiteralPlus,
        Extension::Id,
        Extension::Namespace,
    ] {
        assert!(report.has(extension), "{extension:?} missing from {:?}", report.extensions);
    }
    assert!(report.evidence.iter().any(|e| e == "CAPABILITY lists IMAP4rev1"), "{:?}", report.evidence);
    assert!(report.evidence.iter().any(|e| e.contains("name=Dovecot")), "{:?}", report.evidence);
    assert_eq!(session.server_id().and_then(|id| id.get("name")).map(String::as_str), Some("Dovecot"));
}

#[tokio::test]
async fn our_id_fields_reach_the_server_log() {
    let dovecot = start(false);
    let _session = login(&plain_config(&dovecot), &dovecot).await;
    let log = dovecot.log_text_when(|log| log.contains("ID sent:"));
    let id_line =
        log.lines().find(|l| l.contains("ID sent:") && l.contains("name=Tidings")).unwrap_or_default();
    for field in [
        "name=Tidings",
        &format!("version={}", env!("CARGO_PKG_VERSION")),
        "os-version=Test OS 1.0",
        "vendor=Tidings",
        "x-dialects=imap4rev1 imap4rev2 gmail omtp-vvm-1.3 cvvm vvm3 apple-vvm",
        "x-audio=audio/amr;audio/amr-wb;audio/wav;audio/mpeg;audio/ogg;audio/opus;audio/flac",
        "x-language=de-DE",
        "x-images=off",
    ] {
        assert!(id_line.contains(field), "{field:?} not in the ID log line {id_line:?}\n{log}");
    }
}
