//! What each fuzz target does with one input, in one place: the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` call these under libFuzzer, and this crate's test replays
//! `fuzz/regressions/<target>/*` (kept findings) and `fuzz/seeds/<target>/*` through the same
//! functions in `make test`. Each must return, never panic, whatever the bytes.

use std::sync::LazyLock;

use tidings_mask::{AddressBook, Body, MaskSet, MaskSource, RenderOptions};
use tidings_voicemail::AudioFormat;

/// Compiled once, as the app does, so each run measures the work under test only.
static MASKS: LazyLock<MaskSet> = LazyLock::new(MaskSet::builtin);

/// What a target does with one input.
pub type Case = fn(&[u8]);

/// The targets by name, as `make fuzz` and `regressions/` name them.
pub const TARGETS: &[(&str, Case)] = &[
    ("render_html", render_html),
    ("render_text", render_text),
    ("mime_render", mime_render),
    ("vvm_sms", vvm_sms),
    ("audio_decode", audio_decode),
    ("mask_toml", mask_toml),
];

/// The mask engine on arbitrary HTML.
pub fn render_html(bytes: &[u8]) {
    let Ok(html) = std::str::from_utf8(bytes) else { return };
    tidings_mask::render(Body::Html(html), None, &MASKS, &AddressBook::new(), &RenderOptions::default());
}

/// The mask engine on arbitrary plain text (`>` quoting, attribution lines), and the settings
/// panel's one-header preview.
pub fn render_text(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    tidings_mask::render(Body::Text(text), None, &MASKS, &AddressBook::new(), &RenderOptions::default());
    tidings_mask::match_header(text, &MASKS, &AddressBook::new());
}

/// Raw bytes as a message, read strictly and leniently, then rendered.
pub fn mime_render(raw: &[u8]) {
    let _ = tidings_message::read(raw);
    if let Some(message) = tidings_message::read_lenient(raw) {
        tidings_mask::render(
            message.body.as_body(),
            Some(&message.top),
            &MASKS,
            &AddressBook::new(),
            &RenderOptions::default(),
        );
    }
}

/// Any text as a visual-voicemail STATUS/SYNC SMS: a parse or an error.
pub fn vvm_sms(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let _ = tidings_voicemail::sms::parse(text);
}

/// Any bytes as voicemail audio (AMR-NB/WB through OpenCORE, WAV/MP3/Vorbis/FLAC through
/// symphonia), without a format hint and with one that lies.
pub fn audio_decode(bytes: &[u8]) {
    let _ = tidings_voicemail::audio::decode(bytes, None);
    let hint = match bytes.first().copied().unwrap_or(0) % 5 {
        0 => AudioFormat::AmrNb,
        1 => AudioFormat::AmrWb,
        2 => AudioFormat::Wav,
        3 => AudioFormat::Mp3,
        _ => AudioFormat::Flac,
    };
    let _ = tidings_voicemail::audio::decode(bytes, Some(hint));
}

/// Any text as a user's mask file, alone and over the shipped ones: loaded or refused with a
/// file/line error, and never a pattern that escapes its size limit.
pub fn mask_toml(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let source = MaskSource { name: "fuzz.toml".into(), text: text.into() };
    let _ = MaskSet::from_sources(std::slice::from_ref(&source));
    let _ = tidings_mask::mask_lists(&source);
    if source.language_id().is_ok() {
        let _ = MASKS.with_overrides(&[source]);
    }
}
