//! Any text as a visual-voicemail STATUS/SYNC SMS: a parse or an error, never a panic.
#![no_main]

// Each target calls one of the shared cases; the others are unused here.
#[allow(dead_code)]
#[path = "../cases.rs"]
mod cases;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| cases::vvm_sms(bytes));
