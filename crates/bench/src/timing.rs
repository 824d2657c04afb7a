//! The one timing method of the whole bench, mirrored line for line by `bench/peers.py` so that
//! Tidings and the Python peers are measured alike: one *pass* handles every input of a set
//! once; a *run* repeats passes until at least [`MIN_RUN`] has passed and gives the time per
//! pass; the result is the median of [`RUNS`] runs (fewer when one pass is already slow).

use std::time::{Duration, Instant};

use serde::Serialize;

/// A run lasts at least this long, so short passes are not lost in timer noise.
pub const MIN_RUN: Duration = Duration::from_millis(200);
/// Runs per measurement; the median is reported.
pub const RUNS: usize = 5;
/// A first pass slower than this gets 3 runs, and one slower than [`SLOW_PASS`] only one, to
/// keep `make bench` within minutes.
const LONG_PASS: Duration = Duration::from_secs(1);
const SLOW_PASS: Duration = Duration::from_secs(5);

/// Time per pass.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Median seconds per pass.
    pub pass_s: f64,
    /// Every run's seconds per pass.
    pub runs_s: Vec<f64>,
    /// Passes per run of the median run.
    pub passes: u64,
}

/// Times `pass` by the method above.
pub fn measure(mut pass: impl FnMut()) -> Timing {
    let first = Instant::now();
    pass();
    let first = first.elapsed();
    let runs = if first >= SLOW_PASS {
        1
    } else if first >= LONG_PASS {
        3
    } else {
        RUNS
    };
    let mut results: Vec<(f64, u64)> = Vec::with_capacity(runs);
    if runs == 1 {
        results.push((first.as_secs_f64(), 1));
    } else {
        for _ in 0..runs {
            let started = Instant::now();
            let mut passes = 0u64;
            while passes == 0 || started.elapsed() < MIN_RUN {
                pass();
                passes += 1;
            }
            results.push((started.elapsed().as_secs_f64() / passes as f64, passes));
        }
    }
    let runs_s: Vec<f64> = results.iter().map(|(seconds, _)| *seconds).collect();
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (pass_s, passes) = results[results.len() / 2];
    Timing { pass_s, runs_s, passes }
}
