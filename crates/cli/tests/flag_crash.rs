//! `tidings mark` killed with SIGKILL at random moments, then `tidings sync`: no read/unread
//! change the cache recorded is lost on the way to the server, none is half-written, and
//! afterwards the cache and the server agree on every message.
//!
//! Plan:
//! 1. Alice's INBOX on a real Dovecot holds [`MESSAGES`] messages, cached by a first sync (the
//!    account is added over TLS with its password in the keyring, so this runs only under
//!    `tests/support/keyring-session.sh`, like the other keyring tests).
//! 2. One uninterrupted `tidings mark --read` of [`MARKED`] UIDs measures how long a run takes.
//! 3. Until there were [`KILL_POINTS`] kills: `tidings mark` (read and unread in turn) of
//!    [`MARKED`] UIDs in a shuffled order, killed after a random delay in [0, that duration)
//!    (a run that ends before its moment is checked the same way but does not count).
//!    Right after the kill, the cache is read directly: every message it shows changed must
//!    have its queue row or already be on the server (never a flag without its row), every row
//!    must match its message, and the changed messages come first in the order asked (one
//!    transaction per message, in order). Then `tidings sync`, after which the server's own
//!    view (`doveadm fetch`) holds what the user asked for on every recorded message, nothing
//!    else moved, and the cache equals the server exactly.
//! 4. Only when every kill point passed: `$CARGO_TARGET_TMPDIR/security-report/flag-kill.json`,
//!    `{"kill_points", "survived", "messages", "seed"}` (messages: the mailbox size checked each
//!    time), one row of `make security-report` (tests/security/report.mjs).
//!
//! The random delays and orders come from a seeded generator; the seed is printed first and in
//! every failure (rerun with `FLAG_CRASH_SEED=<seed>`).

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use support::alice::{add_over_tls, command, in_keyring_session, seed, server_seen, start, tidings};
use support::json_of;
use tidings_store::Store;

/// Messages in the mailbox.
const MESSAGES: usize = 300;
/// UIDs given to each `tidings mark`.
const MARKED: usize = 200;
/// Kills, each followed by a sync and the checks.
const KILL_POINTS: usize = 12;
/// Runs tried at most: one that ends before its kill moment is checked too, but is no kill point.
const MOST_RUNS: usize = 3 * KILL_POINTS;

/// splitmix64: small, seeded and good enough to spread kill moments and shuffle UIDs.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            items.swap(last, self.below(last as u64 + 1) as usize);
        }
    }
}

/// `\Seen` by UID and the queued changes, as the cache has them on disk.
fn cache_state(data: &Path, account: &str) -> (BTreeMap<u32, bool>, BTreeMap<u32, bool>) {
    let store = Store::open(&data.join("cache")).expect("the cache opens after a kill");
    let uid_validity = store.mailbox(account, "INBOX").unwrap().expect("INBOX is cached").uid_validity;
    let seen = store.seen_flags(account, "INBOX", uid_validity).unwrap().into_iter().collect();
    let pending = store.pending_flags(account, "INBOX", uid_validity).unwrap().into_iter().collect();
    (seen, pending)
}

/// The arguments of `tidings mark` for `uids`.
fn mark_args<'a>(account: &'a str, wanted: bool, uids: &'a [String]) -> Vec<&'a str> {
    let mut args = vec!["mark", if wanted { "--read" } else { "--unread" }, "--account", account];
    args.extend(uids.iter().map(String::as_str));
    args
}

#[test]
fn marks_killed_at_any_moment_reach_the_server_after_the_next_sync() {
    if !in_keyring_session() {
        return;
    }
    // Below 2^53, so the report's JavaScript reads the seed back exactly.
    let seed_value =
        std::env::var("FLAG_CRASH_SEED").ok().and_then(|text| text.parse().ok()).unwrap_or_else(|| {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
            nanos as u64 & ((1 << 53) - 1)
        });
    println!("flag-kill seed {seed_value} (rerun with FLAG_CRASH_SEED={seed_value})");
    let mut random = Random(seed_value);

    // 1. The mailbox, cached.
    let dovecot = start(true);
    seed(&dovecot, 1..MESSAGES + 1);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let account = format!("alice-kill-{}", std::process::id());
    add_over_tls(data, &dovecot, &account);
    let synced = json_of(&tidings(data, &["sync", "--json"], ""));
    assert_eq!(synced["folders"][0]["messages"], MESSAGES, "{synced}");
    let all_uids: Vec<u32> = server_seen(&dovecot).into_keys().collect();
    assert_eq!(all_uids.len(), MESSAGES);

    // 2. How long an uninterrupted run takes.
    let measured: Vec<String> = all_uids[..MARKED].iter().map(u32::to_string).collect();
    let started = Instant::now();
    let output = tidings(data, &mark_args(&account, true, &measured), "");
    let normal = started.elapsed();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    println!("an uninterrupted mark of {MARKED} messages takes {} ms", normal.as_millis());

    // 3. The kill points.
    let (mut kills, mut survived) = (0, 0);
    for run in 1..=MOST_RUNS {
        if kills == KILL_POINTS {
            break;
        }
        let context = format!("seed {seed_value}, run {run}");
        let wanted = run % 2 == 0;
        let mut uids = all_uids.clone();
        random.shuffle(&mut uids);
        uids.truncate(MARKED);
        let before_server = server_seen(&dovecot);
        let (before_local, _) = cache_state(data, &account);
        assert_eq!(before_local, before_server, "{context}: cache and server agree before the run");

        let delay = Duration::from_micros(random.below(normal.as_micros() as u64));
        let arguments: Vec<String> = uids.iter().map(u32::to_string).collect();
        let mut child = command(data, &mark_args(&account, wanted, &arguments)).spawn().unwrap();
        std::thread::sleep(delay);
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();

        // Right after the kill: whole changes only, in the order asked.
        let (after_local, pending) = cache_state(data, &account);
        let server_now = server_seen(&dovecot);
        let to_change: Vec<u32> = uids.iter().copied().filter(|uid| before_local[uid] != wanted).collect();
        let recorded: Vec<u32> = to_change.iter().copied().filter(|uid| after_local[uid] == wanted).collect();
        for uid in &recorded {
            assert!(
                pending.get(uid) == Some(&wanted) || server_now[uid] == wanted,
                "{context}: UID {uid} changed in the cache without its queue row and is not on the server"
            );
        }
        for (uid, row) in &pending {
            assert_eq!(after_local[uid], *row, "{context}: UID {uid}'s row disagrees with its message");
        }
        let first_unrecorded = to_change.iter().position(|uid| after_local[uid] != wanted);
        if let Some(first) = first_unrecorded {
            assert!(
                to_change[first..].iter().all(|uid| after_local[uid] != wanted),
                "{context}: a later UID was recorded before an earlier one"
            );
        }
        for uid in all_uids.iter().filter(|uid| !uids.contains(uid)) {
            assert_eq!(after_local[uid], before_local[uid], "{context}: UID {uid} was not asked for");
        }

        // The next sync delivers what was recorded, and nothing else.
        let synced = tidings(data, &["sync", "--json"], "");
        assert!(synced.status.success(), "{context}: {}", String::from_utf8_lossy(&synced.stderr));
        let server_after = server_seen(&dovecot);
        let (local_after, pending_after) = cache_state(data, &account);
        for uid in &all_uids {
            let expected =
                if after_local[uid] == wanted && uids.contains(uid) { wanted } else { before_server[uid] };
            assert_eq!(server_after[uid], expected, "{context}: UID {uid} on the server");
        }
        assert_eq!(local_after, server_after, "{context}: the cache equals the server");
        assert!(pending_after.is_empty(), "{context}: rows left after the sync: {pending_after:?}");
        survived += usize::from(killed);
        let what = if killed {
            format!("kill point {kills:>2}/{KILL_POINTS}")
        } else {
            "no kill (ended first)".into()
        };
        println!(
            "{what}: mark {} of {MARKED} killed at {:>4} ms: {:>3} of {:>3} changes recorded, {:>3} queued; \
             after sync the server has every recorded change and the cache equals it",
            if wanted { "--read" } else { "--unread" },
            delay.as_millis(),
            recorded.len(),
            to_change.len(),
            pending.len(),
        );
    }

    assert_eq!(kills, KILL_POINTS, "seed {seed_value}: too many runs ended before their kill moment");

    // 4. The summary, only now that every assertion passed.
    let report_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("security-report");
    std::fs::create_dir_all(&report_dir).unwrap();
    let summary = serde_json::json!({ "kill_points": kills, "survived": survived, "messages": MESSAGES, "seed": seed_value });
    std::fs::write(report_dir.join("flag-kill.json"), summary.to_string()).unwrap();
}
