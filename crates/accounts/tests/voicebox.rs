//! A visual-voicemail account's box against a real Dovecot on loopback (quota plugin on, a
//! `greetings` folder): the account is made from a STATUS SMS, so Dovecot is spoken to as an
//! OMTP box. Greetings are uploaded (refused first when longer than the SMS's `g_len`), listed,
//! switched and deleted; the quota is read; a PIN outside the SMS's `pw_len` is refused before
//! anything is sent, and Dovecot's answer to the OMTP PIN command is an error, not a success.

use tidings_accounts::voicebox::{self, NewGreeting};
use tidings_accounts::{account_from_status_sms, add, AccountsError};
use tidings_imap::ConnectOptions;
use tidings_keychain::MemoryStore;
use tidings_store::Store;
use tidings_testkit::{Dovecot, DovecotOptions};
use tidings_voicemail::audio::{to_wav, Pcm};
use tidings_voicemail::greeting::GreetingKind;

const USER: &str = "15551234567";
const PASSWORD: &str = "box-password";

/// A tone of `seconds` at 8 kHz as WAV, the way a recorded greeting arrives from the dialog.
fn recording(seconds: f64) -> Vec<u8> {
    let samples = (0..(8000.0 * seconds) as usize)
        .map(|n| ((n as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0) as i16)
        .collect();
    to_wav(&Pcm { samples, sample_rate: 8000, channels: 1 }).unwrap()
}

async fn voicemail_box(store: &Store, secrets: &MemoryStore) -> (Dovecot, String) {
    let options = DovecotOptions {
        tls: true,
        users: vec![(USER.into(), PASSWORD.into())],
        quota_rule: Some("*:storage=10M".into()),
        ..Default::default()
    };
    let dovecot =
        Dovecot::start(options).unwrap_or_else(|error| panic!("the test Dovecot did not start: {error}"));
    dovecot.doveadm(&["mailbox", "create", "-u", USER, "greetings"]).unwrap();
    let sms = format!(
        "//VVM:STATUS:st=R;rc=0;srv={};ipt={};u={USER};pw={PASSWORD};lang=1|2;g_len=3;vs_len=2;pw_len=4-6",
        dovecot.host(),
        dovecot.imap_port()
    );
    let mut new = account_from_status_sms(&sms).unwrap().new;
    new.accept_certificate =
        Some(dovecot.cert_sha256().unwrap().iter().map(|b| format!("{b:02x}")).collect());
    let id = add(store, secrets, new, &ConnectOptions::default()).await.expect("the box is added").account.id;
    (dovecot, id)
}

#[tokio::test(flavor = "current_thread")]
async fn greetings_are_uploaded_switched_and_deleted_and_the_quota_is_read() {
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let (dovecot, id) = voicemail_box(&store, &secrets).await;
    let options = ConnectOptions::default();

    let empty = voicebox::status(&store, &secrets, &id, &options).await.unwrap();
    assert_eq!(empty.dialect.name(), "omtp-vvm13");
    assert_eq!(empty.greetings_mailbox.as_deref(), Some("greetings"));
    assert!(empty.greetings.is_empty());
    let storage =
        empty.quota.iter().find_map(|root| root.usage(&tidings_imap::voicebox::QuotaResource::StorageKib));
    assert_eq!(storage.map(|usage| usage.limit), Some(10 * 1024), "{:?}", empty.quota);

    // Four seconds is over the SMS's g_len=3: refused with the reason, nothing uploaded.
    let long = recording(4.0);
    let refused = voicebox::upload_greeting(
        &store,
        &secrets,
        &id,
        NewGreeting { kind: GreetingKind::Normal, audio: &long, activate: true },
        &options,
    )
    .await;
    match refused {
        Err(AccountsError::InvalidInput(message)) => assert!(message.contains("at most 3 s"), "{message}"),
        other => panic!("a 4 s greeting was not refused: {other:?}"),
    }

    let first_audio = recording(2.0);
    let second_audio = recording(2.5);
    for audio in [&first_audio, &second_audio] {
        let new = NewGreeting { kind: GreetingKind::Normal, audio, activate: true };
        voicebox::upload_greeting(&store, &secrets, &id, new, &options).await.unwrap();
    }
    let listed = voicebox::status(&store, &secrets, &id, &options).await.unwrap();
    let summary: Vec<(GreetingKind, bool, Option<u32>)> = listed
        .greetings
        .iter()
        .map(|g| (g.greeting.kind.clone(), g.greeting.active, g.greeting.declared_duration))
        .collect();
    // The later upload is the active one; the first was switched off (one per kind).
    assert_eq!(
        summary,
        [(GreetingKind::Normal, false, Some(2)), (GreetingKind::Normal, true, Some(3))],
        "durations are whole seconds, rounded up"
    );
    let (first, second) = (listed.greetings[0].uid, listed.greetings[1].uid);
    let flags = dovecot.doveadm(&["fetch", "-u", USER, "uid flags", "mailbox", "greetings"]).unwrap();
    assert_eq!(flags.matches("$CNS-Greeting-On").count(), 1, "{flags}");

    voicebox::activate_greeting(&store, &secrets, &id, first, &options).await.unwrap();
    let switched = voicebox::status(&store, &secrets, &id, &options).await.unwrap();
    let active: Vec<u32> = switched.greetings.iter().filter(|g| g.greeting.active).map(|g| g.uid).collect();
    assert_eq!(active, [first]);

    voicebox::delete_greeting(&store, &secrets, &id, second, &options).await.unwrap();
    let left = voicebox::status(&store, &secrets, &id, &options).await.unwrap();
    assert_eq!(left.greetings.iter().map(|g| g.uid).collect::<Vec<_>>(), [first]);
    let used =
        left.quota.iter().find_map(|root| root.usage(&tidings_imap::voicebox::QuotaResource::StorageKib));
    assert!(
        used.is_some_and(|usage| usage.used > 0),
        "the greeting counts against the quota: {:?}",
        left.quota
    );
}

#[tokio::test(flavor = "current_thread")]
async fn pin_and_language_are_checked_against_the_sms_before_sending() {
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let (_dovecot, id) = voicemail_box(&store, &secrets).await;
    let options = ConnectOptions::default();

    let short = voicebox::change_pin(&store, &secrets, &id, "1234", "12", &options).await;
    assert!(
        matches!(&short, Err(AccountsError::InvalidInput(m)) if m.contains("4 to 6 digits")),
        "{short:?}"
    );
    let language = voicebox::change_language(&store, &secrets, &id, "7", &options).await;
    assert!(matches!(&language, Err(AccountsError::InvalidInput(m)) if m.contains("1, 2")), "{language:?}");

    // Dovecot is no OMTP server: its answer to XCHANGE_TUI_PWD must be an error, never a success.
    let sent = voicebox::change_pin(&store, &secrets, &id, "1234", "5678", &options).await;
    assert!(sent.is_err(), "Dovecot does not know XCHANGE_TUI_PWD, yet the PIN change succeeded");
}
