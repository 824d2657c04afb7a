//! Any bytes as voicemail audio (AMR-NB/WB through OpenCORE, WAV/MP3/Vorbis/FLAC through
//! symphonia), with and without the format hint: decoded or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_voicemail::audio::decode;
use tidings_voicemail::AudioFormat;

fuzz_target!(|bytes: &[u8]| {
    let _ = decode(bytes, None);
    // A header that lies about the format: the hint picks the decoder whatever the bytes say.
    let hint = match bytes.first().copied().unwrap_or(0) % 5 {
        0 => AudioFormat::AmrNb,
        1 => AudioFormat::AmrWb,
        2 => AudioFormat::Wav,
        3 => AudioFormat::Mp3,
        _ => AudioFormat::Flac,
    };
    let _ = decode(bytes, Some(hint));
});
