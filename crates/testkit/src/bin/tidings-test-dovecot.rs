//! A test Dovecot for suites that are not Rust (the end-to-end suite): starts one with TLS, a
//! 10 MB quota and the user `alice`, with an empty `Greetings` folder and a `Sent` one holding one
//! message, seeds her INBOX with three messages, prints one JSON line with what a client
//! needs (ports, user, password, certificate fingerprint), and runs until its standard input
//! closes, then stops Dovecot and removes its files. Each line `seed` on standard input delivers
//! one more message ("E2E message 4", 5, …), as new mail arriving while a client watches; a line
//! `voicemail` delivers the demo mailbox's AMR-NB voicemail (OMTP headers), as a VVM server would.

use std::io::BufRead;
use std::process::ExitCode;

use tidings_testkit::{Dovecot, DovecotOptions};

const USER: &str = "alice";
const PASSWORD: &str = "correct horse";
/// A visual voicemail as a carrier's server stores it: the demo's AMR-NB message from a dentist.
const VOICEMAIL: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/20-voicemail-dentist.eml"));

fn main() -> ExitCode {
    let options = DovecotOptions {
        tls: true,
        users: vec![(USER.into(), PASSWORD.into())],
        id_log: true,
        // A voicemail box has a quota and a greetings folder (the end-to-end suite's VVM account).
        quota_rule: Some("*:storage=10M".into()),
    };
    let dovecot = match Dovecot::start(options) {
        Ok(dovecot) => dovecot,
        Err(error) => {
            eprintln!("tidings-test-dovecot: {error}");
            return ExitCode::FAILURE;
        }
    };
    // A Sent folder with one message, so that a whole-account sync has more than INBOX to do.
    let sent = b"From: alice@localhost\r\nTo: bob@example.org\r\nSubject: E2E sent message\r\n\
                 Date: Mon, 1 Sep 2026 09:00:00 +0000\r\nMessage-ID: <e2e-sent@localhost>\r\n\r\nSent by Alice.\r\n";
    let folders = dovecot
        .doveadm(&["mailbox", "create", "-u", USER, "Greetings", "Sent"])
        .and_then(|_| dovecot.seed(USER, "Sent", &[sent]));
    if let Err(error) = folders {
        eprintln!("tidings-test-dovecot: {error}");
        return ExitCode::FAILURE;
    }
    for n in 1..=3 {
        if let Err(error) = dovecot.seed(USER, "INBOX", &[&message(n)]) {
            eprintln!("tidings-test-dovecot: {error}");
            return ExitCode::FAILURE;
        }
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
    let mut next = 4;
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        if line.trim() == "seed" {
            match dovecot.seed(USER, "INBOX", &[&message(next)]) {
                Ok(()) => eprintln!("tidings-test-dovecot: delivered E2E message {next}"),
                Err(error) => eprintln!("tidings-test-dovecot: {error}"),
            }
            next += 1;
        } else if line.trim() == "voicemail" {
            match dovecot.seed(USER, "INBOX", &[VOICEMAIL]) {
                Ok(()) => eprintln!("tidings-test-dovecot: delivered a voicemail"),
                Err(error) => eprintln!("tidings-test-dovecot: {error}"),
            }
        }
    }
    ExitCode::SUCCESS
}

fn message(n: u32) -> Vec<u8> {
    format!(
        "From: Bob Example <bob@example.org>\r\nTo: alice@localhost\r\nSubject: E2E message {n}\r\n\
         Date: Tue, {n} Sep 2026 10:00:00 +0000\r\nMessage-ID: <e2e-{n}@example.org>\r\n\r\nHello number {n}.\r\n"
    )
    .into_bytes()
}
