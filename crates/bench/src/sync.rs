//! Times IMAP sync against a real Dovecot on loopback (from `tidings-testkit`): a full sync of
//! [`MESSAGES`] messages with our sync code (`tidings_imap::sync_mailbox`, the function
//! `tidings_accounts::sync_folder` calls, into a sled store on disk) against the floor, a bare
//! `UID FETCH 1:* (BODY.PEEK[])` over one async-imap connection that keeps nothing, and the floor
//! of what a headers-first sync asks for, the same two passes bare (`UID FETCH 1:* (UID FLAGS
//! BODYSTRUCTURE BODY.PEEK[HEADER])`, then `UID FETCH 1:* (UID BODY.PEEK[])`); an
//! unchanged re-sync; and IDLE latency (APPEND from a second connection until our `watch`
//! returns). Peak RSS of each phase from `/proc/self/status` (`VmHWM`, reset between phases
//! through `/proc/self/clear_refs`). Writes `sync.json`.
//!
//! Both sides speak plain IMAP on loopback so the comparison is of the protocol work alone;
//! one extra full sync over implicit TLS shows what TLS adds.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use futures::TryStreamExt;
use serde::Serialize;
use tidings_imap::{
    connect, sync_mailbox, watch, Auth, ConnectOptions, IdleEvent, ImapSession, Security, ServerConfig,
};
use tidings_store::Store;
use tidings_testkit::{Dovecot, DovecotOptions};
use tokio::net::TcpStream;

/// Messages in the mailbox.
pub const MESSAGES: usize = 10_000;
/// Full syncs (each into a fresh store) and floor fetches timed; the median is reported.
const FULL_RUNS: usize = 3;
/// Unchanged re-syncs and IDLE round trips timed.
const SMALL_RUNS: usize = 5;
const ACCOUNT: &str = "bench";
const MAILBOX: &str = "INBOX";

#[derive(Debug, Serialize)]
struct Report {
    messages: usize,
    mailbox_bytes: usize,
    /// Seconds of each timed run, in run order (the report takes the median).
    floor_s: Vec<f64>,
    floor_peak_rss_kb: Option<u64>,
    /// The two-pass floor (headers, then bodies), the same way.
    floor_headers_then_bodies_s: Vec<f64>,
    full_sync_s: Vec<f64>,
    full_sync_peak_rss_kb: Option<u64>,
    full_sync_tls_s: f64,
    unchanged_sync_s: Vec<f64>,
    idle_latency_s: Vec<f64>,
}

/// Runs every sync measurement and writes the JSON report to `out`.
pub fn run(out: &Path) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("Tokio runtime")?;
    let report = runtime.block_on(measure_all())?;
    let json = serde_json::to_string_pretty(&report).context("Report to JSON")?;
    fs::write(out, json).with_context(|| format!("Writing {}", out.display()))
}

async fn measure_all() -> anyhow::Result<Report> {
    let dovecot = Dovecot::start(DovecotOptions { tls: true, id_log: false, ..DovecotOptions::default() })?;
    let messages: Vec<Vec<u8>> = (1..=MESSAGES).map(message).collect();
    let mailbox_bytes = messages.iter().map(Vec::len).sum();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed(user(&dovecot), MAILBOX, &refs)?;
    drop(messages);
    eprintln!("bench: sync: {MESSAGES} messages ({:.1} MB) seeded", mailbox_bytes as f64 / 1e6);

    // Dovecot builds its index and cache on the first full fetch: warm it before timing anyone.
    floor_fetch(&dovecot).await?;
    reset_peak_rss();
    let mut floor_s = Vec::new();
    for _ in 0..FULL_RUNS {
        floor_s.push(floor_fetch(&dovecot).await?);
    }
    let floor_peak_rss_kb = peak_rss_kb();
    eprintln!("bench: sync: floor {:.2} s", median(&floor_s));
    let mut floor_headers_then_bodies_s = Vec::new();
    for _ in 0..FULL_RUNS {
        floor_headers_then_bodies_s.push(floor_headers_then_bodies(&dovecot).await?);
    }
    eprintln!("bench: sync: two-pass floor {:.2} s", median(&floor_headers_then_bodies_s));

    reset_peak_rss();
    let mut full_sync_s = Vec::new();
    let mut kept = None;
    for _ in 0..FULL_RUNS {
        // The previous run's store is closed first, so the peak is of one sync.
        drop(kept.take());
        let dir = tempfile::tempdir().context("Store directory")?;
        let store = Store::open(dir.path())?;
        let mut session = login(&dovecot, false).await?;
        let started = Instant::now();
        let report = sync_mailbox(&mut session, &store, ACCOUNT, MAILBOX).await?;
        full_sync_s.push(started.elapsed().as_secs_f64());
        if report.new != MESSAGES {
            return Err(anyhow!("full sync fetched {} of {MESSAGES} messages", report.new));
        }
        kept = Some((dir, store, session));
    }
    let full_sync_peak_rss_kb = peak_rss_kb();
    eprintln!("bench: sync: ours {:.2} s", median(&full_sync_s));
    let (_dir, store, mut session) = kept.ok_or_else(|| anyhow!("no full sync ran"))?;

    let full_sync_tls_s = {
        let dir = tempfile::tempdir().context("Store directory")?;
        let tls_store = Store::open(dir.path())?;
        let mut tls_session = login(&dovecot, true).await?;
        let started = Instant::now();
        sync_mailbox(&mut tls_session, &tls_store, ACCOUNT, MAILBOX).await?;
        started.elapsed().as_secs_f64()
    };

    let mut unchanged_sync_s = Vec::new();
    for _ in 0..SMALL_RUNS {
        let started = Instant::now();
        let report = sync_mailbox(&mut session, &store, ACCOUNT, MAILBOX).await?;
        unchanged_sync_s.push(started.elapsed().as_secs_f64());
        if (report.new, report.changed, report.expunged) != (0, 0, 0) {
            return Err(anyhow!("an unchanged re-sync found changes: {report:?}"));
        }
    }

    let mut idle_latency_s = Vec::new();
    let mut other = other_client(&dovecot).await?;
    for index in 0..SMALL_RUNS {
        let appender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let sent = Instant::now();
            let appended = other.append(MAILBOX, None, None, message(MESSAGES + 1 + index)).await;
            (sent, appended.map_err(|e| anyhow!("APPEND: {e}")), other)
        });
        let event = watch(&mut session, Duration::from_secs(20)).await?;
        let seen = Instant::now();
        let (sent, appended, back) = appender.await.context("APPEND task")?;
        appended?;
        other = back;
        if !matches!(event, IdleEvent::NewMail { .. }) {
            return Err(anyhow!("IDLE returned {event:?} instead of new mail"));
        }
        idle_latency_s.push(seen.saturating_duration_since(sent).as_secs_f64());
        sync_mailbox(&mut session, &store, ACCOUNT, MAILBOX).await?;
    }
    eprintln!("bench: sync: IDLE latency {:.3} s", median(&idle_latency_s));

    Ok(Report {
        messages: MESSAGES,
        mailbox_bytes,
        floor_s,
        floor_peak_rss_kb,
        floor_headers_then_bodies_s,
        full_sync_s,
        full_sync_peak_rss_kb,
        full_sync_tls_s,
        unchanged_sync_s,
        idle_latency_s,
    })
}

/// About 4 KB: a short mail with some quoted history, as in the IMAP crate's sync bench.
fn message(index: usize) -> Vec<u8> {
    let mut raw = format!(
        "From: Bob Example <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Message {index}\r\n\
         Date: Tue, 24 Nov 2026 10:{:02}:00 +0000\r\nMessage-ID: <m{index}@example.org>\r\n\r\n\
         Body of message {index}.\r\n\r\nOn Mon, 23 Nov 2026 at 09:00, Alice <alice@example.org> wrote:\r\n",
        index % 60
    );
    for line in 0..60 {
        raw.push_str(&format!("> quoted line {line} of message {index}, padding the body a little.\r\n"));
    }
    raw.into_bytes()
}

fn user(dovecot: &Dovecot) -> &str {
    dovecot.user(0).unwrap_or("alice")
}

fn password(dovecot: &Dovecot) -> String {
    dovecot.password(0).unwrap_or_default().to_owned()
}

/// Our connection, as the app makes it (plaintext is allowed on loopback only).
async fn login(dovecot: &Dovecot, tls: bool) -> anyhow::Result<ImapSession> {
    let plain = ServerConfig {
        host: dovecot.host().to_owned(),
        port: dovecot.imap_port(),
        security: Security::Plain,
        username: user(dovecot).to_owned(),
        allow_plaintext: true,
        pinned_sha256: None,
    };
    let config = if tls {
        ServerConfig {
            port: dovecot.imaps_port().unwrap_or_default(),
            security: Security::Tls,
            allow_plaintext: false,
            pinned_sha256: dovecot.cert_sha256(),
            ..plain
        }
    } else {
        plain
    };
    Ok(connect(&config, &Auth::Password(password(dovecot)), &ConnectOptions::default()).await?)
}

/// A bare async-imap session, logged in, with the mailbox selected.
async fn other_client(dovecot: &Dovecot) -> anyhow::Result<async_imap::Session<TcpStream>> {
    let mut session = bare_login(dovecot).await?;
    session.select(MAILBOX).await.context("SELECT")?;
    Ok(session)
}

/// A plain async-imap login, with none of our session's checks: the floors' connection.
async fn bare_login(dovecot: &Dovecot) -> anyhow::Result<async_imap::Session<TcpStream>> {
    let tcp = TcpStream::connect((dovecot.host(), dovecot.imap_port())).await.context("TCP connect")?;
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.context("Greeting")?.ok_or_else(|| anyhow!("no greeting"))?;
    client.login(user(dovecot), password(dovecot)).await.map_err(|(e, _)| anyhow!("LOGIN: {e}"))
}

/// The floor: log in, then time SELECT and one `UID FETCH 1:* (BODY.PEEK[])`, reading every
/// body and keeping none.
async fn floor_fetch(dovecot: &Dovecot) -> anyhow::Result<f64> {
    let mut session = bare_login(dovecot).await?;
    let started = Instant::now();
    session.select(MAILBOX).await.context("SELECT")?;
    let mut fetched = 0usize;
    let mut bytes = 0usize;
    {
        let mut stream = session.uid_fetch("1:*", "BODY.PEEK[]").await.context("UID FETCH")?;
        while let Some(fetch) = stream.try_next().await.context("UID FETCH answer")? {
            fetched += 1;
            bytes += fetch.body().map_or(0, <[u8]>::len);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if fetched < MESSAGES || bytes == 0 {
        return Err(anyhow!("the floor fetch read {fetched} messages ({bytes} bytes)"));
    }
    let _ = session.logout().await;
    Ok(seconds)
}

/// The floor of a headers-first sync: log in, then time SELECT, `UID FETCH 1:* (UID FLAGS
/// BODYSTRUCTURE BODY.PEEK[HEADER])` and `UID FETCH 1:* (UID BODY.PEEK[])`, reading everything and
/// keeping nothing.
async fn floor_headers_then_bodies(dovecot: &Dovecot) -> anyhow::Result<f64> {
    let mut session = bare_login(dovecot).await?;
    let started = Instant::now();
    session.select(MAILBOX).await.context("SELECT")?;
    let mut headers = 0usize;
    let mut bodies = 0usize;
    {
        let items = "(UID FLAGS BODYSTRUCTURE BODY.PEEK[HEADER])";
        let mut stream = session.uid_fetch("1:*", items).await.context("UID FETCH headers")?;
        while let Some(fetch) = stream.try_next().await.context("UID FETCH headers answer")? {
            headers += usize::from(fetch.header().is_some_and(|header| !header.is_empty()));
        }
    }
    {
        let mut stream = session.uid_fetch("1:*", "(UID BODY.PEEK[])").await.context("UID FETCH bodies")?;
        while let Some(fetch) = stream.try_next().await.context("UID FETCH bodies answer")? {
            bodies += usize::from(fetch.body().is_some_and(|body| !body.is_empty()));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if headers < MESSAGES || bodies < MESSAGES {
        return Err(anyhow!("the two-pass floor read {headers} headers and {bodies} bodies"));
    }
    let _ = session.logout().await;
    Ok(seconds)
}

/// Resets this process's peak RSS (Linux ≥ 4.0); without it the next peak includes the earlier ones.
fn reset_peak_rss() {
    let _ = fs::write("/proc/self/clear_refs", "5");
}

/// `VmHWM` of this process, in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The median of a non-empty list (0 when empty).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}
