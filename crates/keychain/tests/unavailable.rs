//! What the user is told when there is no Secret Service at all.
//!
//! This binary points D-Bus at a socket that does not exist (before any thread starts), so it runs
//! the same everywhere, inside or outside tests/support/keyring-session.sh, and never touches a real keyring.

use tidings_keychain::{Keychain, KeychainError};

#[test]
fn a_missing_session_bus_reports_unavailable() {
    // Only this test lives in this binary, so changing the environment cannot race another test.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tidings-test-bus");
    let keychain = Keychain::new("tidings-test-unavailable");
    match keychain.get("alice@example.org") {
        Err(err @ KeychainError::Unavailable(_)) => {
            assert_eq!(
                err.to_string(),
                "No keyring service is running (Secret Service over D-Bus); start gnome-keyring or KWallet"
            );
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert!(matches!(keychain.set("alice@example.org", "x"), Err(KeychainError::Unavailable(_))));
}
