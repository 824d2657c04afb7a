//! App cold start: a cache of N messages is written with the store, then the real app binary is
//! started on it (under the caller's X display) until it reports its first painted message list
//! (`TIDINGS_EXIT_AFTER_FIRST_PAINT`, see `src-tauri/first_paint.rs`). Reports the app's own
//! figure (process start → list painted), the wall time from spawn to exit and the peak RSS of
//! the largest of the app's processes (`wait4`'s usage of the app, which takes in the WebKit
//! processes it reaped).
//!
//! The cache is written by a child process (`tidings-bench app-cache`): Linux counts the peak of
//! the memory a child was spawned from in that child's peak RSS, so a cache written in this
//! process would show as the app's memory.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde::Serialize;
use tidings_store::{Account, Mailbox, MessageKey, NewMessage, Store};

/// Cache sizes measured, as the UI issue asks.
const SIZES: [usize; 2] = [1_000, 100_000];
/// Starts per size; the median is reported.
const RUNS: usize = 3;
const TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Serialize)]
struct ColdStart {
    messages: usize,
    /// The app's figure: process start → first list painted, median of the runs.
    first_paint_ms: f64,
    /// Every run's figure, for the spread.
    runs_ms: Vec<f64>,
    /// Spawn → exit (the app exits right after the paint), median.
    wall_ms: f64,
    /// Largest resident set of any of the app's processes over this size's runs.
    peak_rss_mb: f64,
    /// Time to write the cache (not part of the start).
    cache_write_s: f64,
}

pub fn run(app: &Path, out: &Path) -> anyhow::Result<()> {
    if !app.exists() {
        bail!("no app binary at {} (build it with --features custom-protocol)", app.display());
    }
    let mut results = Vec::new();
    for messages in SIZES {
        let data = tempfile::tempdir()?;
        let write_start = Instant::now();
        let written = Command::new(std::env::current_exe()?)
            .arg("app-cache")
            .arg(data.path().join("cache"))
            .arg(messages.to_string())
            .status()?;
        if !written.success() {
            bail!("writing the cache of {messages} messages failed ({written})");
        }
        let cache_write_s = write_start.elapsed().as_secs_f64();
        let mut runs = Vec::new();
        let mut walls = Vec::new();
        let mut peak_rss_mb: f64 = 0.0;
        for _ in 0..RUNS {
            let (paint, wall, rss_mb) = start_once(app, data.path())?;
            peak_rss_mb = peak_rss_mb.max(rss_mb);
            eprintln!("bench: cold start with {messages} messages: first list paint {paint:.0} ms, wall {wall:.0} ms");
            runs.push(paint);
            walls.push(wall);
        }
        results.push(ColdStart {
            messages,
            first_paint_ms: median(&runs),
            runs_ms: runs,
            wall_ms: median(&walls),
            peak_rss_mb,
            cache_write_s,
        });
    }
    std::fs::write(out, serde_json::to_vec_pretty(&serde_json::json!({ "cold_start": results }))?)?;
    Ok(())
}

/// A cache with one account and `count` messages in its inbox, as a sync would leave it
/// (`tidings-bench app-cache DIR COUNT`, run by [`run`] as a child process).
pub fn write_cache(dir: &Path, count: usize) -> anyhow::Result<()> {
    let store = Store::open(dir)?;
    store.put_account(&Account {
        id: "bench@example.org".into(),
        display_name: "Bench".into(),
        email: "bench@example.org".into(),
        is_demo: false,
        server: None,
        voicemail: None,
    })?;
    store.put_mailbox(&Mailbox {
        account: "bench@example.org".into(),
        name: "INBOX".into(),
        uid_validity: 1,
        uid_next: count as u32 + 1,
        highest_modseq: None,
    })?;
    let senders =
        ["Ann Lee <ann@example.org>", "Олег Петров <oleg@example.ru>", "Jürgen Weiß <jw@example.de>"];
    for batch_start in (0..count).step_by(1000) {
        let batch: Vec<NewMessage> = (batch_start..(batch_start + 1000).min(count))
            .map(|index| {
                let uid = index as u32 + 1;
                let raw = format!(
                    "From: {}\r\nTo: bench@example.org\r\nSubject: Message {uid} about the quarterly numbers\r\n\
                     Date: {}\r\nMessage-ID: <{uid}@bench.invalid>\r\n\r\nHello,\r\nhere are the numbers for {uid}.\r\n",
                    senders[index % senders.len()],
                    chrono::DateTime::from_timestamp(1_700_000_000 - 600 * i64::from(uid), 0)
                        .unwrap_or_default()
                        .to_rfc2822(),
                );
                NewMessage {
                    key: MessageKey { account: "bench@example.org".into(), mailbox: "INBOX".into(), uid_validity: 1, uid },
                    seen: index % 7 != 0,
                    raw: raw.into_bytes(),
                }
            })
            .collect();
        store.insert_messages(&batch)?;
    }
    Ok(())
}

/// One start: (the app's first-paint figure, spawn → exit, both in milliseconds; peak RSS in MB).
fn start_once(app: &Path, data: &Path) -> anyhow::Result<(f64, f64, f64)> {
    let spawned = Instant::now();
    let mut child = Command::new(app)
        .env("TIDINGS_DATA_DIR", data)
        .env("TIDINGS_EXIT_AFTER_FIRST_PAINT", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", app.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(value) = line.strip_prefix("first_list_paint_ms=") {
                let _ = sender.send(value.trim().parse::<f64>().ok());
            }
        }
    });
    let paint = match receiver.recv_timeout(TIMEOUT) {
        Ok(Some(paint)) => paint,
        Ok(None) => {
            let _ = child.kill();
            bail!("the app printed an unreadable first-paint figure")
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the app did not paint its list within {} s (is DISPLAY set?)", TIMEOUT.as_secs())
        }
    };
    let (status, rss_mb) = wait_with_peak_rss(child.id())?;
    let wall = spawned.elapsed().as_secs_f64() * 1000.0;
    if !status.success() {
        bail!("the app exited with {status}");
    }
    Ok((paint, wall, rss_mb))
}

/// Waits for process `pid`: (how it ended, the peak RSS in MB of it and the children it reaped).
fn wait_with_peak_rss(pid: u32) -> anyhow::Result<(ExitStatus, f64)> {
    let pid = libc::pid_t::try_from(pid)?;
    let mut status = 0;
    // SAFETY: wait4 only writes the status and the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } != pid {
        bail!("waiting for the app: {}", std::io::Error::last_os_error());
    }
    Ok((ExitStatus::from_raw(status), usage.ru_maxrss as f64 / 1024.0))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}
