//! Test vectors made at test time with Debian's ffmpeg (`ffmpeg` + `libavcodec-extra`, in the
//! Makefile's test packages): speech from espeak-ng when it is installed, else a synthetic
//! voice-like signal from ffmpeg's lavfi sources.
//!
//! - AMR-NB (4.75k, 7.95k, 12.2k, 12.2k with DTX) and AMR-WB (6.6k, 12.65k, 23.85k, 12.65k with
//!   DTX): ours must be bit-exact with the OpenCORE reference (`-c:a libopencore_amr*` before `-i`;
//!   ffmpeg's own AMR decoders are not exact and drop SID/NO_DATA frames).
//! - FLAC and WAV μ-law/A-law: identical to ffmpeg's decode; MP3 and Ogg Vorbis: same length,
//!   SNR ≥ 40 dB against ffmpeg's decode.
//!
//! Without ffmpeg the tests print SKIPPED and pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use tidings_voicemail::audio::{decode, parse_amr};

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
            eprintln!(
                "{encoder} {bitrate} dtx={dtx}: {} frames ({silent} SID/NO_DATA), bit-exact",
                ours.amr_frames.unwrap()
            );
        }
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
        ("mp3.mp3", &["-c:a", "libmp3lame", "-b:a", "64k"][..], false),
        ("vorbis.ogg", &["-c:a", "libvorbis", "-q:a", "4"][..], false),
    ] {
        let file = scratch.path(name);
        let mut args = vec!["-i", input.to_str().unwrap()];
        args.extend_from_slice(codec_args);
        args.push(file.to_str().unwrap());
        ffmpeg(&args);
        let ours = decode(&std::fs::read(&file).unwrap(), None).expect(name);
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
    }
}
