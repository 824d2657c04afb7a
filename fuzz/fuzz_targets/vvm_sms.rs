//! Any text as a visual-voicemail STATUS/SYNC SMS: a parse or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = tidings_voicemail::sms::parse(text);
});
