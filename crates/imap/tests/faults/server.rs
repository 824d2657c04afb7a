//! The scripted fake servers every fault test talks to, and what the tests share: the account's
//! settings, short timeouts and the check that no credential left the client.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tidings_imap::{
    connect, Auth, ClientIdentity, ConnectOptions, ImapSession, Security, ServerConfig, Timeouts,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

pub const PASSWORD: &str = "s3cret-never-sent";

/// A fake server: sends `greeting` (if any), then answers each received line with `answer(line)`
/// (`None` = say nothing). Returns its port and the lines it received.
pub async fn fake_server(
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

pub fn config(port: u16, security: Security) -> ServerConfig {
    ServerConfig {
        host: "127.0.0.1".into(),
        port,
        security,
        username: "alice".into(),
        allow_plaintext: true,
        pinned_sha256: None,
    }
}

pub fn options(limit: Duration) -> ConnectOptions {
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

/// Connects to the fake server on `port` as alice with [`PASSWORD`], each step limited to `limit`.
pub async fn connect_to(port: u16, security: Security, limit: Duration) -> tidings_imap::Result<ImapSession> {
    let (config, auth) = (config(port, security), Auth::Password(PASSWORD.into()));
    crate::step("connect", connect(&config, &auth, &options(limit))).await
}

pub fn tag(line: &str) -> &str {
    line.split(' ').next().unwrap_or("*")
}

pub fn never_sent_the_password(received: &Arc<Mutex<Vec<String>>>) {
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

/// One generation of a scripted mailbox: its UIDVALIDITY and its messages by UID.
#[derive(Clone, Debug)]
pub struct Generation {
    pub uid_validity: u32,
    pub messages: Vec<(u32, Vec<u8>)>,
}

impl Generation {
    /// UIDs `uids`, each holding `crate::message(uid + offset)`.
    pub fn new(uid_validity: u32, uids: impl IntoIterator<Item = u32>, offset: usize) -> Generation {
        let messages = uids.into_iter().map(|uid| (uid, crate::message(uid as usize + offset))).collect();
        Generation { uid_validity, messages }
    }

    pub fn body(&self, uid: u32) -> &[u8] {
        self.messages.iter().find(|(u, _)| *u == uid).map(|(_, body)| body.as_slice()).unwrap_or_default()
    }
}

/// `* n FETCH (UID u FLAGS () BODY[] {len}` + body + `)`: one message as a FETCH answer.
pub fn fetch_answer(sequence: usize, uid: u32, body: &[u8]) -> Vec<u8> {
    let mut answer =
        format!("* {sequence} FETCH (UID {uid} FLAGS () BODY[] {{{}}}\r\n", body.len()).into_bytes();
    answer.extend_from_slice(body);
    answer.extend_from_slice(b")\r\n");
    answer
}

/// The header section of a message, with its closing blank line (what `BODY[HEADER]` holds).
pub fn header_of(message: &[u8]) -> &[u8] {
    let end = message.windows(4).position(|window| window == b"\r\n\r\n").map_or(message.len(), |at| at + 4);
    &message[..end]
}

/// `* n FETCH (UID u FLAGS () BODY[HEADER] {len}` + header + `)`: one message's header section
/// as the answer to a sync's header fetch.
pub fn header_answer(sequence: usize, uid: u32, message: &[u8]) -> Vec<u8> {
    let header = header_of(message);
    let mut answer =
        format!("* {sequence} FETCH (UID {uid} FLAGS () BODY[HEADER] {{{}}}\r\n", header.len()).into_bytes();
    answer.extend_from_slice(header);
    answer.extend_from_slice(b")\r\n");
    answer
}

/// The answer for one message to the `UID FETCH` `line`: its header section when the line asks
/// for `BODY.PEEK[HEADER]` (a sync's step 6), else the whole message (`BODY.PEEK[]`, step 8).
pub fn message_answer(line: &str, sequence: usize, uid: u32, message: &[u8]) -> Vec<u8> {
    if is_header_fetch(line) {
        header_answer(sequence, uid, message)
    } else {
        fetch_answer(sequence, uid, message)
    }
}

/// Whether `line` is a sync's header fetch (step 6).
pub fn is_header_fetch(line: &str) -> bool {
    line.contains("BODY.PEEK[HEADER]")
}

/// The UIDs of an IMAP set such as `1:3,7,9:*`, given the highest UID for `*`.
pub fn uids_in(set: &str, highest: u32) -> Vec<u32> {
    let number = |text: &str| if text == "*" { highest } else { text.parse().unwrap_or(0) };
    let mut uids = Vec::new();
    for part in set.split(',') {
        match part.split_once(':') {
            Some((from, to)) => {
                let (from, to) = (number(from), number(to));
                uids.extend(from.min(to)..=from.max(to));
            }
            None => uids.push(number(part)),
        }
    }
    uids
}

/// The UID set of a `UID FETCH <set> …` line, if it is one.
pub fn fetched_set(line: &str) -> Option<&str> {
    let mut words = line.split(' ').skip(1);
    let (uid, fetch) = (words.next()?, words.next()?);
    (uid.eq_ignore_ascii_case("UID") && fetch.eq_ignore_ascii_case("FETCH")).then_some(())?;
    words.next()
}

/// What a plain IMAP4rev1 server (no CONDSTORE, no IDLE) holding `mailbox` answers to `line`.
pub fn answer(mailbox: &Generation, line: &str) -> Vec<u8> {
    let tag = tag(line);
    let words: Vec<String> = line.split(' ').skip(1).take(2).map(str::to_ascii_uppercase).collect();
    let highest = mailbox.messages.iter().map(|(uid, _)| *uid).max().unwrap_or(0);
    let text = match (words.first().map(String::as_str), words.get(1).map(String::as_str)) {
        (Some("AUTHENTICATE" | "LOGIN"), _) => format!("{tag} OK Logged in\r\n"),
        (Some("CAPABILITY"), _) => format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"),
        (Some("SELECT" | "EXAMINE"), _) => format!(
            "* {} EXISTS\r\n* OK [UIDVALIDITY {}] ok\r\n* OK [UIDNEXT {}] ok\r\n{tag} OK [READ-WRITE] done\r\n",
            mailbox.messages.len(),
            mailbox.uid_validity,
            highest + 1
        ),
        (Some("UID"), Some("SEARCH")) => {
            let from = line.split(' ').nth(4).and_then(|set| set.split(':').next()?.parse().ok()).unwrap_or(1);
            let uids: Vec<String> =
                mailbox.messages.iter().filter(|(uid, _)| *uid >= from).map(|(uid, _)| uid.to_string()).collect();
            format!("* SEARCH {}\r\n{tag} OK done\r\n", uids.join(" "))
        }
        (Some("UID"), Some("FETCH")) => {
            let wanted = uids_in(fetched_set(line).unwrap_or_default(), highest);
            let mut answer = Vec::new();
            for (index, (uid, body)) in mailbox.messages.iter().enumerate() {
                if !wanted.contains(uid) {
                    continue;
                }
                if line.contains("BODY.PEEK[") {
                    answer.extend(message_answer(line, index + 1, *uid, body));
                } else {
                    answer.extend(format!("* {} FETCH (UID {uid} FLAGS ())\r\n", index + 1).into_bytes());
                }
            }
            answer.extend(format!("{tag} OK done\r\n").into_bytes());
            return answer;
        }
        (Some("LOGOUT"), _) => format!("* BYE bye\r\n{tag} OK done\r\n"),
        _ => format!("{tag} OK done\r\n"),
    };
    text.into_bytes()
}

/// A mailbox server on loopback: greets with `IMAP4rev1 AUTH=PLAIN SASL-IR`, then answers each
/// line with `respond(connection, line)` (connections count from 0 and are served one after the
/// other). Returns the port.
pub async fn mailbox_server(mut respond: impl FnMut(usize, &str) -> Vec<u8> + Send + 'static) -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let mut connection = 0;
        while let Ok((socket, _)) = listener.accept().await {
            let (reader, mut writer) = socket.into_split();
            let greeting = b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] fake ready\r\n";
            if writer.write_all(greeting).await.is_err() {
                continue;
            }
            let mut lines = BufReader::new(reader).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if writer.write_all(&respond(connection, &line)).await.is_err() {
                    break;
                }
            }
            connection += 1;
        }
    });
    port
}
