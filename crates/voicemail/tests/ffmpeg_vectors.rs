//! Test vectors made at test time with Debian's ffmpeg (`ffmpeg` + `libavcodec-extra`, in the
//! Makefile's test packages): speech from espeak-ng when it is installed, else a synthetic
//! voice-like signal from ffmpeg's lavfi sources.
//!
//! - AMR-NB (4.75k, 7.95k, 12.2k, 12.2k with DTX) and AMR-WB (6.6k, 12.65k, 23.85k, 12.65k with
//!   DTX): ours must be bit-exact with the OpenCORE reference (`-c:a libopencore_amr*` before `-i`;
//!   ffmpeg's own AMR decoders are not exact and drop SID/NO_DATA frames); with NO_DATA,
//!   SPEECH_LOST and damaged (Q = 0) frames spliced in, equal to OpenCORE with the damaged and lost
//!   slots silent. Run with and without `--features rust-amr` (both AMR decoders).
//! - FLAC and WAV s16/s24 (extensible)/f32/μ-law/A-law/IMA ADPCM: identical to ffmpeg's decode;
//!   MP3 and Ogg Vorbis: same length, SNR ≥ 40 dB against ffmpeg's decode.
//! - Ogg Opus (libopus 24k/16k mono, 32k stereo): same length and exact or SNR ≥ 40 dB against
//!   `ffmpeg -c:a libopus` (its default native Opus decoder is not exact); a file cut short and
//!   one with a damaged page decode what is there, keep the timeline, and warn.
//! - `probe_duration` on every one of these files (and on the non-AMR ones cut in half): within
//!   30 ms of the decoded duration (MP3: within one 1152-sample frame).
//!
//! Without ffmpeg the tests print SKIPPED and pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use tidings_voicemail::audio::{decode, parse_amr, probe_duration, AMR_DECODER};

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("tidings-vvm-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ffmpeg(args: &[&str]) -> Option<Vec<u8>> {
    let output =
        Command::new("ffmpeg").args(["-hide_banner", "-v", "error", "-y"]).args(args).output().ok()?;
    if !output.status.success() {
        panic!("ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    Some(output.stdout)
}

fn have_ffmpeg() -> bool {
    let found = Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: no ffmpeg; install ffmpeg libavcodec-extra");
    }
    found
}

/// About 6 s of source audio at `rate`: espeak-ng speech, then 2 s of faint noise (for DTX).
fn source(scratch: &Scratch, rate: u32) -> PathBuf {
    let speech = scratch.path("speech.wav");
    let spoke = Command::new("espeak-ng")
        .arg("-w")
        .arg(&speech)
        .arg("Hello, this is a voicemail for Tidings. Please call me back tomorrow at nine thirty.")
        .output()
        .is_ok_and(|o| o.status.success());
    if !spoke {
        // Voice-like: a 150 Hz buzz with harmonics, amplitude-modulated at 4 Hz.
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "aevalsrc=0.3*sin(2*PI*4*t)*(sin(2*PI*150*t)+0.5*sin(2*PI*450*t)+0.3*sin(2*PI*1350*t)):d=4:s=22050",
            speech.to_str().unwrap(),
        ]);
    }
    let out = scratch.path(&format!("source-{rate}.wav"));
    let rate = rate.to_string();
    ffmpeg(&[
        "-i",
        speech.to_str().unwrap(),
        "-f",
        "lavfi",
        "-i",
        &format!("anoisesrc=d=2:c=white:a=0.003:r={rate}"),
        "-filter_complex",
        &format!("[0:a]aresample={rate},aformat=channel_layouts=mono[s];[s][1:a]concat=n=2:v=0:a=1"),
        "-ar",
        &rate,
        "-ac",
        "1",
        out.to_str().unwrap(),
    ]);
    out
}

fn pcm_le(bytes: &[u8]) -> Vec<i16> {
    bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect()
}

fn reference(path: &Path, decoder: Option<&str>) -> Vec<i16> {
    let mut args = Vec::new();
    if let Some(decoder) = decoder {
        args.extend(["-c:a", decoder]);
    }
    args.extend(["-i", path.to_str().unwrap(), "-f", "s16le", "-"]);
    pcm_le(&ffmpeg(&args).unwrap())
}

#[test]
fn amr_is_bit_exact_with_opencore_at_every_rate_and_with_dtx() {
    if !have_ffmpeg() {
        return;
    }
    let scratch = Scratch::new("amr");
    for (rate, encoder, reference_decoder, bitrates, ext, sid_ft) in [
        (8000, "libopencore_amrnb", "libopencore_amrnb", ["4.75k", "7.95k", "12.2k"], "amr", 8),
        (16000, "libvo_amrwbenc", "libopencore_amrwb", ["6.6k", "12.65k", "23.85k"], "awb", 9),
    ] {
        let input = source(&scratch, rate);
        for (bitrate, dtx) in bitrates.iter().map(|b| (*b, "0")).chain([(bitrates[1], "1")]) {
            let file = scratch.path(&format!("v-{bitrate}-{dtx}.{ext}"));
            ffmpeg(&[
                "-i",
                input.to_str().unwrap(),
                "-c:a",
                encoder,
                "-b:a",
                bitrate,
                "-dtx",
                dtx,
                "-f",
                "amr",
                file.to_str().unwrap(),
            ]);
            let bytes = std::fs::read(&file).unwrap();
            let silent =
                parse_amr(&bytes).unwrap().frames.iter().filter(|f| f.ft >= sid_ft && f.ft != 14).count();
            if dtx == "1" {
                assert!(silent > 0, "{bitrate}: DTX made no SID/NO_DATA frame");
            }
            let ours = decode(&bytes, None).expect("decodes");
            assert!(ours.warnings.is_empty(), "{bitrate} dtx={dtx}: {:?}", ours.warnings);
            assert_eq!(ours.pcm.sample_rate, rate);
            let expected = reference(&file, Some(reference_decoder));
            assert_eq!(ours.pcm.samples.len(), expected.len(), "{bitrate} dtx={dtx}");
            let differing = ours.pcm.samples.iter().zip(&expected).filter(|(a, b)| a != b).count();
            assert_eq!(differing, 0, "{bitrate} dtx={dtx}: {differing} samples differ");
            assert_probe_matches(&bytes, ours.pcm.duration_secs(), 0.030, &file);
            eprintln!(
                "{encoder} {bitrate} dtx={dtx}: {} frames ({silent} SID/NO_DATA), bit-exact with {AMR_DECODER}",
                ours.amr_frames.unwrap()
            );
        }
    }
}

/// Frames missing (NB NO_DATA mid-speech, WB SPEECH_LOST) and damaged (Q = 0), spliced into
/// real files. NO_DATA is decoded (concealed) exactly as OpenCORE does; damaged frames are silent
/// and leave the decoder as OpenCORE leaves it; a SPEECH_LOST frame is silent and not decoded, so
/// the rest equals OpenCORE's decode of the file without those frames. Run with and without
/// `--features rust-amr`, this is what keeps the two decoders' behaviour on damage the same.
#[test]
fn lost_and_damaged_amr_frames_match_opencore_with_silent_slots() {
    if !have_ffmpeg() {
        return;
    }
    let scratch = Scratch::new("amr-damaged");
    for (rate, encoder, reference_decoder, bitrate, ext, magic_len, lost_header) in [
        (8000, "libopencore_amrnb", "libopencore_amrnb", "12.2k", "amr", 6, 0x7c_u8), // NO_DATA
        (16000, "libvo_amrwbenc", "libopencore_amrwb", "12.65k", "awb", 9, 0x74),     // SPEECH_LOST
    ] {
        let input = source(&scratch, rate);
        let clean_file = scratch.path(&format!("clean.{ext}"));
        ffmpeg(&[
            "-i",
            input.to_str().unwrap(),
            "-c:a",
            encoder,
            "-b:a",
            bitrate,
            "-f",
            "amr",
            clean_file.to_str().unwrap(),
        ]);
        let clean = std::fs::read(&clean_file).unwrap();
        let frames = parse_amr(&clean).unwrap().frames;
        // `damaged` is what we decode; `reference_input` is what OpenCORE should see of it.
        let mut damaged = clean[..magic_len].to_vec();
        let mut reference_input = damaged.clone();
        for (index, frame) in frames.iter().enumerate() {
            if (50..60).contains(&index) {
                damaged.push(lost_header);
                if ext == "amr" {
                    reference_input.push(lost_header);
                }
            } else {
                let q = if (100..110).contains(&index) { 0 } else { 0x04 };
                for file in [&mut damaged, &mut reference_input] {
                    file.push(frame.ft << 3 | q);
                    file.extend_from_slice(frame.payload);
                }
            }
        }
        let reference_file = scratch.path(&format!("reference.{ext}"));
        std::fs::write(&reference_file, &reference_input).unwrap();
        let ours = decode(&damaged, None).expect("decodes");
        assert!(
            ours.warnings.iter().any(|w| w.contains("10 frames are marked damaged")),
            "{ext}: {:?}",
            ours.warnings
        );
        let slot = rate as usize / 50;
        let mut expected = reference(&reference_file, Some(reference_decoder));
        if ext == "awb" {
            assert!(ours.warnings.iter().any(|w| w.contains("10 frames were lost")), "{:?}", ours.warnings);
            expected.splice(50 * slot..50 * slot, std::iter::repeat_n(0, 10 * slot));
        }
        assert_eq!(ours.pcm.samples.len(), expected.len(), "{ext}: one slot per frame");
        assert_eq!(ours.pcm.samples.len(), frames.len() * slot, "{ext}: one slot per frame");
        assert!(expected[100 * slot..110 * slot].iter().any(|&s| s != 0), "the reference plays them");
        expected[100 * slot..110 * slot].fill(0);
        let differing = ours.pcm.samples.iter().zip(&expected).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "{ext} with {AMR_DECODER}: {differing} samples differ");
    }
}

fn snr_db(ours: &[i16], reference: &[i16]) -> f64 {
    let signal: f64 = reference.iter().map(|&s| f64::from(s).powi(2)).sum();
    let noise: f64 = ours.iter().zip(reference).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum();
    if noise == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (signal / noise).log10()
    }
}

#[test]
fn common_formats_match_ffmpeg() {
    if !have_ffmpeg() {
        return;
    }
    let scratch = Scratch::new("common");
    let input = source(&scratch, 22050);
    for (name, codec_args, exact) in [
        ("flac.flac", &["-c:a", "flac"][..], true),
        ("ulaw.wav", &["-c:a", "pcm_mulaw", "-ar", "8000"][..], true),
        ("alaw.wav", &["-c:a", "pcm_alaw", "-ar", "8000"][..], true),
        ("ima.wav", &["-c:a", "adpcm_ima_wav", "-ar", "8000"][..], true),
        ("s16.wav", &["-c:a", "pcm_s16le", "-ar", "16000"][..], true),
        // WAVE_FORMAT_EXTENSIBLE (ffmpeg writes it for 24-bit) and IEEE float: back to the 16 bits
        // they were made from, exactly.
        ("s24.wav", &["-c:a", "pcm_s24le"][..], true),
        ("f32.wav", &["-c:a", "pcm_f32le"][..], true),
        ("mp3.mp3", &["-c:a", "libmp3lame", "-b:a", "64k"][..], false),
        ("vorbis.ogg", &["-c:a", "libvorbis", "-q:a", "4"][..], false),
    ] {
        let file = scratch.path(name);
        let mut args = vec!["-i", input.to_str().unwrap()];
        args.extend_from_slice(codec_args);
        args.push(file.to_str().unwrap());
        ffmpeg(&args);
        let bytes = std::fs::read(&file).unwrap();
        let ours = decode(&bytes, None).expect(name);
        let expected = reference(&file, None);
        assert_eq!(ours.pcm.channels, 1, "{name}");
        assert_eq!(ours.pcm.samples.len(), expected.len(), "{name}: length");
        let snr = snr_db(&ours.pcm.samples, &expected);
        eprintln!("{name}: {} samples at {} Hz, SNR {snr:.1} dB", expected.len(), ours.pcm.sample_rate);
        if exact {
            assert!(snr.is_infinite(), "{name}: SNR {snr}");
        } else {
            assert!(snr >= 40.0, "{name}: SNR {snr}");
        }
        let tolerance = if name.ends_with(".mp3") { 1152.0 / 22050.0 } else { 0.030 };
        assert_probe_matches(&bytes, ours.pcm.duration_secs(), tolerance, &file);
        // Cut in half, the headers (Xing, STREAMINFO, RIFF sizes) still claim the whole length:
        // the probe must measure what is there, as a decode would.
        let half = &bytes[..bytes.len() / 2];
        let decoded_half = decode(half, None).expect(name).pcm.duration_secs();
        assert!(decoded_half < ours.pcm.duration_secs() * 0.75, "{name}: {decoded_half}");
        assert_probe_matches(half, decoded_half, tolerance, &file);
    }
}

/// `probe_duration` agrees with the decoded duration (and says so on stderr).
fn assert_probe_matches(bytes: &[u8], decoded_secs: f64, tolerance: f64, file: &Path) {
    let probed = probe_duration(bytes, None).expect("probes");
    eprintln!("  probe {probed:.4} s, decoded {decoded_secs:.4} s: {}", file.display());
    assert!(
        (probed - decoded_secs).abs() <= tolerance,
        "{}: probe {probed} s, decode {decoded_secs} s",
        file.display()
    );
}

/// Encodes the source with libopus and returns the file and libopus's own decode of it.
fn opus_vector(scratch: &Scratch, input: &Path, name: &str, args: &[&str]) -> (Vec<u8>, Vec<i16>) {
    let file = scratch.path(name);
    let mut all = vec!["-i", input.to_str().unwrap(), "-c:a", "libopus"];
    all.extend_from_slice(args);
    all.push(file.to_str().unwrap());
    ffmpeg(&all);
    (std::fs::read(&file).unwrap(), reference(&file, Some("libopus")))
}

#[test]
fn ogg_opus_matches_libopus_through_ffmpeg() {
    if !have_ffmpeg() {
        return;
    }
    let scratch = Scratch::new("opus");
    let mono = source(&scratch, 16000);
    let stereo = scratch.path("stereo.wav");
    ffmpeg(&["-i", mono.to_str().unwrap(), "-af", "pan=stereo|c0=c0|c1=0.5*c0", stereo.to_str().unwrap()]);
    let long_comment = format!("comment={}", "voicemail ".repeat(7000));
    for (name, input, channels, args) in [
        ("mono24.ogg", &mono, 1, &["-b:a", "24k"][..]),
        // A 70 000-octet comment: OpusTags spans two pages (a page holds at most 65 025).
        (
            "mono16-60ms.ogg",
            &mono,
            1,
            &["-b:a", "16k", "-frame_duration", "60", "-metadata", &long_comment][..],
        ),
        ("stereo32.ogg", &stereo, 2, &["-b:a", "32k"][..]),
    ] {
        let (bytes, expected) = opus_vector(&scratch, input, name, args);
        let ours = decode(&bytes, None).expect(name);
        assert!(ours.warnings.is_empty(), "{name}: {:?}", ours.warnings);
        assert_eq!((ours.pcm.sample_rate, ours.pcm.channels), (48_000, channels), "{name}");
        assert_eq!(ours.pcm.samples.len(), expected.len(), "{name}: length");
        let snr = snr_db(&ours.pcm.samples, &expected);
        eprintln!("{name}: {} samples, SNR {snr:.1} dB against ffmpeg -c:a libopus", expected.len());
        assert!(snr >= 40.0, "{name}: SNR {snr}");
        assert_probe_matches(&bytes, ours.pcm.duration_secs(), 0.030, &scratch.path(name));
    }
}

#[test]
fn damaged_ogg_opus_decodes_what_is_there_and_keeps_the_timeline() {
    if !have_ffmpeg() {
        return;
    }
    let scratch = Scratch::new("opus-damaged");
    let input = source(&scratch, 16000);
    let (bytes, _) = opus_vector(&scratch, &input, "v.ogg", &["-b:a", "24k"]);
    let clean = decode(&bytes, None).unwrap().pcm;
    let pages: Vec<usize> =
        bytes.windows(4).enumerate().filter(|(_, w)| *w == b"OggS").map(|(i, _)| i).collect();
    assert!(pages.len() > 6, "{} pages", pages.len());

    // Cut in the middle of a page: every whole page before it decodes, with a warning.
    let cut_at = pages[pages.len() / 2] + 100;
    let cut = decode(&bytes[..cut_at], None).expect("a cut file decodes");
    eprintln!("cut at {cut_at} of {}: {:?}", bytes.len(), cut.warnings);
    assert!(!cut.warnings.is_empty(), "a cut file is reported");
    assert!(cut.pcm.samples.len() > clean.samples.len() / 3, "{}", cut.pcm.samples.len());
    assert!(cut.pcm.samples.len() < clean.samples.len());
    assert_eq!(cut.pcm.samples[..], clean.samples[..cut.pcm.samples.len()], "what is there is unchanged");
    let probed = probe_duration(&bytes[..cut_at], None).unwrap();
    assert!(
        (probed - cut.pcm.duration_secs()).abs() <= 0.030,
        "probe {probed}, decode {}",
        cut.pcm.duration_secs()
    );

    // One audio page's payload overwritten: its checksum fails, it is skipped, and its time is
    // silence, so the audio after it stays where it was.
    let victim = pages.len() / 2;
    let mut damaged = bytes.clone();
    for byte in &mut damaged[pages[victim] + 40..pages[victim + 1] - 4] {
        *byte ^= 0x5a;
    }
    let decoded = decode(&damaged, None).expect("a damaged file decodes");
    eprintln!("page {victim} of {} damaged: {:?}", pages.len(), decoded.warnings);
    assert!(
        decoded.warnings.iter().any(|w| w.contains("skipped damaged Ogg pages in 1 places")),
        "{:?}",
        decoded.warnings
    );
    assert_eq!(decoded.pcm.samples.len(), clean.samples.len(), "the timeline is kept");
    // The lost page's time, from the granule positions around it, is silent; before it nothing
    // changed; well after it (libopus needs a few packets to settle) the audio is back.
    let granule = |page: usize| {
        let at = pages[page] + 6;
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize
    };
    let pre_skip = usize::from(u16::from_le_bytes([bytes[pages[0] + 28 + 10], bytes[pages[0] + 28 + 11]]));
    let (lost_from, lost_to) = (granule(victim - 1) - pre_skip, granule(victim) - pre_skip);
    assert!(decoded.pcm.samples[lost_from..lost_to].iter().all(|&s| s == 0), "the lost second is silent");
    assert!(clean.samples[lost_from..lost_to].iter().any(|&s| s != 0), "it was not silent before");
    assert_eq!(decoded.pcm.samples[..lost_from], clean.samples[..lost_from], "before the damage");
    let settled = (lost_to + 4_800).min(clean.samples.len());
    let snr = snr_db(&decoded.pcm.samples[settled..], &clean.samples[settled..]);
    assert!(snr >= 20.0, "the audio after the damage is back at its place: SNR {snr}");

    // Random octets everywhere after the headers, and every cut point of the first pages: no panic.
    let mut noisy = bytes.clone();
    let mut seed = 0x2545_f491_u32;
    for byte in noisy.iter_mut().skip(pages[2]).step_by(7) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        *byte = seed as u8;
    }
    let _ = decode(&noisy, None);
    let _ = probe_duration(&noisy, None);
    for cut in (0..pages[3]).step_by(3) {
        let _ = decode(&bytes[..cut], None);
        let _ = probe_duration(&bytes[..cut], None);
    }
}
