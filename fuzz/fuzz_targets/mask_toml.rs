//! Any text as a user's mask file, alone and over the shipped ones: loaded or refused with a
//! file/line error, never a panic, and never a pattern that escapes its size limit.
#![no_main]

// Each target calls one of the shared cases; the others are unused here.
#[allow(dead_code)]
#[path = "../cases.rs"]
mod cases;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| cases::mask_toml(bytes));
