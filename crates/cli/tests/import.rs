//! `tidings import`: .eml files into a local account's folder, read back by `list` and `show`.

mod support;

use std::path::Path;

use support::{assert_fails, demo, json_of, stdout_of, tidings};

fn data_dir_args(dir: &Path) -> Vec<String> {
    vec!["--data-dir".into(), dir.to_str().unwrap().into()]
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = data_dir_args(dir);
    all.extend(args.iter().map(|arg| arg.to_string()));
    tidings(&all.iter().map(String::as_str).collect::<Vec<_>>(), None)
}

fn path(file: &Path) -> &str {
    file.to_str().unwrap()
}

#[test]
fn import_creates_a_local_account_and_folder_and_the_messages_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (demo("01-it-coffee-times.eml"), demo("22-invoice-overdue.eml"));
    let imported = json_of(&run(dir.path(), &["import", "--json", path(&first), path(&second)]));
    assert_eq!(imported["account"], "local");
    assert_eq!(imported["folder"], "INBOX");
    assert_eq!(imported["uids"], serde_json::json!([1, 2]));

    // Only the local account: an import is an account, so the demo is not imported beside it.
    let accounts = json_of(&run(dir.path(), &["account", "list", "--json"]));
    let ids: Vec<&str> = accounts.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["local"]);
    assert_eq!(accounts[0]["server"], serde_json::Value::Null);

    let listed = json_of(&run(dir.path(), &["list", "--json"]));
    let subjects: Vec<&str> =
        listed.as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects.len(), 2);
    assert!(subjects.contains(&"IT coffee times"), "{subjects:?}");
    let shown = stdout_of(&run(dir.path(), &["show", "--uid", "1"]));
    assert!(shown.contains("Subject: IT coffee times"), "{shown}");
}

#[test]
fn a_second_import_appends_with_new_uids_into_the_named_account_and_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo("18-spare-keys.eml");
    let args = ["import", "--json", "--account", "archive", "--folder", "2019"];
    let first = json_of(&run(dir.path(), &[&args[..], &[path(&file)]].concat()));
    let again = json_of(&run(dir.path(), &[&args[..], &[path(&file), path(&file)]].concat()));
    assert_eq!(first["uids"], serde_json::json!([1]));
    assert_eq!(again["uids"], serde_json::json!([2, 3]));
    let listed = json_of(&run(dir.path(), &["list", "--json", "--account", "archive", "--folder", "2019"]));
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let plain = stdout_of(&run(dir.path(), &["import", "--account", "archive", path(&file)]));
    assert_eq!(plain.trim(), "Imported 1 messages into archive/INBOX.");
}

#[test]
fn a_file_that_is_not_mail_stops_the_import_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let not_mail = scratch.path().join("notes.txt");
    std::fs::write(&not_mail, "just some notes\nnothing like a header\n").unwrap();
    let good = demo("01-it-coffee-times.eml");
    let output = run(dir.path(), &["import", path(&good), path(&not_mail)]);
    assert_fails(&output, 2, "notes.txt: not an e-mail message");

    let missing = scratch.path().join("missing.eml");
    assert_fails(&run(dir.path(), &["import", path(&good), path(&missing)]), 2, "cannot read");

    // Nothing was cached: the cache is as new, so opening it shows the demo only.
    let accounts = json_of(&run(dir.path(), &["account", "list", "--json"]));
    let ids: Vec<&str> = accounts.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["demo"]);
}

#[test]
fn broken_mime_is_imported_as_a_server_would_deliver_it() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let broken = scratch.path().join("broken.eml");
    std::fs::write(
        &broken,
        "From: a@example.org\r\nSubject: no boundary\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n",
    )
    .unwrap();
    let imported = json_of(&run(dir.path(), &["import", "--json", path(&broken)]));
    assert_eq!(imported["uids"], serde_json::json!([1]));
}

#[test]
fn the_demo_account_and_an_empty_id_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo("18-spare-keys.eml");
    // `list` opens the cache as the app does, importing the demo.
    stdout_of(&run(dir.path(), &["list"]));
    assert_fails(&run(dir.path(), &["import", "--account", "demo", path(&file)]), 2, "demo mailbox");
    assert_eq!(json_of(&run(dir.path(), &["list", "--json"])).as_array().unwrap().len(), 22);
    assert_fails(&run(dir.path(), &["import", "--account", " ", path(&file)]), 2, "empty");
}

#[test]
fn import_without_files_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(dir.path(), &["import"]).status.code(), Some(2));
}
