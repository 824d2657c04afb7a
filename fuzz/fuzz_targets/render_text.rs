//! The mask engine on arbitrary plain text (`>` quoting, attribution lines): never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| tidings_fuzz_cases::render_text(bytes));
