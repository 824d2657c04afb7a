//! Alice on a real Dovecot (tidings-testkit) and `tidings` run against a data directory, with the
//! account added over TLS and its password in a real Secret Service: what the tests that need a
//! server account share.
//!
//! Tests that reach the keyring run only under `tests/support/keyring-session.sh` (which sets
//! `TIDINGS_KEYRING_SESSION=1` and starts a throw-away gnome-keyring on a private D-Bus); elsewhere
//! they print a skip line and return, so the user's own keyring is never touched.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tidings_testkit::{Dovecot, DovecotOptions};

use super::json_of;

/// The keyring service the app and the command line share.
pub const SERVICE: &str = "org.tidings.desktop";
/// A password that no other text in the data directory could contain by chance.
pub const PASSWORD: &str = "Grep-me-if-you-can-7f3a9c";

pub fn in_keyring_session() -> bool {
    let inside = std::env::var("TIDINGS_KEYRING_SESSION").is_ok_and(|v| v == "1");
    if !inside {
        println!("skipped: run under tests/support/keyring-session.sh");
    }
    inside
}

pub fn start(tls: bool) -> Dovecot {
    let users = vec![("alice".to_owned(), PASSWORD.to_owned())];
    Dovecot::start(DovecotOptions { tls, users, ..DovecotOptions::default() })
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn message(index: usize) -> Vec<u8> {
    format!(
        "From: Bob Example <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Message {index}\r\n\
         Date: Tue, 24 Nov 2026 10:{index:02}:00 +0000\r\nMessage-ID: <m{index}@example.org>\r\n\r\nBody {index}.\r\n"
    )
    .into_bytes()
}

pub fn seed(dovecot: &Dovecot, indexes: std::ops::Range<usize>) {
    let messages: Vec<Vec<u8>> = indexes.map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", "INBOX", &refs).unwrap_or_else(|e| panic!("seeding: {e}"));
}

pub fn fingerprint(dovecot: &Dovecot) -> String {
    let sha256 = dovecot.cert_sha256().expect("a TLS test server has a certificate");
    sha256.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

pub fn command(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tidings"));
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("TIDINGS_DATA_DIR")
        .env_remove("TIDINGS_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `tidings --data-dir DATA ARGS` with `stdin`; its output must never show the password.
pub fn tidings(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = command(data, args).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    let output = child.wait_with_output().unwrap();
    for stream in [&output.stdout, &output.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(PASSWORD), "the password was printed");
    }
    output
}

/// `tidings account add` of alice over implicit TLS with the server's certificate pinned; its JSON.
pub fn add_over_tls(data: &Path, dovecot: &Dovecot, id: &str) -> Value {
    let tls = format!("127.0.0.1:{}", dovecot.imaps_port().unwrap());
    let pin = fingerprint(dovecot);
    let args = [
        "account",
        "add",
        "--email",
        "alice@example.org",
        "--server",
        &tls,
        "--user",
        "alice",
        "--accept-certificate",
        &pin,
        "--id",
        id,
        "--json",
    ];
    json_of(&tidings(data, &args, &format!("{PASSWORD}\n")))
}

/// `\Seen` of every message in alice's INBOX as the server itself has it (`doveadm fetch`).
pub fn server_seen(dovecot: &Dovecot) -> BTreeMap<u32, bool> {
    let text = dovecot
        .doveadm(&["fetch", "-u", "alice", "uid flags", "mailbox", "INBOX"])
        .unwrap_or_else(|e| panic!("doveadm fetch: {e}"));
    let mut seen = BTreeMap::new();
    let mut uid = None;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("uid: ") {
            uid = value.trim().parse::<u32>().ok();
        } else if let (Some(flags), Some(current)) = (line.strip_prefix("flags:"), uid.take()) {
            seen.insert(current, flags.split_whitespace().any(|flag| flag == "\\Seen"));
        }
    }
    seen
}
