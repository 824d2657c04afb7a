//! The folder list and STATUS against scripted servers: SPECIAL-USE asked with `RETURN` and
//! refused, attributes in a plain LIST, no attributes at all (the name table), garbage LIST
//! lines (an error and a dropped session, never a panic), and STATUS answers good and bad.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tidings_imap::{folder_status, list_folders, Folder, FolderStatus, ImapError, ImapSession, Security};

use crate::server::{connect_to, fake_server, tag};
use crate::step;

type Log = Arc<Mutex<Vec<String>>>;

/// A server that logs anyone in, announces `capabilities` and answers each later command (the
/// line without its tag) with `script(command)`, where `{tag}` stands for the line's tag.
async fn folder_server(
    capabilities: &'static str,
    mut script: impl FnMut(&str) -> String + Send + 'static,
) -> (ImapSession, Log) {
    let greeting: &'static str = format!("* OK [CAPABILITY {capabilities}] fake ready\r\n").leak();
    let (port, received) = fake_server(Some(greeting), move |line| {
        let command = line.split_once(' ').map(|(_, rest)| rest).unwrap_or_default();
        let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
        let answer = match verb.as_str() {
            "AUTHENTICATE" | "LOGIN" => "{tag} OK Logged in\r\n".to_owned(),
            "CAPABILITY" => format!("* CAPABILITY {capabilities}\r\n{{tag}} OK done\r\n"),
            _ => script(command),
        };
        Some(answer.replace("{tag}", tag(line)))
    })
    .await;
    match connect_to(port, Security::Plain, Duration::from_secs(5)).await {
        Ok(session) => (session, received),
        Err(error) => panic!("connect: {error}"),
    }
}

/// The LIST commands the server received, without tags.
fn list_commands(received: &Log) -> Vec<String> {
    let lines = received.lock().expect("log lock").clone();
    lines
        .iter()
        .filter_map(|line| line.split_once(' ').map(|(_, rest)| rest.to_owned()))
        .filter(|command| command.to_ascii_uppercase().starts_with("LIST"))
        .collect()
}

/// (display name, role, selectable) of each folder, in the order given.
fn shown(folders: &[Folder]) -> Vec<(&str, Option<&str>, bool)> {
    folders.iter().map(|f| (f.display_name.as_str(), f.role.map(|r| r.name()), f.selectable)).collect()
}

const PLAIN: &str = "IMAP4rev1 AUTH=PLAIN SASL-IR";
const SPECIAL_USE: &str = "IMAP4rev1 AUTH=PLAIN SASL-IR LIST-EXTENDED SPECIAL-USE";

#[tokio::test]
async fn special_use_is_asked_for_and_its_attributes_win_over_names() {
    let (mut session, received) = folder_server(SPECIAL_USE, |command| {
        if command == "LIST \"\" \"*\" RETURN (SPECIAL-USE)" {
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
             * LIST (\\HasNoChildren) \"/\" Sent\r\n\
             * LIST (\\HasNoChildren \\Sent) \"/\" \"Gesendete Elemente\"\r\n\
             * LIST (\\Junk) \"/\" Bulk\r\n\
             * LIST (\\Noselect \\HasChildren) \"/\" \"[Provider]\"\r\n\
             * LIST (\\All \\HasNoChildren) \"/\" \"[Provider]/All Mail\"\r\n\
             * LIST (\\Drafts) \"/\" \"Entw&APw-rfe\"\r\n\
             {tag} OK List completed\r\n"
                .to_owned()
        } else {
            "{tag} BAD unexpected\r\n".to_owned()
        }
    })
    .await;
    let folders = step("LIST", list_folders(&mut session)).await.expect("the folders are listed");
    assert_eq!(
        shown(&folders),
        vec![
            ("INBOX", Some("inbox"), true),
            ("Entwürfe", Some("drafts"), true),
            ("Gesendete Elemente", Some("sent"), true),
            ("[Provider]/All Mail", Some("all"), true),
            ("Bulk", Some("junk"), true),
            ("[Provider]", None, false),
            ("Sent", None, true),
        ]
    );
    assert_eq!(folders[1].name, "Entw&APw-rfe", "commands need the server's spelling");
    assert_eq!(folders[0].delimiter.as_deref(), Some("/"));
    assert_eq!(list_commands(&received), ["LIST \"\" \"*\" RETURN (SPECIAL-USE)"]);
}

#[tokio::test]
async fn a_refused_return_option_falls_back_to_a_plain_list() {
    let (mut session, received) = folder_server(SPECIAL_USE, |command| match command {
        "LIST \"\" \"*\" RETURN (SPECIAL-USE)" => "{tag} NO not here\r\n".to_owned(),
        "LIST \"\" \"*\"" => {
            "* LIST () \".\" INBOX\r\n* LIST (\\Trash) \".\" Rubbish\r\n{tag} OK done\r\n".to_owned()
        }
        _ => "{tag} BAD unexpected\r\n".to_owned(),
    })
    .await;
    let folders = step("LIST", list_folders(&mut session)).await.expect("the folders are listed");
    assert_eq!(shown(&folders), vec![("INBOX", Some("inbox"), true), ("Rubbish", Some("trash"), true)]);
    assert_eq!(list_commands(&received), ["LIST \"\" \"*\" RETURN (SPECIAL-USE)", "LIST \"\" \"*\""]);
    assert!(session.is_connected());
}

#[tokio::test]
async fn without_special_use_the_attributes_of_a_plain_list_count() {
    let (mut session, received) = folder_server(PLAIN, |command| {
        if command == "LIST \"\" \"*\"" {
            "* LIST (\\HasNoChildren \\Sent) \".\" \"INBOX.Sent Items\"\r\n\
             * LIST (\\HasChildren) \".\" \"INBOX\"\r\n\
             * LIST (\\HasNoChildren \\Spam) \".\" \"INBOX.Unwanted\"\r\n\
             * LIST (\\HasNoChildren \\Starred) \".\" \"INBOX.Starred\"\r\n\
             * LIST (\\HasNoChildren) \".\" \"INBOX.Trash\"\r\n\
             {tag} OK done\r\n"
                .to_owned()
        } else {
            "{tag} BAD unexpected\r\n".to_owned()
        }
    })
    .await;
    let folders = step("LIST", list_folders(&mut session)).await.expect("the folders are listed");
    assert_eq!(
        shown(&folders),
        vec![
            ("INBOX", Some("inbox"), true),
            ("INBOX.Sent Items", Some("sent"), true),
            ("INBOX.Starred", Some("flagged"), true),
            ("INBOX.Unwanted", Some("junk"), true),
            // No attribute says trash, so the name under INBOX does.
            ("INBOX.Trash", Some("trash"), true),
        ]
    );
    assert_eq!(list_commands(&received), ["LIST \"\" \"*\""]);
}

#[tokio::test]
async fn without_any_attribute_well_known_names_give_the_roles() {
    let (mut session, _) = folder_server(PLAIN, |command| {
        if command == "LIST \"\" \"*\"" {
            "* LIST () \"/\" \"Papierkorb\"\r\n\
             * LIST () \"/\" \"&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-\"\r\n\
             * LIST () \"/\" \"Spam\"\r\n\
             * LIST () \"/\" \"Brouillons\"\r\n\
             * LIST () \"/\" \"Receipts\"\r\n\
             * LIST () \"/\" \"Archive/2024\"\r\n\
             * LIST () \"/\" \"Archive\"\r\n\
             * LIST () \"/\" \"inbox\"\r\n\
             * LIST () \"/\" \"Broken &AOR- name\"\r\n\
             {tag} OK done\r\n"
                .to_owned()
        } else {
            "{tag} BAD unexpected\r\n".to_owned()
        }
    })
    .await;
    let folders = step("LIST", list_folders(&mut session)).await.expect("the folders are listed");
    assert_eq!(
        shown(&folders),
        vec![
            ("INBOX", Some("inbox"), true),
            ("Brouillons", Some("drafts"), true),
            ("Отправленные", Some("sent"), true),
            ("Archive", Some("archive"), true),
            ("Spam", Some("junk"), true),
            ("Papierkorb", Some("trash"), true),
            ("Archive/2024", None, true),
            // Not valid modified UTF-7: shown as the server spells it.
            ("Broken &AOR- name", None, true),
            ("Receipts", None, true),
        ]
    );
}

#[tokio::test]
async fn garbage_list_lines_end_the_session_with_an_error() {
    let garbage = [
        "* LIST (\\Noselect \"/\" unterminated\r\n",
        "* LIST () \"/\"\r\n",
        "* LIST () \"/\" \"bad \x01 name\r\n",
        // async-imap reads `\All` and stops at `Mail`: XLIST's spelling cannot be parsed.
        "* LIST (\\AllMail) \"/\" \"All Mail\"\r\n",
    ];
    for line in garbage {
        let (mut session, _) = folder_server(PLAIN, move |command| {
            if command.starts_with("LIST") {
                format!("* LIST () \"/\" INBOX\r\n{line}{{tag}} OK done\r\n")
            } else {
                "{tag} BAD unexpected\r\n".to_owned()
            }
        })
        .await;
        let result = step("LIST", list_folders(&mut session)).await;
        assert!(
            matches!(result, Err(ImapError::Network(_) | ImapError::Protocol(_))),
            "{line:?}: {result:?}"
        );
        assert!(!session.is_connected(), "{line:?}: the session must be dropped");
    }
}

#[tokio::test]
async fn status_counts_are_read_and_refusals_keep_the_session() {
    let (mut session, received) = folder_server(PLAIN, |command| match command {
        "STATUS \"Entw&APw-rfe\" (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)" => {
            "* STATUS \"Entw&APw-rfe\" (MESSAGES 12 UNSEEN 3 UIDNEXT 40 UIDVALIDITY 7)\r\n{tag} OK done\r\n"
                .to_owned()
        }
        "STATUS \"Gone\" (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)" => "{tag} NO no such mailbox\r\n".to_owned(),
        "STATUS \"Half\" (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)" => {
            "* STATUS \"Half\" (MESSAGES 12)\r\n{tag} OK done\r\n".to_owned()
        }
        _ => "{tag} BAD unexpected\r\n".to_owned(),
    })
    .await;
    let status = step("STATUS", folder_status(&mut session, "Entw&APw-rfe")).await.expect("counts");
    assert_eq!(status, FolderStatus { messages: 12, unseen: 3, uid_next: 40, uid_validity: 7 });
    let gone = step("STATUS", folder_status(&mut session, "Gone")).await;
    assert!(matches!(gone, Err(ImapError::MailboxMissing(ref name)) if name == "Gone"), "{gone:?}");
    assert!(session.is_connected());
    let line_break = folder_status(&mut session, "x\r\nA1 LOGOUT").await;
    assert!(line_break.is_err());
    assert!(!received.lock().expect("log lock").iter().any(|line| line.contains("LOGOUT")));
    assert!(session.is_connected(), "nothing was sent, so the session is fine");
    let half = step("STATUS", folder_status(&mut session, "Half")).await;
    assert!(matches!(half, Err(ImapError::Protocol(_))), "{half:?}");
    assert!(!session.is_connected());
}
