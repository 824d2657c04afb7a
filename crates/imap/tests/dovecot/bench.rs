//! A timed full sync of a bigger mailbox, only with `TIDINGS_IMAP_BENCH=1` (it takes seconds):
//! `TIDINGS_IMAP_BENCH=1 cargo test -p tidings-imap --release --test dovecot bench -- --nocapture`.

use std::time::Instant;

use tidings_imap::sync_mailbox;
use tidings_store::Store;

use crate::util::{login, start, step, tls_config};

const MESSAGES: usize = 2000;

fn padded_message(index: usize) -> Vec<u8> {
    let mut raw = crate::util::message(index);
    // About 4 KB each: a typical short mail with some quoted history.
    for line in 0..60 {
        raw.extend_from_slice(
            format!("> quoted line {line} of message {index}, padding the body a little.\r\n").as_bytes(),
        );
    }
    raw
}

#[tokio::test]
async fn bench_full_and_unchanged_sync_over_tls() {
    if std::env::var_os("TIDINGS_IMAP_BENCH").is_none() {
        println!("skipped: set TIDINGS_IMAP_BENCH=1 to run the sync benchmark");
        return;
    }
    let dovecot = start(true);
    let messages: Vec<Vec<u8>> = (1..=MESSAGES).map(padded_message).collect();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", "INBOX", &refs).expect("seed");
    let dir = tempfile_dir();
    let store = Store::open(&dir).expect("store on disk");
    let mut session = login(&tls_config(&dovecot), &dovecot).await;

    let started = Instant::now();
    let full =
        step("full sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("full sync");
    let full_time = started.elapsed();
    assert_eq!(full.new, MESSAGES);
    assert_eq!(store.count_messages("acct", "INBOX"), MESSAGES);

    let started = Instant::now();
    let again =
        step("no-op sync", sync_mailbox(&mut session, &store, "acct", "INBOX")).await.expect("no-op sync");
    let again_time = started.elapsed();
    assert_eq!((again.new, again.changed, again.expunged), (0, 0, 0));
    println!(
        "full sync of {MESSAGES} messages ({:.1} MB) over TLS into sled on disk: {:.2} s ({:.0} msg/s); \
         unchanged re-sync: {:.1} ms",
        bytes as f64 / 1e6,
        full_time.as_secs_f64(),
        MESSAGES as f64 / full_time.as_secs_f64(),
        again_time.as_secs_f64() * 1000.0
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tidings-imap-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
