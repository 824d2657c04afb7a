//! Decode speed on the demo voicemails, as × real time (the issue asks for ≥ 100×), and
//! `probe_duration` against a full decode on AMR, Ogg Opus, Ogg Vorbis, MP3, FLAC and WAV (the
//! non-AMR files are made with ffmpeg at bench time: 60 s of a voice-like signal; skipped, with a
//! line saying so, without ffmpeg).
//!
//! Criterion's throughput counts one element per millisecond of audio, so `Kelem/s` reads directly
//! as × real time; a one-line summary with the same number is printed before each group.
//! Run briefly with `cargo bench -p tidings-voicemail --bench decode -- --quick`; the AMR decoder
//! measured is the one built (`--features rust-amr` for the pure-Rust one).

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tidings_voicemail::audio::{decode, probe_duration, to_wav, AMR_DECODER};
use tidings_voicemail::Voicemail;

fn demo_audio(name: &str) -> Vec<u8> {
    let path = format!("{}/../../assets/demo/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(path).expect("demo message");
    Voicemail::parse(&raw).and_then(|vm| vm.audio).expect("audio part").bytes
}

fn amr(criterion: &mut Criterion) {
    for (label, name) in
        [("amr-nb 12.2k", "20-voicemail-dentist.eml"), ("amr-wb 23.85k", "21-voicemail-garage.eml")]
    {
        let bytes = demo_audio(name);
        let seconds = decode(&bytes, None).expect("decodes").pcm.duration_secs();
        let runs = 20;
        let start = Instant::now();
        for _ in 0..runs {
            black_box(decode(black_box(&bytes), None).expect("decodes"));
        }
        let speed = seconds * f64::from(runs) / start.elapsed().as_secs_f64();
        println!("{label} ({AMR_DECODER}): {seconds:.2} s of audio, {speed:.0}x real time ({runs} runs)");

        let mut group = criterion.benchmark_group(format!("decode {label} (Kelem/s = x real time)"));
        group.throughput(Throughput::Elements((seconds * 1000.0).round() as u64));
        group.bench_function("decode", |b| b.iter(|| decode(black_box(&bytes), None).expect("decodes")));
        group.bench_function("decode + to_wav", |b| {
            b.iter(|| to_wav(&decode(black_box(&bytes), None).expect("decodes").pcm).expect("wav"))
        });
        group.finish();
    }
}

/// Mean seconds per call of `f` over `runs` calls.
fn mean_secs(runs: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    start.elapsed().as_secs_f64() / f64::from(runs)
}

/// 60 s of a voice-like signal encoded by ffmpeg with `args`; `None` without ffmpeg.
fn ffmpeg_file(dir: &std::path::Path, name: &str, args: &[&str]) -> Option<Vec<u8>> {
    let path = dir.join(name);
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("aevalsrc=0.3*sin(2*PI*4*t)*(sin(2*PI*150*t)+0.5*sin(2*PI*450*t)+0.3*sin(2*PI*1350*t)):d=60:s=16000")
        .args(args)
        .arg(&path)
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read(&path).ok()
}

fn probe_vs_decode(criterion: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("tidings-vvm-bench-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let mut files = vec![
        ("amr-nb 12.2k".to_owned(), demo_audio("20-voicemail-dentist.eml")),
        ("amr-wb 23.85k".to_owned(), demo_audio("21-voicemail-garage.eml")),
    ];
    for (label, name, args) in [
        ("opus 24k", "b.ogg", &["-c:a", "libopus", "-b:a", "24k"][..]),
        ("vorbis q3", "v.ogg", &["-c:a", "libvorbis", "-q:a", "3"][..]),
        ("mp3 32k", "b.mp3", &["-c:a", "libmp3lame", "-b:a", "32k"][..]),
        ("flac", "b.flac", &["-c:a", "flac"][..]),
        ("wav ulaw 8k", "b.wav", &["-c:a", "pcm_mulaw", "-ar", "8000"][..]),
    ] {
        match ffmpeg_file(&dir, name, args) {
            Some(bytes) => files.push((label.to_owned(), bytes)),
            None => println!("SKIPPED {label}: no ffmpeg (install ffmpeg libavcodec-extra)"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mut group = criterion.benchmark_group("probe_duration vs decode");
    for (label, bytes) in &files {
        let seconds = decode(bytes, None).expect("decodes").pcm.duration_secs();
        let probe = mean_secs(20, || {
            black_box(probe_duration(black_box(bytes), None).expect("probes"));
        });
        let full = mean_secs(5, || {
            black_box(decode(black_box(bytes), None).expect("decodes"));
        });
        println!(
            "{label}: {seconds:.2} s of audio; probe {:.3} ms, decode {:.2} ms ({:.0}x faster; decode {:.0}x real time)",
            probe * 1e3,
            full * 1e3,
            full / probe,
            seconds / full
        );
        group.bench_function(format!("{label} probe_duration"), |b| {
            b.iter(|| probe_duration(black_box(bytes), None).expect("probes"))
        });
        group.bench_function(format!("{label} decode"), |b| {
            b.iter(|| decode(black_box(bytes), None).expect("decodes"))
        });
    }
    group.finish();
}

criterion_group!(benches, amr, probe_vs_decode);
criterion_main!(benches);
