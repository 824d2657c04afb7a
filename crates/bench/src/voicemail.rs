//! AMR decode speed as × real time, on the demo voicemails, calling the same code as
//! `crates/voicemail/benches/decode.rs` (`tidings_voicemail::audio::decode`) with the same
//! timing method as the mask sets. Writes `voicemail.json`.

use std::fs;
use std::hint::black_box;
use std::path::Path;

use anyhow::{anyhow, Context};
use serde::Serialize;
use tidings_voicemail::audio::decode;
use tidings_voicemail::Voicemail;

use crate::timing::{measure, Timing};

/// The demo voicemails: (label, file in `assets/demo`).
const DEMO: &[(&str, &str)] =
    &[("AMR-NB 12.2 kbit/s", "20-voicemail-dentist.eml"), ("AMR-WB 23.85 kbit/s", "21-voicemail-garage.eml")];

#[derive(Debug, Serialize)]
struct Decode {
    codec: &'static str,
    audio_s: f64,
    timing: Timing,
    /// Seconds of audio decoded per second.
    times_real_time: f64,
}

/// Times each demo voicemail's decode and writes the JSON report to `out`.
pub fn run(repo: &Path, out: &Path) -> anyhow::Result<()> {
    let mut results = Vec::new();
    for &(codec, file) in DEMO {
        let path = repo.join("assets/demo").join(file);
        let raw = fs::read(&path).with_context(|| format!("Reading {}", path.display()))?;
        let audio = Voicemail::parse(&raw)
            .and_then(|voicemail| voicemail.audio)
            .ok_or_else(|| anyhow!("{} has no audio part", path.display()))?;
        let audio_s =
            decode(&audio.bytes, None).map_err(|e| anyhow!("Decoding {file}: {e}"))?.pcm.duration_secs();
        let timing = measure(|| {
            let _ = black_box(decode(black_box(&audio.bytes), None));
        });
        let times_real_time = audio_s / timing.pass_s;
        eprintln!("bench: voicemail {codec}: {times_real_time:.0}x real time");
        results.push(Decode { codec, audio_s, timing, times_real_time });
    }
    let json = serde_json::to_string_pretty(&results).context("Report to JSON")?;
    fs::write(out, json).with_context(|| format!("Writing {}", out.display()))
}
