//! `follow` against a real Dovecot on loopback: the first sync, new mail seen through IDLE and
//! synced, and a refused password that stops following instead of retrying forever.

use std::time::Duration;

use tidings_accounts::{add, follow, AccountsError, FollowEvent, FollowOptions, ManualServer, NewAccount};
use tidings_imap::ConnectOptions;
use tidings_keychain::{MemoryStore, SecretStore};
use tidings_store::{ConnectionSecurity, Store};
use tidings_testkit::{Dovecot, DovecotOptions};

const PASSWORD: &str = "correct horse";

fn message(n: u32) -> Vec<u8> {
    format!("From: bob@example.org\r\nSubject: Follow {n}\r\nMessage-ID: <follow-{n}@example.org>\r\n\r\nHi {n}\r\n")
        .into_bytes()
}

fn server() -> Dovecot {
    let options =
        DovecotOptions { tls: true, users: vec![("alice".into(), PASSWORD.into())], ..Default::default() };
    Dovecot::start(options).unwrap_or_else(|error| panic!("the test Dovecot did not start: {error}"))
}

async fn added(store: &Store, secrets: &MemoryStore, dovecot: &Dovecot) -> String {
    let fingerprint: String = dovecot.cert_sha256().unwrap().iter().map(|b| format!("{b:02x}")).collect();
    let new = NewAccount {
        email: "alice@localhost".into(),
        password: PASSWORD.into(),
        server: Some(ManualServer {
            host: dovecot.host().into(),
            port: dovecot.imaps_port(),
            security: ConnectionSecurity::Tls,
            username: Some("alice".into()),
        }),
        accept_certificate: Some(fingerprint),
        allow_plaintext: false,
    };
    add(store, secrets, new, &ConnectOptions::default()).await.expect("the account is added").account.id
}

async fn next(received: &mut tokio::sync::mpsc::UnboundedReceiver<FollowEvent>) -> FollowEvent {
    let wait = tokio::time::timeout(Duration::from_secs(60), received.recv());
    wait.await.expect("an event within a minute").expect("follow still running")
}

#[tokio::test(flavor = "current_thread")]
async fn new_mail_arrives_through_idle_and_is_synced() {
    let dovecot = server();
    dovecot.seed("alice", "INBOX", &[&message(1), &message(2)]).unwrap();
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let id = added(&store, &secrets, &dovecot).await;

    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let options = FollowOptions { idle_round: Duration::from_secs(2), ..FollowOptions::default() };
    let connect = ConnectOptions::default();
    let following = follow(&store, &secrets, &id, "INBOX", &connect, &options, |event| {
        let _ = events.send(event);
    });
    let check = async {
        match next(&mut received).await {
            FollowEvent::Synced(report) => assert_eq!(report.new, 2, "{report:?}"),
            other => panic!("expected the first sync, got {other:?}"),
        }
        dovecot.seed("alice", "INBOX", &[&message(3)]).unwrap();
        match next(&mut received).await {
            FollowEvent::Synced(report) => assert_eq!(report.new, 1, "{report:?}"),
            other => panic!("expected a sync after the new mail, got {other:?}"),
        }
    };
    tokio::select! {
        () = following => panic!("follow ended on its own"),
        () = check => {}
    }
    let subjects: Vec<String> = store
        .list_messages(&id, "INBOX")
        .unwrap()
        .into_iter()
        .filter_map(|summary| summary.subject)
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects.contains(&"Follow 3".to_string()), "{subjects:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_refused_password_stops_following_instead_of_retrying() {
    let dovecot = server();
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let id = added(&store, &secrets, &dovecot).await;
    secrets.set(&id, "the password was changed on the server").unwrap();

    let mut events = Vec::new();
    let (connect, options) = (ConnectOptions::default(), FollowOptions::default());
    let run = follow(&store, &secrets, &id, "INBOX", &connect, &options, |event| events.push(event));
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("follow stops by itself");
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(matches!(&events[0], FollowEvent::Stopped(AccountsError::WrongPassword { .. })), "{events:?}");
}
