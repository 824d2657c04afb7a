//! Any text as a visual-voicemail STATUS/SYNC SMS: a parse or an error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| tidings_fuzz_cases::vvm_sms(bytes));
