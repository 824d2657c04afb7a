//! Any text as a user's mask file, alone and over the shipped ones: loaded or refused with a
//! file/line error, never a panic, and never a pattern that escapes its size limit.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| tidings_fuzz_cases::mask_toml(bytes));
