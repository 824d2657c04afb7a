//! The folder list and STATUS against Dovecot: a folder created with a UTF-8 name comes back in
//! modified UTF-7 and is decoded for display, and STATUS counts what was seeded and what was read.

use tidings_imap::{folder_status, list_folders, sync_mailbox, FolderRole};
use tidings_store::Store;

use crate::util::{login, message, other_client, other_store, plain_config, start, step, user};

#[tokio::test]
async fn a_utf8_folder_is_listed_in_modified_utf7_and_its_status_counts_right() {
    let dovecot = start(false);
    let user = user(&dovecot);
    dovecot.doveadm(&["mailbox", "create", "-u", &user, "Отчёты"]).expect("created");
    let messages: Vec<Vec<u8>> = (1..=4).map(message).collect();
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    dovecot.seed(&user, "&BB4EQgRHBFEEQgRL-", &refs).expect("seeded");

    let mut session = login(&plain_config(&dovecot), &dovecot).await;
    let folders = step("LIST", list_folders(&mut session)).await.expect("listed");
    let names: Vec<(&str, &str, Option<FolderRole>)> =
        folders.iter().map(|f| (f.name.as_str(), f.display_name.as_str(), f.role)).collect();
    assert_eq!(names, [("INBOX", "INBOX", Some(FolderRole::Inbox)), ("&BB4EQgRHBFEEQgRL-", "Отчёты", None)]);

    let status = step("STATUS", folder_status(&mut session, "&BB4EQgRHBFEEQgRL-")).await.expect("status");
    assert_eq!((status.messages, status.unseen, status.uid_next), (4, 4, 5));
    // Another client reads one: STATUS sees it, and agrees with the UIDVALIDITY a sync selects.
    let mut other = other_client(&dovecot).await;
    step("select", other.select("&BB4EQgRHBFEEQgRL-")).await.expect("select");
    other_store(&mut other, "2", "+FLAGS (\\Seen)").await;
    let status = step("STATUS", folder_status(&mut session, "&BB4EQgRHBFEEQgRL-")).await.expect("status");
    assert_eq!((status.messages, status.unseen), (4, 3));
    let store = Store::open_temporary().expect("store");
    let report =
        step("sync", sync_mailbox(&mut session, &store, "acct", "&BB4EQgRHBFEEQgRL-")).await.expect("sync");
    assert_eq!(report.uid_validity, status.uid_validity);
    assert_eq!(store.unread_count("acct", "&BB4EQgRHBFEEQgRL-").expect("count"), 3);
}
