//! The mask engine on arbitrary HTML: it must never panic, whatever the markup.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| tidings_fuzz_cases::render_html(bytes));
