//! `tidings-bench`, the Rust half of `make bench` (the Python peers are `bench/peers.py`, the
//! report is `bench/report.py`). Glue only: each subcommand writes one JSON file.
//!
//! - `inputs DIR`: writes every input set and `DIR/manifest.json` ([`inputs`]).
//! - `mask DIR OUT`: times the mask engine and the html5ever floor on those sets ([`mask`]).
//! - `rounds DIR SET MODE ROUNDS`: renders or parses one set's bodies ROUNDS times, for
//!   `make bench-instructions` to count under callgrind ([`rounds`]).
//! - `sync OUT`: full, unchanged and IDLE sync against a local Dovecot ([`sync`]; needs root
//!   and dovecot-imapd, like the IMAP integration tests).
//! - `voicemail OUT`: AMR decode speed ([`voicemail`]).
//! - `threads OUT`: the threaded list on 100 000 cached messages ([`threads`]).
//! - `app APP OUT`: the app binary's cold start to its first painted list with 1 000 and
//!   100 000 cached messages ([`app`]; needs an X display, `make bench` runs it under Xvfb).
//!
//! Numbers are printed to stderr as they come; nothing is asserted.

mod app;
mod inputs;
mod mask;
mod rounds;
mod sync;
mod threads;
mod timing;
mod voicemail;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context};

const USAGE: &str =
    "usage: tidings-bench inputs DIR | mask DIR OUT.json | rounds DIR SET render|parse ROUNDS | sync OUT.json | voicemail OUT.json | threads OUT.json | app APP OUT.json | app-cache DIR COUNT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tidings-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<()> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["inputs", dir] => {
            let manifest = inputs::write_all(Path::new(dir), &repo, &shared_dir(&repo))?;
            let files: usize = manifest.sets.iter().map(|set| set.files.len()).sum();
            eprintln!("bench: {} input sets, {files} files in {dir}", manifest.sets.len());
            Ok(())
        }
        ["mask", dir, out] => mask::run(Path::new(dir), &read_inputs(dir)?, Path::new(out)),
        ["rounds", dir, set, mode, rounds] => {
            rounds::run(Path::new(dir), &read_inputs(dir)?, set, mode, rounds.parse().context("ROUNDS")?)
        }
        ["sync", out] => sync::run(Path::new(out)),
        ["voicemail", out] => voicemail::run(&repo, Path::new(out)),
        ["threads", out] => threads::run(Path::new(out)),
        ["app", app, out] => app::run(Path::new(app), Path::new(out)),
        ["app-cache", dir, count] => app::write_cache(Path::new(dir), count.parse().context("COUNT")?),
        _ => Err(anyhow!("{USAGE}")),
    }
}

/// The manifest of the input sets `inputs DIR` wrote.
fn read_inputs(dir: &str) -> anyhow::Result<inputs::Manifest> {
    inputs::read_manifest(Path::new(dir)).context("Reading the inputs (run `inputs` first)")
}

/// `$TIDINGS_SHARED`, else the `shared` directory beside the repository (as the corpus tests look).
fn shared_dir(repo: &Path) -> PathBuf {
    std::env::var_os("TIDINGS_SHARED").map(PathBuf::from).unwrap_or_else(|| repo.join("../shared"))
}
