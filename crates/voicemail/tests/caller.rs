//! The caller fields of [`Voicemail`]: the number as E.164, as people read it, the CNAM name,
//! and withheld callers, for several countries and the ways servers write them.

use tidings_voicemail::Voicemail;

/// A minimal OMTP voice message with the given `From` and extra headers.
fn voicemail(from: &str, extra_headers: &str) -> Voicemail {
    let raw = format!(
        "From: {from}\r\nTo: 15550009999@vvm.example\r\n{extra_headers}Message-Context: voice-message\r\n\
         Date: Tue, 3 Mar 2026 10:00:00 +0000\r\n\r\nno audio\r\n"
    );
    Voicemail::parse(raw.as_bytes()).expect("a voice message")
}

#[test]
fn cnam_name_and_international_layout_per_country() {
    let cases = [
        ("\"John Smith\" <+15551234567@vvm.example>", "+15551234567", "+1 555-123-4567", Some("John Smith")),
        ("+33612345678@vvm.orange.example", "+33612345678", "+33 6 12 34 56 78", None),
        ("\"+49 30 1234567\" <+49301234567@vvm.example>", "+49301234567", "+49 30 1234567", None),
        ("VOICE=+79123456789@vvm.example", "+79123456789", "+7 912 345-67-89", None),
        (
            "\"Hannah's Garage\" <+442079460321@vvm.example>",
            "+442079460321",
            "+44 20 7946 0321",
            Some("Hannah's Garage"),
        ),
        (
            "\"SMITH JOHN\" <tel:+15551234567@vvm.example>",
            "+15551234567",
            "+1 555-123-4567",
            Some("SMITH JOHN"),
        ),
        (
            "\"Иван Петров\" <+79123456789@vvm.example>",
            "+79123456789",
            "+7 912 345-67-89",
            Some("Иван Петров"),
        ),
    ];
    for (from, e164, display, name) in cases {
        let vm = voicemail(from, "");
        assert_eq!(vm.caller.as_deref(), Some(e164), "{from}");
        assert_eq!(vm.caller_display.as_deref(), Some(display), "{from}");
        assert_eq!(vm.caller_name.as_deref(), name, "{from}");
        assert!(!vm.caller_withheld, "{from}");
    }
}

#[test]
fn number_in_any_layout_is_not_a_name() {
    for from in [
        "\"+1 (555) 123-4567\" <+15551234567@vvm.example>",
        "\"15551234567\" <15551234567@vvm.example>",
        "\"VOICE=+15551234567\" <VOICE=+15551234567@vvm.example>",
        "\"+15551234567@vvm.example\" <+15551234567@vvm.example>",
        "\"  \" <+15551234567@vvm.example>",
        "\"Private\" <+15551234567@vvm.example>",
    ] {
        let vm = voicemail(from, "");
        assert_eq!(vm.caller_name, None, "{from}");
        let caller = vm.caller.as_deref().map(|number| number.trim_start_matches('+'));
        assert_eq!(caller, Some("15551234567"), "{from}");
        assert!(!vm.caller_withheld, "a number was given: {from}");
    }
}

#[test]
fn national_number_keeps_the_servers_layout() {
    let vm = voicemail(
        "\"ACME Dental\" <voicemail@vvm.example>",
        "X-CNS-Originator-Phone-Number: (555) 010-1111\r\n",
    );
    assert_eq!(vm.caller.as_deref(), Some("5550101111"));
    assert_eq!(vm.caller_display.as_deref(), Some("(555) 010-1111"));
    assert_eq!(vm.caller_name.as_deref(), Some("ACME Dental"));
    let vm = voicemail("14155550123@vvm.mobile.example", "");
    assert_eq!(vm.caller_display.as_deref(), Some("14155550123"));
}

#[test]
fn withheld_callers_in_five_languages() {
    for from in [
        "\"Unknown\" <unknown@vvm.example>",
        "anonymous@vvm.example",
        "\"Private Number\" <private@vvm.example>",
        "\"RESTRICTED\" <restricted@vvm.example>",
        "\"Неизвестный\" <vm@vvm.example>",
        "\"Скрытый номер\" <vm@vvm.example>",
        "\"Rufnummer unterdrückt\" <vm@vvm.example>",
        "\"Unbekannt\" <vm@vvm.example>",
        "\"Numéro masqué\" <vm@vvm.example>",
        "\"Appel privé\" <vm@vvm.example>",
        "\"Número privado\" <vm@vvm.example>",
        "\"Desconocido\" <vm@vvm.example>",
    ] {
        let vm = voicemail(from, "");
        assert_eq!(vm.caller, None, "{from}");
        assert_eq!(vm.caller_display, None, "{from}");
        assert_eq!(vm.caller_name, None, "{from}");
        assert!(vm.caller_withheld, "{from}");
    }
    let vm = voicemail("vm@vvm.example", "X-CNS-Originator-Phone-Number: private\r\n");
    assert!(vm.caller_withheld);
}

#[test]
fn no_number_and_no_placeholder_is_not_withheld() {
    let vm = voicemail("\"Voicemail Service\" <vm@vvm.example>", "");
    assert_eq!(vm.caller, None);
    assert!(!vm.caller_withheld, "the server did not say the number was withheld");
    assert_eq!(vm.caller_name.as_deref(), Some("Voicemail Service"));
}
