//! `tidings account`, `sync` and `probe` as a user runs them, against a real Dovecot on loopback
//! (tidings-testkit; needs `/usr/sbin/dovecot` and root) and, for everything that stores a
//! password, a real Secret Service.
//!
//! Tests that reach the keyring run only under `tests/support/keyring-session.sh` (which sets
//! `TIDINGS_KEYRING_SESSION=1` and starts a throw-away gnome-keyring on a private D-Bus); elsewhere
//! they print a skip line and return, so the user's own keyring is never touched. Every failure
//! test stops before the keyring, so those run everywhere.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use support::alice::{
    add_over_tls, command, fingerprint, in_keyring_session, seed, server_seen, start, tidings, PASSWORD,
    SERVICE,
};
use support::{assert_fails, json_of};
use tidings_keychain::Keychain;

#[test]
fn mark_queues_read_and_unread_and_pushes_them_with_a_sync() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = start(true);
    seed(&dovecot, 1..6);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("alice-mark-{}", std::process::id());
    add_over_tls(data, &dovecot, &id);
    json_of(&tidings(data, &["sync", "--json"], ""));
    let read = |seen: &std::collections::BTreeMap<u32, bool>| {
        seen.iter().filter(|(_, seen)| **seen).map(|(uid, _)| *uid).collect::<Vec<_>>()
    };
    let local = |data: &Path| {
        let listed = json_of(&tidings(data, &["list", "--json"], ""));
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["uid"].as_u64().unwrap() as u32, m["seen"].as_bool().unwrap()))
            .collect::<std::collections::BTreeMap<u32, bool>>()
    };

    let marked = json_of(&tidings(data, &["mark", "--read", "--account", &id, "2", "3", "5", "--json"], ""));
    assert_eq!(
        (marked["marked"].clone(), marked["pushed"].clone()),
        (serde_json::json!([2, 3, 5]), 3.into())
    );
    assert_eq!(read(&server_seen(&dovecot)), [2, 3, 5], "the server has the user's marks");

    let text =
        String::from_utf8(tidings(data, &["mark", "--unread", "--folder", "INBOX", "3"], "").stdout).unwrap();
    assert_eq!(text.trim(), "1 marked unread; 1 changes pushed to the server.");
    assert_eq!(read(&server_seen(&dovecot)), [2, 5]);

    // Offline, the change waits in the cache for the next sync.
    json_of(&tidings(data, &["mark", "--read", "--offline", "--json", "1"], ""));
    assert_eq!(read(&server_seen(&dovecot)), [2, 5], "nothing was sent");
    assert_eq!(read(&local(data)), [1, 2, 5]);
    let synced = json_of(&tidings(data, &["sync", "--json"], ""));
    assert_eq!(synced["folders"][0]["flags_pushed"], 1, "{synced}");
    assert_eq!(server_seen(&dovecot), local(data));

    assert_fails(&tidings(data, &["mark", "--read", "99"], ""), 2, "no message with UID 99");
    // clap's usage errors (several lines) keep exit code 2.
    assert_eq!(tidings(data, &["mark", "--read", "--unread", "1"], "").status.code(), Some(2));
}

fn account_ids(data: &Path) -> Vec<String> {
    let listed = json_of(&tidings(data, &["account", "list", "--json"], ""));
    listed.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path).unwrap().windows(needle.len()).any(|window| window == needle) {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn probe_shows_the_dialect_with_its_evidence_and_our_id_without_logging_in() {
    let dovecot = start(true);
    let data = tempfile::tempdir().unwrap();
    let plain = format!("127.0.0.1:{}", dovecot.imap_port());
    let probed = json_of(&tidings(
        data.path(),
        &["probe", "--server", &plain, "--security", "plain", "--allow-plaintext", "--json"],
        "",
    ));
    assert_eq!(probed["dialect"], "imap4rev1");
    assert_eq!(probed["logged_in"], false);
    assert_eq!(probed["secure"], false);
    assert_eq!(probed["server_id"]["name"], "Dovecot");
    let evidence: Vec<&str> =
        probed["evidence"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(evidence.iter().any(|e| e.contains("name=Dovecot")), "{evidence:?}");
    assert!(probed["capabilities"].as_array().unwrap().iter().any(|c| c == "STARTTLS"));
    assert_eq!(probed["client_id"]["name"], "Tidings");
    assert!(probed["client_id"]["x-dialects"].as_str().unwrap().contains("imap4rev1"));
    // The ID fields come in the order they are sent.
    let text = String::from_utf8_lossy(
        &tidings(
            data.path(),
            &["probe", "--server", &plain, "--security", "plain", "--allow-plaintext", "--json"],
            "",
        )
        .stdout,
    )
    .into_owned();
    assert!(text.find("\"name\":\"Tidings\"") < text.find("\"x-images\""), "{text}");

    let tls = format!("127.0.0.1:{}", dovecot.imaps_port().unwrap());
    let output = tidings(
        data.path(),
        &["probe", "--server", &tls, "--accept-certificate", &fingerprint(&dovecot)],
        "",
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("(TLS)") && text.contains("Dialect:     imap4rev1"), "{text}");
    assert!(text.contains("x-language"), "{text}");

    // Pinned or not, the certificate's fingerprint is shown with what to rerun.
    let untrusted = tidings(data.path(), &["probe", "--server", &tls], "");
    assert_fails(&untrusted, 1, &format!("--accept-certificate {}", fingerprint(&dovecot)));
    assert!(!dovecot.log_text().contains("Login: user="), "a probe without --user must not log in");

    // With --user it logs in and reports what the server says after login.
    let logged_in = json_of(&tidings(
        data.path(),
        &[
            "probe",
            "--server",
            &tls,
            "--accept-certificate",
            &fingerprint(&dovecot),
            "--user",
            "alice",
            "--json",
        ],
        &format!("{PASSWORD}\n"),
    ));
    assert_eq!(logged_in["logged_in"], true);
    assert!(logged_in["extensions"].as_array().unwrap().iter().any(|e| e == "QRESYNC"), "{logged_in}");
}

#[test]
fn account_add_refuses_what_cannot_log_in_and_saves_nothing() {
    let dovecot = start(true);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let tls = format!("127.0.0.1:{}", dovecot.imaps_port().unwrap());
    let plain = format!("127.0.0.1:{}", dovecot.imap_port());
    let pin = fingerprint(&dovecot);
    let add = |extra: &[&str], stdin: &str| {
        let mut args = vec!["account", "add", "--email", "alice@example.org", "--user", "alice"];
        args.extend_from_slice(extra);
        tidings(data, &args, stdin)
    };
    let right = format!("{PASSWORD}\n");

    assert_fails(
        &add(&["--server", &tls, "--accept-certificate", &pin], "not the password\n"),
        1,
        "wrong password",
    );
    assert_fails(
        &add(&["--server", &tls], &right),
        1,
        &format!("certificate not trusted (SHA-256 fingerprint {pin})"),
    );
    assert_fails(&add(&["--server", &tls], &right), 1, &format!("rerun with --accept-certificate {pin}"));
    let mut wrong_pin = pin.clone();
    wrong_pin.replace_range(0..2, if pin.starts_with("00") { "11" } else { "00" });
    assert_fails(&add(&["--server", &tls, "--accept-certificate", &wrong_pin], &right), 1, &pin);
    assert_fails(
        &add(&["--server", &plain, "--security", "plain"], &right),
        1,
        "plaintext IMAP to 127.0.0.1 is not allowed",
    );
    // A port nobody listens on: bind one, note it, let it go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert_fails(&add(&["--server", &format!("127.0.0.1:{closed}")], &right), 1, "cannot reach 127.0.0.1");

    assert_fails(&add(&["--server", "127.0.0.1:http"], &right), 2, "not a port number");
    assert_fails(
        &add(&["--server", &tls, "--accept-certificate", "AB:CD"], &right),
        2,
        "not a SHA-256 fingerprint",
    );
    assert_fails(&add(&["--server", &tls], ""), 2, "no password");
    assert_fails(
        &tidings(data, &["account", "add", "--email", "nobody", "--server", &tls], &right),
        2,
        "not an e-mail address",
    );

    assert_eq!(account_ids(data), ["demo"], "nothing was saved");
    assert!(files_containing(data, PASSWORD.as_bytes()).is_empty());
}

#[test]
fn sync_needs_an_account_with_a_server() {
    let data = tempfile::tempdir().unwrap();
    assert_fails(&tidings(data.path(), &["sync"], ""), 2, "no account to sync");
    assert_fails(&tidings(data.path(), &["sync", "--account", "demo"], ""), 2, "demo mailbox");
    assert_fails(&tidings(data.path(), &["sync", "--account", "nobody"], ""), 2, "no account \"nobody\"");
    assert_fails(
        &tidings(data.path(), &["sync", "--watch", "--folder", "A", "--folder", "B"], ""),
        2,
        "one folder",
    );
}

#[test]
fn an_account_is_added_over_tls_synced_listed_shown_and_removed() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = start(true);
    seed(&dovecot, 1..4);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("alice-tls-{}", std::process::id());
    let tls = format!("127.0.0.1:{}", dovecot.imaps_port().unwrap());
    let pin = fingerprint(&dovecot);
    let added = add_over_tls(data, &dovecot, &id);
    assert_eq!(added["id"], id.as_str());
    assert_eq!(added["verified"], true);
    assert_eq!(added["dialect"], "imap4rev1");
    let keychain = Keychain::new(SERVICE);
    assert_eq!(keychain.get(&id).unwrap().as_deref(), Some(PASSWORD), "the password is in the keyring");
    assert_fails(
        &tidings(
            data,
            &["account", "add", "--email", "alice@example.org", "--server", &tls, "--id", &id],
            "x\n",
        ),
        2,
        "already an account",
    );

    let synced = json_of(&tidings(data, &["sync", "--json"], ""));
    assert_eq!(synced["account"], id.as_str());
    let inbox = &synced["folders"][0];
    assert_eq!(inbox["folder"], "INBOX");
    assert_eq!((inbox["new"].as_u64(), inbox["messages"].as_u64()), (Some(3), Some(3)), "{synced}");
    assert_eq!((inbox["changed"].as_u64(), inbox["expunged"].as_u64()), (Some(0), Some(0)));
    assert!(inbox["uid_validity"].as_u64().unwrap() > 0);
    assert_eq!(inbox["dialect"], "imap4rev1");
    let again = json_of(&tidings(data, &["sync", "--account", &id, "--json"], ""));
    assert_eq!(again["folders"][0]["new"], 0, "{again}");
    assert_fails(&tidings(data, &["sync", "--folder", "Nope"], ""), 2, "does not exist");

    let accounts = json_of(&tidings(data, &["account", "list", "--json"], ""));
    let ours = accounts.as_array().unwrap().iter().find(|a| a["id"] == id.as_str()).expect("listed");
    assert_eq!(ours["email"], "alice@example.org");
    assert_eq!(ours["server"], tls.as_str());
    assert_eq!(ours["security"], "tls");
    assert_eq!(ours["username"], "alice");
    assert_eq!(ours["is_demo"], false);
    assert_eq!(ours["certificate_sha256"], pin.as_str());
    let text = String::from_utf8(tidings(data, &["account", "list"], "").stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with(&id) && l.contains(&tls) && l.contains("tls")), "{text}");

    let listed = json_of(&tidings(data, &["list", "--json"], ""));
    let mut subjects: Vec<&str> =
        listed.as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap()).collect();
    subjects.sort_unstable();
    assert_eq!(subjects, ["Message 1", "Message 2", "Message 3"]);
    let shown = json_of(&tidings(data, &["show", "--account", &id, "--uid", "2", "--json"], ""));
    assert_eq!(shown["subject"], "Message 2");
    assert!(shown["text"].as_str().unwrap().contains("Body 2."));

    // The demo can go too, and stays gone while there is a real account.
    assert!(tidings(data, &["account", "remove", "demo"], "").status.success());
    assert_eq!(account_ids(data), [id.as_str()]);

    let removed = tidings(data, &["account", "remove", &id], "");
    assert!(removed.status.success(), "{}", String::from_utf8_lossy(&removed.stderr));
    assert!(String::from_utf8_lossy(&removed.stdout).contains("3 cached messages"));
    assert_eq!(keychain.get(&id).unwrap(), None, "the keyring entry is gone");
    assert_fails(&tidings(data, &["account", "remove", &id], ""), 2, "no account");
    let store = tidings_store::Store::open(&data.join("cache")).unwrap();
    assert_eq!(store.count_messages(&id, "INBOX"), 0, "the cached mail is gone");
    assert!(store.mailboxes(&id).unwrap().is_empty());
    assert!(store.account(&id).unwrap().is_none());
}

#[test]
fn the_password_is_in_the_keyring_and_in_no_file_of_the_data_directory() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = start(true);
    seed(&dovecot, 1..3);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("alice-starttls-{}", std::process::id());
    let starttls = format!("127.0.0.1:{}", dovecot.imap_port());
    let mut add = command(
        data,
        &[
            "account",
            "add",
            "--email",
            "alice@example.org",
            "--server",
            &starttls,
            "--security",
            "starttls",
            "--user",
            "alice",
            "--accept-certificate",
            &fingerprint(&dovecot),
            "--id",
            &id,
        ],
    );
    // This time from the environment rather than standard input.
    let output = add.env("TIDINGS_PASSWORD", PASSWORD).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!String::from_utf8_lossy(&output.stdout).contains(PASSWORD));
    assert!(String::from_utf8_lossy(&output.stdout).contains("logged in (imap4rev1)"));
    let synced = json_of(&tidings(data, &["sync", "--account", &id, "--json"], ""));
    assert_eq!(synced["folders"][0]["new"], 2);

    assert!(data.join("cache").is_dir());
    let leaks = files_containing(data, PASSWORD.as_bytes());
    assert!(leaks.is_empty(), "the password is in {leaks:?}");
    assert_eq!(Keychain::new(SERVICE).get(&id).unwrap().as_deref(), Some(PASSWORD));
    assert!(tidings(data, &["account", "remove", &id], "").status.success());
}

/// Reads the child's stdout lines on a thread, so a test can wait for a line with a timeout.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

fn next_json(lines: &mpsc::Receiver<String>) -> Value {
    let line = lines.recv_timeout(Duration::from_secs(20)).expect("a line from sync --watch within 20 s");
    assert!(!line.contains(PASSWORD));
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?} is not JSON: {e}"))
}

#[test]
fn sync_watch_prints_new_mail_syncs_it_and_stops_on_ctrl_c() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = start(false);
    seed(&dovecot, 1..2);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("alice-watch-{}", std::process::id());
    let plain = format!("127.0.0.1:{}", dovecot.imap_port());
    let added = tidings(
        data,
        &[
            "account",
            "add",
            "--email",
            "alice@example.org",
            "--server",
            &plain,
            "--security",
            "plain",
            "--allow-plaintext",
            "--user",
            "alice",
            "--id",
            &id,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));

    let mut watching = command(data, &["sync", "--watch"]).spawn().unwrap();
    let lines = lines_of(&mut watching);
    let first = next_json(&lines);
    assert_eq!((first["kind"].as_str(), first["new"].as_u64()), (Some("synced"), Some(1)), "{first}");
    assert_eq!(first["account"], id.as_str());

    seed(&dovecot, 2..4);
    let event = next_json(&lines);
    assert_eq!(event["kind"], "new-mail", "{event}");
    assert_eq!(event["folder"], "INBOX");
    // Dovecot may report the two deliveries as one EXISTS or as two; sync until both are cached.
    let mut cached = 0;
    while cached < 3 {
        let line = next_json(&lines);
        if line["kind"] == "synced" {
            cached = line["messages"].as_u64().unwrap();
        }
    }

    let interrupted = Command::new("kill").args(["-INT", &watching.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let status = watching.wait().unwrap();
    assert_eq!(status.code(), Some(0), "Ctrl-C ends the watch cleanly");
    assert!(tidings(data, &["account", "remove", &id], "").status.success());
}

/// Forwards 127.0.0.1:993 to `target` until dropped, so autoconfig's last guess for an address at
/// `127.0.0.1` (`127.0.0.1:993`, TLS) reaches the test Dovecot. `None` when 993 cannot be bound
/// (not root, or taken).
struct Port993 {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Port993 {
    fn forward_to(target: u16) -> Option<Port993> {
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:993").ok()?;
        listener.set_nonblocking(true).ok()?;
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else { continue };
                let _ = client.set_nonblocking(false);
                for (mut from, mut to) in
                    [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        Some(Port993 { stop })
    }
}

impl Drop for Port993 {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn without_server_the_autoconfig_suggestions_are_tried_in_order() {
    let dovecot = start(true);
    seed(&dovecot, 1..3);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let pin = fingerprint(&dovecot);
    // For alice@127.0.0.1 autoconfig suggests imap.127.0.0.1 and mail.127.0.0.1 (no such hosts)
    // on 993 and 143, then 127.0.0.1:993 with TLS.
    let add = |extra: &[&str], stdin: &str| {
        let mut args = vec!["account", "add", "--email", "alice@127.0.0.1", "--user", "alice"];
        args.extend_from_slice(extra);
        tidings(data, &args, stdin)
    };
    let right = format!("{PASSWORD}\n");
    let dotless = tidings(data, &["account", "add", "--email", "alice@localhost"], &right);
    assert_fails(&dotless, 2, "the domain has no dot");
    let Some(forwarder) = Port993::forward_to(dovecot.imaps_port().unwrap()) else {
        println!("skipped: cannot listen on 127.0.0.1:993 (needs root and a free port)");
        return;
    };
    assert_fails(
        &add(&[], &right),
        1,
        &format!("rerun with --server 127.0.0.1:993 --accept-certificate {pin}"),
    );
    let no_server = add(&["--security", "starttls"], &right);
    assert_fails(
        &no_server,
        1,
        "no IMAP server found for alice@127.0.0.1 (tried imap.127.0.0.1:143 (starttls)",
    );
    assert_eq!(account_ids(data), ["demo"], "nothing was saved");

    if in_keyring_session() {
        let id = format!("alice-autoconfig-{}", std::process::id());
        let added = json_of(&add(&["--accept-certificate", &pin, "--id", &id, "--json"], &right));
        assert_eq!(added["server"], "127.0.0.1:993");
        assert_eq!(added["security"], "tls");
        assert_eq!(added["username"], "alice");
        assert_eq!(added["verified"], true);
        assert_eq!(added["autoconfig"]["kind"], "guess");
        let synced = json_of(&tidings(data, &["sync", "--account", &id, "--json"], ""));
        assert_eq!(synced["folders"][0]["new"], 2);
        assert!(tidings(data, &["account", "remove", &id], "").status.success());
    }

    // Last: after a failed login Dovecot delays every later login from the same address.
    assert_fails(
        &add(&["--accept-certificate", &pin], "not the password\n"),
        1,
        "rejected the login for this account (127.0.0.1:993, user alice)",
    );
    drop(forwarder);
}

#[test]
fn sync_on_a_terminal_draws_a_progress_bar_and_clears_it() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = start(true);
    seed(&dovecot, 1..4);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("alice-terminal-{}", std::process::id());
    assert_eq!(add_over_tls(data, &dovecot, &id)["verified"], true);
    // `script` gives the command a pseudo-terminal, as a user's shell would.
    let line = format!("{} --data-dir {} sync --account {id}", env!("CARGO_BIN_EXE_tidings"), data.display());
    let output =
        Command::new("script").args(["-qec", &line, "/dev/null"]).env("TERM", "xterm").output().unwrap();
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{screen}");
    assert!(screen.contains("Syncing INBOX ["), "no progress bar: {screen:?}");
    assert!(screen.contains("new messages"), "{screen:?}");
    assert!(
        screen.contains(
            "INBOX: 3 new, 0 changed, 0 expunged, 0 local changes pushed; 3 messages cached (imap4rev1)."
        ),
        "{screen:?}"
    );
}
