//! How long a voicemail really is, without decoding its samples: for the message list, where the
//! `Content-Duration` header may be absent or wrong and decoding every message would be slow.
//! Exported as [`crate::audio::probe_duration`].
//!
//! Each format is measured from what its decoder would actually play, so the result agrees with
//! [`crate::audio::decode`]'s `duration_secs()` on the same bytes (the tests hold it to 30 ms):
//! - AMR: the whole frames the lenient parser finds × 20 ms, plus the 20 ms slot a cut-short
//!   last frame gets;
//! - WAV: the `data` chunk's size (as much of it as is present) over the block size;
//! - Ogg Opus and Vorbis: the last intact page's granule position (Opus: minus where the stream's
//!   granule positions start, read from the TOC octets of the first page's packets, and minus the
//!   pre-skip, at 48 kHz; a Vorbis stream cut from a longer one reads as too long);
//! - MP3 and FLAC: symphonia's packet headers walked to the end, summing their durations (gapless
//!   trimming included), nothing decoded. A Xing/LAME or STREAMINFO frame count is a header and
//!   lies about a file cut short, so it is used only when no packet can be read.
//!
//! It decodes nothing and allocates little; garbage gives an error, never a panic.

use std::io::Cursor;

use symphonia::core::codecs::CODEC_TYPE_NULL;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::audio::{parse_amr, AudioError};
use crate::model::AudioFormat;
use crate::ogg_opus::{last_granule, ogg_audio, opus_granule_start, OggAudio, OPUS_RATE};

/// The duration in seconds of an audio file, measured without decoding (see the module docs).
/// The format comes from the bytes; `hint` is used only when they say nothing.
pub fn probe_duration(bytes: &[u8], hint: Option<AudioFormat>) -> Result<f64, AudioError> {
    match AudioFormat::sniff(bytes).or(hint) {
        Some(AudioFormat::AmrNb | AudioFormat::AmrWb) => amr_duration(bytes),
        Some(AudioFormat::Wav) => wav_duration(bytes),
        Some(AudioFormat::Ogg) => ogg_duration(bytes),
        Some(format @ (AudioFormat::Mp3 | AudioFormat::Flac)) => packet_duration(bytes, format),
        Some(AudioFormat::Unknown) | None => Err(AudioError::UnknownFormat),
    }
}

fn amr_duration(bytes: &[u8]) -> Result<f64, AudioError> {
    let file = parse_amr(bytes)?;
    if file.frames.is_empty() {
        return Err(AudioError::NoAmrFrames);
    }
    let slots = file.frames.len() + usize::from(file.truncated_octets > 0);
    Ok(slots as f64 * 0.020)
}

fn wav_duration(bytes: &[u8]) -> Result<f64, AudioError> {
    let fail = |message: &str| AudioError::Decode { format: AudioFormat::Wav, message: message.to_owned() };
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(fail("not a RIFF/WAVE file"));
    }
    let u16_at = |chunk: &[u8], at: usize| chunk.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at =
        |chunk: &[u8], at: usize| chunk.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (mut format, mut data_len, mut fact_frames) = (None, None, None);
    let mut offset = 12;
    while let (Some(id), Some(size)) = (bytes.get(offset..offset + 4), u32_at(bytes, offset + 4)) {
        let body_start = offset + 8;
        let present = bytes.len().saturating_sub(body_start);
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let body = &bytes[body_start..body_start + size.min(present)];
        match id {
            b"fmt " => format = Some(body),
            b"fact" => fact_frames = u32_at(body, 0),
            b"data" => {
                // As much of the data as is there: a file cut short, or a streaming writer's
                // placeholder size, must not count audio that is not present.
                data_len = Some(body.len());
                break;
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        offset = body_start.saturating_add(size).saturating_add(size & 1);
    }
    let format = format.ok_or_else(|| fail("no `fmt ` chunk"))?;
    let data_len = data_len.ok_or_else(|| fail("no `data` chunk"))?;
    let (tag, channels, rate, block_align) =
        match (u16_at(format, 0), u16_at(format, 2), u32_at(format, 4), u16_at(format, 12)) {
            (Some(tag), Some(channels), Some(rate), Some(align)) if channels > 0 && rate > 0 && align > 0 => {
                (tag, usize::from(channels), rate, usize::from(align))
            }
            _ => return Err(fail("the `fmt ` chunk is short or has a zero field")),
        };
    // WAVE_FORMAT_EXTENSIBLE: the real format is the first two octets of the sub-format GUID.
    let tag = if tag == 0xfffe { u16_at(format, 24).unwrap_or(tag) } else { tag };
    let blocks = data_len / block_align;
    let frames = match tag {
        // PCM, IEEE float, A-law, μ-law: one block per frame.
        0x0001 | 0x0003 | 0x0006 | 0x0007 => blocks,
        // Microsoft ADPCM, IMA ADPCM: frames per block as the decoder computes them.
        0x0002 if block_align > 7 * channels => blocks * ((block_align - 7 * channels) * 2 / channels + 2),
        0x0011 if block_align > 4 * channels => blocks * ((block_align - 4 * channels) * 2 / channels + 1),
        // GSM 6.10 ("wav49"): 320 samples per 65-octet block pair.
        0x0031 => blocks * usize::from(u16_at(format, 18).unwrap_or(320)),
        _ => match fact_frames {
            Some(frames) => usize::try_from(frames).unwrap_or(usize::MAX),
            None => return Err(fail(&format!("WAV format 0x{tag:04x} without a `fact` chunk"))),
        },
    };
    Ok(frames as f64 / f64::from(rate))
}

fn ogg_duration(bytes: &[u8]) -> Result<f64, AudioError> {
    let fail = |message: &str| AudioError::Decode { format: AudioFormat::Ogg, message: message.to_owned() };
    let (serial, pre_skip, rate) = match ogg_audio(bytes) {
        Some(OggAudio::Opus { serial, head }) => {
            let start = opus_granule_start(bytes, serial).unwrap_or(0);
            (serial, u64::from(head.pre_skip) + start, OPUS_RATE)
        }
        Some(OggAudio::Vorbis { serial, sample_rate }) if sample_rate > 0 => (serial, 0, sample_rate),
        _ => return Err(fail("no Opus or Vorbis stream in the first Ogg pages")),
    };
    let granule =
        last_granule(bytes, serial).ok_or_else(|| fail("no intact page with a granule position"))?;
    Ok(granule.saturating_sub(pre_skip) as f64 / f64::from(rate))
}

/// MP3 and FLAC: sums the packets' durations, reading only their headers.
fn packet_duration(bytes: &[u8], format: AudioFormat) -> Result<f64, AudioError> {
    let fail = |message: String| AudioError::Decode { format, message };
    let mut hint = Hint::new();
    hint.with_extension(if format == AudioFormat::Mp3 { "mp3" } else { "flac" });
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes.to_vec())), Default::default());
    let options = FormatOptions { enable_gapless: true, ..Default::default() };
    let mut reader = symphonia::default::get_probe()
        .format(&hint, source, &options, &MetadataOptions::default())
        .map_err(|e| fail(e.to_string()))?
        .format;
    let track = reader
        .tracks()
        .iter()
        .find(|track| track.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| fail("no audio track".to_owned()))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let rate =
        params.sample_rate.filter(|&rate| rate > 0).ok_or_else(|| fail("no sample rate".to_owned()))?;
    // Packet durations are in the track's time base, which for these formats is 1/rate.
    let seconds = |units: u64| match params.time_base {
        Some(base) => {
            let time = base.calc_time(units);
            time.seconds as f64 + time.frac
        }
        None => units as f64 / f64::from(rate),
    };
    let (mut total, mut packets) = (0u64, 0usize);
    loop {
        match reader.next_packet() {
            Ok(packet) if packet.track_id() == track_id => {
                packets += 1;
                total += packet.dur;
            }
            Ok(_) => {}
            // The end of the file, or damage that `decode` stops at too.
            Err(_) => break,
        }
    }
    if packets > 0 {
        return Ok(seconds(total));
    }
    params.n_frames.map(seconds).ok_or_else(|| fail("no audio packet".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{decode, to_wav, Pcm};
    use crate::Voicemail;

    fn demo_audio(name: &str) -> Vec<u8> {
        let path = format!("{}/../../assets/demo/{name}", env!("CARGO_MANIFEST_DIR"));
        let raw = std::fs::read(path).expect("demo message");
        Voicemail::parse(&raw).and_then(|vm| vm.audio).expect("audio part").bytes
    }

    #[test]
    fn amr_probe_counts_the_frames_a_decode_plays() {
        for name in ["20-voicemail-dentist.eml", "21-voicemail-garage.eml"] {
            let bytes = demo_audio(name);
            for cut in [bytes.len(), bytes.len() - 7, bytes.len() / 2] {
                let decoded = decode(&bytes[..cut], None).unwrap().pcm.duration_secs();
                let probed = probe_duration(&bytes[..cut], None).unwrap();
                assert!((probed - decoded).abs() < 1e-9, "{name} cut at {cut}: {probed} vs {decoded}");
            }
        }
        assert!(
            (probe_duration(&demo_audio("20-voicemail-dentist.eml"), None).unwrap() - 12.16).abs() < 1e-9
        );
        assert!(matches!(probe_duration(b"#!AMR\n", None), Err(AudioError::NoAmrFrames)));
    }

    #[test]
    fn wav_probe_reads_the_header_and_counts_only_the_data_present() {
        let pcm = Pcm { samples: vec![100; 16_000 * 3], sample_rate: 16_000, channels: 1 };
        let wav = to_wav(&pcm).unwrap();
        assert!((probe_duration(&wav, None).unwrap() - 3.0).abs() < 1e-9);
        // Cut short: the header still says 3 s, the data is 1 s.
        let cut = &wav[..44 + 32_000];
        assert!((probe_duration(cut, None).unwrap() - 1.0).abs() < 1e-9);
        assert!((decode(cut, None).unwrap().pcm.duration_secs() - 1.0).abs() < 1e-9);
        // A streaming writer's placeholder size (0xffffffff), and a chunk before `data`.
        let mut streamed = wav[..36].to_vec();
        streamed.extend_from_slice(b"LIST\x05\0\0\0hello\0data\xff\xff\xff\xff");
        streamed.extend_from_slice(&wav[44..44 + 16_000]);
        assert!((probe_duration(&streamed, None).unwrap() - 0.5).abs() < 1e-9);
        // GSM 6.10 (Asterisk "wav49"): 65-octet blocks of 320 samples at 8 kHz, not decodable
        // here but measurable.
        let mut gsm =
            b"RIFF\0\0\0\0WAVEfmt \x14\0\0\0\x31\0\x01\0\x40\x1f\0\0\x59\x06\0\0\x41\0\0\0\x02\0\x40\x01"
                .to_vec();
        gsm.extend_from_slice(b"data");
        gsm.extend_from_slice(&(65u32 * 50).to_le_bytes());
        gsm.extend(std::iter::repeat_n(0u8, 65 * 50));
        assert!((probe_duration(&gsm, None).unwrap() - 2.0).abs() < 1e-9);
        assert!(probe_duration(b"RIFF\0\0\0\0WAVEdata\0\0\0\0", None).is_err(), "no fmt chunk");
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let mut seed = 0x9e37_79b9_u32;
        let mut noise = |len: usize| -> Vec<u8> {
            (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed as u8
                })
                .collect()
        };
        assert!(matches!(probe_duration(b"", None), Err(AudioError::UnknownFormat)));
        assert!(matches!(probe_duration(b"hello", None), Err(AudioError::UnknownFormat)));
        let hints = [
            None,
            Some(AudioFormat::Wav),
            Some(AudioFormat::Mp3),
            Some(AudioFormat::Ogg),
            Some(AudioFormat::Flac),
            Some(AudioFormat::AmrNb),
            Some(AudioFormat::Unknown),
        ];
        for hint in hints {
            for len in [0, 3, 27, 300, 5000] {
                let bytes = noise(len);
                // Random bytes that happen to sniff as something may probe to a value; they
                // must not panic, and a hinted format they do not match is an error.
                let _ = probe_duration(&bytes, hint);
            }
        }
        for magic in
            [&b"OggS"[..], b"RIFF\xff\xff\xff\xffWAVE", b"fLaC", b"ID3\x04\0\0\0\0\0\0", b"#!AMR-WB\n"]
        {
            let mut bytes = magic.to_vec();
            bytes.extend(noise(2000));
            match probe_duration(&bytes, None) {
                Ok(seconds) => assert!(seconds.is_finite() && seconds >= 0.0, "{magic:?}: {seconds}"),
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
        assert!(probe_duration(b"OggS\0\x02", None).is_err(), "a cut first page");
    }
}
