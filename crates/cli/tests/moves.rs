//! `tidings mark --star`, `delete` and `move` as a user runs them, against a real Dovecot on
//! loopback (tidings-testkit; root and dovecot-imapd) with the password in a real Secret Service.
//! Like the other keyring tests, they run only under `tests/support/keyring-session.sh` and print
//! a skip line elsewhere.

mod support;

use std::path::Path;

use support::alice::{add_over_tls, in_keyring_session, seed, start, tidings};
use support::{assert_fails, json_of};

/// What `doveadm fetch "uid <field>"` says of `mailbox`, one line per message.
fn on_server(dovecot: &tidings_testkit::Dovecot, mailbox: &str, field: &str) -> Vec<String> {
    let fields = format!("uid {field}");
    let text = dovecot
        .doveadm(&["fetch", "-u", "alice", &fields, "mailbox", mailbox])
        .unwrap_or_else(|e| panic!("doveadm fetch: {e}"));
    text.lines().filter(|line| line.starts_with(&format!("{field}:"))).map(str::to_owned).collect()
}

fn listed_uids(data: &Path, folder: &str) -> Vec<u64> {
    let listed = json_of(&tidings(data, &["list", "--folder", folder, "--json"], ""));
    let mut uids: Vec<u64> = listed.as_array().unwrap().iter().map(|m| m["uid"].as_u64().unwrap()).collect();
    uids.sort();
    uids
}

#[test]
fn star_delete_and_move_reach_the_server() {
    if !in_keyring_session() {
        return;
    }
    let dovecot = start(true);
    dovecot.doveadm(&["mailbox", "create", "-u", "alice", "Archive"]).unwrap();
    seed(&dovecot, 1..6);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let id = format!("alice-moves-{}", std::process::id());
    add_over_tls(data, &dovecot, &id);
    json_of(&tidings(data, &["sync", "--json"], ""));

    let starred = json_of(&tidings(data, &["mark", "--star", "--json", "1"], ""));
    assert_eq!((starred["flagged"].clone(), starred["pushed"].clone()), (true.into(), 1.into()), "{starred}");
    assert_eq!(on_server(&dovecot, "INBOX", "flags").iter().filter(|l| l.contains("\\Flagged")).count(), 1);
    let listed = json_of(&tidings(data, &["list", "--json"], ""));
    let one = listed.as_array().unwrap().iter().find(|m| m["uid"] == 1).unwrap().clone();
    assert_eq!(one["flagged"], true, "{one}");

    // `tidings sync` does not list folders, so no Trash is known here: a delete would expunge,
    // which takes the user's word for it.
    assert_fails(&tidings(data, &["delete", "2"], ""), 2, "--expunge-without-trash");
    assert_eq!(listed_uids(data, "INBOX"), [1, 2, 3, 4, 5], "nothing was deleted");
    let deleted = json_of(&tidings(data, &["delete", "--expunge-without-trash", "--json", "2"], ""));
    assert_eq!(deleted["queued"], serde_json::json!([{"uid": 2, "op": {"op": "expunge"}}]), "{deleted}");
    assert_eq!(deleted["deleted"], 1, "{deleted}");
    assert_eq!(on_server(&dovecot, "INBOX", "flags").len(), 4, "expunged on the server");
    let moved = json_of(&tidings(data, &["move", "--to", "Archive", "--offline", "--json", "3"], ""));
    assert_eq!(moved["moved"], 0, "offline: nothing sent yet");
    assert_eq!(listed_uids(data, "INBOX"), [1, 4, 5], "both left the list at once");
    assert_eq!(on_server(&dovecot, "Archive", "hdr.subject").len(), 0);

    let synced = json_of(&tidings(data, &["sync", "--folder", "INBOX", "--folder", "Archive", "--json"], ""));
    assert_eq!(synced["folders"][0]["moved"], 1, "{synced}");
    assert_eq!(on_server(&dovecot, "INBOX", "flags").len(), 3);
    assert_eq!(on_server(&dovecot, "Archive", "hdr.subject").len(), 1);
    assert_eq!(listed_uids(data, "Archive").len(), 1, "the Archive sync fetched the moved message");

    assert_fails(&tidings(data, &["move", "--to", "INBOX", "4"], ""), 2, "already in INBOX");
    assert_fails(
        &tidings(data, &["delete", "--expunge-without-trash", "99"], ""),
        2,
        "no message with UID 99",
    );
    assert_eq!(listed_uids(data, "INBOX"), [1, 4, 5], "a refused command changed nothing");
}
