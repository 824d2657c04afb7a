//! The `tidings` binary run as a user runs it: arguments in, stdout/stderr and exit code out.
//! Inputs are the demo messages in `assets/demo/` and bodies written here.

mod support;

use std::process::Output;

use serde_json::Value;

use support::{assert_fails, demo, json_of, tidings};

/// A refusal: exit code 2 and exactly one line on stderr that contains `says`.
fn assert_bad_input(output: &Output, says: &str) {
    assert_fails(output, 2, says);
}

#[test]
fn render_json_reads_the_patent_thread_top_and_three_quotes() {
    let path = demo("04-re-it-coffee-times.eml");
    let rendering = json_of(&tidings(&["render", "--json", path.to_str().unwrap()], None));
    let top = &rendering["top"];
    assert_eq!(top["name"], "Maria Sokolova");
    assert_eq!(top["email"], "maria.s@sample2.com");
    assert_eq!(top["date"], "2014-04-04");
    assert_eq!(top["utc_offset"], "+04:00");
    let quotes: Vec<(u64, &str, &str, &str, &str)> = rendering["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|quote| {
            (
                quote["depth"].as_u64().unwrap(),
                quote["kind"].as_str().unwrap(),
                quote["email"].as_str().unwrap(),
                quote["date"].as_str().unwrap(),
                quote["time"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        quotes,
        [
            (1, "reply", "andrew.p793@sample1.com", "2014-04-04", "14:32"),
            (2, "reply", "maria.s@sample2.com", "2014-04-04", "14:10:05"),
            (3, "reply", "andrew.p793@sample1.com", "2014-04-04", "13:01"),
        ]
    );
    for quote in rendering["quotes"].as_array().unwrap() {
        assert!(!quote["source"].as_str().unwrap().is_empty());
        assert!(!quote["mask"].as_str().unwrap().is_empty());
    }
    let html = rendering["html"].as_str().unwrap();
    assert_eq!(html.matches("class=\"tidings-header\"").count(), 4, "top + 3 quote blocks");
}

#[test]
fn render_reads_a_bare_body_from_stdin_without_a_top_header() {
    let body = "Thanks!\n\nOn Tue, 2 Nov 2021 at 11:52, Sam Taylor <sam.taylor@example.org> wrote:\n> Is the job still failing?\n";
    let rendering = json_of(&tidings(&["render", "--json", "-"], Some(body.as_bytes())));
    assert_eq!(rendering["top"], Value::Null);
    assert_eq!(rendering["quotes"][0]["name"], "Sam Taylor");
    assert_eq!(rendering["quotes"][0]["time"], "11:52");
    let html = "<p>Ok</p><blockquote type=\"cite\">Le mar. 26 oct. 2021 à 18:02, Sophie Bernard \
        &lt;sophie.bernard@example.fr&gt; a écrit :<br>Bonjour</blockquote>";
    let rendering =
        json_of(&tidings(&["render", "--json", "--input-format", "html", "-"], Some(html.as_bytes())));
    assert_eq!(rendering["quotes"][0]["email"], "sophie.bernard@example.fr");
    assert_eq!(rendering["quotes"][0]["date"], "2021-10-26");
}

#[test]
fn a_txt_file_is_a_body_even_when_it_opens_like_a_message() {
    // Outlook forwards with no note start with a field block that reads like mail headers.
    let body = "From: John Doe <john.doe@acme.com>\nSent: Monday, October 25, 2021 11:17 AM\n\
        To: bessie.berry@acme.com\nSubject: Integer consequat non purus\n\nAenean quis diam urna.\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forward.txt");
    std::fs::write(&path, body).unwrap();
    let rendering = json_of(&tidings(&["render", "--json", path.to_str().unwrap()], None));
    assert_eq!(rendering["top"], Value::Null);
    assert_eq!(rendering["quotes"][0]["kind"], "forward");
    assert_eq!(rendering["quotes"][0]["email"], "john.doe@acme.com");
    assert_eq!(rendering["quotes"][0]["time"], "11:17");
    // The same bytes as a message, or from stdin with nothing to name their format, are one.
    let eml = dir.path().join("forward.eml");
    std::fs::write(&eml, body).unwrap();
    for rendering in [
        json_of(&tidings(&["render", "--json", eml.to_str().unwrap()], None)),
        json_of(&tidings(&["render", "--json", "-"], Some(body.as_bytes()))),
    ] {
        assert_eq!(rendering["top"]["email"], "john.doe@acme.com");
    }
}

/// `tidings render … | head`: the reader leaves after a few bytes; the program ends without a
/// panic message (killed by SIGPIPE, as `cat` would be).
#[cfg(unix)]
#[test]
fn a_reader_that_leaves_early_ends_the_program_quietly() {
    use std::io::{Read, Write};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    // Far more output than a pipe holds, so writing must meet the closed end.
    let body = "<p>Lorem ipsum dolor sit amet.</p>".repeat(20_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tidings"))
        .args(["render", "--json", "--input-format", "html", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(body.as_bytes()).unwrap();
    drop(input);
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here.
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{:?}", output.status);
}

#[test]
fn render_without_json_prints_one_line_per_header() {
    let path = demo("08-re-q4-offsite-venue.eml");
    let output = tidings(&["render", path.to_str().unwrap()], None);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.lines().nth(1).unwrap().contains("John Doe <john.doe@example.com>  2021-10-27  09:31"),
        "{text}"
    );
}

#[test]
fn bad_input_is_refused_with_exit_code_2_and_one_line() {
    assert_bad_input(&tidings(&["render", "-"], Some(b"\x7fELF\x02\x01\x01\0\0\0\0")), "binary");
    assert_bad_input(&tidings(&["render", "-"], Some(b"caf\xe9 au lait\n")), "not UTF-8");
    let broken = b"From: a@example.org\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--yy\r\nhi\r\n";
    assert_bad_input(&tidings(&["render", "-"], Some(broken)), "broken MIME");
    assert_bad_input(
        &tidings(&["render", "--input-format", "eml", "-"], Some(b"hello there\n")),
        "not an e-mail",
    );
    assert_bad_input(&tidings(&["render", "/nonexistent/mail.eml"], None), "/nonexistent/mail.eml");
    let huge = "<p>a</p>".repeat(50 * 1024 * 1024 / 8);
    assert_bad_input(&tidings(&["render", "-"], Some(huge.as_bytes())), "larger than");
    assert_eq!(tidings(&["render", "--input-format", "pdf", "-"], None).status.code(), Some(2));
}

#[test]
fn user_masks_are_layered_over_the_builtin_ones_and_broken_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("xx.toml"),
        "id = \"xx\"\nname = \"Pirate\"\nattributions = [\"Ahoy, {sender} sent this on {date}:\"]\n",
    )
    .unwrap();
    let masks = dir.path().to_str().unwrap();
    let body =
        "Aye\n\nAhoy, Jack Sparrow <jack@pearl.example> sent this on 2021-10-27:\n> Where's the rum?\n";
    let rendering = json_of(&tidings(&["render", "--json", "--masks", masks, "-"], Some(body.as_bytes())));
    assert_eq!(rendering["quotes"][0]["mask"], "xx/attribution-1");
    assert_eq!(rendering["quotes"][0]["email"], "jack@pearl.example");
    let without = json_of(&tidings(&["render", "--json", "-"], Some(body.as_bytes())));
    assert_eq!(without["quotes"], Value::Array(vec![]), "the pirate mask is what found it");

    std::fs::write(dir.path().join("yy.toml"), "id = \"yy\"\nname = \"Broken\"\ndates = [\"{day\"]\n")
        .unwrap();
    assert_bad_input(&tidings(&["render", "--masks", masks, "-"], Some(body.as_bytes())), "yy.toml");
}

#[test]
fn list_and_show_read_the_cache_the_app_uses() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let listed = json_of(&tidings(&["--data-dir", data_dir, "list", "--json"], None));
    let listed = listed.as_array().unwrap();
    assert!(listed.len() >= 15, "the demo mailbox is there on first use");
    let coffee = listed
        .iter()
        .find(|message| message["preview"].as_str().unwrap().starts_with("Sure"))
        .expect("the newest IT coffee times message");
    let uid = coffee["uid"].as_u64().unwrap().to_string();

    let shown = json_of(&tidings(
        &["--data-dir", data_dir, "show", "--folder", "INBOX", "--uid", &uid, "--rendered", "--json"],
        None,
    ));
    assert_eq!(shown["subject"], "Re: IT coffee times");
    assert!(shown["text"].as_str().unwrap().starts_with("Sure"));
    assert_eq!(shown["rendered"]["quotes"].as_array().unwrap().len(), 3);
    assert_eq!(shown["rendered"]["top"]["email"], "maria.s@sample2.com");

    let plain = tidings(&["--data-dir", data_dir, "show", "--uid", &uid], None);
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(plain.contains("Subject: Re: IT coffee times"), "{plain}");

    assert_bad_input(&tidings(&["--data-dir", data_dir, "show", "--uid", "99999"], None), "UID 99999");
    assert_bad_input(&tidings(&["--data-dir", data_dir, "list", "--folder", "Nope"], None), "no folder");
    assert_bad_input(&tidings(&["--data-dir", data_dir, "list", "--account", "nobody"], None), "no account");
}

#[test]
fn a_cache_held_by_another_process_is_reported_not_broken() {
    let data = tempfile::tempdir().unwrap();
    let _held = tidings_store::Store::open(&data.path().join("cache")).unwrap();
    let output = tidings(&["--data-dir", data.path().to_str().unwrap(), "list"], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("in use by another Tidings process"), "{stderr}");
}

#[test]
fn completions_and_man_page_are_generated() {
    let bash = tidings(&["completions", "bash"], None);
    assert!(String::from_utf8(bash.stdout).unwrap().contains("tidings"));
    let man = String::from_utf8(tidings(&["man"], None).stdout).unwrap();
    assert!(man.starts_with(".ie") || man.contains(".TH"), "{}", &man[..man.len().min(200)]);
    assert!(man.contains("render"));
}

#[test]
fn render_tells_forwarded_outlook_blocks_from_replies_by_the_subject() {
    let path = demo("10-wg-angebot-serverwartung.eml");
    let rendering = json_of(&tidings(&["render", "--json", path.to_str().unwrap()], None));
    let kinds: Vec<&str> =
        rendering["quotes"].as_array().unwrap().iter().map(|quote| quote["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["forward", "reply"], "WG: Re: … forwards a reply");
}

#[test]
fn show_says_when_only_the_header_is_cached_and_shows_the_message_once_its_body_is() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    // The first use imports the demo mailbox; a header-only message joins its INBOX.
    json_of(&tidings(&["--data-dir", data_dir, "list", "--json"], None));
    let raw = b"From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: Header first\r\n\
        Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <header-first@example.org>\r\n\r\nThe body.\r\n";
    let header_end = raw.windows(4).position(|window| window == b"\r\n\r\n").unwrap() + 4;
    let key = {
        let store = tidings_store::Store::open(&data.path().join("cache")).unwrap();
        let account = store.accounts().unwrap().into_iter().next().expect("the demo account").id;
        let inbox = store.mailbox(&account, "INBOX").unwrap().expect("the demo INBOX");
        let key = tidings_store::MessageKey {
            account,
            mailbox: "INBOX".into(),
            uid_validity: inbox.uid_validity,
            uid: 9_000,
        };
        let headers = tidings_store::FetchedHeaders {
            key: key.clone(),
            seen: false,
            flagged: false,
            server_thread: None,
            header: raw[..header_end].to_vec(),
            attachments: 0,
        };
        assert_eq!(store.insert_headers(&[headers]).unwrap(), 1);
        key
    };
    let listed = json_of(&tidings(&["--data-dir", data_dir, "list", "--json"], None));
    assert!(listed.as_array().unwrap().iter().any(|message| message["subject"] == "Header first"));

    let shown = tidings(&["--data-dir", data_dir, "show", "--uid", "9000"], None);
    assert_fails(&shown, 1, "not downloaded yet; run `tidings sync`");
    assert!(shown.stdout.is_empty(), "nothing printed as if it were the message");

    {
        let store = tidings_store::Store::open(&data.path().join("cache")).unwrap();
        assert_eq!(store.fill_bodies(&[(key, raw.to_vec())]).unwrap(), 1);
    }
    let shown = json_of(&tidings(&["--data-dir", data_dir, "show", "--uid", "9000", "--json"], None));
    assert_eq!(shown["subject"], "Header first");
    assert!(shown["text"].as_str().unwrap().contains("The body."));
}
