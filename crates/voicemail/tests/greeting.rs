//! Greetings: building the APPEND message, reading it back with `Greeting::parse`, and the
//! refusals (too long, not audio, bad address or date, hostile input).

use std::io::Cursor;

use tidings_voicemail::{
    greeting_message, AudioFormat, Greeting, GreetingError, GreetingKind, GreetingUpload, Voicemail,
};

/// `seconds` of a 440 Hz tone as 8 kHz mono 16-bit WAV.
fn wav_tone(seconds: f64) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut out, spec).unwrap();
    for n in 0..(seconds * 8000.0) as usize {
        let sample = (n as f64 * 440.0 * std::f64::consts::TAU / 8000.0).sin() * 8000.0;
        writer.write_sample(sample as i16).unwrap();
    }
    writer.finalize().unwrap();
    out.into_inner()
}

/// The 12.16 s AMR-NB of the dentist demo voicemail (608 frames).
fn demo_amr() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/20-voicemail-dentist.eml");
    let raw = std::fs::read(path).expect("demo voicemail");
    Voicemail::parse(&raw).unwrap().audio.unwrap().bytes
}

fn upload(
    kind: GreetingKind,
    audio: &[u8],
    format: AudioFormat,
    max_seconds: Option<u32>,
) -> GreetingUpload<'_> {
    GreetingUpload {
        kind,
        audio,
        format,
        from: "15551234567@vvm.example",
        date: "Tue, 3 Mar 2026 10:00:00 +0100",
        max_seconds,
    }
}

#[test]
fn wav_greeting_round_trip() {
    let audio = wav_tone(3.4);
    let raw =
        greeting_message(&upload(GreetingKind::Normal, &audio, AudioFormat::Wav, Some(60))).expect("builds");
    let text = String::from_utf8_lossy(&raw);
    for header in [
        "From: <15551234567@vvm.example>",
        "To: <15551234567@vvm.example>",
        "Date: Tue, 3 Mar 2026 10:00:00 +0100",
        "X-CNS-Greeting-Type: normal-greeting",
        "Content-Duration: 3",
        "Content-Type: multipart/mixed",
        "Content-Type: audio/wav",
        "Content-Transfer-Encoding: base64",
    ] {
        assert!(text.contains(header), "missing {header:?} in\n{}", &text[..text.len().min(1500)]);
    }
    assert!(!text.contains("localhost"), "the Message-ID names the mailbox's domain");
    assert!(!text.contains("Message-Context"), "a greeting is not a message left by a caller");

    let greeting = Greeting::parse(&raw, &["\\Seen", "$cns-greeting-on"]).expect("a greeting");
    assert_eq!(greeting.kind, GreetingKind::Normal);
    assert!(greeting.active);
    assert_eq!(greeting.declared_duration, Some(3));
    assert_eq!(greeting.date.as_deref(), Some("2026-03-03T10:00:00+01:00"));
    let part = greeting.audio.expect("audio part");
    assert_eq!(part.bytes, audio);
    assert_eq!(part.format, AudioFormat::Wav);
    assert_eq!(part.content_type, "audio/wav");
    assert_eq!(part.declared_duration, Some(3));
    assert_eq!(part.filename.as_deref(), Some("greeting.wav"));
}

#[test]
fn amr_voice_signature_round_trip_and_limit() {
    let audio = demo_amr();
    let raw = greeting_message(&upload(GreetingKind::VoiceSignature, &audio, AudioFormat::AmrNb, Some(12)))
        .expect("12 s fits 12 s");
    let greeting = Greeting::parse(&raw, &[]).unwrap();
    assert_eq!(greeting.kind, GreetingKind::VoiceSignature);
    assert!(!greeting.active, "no $CNS-Greeting-On keyword");
    assert_eq!(greeting.declared_duration, Some(12));
    let part = greeting.audio.unwrap();
    assert_eq!(part.content_type, "audio/amr");
    assert_eq!(part.format, AudioFormat::AmrNb);
    assert_eq!(part.bytes, audio);

    let error = greeting_message(&upload(GreetingKind::VoiceSignature, &audio, AudioFormat::AmrNb, Some(10)))
        .unwrap_err();
    assert!(matches!(error, GreetingError::TooLong { max: 10, .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("12.2 s") && message.contains("at most 10 s") && message.contains("voice-signature"),
        "{message}"
    );
}

#[test]
fn kinds_parse_case_insensitively_and_unknown_ones_are_kept() {
    assert_eq!(GreetingKind::parse(" Busy-Greeting "), GreetingKind::Busy);
    assert_eq!(GreetingKind::parse("NO-ANSWER-GREETING"), GreetingKind::NoAnswer);
    assert_eq!(GreetingKind::parse("extended-absence-greeting"), GreetingKind::ExtendedAbsence);
    assert_eq!(serde_json::to_value(GreetingKind::Busy).unwrap(), "busy-greeting");
    let kind: GreetingKind = serde_json::from_str("\"Voice-Signature\"").unwrap();
    assert_eq!(kind, GreetingKind::VoiceSignature);

    let raw = b"From: 15551234567@vvm.example\r\nX-CNS-Greeting-Type: Holiday-Greeting\r\n\r\nbody\r\n";
    let greeting = Greeting::parse(raw, &["$CNS-Greeting-On"]).unwrap();
    assert_eq!(greeting.kind, GreetingKind::Other("holiday-greeting".to_owned()));
    assert!(greeting.active);
    assert_eq!(serde_json::to_value(&greeting).unwrap()["kind"], "holiday-greeting");

    // An unknown kind is uploaded as it is.
    let audio = wav_tone(1.0);
    let raw = greeting_message(&upload(
        GreetingKind::Other("holiday-greeting".into()),
        &audio,
        AudioFormat::Wav,
        None,
    ))
    .unwrap();
    assert_eq!(Greeting::parse(&raw, &[]).unwrap().kind, GreetingKind::Other("holiday-greeting".into()));
}

#[test]
fn greeting_without_audio() {
    let raw = b"From: 15551234567@vvm.example\r\nX-CNS-Greeting-Type: busy-greeting\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nno recording\r\n--b--\r\n";
    let greeting = Greeting::parse(raw, &["\\Seen"]).unwrap();
    assert_eq!(greeting.kind, GreetingKind::Busy);
    assert!(!greeting.active);
    assert_eq!(greeting.audio, None);
    assert_eq!(greeting.declared_duration, None);
}

#[test]
fn hostile_and_foreign_input() {
    assert_eq!(Greeting::parse(b"", &[]), None);
    assert_eq!(Greeting::parse(b"\xff\xfe\x00garbage", &[]), None);
    let voicemail = b"From: a@b.example\r\nMessage-Context: voice-message\r\n\r\nhi\r\n";
    assert_eq!(Greeting::parse(voicemail, &[]), None, "not a greeting without X-CNS-Greeting-Type");
    // Deep nesting, a broken boundary, an empty type and a bad duration: no panic, no audio.
    let mut raw = String::from("X-CNS-Greeting-Type: normal-greeting\r\nContent-Duration: -5\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n");
    for depth in 1..200 {
        raw.push_str(&format!(
            "--b{}\r\nContent-Type: multipart/mixed; boundary=b{depth}\r\n\r\n",
            depth - 1
        ));
    }
    raw.push_str(
        "--b199\r\nContent-Type: audio/amr\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n",
    );
    let greeting = Greeting::parse(raw.as_bytes(), &[]).unwrap();
    assert_eq!(greeting.declared_duration, None);
    let raw = b"X-CNS-Greeting-Type:   \r\n\r\n";
    assert_eq!(Greeting::parse(raw, &[]), None, "an empty type says nothing");
}

#[test]
fn refuses_what_is_not_audio() {
    let error =
        greeting_message(&upload(GreetingKind::Normal, b"hello, this is text", AudioFormat::Wav, None))
            .unwrap_err();
    assert!(matches!(error, GreetingError::NotAudio(_)), "{error:?}");
    assert!(error.to_string().starts_with("the greeting audio cannot be played"), "{error}");
    let error =
        greeting_message(&upload(GreetingKind::Normal, b"#!AMR\n", AudioFormat::AmrNb, None)).unwrap_err();
    assert!(matches!(error, GreetingError::NotAudio(_)), "a header without frames: {error:?}");
    let empty_wav = wav_tone(0.0);
    let error =
        greeting_message(&upload(GreetingKind::Normal, &empty_wav, AudioFormat::Wav, None)).unwrap_err();
    assert!(matches!(error, GreetingError::Empty | GreetingError::NotAudio(_)), "{error:?}");
}

#[test]
fn refuses_bad_address_date_and_header_injection() {
    let audio = wav_tone(1.0);
    for from in ["", "no-at-sign", "a@b@c", "Name <a@b.example>", "a@b.example\r\nBcc: x@y"] {
        let mut request = upload(GreetingKind::Normal, &audio, AudioFormat::Wav, None);
        request.from = from;
        assert!(matches!(greeting_message(&request), Err(GreetingError::BadAddress(_))), "{from:?}");
    }
    for date in ["yesterday", "", "Tue, 3 Mar 2026 10:00:00 +0100\r\nBcc: x@y"] {
        let mut request = upload(GreetingKind::Normal, &audio, AudioFormat::Wav, None);
        request.date = date;
        assert!(matches!(greeting_message(&request), Err(GreetingError::BadDate(_))), "{date:?}");
    }
    let request = upload(GreetingKind::Other("x\r\nBcc: y@z".into()), &audio, AudioFormat::Wav, None);
    assert!(matches!(greeting_message(&request), Err(GreetingError::BadKind(_))));
}
