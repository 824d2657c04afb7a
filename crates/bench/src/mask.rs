//! Times `tidings_mask::render` and the floor (a bare html5ever parse through scraper, the same
//! parser the mask engine uses) on every input set of the manifest, and scores the outermost
//! quote header against the email-forward-parser ground truth. Writes `tidings.json`.
//!
//! Bodies are read into memory before timing; MIME parsing is not timed (the peers get the
//! same bodies, already decoded).

use std::fs;
use std::hint::black_box;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use tidings_mask::{render, AddressBook, Body, MaskSet, RenderOptions, TopHeader};

use crate::inputs::{InputSet, Manifest};
use crate::timing::{measure, Timing};

/// One set's results.
#[derive(Debug, Serialize)]
struct SetResult {
    name: String,
    group: String,
    x: u64,
    kind: String,
    description: String,
    messages: usize,
    bytes: usize,
    /// Messages in which at least one quote header was found (the peers report the same).
    found: usize,
    /// Quote headers found in all messages of the set.
    quotes: usize,
    tidings: Timing,
    /// The html5ever parse alone; `None` for text sets, which the mask engine does not parse as HTML.
    floor: Option<Timing>,
}

/// How often the outermost header was found and read right.
#[derive(Debug, Default, Serialize)]
pub struct Accuracy {
    /// Files with ground truth.
    pub files: usize,
    /// Files where a quote header was found at all.
    pub header_found: usize,
    /// Files where the sender's address equals the expected one (both absent counts).
    pub address_exact: usize,
    /// Files where name and address both equal the expected ones.
    pub sender_exact: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    tool: &'static str,
    sets: Vec<SetResult>,
    accuracy: Option<Accuracy>,
    skipped: Vec<String>,
}

/// Times every set of `manifest` (inputs under `dir`) and writes the JSON report to `out`.
pub fn run(dir: &Path, manifest: &Manifest, out: &Path) -> anyhow::Result<()> {
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    let options = RenderOptions::default();
    let mut sets = Vec::new();
    let mut accuracy = None;
    for set in &manifest.sets {
        let bodies = load(dir, set)?;
        let bytes = bodies.iter().map(|(body, _)| body.len()).sum();
        let html = set.kind == "html";
        let quote_counts: Vec<usize> = bodies
            .iter()
            .map(|(body, top)| {
                render(as_body(body, html), top.as_ref(), &masks, &book, &options).quotes.len()
            })
            .collect();
        let tidings = measure(|| {
            for (body, top) in &bodies {
                black_box(render(black_box(as_body(body, html)), top.as_ref(), &masks, &book, &options));
            }
        });
        let floor = html.then(|| {
            measure(|| {
                for (body, _) in &bodies {
                    black_box(scraper::Html::parse_document(black_box(body)));
                }
            })
        });
        eprintln!(
            "bench: tidings {:<18} {:>4} msgs  {:>10.1} msgs/s{}",
            set.name,
            bodies.len(),
            bodies.len() as f64 / tidings.pass_s,
            floor
                .as_ref()
                .map(|f| format!("  (floor {:.1} msgs/s)", bodies.len() as f64 / f.pass_s))
                .unwrap_or_default()
        );
        if set.files.iter().any(|file| file.expected.is_some()) {
            accuracy = Some(score(set, &bodies, &masks, &book, &options));
        }
        sets.push(SetResult {
            name: set.name.clone(),
            group: set.group.clone(),
            x: set.x,
            kind: set.kind.clone(),
            description: set.description.clone(),
            messages: bodies.len(),
            bytes,
            found: quote_counts.iter().filter(|&&quotes| quotes > 0).count(),
            quotes: quote_counts.iter().sum(),
            tidings,
            floor,
        });
    }
    let report = Report { tool: "tidings", sets, accuracy, skipped: manifest.skipped.clone() };
    let json = serde_json::to_string_pretty(&report).context("Report to JSON")?;
    fs::write(out, json).with_context(|| format!("Writing {}", out.display()))
}

pub(crate) fn as_body(body: &str, html: bool) -> Body<'_> {
    if html {
        Body::Html(body)
    } else {
        Body::Text(body)
    }
}

/// The bodies of a set with the top header each is rendered under.
pub(crate) fn load(dir: &Path, set: &InputSet) -> anyhow::Result<Vec<(String, Option<TopHeader>)>> {
    set.files
        .iter()
        .map(|file| {
            let path = dir.join(&file.path);
            let body = fs::read_to_string(&path).with_context(|| format!("Reading {}", path.display()))?;
            let top = file
                .subject
                .as_ref()
                .map(|subject| TopHeader { subject: Some(subject.clone()), ..TopHeader::default() });
            Ok((body, top))
        })
        .collect()
}

/// The outermost header (the first in document order) against the expected sender, as
/// `crates/mask/tests/corpus.rs` scores it.
fn score(
    set: &InputSet,
    bodies: &[(String, Option<TopHeader>)],
    masks: &MaskSet,
    book: &AddressBook,
    options: &RenderOptions,
) -> Accuracy {
    let mut accuracy = Accuracy::default();
    for (file, (body, top)) in set.files.iter().zip(bodies) {
        let Some(expected) = &file.expected else { continue };
        accuracy.files += 1;
        let rendering = render(as_body(body, set.kind == "html"), top.as_ref(), masks, book, options);
        let Some(first) = rendering.quotes.first() else { continue };
        accuracy.header_found += 1;
        let address_right = first.fields.email == expected.email;
        if address_right {
            accuracy.address_exact += 1;
        }
        if address_right && first.fields.name == expected.name {
            accuracy.sender_exact += 1;
        }
    }
    accuracy
}
