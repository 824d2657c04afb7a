//! Faults after the login, while a mailbox syncs: a slow FETCH against a stalled one, an
//! oversized literal, 10 000 untagged responses, malformed FETCH answers, wrong UIDs, and a
//! UIDVALIDITY that changes mid-session. After each, the cache holds only what the server really
//! sent under the right UIDVALIDITY, and a sync against a well-behaved server makes it exact.

use std::time::{Duration, Instant};

use tidings_imap::{Bodies, ImapError, ImapSession, Security, SyncOptions, SyncReport};
use tidings_store::{MessageKey, Store};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::server::{
    answer, connect_to, fetched_set, header_answer, header_of, is_header_fetch, mailbox_server, tag, uids_in,
    Generation,
};
use crate::step;

async fn logged_in(port: u16) -> ImapSession {
    match connect_to(port, Security::Plain, Duration::from_secs(5)).await {
        Ok(session) => session,
        Err(error) => panic!("connect: {error}"),
    }
}

/// One sync of INBOX over a new connection, `batch_size` messages per FETCH.
pub async fn sync(
    port: u16,
    store: &Store,
    batch_size: usize,
) -> (tidings_imap::Result<SyncReport>, ImapSession) {
    sync_with(port, store, SyncOptions { batch_size, ..SyncOptions::default() }).await
}

/// One sync of INBOX over a new connection with `options`.
async fn sync_with(
    port: u16,
    store: &Store,
    options: SyncOptions,
) -> (tidings_imap::Result<SyncReport>, ImapSession) {
    let mut session = logged_in(port).await;
    let result =
        step("sync", tidings_imap::sync_mailbox_with(&mut session, store, "acct", "INBOX", &options)).await;
    (result, session)
}

/// The cached messages of INBOX under `uid_validity`: UID and raw bytes, ascending.
fn cached(store: &Store, uid_validity: u32) -> Vec<(u32, Vec<u8>)> {
    let uids = store.uids("acct", "INBOX", uid_validity).expect("uids");
    uids.into_iter()
        .map(|uid| {
            let key = MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity, uid };
            let (_, raw) = store.message(&key).expect("read").expect("listed UID is cached");
            (uid, raw)
        })
        .collect()
}

/// The cache equals the server: same UIDs under the same UIDVALIDITY, byte-identical messages,
/// and nothing left under any other UIDVALIDITY.
fn assert_exact(store: &Store, server: &Generation) {
    assert_eq!(cached(store, server.uid_validity), server.messages, "cache differs from the server");
    assert_eq!(
        store.count_messages("acct", "INBOX"),
        server.messages.len(),
        "rows of another UIDVALIDITY remain"
    );
}

/// Peak resident memory of this test process so far (`VmHWM`), in bytes.
fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("VmHWM in kB") * 1024
}

/// A server that announces a 200 MB (then a 4 GiB) header section for UID 2: the sync fails at
/// once with a clear error instead of reserving the memory and waiting for the bytes; UID 1's
/// header, fetched in the batch before, stays cached (its body was still to come).
#[tokio::test]
async fn an_oversized_literal_is_refused_before_memory_is_reserved() {
    for announced in [200_000_000_u64, 1 << 32] {
        let server = Generation::new(7, 1..=3, 0);
        let script = server.clone();
        let port = mailbox_server(move |_, line| match fetched_set(line) {
            Some("2") if is_header_fetch(line) => {
                format!("* 2 FETCH (UID 2 FLAGS () BODY[HEADER] {{{announced}}}\r\nFrom: a@b\r\n")
                    .into_bytes()
            }
            _ => answer(&script, line),
        })
        .await;
        let store = Store::open_temporary().expect("store");
        let peak_before = peak_resident_bytes();
        let (result, session) = sync(port, &store, 1).await;
        let grown = peak_resident_bytes().saturating_sub(peak_before);
        match result {
            Err(ImapError::Network(text)) => {
                assert!(text.contains(&format!("a {announced}-byte literal")), "{text}");
                assert!(text.contains("accepts at most"), "{text}");
            }
            other => panic!("expected a refused literal, got {other:?}"),
        }
        assert!(
            grown < 64 * 1024 * 1024,
            "peak memory grew by {grown} bytes for a {announced}-byte announcement"
        );
        assert!(!session.is_connected());
        assert_eq!(cached(&store, 7), vec![(1, header_of(server.body(1)).to_vec())]);
    }
}

/// 10 000 untagged responses before every answer — status noise, EXISTS, unsolicited FETCHes of
/// flags and of a UID nobody asked for — are read through; only the real answers count.
#[tokio::test]
async fn ten_thousand_untagged_responses_are_read_through() {
    let server = Generation::new(7, 1..=3, 0);
    let script = server.clone();
    let port = mailbox_server(move |_, line| {
        let command = line.split(' ').nth(1).unwrap_or_default().to_ascii_uppercase();
        let mut flood = Vec::new();
        if command == "UID" {
            for n in 0..10_000 {
                let noise = match n % 4 {
                    0 => format!("* OK still working {n}\r\n"),
                    1 => "* 3 EXISTS\r\n".to_owned(),
                    2 => "* 2 FETCH (FLAGS (\\Seen))\r\n".to_owned(),
                    _ => format!("* 9 FETCH (UID {} FLAGS ())\r\n", 9000 + n),
                };
                flood.extend(noise.into_bytes());
            }
        }
        flood.extend(answer(&script, line));
        flood
    })
    .await;
    let store = Store::open_temporary().expect("store");
    let (result, session) = sync(port, &store, 200).await;
    let report = result.unwrap_or_else(|error| panic!("the flood must be read through: {error}"));
    assert_eq!(report.new, 3);
    assert!(session.is_connected());
    assert_exact(&store, &server);
}

/// Broken FETCH answers end the sync with a short, clear error (no panic, no hang) and keep the
/// batch written before; the next sync against a well-behaved server completes the cache exactly.
#[tokio::test]
async fn a_malformed_fetch_is_an_error_and_the_next_sync_completes() {
    let malformed: [&[u8]; 5] = [
        b"* 2 FETCH UID 2)\r\n",
        b"* 2 FETCH (UID 2 BODY[] \"unterminated\r\n",
        b"* 2 FETCH (UID two FLAGS ())\r\n",
        b"* 2 FETCH (UID 2 FLAGS () BODY[] {-5}\r\n",
        b"* 2 FETCH (\x00\xff\xfe BODY[] ((((((\r\n",
    ];
    for broken in malformed {
        let server = Generation::new(7, 1..=3, 0);
        let script = server.clone();
        let port = mailbox_server(move |connection, line| match fetched_set(line) {
            Some("2") if connection == 0 && is_header_fetch(line) => {
                let mut bytes = broken.to_vec();
                bytes.extend(format!("{} OK done\r\n", tag(line)).into_bytes());
                bytes
            }
            _ => answer(&script, line),
        })
        .await;
        let store = Store::open_temporary().expect("store");
        let shown = String::from_utf8_lossy(broken);
        let (result, session) = sync(port, &store, 1).await;
        match result {
            Err(error @ (ImapError::Network(_) | ImapError::Protocol(_))) => {
                assert!(error.to_string().len() < 600, "{shown}: error too long: {error}")
            }
            Ok(report) => assert!(
                report.warnings.iter().any(|w| w.contains("did not send 1 of the 1")),
                "{shown}: accepted without a word: {report:?}"
            ),
            Err(other) => panic!("{shown}: unexpected error {other:?}"),
        }
        drop(session);
        assert_eq!(cached(&store, 7).first().map(|(uid, _)| *uid), Some(1), "{shown}: batch 1 lost");
        assert!(!cached(&store, 7).iter().any(|(uid, _)| *uid == 2), "{shown}: UID 2 cached from garbage");
        let (again, _) = sync(port, &store, 1).await;
        again.unwrap_or_else(|error| panic!("{shown}: second sync: {error}"));
        assert_exact(&store, &server);
    }
}

/// Asked for the headers of UIDs 1–4, the server answers UID 1, a UID nobody asked for, UID 2
/// twice (the second time with other bytes), UID 0, a FETCH without a UID, and UID 4 — never
/// UID 3. Only 1, 2 (the first answer) and 4 are cached, a warning names UID 3, and the next
/// sync asks for it again.
#[tokio::test]
async fn wrong_uids_are_ignored_and_a_skipped_one_is_asked_again() {
    let server = Generation::new(7, 1..=4, 0);
    let script = server.clone();
    let port = mailbox_server(move |connection, line| match fetched_set(line) {
        Some(set) if connection == 0 && is_header_fetch(line) => {
            assert_eq!(uids_in(set, 4), vec![1, 2, 3, 4], "{line}");
            let mut bytes = header_answer(1, 1, script.body(1));
            bytes.extend(header_answer(1, 99, &crate::message(99)));
            bytes.extend(header_answer(2, 2, script.body(2)));
            bytes.extend(header_answer(2, 2, &crate::message(77)));
            bytes.extend(header_answer(3, 0, &crate::message(100)));
            let stray = header_of(&crate::message(55)).to_vec();
            bytes.extend(format!("* 3 FETCH (FLAGS () BODY[HEADER] {{{}}}\r\n", stray.len()).into_bytes());
            bytes.extend(stray);
            bytes.extend(b")\r\n");
            bytes.extend(header_answer(4, 4, script.body(4)));
            bytes.extend(format!("{} OK done\r\n", tag(line)).into_bytes());
            bytes
        }
        Some(_) if is_header_fetch(line) && connection == 1 => {
            assert_eq!(fetched_set(line), Some("3"), "the second sync asks for the skipped UID alone");
            answer(&script, line)
        }
        _ => answer(&script, line),
    })
    .await;
    let store = Store::open_temporary().expect("store");
    // Headers only, so what is cached is what the header fetch brought.
    let headers_only = SyncOptions { bodies: Bodies::None, ..SyncOptions::default() };
    let (result, _) = sync_with(port, &store, headers_only).await;
    let report = result.unwrap_or_else(|error| panic!("sync: {error}"));
    let uids: Vec<u32> = cached(&store, 7).iter().map(|(uid, _)| *uid).collect();
    assert_eq!(uids, vec![1, 2, 4]);
    assert_eq!(cached(&store, 7)[1].1, header_of(server.body(2)), "the first answer for UID 2 wins");
    assert!(
        report.warnings.iter().any(|w| w.contains("did not send 1 of the 4") && w.contains("UIDs 3")),
        "{:?}",
        report.warnings
    );
    let (again, _) = sync(port, &store, 200).await;
    let again = again.unwrap_or_else(|error| panic!("second sync: {error}"));
    assert_eq!((again.new, again.bodies), (1, 4), "UID 3 is new; every body comes with this sync");
    assert_exact(&store, &server);
}

/// The server says `* OK [UIDVALIDITY 8]` in the middle of the second batch's FETCH: nothing of
/// that batch is written, the sync fails with a clear error, and the next connection (which sees
/// UIDVALIDITY 8 with other messages) drops the old generation and caches the new one exactly.
#[tokio::test]
async fn a_uidvalidity_change_mid_session_discards_the_batch_and_starts_over() {
    let old = Generation::new(7, 1..=4, 0);
    let new = Generation::new(8, 1..=3, 500);
    let (old_script, new_script) = (old.clone(), new.clone());
    let port = mailbox_server(move |connection, line| match (connection, fetched_set(line)) {
        (0, Some("3:4")) if is_header_fetch(line) => {
            let mut bytes = b"* OK [UIDVALIDITY 8] the mailbox was recreated\r\n".to_vec();
            bytes.extend(answer(&new_script, line));
            bytes
        }
        (0, _) => answer(&old_script, line),
        _ => answer(&new_script, line),
    })
    .await;
    let store = Store::open_temporary().expect("store");
    let (result, session) = sync(port, &store, 2).await;
    match result {
        Err(ImapError::Protocol(text)) => {
            assert!(text.contains("UIDVALIDITY") && text.contains("7 → 8"), "{text}")
        }
        other => panic!("expected the UIDVALIDITY change to end the sync, got {other:?}"),
    }
    assert!(!session.is_connected());
    let headers: Vec<(u32, Vec<u8>)> =
        old.messages[..2].iter().map(|(uid, raw)| (*uid, header_of(raw).to_vec())).collect();
    assert_eq!(cached(&store, 7), headers, "only the batch before the change is cached");
    let (again, _) = sync(port, &store, 2).await;
    let report = again.unwrap_or_else(|error| panic!("second sync: {error}"));
    assert!(report.cache_cleared);
    assert_exact(&store, &new);
}

/// A one-message server whose FETCH answer trickles in (or stops half-way), to tell a slow big
/// response from a server that went quiet. The trickling one also leaves UIDNEXT out of SELECT.
async fn trickling_server(stall_half_way: bool) -> u16 {
    let omit_uidnext = !stall_half_way;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let Ok((socket, _)) = listener.accept().await else { return };
        let (reader, mut writer) = socket.into_split();
        let _ = writer.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] fake ready\r\n").await;
        let mut lines = BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let tag = tag(&line).to_owned();
            let command = line.split(' ').skip(1).take(2).collect::<Vec<_>>().join(" ").to_ascii_uppercase();
            let reply = match command.as_str() {
                c if c.starts_with("AUTHENTICATE") => format!("{tag} OK Logged in\r\n"),
                c if c.starts_with("CAPABILITY") => format!("* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n"),
                // The steady run also omits UIDNEXT from SELECT, which RFC 3501 only makes a SHOULD,
                // so the client must ask STATUS.
                c if c.starts_with("SELECT") && omit_uidnext => {
                    format!("* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{tag} OK [READ-WRITE] done\r\n")
                }
                c if c.starts_with("SELECT") => format!(
                    "* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n{tag} OK [READ-WRITE] done\r\n"
                ),
                c if c.starts_with("STATUS") => format!("* STATUS \"INBOX\" (UIDNEXT 2)\r\n{tag} OK done\r\n"),
                "UID SEARCH" => format!("* SEARCH 1\r\n{tag} OK done\r\n"),
                "UID FETCH" => {
                    // The header fetch (step 6) trickles the header section, the body fetch (step 8)
                    // the whole message.
                    let message = crate::message(1);
                    let (section, body) =
                        if is_header_fetch(&line) { ("HEADER", header_of(&message)) } else { ("", &message[..]) };
                    let head = format!("* 1 FETCH (UID 1 FLAGS (\\Seen) BODY[{section}] {{{}}}\r\n", body.len());
                    let _ = writer.write_all(head.as_bytes()).await;
                    // Up to 20 slices, 100 ms apart: about 2 s in all, each gap far below the 0.5 s timeout.
                    let slice = body.len().div_ceil(20);
                    for (index, part) in body.chunks(slice).enumerate() {
                        if stall_half_way && index == 10 {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                        }
                        let _ = writer.write_all(part).await;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    format!(")\r\n{tag} OK done\r\n")
                }
                _ => format!("{tag} OK done\r\n"),
            };
            let _ = writer.write_all(reply.as_bytes()).await;
        }
    });
    port
}

#[tokio::test]
async fn a_slow_but_steady_fetch_is_not_a_timeout_and_a_stalled_one_is() {
    for stall in [false, true] {
        let port = trickling_server(stall).await;
        let mut session = match connect_to(port, Security::Plain, Duration::from_millis(500)).await {
            Ok(session) => session,
            Err(error) => panic!("connect: {error}"),
        };
        let store = tidings_store::Store::open_temporary().expect("store");
        let started = Instant::now();
        let result = step("sync", tidings_imap::sync_mailbox(&mut session, &store, "acct", "INBOX")).await;
        let waited = started.elapsed();
        if stall {
            match result {
                Err(ImapError::Timeout { during }) => assert_eq!(during, "UID FETCH"),
                other => panic!("a stalled FETCH must time out, got {other:?}"),
            }
            assert!(waited < Duration::from_secs(3), "took {waited:?}");
            assert_eq!(store.count_messages("acct", "INBOX"), 0);
            assert!(!session.is_connected());
        } else {
            let report =
                result.unwrap_or_else(|error| panic!("a steady 2 s FETCH must not time out: {error}"));
            // Three times the 0.5 s timeout, yet never quiet for 0.5 s.
            assert!(waited >= Duration::from_millis(1500), "took {waited:?}");
            assert_eq!(report.new, 1);
            let summary = &store.list_messages("acct", "INBOX").expect("list")[0];
            assert_eq!(summary.subject.as_deref(), Some("Message 001"));
            assert!(summary.seen);
            // UIDNEXT came from STATUS, as SELECT did not say it.
            let state = store.mailbox("acct", "INBOX").expect("state");
            assert_eq!(state.map(|m| (m.uid_validity, m.uid_next)), Some((7, 2)));
        }
    }
}

/// The UIDVALIDITY changes while the server answers the `UID SEARCH` for new messages: nothing of
/// the new generation is fetched under the old UIDVALIDITY; the next sync starts over.
#[tokio::test]
async fn a_uidvalidity_change_during_the_search_fetches_nothing_under_the_old_one() {
    let old = Generation::new(7, 1..=2, 0);
    let new = Generation::new(8, 1..=3, 500);
    let (old_script, new_script) = (old.clone(), new.clone());
    let port = mailbox_server(move |connection, line| {
        let searching = line.to_ascii_uppercase().contains(" UID SEARCH ");
        match connection {
            0 if searching => {
                let mut bytes = b"* OK [UIDVALIDITY 8] recreated\r\n".to_vec();
                bytes.extend(answer(&new_script, line));
                bytes
            }
            0 => answer(&old_script, line),
            _ => answer(&new_script, line),
        }
    })
    .await;
    let store = Store::open_temporary().expect("store");
    let (result, _) = sync(port, &store, 200).await;
    match result {
        Err(ImapError::Protocol(text)) => assert!(text.contains("7 → 8"), "{text}"),
        other => panic!("expected the UIDVALIDITY change to end the sync, got {other:?}"),
    }
    assert_eq!(store.count_messages("acct", "INBOX"), 0, "nothing fetched under the old UIDVALIDITY");
    let (again, _) = sync(port, &store, 200).await;
    again.unwrap_or_else(|error| panic!("second sync: {error}"));
    assert_exact(&store, &new);
}

/// A server that refuses `UID STORE` (`NO`, e.g. a read-only mailbox) keeps the user's change
/// queued and the cache showing it; once the server accepts, the change is pushed and cleared.
#[tokio::test]
async fn a_refused_flag_push_stays_queued_until_the_server_accepts_it() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tidings_store::{Account, ConnectionSecurity, ServerSettings};

    let server = Generation::new(7, 1..=2, 0);
    let script = server.clone();
    let read_only = Arc::new(AtomicBool::new(true));
    let refusing = read_only.clone();
    let stores = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_stores = stores.clone();
    let port = mailbox_server(move |_, line| {
        if line.to_ascii_uppercase().contains(" UID STORE ") {
            seen_stores.lock().expect("lock").push(line.to_owned());
            let answer = if refusing.load(Ordering::SeqCst) { "NO [READ-ONLY] not now" } else { "OK done" };
            return format!("{} {answer}\r\n", tag(line)).into_bytes();
        }
        answer(&script, line)
    })
    .await;
    let store = Store::open_temporary().expect("store");
    let settings = ServerSettings {
        host: "127.0.0.1".into(),
        port,
        security: ConnectionSecurity::Plain,
        username: "alice".into(),
        allow_plaintext: true,
        pinned_sha256: None,
    };
    let account = Account {
        id: "acct".into(),
        display_name: "alice".into(),
        email: "alice@example.org".into(),
        is_demo: false,
        server: Some(settings),
        voicemail: None,
    };
    store.put_account(&account).expect("account");
    let (first, _) = sync(port, &store, 200).await;
    first.unwrap_or_else(|error| panic!("first sync: {error}"));
    let key = MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity: 7, uid: 2 };
    assert!(store.mark_seen(&key, true).expect("mark read"));

    let (refused, _) = sync(port, &store, 200).await;
    let report = refused.unwrap_or_else(|error| panic!("sync with STORE refused: {error}"));
    assert!(
        report.warnings.iter().any(|w| w.contains("refused") && w.contains("tried again")),
        "{:?}",
        report.warnings
    );
    assert_eq!(store.pending_flags("acct", "INBOX", 7).expect("pending"), vec![(2, true)], "still queued");
    let seen: Vec<(u32, bool)> = store.seen_flags("acct", "INBOX", 7).expect("flags");
    assert_eq!(seen, vec![(1, false), (2, true)], "the cache keeps the user's change");

    read_only.store(false, Ordering::SeqCst);
    let (accepted, _) = sync(port, &store, 200).await;
    assert_eq!(accepted.unwrap_or_else(|error| panic!("sync: {error}")).flags_pushed, 1);
    assert_eq!(store.pending_flags("acct", "INBOX", 7).expect("pending"), vec![]);
    assert_eq!(stores.lock().expect("lock").len(), 2, "pushed once refused, once accepted");
}

/// Asked for the bodies of UIDs 1–3, the server sends 1 and 3 only (2 was expunged meanwhile, as
/// a server without QRESYNC may show late): a warning names UID 2, which stays header-only, the
/// sync ends (no loop asking again), and the next sync asks for that one body once more.
#[tokio::test]
async fn a_body_the_server_does_not_send_stays_missing_and_is_asked_for_once_per_sync() {
    let server = Generation::new(7, 1..=3, 0);
    let script = server.clone();
    let body_fetches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = body_fetches.clone();
    let port = mailbox_server(move |connection, line| match fetched_set(line) {
        Some(set) if line.contains("BODY.PEEK[]") => {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if connection == 0 {
                assert_eq!(uids_in(set, 3), vec![1, 2, 3], "{line}");
                let mut bytes = crate::server::fetch_answer(1, 1, script.body(1));
                bytes.extend(crate::server::fetch_answer(3, 3, script.body(3)));
                bytes.extend(format!("{} OK done\r\n", tag(line)).into_bytes());
                bytes
            } else {
                assert_eq!(set, "2", "the next sync asks for the missing body alone");
                answer(&script, line)
            }
        }
        _ => answer(&script, line),
    })
    .await;
    let store = Store::open_temporary().expect("store");
    let (result, _) = sync(port, &store, 200).await;
    let report = result.unwrap_or_else(|error| panic!("sync: {error}"));
    assert_eq!((report.new, report.bodies, report.bodies_missing), (3, 2, 1));
    assert!(
        report.warnings.iter().any(|w| w.contains("bodies of 1 of the 3") && w.contains("UIDs 2")),
        "{:?}",
        report.warnings
    );
    let missing = MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity: 7, uid: 2 };
    assert!(store.body_missing(&missing).expect("read"));
    assert_eq!(body_fetches.load(std::sync::atomic::Ordering::SeqCst), 1, "one body fetch, no retry loop");
    let (again, _) = sync(port, &store, 200).await;
    let again = again.unwrap_or_else(|error| panic!("second sync: {error}"));
    assert_eq!((again.new, again.bodies, again.bodies_missing), (0, 1, 0));
    assert_exact(&store, &server);
}
