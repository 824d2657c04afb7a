//! The voicemail box against a real Dovecot: greetings uploaded, listed, switched on and off and
//! deleted in a lower-case `greetings` folder (checked with `doveadm fetch` too), and
//! `GETQUOTAROOT` with Dovecot's quota plugin (the testkit's `quota_rule`).

use std::collections::BTreeMap;

use tidings_imap::{
    activate_greeting, deactivate_greeting, delete_greeting, greetings_mailbox, list_greetings, quota,
    strategy_for, upload_greeting, Dialect, ImapError, QuotaResource, QuotaRoot, QuotaUsage, GREETING_ON,
};
use tidings_testkit::{Dovecot, DovecotOptions};

use crate::util::{login, plain_config, start, step};

/// A greeting as a VVM client records it: OMTP headers and a (tiny) AMR attachment.
fn greeting(kind: &str, name: &str) -> Vec<u8> {
    format!(
        "From: alice@example.org\r\nTo: alice@example.org\r\nSubject: {name}\r\n\
         Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nX-CNS-Greeting-Type: {kind}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"greeting\"\r\n\r\n--greeting\r\n\
         Content-Type: audio/amr\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"{name}.amr\"\r\n\r\nIyFBTVIKPJEXFr5meeHgAeev8AAAAIA=\r\n\
         --greeting--\r\n"
    )
    .into_bytes()
}

/// UID → keywords of every message in alice's `mailbox`, as `doveadm fetch` sees them.
fn doveadm_keywords(dovecot: &Dovecot, mailbox: &str) -> BTreeMap<u32, Vec<String>> {
    let output =
        dovecot.doveadm(&["fetch", "-u", "alice", "uid flags", "mailbox", mailbox]).expect("doveadm fetch");
    let mut keywords = BTreeMap::new();
    let mut uid = None;
    for line in output.lines() {
        if let Some(value) = line.strip_prefix("uid: ") {
            uid = value.trim().parse::<u32>().ok();
        } else if let (Some(flags), Some(uid)) = (line.strip_prefix("flags:"), uid) {
            let list = flags.split_whitespace().filter(|f| !f.starts_with('\\')).map(str::to_owned).collect();
            keywords.insert(uid, list);
        }
    }
    keywords
}

#[tokio::test]
async fn greetings_are_uploaded_listed_switched_and_deleted() {
    let dovecot = start(false);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "greetings"]).expect("create greetings");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);

    let found = step("list", greetings_mailbox(&mut session, omtp.as_ref())).await.expect("LIST");
    let mailbox = found.expect("the lower-case folder is the greetings folder");
    assert_eq!(mailbox, "greetings");

    let (normal, away) = (greeting("normal-greeting", "Normal"), greeting("normal-greeting", "Away"));
    let first =
        step("upload 1", upload_greeting(&mut session, &mailbox, &normal, true)).await.expect("APPEND");
    let second =
        step("upload 2", upload_greeting(&mut session, &mailbox, &away, false)).await.expect("APPEND");
    let (Some(first), Some(second)) = (first, second) else {
        panic!("Dovecot has UIDPLUS, so APPENDUID gives both UIDs: {first:?} {second:?}")
    };
    assert!(first < second);

    let listed = step("fetch", list_greetings(&mut session, &mailbox)).await.expect("UID FETCH");
    let summary: Vec<(u32, bool, &[u8])> =
        listed.iter().map(|g| (g.uid, g.is_on(), g.raw.as_slice())).collect();
    assert_eq!(summary, [(first, true, normal.as_slice()), (second, false, away.as_slice())]);

    // Switching to the second, then back: only the chosen one carries the keyword, each time.
    for (on, off) in [(second, first), (first, second)] {
        step("activate", activate_greeting(&mut session, &mailbox, on, &[off])).await.expect("activate");
        let listed = step("fetch", list_greetings(&mut session, &mailbox)).await.expect("UID FETCH");
        let active: Vec<u32> = listed.iter().filter(|g| g.is_on()).map(|g| g.uid).collect();
        assert_eq!(active, [on]);
        let on_disk = doveadm_keywords(&dovecot, &mailbox);
        assert_eq!(on_disk.get(&on).map(Vec::as_slice), Some(&[GREETING_ON.to_owned()][..]), "{on_disk:?}");
        assert_eq!(on_disk.get(&off).map(Vec::len), Some(0), "{on_disk:?}");
    }

    match step("activate", activate_greeting(&mut session, &mailbox, second + 100, &[first])).await {
        Err(ImapError::MessageMissing { uid, .. }) => assert_eq!(uid, second + 100),
        other => panic!("expected MessageMissing, got {other:?}"),
    }
    assert!(doveadm_keywords(&dovecot, &mailbox)[&first].contains(&GREETING_ON.to_owned()), "untouched");

    step("deactivate", deactivate_greeting(&mut session, &mailbox, first)).await.expect("deactivate");
    assert!(doveadm_keywords(&dovecot, &mailbox).values().all(Vec::is_empty));

    step("delete", delete_greeting(&mut session, &mailbox, second)).await.expect("delete");
    let left = step("fetch", list_greetings(&mut session, &mailbox)).await.expect("UID FETCH");
    assert_eq!(left.iter().map(|g| g.uid).collect::<Vec<_>>(), [first]);
    assert_eq!(doveadm_keywords(&dovecot, &mailbox).keys().copied().collect::<Vec<_>>(), [first]);

    // This Dovecot has no quota plugin: a plain-IMAP account does not even ask.
    let plain = strategy_for(Dialect::Imap4rev1);
    assert!(matches!(quota(&mut session, plain.as_ref()).await, Err(ImapError::NotOffered { .. })));
    assert!(session.is_connected());
}

#[tokio::test]
async fn an_empty_greetings_folder_lists_nothing_and_a_missing_one_is_none() {
    let dovecot = start(false);
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    assert_eq!(step("list", greetings_mailbox(&mut session, omtp.as_ref())).await.expect("LIST"), None);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "GREETINGS"]).expect("create");
    let found = step("list", greetings_mailbox(&mut session, omtp.as_ref())).await.expect("LIST");
    assert_eq!(found.as_deref(), Some("GREETINGS"));
    assert_eq!(step("fetch", list_greetings(&mut session, "GREETINGS")).await.expect("fetch"), vec![]);
}

#[tokio::test]
async fn getquotaroot_reads_dovecots_quota_plugin() {
    let options = DovecotOptions { quota_rule: Some("*:storage=10M".into()), ..DovecotOptions::default() };
    const SIZE: usize = 40 * 1024;
    let dovecot = Dovecot::start(options).unwrap_or_else(|error| panic!("{error}"));
    // Three messages of 40 KiB each, so no rounding is involved (CRLF line ends, so Dovecot's virtual size is the same).
    let line = format!("{}\r\n", "x".repeat(98));
    let messages: Vec<Vec<u8>> = (0..3)
        .map(|n| {
            let header = format!("Subject: voice {n}\r\nMessage-ID: <v{n}@example.org>\r\n\r\n");
            let mut message = header.into_bytes();
            message.extend(line.repeat((SIZE - message.len()) / line.len()).into_bytes());
            message.extend(b"x".repeat(SIZE - message.len()));
            message
        })
        .collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", "INBOX", &refs).expect("seed");

    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    assert!(session.has_capability("QUOTA"), "{:?}", session.capabilities());
    let used_kib = 3 * SIZE as u64 / 1024;
    for dialect in [Dialect::OmtpVvm13, Dialect::Imap4rev1] {
        let roots = step("quota", quota(&mut session, strategy_for(dialect).as_ref())).await.expect("quota");
        assert_eq!(
            roots,
            [QuotaRoot {
                name: "User quota".into(),
                resources: vec![QuotaUsage {
                    resource: QuotaResource::StorageKib,
                    used: used_kib,
                    limit: 10 * 1024
                }],
            }],
            "{dialect:?}"
        );
    }
}

/// A greeting of several hundred KiB (a minute of AMR is about 100 KiB; WAV is larger) goes up
/// in several chunks and comes back byte for byte.
#[tokio::test]
async fn a_large_greeting_arrives_byte_for_byte() {
    let dovecot = start(false);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Greetings"]).expect("create");
    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let mut message = greeting("voice-signature", "Long");
    let audio_line = format!("{}\r\n", "QUJD".repeat(19));
    let at = message.len() - "--greeting--\r\n".len();
    let audio = audio_line.repeat(6_000).into_bytes();
    message.splice(at..at, audio);
    assert!(message.len() > 400 * 1024, "{} bytes", message.len());
    let uid =
        step("upload", upload_greeting(&mut session, "Greetings", &message, false)).await.expect("APPEND");
    let listed = step("fetch", list_greetings(&mut session, "Greetings")).await.expect("UID FETCH");
    assert_eq!(listed.len(), 1);
    assert_eq!(Some(listed[0].uid), uid);
    assert!(listed[0].raw == message, "the greeting came back changed ({} bytes)", listed[0].raw.len());
}
