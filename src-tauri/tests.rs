//! Command wiring through real IPC on Tauri's mock runtime, against a temporary store holding the
//! demo mailbox.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::path::PathBuf;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};
use tidings_store::{Account, ConnectionSecurity, MessageKey, NewMessage, ServerSettings, Store};

use crate::{app_builder, AppState, UserMasks};

/// The shipped masks and an empty user mask directory of the test's own.
fn user_masks() -> UserMasks {
    UserMasks::load(&tempfile::tempdir().unwrap().keep().join("masks"))
}

fn invoke(command: &str, args: Value) -> Result<Value, Value> {
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    invoke_with(state, &[(command, args)]).pop().unwrap()
}

fn invoke_with(state: AppState, calls: &[(&str, Value)]) -> Vec<Result<Value, Value>> {
    let (_app, webview) = mock_app(state);
    calls.iter().map(|(command, args)| call(&webview, command, args.clone())).collect()
}

fn mock_app(state: AppState) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = app_builder(mock_builder()).manage(state).build(mock_context(noop_assets())).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, webview)
}

fn call(webview: &WebviewWindow<MockRuntime>, command: &str, args: Value) -> Result<Value, Value> {
    call_body(webview, command, args).map(|body| body.deserialize::<Value>().unwrap())
}

/// The answer as it crosses IPC: JSON, or raw bytes for a `tauri::ipc::Response`.
fn call_body(
    webview: &WebviewWindow<MockRuntime>,
    command: &str,
    args: Value,
) -> Result<InvokeResponseBody, Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: webview.url().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request)
}

#[test]
fn first_start_shows_the_demo_account_and_its_inbox() {
    let accounts = invoke("list_accounts", json!({})).unwrap();
    assert_eq!(accounts[0]["id"], "demo");
    assert_eq!(accounts[0]["isDemo"], true);
    assert_eq!(accounts[0]["mailboxes"], json!(["INBOX"]));
}

#[test]
fn the_demo_inbox_lists_at_least_fifteen_messages_newest_first() {
    let page = invoke("list_messages", json!({"account": "demo", "mailbox": "INBOX"})).unwrap();
    let rows = page["rows"].as_array().unwrap();
    assert!(rows.len() >= 15, "{} rows", rows.len());
    assert_eq!(page["total"].as_u64(), Some(rows.len() as u64));
    let unread = rows.iter().filter(|row| row["seen"] == false).count();
    assert_eq!(page["unread"].as_u64(), Some(unread as u64));
    let dates: Vec<i64> = rows.iter().map(|row| row["date"].as_i64().unwrap()).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "not newest first: {dates:?}");
    assert!(rows.iter().any(|row| row["seen"] == false), "the demo shows unread messages");
    assert!(rows.iter().all(|row| !row["sender"].as_str().unwrap().is_empty()));
}

#[test]
fn the_list_comes_in_pages_and_a_search_finds_sender_and_subject_words() {
    let calls = [
        ("list_messages", json!({"account": "demo", "mailbox": "INBOX"})),
        ("list_messages", json!({"account": "demo", "mailbox": "INBOX", "offset": 5, "limit": 4})),
        ("list_messages", json!({"account": "demo", "mailbox": "INBOX", "query": "coffee TIMES"})),
        ("list_messages", json!({"account": "demo", "mailbox": "INBOX", "query": "sokolova coffee"})),
        ("list_messages", json!({"account": "demo", "mailbox": "INBOX", "query": "no such words"})),
    ];
    let answers: Vec<Value> = invoke_with(state(), &calls).into_iter().map(Result::unwrap).collect();
    let all = answers[0]["rows"].as_array().unwrap();
    let page = &answers[1];
    assert_eq!(
        (page["offset"].as_u64(), page["total"].clone(), page["unread"].clone()),
        (Some(5), answers[0]["total"].clone(), answers[0]["unread"].clone())
    );
    assert_eq!(page["rows"].as_array().unwrap(), &all[5..9]);
    let subjects = |answer: &Value| -> Vec<String> {
        answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        subjects(&answers[2]),
        ["Re: IT coffee times", "Re: IT coffee times", "Re: IT coffee times", "IT coffee times"]
    );
    assert_eq!(answers[2]["total"], 4);
    let senders: Vec<&str> =
        answers[3]["rows"].as_array().unwrap().iter().map(|row| row["sender"].as_str().unwrap()).collect();
    assert_eq!(senders, ["Maria Sokolova", "Maria Sokolova"]);
    assert_eq!((answers[4]["total"].clone(), answers[4]["rows"].clone()), (json!(0), json!([])));
}

#[test]
fn opening_a_message_marks_it_read_and_returns_a_locked_down_document() {
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let rows = state.store.list_messages("demo", "INBOX").unwrap();
    let unread = rows.iter().find(|row| !row.seen).unwrap();
    let reference = json!({
        "account": "demo", "mailbox": "INBOX",
        "uidValidity": unread.key.uid_validity, "uid": unread.key.uid,
    });
    let answers = invoke_with(
        state,
        &[
            ("open_message", json!({ "message": reference })),
            ("list_messages", json!({"account": "demo", "mailbox": "INBOX"})),
        ],
    );
    let view = answers[0].as_ref().unwrap();
    assert_eq!(view["row"]["seen"], true);
    let document = view["bodyDocument"].as_str().unwrap();
    assert!(document.contains("default-src 'none'"));
    assert!(!document.contains("<script"));
    let rows = answers[1].as_ref().unwrap()["rows"].as_array().unwrap();
    let row = rows.iter().find(|row| row["message"] == reference).unwrap();
    assert_eq!(row["seen"], true, "the read flag is stored");
}

#[test]
fn quotes_fold_under_the_words_the_ui_sends() {
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let rows = state.store.list_messages("demo", "INBOX").unwrap();
    let quoted = rows.iter().find(|row| row.subject.as_deref() == Some("Re: IT coffee times")).unwrap();
    let reference = json!({
        "account": "demo", "mailbox": "INBOX",
        "uidValidity": quoted.key.uid_validity, "uid": quoted.key.uid,
    });
    let toggle = json!({"hide": "Скрыть цитату", "show": "Показать цитату"});
    let answers = invoke_with(
        state,
        &[
            ("open_message", json!({ "message": reference, "quoteToggle": toggle })),
            ("open_message", json!({ "message": reference })),
        ],
    );
    let russian = answers[0].as_ref().unwrap()["bodyDocument"].as_str().unwrap().to_owned();
    assert!(russian.contains("<details class=\"tidings-quote\" open><summary>"), "{russian}");
    assert!(russian.contains("Скрыть цитату") && russian.contains("Показать цитату"));
    let english = answers[1].as_ref().unwrap()["bodyDocument"].as_str().unwrap();
    assert!(english.contains("Hide quoted text") && !english.contains("Скрыть цитату"));
}

#[test]
fn the_tray_count_follows_what_the_user_reads_and_deletes() {
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    state.tray.refresh(&state.store);
    let unread: Vec<_> =
        state.store.list_messages("demo", "INBOX").unwrap().into_iter().filter(|row| !row.seen).collect();
    assert!(unread.len() >= 2, "the demo has unread mail");
    assert_eq!(state.tray.shown(), Some(unread.len()));
    let reference = |row: &tidings_store::MessageSummary| json!({"account": "demo", "mailbox": "INBOX", "uidValidity": row.key.uid_validity, "uid": row.key.uid});
    let (app, webview) = mock_app(state);
    let tray = || app.state::<AppState>().tray.shown();
    call(&webview, "open_message", json!({ "message": reference(&unread[0]) })).unwrap();
    assert_eq!(tray(), Some(unread.len() - 1));
    call(&webview, "set_seen", json!({ "message": reference(&unread[0]), "seen": false })).unwrap();
    assert_eq!(tray(), Some(unread.len()));
    call(&webview, "delete_message", json!({ "message": reference(&unread[1]) })).unwrap();
    assert_eq!(tray(), Some(unread.len() - 1), "a deleted unread message leaves the count");
}

/// A store whose one account, "acct", has a server, with one unread message.
fn store_with_a_server_account() -> (Store, MessageKey) {
    let store = Store::open_temporary().unwrap();
    let server = ServerSettings {
        host: "imap.example.org".into(),
        port: 993,
        security: ConnectionSecurity::Tls,
        username: "ann".into(),
        allow_plaintext: false,
        pinned_sha256: None,
    };
    let account = Account {
        id: "acct".into(),
        display_name: "Ann".into(),
        email: "ann@example.org".into(),
        is_demo: false,
        server: Some(server),
        voicemail: None,
    };
    store.put_account(&account).unwrap();
    let key = MessageKey { account: "acct".into(), mailbox: "INBOX".into(), uid_validity: 9, uid: 4 };
    let raw = b"From: bob@example.org\r\nSubject: Hi\r\n\r\nHello\r\n".to_vec();
    store.insert_messages(&[NewMessage { key: key.clone(), seen: false, raw }]).unwrap();
    (store, key)
}

#[test]
fn set_seen_changes_the_cache_and_queues_the_change_for_the_server() {
    let (store, key) = store_with_a_server_account();
    let state = AppState::with_store(store, user_masks()).unwrap();
    let (app, webview) = mock_app(state);
    let reference = json!({"account": "acct", "mailbox": "INBOX", "uidValidity": 9, "uid": 4});
    call(&webview, "set_seen", json!({"message": reference, "seen": true})).unwrap();
    let store = &app.state::<AppState>().store;
    assert!(store.message(&key).unwrap().unwrap().0.seen);
    assert_eq!(store.pending_flags("acct", "INBOX", 9).unwrap(), [(4, true)]);
    call(&webview, "set_seen", json!({"message": reference, "seen": false})).unwrap();
    assert_eq!(store.pending_flags("acct", "INBOX", 9).unwrap(), [(4, false)], "the newest wish waits");
}

#[test]
fn set_seen_on_the_demo_only_changes_the_cache() {
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let (app, webview) = mock_app(state);
    let key = tidings_demo::demo_key(1);
    let reference = json!({"account": "demo", "mailbox": "INBOX", "uidValidity": key.uid_validity, "uid": 1});
    call(&webview, "set_seen", json!({"message": reference, "seen": false})).unwrap();
    let store = &app.state::<AppState>().store;
    assert!(!store.message(&key).unwrap().unwrap().0.seen);
    assert!(store.pending_flags("demo", "INBOX", key.uid_validity).unwrap().is_empty());
}

#[test]
fn a_missing_message_is_a_not_found_error() {
    let missing = json!({"account": "demo", "mailbox": "INBOX", "uidValidity": 1, "uid": 9999});
    let error = invoke("open_message", json!({ "message": missing })).unwrap_err();
    assert_eq!(error["code"], "not_found");
    assert!(error["message"].as_str().unwrap().contains("9999"));
}

/// `open_link` with a browser that only records what it was asked to open.
fn open_links(urls: &[&str]) -> (Vec<Result<Value, Value>>, Vec<String>) {
    let calls: Vec<(&str, Value)> = urls.iter().map(|url| ("open_link", json!({ "url": url }))).collect();
    calls_with_browser(&calls)
}

/// Runs `calls` on an app whose browser only records the links it is asked to open.
fn calls_with_browser(calls: &[(&str, Value)]) -> (Vec<Result<Value, Value>>, Vec<String>) {
    let opened = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorder = opened.clone();
    let browser = crate::links::Browser::new(move |url| {
        recorder.lock().unwrap().push(url.to_string());
        Ok(())
    });
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let app =
        app_builder(mock_builder()).manage(state).manage(browser).build(mock_context(noop_assets())).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let answers = calls.iter().map(|(command, args)| call(&webview, command, args.clone())).collect();
    let opened = opened.lock().unwrap().clone();
    (answers, opened)
}

#[test]
fn open_link_opens_only_plain_web_and_mail_links() {
    let refused = [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>x</script>",
        "not a link",
        "tauri://localhost/index.html",
        "https://paypal.com@evil.example/",
    ];
    let accepted =
        ["https://harbourlanebooks.invalid/picks/november?utm_source=newsletter", "mailto:a@b.example"];
    let (answers, opened) = open_links(&[&refused[..], &accepted[..]].concat());
    for (url, answer) in refused.iter().zip(&answers) {
        let error = answer.as_ref().unwrap_err();
        assert_eq!(error["code"], "link_refused", "{url}: {error}");
        assert!(error["message"].as_str().unwrap().ends_with('.'), "{error}");
    }
    for (url, answer) in accepted.iter().zip(&answers[refused.len()..]) {
        assert_eq!(answer.as_ref().unwrap(), &Value::Null, "{url}");
    }
    assert_eq!(opened, accepted, "only the accepted links reach the browser, unchanged");
}

#[test]
fn a_browser_that_cannot_start_is_a_browser_error() {
    let browser = crate::links::Browser::new(|_| Err("no xdg-open".into()));
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let app =
        app_builder(mock_builder()).manage(state).manage(browser).build(mock_context(noop_assets())).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    let error = call(&webview, "open_link", json!({ "url": "https://example.com/" })).unwrap_err();
    assert_eq!(error["code"], "browser");
    assert!(error["message"].as_str().unwrap().contains("no xdg-open"), "{error}");
}

/// One row of the quote-header table in `assets/demo/README.md`.
struct ExpectedQuote {
    file: String,
    kind: String,
    name: String,
    email: Option<String>,
    date: String,
    time: String,
}

fn demo_ground_truth() -> Vec<ExpectedQuote> {
    let readme = include_str!("../assets/demo/README.md");
    let table = readme.split("## Quote headers").nth(1).expect("the README has a quote-header table");
    table
        .lines()
        .filter(|line| line.starts_with("| ") && line.contains(".eml"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            ExpectedQuote {
                file: cells[1].to_owned(),
                kind: cells[3].to_owned(),
                name: cells[4].to_owned(),
                email: (cells[5] != "—").then(|| cells[5].to_owned()),
                date: cells[6].to_owned(),
                time: cells[7].to_owned(),
            }
        })
        .collect()
}

#[test]
fn every_demo_quote_header_is_read_as_the_demo_readme_says() {
    let truth = demo_ground_truth();
    assert!(truth.len() >= 25, "the table has {} rows", truth.len());
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let calls: Vec<(&str, Value)> = (1..=tidings_demo::DEMO_MESSAGES.len() as u32)
        .map(|uid| {
            let key = tidings_demo::demo_key(uid);
            let reference = json!({
                "account": key.account, "mailbox": key.mailbox, "uidValidity": key.uid_validity, "uid": uid,
            });
            ("open_message", json!({ "message": reference }))
        })
        .collect();
    let views = invoke_with(state, &calls);
    let mut mismatches = Vec::new();
    for ((file, _), view) in tidings_demo::DEMO_MESSAGES.iter().zip(views) {
        let view = view.unwrap();
        let found: Vec<String> = view["quotes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|quote| {
                format!(
                    "{} {} <{}> {} {}",
                    quote["kind"].as_str().unwrap(),
                    quote["name"].as_str().unwrap_or("?"),
                    quote["email"].as_str().unwrap_or("—"),
                    quote["date"].as_str().unwrap_or("?"),
                    quote["time"].as_str().unwrap_or("?"),
                )
            })
            .collect();
        let expected: Vec<String> = truth
            .iter()
            .filter(|row| row.file == *file)
            .map(|row| {
                let email = row.email.as_deref().unwrap_or("—");
                format!("{} {} <{email}> {} {}", row.kind, row.name, row.date, row.time)
            })
            .collect();
        if found != expected {
            mismatches.push(format!("{file}:\n  found    {found:?}\n  expected {expected:?}"));
        }
        let document = view["bodyDocument"].as_str().unwrap();
        let blocks = document.matches("class=\"tidings-header\"").count();
        assert_eq!(blocks, found.len() + 1, "{file}: one uniform block per quote header plus the top one");
    }
    assert!(
        mismatches.is_empty(),
        "quote headers not as in assets/demo/README.md:\n{}",
        mismatches.join("\n")
    );
}

/// The reference of the demo message stored from `assets/demo/{prefix}…`.
fn demo_ref(prefix: &str) -> Value {
    let index = tidings_demo::DEMO_MESSAGES.iter().position(|(file, _)| file.starts_with(prefix)).unwrap();
    let key = tidings_demo::demo_key(index as u32 + 1);
    json!({"account": key.account, "mailbox": key.mailbox, "uidValidity": key.uid_validity, "uid": key.uid})
}

/// Opens `message` and fetches its voicemail audio on one app.
fn open_with_audio(
    state: AppState,
    message: Value,
) -> (Result<Value, Value>, Result<InvokeResponseBody, Value>) {
    let (_app, webview) = mock_app(state);
    let view = call(&webview, "open_message", json!({ "message": message }));
    let audio = call_body(&webview, "voicemail_audio", json!({ "message": message }));
    (view, audio)
}

/// `(sample rate, channels, seconds)` of a 16-bit PCM WAV as `to_wav` writes it.
fn wav_shape(body: InvokeResponseBody) -> (u32, u16, f64) {
    let InvokeResponseBody::Raw(wav) = body else {
        panic!("voicemail_audio must answer raw bytes, not JSON")
    };
    assert_eq!((&wav[..4], &wav[8..12], &wav[36..40]), (&b"RIFF"[..], &b"WAVE"[..], &b"data"[..]));
    let rate = u32::from_le_bytes(wav[24..28].try_into().unwrap());
    let channels = u16::from_le_bytes(wav[22..24].try_into().unwrap());
    let data = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
    assert_eq!(data, wav.len() - 44);
    (rate, channels, data as f64 / 2.0 / f64::from(channels) / f64::from(rate))
}

fn state() -> AppState {
    AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap()
}

#[test]
fn the_amr_nb_voicemail_opens_with_its_caller_and_plays_as_8_khz_wav() {
    let (view, audio) = open_with_audio(state(), demo_ref("20-"));
    let voicemail = &view.unwrap()["voicemail"];
    assert_eq!(voicemail["kind"], "voice", "{voicemail}");
    let caller = voicemail["caller"].as_str().unwrap();
    assert_eq!(caller.chars().filter(char::is_ascii_digit).collect::<String>(), "15551234567", "{caller}");
    assert_eq!(voicemail["declaredDuration"], 12);
    assert_eq!(voicemail["hasAudio"], true);
    let measured = voicemail["duration"].as_f64().unwrap();
    assert!((measured - 12.16).abs() < 0.01, "{measured}");
    let (rate, channels, seconds) = wav_shape(audio.unwrap());
    assert_eq!((rate, channels), (8000, 1));
    assert!((seconds - 12.16).abs() < 0.01, "{seconds}");
}

#[test]
fn the_amr_wb_voicemail_has_its_transcription_and_plays_as_16_khz_wav() {
    let (view, audio) = open_with_audio(state(), demo_ref("21-"));
    let voicemail = &view.unwrap()["voicemail"];
    assert!(voicemail["transcription"].as_str().unwrap().contains("Hannah from the garage"), "{voicemail}");
    assert!((voicemail["duration"].as_f64().unwrap() - 11.24).abs() < 0.01, "{voicemail}");
    assert_eq!(voicemail["importance"], "normal");
    assert_eq!(voicemail["faxPages"], Value::Null);
    let (rate, channels, seconds) = wav_shape(audio.unwrap());
    assert_eq!((rate, channels), (16000, 1));
    assert!((seconds - 11.24).abs() < 0.01, "{seconds}");
}

#[test]
fn a_fax_counts_its_pages_and_ordinary_mail_has_no_voicemail_part() {
    let (fax, _) = open_with_audio(state(), demo_ref("19-"));
    let fax = fax.unwrap();
    assert_eq!(fax["voicemail"]["kind"], "fax");
    assert_eq!(fax["voicemail"]["faxPages"], 1);
    assert_eq!(fax["voicemail"]["hasAudio"], false);
    let (mail, audio) = open_with_audio(state(), demo_ref("01-"));
    assert_eq!(mail.unwrap()["voicemail"], Value::Null);
    assert_eq!(audio.unwrap_err()["code"], "not_found");
}

#[test]
fn corrupt_voicemail_audio_is_an_audio_error_not_a_panic() {
    let store = Store::open_temporary().unwrap();
    // 0x87 is never an AMR frame header (padding bits set): the file has no whole frame.
    let mut raw = b"From: +1 555 000 1111 <VOICE=+15550001111@vvm.example.net>\r\n\
        To: you@example.org\r\nSubject: Voice message\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\
        Message-Context: voice-message\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/voice-message; boundary=b\r\n\r\n--b\r\n\
        Content-Type: audio/amr\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    let corrupt: Vec<u8> = b"#!AMR\n".iter().copied().chain(std::iter::repeat_n(0x87, 300)).collect();
    raw.extend(STANDARD.encode(&corrupt).into_bytes());
    raw.extend_from_slice(b"\r\n--b--\r\n");
    let key = tidings_store::MessageKey {
        account: "demo".into(),
        mailbox: "INBOX".into(),
        uid_validity: 1,
        uid: 900,
    };
    let message = json!({"account": "demo", "mailbox": "INBOX", "uidValidity": 1, "uid": 900});
    let state = AppState::with_store(store, user_masks()).unwrap();
    state.store.insert_messages(&[tidings_store::NewMessage { key, seen: false, raw }]).unwrap();
    let (view, audio) = open_with_audio(state, message);
    let voicemail = &view.unwrap()["voicemail"];
    assert_eq!((voicemail["hasAudio"].clone(), voicemail["duration"].clone()), (json!(true), Value::Null));
    let error = audio.unwrap_err();
    assert_eq!(error["code"], "audio", "{error}");
    assert!(error["message"].as_str().unwrap().contains("AMR"), "{error}");
}

// Accounts against a real Dovecot on loopback (tidings-testkit; needs `/usr/sbin/dovecot` and
// root). What stores a password runs only under `tests/support/keyring-session.sh`, which sets
// `TIDINGS_KEYRING_SESSION=1` and starts a throw-away gnome-keyring on a private D-Bus; elsewhere
// those tests print a skip line and return, so the user's own keyring is never touched. The
// failure tests stop before the keyring, so they run everywhere.

/// A password no other text in a response could contain by chance.
const PASSWORD: &str = "Ipc-grep-me-if-you-can-4b1e";

/// The dialect `list_accounts` shows for account `email`.
fn listed_dialect(step: &dyn Fn(&str, Value) -> Result<Value, Value>, email: &str) -> Value {
    let accounts = step("list_accounts", json!({})).unwrap();
    accounts.as_array().unwrap().iter().find(|a| a["id"] == email).expect("listed")["dialect"].clone()
}

fn in_keyring_session() -> bool {
    let inside = std::env::var("TIDINGS_KEYRING_SESSION").is_ok_and(|v| v == "1");
    if !inside {
        println!("skipped: run under tests/support/keyring-session.sh");
    }
    inside
}

fn dovecot() -> tidings_testkit::Dovecot {
    let users = vec![("alice".to_owned(), PASSWORD.to_owned())];
    let options = tidings_testkit::DovecotOptions { tls: true, users, ..Default::default() };
    tidings_testkit::Dovecot::start(options).unwrap_or_else(|e| panic!("{e}"))
}

fn fingerprint(dovecot: &tidings_testkit::Dovecot) -> String {
    let sha256 = dovecot.cert_sha256().expect("a TLS test server has a certificate");
    sha256.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn add_args(email: &str, password: &str, port: u16, accept: Option<&str>) -> Value {
    json!({
        "email": email,
        "password": password,
        "server": {"host": "127.0.0.1", "port": port, "security": "tls", "username": "alice"},
        "acceptCertificate": accept,
    })
}

fn assert_no_password(answers: &[Result<Value, Value>]) {
    for answer in answers {
        let text = match answer {
            Ok(value) | Err(value) => value.to_string(),
        };
        assert!(!text.contains(PASSWORD), "the password crossed IPC: {text}");
    }
}

#[test]
fn an_account_is_added_over_tls_listed_with_its_dialect_synced_and_removed() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = dovecot();
    let messages: Vec<Vec<u8>> = (1..4)
        .map(|i| {
            format!(
                "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Message {i}\r\n\
                 Date: Tue, 24 Nov 2026 10:0{i}:00 +0000\r\nMessage-ID: <ipc{i}@example.org>\r\n\r\nBody {i}.\r\n"
            )
            .into_bytes()
        })
        .collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed("alice", "INBOX", &refs).unwrap();
    let email = format!("alice+ipc-{}@example.org", std::process::id());
    let port = dovecot.imaps_port().unwrap();
    let pin = fingerprint(&dovecot);
    let (app, webview) =
        mock_app(AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap());
    let step = |command: &str, args: Value| {
        let answer = call(&webview, command, args);
        assert_no_password(std::slice::from_ref(&answer));
        answer
    };

    let added = step("add_account", add_args(&email, PASSWORD, port, Some(&pin))).unwrap();
    assert_eq!(added["account"]["id"], email.as_str());
    assert_eq!(added["account"]["server"]["security"], "tls");
    assert_eq!(added["account"]["server"]["username"], "alice");
    assert_eq!(added["account"]["server"]["certificateSha256"], pin.as_str());
    assert_eq!(added["dialect"]["name"], "imap4rev1");
    assert!(!added["dialect"]["evidence"].as_array().unwrap().is_empty(), "{added}");
    let id_keys: Vec<&str> =
        added["clientId"].as_array().unwrap().iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(id_keys[..2], ["name", "version"]);
    assert_eq!(added["clientId"][0]["value"], "Tidings");
    let keychain = tidings_keychain::Keychain::new("org.tidings.desktop");
    assert_eq!(keychain.get(&email).unwrap().as_deref(), Some(PASSWORD), "the password is in the keyring");
    let again = step("add_account", add_args(&email, PASSWORD, port, Some(&pin))).unwrap_err();
    assert_eq!(again["code"], "invalid_input", "the account exists already: {again}");

    let accounts = step("list_accounts", json!({})).unwrap();
    let ours =
        accounts.as_array().unwrap().iter().find(|a| a["id"] == email.as_str()).expect("listed").clone();
    assert_eq!(ours["isDemo"], false);
    assert_eq!(ours["dialect"]["name"], "imap4rev1");

    let synced = step("sync_account", json!({"id": email, "mailbox": "INBOX"})).unwrap();
    assert_eq!((synced["new"].as_u64(), synced["messages"].as_u64()), (Some(3), Some(3)), "{synced}");
    assert_eq!((synced["changed"].as_u64(), synced["expunged"].as_u64()), (Some(0), Some(0)));
    let rows = step("list_messages", json!({"account": email, "mailbox": "INBOX"})).unwrap();
    let mut subjects: Vec<&str> =
        rows["rows"].as_array().unwrap().iter().map(|r| r["subject"].as_str().unwrap()).collect();
    subjects.sort_unstable();
    assert_eq!(subjects, ["Message 1", "Message 2", "Message 3"]);
    let again = step("sync_account", json!({"id": email, "mailbox": "INBOX"})).unwrap();
    assert_eq!(again["new"], 0, "a second sync fetches nothing");
    // The dialect is kept in the cache (it is there after a restart), with the add's evidence.
    let dialect = listed_dialect(&step, &email);
    assert_eq!(dialect["name"], "imap4rev1");
    assert!(!dialect["evidence"].as_array().unwrap().is_empty(), "{dialect}");

    // A message the sync cached header-only (it fetches headers first) opens with its header
    // block, says its body is missing, and `fetch_body` brings the body from the server.
    let fourth = b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Message 4\r\n\
                   Message-ID: <ipc4@example.org>\r\n\r\nThe fourth body.\r\n";
    dovecot.seed("alice", "INBOX", &[fourth.as_slice()]).unwrap();
    let store = &app.state::<AppState>().store;
    let uid_validity = store.mailbox(&email, "INBOX").unwrap().unwrap().uid_validity;
    let key = MessageKey { account: email.clone(), mailbox: "INBOX".into(), uid_validity, uid: 4 };
    let header_end = fourth.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    store
        .insert_headers(&[tidings_store::FetchedHeaders {
            key: key.clone(),
            seen: false,
            flagged: false,
            server_thread: None,
            header: fourth[..header_end].to_vec(),
            attachments: 0,
        }])
        .unwrap();
    let reference = json!({"account": email, "mailbox": "INBOX", "uidValidity": uid_validity, "uid": 4});
    let partial = step("open_message", json!({ "message": reference })).unwrap();
    assert_eq!(partial["bodyMissing"], true);
    assert_eq!(partial["row"]["subject"], "Message 4");
    assert!(!partial["bodyDocument"].as_str().unwrap().contains("The fourth body."));
    assert_eq!(step("fetch_body", json!({ "message": reference })).unwrap(), true);
    let whole = step("open_message", json!({ "message": reference })).unwrap();
    assert_eq!(whole["bodyMissing"], false);
    assert!(whole["bodyDocument"].as_str().unwrap().contains("The fourth body."), "{whole}");

    step("remove_account", json!({"id": email})).unwrap();
    assert_eq!(keychain.get(&email).unwrap(), None, "the keyring entry is gone");
    let accounts = step("list_accounts", json!({})).unwrap();
    assert!(accounts.as_array().unwrap().iter().all(|a| a["id"] != email.as_str()));
    let gone = step("sync_account", json!({"id": email, "mailbox": "INBOX"})).unwrap_err();
    assert_eq!(gone["code"], "not_found");
}

#[test]
fn a_wrong_password_is_refused_with_its_code_and_nothing_is_saved() {
    let dovecot = dovecot();
    let pin = fingerprint(&dovecot);
    let port = dovecot.imaps_port().unwrap();
    let state = AppState::with_store(Store::open_temporary().unwrap(), user_masks()).unwrap();
    let answers = invoke_with(
        state,
        &[
            ("add_account", add_args("alice@example.org", "not the password", port, Some(&pin))),
            ("list_accounts", json!({})),
        ],
    );
    assert_no_password(&answers);
    let error = answers[0].as_ref().unwrap_err();
    assert_eq!(error["code"], "wrong_password", "{error}");
    assert!(error["message"].as_str().unwrap().contains("alice"), "{error}");
    let accounts = answers[1].as_ref().unwrap().as_array().unwrap();
    assert_eq!(accounts.len(), 1, "only the demo: {accounts:?}");
}

#[test]
fn an_untrusted_certificate_is_reported_with_its_fingerprint() {
    let dovecot = dovecot();
    let pin = fingerprint(&dovecot);
    let port = dovecot.imaps_port().unwrap();
    let error = invoke("add_account", add_args("alice@example.org", PASSWORD, port, None)).unwrap_err();
    assert_eq!(error["code"], "untrusted_certificate", "{error}");
    assert_eq!(error["fingerprint"], pin.as_str());
    assert!(error["message"].as_str().unwrap().contains(&pin), "{error}");
    assert!(!error.to_string().contains(PASSWORD));
}

#[test]
fn bad_input_and_unreachable_servers_have_their_codes() {
    let error = invoke("add_account", json!({"email": "not an address", "password": "x"})).unwrap_err();
    assert_eq!(error["code"], "invalid_input", "{error}");
    let bad_security = json!({
        "email": "a@example.org", "password": "x",
        "server": {"host": "127.0.0.1", "port": 1, "security": "carrier-pigeon"},
    });
    assert_eq!(invoke("add_account", bad_security).unwrap_err()["code"], "invalid_input");
    // A free port that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let closed = json!({
        "email": "a@example.org", "password": "x",
        "server": {"host": "127.0.0.1", "port": port, "security": "tls"},
    });
    assert_eq!(invoke("add_account", closed).unwrap_err()["code"], "unreachable");
    let demo = invoke("sync_account", json!({"id": "demo", "mailbox": "INBOX"})).unwrap_err();
    assert_eq!(demo["code"], "invalid_input", "{demo}");
}

// The mask settings panel.

/// An app whose mask files live in `dir`, and whose exports go to `dir/exports`.
fn state_with_masks(dir: &std::path::Path) -> AppState {
    let mut state =
        AppState::with_store(Store::open_temporary().unwrap(), UserMasks::load(&dir.join("masks"))).unwrap();
    state.export_dir = dir.join("exports");
    state
}

fn quote_masks(view: &Value) -> Vec<String> {
    view["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|quote| quote["mask"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_shipped_language_is_listed_unedited_with_its_masks() {
    let settings = invoke("list_mask_sets", json!({})).unwrap();
    let sets = settings["sets"].as_array().unwrap();
    for id in ["en", "de", "fr", "es", "ru", "ja", "zh", "pt-BR", "common"] {
        let set = sets.iter().find(|set| set["id"] == id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!((set["edited"].clone(), set["shipped"].clone()), (json!(false), json!(true)), "{set}");
        assert!(set["masks"].as_u64().unwrap() > 0, "{set}");
    }
    assert!(sets.len() >= 25, "{} languages", sets.len());
    assert_eq!(settings["problems"], json!([]));
}

#[test]
fn a_mask_added_in_the_editor_previews_saves_changes_the_thread_view_and_resets() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = mock_app(state_with_masks(dir.path()));
    let english = call(&webview, "get_mask_file", json!({"id": "en"})).unwrap();
    let attributions = &english["lists"][0];
    assert_eq!(attributions["list"], "attributions");
    let rows = attributions["entries"].as_array().unwrap().len();

    let sample = json!({"kind": "text", "text": "Quoth Ann Lee <ann@example.com> on 3 March 2024:"});
    let before =
        call(&webview, "preview_mask_file", json!({"text": english["text"], "sample": sample})).unwrap();
    assert_eq!(before["matchedBy"], Value::Null, "{before}");

    let edit = json!({"action": "add", "list": "attributions", "pattern": "Quoth {sender} on {date}:"});
    let draft = call(&webview, "edit_mask_file", json!({"text": english["text"], "edit": edit})).unwrap();
    assert_eq!(draft["lists"][0]["entries"].as_array().unwrap().len(), rows + 1);
    assert!(draft["text"].as_str().unwrap().contains("# English."), "comments are kept");
    let after =
        call(&webview, "preview_mask_file", json!({"text": draft["text"], "sample": sample})).unwrap();
    assert_eq!(after["matchedBy"], "draft", "{after}");
    let quote = &after["quotes"][0];
    assert_eq!(quote["mask"], format!("en/attribution-{}", rows + 1));
    assert_eq!(
        (quote["name"].clone(), quote["email"].clone(), quote["date"].clone()),
        (json!("Ann Lee"), json!("ann@example.com"), json!("2024-03-03"))
    );

    // Switching off the mask the Apple Mail reply of the patent thread is read with changes
    // that message's header once saved, not before.
    let message = demo_ref("02-");
    let opened = call(&webview, "open_message", json!({"message": message})).unwrap();
    let mask = quote_masks(&opened)[0].clone();
    let (language, number) = mask.split_once("/attribution-").unwrap();
    assert_eq!(language, "en", "{mask}");
    let index = number.parse::<usize>().unwrap() - 1;
    let edit = json!({"action": "set_enabled", "list": "attributions", "index": index, "enabled": false});
    let draft = call(&webview, "edit_mask_file", json!({"text": draft["text"], "edit": edit})).unwrap();
    assert_eq!(draft["lists"][0]["entries"][index]["enabled"], false);
    let preview = call(
        &webview,
        "preview_mask_file",
        json!({"text": draft["text"], "sample": {"kind": "message", "message": message}}),
    )
    .unwrap();
    assert!(!quote_masks(&preview).contains(&mask), "{preview}");
    assert_eq!(quote_masks(&call(&webview, "open_message", json!({"message": message})).unwrap())[0], mask);

    let saved = call(&webview, "save_mask_file", json!({"text": draft["text"]})).unwrap();
    assert_eq!(saved["id"], "en");
    let english_set =
        saved["settings"]["sets"].as_array().unwrap().iter().find(|set| set["id"] == "en").unwrap().clone();
    assert_eq!(english_set["edited"], true);
    assert!(dir.path().join("masks/en.toml").exists());
    let reopened = call(&webview, "open_message", json!({"message": message})).unwrap();
    assert_eq!(
        quote_masks(&reopened),
        quote_masks(&preview),
        "the thread view shows what the preview showed"
    );

    let reset = call(&webview, "reset_mask_file", json!({"id": "en"})).unwrap();
    assert!(reset["sets"].as_array().unwrap().iter().any(|set| set["id"] == "en" && set["edited"] == false));
    assert!(!dir.path().join("masks/en.toml").exists());
    assert_eq!(quote_masks(&call(&webview, "open_message", json!({"message": message})).unwrap())[0], mask);
}

#[test]
fn a_broken_draft_is_shown_with_its_line_and_never_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = mock_app(state_with_masks(dir.path()));
    let broken = "id = \"en\"\nname = \"English\"\nattributions = [\n  \"On {date}, {sender wrote:\",\n]\n";
    let sample = json!({"kind": "text", "text": "On 3 March 2024, Ann <ann@example.com> wrote:"});
    let preview = call(&webview, "preview_mask_file", json!({"text": broken, "sample": sample})).unwrap();
    assert_eq!(preview["problem"]["line"], 4, "{preview}");
    assert!(preview["problem"]["message"].as_str().unwrap().contains('{'), "{preview}");
    assert_eq!(preview["quotes"], json!([]));
    let unparsable =
        call(&webview, "preview_mask_file", json!({"text": "id = [", "sample": sample})).unwrap();
    assert_eq!(unparsable["problem"]["line"], 1, "{unparsable}");

    let error = call(&webview, "save_mask_file", json!({"text": broken})).unwrap_err();
    assert_eq!(error["code"], "invalid_input");
    assert!(error["message"].as_str().unwrap().starts_with("en.toml:4:"), "{error}");
    assert!(!dir.path().join("masks").exists(), "nothing written");
    let settings = call(&webview, "list_mask_sets", json!({})).unwrap();
    assert!(settings["sets"].as_array().unwrap().iter().all(|set| set["edited"] == false));
}

#[test]
fn imports_check_size_encoding_and_masks_and_exports_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, webview) = mock_app(state_with_masks(dir.path()));
    let import = |bytes: Vec<u8>| call(&webview, "import_mask_file", json!({ "bytes": bytes }));

    let huge = format!("id = \"xx\"\nname = \"x\"\n# {}\n", "a".repeat(10 << 20)).into_bytes();
    let error = import(huge).unwrap_err();
    assert!(error["message"].as_str().unwrap().contains("at most 256 KB"), "{error}");
    let error = import(vec![b'i', b'd', 0xff, 0xfe]).unwrap_err();
    assert!(error["message"].as_str().unwrap().contains("not UTF-8"), "{error}");
    let error =
        import(b"id = \"xx\"\nname = \"x\"\nattributions = [\"no placeholder:\"]\n".to_vec()).unwrap_err();
    assert!(error["message"].as_str().unwrap().contains("needs {date}"), "{error}");

    // A new language with markup in its name and patterns: accepted as data, never as markup.
    let hostile = "id = \"xx\"\nname = \"<img src=x onerror=alert(1)>\"\n\
                   attributions = [\"<b>{sender}</b> schreef op {date}:\"]\n";
    let saved = import(hostile.as_bytes().to_vec()).unwrap();
    assert_eq!(saved["id"], "xx");
    let sample = json!({"kind": "text", "text": "<b>Ann Lee <ann@example.com></b> schreef op 2024-03-03:"});
    let preview = call(&webview, "preview_mask_file", json!({"text": hostile, "sample": sample})).unwrap();
    assert_eq!(preview["quotes"][0]["mask"], "xx/attribution-1", "{preview}");
    assert_eq!(preview["quotes"][0]["name"], "Ann Lee", "{preview}");

    let first = call(&webview, "export_mask_file", json!({"id": "xx"})).unwrap();
    let second = call(&webview, "export_mask_file", json!({"id": "xx"})).unwrap();
    assert_ne!(first, second);
    for path in [&first, &second] {
        assert_eq!(std::fs::read_to_string(path.as_str().unwrap()).unwrap(), hostile);
    }
    let removed = call(&webview, "reset_mask_file", json!({"id": "xx"})).unwrap();
    assert!(
        removed["sets"].as_array().unwrap().iter().all(|set| set["id"] != "xx"),
        "a user-only language goes away"
    );
}

// Settings and remote images.

#[test]
fn remote_images_stay_blocked_until_asked_for_once_or_allowed_for_the_sender() {
    let newsletter = demo_ref("17-");
    let other = demo_ref("22-");
    let calls = [
        ("open_message", json!({ "message": newsletter })),
        ("open_message", json!({ "message": newsletter, "allowRemoteImages": true })),
        ("open_message", json!({ "message": newsletter })),
        ("allow_remote_sender", json!({ "email": "News@HarbourLaneBooks.invalid" })),
        ("open_message", json!({ "message": newsletter })),
        ("open_message", json!({ "message": other })),
        ("get_settings", json!({})),
    ];
    let answers: Vec<Value> = invoke_with(state(), &calls).into_iter().map(Result::unwrap).collect();
    let remote = |answer: &Value| {
        (answer["remoteImages"]["blocked"].as_u64().unwrap(), answer["remoteImages"]["allowed"].clone())
    };
    let document = |answer: &Value| answer["bodyDocument"].as_str().unwrap().to_owned();

    assert_eq!(remote(&answers[0]), (2, json!(false)));
    assert!(!document(&answers[0]).contains("harbourlanebooks.invalid/img"), "blocked by default");
    assert!(document(&answers[0]).contains("img-src data:;"), "{}", document(&answers[0]));
    // Asked once: this rendering only, with a CSP that lets images (and nothing else) load.
    assert_eq!(remote(&answers[1]), (0, json!(true)));
    assert!(document(&answers[1]).contains("src=\"https://cdn.harbourlanebooks.invalid/img/logo-2x.png\""));
    assert!(document(&answers[1]).contains("img-src data: http: https:;"));
    assert!(document(&answers[1]).contains("default-src 'none'"));
    assert_eq!(remote(&answers[2]), (2, json!(false)), "asking once is not remembered");
    // Allowed for the sender (any case): remembered.
    assert_eq!(answers[3]["allowedSenders"], json!(["news@harbourlanebooks.invalid"]));
    assert_eq!(remote(&answers[4]), (0, json!(true)));
    assert_eq!(remote(&answers[5]).1, json!(false), "other senders stay blocked");
    assert_eq!(answers[6]["settings"]["allowedSenders"], json!(["news@harbourlanebooks.invalid"]));
}

#[test]
fn display_settings_change_the_header_blocks_and_bad_ones_are_refused() {
    let message = demo_ref("02-");
    let settings = json!({
        "theme": "dark", "hour12": true, "dateFormat": "%d.%m.%Y", "avatarSize": 24,
        "remoteImages": "block", "allowedSenders": [],
    });
    let calls = [
        ("open_message", json!({ "message": message })),
        ("save_settings", json!({ "settings": settings })),
        ("open_message", json!({ "message": message })),
        ("save_settings", json!({ "settings": { "dateFormat": "%Q", "avatarSize": 24 } })),
        ("save_settings", json!({ "settings": { "avatarSize": 9000 } })),
        ("get_settings", json!({})),
    ];
    let answers = invoke_with(state(), &calls);
    let before = answers[0].as_ref().unwrap()["bodyDocument"].as_str().unwrap().to_owned();
    assert!(before.contains("2014-04-04") && before.contains("13:01"), "{before}");
    assert_eq!(answers[1].as_ref().unwrap()["theme"], "dark");
    let after = answers[2].as_ref().unwrap()["bodyDocument"].as_str().unwrap().to_owned();
    assert!(after.contains("04.04.2014"), "the chosen date format: {after}");
    assert!(after.contains("1:01"), "a 12-hour clock: {after}");
    assert!(after.contains("width=\"24\""), "the chosen avatar size: {after}");
    for refused in [&answers[3], &answers[4]] {
        let error = refused.as_ref().unwrap_err();
        assert_eq!(error["code"], "invalid_input", "{error}");
    }
    assert_eq!(
        answers[5].as_ref().unwrap()["settings"]["dateFormat"],
        "%d.%m.%Y",
        "the refused ones changed nothing"
    );
}

#[test]
fn a_damaged_cache_is_rebuilt_at_start_keeps_its_accounts_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    {
        let store = Store::open(&data.path().join("cache")).unwrap();
        store
            .put_account(&tidings_store::Account {
                id: "ann@example.org".into(),
                display_name: "Ann".into(),
                email: "ann@example.org".into(),
                is_demo: false,
                server: None,
                voicemail: None,
            })
            .unwrap();
    }
    std::fs::write(data.path().join("cache/conf"), b"\xff garbage \x00").unwrap();
    std::fs::write(data.path().join("cache/db"), vec![0xa5; 4096]).unwrap();
    let state = AppState::open(data.path()).unwrap();
    let answers = invoke_with(state, &[("startup_notices", json!({})), ("list_accounts", json!({}))]);
    let notices = answers[0].as_ref().unwrap().as_array().unwrap().clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = notices[0].as_str().unwrap();
    assert!(notice.starts_with("The mail cache could not be opened"), "{notice}");
    assert!(notice.contains("the account was kept"), "{notice}");
    let accounts = answers[1].as_ref().unwrap().as_array().unwrap().clone();
    let ids: Vec<&str> = accounts.iter().map(|account| account["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ann@example.org"], "the account is back, and no demo mailbox replaces it");
}

#[test]
fn a_status_sms_fills_the_account_form_and_a_bad_one_says_why() {
    let sms = "//VVM:STATUS:st=R;rc=0;srv=vvm.example.net;ipt=993;u=15551234567;pw=box;g_len=60;pw_len=4-8";
    let fill = invoke("read_status_sms", json!({ "text": sms })).unwrap();
    assert_eq!(fill["email"], "15551234567@vvm.example.net");
    assert_eq!(fill["host"], "vvm.example.net");
    assert_eq!(fill["port"], 993);
    assert_eq!(fill["security"], "tls");
    assert_eq!(fill["voicemail"]["declaredDialect"], "omtp-vvm13");
    assert_eq!(fill["voicemail"]["maxGreetingSeconds"], 60);
    assert_eq!(fill["voicemail"]["tuiPasswordLength"], json!([4, 8]));

    let error =
        invoke("read_status_sms", json!({ "text": "//VVM:STATUS:st=R;rc=4;srv=a;u=b;pw=c" })).unwrap_err();
    assert_eq!(error["code"], "invalid_input");
    assert!(error["message"].as_str().unwrap().contains("not activated"), "{error}");
}

#[test]
fn a_voicemail_is_heard_when_played_not_when_opened_and_exports_as_wav() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = state();
    state.export_dir = dir.path().join("downloads");
    let (_app, webview) = mock_app(state);
    let voicemail = demo_ref("21-");
    let view = call(&webview, "open_message", json!({ "message": voicemail })).unwrap();
    assert_eq!(view["row"]["seen"], false, "opening a voicemail must not mark it heard");
    let fax = call(&webview, "open_message", json!({ "message": demo_ref("19-") })).unwrap();
    assert_eq!(fax["row"]["seen"], true, "a fax has nothing to play: opening it reads it");

    let first = call(&webview, "export_voicemail_wav", json!({ "message": voicemail })).unwrap();
    let second = call(&webview, "export_voicemail_wav", json!({ "message": voicemail })).unwrap();
    let (first, second) = (PathBuf::from(first.as_str().unwrap()), PathBuf::from(second.as_str().unwrap()));
    assert_ne!(first, second, "a second export must not overwrite the first");
    for path in [&first, &second] {
        assert!(path.starts_with(dir.path().join("downloads")), "{path:?}");
        assert_eq!(path.extension().unwrap(), "wav");
        let wav = std::fs::read(path).unwrap();
        let (rate, channels, seconds) = wav_shape(InvokeResponseBody::Raw(wav));
        assert_eq!((rate, channels), (16000, 1));
        assert!((seconds - 11.24).abs() < 0.01, "{seconds}");
    }
    let mail = call(&webview, "export_voicemail_wav", json!({ "message": demo_ref("01-") }));
    assert_eq!(mail.unwrap_err()["code"], "not_found");
}

#[test]
fn a_fax_page_comes_as_png_and_callers_are_written_for_people() {
    let (_app, webview) = mock_app(state());
    let fax = demo_ref("19-");
    let view = call(&webview, "open_message", json!({ "message": fax })).unwrap();
    assert_eq!(view["voicemail"]["faxImages"], 1, "{}", view["voicemail"]);
    assert_eq!(view["voicemail"]["hasPdf"], false);
    let InvokeResponseBody::Raw(png) =
        call_body(&webview, "fax_page", json!({ "message": fax, "index": 0 })).unwrap()
    else {
        panic!("fax_page must answer raw bytes")
    };
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (width, height) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert_eq!((width, height), (400, 200), "the demo TIFF's one page, at its own size");
    let missing = call_body(&webview, "fax_page", json!({ "message": fax, "index": 1 }));
    assert_eq!(missing.unwrap_err()["code"], "not_found");
    let pdf = call(&webview, "export_fax_pdf", json!({ "message": fax }));
    assert_eq!(pdf.unwrap_err()["code"], "not_found");

    let voicemail = call(&webview, "open_message", json!({ "message": demo_ref("20-") })).unwrap();
    assert_eq!(voicemail["voicemail"]["callerDisplay"], "+1 555-123-4567");
    assert_eq!(voicemail["voicemail"]["callerName"], Value::Null, "the From name is only the number");
    assert_eq!(voicemail["voicemail"]["callerWithheld"], false);
}

#[test]
fn reply_reply_all_and_forward_open_the_mail_program_with_the_draft() {
    let message = demo_ref("02-");
    let calls: Vec<(&str, Value)> = ["reply", "reply-all", "forward", "delete"]
        .iter()
        .map(|kind| ("compose", json!({ "message": message, "kind": kind })))
        .collect();
    let (answers, opened) = calls_with_browser(&calls);
    assert!(answers[..3].iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(answers[3].as_ref().unwrap_err()["code"], "invalid_input");
    assert_eq!(opened.len(), 3, "{opened:?}");
    assert!(
        opened[0].starts_with("mailto:maria.s@sample2.com?subject=Re%3A%20IT%20coffee%20times&"),
        "{}",
        opened[0]
    );
    assert!(
        opened[0].contains("In-Reply-To=%3Citcoffee.2.20140404%40demo.tidings.invalid%3E"),
        "{}",
        opened[0]
    );
    assert!(opened[1].contains("&cc=andrew.p793@sample1.com"), "{}", opened[1]);
    assert!(
        opened[2].starts_with("mailto:?subject=Fwd%3A%20Re%3A%20IT%20coffee%20times&body="),
        "{}",
        opened[2]
    );
    assert!(opened.iter().all(|link| link.len() <= crate::links::MAX_LINK_LENGTH));
}

#[test]
fn a_whole_account_sync_needs_a_server_and_cancel_finds_none_running() {
    let (_app, webview) = mock_app(state());
    let cancelled = call(&webview, "cancel_sync", json!({ "id": "demo" })).unwrap();
    assert_eq!(cancelled, false, "no sync runs, so nothing is cancelled");
    let demo = call(&webview, "sync_all_folders", json!({ "id": "demo" })).unwrap_err();
    assert_eq!(demo["code"], "invalid_input", "{demo}");
    let accounts = call(&webview, "list_accounts", json!({})).unwrap();
    assert_eq!(accounts[0]["folders"], json!([]), "the demo has no server folder list");
}

#[test]
fn stars_deletes_and_the_threaded_list_of_the_demo() {
    let (_app, webview) = mock_app(state());
    let inbox = json!({ "account": "demo", "mailbox": "INBOX" });
    let threads = call(&webview, "list_threads", inbox.clone()).unwrap();
    let coffee = threads["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["latest"]["subject"].as_str().unwrap().contains("IT coffee times"))
        .expect("the IT coffee times thread is listed")
        .clone();
    assert_eq!(coffee["count"], 4, "{coffee}");
    assert_eq!(threads["total"].as_u64().unwrap() as usize, threads["rows"].as_array().unwrap().len());
    let messages =
        call(&webview, "thread_messages", json!({ "account": "demo", "thread": coffee["thread"] })).unwrap();
    let subjects: Vec<&str> =
        messages.as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(
        subjects,
        ["IT coffee times", "Re: IT coffee times", "Re: IT coffee times", "Re: IT coffee times"]
    );

    let first = demo_ref("01-");
    call(&webview, "set_flagged", json!({ "message": first, "flagged": true })).unwrap();
    let listed = call(&webview, "list_messages", inbox.clone()).unwrap();
    let row = listed["rows"].as_array().unwrap().iter().find(|row| row["message"] == first).unwrap().clone();
    assert_eq!(row["flagged"], true);

    let before = listed["total"].as_u64().unwrap();
    call(&webview, "delete_message", json!({ "message": first })).unwrap();
    let after = call(&webview, "list_messages", inbox.clone()).unwrap();
    assert_eq!(after["total"].as_u64().unwrap(), before - 1);
    assert!(after["rows"].as_array().unwrap().iter().all(|row| row["message"] != first));
    let threads = call(&webview, "list_threads", inbox).unwrap();
    let coffee_after = threads["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["thread"] == coffee["thread"])
        .unwrap()
        .clone();
    assert_eq!(coffee_after["count"], 3, "the deleted message left its thread too");
    assert_eq!(
        call(&webview, "delete_message", json!({ "message": first })).unwrap_err()["code"],
        "not_found"
    );
}

#[test]
fn delete_on_a_server_account_waits_for_a_known_trash_then_queues_a_move_there() {
    let (store, key) = store_with_a_server_account();
    let state = AppState::with_store(store, user_masks()).unwrap();
    let (app, webview) = mock_app(state);
    let reference = json!({"account": "acct", "mailbox": "INBOX", "uidValidity": 9, "uid": 4});
    let refused = call(&webview, "delete_message", json!({ "message": reference })).unwrap_err();
    assert_eq!(refused["code"], "invalid_input");
    assert!(refused["message"].as_str().unwrap().contains("No Trash folder is known"), "{refused}");
    let store = &app.state::<AppState>().store;
    assert!(store.message(&key).unwrap().is_some(), "nothing was deleted");

    let folder = |name: &str, role: Option<&str>| tidings_store::FolderRecord {
        name: name.into(),
        display_name: name.into(),
        role: role.map(str::to_owned),
        selectable: true,
    };
    store.put_folders("acct", &[folder("INBOX", Some("inbox")), folder("Trash", Some("trash"))]).unwrap();
    call(&webview, "delete_message", json!({ "message": reference })).unwrap();
    assert!(store.message(&key).unwrap().is_none(), "the message left the list");
    assert_eq!(
        store.pending_ops("acct", "INBOX", 9).unwrap(),
        [(4, tidings_store::PendingOp::Move { to: "Trash".into() })]
    );
}
