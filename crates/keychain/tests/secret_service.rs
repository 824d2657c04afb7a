//! The keychain against a real Secret Service (a throw-away gnome-keyring on a private D-Bus).
//!
//! Runs only under `tests/support/keyring-session.sh`, which sets `TIDINGS_KEYRING_SESSION=1`;
//! elsewhere each test prints a skip line and returns, because touching the user's real keyring
//! (or none at all) would make the result depend on the machine. Needs `secret-tool` (libsecret-tools).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use tidings_keychain::{Keychain, SecretStore};

const ACCOUNT: &str = "alice@example.org";

fn in_keyring_session() -> bool {
    let inside = std::env::var("TIDINGS_KEYRING_SESSION").is_ok_and(|v| v == "1");
    if !inside {
        println!("skipped: run under tests/support/keyring-session.sh");
    }
    inside
}

/// A service name no other test (or earlier run) uses.
fn unique_service(test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!("tidings-test-{test}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

fn secret_tool(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new("secret-tool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("secret-tool (libsecret-tools) must be installed");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(stdin.unwrap_or_default().as_bytes()).expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("secret-tool output")
}

#[test]
fn password_round_trips_through_a_new_keychain_instance() {
    if !in_keyring_session() {
        return;
    }
    let service = unique_service("round-trip");
    Keychain::new(&service).set(ACCOUNT, "correct horse battery staple").expect("set");
    // A second instance has no state of its own, so this read must come from the Secret Service.
    let read = Keychain::new(&service).get(ACCOUNT).expect("get");
    assert_eq!(read.as_deref(), Some("correct horse battery staple"));

    Keychain::new(&service).set(ACCOUNT, "replaced").expect("replace");
    assert_eq!(Keychain::new(&service).get(ACCOUNT).expect("get").as_deref(), Some("replaced"));
}

#[test]
fn reads_an_item_written_by_secret_tool() {
    if !in_keyring_session() {
        return;
    }
    let service = unique_service("external");
    let secret = format!("written-by-secret-tool-{}", std::process::id());
    let stored = secret_tool(
        &["store", "--label=tidings external", "service", &service, "username", ACCOUNT],
        Some(&secret),
    );
    assert!(stored.status.success(), "secret-tool store: {}", String::from_utf8_lossy(&stored.stderr));

    let keychain = Keychain::new(&service);
    assert_eq!(keychain.get(ACCOUNT).expect("get").as_deref(), Some(secret.as_str()));
    assert_eq!(keychain.get("nobody@example.org").expect("get other account"), None);
}

#[test]
fn secret_tool_finds_what_we_stored() {
    if !in_keyring_session() {
        return;
    }
    let service = unique_service("lookup");
    Keychain::new(&service).set(ACCOUNT, "seen from outside").expect("set");
    let found = secret_tool(&["lookup", "service", &service, "username", ACCOUNT], None);
    assert!(found.status.success(), "secret-tool lookup: {}", String::from_utf8_lossy(&found.stderr));
    assert_eq!(String::from_utf8_lossy(&found.stdout), "seen from outside");
}

#[test]
fn delete_removes_the_entry_and_is_idempotent() {
    if !in_keyring_session() {
        return;
    }
    let service = unique_service("delete");
    let keychain = Keychain::new(&service);
    keychain.set(ACCOUNT, "short-lived").expect("set");
    keychain.delete(ACCOUNT).expect("delete");
    assert_eq!(Keychain::new(&service).get(ACCOUNT).expect("get after delete"), None);
    keychain.delete(ACCOUNT).expect("deleting again is fine");
    let found = secret_tool(&["lookup", "service", &service, "username", ACCOUNT], None);
    assert!(found.stdout.is_empty(), "secret-tool still finds the deleted item");
}

#[test]
fn works_through_the_secret_store_trait() {
    if !in_keyring_session() {
        return;
    }
    let store: Box<dyn SecretStore> = Box::new(Keychain::new(unique_service("trait")));
    store.set(ACCOUNT, "via trait").expect("set");
    assert_eq!(store.get(ACCOUNT).expect("get").as_deref(), Some("via trait"));
    store.delete(ACCOUNT).expect("delete");
    assert_eq!(store.get(ACCOUNT).expect("get"), None);
}
