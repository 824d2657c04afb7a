//! Any bytes as voicemail audio (AMR-NB/WB through OpenCORE, WAV/MP3/Vorbis/FLAC through
//! symphonia), with and without the format hint: decoded or refused, never a panic.
#![no_main]

// Each target calls one of the shared cases; the others are unused here.
#[allow(dead_code)]
#[path = "../cases.rs"]
mod cases;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| cases::audio_decode(bytes));
