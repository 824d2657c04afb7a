//! Protocol failures no well-behaved Dovecot produces, from scripted fake servers on loopback:
//! a server that never greets, one that greets and then stalls, STARTTLS stripping, LOGINDISABLED,
//! and a visual-voicemail server that wants our ID before the login.
//! Each fake server records every line it received, so tests can prove no password was sent.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use tidings_imap::{
    connect, Auth, ClientIdentity, ConnectOptions, Dialect, ImapError, ImapSession, Security, ServerConfig,
    Timeouts,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::util::step;

const PASSWORD: &str = "s3cret-never-sent";

/// A fake server: sends `greeting` (if any), then answers each received line with `answer(line)`
/// (`None` = say nothing). Returns its port and the lines it received.
async fn fake_server(
    greeting: Option<&'static str>,
    mut answer: impl FnMut(&str) -> Option<String> + Send + 'static,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    tokio::spawn(async move {
        let Ok((socket, _)) = listener.accept().await else { return };
        let (reader, mut writer) = socket.into_split();
        if let Some(greeting) = greeting {
            let _ = writer.write_all(greeting.as_bytes()).await;
        }
        let mut lines = BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            log.lock().expect("log lock").push(line.clone());
            if let Some(reply) = answer(&line) {
                let _ = writer.write_all(reply.as_bytes()).await;
            }
        }
    });
    (port, received)
}

fn config(port: u16, security: Security) -> ServerConfig {
    ServerConfig {
        host: "127.0.0.1".into(),
        port,
        security,
        username: "alice".into(),
        allow_plaintext: true,
        pinned_sha256: None,
    }
}

fn options(limit: Duration) -> ConnectOptions {
    ConnectOptions {
        timeouts: Timeouts {
            connect: limit,
            tls_handshake: limit,
            greeting: limit,
            login: limit,
            command: limit,
            idle_keepalive: Duration::from_secs(60),
        },
        identity: ClientIdentity::new("Test OS", "en", false),
    }
}

fn tag(line: &str) -> &str {
    line.split(' ').next().unwrap_or("*")
}

fn never_sent_the_password(received: &Arc<Mutex<Vec<String>>>) {
    let lines = received.lock().expect("log lock").clone();
    for line in &lines {
        let upper = line.to_ascii_uppercase();
        assert!(!line.contains(PASSWORD), "password sent: {line:?}");
        assert!(
            !upper.contains("LOGIN") && !upper.contains("AUTHENTICATE"),
            "credential command sent: {line:?}"
        );
    }
}

#[tokio::test]
async fn a_server_that_never_greets_times_out() {
    let (port, _received) = fake_server(None, |_| None).await;
    let started = Instant::now();
    let result = step(
        "connect",
        connect(
            &config(port, Security::Plain),
            &Auth::Password(PASSWORD.into()),
            &options(Duration::from_millis(700)),
        ),
    )
    .await;
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
    let result = step(
        "connect",
        connect(
            &config(port, Security::Plain),
            &Auth::Password(PASSWORD.into()),
            &options(Duration::from_millis(700)),
        ),
    )
    .await;
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
    let result = step(
        "connect",
        connect(
            &config(port, Security::StartTls),
            &Auth::Password(PASSWORD.into()),
            &options(Duration::from_secs(5)),
        ),
    )
    .await;
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
    let result = step(
        "connect",
        connect(
            &config(port, Security::StartTls),
            &Auth::Password(PASSWORD.into()),
            &options(Duration::from_secs(5)),
        ),
    )
    .await;
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
    let result = step(
        "connect",
        connect(
            &config(port, Security::Plain),
            &Auth::Password(PASSWORD.into()),
            &options(Duration::from_secs(5)),
        ),
    )
    .await;
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
    let session = match step(
        "connect",
        connect(
            &config(port, Security::Plain),
            &Auth::Password(PASSWORD.into()),
            &options(Duration::from_secs(5)),
        ),
    )
    .await
    {
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

/// A server that takes IDLE rounds and answers each DONE; after the DONE of round
/// `exists_after_round` it first reports 7 messages (`* 7 EXISTS`). Returns the session, logged in
/// with IDLE restarted every `keepalive`, and the lines the server received.
async fn idle_server(
    exists_after_round: Option<usize>,
    keepalive: Duration,
) -> (ImapSession, Arc<Mutex<Vec<String>>>) {
    let mut idle_tag = None;
    let mut rounds = 0;
    let (port, received) = fake_server(
        Some("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR IDLE] fake ready\r\n"),
        move |line| {
            let command = line.split(' ').nth(1).unwrap_or_default().to_ascii_uppercase();
            match command.as_str() {
                "AUTHENTICATE" => Some(format!("{} OK Logged in\r\n", tag(line))),
                "CAPABILITY" => Some(format!("* CAPABILITY IMAP4rev1 IDLE\r\n{} OK done\r\n", tag(line))),
                "IDLE" => {
                    idle_tag = Some(tag(line).to_owned());
                    Some("+ idling\r\n".to_owned())
                }
                _ if line == "DONE" => idle_tag.take().map(|idle| {
                    rounds += 1;
                    let news = if Some(rounds) == exists_after_round { "* 7 EXISTS\r\n" } else { "" };
                    format!("{news}{idle} OK Idle completed\r\n")
                }),
                _ => None,
            }
        },
    )
    .await;
    let mut connect_options = options(Duration::from_secs(5));
    connect_options.timeouts.idle_keepalive = keepalive;
    match step(
        "connect",
        connect(&config(port, Security::Plain), &Auth::Password(PASSWORD.into()), &connect_options),
    )
    .await
    {
        Ok(session) => (session, received),
        Err(error) => panic!("connect: {error}"),
    }
}

/// IDLE is ended with DONE and re-issued every keepalive; the server sees each round.
#[tokio::test]
async fn idle_is_reissued_every_keepalive() {
    let (mut session, received) = idle_server(None, Duration::from_millis(300)).await;
    let event = step("watch", tidings_imap::watch(&mut session, Duration::from_millis(1000))).await;
    assert_eq!(event.ok(), Some(tidings_imap::IdleEvent::Timeout));
    let lines = received.lock().expect("log lock").clone();
    let idles = lines.iter().filter(|l| l.ends_with(" IDLE")).count();
    let dones = lines.iter().filter(|l| *l == "DONE").count();
    assert!((3..=5).contains(&idles), "1 s in rounds of 0.3 s should take 4 IDLEs, got {idles}: {lines:?}");
    assert_eq!(idles, dones, "every IDLE must be ended with DONE: {lines:?}");
    assert!(session.is_connected());
}

/// New mail reported between DONE and its tagged OK (the server noticed it while ending IDLE)
/// still ends the watch as new mail; it is not lost between two IDLE rounds.
#[tokio::test]
async fn exists_sent_while_ending_idle_is_new_mail() {
    let (mut session, _) = idle_server(Some(2), Duration::from_millis(200)).await;
    let event = step("watch", tidings_imap::watch(&mut session, Duration::from_secs(3))).await;
    assert_eq!(event.ok(), Some(tidings_imap::IdleEvent::NewMail { exists: 7 }));
    assert!(session.is_connected());
}

/// A one-message server whose FETCH answer trickles in (or stops half-way), to tell a slow big
/// response from a server that went quiet. The trickling one also leaves UIDNEXT out of SELECT.
async fn trickling_server(stall_half_way: bool) -> u16 {
    let omit_uidnext = !stall_half_way;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let Ok((socket, _)) = listener.accept().await else { return };
        let (reader, mut writer) = socket.into_split();
        let _ = writer.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] fake ready\r\n").await;
        let mut lines = BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let tag = tag(&line).to_owned();
            let command = line.split(' ').skip(1).take(2).collect::<Vec<_>>().join(" ").to_ascii_uppercase();
            let reply = match command.as_str() {
                c if c.starts_with("AUTHENTICATE") => format!("{tag} OK Logged in\r\n"),
                c if c.starts_with("CAPABILITY") => format!("* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n"),
                // The steady run also omits UIDNEXT from SELECT, which RFC 3501 only makes a SHOULD,
                // so the client must ask STATUS.
                c if c.starts_with("SELECT") && omit_uidnext => {
                    format!("* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{tag} OK [READ-WRITE] done\r\n")
                }
                c if c.starts_with("SELECT") => format!(
                    "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n{tag} OK [READ-WRITE] done\r\n"
                ),
                c if c.starts_with("STATUS") => format!("* STATUS \"INBOX\" (UIDNEXT 2)\r\n{tag} OK done\r\n"),
                "UID SEARCH" => format!("* SEARCH 1\r\n{tag} OK done\r\n"),
                "UID FETCH" => {
                    let body = crate::util::message(1);
                    let head = format!("* 1 FETCH (UID 1 FLAGS (\\Seen) BODY[] {{{}}}\r\n", body.len());
                    let _ = writer.write_all(head.as_bytes()).await;
                    // Up to 20 slices, 100 ms apart: about 2 s in all, each gap far below the 0.5 s timeout.
                    let slice = body.len().div_ceil(20);
                    for (index, part) in body.chunks(slice).enumerate() {
                        if stall_half_way && index == 10 {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                        }
                        let _ = writer.write_all(part).await;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    format!(")\r\n{tag} OK done\r\n")
                }
                _ => format!("{tag} OK done\r\n"),
            };
            let _ = writer.write_all(reply.as_bytes()).await;
        }
    });
    port
}

#[tokio::test]
async fn a_slow_but_steady_fetch_is_not_a_timeout_and_a_stalled_one_is() {
    for stall in [false, true] {
        let port = trickling_server(stall).await;
        let mut session = match step(
            "connect",
            connect(
                &config(port, Security::Plain),
                &Auth::Password(PASSWORD.into()),
                &options(Duration::from_millis(500)),
            ),
        )
        .await
        {
            Ok(session) => session,
            Err(error) => panic!("connect: {error}"),
        };
        let store = tidings_store::Store::open_temporary().expect("store");
        let started = Instant::now();
        let result = step("sync", tidings_imap::sync_mailbox(&mut session, &store, "acct", "INBOX")).await;
        let waited = started.elapsed();
        if stall {
            match result {
                Err(ImapError::Timeout { during }) => assert_eq!(during, "UID FETCH"),
                other => panic!("a stalled FETCH must time out, got {other:?}"),
            }
            assert!(waited < Duration::from_secs(3), "took {waited:?}");
            assert_eq!(store.count_messages("acct", "INBOX"), 0);
            assert!(!session.is_connected());
        } else {
            let report =
                result.unwrap_or_else(|error| panic!("a steady 2 s FETCH must not time out: {error}"));
            // Three times the 0.5 s timeout, yet never quiet for 0.5 s.
            assert!(waited >= Duration::from_millis(1500), "took {waited:?}");
            assert_eq!(report.new, 1);
            let summary = &store.list_messages("acct", "INBOX").expect("list")[0];
            assert_eq!(summary.subject.as_deref(), Some("Message 001"));
            assert!(summary.seen);
            // UIDNEXT came from STATUS, as SELECT did not say it.
            let state = store.mailbox("acct", "INBOX").expect("state");
            assert_eq!(state.map(|m| (m.uid_validity, m.uid_next)), Some((7, 2)));
        }
    }
}
