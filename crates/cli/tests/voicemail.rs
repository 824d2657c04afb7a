//! `tidings voicemail list|decode|import-sms` run as a user runs them, on the demo mailbox
//! (`assets/demo/19–21`) and on damaged inputs written here.

mod support;

use std::path::Path;

use support::{assert_fails, demo, json_of, stdout_of, tidings};

const OMTP_STATUS: &str = "//VVM:STATUS:st=R;rc=0;srv=1:imap.vvm.example.net;ipt=993;u=15551234567;\
    pw=hunter2;lang=1|2;g_len=180;vs_len=10;pw_len=4-9;smtp_u=15551234567@vvm.example.net;spt=465;\
    smtp_pw=swordfish;pm=Y;gm=N;vtc=D;vt=1;tui=+15550100;dn=94183567;rs=http://vvm.example.net/s";

fn wav_header(bytes: &[u8]) -> (u16, u32, u16, u16, f64) {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    assert_eq!(u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize, bytes.len() - 8);
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let (mut at, mut fmt, mut data) = (12, None, None);
    while at + 8 <= bytes.len() {
        let (id, size) = (&bytes[at..at + 4], u32_at(at + 4) as usize);
        match id {
            b"fmt " => fmt = Some((u16_at(at + 8), u32_at(at + 12), u16_at(at + 10), u16_at(at + 22))),
            b"data" => data = Some(size),
            _ => {}
        }
        at += 8 + size + size % 2;
    }
    let (tag, rate, channels, bits) = fmt.expect("a fmt chunk");
    let data = data.expect("a data chunk");
    (tag, rate, channels, bits, data as f64 / f64::from(rate) / f64::from(channels) / f64::from(bits / 8))
}

#[test]
fn list_shows_the_demo_fax_and_voicemails_with_kinds_and_durations() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap();
    let listed = json_of(&tidings(&["--data-dir", data_dir, "voicemail", "list", "--json"], None));
    let mut rows: Vec<(u64, &str, Option<f64>, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["uid"].as_u64().unwrap(),
                row["kind"].as_str().unwrap(),
                row["duration_seconds"].as_f64(),
                row["caller"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    rows.sort_by_key(|row| row.0);
    assert_eq!(rows.len(), 3, "{listed}");
    assert_eq!((rows[0].0, rows[0].1, rows[0].2), (19, "fax", None));
    assert_eq!((rows[1].0, rows[1].1), (20, "voice"));
    assert_eq!((rows[2].0, rows[2].1), (21, "voice"));
    assert!((rows[1].2.unwrap() - 12.0).abs() < 0.6, "{:?}", rows[1]);
    assert!((rows[2].2.unwrap() - 11.0).abs() < 0.6, "{:?}", rows[2]);
    assert_eq!(rows[1].3, "+15551234567");
    let garage = listed.as_array().unwrap().iter().find(|row| row["uid"] == 21).unwrap();
    assert!(garage["transcription"].as_str().unwrap().starts_with("Hello, it's Hannah"));
    assert!(garage["heard"].is_boolean());

    let plain = stdout_of(&tidings(&["--data-dir", data_dir, "voicemail", "list"], None));
    assert_eq!(plain.lines().count(), 3, "{plain}");
    let line_of = |uid: &str| plain.lines().find(|line| line.trim_start().starts_with(uid)).unwrap();
    assert!(line_of("19").contains("fax"), "{plain}");
    assert!(line_of("20").contains("voice") && line_of("20").contains("12 s"), "{plain}");
    assert!(line_of("21").contains("11 s") && line_of("21").contains("Hannah"), "{plain}");

    let nope = tidings(&["--data-dir", data_dir, "voicemail", "list", "--folder", "Nope"], None);
    assert_fails(&nope, 2, "no folder");
}

#[test]
fn decode_turns_the_demo_voicemails_into_wav() {
    let dir = tempfile::tempdir().unwrap();
    for (file, rate, seconds) in
        [("20-voicemail-dentist.eml", 8000, 12.16), ("21-voicemail-garage.eml", 16000, 11.24)]
    {
        let (input, out) = (demo(file), dir.path().join(format!("{file}.wav")));
        let args = ["voicemail", "decode", "--json", input.to_str().unwrap(), "-o", out.to_str().unwrap()];
        let report = json_of(&tidings(&args, None));
        assert_eq!(report["sample_rate"], rate);
        assert_eq!(report["channels"], 1);
        assert!((report["duration_seconds"].as_f64().unwrap() - seconds).abs() < 0.01, "{report}");
        let (tag, wav_rate, channels, bits, wav_seconds) = wav_header(&std::fs::read(&out).unwrap());
        assert_eq!((tag, wav_rate, channels, bits), (1, rate, 1, 16));
        assert!((wav_seconds - seconds).abs() < 0.01, "{file}: {wav_seconds}");
    }
    // The human line, and the same audio from standard input.
    let out = dir.path().join("stdin.wav");
    let eml = std::fs::read(demo("20-voicemail-dentist.eml")).unwrap();
    let line = stdout_of(&tidings(&["voicemail", "decode", "-", "-o", out.to_str().unwrap()], Some(&eml)));
    assert!(line.contains("amr-nb, 8000 Hz, mono, 12.16 s"), "{line}");
    assert_eq!(wav_header(&std::fs::read(&out).unwrap()).1, 8000);
}

#[test]
fn decode_refuses_corrupt_and_non_audio_input_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let out = out.to_str().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    // `#!AMR\n` and then pseudo-random octets: the lenient frame parser would find "frames" in them.
    let mut state = 0x2545_f491_u32;
    let garbage: Vec<u8> = (0..4000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let corrupt = write("corrupt.amr", &[b"#!AMR\n".as_slice(), &garbage].concat());
    assert_fails(&tidings(&["voicemail", "decode", &corrupt, "-o", out], None), 2, "corrupt AMR");
    let empty = write("empty.amr", b"#!AMR-WB\n");
    assert_fails(&tidings(&["voicemail", "decode", &empty, "-o", out], None), 2, "no whole frame");
    let text_amr = write("text.amr", b"Hello, this is a text file, not audio.\n");
    assert_fails(&tidings(&["voicemail", "decode", &text_amr, "-o", out], None), 2, "not an AMR file");
    let text = write("notes.txt", b"Hello, this is a text file, not audio.\n");
    assert_fails(&tidings(&["voicemail", "decode", &text, "-o", out], None), 2, "is not audio");
    let fax = demo("19-fax-delivery-note.eml");
    assert_fails(
        &tidings(&["voicemail", "decode", fax.to_str().unwrap(), "-o", out], None),
        2,
        "without audio",
    );
    let mail = demo("01-it-coffee-times.eml");
    assert_fails(
        &tidings(&["voicemail", "decode", mail.to_str().unwrap(), "-o", out], None),
        2,
        "not a voicemail",
    );
    let missing = dir.path().join("missing.amr");
    assert_fails(
        &tidings(&["voicemail", "decode", missing.to_str().unwrap(), "-o", out], None),
        2,
        "cannot read",
    );
    assert!(!Path::new(out).exists(), "nothing written for refused input");

    let voicemail = demo("20-voicemail-dentist.eml");
    let unwritable = dir.path().join("no-such-dir").join("out.wav");
    let output = tidings(
        &["voicemail", "decode", voicemail.to_str().unwrap(), "-o", unwritable.to_str().unwrap()],
        None,
    );
    assert_fails(&output, 1, "cannot write");
}

#[test]
fn import_sms_names_every_field_and_redacts_passwords() {
    let fields = json_of(&tidings(&["voicemail", "import-sms", "--json", OMTP_STATUS], None));
    assert_eq!(fields["event"], "status");
    assert_eq!(fields["prefix"], "VVM");
    assert_eq!(fields["provisioning_status"], "ready");
    assert_eq!(fields["return_code"], 0);
    assert_eq!(fields["server"], "imap.vvm.example.net");
    assert_eq!(fields["server_type"], "1");
    assert_eq!(fields["imap_port"], 993);
    assert_eq!(fields["smtp_port"], 465);
    assert_eq!(fields["imap_user"], "15551234567");
    assert_eq!(fields["imap_password"], "<redacted>");
    assert_eq!(fields["smtp_password"], "<redacted>");
    assert_eq!(fields["languages"], serde_json::json!(["1", "2"]));
    assert_eq!(fields["tui_password_length"], serde_json::json!({"min": 4, "max": 9}));
    assert_eq!(fields["password_change_supported"], true);
    assert_eq!(fields["greeting_change_supported"], false);
    assert_eq!(fields["tui_number"], "+15550100");
    assert_eq!(fields["subscription_url"], "http://vvm.example.net/s");
    assert!(!fields.to_string().contains("hunter2") && !fields.to_string().contains("swordfish"));

    let plain = stdout_of(&tidings(&["voicemail", "import-sms", "-"], Some(OMTP_STATUS.as_bytes())));
    assert!(
        plain.lines().any(|line| line.starts_with("imap_password") && line.ends_with("<redacted>")),
        "{plain}"
    );
    assert!(plain.lines().any(|line| line.starts_with("server ") && line.contains("imap.vvm.example.net")));
    assert!(!plain.contains("hunter2"));
    let shown =
        json_of(&tidings(&["voicemail", "import-sms", "--json", "--show-password", OMTP_STATUS], None));
    assert_eq!(shown["imap_password"], "hunter2");

    let sync = "//VVM:SYNC:ev=NM;id=3446456;c=1;t=v;s=01234567898;dt=02/08/2008 12:53 +0200;l=30";
    let sync = json_of(&tidings(&["voicemail", "import-sms", "--json", sync], None));
    assert_eq!(sync["event"], "sync");
    assert_eq!(sync["sync_event"], "new_message");
    assert_eq!(sync["message_type"], "voice");
    assert_eq!(sync["length"], 30);
}

#[test]
fn import_sms_refuses_a_bad_sms_with_the_parsers_message() {
    let not_vvm = tidings(&["voicemail", "import-sms", "Your bill is ready"], None);
    assert_fails(&not_vvm, 2, "not a visual voicemail SMS");
    let bad_port = tidings(&["voicemail", "import-sms", "//VVM:STATUS:st=R;rc=0;ipt=99999"], None);
    assert_fails(&bad_port, 2, "ipt");
    let bad_event = tidings(&["voicemail", "import-sms", "-"], Some(b"//VVM:HELLO:st=R"));
    assert_fails(&bad_event, 2, "unknown VVM SMS event");
}

#[test]
fn every_voicemail_subcommand_has_examples_in_its_help() {
    for subcommand in ["list", "decode", "import-sms"] {
        let help = stdout_of(&tidings(&["voicemail", subcommand, "--help"], None));
        assert!(help.contains("Examples:"), "{subcommand}: {help}");
    }
    let help = stdout_of(&tidings(&["voicemail", "import-sms", "--help"], None));
    assert!(help.contains("comes later"), "{help}");
}
