//! The mask engine on arbitrary HTML: it must never panic, whatever the markup.
#![no_main]

// Each target calls one of the shared cases; the others are unused here.
#[allow(dead_code)]
#[path = "../cases.rs"]
mod cases;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| cases::render_html(bytes));
