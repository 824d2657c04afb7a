//! Any bytes as voicemail audio (AMR-NB/WB through OpenCORE, WAV/MP3/Vorbis/FLAC through
//! symphonia), with and without the format hint: decoded or refused, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| tidings_fuzz_cases::audio_decode(bytes));
