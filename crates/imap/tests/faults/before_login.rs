//! Faults before the login: a server that never greets or stalls after its greeting, STARTTLS
//! stripping (missing or refused), a PREAUTH greeting, responses injected before the TLS
//! handshake, LOGINDISABLED, and a visual-voicemail server that wants our ID before the login.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use tidings_imap::{connect, Auth, Dialect, ImapError, Security, ServerConfig};
use tidings_testkit::{Dovecot, DovecotOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::server::{connect_to, fake_server, never_sent_the_password, options, tag, PASSWORD};
use crate::step;

#[tokio::test]
async fn a_server_that_never_greets_times_out() {
    let (port, _received) = fake_server(None, |_| None).await;
    let started = Instant::now();
    let result = connect_to(port, Security::Plain, Duration::from_millis(700)).await;
    match result {
        Err(ImapError::Timeout { during }) => assert_eq!(during, "greeting"),
        other => panic!("expected a greeting timeout, got {other:?}"),
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(3), "took {waited:?}");
}

#[tokio::test]
async fn a_server_that_greets_then_stalls_times_out() {
    let (port, received) = fake_server(Some("* OK fake IMAP ready\r\n"), |_| None).await;
    let started = Instant::now();
    let result = connect_to(port, Security::Plain, Duration::from_millis(700)).await;
    match result {
        Err(ImapError::Timeout { during }) => assert_eq!(during, "CAPABILITY"),
        other => panic!("expected a CAPABILITY timeout, got {other:?}"),
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(700) && waited < Duration::from_secs(3), "took {waited:?}");
    let lines = received.lock().expect("log lock").clone();
    assert!(lines.iter().any(|l| l.ends_with(" CAPABILITY")), "{lines:?}");
}

#[tokio::test]
async fn starttls_missing_from_capability_stops_before_the_password() {
    let (port, received) = fake_server(Some("* OK fake IMAP ready\r\n"), |line| {
        line.ends_with(" CAPABILITY").then(|| {
            format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n{} OK CAPABILITY completed\r\n", tag(line))
        })
    })
    .await;
    let result = connect_to(port, Security::StartTls, Duration::from_secs(5)).await;
    match result {
        Err(ImapError::StartTlsStripped) => {}
        other => panic!("expected StartTlsStripped, got {other:?}"),
    }
    never_sent_the_password(&received);
}

#[tokio::test]
async fn starttls_refused_by_the_server_stops_before_the_password() {
    let (port, received) =
        fake_server(Some("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake ready\r\n"), |line| {
            line.ends_with(" STARTTLS")
                .then(|| format!("{} NO STARTTLS is not available today\r\n", tag(line)))
        })
        .await;
    let result = connect_to(port, Security::StartTls, Duration::from_secs(5)).await;
    match result {
        Err(ImapError::StartTlsStripped) => {}
        other => panic!("expected StartTlsStripped, got {other:?}"),
    }
    let lines = received.lock().expect("log lock").clone();
    assert!(lines.iter().any(|l| l.ends_with(" STARTTLS")), "STARTTLS was not even tried: {lines:?}");
    never_sent_the_password(&received);
}

#[tokio::test]
async fn logindisabled_without_auth_plain_is_a_plaintext_refusal() {
    let (port, received) =
        fake_server(Some("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] fake ready\r\n"), |_| None).await;
    let result = connect_to(port, Security::Plain, Duration::from_secs(5)).await;
    match result {
        Err(ImapError::PlaintextRefused) => {}
        other => panic!("expected PlaintextRefused, got {other:?}"),
    }
    never_sent_the_password(&received);
}

/// A scripted OMTP VVM server without SASL-IR: it must get our ID before the login, and the
/// AUTHENTICATE PLAIN exchange must go through its "+" challenge with the right credentials.
#[tokio::test]
async fn a_voicemail_server_gets_our_id_before_login() {
    let expected_plain = base64::engine::general_purpose::STANDARD.encode(format!("\0alice\0{PASSWORD}"));
    let mut authenticate_tag = None;
    let (port, received) = fake_server(
        Some("* OK [CAPABILITY IMAP4rev1 ID AUTH=PLAIN XCHANGE_TUI_PWD XCLOSE_NUT] VVM fake ready\r\n"),
        move |line| {
            let command = line.split(' ').nth(1).unwrap_or_default().to_ascii_uppercase();
            match command.as_str() {
                "ID" => Some(format!("* ID (\"name\" \"FakeVVM\" \"vendor\" \"Example\")\r\n{} OK ID done\r\n", tag(line))),
                "AUTHENTICATE" => {
                    authenticate_tag = Some(tag(line).to_owned());
                    Some("+ \r\n".to_owned())
                }
                "CAPABILITY" => Some(format!(
                    "* CAPABILITY IMAP4rev1 ID XCHANGE_TUI_PWD XCLOSE_NUT XCHANGE_VM_LANG QUOTA\r\n{} OK done\r\n",
                    tag(line)
                )),
                _ => authenticate_tag.take().map(|auth_tag| {
                    if line == expected_plain {
                        format!("{auth_tag} OK Logged in\r\n")
                    } else {
                        format!("{auth_tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
                    }
                }),
            }
        },
    )
    .await;
    let session = match connect_to(port, Security::Plain, Duration::from_secs(5)).await {
        Ok(session) => session,
        Err(error) => panic!("connect to the fake VVM server failed: {error}"),
    };
    assert_eq!(session.dialect().dialect, Dialect::OmtpVvm13, "{:?}", session.dialect().evidence);
    assert_eq!(session.server_id().and_then(|id| id.get("name")).map(String::as_str), Some("FakeVVM"));
    let lines = received.lock().expect("log lock").clone();
    let position = |word: &str| lines.iter().position(|l| l.split(' ').nth(1) == Some(word));
    let (Some(first_id), Some(authenticate)) = (position("ID"), position("AUTHENTICATE")) else {
        panic!("ID or AUTHENTICATE missing: {lines:?}");
    };
    assert!(first_id < authenticate, "ID must come before the login: {lines:?}");
    assert!(lines[first_id].contains("\"x-audio\" \"audio/amr;"), "{}", lines[first_id]);
    assert_eq!(
        lines.iter().filter(|l| l.split(' ').nth(1) == Some("ID")).count(),
        2,
        "before and after login"
    );
}

/// A PREAUTH greeting where STARTTLS was expected: the session would be logged in before TLS
/// (STARTTLS is then no longer allowed), so it is refused without sending anything secret.
#[tokio::test]
async fn a_preauth_greeting_is_refused_before_anything_is_sent() {
    for security in [Security::StartTls, Security::Plain] {
        let (port, received) = fake_server(
            Some("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] welcome back\r\n"),
            |line| Some(format!("{} OK done\r\n", tag(line))),
        )
        .await;
        let result = connect_to(port, security, Duration::from_secs(5)).await;
        match result {
            Err(ImapError::Protocol(text)) => assert!(text.contains("PREAUTH"), "{text}"),
            other => panic!("{security:?}: expected PREAUTH to be refused, got {other:?}"),
        }
        never_sent_the_password(&received);
    }
}

/// A man in the middle between us and a real Dovecot with STARTTLS: right after the server's
/// `OK` to STARTTLS it injects plaintext responses (a forged capability list and forged tagged
/// `OK`s, CVE-2011-0411 style), either in the same packet or just after. Returns the proxy's port
/// and everything the client sent before TLS.
async fn injecting_proxy(
    upstream: u16,
    injection: &'static [u8],
    same_packet: bool,
) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let plaintext = Arc::new(Mutex::new(Vec::new()));
    let seen = plaintext.clone();
    tokio::spawn(async move {
        let Ok((client, _)) = listener.accept().await else { return };
        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else { return };
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        let starttls_tag = Arc::new(Mutex::new(None::<String>));
        let tag_seen = starttls_tag.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0; 16 * 1024];
            let mut plain = true;
            while let Ok(n @ 1..) = client_read.read(&mut buffer).await {
                if plain {
                    seen.lock().expect("lock").extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
                    if let Some(line) =
                        text.lines().find(|line| line.to_ascii_uppercase().ends_with(" STARTTLS"))
                    {
                        *tag_seen.lock().expect("lock") = Some(tag(line).to_owned());
                        plain = false;
                    }
                }
                if server_write.write_all(&buffer[..n]).await.is_err() {
                    break;
                }
            }
        });
        let mut buffer = vec![0; 16 * 1024];
        let mut injected = false;
        while let Ok(n @ 1..) = server_read.read(&mut buffer).await {
            let mut chunk = buffer[..n].to_vec();
            let tag = starttls_tag.lock().expect("lock").clone();
            let answers_starttls =
                tag.is_some_and(|tag| String::from_utf8_lossy(&chunk).contains(&format!("{tag} OK")));
            if !injected && answers_starttls {
                injected = true;
                if same_packet {
                    chunk.extend_from_slice(injection);
                } else {
                    let _ = client_write.write_all(&chunk).await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    chunk = injection.to_vec();
                }
            }
            if client_write.write_all(&chunk).await.is_err() {
                break;
            }
        }
    });
    (port, plaintext)
}

/// Plaintext injected after the STARTTLS `OK` is never read as if it came over TLS: the session
/// either works with the real server's answers (the forged capability is absent, the real login
/// happened) or the TLS handshake fails with a clear error; no credential ever leaves in clear.
#[tokio::test]
async fn responses_injected_before_the_tls_handshake_are_not_believed() {
    let dovecot = match Dovecot::start(DovecotOptions { tls: true, ..DovecotOptions::default() }) {
        Ok(dovecot) => dovecot,
        Err(error) => panic!("{error}"),
    };
    const INJECTION: &[u8] = b"* CAPABILITY IMAP4rev1 X-INJECTED AUTH=PLAIN\r\n\
        A0001 OK injected\r\nA0002 OK injected\r\nA0003 OK injected\r\nA0004 OK injected\r\n\
        A0005 OK injected\r\nA0006 OK injected\r\n* BYE injected\r\n";
    let mut outcomes = Vec::new();
    for same_packet in [true, false] {
        let (port, plaintext) = injecting_proxy(dovecot.imap_port(), INJECTION, same_packet).await;
        let config = ServerConfig {
            host: "127.0.0.1".into(),
            port,
            security: Security::StartTls,
            username: dovecot.user(0).unwrap_or_default().to_owned(),
            allow_plaintext: false,
            pinned_sha256: dovecot.cert_sha256(),
        };
        let auth = Auth::Password(dovecot.password(0).unwrap_or_default().to_owned());
        let result = step("connect", connect(&config, &auth, &options(Duration::from_secs(5)))).await;
        let sent = String::from_utf8_lossy(&plaintext.lock().expect("lock")).to_ascii_uppercase();
        assert!(sent.contains("STARTTLS"), "{sent}");
        assert!(!sent.contains("LOGIN") && !sent.contains("AUTHENTICATE"), "credentials in clear: {sent}");
        match result {
            Ok(session) => {
                assert!(!session.has_capability("X-INJECTED"), "the injected capability was believed");
                assert!(session.server_id().is_some_and(|id| id.get("name").is_some_and(|n| n == "Dovecot")));
                outcomes.push("session with the real server");
            }
            Err(ImapError::Network(text)) if text.contains("TLS handshake") => {
                outcomes.push("handshake refused")
            }
            Err(other) => panic!("same packet {same_packet}: unexpected {other:?}"),
        }
    }
    println!("injection outcomes (same packet, later): {outcomes:?}");
}
