//! `rounds DIR SET MODE ROUNDS`: renders (or only parses) every body of one input set ROUNDS
//! times inside [`measured_rounds`], for `make bench-instructions` to count under callgrind.
//!
//! Wall-clock times on a shared virtual machine varied by 40 % between identical runs, which is
//! as large as the changes worth measuring. Instructions counted by callgrind do not vary, so the
//! ratio of the mask engine to a bare html5ever parse can be compared from one commit to the
//! next. Everything initialised once per process (the mask set, the names table, regex caches)
//! runs in a warm-up round outside the counted function.

use std::hint::black_box;
use std::path::Path;

use anyhow::anyhow;
use tidings_mask::{render, AddressBook, MaskSet, RenderOptions};

use crate::inputs::Manifest;
use crate::mask::{as_body, load};

/// What the counted rounds do to each body.
#[derive(Clone, Copy)]
enum Mode {
    Render,
    Parse,
}

pub fn run(dir: &Path, manifest: &Manifest, set_name: &str, mode: &str, rounds: usize) -> anyhow::Result<()> {
    let mode = match mode {
        "render" => Mode::Render,
        "parse" => Mode::Parse,
        other => return Err(anyhow!("MODE is render or parse, not {other}")),
    };
    let set = manifest
        .sets
        .iter()
        .find(|set| set.name == set_name)
        .ok_or_else(|| anyhow!("no input set named {set_name}"))?;
    let html = set.kind == "html";
    if !html && matches!(mode, Mode::Parse) {
        return Err(anyhow!("{set_name} is a text set; only HTML sets have a parse floor"));
    }
    let bodies = load(dir, set)?;
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    let options = RenderOptions::default();
    let round = || {
        for (body, top) in &bodies {
            match mode {
                Mode::Render => {
                    black_box(render(as_body(black_box(body), html), top.as_ref(), &masks, &book, &options));
                }
                Mode::Parse => {
                    black_box(scraper::Html::parse_document(black_box(body)));
                }
            }
        }
    };
    // The warm-up round: the same work, not counted.
    round();
    measured_rounds(rounds, round);
    eprintln!("bench: {} messages × {rounds} rounds", bodies.len());
    Ok(())
}

/// The function callgrind counts (`--toggle-collect`); not inlined, so it keeps its symbol.
#[inline(never)]
fn measured_rounds(rounds: usize, round: impl Fn()) {
    for _ in 0..rounds {
        round();
    }
}
