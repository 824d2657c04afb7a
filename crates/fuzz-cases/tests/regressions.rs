//! Replays every input kept under `fuzz/regressions/<target>/` — crashes `make fuzz` found (it
//! copies them there) and hand-written hostile cases — and the seeds under `fuzz/seeds/<target>/`
//! through the same code as the fuzz targets (this crate), in `make test`. Each must return
//! without a panic; a hang is caught by the guard below.

use tidings_fuzz_cases as cases;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Far longer than any case takes in a debug build; only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(120);

fn inputs(root: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let Ok(targets) = std::fs::read_dir(root) else { return found };
    for target in targets.flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(target.path()).into_iter().flatten().flatten() {
            found.push((name.clone(), file.path()));
        }
    }
    found.sort();
    found
}

#[test]
fn every_kept_fuzz_input_runs_without_a_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut all = inputs(&fuzz.join("regressions"));
    let regressions = all.len();
    all.extend(inputs(&fuzz.join("seeds")));
    assert!(regressions > 0, "fuzz/regressions/ is empty: the replay would prove nothing");
    let mut failures = Vec::new();
    for (target, path) in &all {
        let Some((_, run)) = cases::TARGETS.iter().find(|(name, _)| name == target) else {
            failures.push(format!("{}: no fuzz target is called {target}", path.display()));
            continue;
        };
        let bytes = std::fs::read(path).expect("read a kept input");
        let (run, (sender, receiver)) = (*run, mpsc::channel());
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| run(&bytes));
            let _ = sender.send(outcome.is_ok());
        });
        match receiver.recv_timeout(HANG_GUARD) {
            Ok(true) => {}
            Ok(false) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                failures.push(format!("{}: panicked", path.display()))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                failures.push(format!("{}: still running after {HANG_GUARD:?}", path.display()))
            }
        }
    }
    println!(
        "{} kept inputs replayed ({regressions} regressions, {} seeds)",
        all.len(),
        all.len() - regressions
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
