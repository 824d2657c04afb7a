//! Command wiring through real IPC on Tauri's mock runtime, against a temporary store holding the
//! demo mailbox.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;
use tidings_store::Store;

use crate::{app_builder, AppState};

fn invoke(command: &str, args: Value) -> Result<Value, Value> {
    let state = AppState::with_store(Store::open_temporary().unwrap()).unwrap();
    invoke_with(state, &[(command, args)]).pop().unwrap()
}

fn invoke_with(state: AppState, calls: &[(&str, Value)]) -> Vec<Result<Value, Value>> {
    let app = app_builder(mock_builder()).manage(state).build(mock_context(noop_assets())).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    calls
        .iter()
        .map(|(command, args)| {
            let request = InvokeRequest {
                cmd: (*command).into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: webview.url().unwrap(),
                body: InvokeBody::Json(args.clone()),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            get_ipc_response(&webview, request).map(|body| body.deserialize::<Value>().unwrap())
        })
        .collect()
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
    let rows = invoke("list_messages", json!({"account": "demo", "mailbox": "INBOX"})).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() >= 15, "{} rows", rows.len());
    let dates: Vec<i64> = rows.iter().map(|row| row["date"].as_i64().unwrap()).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "not newest first: {dates:?}");
    assert!(rows.iter().any(|row| row["seen"] == false), "the demo shows unread messages");
    assert!(rows.iter().all(|row| !row["sender"].as_str().unwrap().is_empty()));
}

#[test]
fn opening_a_message_marks_it_read_and_returns_a_locked_down_document() {
    let state = AppState::with_store(Store::open_temporary().unwrap()).unwrap();
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
    let rows = answers[1].as_ref().unwrap().as_array().unwrap();
    let row = rows.iter().find(|row| row["message"] == reference).unwrap();
    assert_eq!(row["seen"], true, "the read flag is stored");
}

#[test]
fn a_missing_message_is_a_not_found_error() {
    let missing = json!({"account": "demo", "mailbox": "INBOX", "uidValidity": 1, "uid": 9999});
    let error = invoke("open_message", json!({ "message": missing })).unwrap_err();
    assert_eq!(error["code"], "not_found");
    assert!(error["message"].as_str().unwrap().contains("9999"));
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
    let state = AppState::with_store(Store::open_temporary().unwrap()).unwrap();
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
