//! `follow` against a real Dovecot on loopback: the first sync, new mail seen through IDLE and
//! synced, a wake-up after a local read that pushes it at once, and a refused password that
//! stops following instead of retrying forever.

use std::time::{Duration, Instant};

use tidings_accounts::{add, follow, AccountsError, FollowEvent, FollowOptions, ManualServer, NewAccount};
use tidings_imap::ConnectOptions;
use tidings_keychain::{MemoryStore, SecretStore};
use tidings_store::{ConnectionSecurity, MessageKey, Store};
use tidings_testkit::{Dovecot, DovecotOptions};
use tokio::sync::Notify;

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
        voicemail: None,
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
    let never_woken = Notify::new();
    let following = follow(&store, &secrets, &id, "INBOX", &options, &never_woken, |event| {
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
    let options = FollowOptions::default();
    let never_woken = Notify::new();
    let run = follow(&store, &secrets, &id, "INBOX", &options, &never_woken, |event| events.push(event));
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("follow stops by itself");
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(matches!(&events[0], FollowEvent::Stopped(AccountsError::WrongPassword { .. })), "{events:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_wake_up_after_a_local_read_pushes_it_without_waiting_for_idle() {
    let dovecot = server();
    dovecot.seed("alice", "INBOX", &[&message(1), &message(2)]).unwrap();
    let store = Store::open_temporary().unwrap();
    let secrets = MemoryStore::default();
    let id = added(&store, &secrets, &dovecot).await;

    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    // IDLE rounds far longer than the test: only the wake-up can end the wait.
    let options = FollowOptions { idle_round: Duration::from_secs(600), ..FollowOptions::default() };
    let wake = Notify::new();
    let following = follow(&store, &secrets, &id, "INBOX", &options, &wake, |event| {
        let _ = events.send(event);
    });
    let check = async {
        let uid_validity = match next(&mut received).await {
            FollowEvent::Synced(report) => report.uid_validity,
            other => panic!("expected the first sync, got {other:?}"),
        };
        let key = MessageKey { account: id.clone(), mailbox: "INBOX".into(), uid_validity, uid: 2 };
        assert!(store.mark_seen(&key, true).unwrap());
        let marked = Instant::now();
        wake.notify_one();
        match next(&mut received).await {
            FollowEvent::Synced(report) => assert_eq!(report.flags_pushed, 1, "{report:?}"),
            other => panic!("expected a sync after the wake-up, got {other:?}"),
        }
        assert!(marked.elapsed() < Duration::from_secs(10), "pushed after {:?}", marked.elapsed());
        assert!(store.pending_flags(&id, "INBOX", uid_validity).unwrap().is_empty());
    };
    tokio::select! {
        () = following => panic!("follow ended on its own"),
        () = check => {}
    }
}
