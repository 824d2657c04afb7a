//! Crash safety of `tidings sync`, proven with SIGKILL: a 10 000-message sync from a real Dovecot
//! (tidings-testkit, over TLS, the password in a real Secret Service) is killed at 20 random
//! points and restarted; after every kill the cache must hold only byte-identical copies of the
//! server's messages (whole, or, while its body is still to come, its exact header section), never
//! one twice and never fewer (or fewer whole) than before, and the sync that is finally let finish
//! must leave the cache equal to the server with every body. Then the same once more while an
//! incremental sync fetches 500 new messages.
//!
//! A sync fetches headers first, then bodies, so its progress is counted in *steps*: a header
//! cached is one step, a body cached another (a mailbox of N messages is 2N steps), and the kills
//! aim at steps.
//!
//! The kill delays come from a seeded xorshift (printed; `SYNC_CRASH_SEED=N` replays the same
//! targets, though the machine's speed still moves where each kill lands; `SYNC_CRASH_KILLS=N`
//! kills the full sync N times instead of 20, for a longer soak). After each kill,
//! `tidings list --json` opens the cache as the killed process left it (as the user's next
//! command would), then the test opens it with `tidings-store` and compares every cached raw
//! message with the server's maildir file for that UID (`dovecot-uidlist`) and every `\Seen`
//! flag with what `doveadm fetch` reports.
//!
//! Runs only under `tests/support/keyring-session.sh` (the account's password goes into the
//! keyring); elsewhere it prints a skip line. At the end, only when everything held, it writes
//! `security-report/sync-kill.json` under `CARGO_TARGET_TMPDIR`.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::alice::{add_over_tls, command, in_keyring_session, server_seen, start, tidings};
use support::json_of;
use tidings_store::{MessageKey, Store};
use tidings_testkit::Dovecot;

/// Messages in the mailbox before the first sync.
const MESSAGES: usize = 10_000;
/// Messages that arrive for the incremental sync.
const MORE: usize = 500;
/// Kills of the full sync; `SYNC_CRASH_KILLS=N` asks for more (a longer soak).
const KILL_POINTS: usize = 20;
/// Of those, kills aimed at connect, login and SELECT rather than at the fetch.
const EARLY_KILLS: usize = 3;
const MAILBOX: &str = "INBOX";
/// The header the generator puts on messages that are to be read (`\Seen`) on the server.
const READ_MARK: &str = "X-Crash-Test-Read";

/// xorshift64*: enough to spread kill points, and replayable from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A fixed pseudo-random number per message index, so the mailbox is the same for every seed.
fn mix(index: usize, salt: u64) -> u64 {
    let mut rng = Rng((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt ^ 0xD1B5_4A32_D192_ED03);
    rng.next();
    rng.next()
}

const WORDS: &[&str] = &[
    "invoice",
    "meeting",
    "tomorrow",
    "квартал",
    "report",
    "numbers",
    "lunch",
    "review",
    "draft",
    "Zürich",
    "server",
    "backup",
    "thanks",
    "please",
    "attached",
    "schedule",
    "budget",
    "travel",
];

/// Message `index`: 1–20 KB, its own Message-ID and subject, every 250th with an attachment,
/// every third marked to be read on the server.
fn message(index: usize) -> Vec<u8> {
    let target = 1_024 + (mix(index, 1) % (19 * 1_024)) as usize;
    let mut raw = format!(
        "From: Sender {sender} <sender{sender}@example.org>\r\nTo: alice@example.org\r\n\
         Subject: Crash test {index}: {word}\r\nDate: {day:02} Nov 2026 {hour:02}:{minute:02}:00 +0000\r\n\
         Message-ID: <crash-{index}.{salt:x}@example.org>\r\n",
        sender = index % 37,
        word = WORDS[index % WORDS.len()],
        day = 1 + index % 28,
        hour = index % 24,
        minute = index % 60,
        salt = mix(index, 2),
    );
    if index.is_multiple_of(3) {
        raw.push_str(&format!("{READ_MARK}: yes\r\n"));
    }
    let with_attachment = index % 250 == 7;
    raw.push_str("MIME-Version: 1.0\r\n");
    if with_attachment {
        raw.push_str(
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n",
        );
    } else {
        raw.push_str("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    }
    let mut line = 0u64;
    while raw.len() < target {
        let mut text = String::new();
        for word in 0..10 {
            text.push_str(WORDS[(mix(index, line * 16 + word) % WORDS.len() as u64) as usize]);
            text.push(' ');
        }
        raw.push_str(&format!("{line} {text}{index}\r\n"));
        line += 1;
    }
    if with_attachment {
        raw.push_str("\r\n--b\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n");
        raw.push_str("Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        for row in 0..40 {
            let bytes: String =
                (0..57).map(|i| ((mix(index, row * 64 + i) % 26) as u8 + b'A') as char).collect();
            raw.push_str(&format!("{bytes}{row:019}\r\n"));
        }
        raw.push_str("--b--\r\n");
    }
    raw.into_bytes()
}

fn seed(dovecot: &Dovecot, indexes: std::ops::Range<usize>) {
    let messages: Vec<Vec<u8>> = indexes.map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", MAILBOX, &refs).unwrap_or_else(|e| panic!("seeding: {e}"));
    // The read ones are read on the server, as another client would have left them.
    let query = ["flags", "add", "-u", "alice", "\\Seen", "mailbox", MAILBOX, "header", READ_MARK, "yes"];
    dovecot.doveadm(&query).unwrap_or_else(|e| panic!("doveadm flags add: {e}"));
}

/// What the server holds, by UID.
struct ServerMailbox {
    uid_validity: u32,
    /// UID → (raw message, `\Seen`).
    messages: BTreeMap<u32, (Vec<u8>, bool)>,
}

/// The server's mailbox: flags and UIDVALIDITY from `doveadm`, each UID's bytes from the maildir
/// file `dovecot-uidlist` names for it.
fn server_mailbox(dovecot: &Dovecot) -> ServerMailbox {
    // This also makes Dovecot give UIDs to files it has not seen yet.
    let seen_of = server_seen(dovecot);
    let status = dovecot
        .doveadm(&["-f", "tab", "mailbox", "status", "-u", "alice", "uidvalidity", MAILBOX])
        .unwrap_or_else(|e| panic!("doveadm mailbox status: {e}"));
    // `-f tab`: a header line, then `INBOX<TAB>uidvalidity`.
    let uid_validity = status
        .lines()
        .find_map(|line| line.rsplit('\t').next()?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no UIDVALIDITY in {status:?}"));

    let maildir = dovecot.maildir("alice");
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    for sub in ["cur", "new"] {
        for entry in std::fs::read_dir(maildir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let base = name.split(':').next().unwrap().to_owned();
            files.insert(base, path);
        }
    }
    let uidlist = std::fs::read_to_string(maildir.join("dovecot-uidlist")).unwrap();
    let mut messages = BTreeMap::new();
    for line in uidlist.lines().skip(1) {
        let uid: u32 = line.split_whitespace().next().unwrap().parse().unwrap();
        let (_, name) = line.split_once(" :").unwrap_or_else(|| panic!("uidlist line {line:?}"));
        let base = name.split(':').next().unwrap();
        let path = files.get(base).unwrap_or_else(|| panic!("no maildir file for UID {uid} ({base})"));
        let seen = *seen_of.get(&uid).unwrap_or_else(|| panic!("doveadm does not know UID {uid}"));
        messages.insert(uid, (std::fs::read(path).unwrap(), seen));
    }
    assert_eq!(
        messages.keys().collect::<Vec<_>>(),
        seen_of.keys().collect::<Vec<_>>(),
        "dovecot-uidlist and doveadm disagree about the UIDs"
    );
    ServerMailbox { uid_validity, messages }
}

/// One whole `tidings sync --json EXTRA`; its duration.
fn sync_to_the_end(data: &Path, extra: &[&str]) -> Duration {
    let mut args = vec!["sync", "--json"];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let output = tidings(data, &args, "");
    let took = started.elapsed();
    json_of(&output);
    took
}

/// Measured sync durations, for aiming kills.
struct Timing {
    /// A sync of an empty folder: start, empty cache, TLS, login, SELECT.
    empty: Duration,
    /// A full sync of the mailbox.
    full: Duration,
    /// A sync with nothing new: the same start with a full cache to open and check.
    unchanged: Duration,
}

/// Steps of a full sync: every header, then every body.
const STEPS: usize = 2 * MESSAGES;

impl Timing {
    fn per_step(&self) -> Duration {
        self.full.saturating_sub(self.empty) / STEPS as u32
    }

    /// How long after its start a sync that begins at step `done` has reached step `place`: a
    /// start that grows with the cache, then the fetch. Within (0, full].
    fn delay_to(&self, done: usize, place: usize) -> Duration {
        let start_growth = self.unchanged.saturating_sub(self.empty).mul_f64(done as f64 / STEPS as f64);
        let fetch = self.per_step() * place.saturating_sub(done) as u32;
        (self.empty + start_growth + fetch).clamp(Duration::from_millis(1), self.full)
    }
}

/// How a `tidings sync` started for a kill ended.
enum Ended {
    Killed,
    /// It finished before the kill came: what it printed, and when.
    ByItself {
        said: String,
        took: Duration,
    },
}

/// Starts `tidings sync` and sends it SIGKILL after `delay`.
fn sync_killed_after(data: &Path, delay: Duration) -> Ended {
    let started = Instant::now();
    let mut child: Child = command(data, &["sync"]).stdin(Stdio::null()).spawn().unwrap();
    // Watch it in small steps, so that a sync that ends first says how long it took.
    while child.try_wait().unwrap().is_none() {
        let left = delay.saturating_sub(started.elapsed());
        if left.is_zero() {
            // std's Child::kill is SIGKILL on Unix: no handler, no unwinding, no flush.
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            assert_eq!(
                std::os::unix::process::ExitStatusExt::signal(&output.status),
                Some(9),
                "the sync was not killed by SIGKILL: {:?}",
                output.status
            );
            return Ended::Killed;
        }
        std::thread::sleep(left.min(Duration::from_millis(2)));
    }
    let took = started.elapsed();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the sync failed: {}", String::from_utf8_lossy(&output.stderr));
    Ended::ByItself { said: String::from_utf8_lossy(&output.stdout).trim().to_owned(), took }
}

/// The size of every file under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let metadata = entry.metadata().unwrap();
            if metadata.is_dir() {
                bytes_under(&entry.path())
            } else {
                metadata.len()
            }
        })
        .sum()
}

/// `10 000`: a count as the progress lines show it.
fn grouped(count: usize) -> String {
    let digits = count.to_string();
    let mut text = String::new();
    for (place, digit) in digits.chars().enumerate() {
        if place > 0 && (digits.len() - place).is_multiple_of(3) {
            text.push(' ');
        }
        text.push(digit);
    }
    text
}

/// The Message-ID header of a raw message.
fn message_id(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let header = text.split("\r\n\r\n").next().unwrap_or_default();
    header
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("message-id").then(|| value.trim().to_owned())
        })
        .unwrap_or_else(|| {
            panic!("a cached message without Message-ID: {}", &header[..header.len().min(200)])
        })
}

/// The header section of a raw message, with its closing blank line (what `BODY[HEADER]` holds).
fn header_of(raw: &[u8]) -> &[u8] {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n").map_or(raw.len(), |at| at + 4);
    &raw[..end]
}

/// What the cache holds for the account's INBOX after a kill: checked to be consistent and to
/// agree with the server. Returns the steps done: cached messages plus cached bodies.
///
/// `unsettled` are the UIDs whose `\Seen` the server changed since the last whole sync: killed
/// before its flag step, the cache may still show their old state, and only theirs.
fn check_cache(data: &Path, account: &str, server: &ServerMailbox, unsettled: &HashSet<u32>) -> usize {
    let (cached, whole) = check_cache_counts(data, account, server, unsettled);
    cached + whole
}

/// [`check_cache`], returning the cached messages and, of those, the whole ones.
fn check_cache_counts(
    data: &Path,
    account: &str,
    server: &ServerMailbox,
    unsettled: &HashSet<u32>,
) -> (usize, usize) {
    // 1. The user's next command opens the cache exactly as the kill left it.
    let output = tidings(data, &["list", "--json"], "");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Killed before its first SELECT was recorded, the account has no folder yet, and says so.
    let no_folder_yet = output.status.code() == Some(2) && stderr.contains("has no folder \"INBOX\"");
    assert!(
        (output.status.success() && stderr.is_empty()) || no_folder_yet,
        "`tidings list` after the kill: {:?}: {stderr}",
        output.status
    );
    let listed: Value = if no_folder_yet {
        Value::Array(Vec::new())
    } else {
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let listed = listed.as_array().unwrap();
    let listed_uids: HashSet<u64> = listed.iter().map(|m| m["uid"].as_u64().unwrap()).collect();
    assert_eq!(listed_uids.len(), listed.len(), "the list shows a UID twice");
    let subjects: HashSet<&str> = listed.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects.len(), listed.len(), "the list shows a message twice");

    // 2. Every cached message against the server's.
    let store = Store::open(&data.join("cache")).unwrap_or_else(|e| panic!("reopening the cache: {e}"));
    let Some(state) = store.mailbox(account, MAILBOX).unwrap() else {
        assert_eq!(store.count_messages(account, MAILBOX), 0, "messages cached without a mailbox state");
        assert!(no_folder_yet, "no mailbox state, yet `tidings list` listed INBOX");
        return (0, 0);
    };
    assert!(!no_folder_yet, "`tidings list` does not see INBOX, whose state is cached");
    assert_eq!(state.uid_validity, server.uid_validity, "the cache's UIDVALIDITY is not the server's");
    let uids = store.uids(account, MAILBOX, state.uid_validity).unwrap();
    // Rows under any UIDVALIDITY: nothing may be left under an old one.
    assert_eq!(store.count_messages(account, MAILBOX), uids.len(), "rows outside the current UIDVALIDITY");
    let page = store.page(account, MAILBOX, 0, usize::MAX).unwrap();
    assert_eq!(page.total, uids.len(), "the newest-first index and the messages disagree");
    assert_eq!(listed.len(), uids.len());
    let mut message_ids = HashSet::new();
    let mut unread = 0;
    let mut whole = 0;
    for &uid in &uids {
        assert!(listed_uids.contains(&u64::from(uid)), "UID {uid} is cached but not listed");
        let key = MessageKey {
            account: account.to_owned(),
            mailbox: MAILBOX.to_owned(),
            uid_validity: state.uid_validity,
            uid,
        };
        let (summary, raw) =
            store.message(&key).unwrap().unwrap_or_else(|| panic!("UID {uid} has no message"));
        let (server_raw, server_seen) =
            server.messages.get(&uid).unwrap_or_else(|| panic!("UID {uid} is cached but not on the server"));
        // Header-only until its body comes: then exactly the server's header section.
        let expected =
            if store.body_missing(&key).unwrap() { header_of(server_raw) } else { &server_raw[..] };
        assert!(
            raw == expected,
            "UID {uid}: the cached bytes differ from the server's ({} vs {}, body missing: {})",
            raw.len(),
            expected.len(),
            expected.len() < server_raw.len()
        );
        whole += usize::from(expected.len() == server_raw.len());
        assert!(
            summary.seen == *server_seen || unsettled.contains(&uid),
            "UID {uid}: \\Seen is {}, on the server {server_seen}",
            summary.seen
        );
        assert!(message_ids.insert(message_id(&raw)), "UID {uid}: its Message-ID is cached twice");
        unread += usize::from(!summary.seen);
    }
    assert_eq!(page.unread, unread, "the unread count is not the messages'");
    // Only whole batches: the stored UIDNEXT never runs ahead of what is cached.
    let cached: HashSet<u32> = uids.iter().copied().collect();
    if let Some(&first_missing) = server.messages.keys().find(|uid| !cached.contains(uid)) {
        assert!(
            state.uid_next <= first_missing,
            "UIDNEXT {} was stored past UID {first_missing}, which is not cached",
            state.uid_next
        );
    }
    let missing = store.missing_bodies(account, MAILBOX, state.uid_validity, usize::MAX).unwrap();
    assert_eq!(missing.len(), uids.len() - whole, "the missing-body marks are not the header-only messages");
    (uids.len(), whole)
}

/// After the last sync: the cache is the server's mailbox, exactly, every body included.
fn assert_equal_to_server(data: &Path, account: &str, server: &ServerMailbox) {
    let (cached, whole) = check_cache_counts(data, account, server, &HashSet::new());
    assert_eq!(cached, server.messages.len(), "the cache does not hold every message of the server");
    assert_eq!(whole, cached, "some messages are still header-only after a finished sync");
}

#[test]
fn a_sync_killed_at_random_points_loses_and_duplicates_nothing() {
    if !in_keyring_session() {
        return;
    }
    let started = Instant::now();
    // Below 2^53, so the report's JavaScript reads the seed back exactly; never 0, where
    // xorshift stays.
    let seed_value: u64 = match std::env::var("SYNC_CRASH_SEED") {
        Ok(given) => given.parse().expect("SYNC_CRASH_SEED is a number"),
        Err(_) => {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
            (nanos as u64 & ((1 << 53) - 1)) | 1
        }
    };
    assert!(seed_value != 0 && seed_value < 1 << 53, "SYNC_CRASH_SEED must be in 1..2^53");
    println!("seed {seed_value} (replay with SYNC_CRASH_SEED={seed_value})");
    let mut rng = Rng(seed_value);

    let dovecot = start(true);
    let seeding = Instant::now();
    seed(&dovecot, 0..MESSAGES);
    let server = server_mailbox(&dovecot);
    assert_eq!(server.messages.len(), MESSAGES);
    let read = server.messages.values().filter(|(_, seen)| *seen).count();
    assert_eq!(read, MESSAGES.div_ceil(3), "the server's read messages");
    let bytes: usize = server.messages.values().map(|(raw, _)| raw.len()).sum();
    println!(
        "seeded {MESSAGES} messages ({:.1} MB, {read} read) in {:.1} s",
        bytes as f64 / 1e6,
        seeding.elapsed().as_secs_f64()
    );

    // 1. Timings on a throw-away data dir: a sync of an empty folder (process start, empty cache,
    //    TLS, login, SELECT), one full uninterrupted sync, and an unchanged one (the same with a
    //    full cache to open and check).
    let pid = std::process::id();
    dovecot.seed("alice", "Empty", &[]).unwrap_or_else(|e| panic!("creating Empty: {e}"));
    let throwaway = tempfile::tempdir().unwrap();
    let measure_id = format!("crash-measure-{pid}");
    add_over_tls(throwaway.path(), &dovecot, &measure_id);
    let timing = Timing {
        empty: sync_to_the_end(throwaway.path(), &["--folder", "Empty"]),
        full: sync_to_the_end(throwaway.path(), &[]),
        // The first one after the big write is sometimes much slower: take the quicker of two.
        unchanged: sync_to_the_end(throwaway.path(), &[]).min(sync_to_the_end(throwaway.path(), &[])),
    };
    assert_equal_to_server(throwaway.path(), &measure_id, &server);
    println!(
        "empty folder sync {} ms, full sync {} ms, unchanged sync {} ms; the cache takes {:.0} MB on disk",
        timing.empty.as_millis(),
        timing.full.as_millis(),
        timing.unchanged.as_millis(),
        bytes_under(&throwaway.path().join("cache")) as f64 / 1e6
    );
    assert!(tidings(throwaway.path(), &["account", "remove", &measure_id], "").status.success());
    drop(throwaway);

    // 2. The real data dir: 20 kills. The first few come during start, login and SELECT; the
    //    others aim at random places in the mailbox (sorted, so that the sync gets through it),
    //    each waiting for the restart plus the fetch from what is cached to that place.
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("crash-{pid}");
    add_over_tls(data, &dovecot, &id);
    let kill_points = match std::env::var("SYNC_CRASH_KILLS") {
        Ok(given) => given.parse::<usize>().expect("SYNC_CRASH_KILLS is a number").max(EARLY_KILLS + 1),
        Err(_) => KILL_POINTS,
    };
    let mut targets: Vec<f64> = (0..kill_points - EARLY_KILLS).map(|_| rng.unit()).collect();
    targets.sort_by(f64::total_cmp);
    let mut plan: Vec<Option<f64>> = vec![None; EARLY_KILLS];
    plan.extend(targets.into_iter().map(Some));
    let mut cached = 0;
    let mut kills = 0;
    let mut kills_mid_sync = 0;
    let mut kills_after_a_batch = 0;
    for (number, target) in plan.into_iter().enumerate() {
        let delay = match target {
            None => timing.empty.mul_f64(rng.unit()),
            // Never later than 80 % of the estimated rest: on a loaded machine the measured rate
            // is rough, and a kill after the end hits a finished sync, which proves nothing.
            Some(place) => timing
                .delay_to(cached, (place * STEPS as f64) as usize)
                .min(timing.delay_to(cached, STEPS).mul_f64(0.8)),
        };
        let ended = sync_killed_after(data, delay);
        let now = check_cache(data, &id, &server, &HashSet::new());
        assert!(now >= cached, "kill point {}: {now} steps cached, fewer than {cached} before", number + 1);
        let what = match ended {
            Ended::Killed => {
                kills += 1;
                kills_mid_sync += usize::from(now < STEPS);
                kills_after_a_batch += usize::from(now > cached);
                format!("(+{})", now - cached)
            }
            Ended::ByItself { said, took } => {
                format!("(the sync had finished after {} ms: {said})", took.as_millis())
            }
        };
        cached = now;
        println!(
            "kill point {} at {} ms: {} steps (headers + bodies) cached {what}, consistent",
            number + 1,
            delay.as_millis(),
            grouped(now)
        );
    }
    // The kills must have hit a sync with mail still to fetch, and some after it had written
    // batches, or this test proved nothing.
    assert!(
        kills_mid_sync >= kill_points / 2 && kills_after_a_batch >= 3,
        "of {kills} kills, {kills_mid_sync} came before the sync was done and {kills_after_a_batch} after a batch"
    );

    // 3. Let it finish: the cache is the server's mailbox.
    let last = sync_to_the_end(data, &[]);
    assert_equal_to_server(data, &id, &server);
    println!(
        "final sync {} ms: {} cached, equal to the server; the cache takes {:.0} MB on disk",
        last.as_millis(),
        grouped(MESSAGES),
        bytes_under(&data.join("cache")) as f64 / 1e6
    );

    // 4. New mail and flag changes by another client, and a kill while the incremental sync
    //    fetches the mail: the delay grows while the kills come before anything new is cached
    //    (those are kill points too) and shrinks, with more new mail, when the sync was already
    //    done.
    // Counted in steps too: each new message is a header and a body.
    let mut total = MESSAGES;
    let mut delay = timing.delay_to(STEPS, STEPS + 2 * MORE * 7 / 10);
    let step = timing.per_step().mul_f64(2.0 * MORE as f64 / 5.0).max(Duration::from_millis(2));
    let mut inside = false;
    let mut server = server;
    for round in 1..=4 {
        // Read ones become unread and the other way round, on old mail of this round's own.
        let (first, last) = (1 + (round - 1) * 300, round * 300);
        let old_seen: BTreeMap<u32, bool> =
            server.messages.iter().map(|(uid, (_, seen))| (*uid, *seen)).collect();
        let read_again = format!("{first}:{}", first + 149);
        let unread_again = format!("{}:{last}", first + 150);
        for (change, uids) in [("remove", &read_again), ("add", &unread_again)] {
            let args = ["flags", change, "-u", "alice", "\\Seen", "mailbox", MAILBOX, "uid", uids.as_str()];
            dovecot.doveadm(&args).unwrap_or_else(|e| panic!("doveadm flags {change}: {e}"));
        }
        seed(&dovecot, total..total + MORE);
        let before = 2 * total;
        total += MORE;
        server = server_mailbox(&dovecot);
        assert_eq!(server.messages.len(), total);
        let all_steps = 2 * total;
        let unsettled: HashSet<u32> = old_seen
            .iter()
            .filter(|(uid, seen)| server.messages[*uid].1 != **seen)
            .map(|(uid, _)| *uid)
            .collect();
        // A third of the mail was read: 50 of the first 150 turn unread, 100 of the next read.
        assert!(unsettled.len() >= 100, "only {} flags changed on the server", unsettled.len());
        loop {
            let ended = sync_killed_after(data, delay);
            let now = check_cache(data, &id, &server, &unsettled);
            assert!(
                now >= before,
                "incremental kill at {} ms: {now} steps cached, fewer than {before}",
                delay.as_millis()
            );
            if let Ended::ByItself { took, .. } = ended {
                println!(
                    "incremental sync {round} at {} ms: it had finished after {} ms; {now} steps cached, consistent",
                    delay.as_millis(),
                    took.as_millis()
                );
                // Aim at the middle of that sync's fetch next time.
                delay = took.saturating_sub(timing.per_step() * MORE as u32);
                break;
            }
            kills += 1;
            inside = now > before && now < all_steps;
            let place = match now {
                _ if inside => "inside the fetch",
                _ if now == before => "nothing new cached yet",
                _ => "everything cached already",
            };
            println!(
                "kill point {kills} (incremental {round}) at {} ms: {} steps cached, {place}, consistent",
                delay.as_millis(),
                grouped(now)
            );
            if now == before {
                delay += step;
                continue;
            }
            if !inside {
                delay = delay.mul_f64(0.8);
            }
            break;
        }
        sync_to_the_end(data, &[]);
        assert_equal_to_server(data, &id, &server);
        println!("incremental sync {round} finished: {} cached, equal to the server", grouped(total));
        if inside {
            break;
        }
    }
    assert!(inside, "no kill landed inside the incremental sync's fetch");
    assert!(tidings(data, &["account", "remove", &id], "").status.success());

    // 5. Everything held: the report.
    let seconds = started.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "kill_points": kills,
        "survived": kills,
        "messages": MESSAGES,
        "seed": seed_value,
        "seconds": (seconds * 10.0).round() / 10.0,
    });
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("security-report");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sync-kill.json"), format!("{report}\n")).unwrap();
    println!("{report}");
}
