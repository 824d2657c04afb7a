//! A visual-voicemail account set up from a pasted STATUS SMS, against a real Dovecot on loopback
//! (STARTTLS on the SMS's `ipt` port, its self-signed certificate pinned as the user would after
//! the prompt): the box is kept with the account, the dialect the SMS declares wins over the plain
//! server, and a wrong `pw` in the SMS saves nothing.

use tidings_accounts::{account_from_status_sms, add, AccountsError};
use tidings_imap::ConnectOptions;
use tidings_keychain::{MemoryStore, SecretStore};
use tidings_store::Store;
use tidings_testkit::{Dovecot, DovecotOptions};

const PASSWORD: &str = "box-password";

fn server() -> Dovecot {
    let options = DovecotOptions {
        tls: true,
        users: vec![("15551234567".into(), PASSWORD.into())],
        ..Default::default()
    };
    Dovecot::start(options).unwrap_or_else(|error| panic!("the test Dovecot did not start: {error}"))
}

fn status_sms(dovecot: &Dovecot, password: &str) -> String {
    format!(
        "//VVM:STATUS:st=R;rc=0;srv=1:{};tui=+15550100;dn=+15550199;ipt={};u=15551234567;pw={password};\
         lang=eng|fra;g_len=45;vs_len=8;pw_len=4-6;pm=Y;gm=Y",
        dovecot.host(),
        dovecot.imap_port()
    )
}

fn fingerprint(dovecot: &Dovecot) -> String {
    dovecot.cert_sha256().unwrap().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn an_account_from_the_sms_is_a_voicemail_box_with_its_limits() {
    let dovecot = server();
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let mut new = account_from_status_sms(&status_sms(&dovecot, PASSWORD)).unwrap().new;
    new.accept_certificate = Some(fingerprint(&dovecot));

    let added = add(&store, &secrets, new, &ConnectOptions::default()).await.expect("the box is added");

    assert_eq!(added.account.email, format!("15551234567@{}", dovecot.host()));
    assert_eq!(added.dialect.dialect.name(), "omtp-vvm13", "{:?}", added.dialect.evidence);
    assert!(
        added
            .dialect
            .evidence
            .iter()
            .any(|line| line.contains("STATUS SMS (//VVM:)") && line.contains("imap4rev1")),
        "{:?}",
        added.dialect.evidence
    );
    let stored = store.account(&added.account.id).unwrap().expect("the account is stored");
    let vvm = stored.voicemail.expect("the box's limits are kept");
    assert_eq!(vvm.languages, ["eng", "fra"]);
    assert_eq!(vvm.max_greeting_seconds, Some(45));
    assert_eq!(vvm.tui_password_length, Some((4, 6)));
    assert_eq!(store.dialect(&added.account.id).unwrap().unwrap().name, "omtp-vvm13");
    assert_eq!(secrets.get(&added.account.id).unwrap().as_deref(), Some(PASSWORD));
}

#[tokio::test(flavor = "current_thread")]
async fn a_wrong_password_in_the_sms_saves_nothing() {
    let dovecot = server();
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let mut new = account_from_status_sms(&status_sms(&dovecot, "stale")).unwrap().new;
    new.accept_certificate = Some(fingerprint(&dovecot));

    let result = add(&store, &secrets, new, &ConnectOptions::default()).await;

    assert!(matches!(result, Err(AccountsError::WrongPassword { .. })), "{:?}", result.err());
    assert!(store.accounts().unwrap().is_empty());
}
