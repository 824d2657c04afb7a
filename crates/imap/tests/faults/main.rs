//! Protocol faults no well-behaved server produces, from scripted fake servers on loopback (and
//! one man-in-the-middle in front of a real Dovecot, which needs dovecot-imapd and root like the
//! testkit). `make security-report` counts these tests
//! as the fault scenarios:
//! - before the login (`before_login`): no greeting, a stall after it, STARTTLS stripped or
//!   refused, PREAUTH, responses injected before the TLS handshake, LOGINDISABLED, ID first;
//! - while syncing (`mailbox`): a stalled FETCH, an oversized literal, 10 000 untagged responses,
//!   a malformed FETCH, wrong UIDs, UIDVALIDITY changing mid-session;
//! - queued moves and deletes on a server without MOVE or UIDPLUS (`moves`);
//! - IDLE (`idle`);
//! - the folder list (`folders`): SPECIAL-USE, plain attributes, names only, garbage LIST lines,
//!   STATUS answers;
//! - the voicemail box (`voicebox`): OMTP PIN refusals, a stalled server, broken quota answers,
//!   command-line injection refused before sending.
//!
//! Every network await runs under a timeout, so a hang fails the test instead of stalling the run.

mod before_login;
mod folders;
mod idle;
mod mailbox;
mod moves;
mod server;
mod voicebox;

use std::future::Future;
use std::time::Duration;

/// Every awaited network step of a test gets this long.
const STEP: Duration = Duration::from_secs(30);

async fn step<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(STEP, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: no answer within {STEP:?}"),
    }
}

/// Message `index` of the scripted mailboxes: small, with its own Message-ID and subject.
fn message(index: usize) -> Vec<u8> {
    format!(
        "From: Bob Example <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Message {index:03}\r\n\
         Date: Tue, 24 Nov 2026 10:{:02}:00 +0000\r\nMessage-ID: <m{index}@example.org>\r\n\r\nBody {index}.\r\n",
        index % 60
    )
    .into_bytes()
}
