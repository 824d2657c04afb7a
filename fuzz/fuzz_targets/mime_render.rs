//! Raw bytes as a message, read strictly and leniently, then rendered: never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| tidings_fuzz_cases::mime_render(bytes));
