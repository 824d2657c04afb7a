//! A test Dovecot for suites that are not Rust (the end-to-end suite): starts one with TLS and
//! the user `alice`, seeds her INBOX with three messages, prints one JSON line with what a client
//! needs (ports, user, password, certificate fingerprint), and runs until its standard input
//! closes, then stops Dovecot and removes its files.

use std::io::Read;
use std::process::ExitCode;

use tidings_testkit::{Dovecot, DovecotOptions};

const USER: &str = "alice";
const PASSWORD: &str = "correct horse";

fn main() -> ExitCode {
    let options = DovecotOptions { tls: true, users: vec![(USER.into(), PASSWORD.into())], id_log: true };
    let dovecot = match Dovecot::start(options) {
        Ok(dovecot) => dovecot,
        Err(error) => {
            eprintln!("tidings-test-dovecot: {error}");
            return ExitCode::FAILURE;
        }
    };
    let messages: Vec<Vec<u8>> = (1..=3)
        .map(|n| {
            format!(
                "From: Bob Example <bob@example.org>\r\nTo: alice@localhost\r\nSubject: E2E message {n}\r\n\
                 Date: Tue, {n} Sep 2026 10:00:00 +0000\r\nMessage-ID: <e2e-{n}@example.org>\r\n\r\nHello number {n}.\r\n"
            )
            .into_bytes()
        })
        .collect();
    let seeded: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    if let Err(error) = dovecot.seed(USER, "INBOX", &seeded) {
        eprintln!("tidings-test-dovecot: {error}");
        return ExitCode::FAILURE;
    }
    let fingerprint = dovecot
        .cert_sha256()
        .map(|sha| sha.iter().map(|byte| format!("{byte:02X}")).collect::<Vec<_>>().join(":"))
        .unwrap_or_default();
    println!(
        "{{\"host\":\"{}\",\"imapPort\":{},\"imapsPort\":{},\"user\":\"{USER}\",\"password\":\"{PASSWORD}\",\"fingerprint\":\"{fingerprint}\"}}",
        dovecot.host(),
        dovecot.imap_port(),
        dovecot.imaps_port().unwrap_or_default(),
    );
    // Runs until the caller closes our standard input (or dies); `dovecot` stops on drop.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}
