//! IDLE against a scripted server: rounds are re-issued every keepalive and new mail reported
//! while ending a round is not lost.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tidings_imap::{connect, Auth, ImapSession, Security};

use crate::server::{config, fake_server, options, tag, PASSWORD};
use crate::step;

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
