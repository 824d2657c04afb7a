//! The threaded message list on a large cache: 100 000 messages in 20 000 threads (each message
//! replying to an earlier one of its thread, a fifth of them in Sent), written with the store in
//! batches of 1 000 as a sync would, then `Store::thread_page` for the first page (cold, right
//! after reopening, then by the bench's timing method), a page deep in the list, and
//! `Store::page` on the same mailbox for comparison. Writes `threads.json`.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use anyhow::ensure;
use serde::Serialize;
use tidings_store::{MessageKey, NewMessage, Store};

use crate::timing::{measure, Timing};

const MESSAGES: u32 = 100_000;
const THREADS: u32 = 20_000;
const PAGE: usize = 50;
const ACCOUNT: &str = "bench@example.org";

#[derive(Serialize)]
struct ThreadList {
    messages: u32,
    threads_in_inbox: usize,
    /// Writing the cache, threads included (not part of the list).
    cache_write_s: f64,
    /// The first `thread_page` after reopening the store.
    first_page_cold_ms: f64,
    first_page: Timing,
    /// The page at offset 10 000.
    deep_page: Timing,
    /// `Store::page`, the flat list, for comparison.
    flat_first_page: Timing,
}

pub fn run(out: &Path) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let dir = data.path().join("cache");
    let written = Instant::now();
    write_cache(&dir)?;
    let cache_write_s = written.elapsed().as_secs_f64();
    eprintln!("bench: {MESSAGES} messages in {THREADS} threads written in {cache_write_s:.1} s");
    let store = Store::open(&dir)?;
    let cold = Instant::now();
    let first = store.thread_page(ACCOUNT, "INBOX", 0, PAGE)?;
    let first_page_cold_ms = cold.elapsed().as_secs_f64() * 1000.0;
    ensure!(first.rows.len() == PAGE, "the first page has {} rows", first.rows.len());
    let first_page = measure(|| {
        black_box(store.thread_page(ACCOUNT, "INBOX", 0, PAGE).ok());
    });
    let deep_page = measure(|| {
        black_box(store.thread_page(ACCOUNT, "INBOX", 10_000, PAGE).ok());
    });
    let flat_first_page = measure(|| {
        black_box(store.page(ACCOUNT, "INBOX", 0, PAGE).ok());
    });
    eprintln!(
        "bench: thread_page first page {first_page_cold_ms:.1} ms cold, {:.1} ms warm; at 10 000 {:.1} ms; flat page {:.1} ms ({} threads)",
        first_page.pass_s * 1000.0,
        deep_page.pass_s * 1000.0,
        flat_first_page.pass_s * 1000.0,
        first.total_threads
    );
    let result = ThreadList {
        messages: MESSAGES,
        threads_in_inbox: first.total_threads,
        cache_write_s,
        first_page_cold_ms,
        first_page,
        deep_page,
        flat_first_page,
    };
    std::fs::write(out, serde_json::to_vec_pretty(&serde_json::json!({ "thread_list": result }))?)?;
    Ok(())
}

/// Message `index` is in thread `index % THREADS` and replies to the previous message of that
/// thread; each message is ten minutes after the one before, so threads interleave in time.
fn write_cache(dir: &Path) -> anyhow::Result<()> {
    let store = Store::open(dir)?;
    for batch_start in (0..MESSAGES).step_by(1000) {
        let batch: Vec<NewMessage> = (batch_start..(batch_start + 1000).min(MESSAGES))
            .map(|index| {
                let thread = index % THREADS;
                let references = match index.checked_sub(THREADS) {
                    Some(parent) => {
                        format!("References: <{}> <{}>\r\n", message_id(thread), message_id(parent))
                    }
                    None => String::new(),
                };
                let id = message_id(index);
                let raw = format!(
                    "From: Person {} <p{}@example.org>\r\nTo: {ACCOUNT}\r\nSubject: Thread {thread}\r\n\
                     Date: {}\r\nMessage-ID: <{id}>\r\n{references}\r\nHello {index}.\r\n",
                    index % 97,
                    index % 97,
                    chrono::DateTime::from_timestamp(1_700_000_000 + 600 * i64::from(index), 0)
                        .unwrap_or_default()
                        .to_rfc2822(),
                );
                let mailbox = if index % 5 == 4 { "Sent" } else { "INBOX" };
                NewMessage {
                    key: MessageKey {
                        account: ACCOUNT.into(),
                        mailbox: mailbox.into(),
                        uid_validity: 1,
                        uid: index + 1,
                    },
                    seen: index % 7 != 0,
                    raw: raw.into_bytes(),
                }
            })
            .collect();
        store.insert_messages(&batch)?;
    }
    Ok(())
}

/// The first message of each thread has a root-looking id, the others a plain one.
fn message_id(index: u32) -> String {
    if index < THREADS {
        format!("{index}@root.invalid")
    } else {
        format!("{index}@bench.invalid")
    }
}
