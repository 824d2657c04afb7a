//! The voicemail-box commands against scripted OMTP / CVVM servers: every OMTP PIN refusal, the
//! language and tutorial commands, quota answers odd and broken, a stalled server, a greeting
//! upload, and arguments that must be refused before anything reaches the wire. Each server
//! checks the exact command line it received (without the tag).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tidings_imap::{
    change_language, change_tui_password, close_tutorial, greetings_mailbox, quota, upload_greeting,
};
use tidings_imap::{
    strategy_for, Dialect, ImapError, ImapSession, LanguageRefusal, PinRefusal, QuotaResource, QuotaRoot,
    QuotaUsage, Security,
};

use crate::server::{connect_to, fake_server, tag};
use crate::step;

const OMTP_CAPABILITIES: &str = "IMAP4rev1 AUTH=PLAIN SASL-IR XCHANGE_TUI_PWD XCLOSE_NUT XCHANGE_VM_LANG";
const CVVM_CAPABILITIES: &str = "IMAP4rev1 AUTH=PLAIN SASL-IR CHANGE_TUI_PWD CLOSE_NUT CHANGE_VM_LANG";

type Log = Arc<Mutex<Vec<String>>>;

/// A server that logs anyone in, announces `capabilities` and answers every later line with
/// `script(line)`, in which `{tag}` stands for the line's tag; `None` is silence. Returns the
/// session (every step limited to `limit`) and the received lines.
async fn vvm_server(
    capabilities: &'static str,
    limit: Duration,
    mut script: impl FnMut(&str) -> Option<String> + Send + 'static,
) -> (ImapSession, Log) {
    let greeting: &'static str = format!("* OK [CAPABILITY {capabilities}] fake VVM ready\r\n").leak();
    let (port, received) = fake_server(Some(greeting), move |line| {
        let command = line.split_once(' ').map(|(_, rest)| rest).unwrap_or_default();
        let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
        let answer = match verb.as_str() {
            "AUTHENTICATE" | "LOGIN" => Some("{tag} OK Logged in\r\n".to_owned()),
            "CAPABILITY" => Some(format!("* CAPABILITY {capabilities}\r\n{{tag}} OK done\r\n")),
            _ => script(line),
        };
        answer.map(|text| text.replace("{tag}", tag(line)))
    })
    .await;
    match connect_to(port, Security::Plain, limit).await {
        Ok(session) => (session, received),
        Err(error) => panic!("connect: {error}"),
    }
}

/// The command lines received after the login, without their tags.
fn commands(received: &Log) -> Vec<String> {
    let lines = received.lock().expect("log lock").clone();
    lines
        .iter()
        .filter_map(|line| line.split_once(' ').map(|(_, rest)| rest.to_owned()))
        .filter(|command| {
            let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
            !matches!(verb.as_str(), "AUTHENTICATE" | "LOGIN" | "CAPABILITY" | "ID")
        })
        .collect()
}

/// The command of a line, without its tag.
fn untagged(line: &str) -> &str {
    line.split_once(' ').map(|(_, rest)| rest).unwrap_or_default()
}

/// Answers `expected` with `answers` in turn (then `OK`), and anything else with `BAD`, so a
/// wrongly spelt command fails the test.
fn answering(
    expected: &'static str,
    answers: Vec<&'static str>,
) -> impl FnMut(&str) -> Option<String> + Send {
    let mut answers: VecDeque<&'static str> = answers.into();
    move |line| {
        let command = untagged(line);
        if command != expected {
            return Some(format!("{{tag}} BAD unexpected command {command:?}\r\n"));
        }
        Some(format!("{}\r\n", answers.pop_front().unwrap_or("{tag} OK done")))
    }
}

fn five() -> Duration {
    Duration::from_secs(5)
}

#[tokio::test]
async fn each_omtp_pin_refusal_reaches_the_caller_typed_with_the_servers_words() {
    let reasons = [
        ("password too short", PinRefusal::TooShort),
        ("password too long", PinRefusal::TooLong),
        ("password too weak", PinRefusal::TooWeak),
        ("old password mismatch", PinRefusal::Mismatch),
        ("password contains invalid characters", PinRefusal::InvalidCharacters),
        ("system error", PinRefusal::System),
        ("the moon is in the wrong phase", PinRefusal::Other),
    ];
    let answers = reasons.iter().map(|(text, _)| &*format!("{{tag}} NO {text}").leak()).collect();
    let (mut session, received) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("XCHANGE_TUI_PWD PWD=9876 OLD_PWD=1234", answers))
            .await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    for (text, expected) in reasons {
        match step("change pin", change_tui_password(&mut session, omtp.as_ref(), "1234", "9876")).await {
            Err(ImapError::PinRefused { reason, server_text }) => {
                assert_eq!((reason, server_text.as_str()), (expected, text));
            }
            other => panic!("{text:?}: expected a PIN refusal, got {other:?}"),
        }
        assert!(session.is_connected(), "a refusal keeps the session");
    }
    step("change pin", change_tui_password(&mut session, omtp.as_ref(), "1234", "9876"))
        .await
        .expect("the eighth try is accepted");
    assert_eq!(commands(&received), vec!["XCHANGE_TUI_PWD PWD=9876 OLD_PWD=1234"; 8]);
}

#[tokio::test]
async fn cvvm_speaks_the_same_commands_without_the_x() {
    let (mut session, received) = vvm_server(CVVM_CAPABILITIES, five(), |line| {
        let command = untagged(line);
        let known = ["CHANGE_TUI_PWD PWD=0000 OLD_PWD=4321", "CHANGE_VM_LANG LANG=2", "CLOSE_NUT"];
        Some(if known.contains(&command) {
            "{tag} OK done\r\n".to_owned()
        } else {
            "{tag} BAD what?\r\n".into()
        })
    })
    .await;
    assert_eq!(session.dialect().dialect, Dialect::Cvvm);
    let cvvm = strategy_for(session.dialect().dialect);
    step("pin", change_tui_password(&mut session, cvvm.as_ref(), "4321", "0000")).await.expect("pin");
    step("language", change_language(&mut session, cvvm.as_ref(), "2")).await.expect("language");
    step("tutorial", close_tutorial(&mut session, cvvm.as_ref())).await.expect("tutorial");
    assert_eq!(
        commands(&received),
        ["CHANGE_TUI_PWD PWD=0000 OLD_PWD=4321", "CHANGE_VM_LANG LANG=2", "CLOSE_NUT"]
    );
}

#[tokio::test]
async fn a_language_change_is_sent_and_its_refusals_are_typed() {
    let answers = vec!["{tag} OK language changed", "{tag} NO invalid language", "{tag} NO system error"];
    let (mut session, received) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("XCHANGE_VM_LANG LANG=3", answers)).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    step("language", change_language(&mut session, omtp.as_ref(), "3")).await.expect("accepted");
    for expected in [LanguageRefusal::Invalid, LanguageRefusal::System] {
        match step("language", change_language(&mut session, omtp.as_ref(), "3")).await {
            Err(ImapError::LanguageRefused { reason, .. }) => assert_eq!(reason, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    assert!(session.is_connected());
    assert_eq!(commands(&received), vec!["XCHANGE_VM_LANG LANG=3"; 3]);
}

#[tokio::test]
async fn closing_the_tutorial_sends_xclose_nut_and_reports_a_refusal() {
    let answers = vec!["{tag} OK NUT closed", "{tag} NO system error"];
    let (mut session, received) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("XCLOSE_NUT", answers)).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    step("close", close_tutorial(&mut session, omtp.as_ref())).await.expect("closed");
    match step("close again", close_tutorial(&mut session, omtp.as_ref())).await {
        Err(ImapError::CommandRefused { during: "CLOSE_NUT", server_text }) => {
            assert_eq!(server_text, "system error")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(commands(&received), ["XCLOSE_NUT", "XCLOSE_NUT"]);
}

fn usage(resource: QuotaResource, used: u64, limit: u64) -> QuotaUsage {
    QuotaUsage { resource, used, limit }
}

#[tokio::test]
async fn quota_roots_are_read_and_odd_answers_tolerated() {
    let answer = concat!(
        "* OK [ALERT] noise before the answer\r\n",
        "* QUOTAROOT INBOX \"User quota\" voicemail\r\n",
        "* QUOTA \"User quota\" (STORAGE 512 10240 MESSAGE 3 100 X-AUDIO-SECONDS 42 600)\r\n",
        "* 3 EXISTS\r\n",
        // Lower case, a root QUOTAROOT did not name, a limit below the usage, a 64-bit number.
        "* QUOTA extra (storage 20 10 message 18446744073709551615 5)\r\n",
        "* QUOTA \"\" ()\r\n",
        "{tag} OK Getquotaroot completed\r\n",
    );
    let (mut session, received) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("GETQUOTAROOT INBOX", vec![answer.trim_end()])).await;
    let roots =
        step("quota", quota(&mut session, strategy_for(Dialect::OmtpVvm13).as_ref())).await.expect("quota");
    let expected = vec![
        QuotaRoot {
            name: "User quota".into(),
            resources: vec![
                usage(QuotaResource::StorageKib, 512, 10240),
                usage(QuotaResource::Messages, 3, 100),
                usage(QuotaResource::Other("X-AUDIO-SECONDS".into()), 42, 600),
            ],
        },
        // Named by QUOTAROOT but no QUOTA line: known, with nothing to show.
        QuotaRoot { name: "voicemail".into(), resources: vec![] },
        QuotaRoot {
            name: "extra".into(),
            resources: vec![
                usage(QuotaResource::StorageKib, 20, 10),
                usage(QuotaResource::Messages, u64::MAX, 5),
            ],
        },
        QuotaRoot { name: String::new(), resources: vec![] },
    ];
    assert_eq!(roots, expected);
    assert_eq!(roots[0].usage(&QuotaResource::Messages), Some(&usage(QuotaResource::Messages, 3, 100)));
    assert_eq!(commands(&received), ["GETQUOTAROOT INBOX"]);
}

#[tokio::test]
async fn a_box_without_quota_roots_has_an_empty_list_and_a_refusal_is_reported() {
    let answers = vec!["* QUOTAROOT INBOX\r\n{tag} OK done", "{tag} NO [NOPERM] quota not available"];
    let (mut session, _) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("GETQUOTAROOT INBOX", answers)).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    assert_eq!(step("quota", quota(&mut session, omtp.as_ref())).await.expect("quota"), vec![]);
    match step("quota", quota(&mut session, omtp.as_ref())).await {
        Err(ImapError::CommandRefused { during: "GETQUOTAROOT", server_text }) => {
            // A response code the parser does not know stays in the text.
            assert_eq!(server_text, "[NOPERM] quota not available")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(session.is_connected());
}

/// A QUOTA line the IMAP parser cannot read is an error that ends the session (like every
/// malformed response), never a made-up number and never a panic.
#[tokio::test]
async fn a_garbage_quota_line_is_an_error_not_a_number() {
    for garbage in ["* QUOTA \"\" (STORAGE ten 20)", "* QUOTA \"\" (STORAGE 10)", "* QUOTA", "* QUOTAROOT"] {
        let answer: &'static str = format!("{garbage}\r\n{{tag}} OK done").leak();
        let (mut session, _) =
            vvm_server(OMTP_CAPABILITIES, five(), answering("GETQUOTAROOT INBOX", vec![answer])).await;
        let result = step("quota", quota(&mut session, strategy_for(Dialect::OmtpVvm13).as_ref())).await;
        assert!(
            matches!(result, Err(ImapError::Network(_) | ImapError::Protocol(_))),
            "{garbage}: {result:?}"
        );
        assert!(!session.is_connected(), "{garbage}: the session is dropped");
    }
}

#[tokio::test]
async fn plain_imap_asks_for_quota_only_when_the_server_offers_it() {
    let (mut session, received) = vvm_server("IMAP4rev1 AUTH=PLAIN SASL-IR", five(), |_| None).await;
    let plain = strategy_for(Dialect::Imap4rev1);
    match quota(&mut session, plain.as_ref()).await {
        Err(ImapError::NotOffered { what }) => assert_eq!(what, "quota command"),
        other => panic!("expected NotOffered, got {other:?}"),
    }
    assert_eq!(commands(&received), Vec::<String>::new());

    let answer = "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 1 2)\r\n{tag} OK done";
    let (mut session, received) = vvm_server(
        "IMAP4rev1 AUTH=PLAIN SASL-IR QUOTA",
        five(),
        answering("GETQUOTAROOT INBOX", vec![answer]),
    )
    .await;
    let roots = step("quota", quota(&mut session, plain.as_ref())).await.expect("quota");
    assert_eq!(
        roots,
        [QuotaRoot { name: String::new(), resources: vec![usage(QuotaResource::StorageKib, 1, 2)] }]
    );
    assert_eq!(commands(&received), ["GETQUOTAROOT INBOX"]);
}

#[tokio::test]
async fn a_stalled_pin_change_times_out_and_drops_the_session() {
    let limit = Duration::from_millis(800);
    let (mut session, received) = vvm_server(OMTP_CAPABILITIES, limit, |_| None).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    let started = Instant::now();
    match step("change pin", change_tui_password(&mut session, omtp.as_ref(), "1234", "5678")).await {
        Err(ImapError::Timeout { during }) => assert_eq!(during, "CHANGE_TUI_PWD"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() < limit * 4, "took {:?}", started.elapsed());
    assert!(!session.is_connected());
    assert!(matches!(close_tutorial(&mut session, omtp.as_ref()).await, Err(ImapError::Disconnected)));
    assert_eq!(commands(&received), ["XCHANGE_TUI_PWD PWD=5678 OLD_PWD=1234"]);
}

#[tokio::test]
async fn arguments_that_could_break_the_command_line_are_refused_before_anything_is_sent() {
    let (mut session, received) =
        vvm_server(OMTP_CAPABILITIES, five(), |_| Some("{tag} OK done\r\n".into())).await;
    let omtp = strategy_for(Dialect::OmtpVvm13);
    let pins = [
        ("1234", "12\r\nA9 LOGOUT"),
        ("1234", "12 34"),
        ("1234", ""),
        ("12\n34", "5678"),
        ("1234", "１２３４"),
        ("1234", "12345678901234567"),
    ];
    for (old, new) in pins {
        let result = change_tui_password(&mut session, omtp.as_ref(), old, new).await;
        assert!(
            matches!(result, Err(ImapError::NotSendable { what: "PIN", .. })),
            "{old:?}/{new:?}: {result:?}"
        );
    }
    for language in ["en US", "en\r\nA9 LOGOUT", "", "fr\"", "de)", "ja\u{3000}"] {
        let result = change_language(&mut session, omtp.as_ref(), language).await;
        assert!(
            matches!(result, Err(ImapError::NotSendable { what: "language", .. })),
            "{language:?}: {result:?}"
        );
    }
    assert_eq!(commands(&received), Vec::<String>::new(), "nothing reached the server");
    assert!(session.is_connected());

    // A dialect without the commands says so instead of sending anything.
    let plain = strategy_for(Dialect::Imap4rev1);
    let missing = [
        change_tui_password(&mut session, plain.as_ref(), "1", "2").await,
        change_language(&mut session, plain.as_ref(), "en").await,
        close_tutorial(&mut session, plain.as_ref()).await,
        greetings_mailbox(&mut session, plain.as_ref()).await.map(|_| ()),
    ];
    let what: Vec<String> =
        missing.into_iter().map(|result| format!("{}", result.expect_err("not offered"))).collect();
    assert_eq!(
        what,
        [
            "this server has no TUI password command",
            "this server has no voicemail language command",
            "this server has no tutorial-closing command",
            "this server has no greetings folder",
        ]
    );
    assert_eq!(commands(&received), Vec::<String>::new());
}

#[tokio::test]
async fn the_greetings_folder_is_found_under_inbox_in_upper_case() {
    let list = concat!(
        "* LIST (\\HasChildren) \".\" INBOX\r\n",
        "* LIST (\\HasNoChildren) \".\" INBOX.Archive\r\n",
        "* LIST (\\HasNoChildren) \".\" \"INBOX.GREETINGS\"\r\n",
        "{tag} OK List completed"
    );
    let (mut session, received) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("LIST \"\" \"*\"", vec![list])).await;
    let found =
        step("list", greetings_mailbox(&mut session, strategy_for(Dialect::OmtpVvm13).as_ref())).await;
    assert_eq!(found.expect("list").as_deref(), Some("INBOX.GREETINGS"));
    assert_eq!(commands(&received), ["LIST \"\" \"*\""]);
}

/// APPEND waits for the server's `+`, sends exactly the announced bytes, and reads the new UID
/// from `[APPENDUID]`; a server without UIDPLUS gives no UID.
#[tokio::test]
async fn a_greeting_upload_sends_the_announced_bytes_after_the_continuation() {
    let message = b"Subject: greeting\r\nX-CNS-Greeting-Type: normal-greeting\r\n\r\nAAAA\r\n".to_vec();
    let expected_line = format!("APPEND \"Greetings\" ($CNS-Greeting-On) {{{}}}", message.len());
    for (code, uid) in [("[APPENDUID 38505 3955] ", Some(3955)), ("", None)] {
        let received_bytes = Arc::new(Mutex::new(0_usize));
        let counter = received_bytes.clone();
        let expected = expected_line.clone();
        let size = message.len();
        let mut append_tag: Option<String> = None;
        let (mut session, received) = vvm_server(OMTP_CAPABILITIES, five(), move |line| {
            if untagged(line) == expected {
                append_tag = Some(tag(line).to_owned());
                return Some("+ Ready for literal data\r\n".into());
            }
            // The literal arrives as lines; count its bytes (CRLF included) up to the announced
            // size and the CRLF that ends the command, then answer under the APPEND's tag.
            let append = append_tag.clone()?;
            let mut seen = counter.lock().expect("counter");
            *seen += line.len() + 2;
            (*seen >= size + 2).then(|| format!("{append} OK {code}Append completed\r\n"))
        })
        .await;
        let appended = step("append", upload_greeting(&mut session, "Greetings", &message, true)).await;
        assert_eq!(appended.expect("append"), uid);
        let lines = received.lock().expect("log").clone();
        let append = lines.iter().position(|line| untagged(line) == expected_line).expect("APPEND line sent");
        let body: Vec<&str> = lines[append + 1..].iter().map(String::as_str).collect();
        assert_eq!(body.join("\r\n").into_bytes(), message, "the literal, byte for byte");
        assert!(session.is_connected());
    }
}

/// An APPEND refused before its literal (`NO [TRYCREATE]`) sends no data and keeps the session.
#[tokio::test]
async fn an_append_refused_before_its_literal_sends_nothing_more() {
    let expected = "APPEND \"Greetings\" {4}";
    let answers = vec!["{tag} NO [TRYCREATE] no such mailbox"];
    let (mut session, received) = vvm_server(OMTP_CAPABILITIES, five(), answering(expected, answers)).await;
    match step("append", upload_greeting(&mut session, "Greetings", b"abcd", false)).await {
        Err(ImapError::CommandRefused { during: "APPEND", server_text }) => {
            assert_eq!(server_text, "no such mailbox")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(session.is_connected());
    step("close", close_tutorial(&mut session, strategy_for(Dialect::OmtpVvm13).as_ref()))
        .await
        .expect_err("the scripted server only knows APPEND");
    assert_eq!(commands(&received), [expected, "XCLOSE_NUT"], "the literal was never sent");
}

/// A `+` that no literal of ours asked for would leave client and server out of step: the
/// session ends at once instead of waiting for the timeout.
#[tokio::test]
async fn a_continuation_nobody_asked_for_ends_the_session() {
    let (mut session, _) =
        vvm_server(OMTP_CAPABILITIES, five(), answering("XCLOSE_NUT", vec!["+ tell me more"])).await;
    let started = Instant::now();
    match step("close", close_tutorial(&mut session, strategy_for(Dialect::OmtpVvm13).as_ref())).await {
        Err(ImapError::Protocol(text)) => assert!(text.contains("did not announce"), "{text}"),
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(!session.is_connected());
}
