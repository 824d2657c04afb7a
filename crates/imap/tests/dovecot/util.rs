//! Shared helpers: servers, configs, messages, a second plain async-imap session, timeouts.

use std::future::Future;
use std::time::Duration;

use futures::TryStreamExt;
use tidings_imap::{
    connect, Auth, ClientIdentity, ConnectOptions, ImapSession, Security, ServerConfig, Timeouts,
};
use tidings_testkit::{Dovecot, DovecotOptions};
use tokio::net::TcpStream;

/// Every awaited network step of a test gets this long.
pub const STEP: Duration = Duration::from_secs(30);

pub async fn step<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(STEP, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: no answer within {STEP:?}"),
    }
}

pub fn start(tls: bool) -> Dovecot {
    match Dovecot::start(DovecotOptions { tls, ..DovecotOptions::default() }) {
        Ok(dovecot) => dovecot,
        Err(error) => panic!("{error}"),
    }
}

/// A certificate fingerprint as `ImapError::UntrustedCertificate` shows it: `AB:CD:…`.
pub fn fingerprint(sha256: [u8; 32]) -> String {
    sha256.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Logins over TLS in Dovecot's log (`Login: user=<alice>, method=PLAIN, …, TLS, …`), counted
/// once there are `expected` of them or the log has had time to settle.
pub fn tls_logins(dovecot: &Dovecot, expected: usize) -> usize {
    let count =
        |log: &str| log.lines().filter(|l| l.contains("Login: user=<alice>") && l.contains(", TLS")).count();
    count(&dovecot.log_text_when(|log| count(log) >= expected))
}

pub fn subject(index: usize) -> String {
    format!("Message {index:03}")
}

pub fn message(index: usize) -> Vec<u8> {
    format!(
        "From: Bob Example <bob@example.org>\r\nTo: alice@example.org\r\nSubject: {}\r\n\
         Date: Tue, 24 Nov 2026 10:{:02}:00 +0000\r\nMessage-ID: <m{index}@example.org>\r\n\r\nBody {index}.\r\n",
        subject(index),
        index % 60
    )
    .into_bytes()
}

/// Seeds messages `first..first + count` into alice's INBOX.
pub fn seed(dovecot: &Dovecot, first: usize, count: usize) {
    let messages: Vec<Vec<u8>> = (first..first + count).map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    if let Err(error) = dovecot.seed("alice", "INBOX", &refs) {
        panic!("seeding: {error}");
    }
}

pub fn user(dovecot: &Dovecot) -> String {
    dovecot.user(0).unwrap_or("alice").to_owned()
}

pub fn password(dovecot: &Dovecot) -> Auth {
    Auth::Password(dovecot.password(0).unwrap_or_default().to_owned())
}

pub fn plain_config(dovecot: &Dovecot) -> ServerConfig {
    ServerConfig {
        host: dovecot.host().to_owned(),
        port: dovecot.imap_port(),
        security: Security::Plain,
        username: user(dovecot),
        allow_plaintext: true,
        pinned_sha256: None,
    }
}

pub fn tls_config(dovecot: &Dovecot) -> ServerConfig {
    ServerConfig {
        port: dovecot.imaps_port().unwrap_or_default(),
        security: Security::Tls,
        allow_plaintext: false,
        pinned_sha256: dovecot.cert_sha256(),
        ..plain_config(dovecot)
    }
}

/// Short timeouts: a loopback Dovecot answers in milliseconds.
pub fn options() -> ConnectOptions {
    let five = Duration::from_secs(5);
    ConnectOptions {
        timeouts: Timeouts {
            connect: five,
            tls_handshake: five,
            greeting: five,
            login: five,
            command: Duration::from_secs(10),
            idle_keepalive: Duration::from_secs(60),
        },
        identity: ClientIdentity::new("Test OS 1.0", "de-DE", false),
    }
}

pub async fn login(config: &ServerConfig, dovecot: &Dovecot) -> ImapSession {
    match step("connect", connect(config, &password(dovecot), &options())).await {
        Ok(session) => session,
        Err(error) => panic!("connect failed: {error}"),
    }
}

/// Another client of the same account (plain async-imap), to change things behind our back.
pub async fn other_client(dovecot: &Dovecot) -> async_imap::Session<TcpStream> {
    let tcp = step("tcp", TcpStream::connect((dovecot.host(), dovecot.imap_port()))).await.expect("tcp");
    let mut client = async_imap::Client::new(tcp);
    step("greeting", client.read_response()).await.expect("greeting io").expect("greeting");
    let password = dovecot.password(0).unwrap_or_default().to_owned();
    let mut session = match step("login", client.login(user(dovecot), password)).await {
        Ok(session) => session,
        Err((error, _)) => panic!("second login: {error}"),
    };
    step("select", session.select("INBOX")).await.expect("select INBOX");
    session
}

/// `UID STORE` from the other client, answer drained.
pub async fn other_store(session: &mut async_imap::Session<TcpStream>, uids: &str, change: &str) {
    let stream = step("uid store", session.uid_store(uids, change)).await.expect("uid store");
    step("drain store", stream.try_collect::<Vec<_>>()).await.expect("store answer");
}

/// Expunges `uids` from the other client.
pub async fn other_expunge(session: &mut async_imap::Session<TcpStream>, uids: &str) {
    other_store(session, uids, "+FLAGS (\\Deleted)").await;
    let stream = step("uid expunge", session.uid_expunge(uids)).await.expect("uid expunge");
    step("drain expunge", stream.try_collect::<Vec<_>>()).await.expect("expunge answer");
}

/// `\Seen` of every message in alice's INBOX as the server has it, read by a fresh session.
pub async fn server_seen(dovecot: &Dovecot) -> std::collections::BTreeMap<u32, bool> {
    let mut session = other_client(dovecot).await;
    let stream = step("uid fetch flags", session.uid_fetch("1:*", "(UID FLAGS)")).await.expect("uid fetch");
    let fetches: Vec<_> = step("drain fetch", stream.try_collect::<Vec<_>>()).await.expect("fetch answer");
    let seen = fetches
        .iter()
        .filter_map(|fetch| {
            let uid = fetch.uid?;
            Some((uid, fetch.flags().any(|flag| flag == async_imap::types::Flag::Seen)))
        })
        .collect();
    step("logout", session.logout()).await.expect("logout");
    seen
}

/// `doveadm fetch -u alice "uid <field>" mailbox <mailbox>`: each message's UID with the value of
/// `field` (`flags`, `hdr.subject`), as the server has it on disk, ascending by UID.
pub fn doveadm_fetch(dovecot: &Dovecot, mailbox: &str, field: &str) -> Vec<(u32, String)> {
    let fields = format!("uid {field}");
    let output = match dovecot.doveadm(&["fetch", "-u", "alice", &fields, "mailbox", mailbox]) {
        Ok(output) => output,
        Err(error) => panic!("doveadm fetch {field} in {mailbox}: {error}"),
    };
    let mut found = Vec::new();
    let mut uid = None;
    for line in output.lines() {
        if let Some(value) = line.strip_prefix("uid: ") {
            uid = value.trim().parse::<u32>().ok();
        } else if let Some(value) = line.strip_prefix(&format!("{field}:")) {
            if let Some(uid) = uid.take() {
                found.push((uid, value.trim().to_owned()));
            }
        }
    }
    found.sort();
    found
}

/// The UIDs of `mailbox` whose server-side flags include `flag` (`\Flagged`, `\Deleted`).
pub fn server_uids_with(dovecot: &Dovecot, mailbox: &str, flag: &str) -> Vec<u32> {
    doveadm_fetch(dovecot, mailbox, "flags")
        .into_iter()
        .filter(|(_, flags)| flags.split_whitespace().any(|f| f.eq_ignore_ascii_case(flag)))
        .map(|(uid, _)| uid)
        .collect()
}

/// The subjects of `mailbox` on the server, by ascending UID.
pub fn server_subjects(dovecot: &Dovecot, mailbox: &str) -> Vec<String> {
    doveadm_fetch(dovecot, mailbox, "hdr.subject").into_iter().map(|(_, subject)| subject).collect()
}

/// Creates `mailbox` for alice on the server.
pub fn create_mailbox(dovecot: &Dovecot, mailbox: &str) {
    if let Err(error) = dovecot.doveadm(&["mailbox", "create", "-u", "alice", mailbox]) {
        panic!("doveadm mailbox create {mailbox}: {error}");
    }
}
