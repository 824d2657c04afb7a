//! AMR decode speed on the demo voicemails, as × real time (the issue asks for ≥ 100×).
//!
//! Criterion's throughput counts one element per millisecond of audio, so `Kelem/s` reads directly
//! as × real time; a one-line summary with the same number is printed before each group.
//! Run briefly with `cargo bench -p tidings-voicemail --bench decode -- --quick`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tidings_voicemail::audio::{decode, to_wav};
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
        println!("{label}: {seconds:.2} s of audio, {speed:.0}x real time ({runs} runs)");

        let mut group = criterion.benchmark_group(format!("decode {label} (Kelem/s = x real time)"));
        group.throughput(Throughput::Elements((seconds * 1000.0).round() as u64));
        group.bench_function("decode", |b| b.iter(|| decode(black_box(&bytes), None).expect("decodes")));
        group.bench_function("decode + to_wav", |b| {
            b.iter(|| to_wav(&decode(black_box(&bytes), None).expect("decodes").pcm).expect("wav"))
        });
        group.finish();
    }
}

criterion_group!(benches, amr);
criterion_main!(benches);
