//! What the Dovecot-backed account tests share: alice's test server and her account saved in a
//! fresh store, with the password in an in-memory keyring.

use tidings_accounts::save;
use tidings_keychain::MemoryStore;
use tidings_store::{Account, ConnectionSecurity, ServerSettings, Store};
use tidings_testkit::{Dovecot, DovecotOptions};

pub const PASSWORD: &str = "correct horse";
pub const ID: &str = "alice@localhost";

/// A test Dovecot with the one user, alice.
pub fn server() -> Dovecot {
    let options = DovecotOptions { users: vec![("alice".into(), PASSWORD.into())], ..Default::default() };
    Dovecot::start(options).unwrap_or_else(|error| panic!("the test Dovecot did not start: {error}"))
}

/// The account of alice on `dovecot` (plain IMAP on loopback), saved with its password.
pub fn account(dovecot: &Dovecot) -> (Store, MemoryStore) {
    let store = Store::open_temporary().expect("a store");
    let secrets = MemoryStore::default();
    let account = Account {
        id: ID.into(),
        display_name: ID.into(),
        email: ID.into(),
        is_demo: false,
        server: Some(ServerSettings {
            host: dovecot.host().into(),
            port: dovecot.imap_port(),
            security: ConnectionSecurity::Plain,
            username: "alice".into(),
            allow_plaintext: true,
            pinned_sha256: None,
        }),
        voicemail: None,
    };
    save(&store, &secrets, &account, PASSWORD).expect("the account is saved");
    (store, secrets)
}
