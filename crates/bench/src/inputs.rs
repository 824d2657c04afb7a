//! The benchmark inputs, written once to a directory so that Tidings and the Python peers time
//! exactly the same bytes: the demo mailbox bodies, the email-forward-parser fixtures (when the
//! shared corpus is there) and generated reply threads, plus `manifest.json` naming every set
//! and, for the fixtures, the expected sender.
//!
//! This module owns the thread generator (a copy of `crates/mask/benches/render.rs`'s, which a
//! bench target cannot export) and the bench's copy of the corpus ground truth (from
//! `crates/mask/tests/corpus.rs` and the corpus README). It times nothing.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tidings_message::DisplayBody;

/// Everything the timers need to know about the inputs.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Input sets, timed one by one.
    pub sets: Vec<InputSet>,
    /// Why an input source is missing (e.g. the shared corpus is absent).
    pub skipped: Vec<String>,
}

/// A group of bodies timed together: one pass renders each once.
#[derive(Debug, Serialize, Deserialize)]
pub struct InputSet {
    /// Short name, e.g. `demo-html` or `depth-0100`.
    pub name: String,
    /// `throughput` (messages/s table), `depth` or `size` (scaling curves).
    pub group: String,
    /// The scaling variable: number of quotes (`depth`) or bytes (`size`); 0 otherwise.
    pub x: u64,
    /// `html` or `text`: every file of a set is of one kind.
    pub kind: String,
    /// What the set is, for the report.
    pub description: String,
    /// The files, relative to the inputs directory.
    pub files: Vec<InputFile>,
}

/// One body on disk.
#[derive(Debug, Serialize, Deserialize)]
pub struct InputFile {
    /// Path relative to the inputs directory.
    pub path: String,
    /// The subject of the message the body belongs to, when known (Tidings uses it to tell a
    /// reply from a forward; the peers take no subject).
    pub subject: Option<String>,
    /// The expected sender of the outermost quoted header, when the corpus gives it.
    pub expected: Option<ExpectedSender>,
}

/// Ground truth of one fixture: `None` means the header shows no such field.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExpectedSender {
    /// Display name.
    pub name: Option<String>,
    /// Address.
    pub email: Option<String>,
}

/// The text every generated message is padded with.
const PARAGRAPH: &str =
    "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer consequat non purus \
    vitae <b>faucibus</b>. Aenean quis diam urna; maecenas eleifend vulputate ligula ac consequat. \
    <a href=\"https://example.com/x\">Pellentesque</a> cursus tincidunt mauris non venenatis.</p>\n";

/// A reply thread with `quotes` nested quotes in alternating Gmail and Outlook formats, padded
/// with paragraphs to about `target_bytes` (the generator of `crates/mask/benches/render.rs`).
pub fn thread(quotes: usize, target_bytes: usize) -> String {
    let paragraphs_per_message = (target_bytes / (quotes + 1) / PARAGRAPH.len()).max(1);
    let body = PARAGRAPH.repeat(paragraphs_per_message);
    let mut inner = format!("<div>{body}</div>");
    for level in (0..quotes).rev() {
        let day = level % 28 + 1;
        inner = if level % 2 == 0 {
            format!(
                "<div>{body}</div><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Wed, Oct {day}, 2021 at 9:31 AM John Doe &lt;<a href=\"mailto:john.doe@acme.com\">john.doe@acme.com</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex\">{inner}</blockquote></div>"
            )
        } else {
            format!(
                "<div>{body}</div><div id=\"appendonsend\"></div><hr style=\"display:inline-block;width:98%\"><div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\" style=\"font-size:11pt\"><b>From:</b> Bessie Berry &lt;bessie.berry@acme.com&gt;<br><b>Sent:</b> Tuesday, October {day}, 2021 3:14 PM<br><b>To:</b> John Doe &lt;john.doe@acme.com&gt;<br><b>Subject:</b> RE: plans</font><div>&nbsp;</div></div>{inner}"
            )
        };
    }
    format!("<html><head><style>p {{ margin: 0 }}</style></head><body>{inner}</body></html>")
}

/// Generated threads for the throughput table: (quotes, bytes).
const TYPICAL: &[(usize, usize)] = &[(2, 5_000), (3, 20_000), (5, 50_000)];
const LARGE: &[(usize, usize)] = &[(10, 200_000), (25, 500_000), (50, 1_000_000), (100, 2_000_000)];
/// Scaling in quote depth: about 300 bytes of text per message, as in the criterion bench.
const DEPTHS: &[usize] = &[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/// Scaling in size: three quotes, growing bodies.
const SIZES: &[usize] = &[5_000, 20_000, 100_000, 500_000, 1_000_000, 2_000_000];
const SIZE_QUOTES: usize = 3;
const GENERATED_SUBJECT: &str = "Re: Integer consequat";

/// Writes every input set under `dir` (emptied first) and returns the manifest, also written
/// as `dir/manifest.json`.
pub fn write_all(dir: &Path, repo: &Path, shared: &Path) -> anyhow::Result<Manifest> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("Emptying {}", dir.display()))?;
    }
    let mut manifest = Manifest { sets: Vec::new(), skipped: Vec::new() };
    let (demo_html, demo_text) = demo_sets(dir, &repo.join("assets/demo"))?;
    manifest.sets.push(demo_html);
    manifest.sets.push(demo_text);
    let fixtures = shared.join("corpus/email-forward-parser/fixtures");
    if fixtures.is_dir() {
        manifest.sets.push(forward_set(dir, &fixtures)?);
    } else {
        let why = format!(
            "email-forward-parser corpus absent ({}): no fixtures set, no accuracy",
            fixtures.display()
        );
        eprintln!("bench: {why}");
        manifest.skipped.push(why);
    }
    let generated = |name: &str, group: &str, x: u64, description: String, specs: &[(usize, usize)]| {
        let files = specs
            .iter()
            .map(|&(quotes, bytes)| {
                let path = format!("{name}/{quotes:04}q-{bytes:07}b.html");
                write(dir, &path, &thread(quotes, bytes))?;
                Ok(InputFile { path, subject: Some(GENERATED_SUBJECT.into()), expected: None })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok::<_, anyhow::Error>(InputSet {
            name: name.into(),
            group: group.into(),
            x,
            kind: "html".into(),
            description,
            files,
        })
    };
    manifest.sets.push(generated(
        "generated-typical",
        "throughput",
        0,
        "generated replies, 2–5 quotes, 5–50 KB".into(),
        TYPICAL,
    )?);
    manifest.sets.push(generated(
        "generated-large",
        "throughput",
        0,
        "generated threads, 10–100 quotes, 0.2–2 MB".into(),
        LARGE,
    )?);
    for &quotes in DEPTHS {
        let name = format!("depth-{quotes:04}");
        let spec = [(quotes, 300 * (quotes + 1))];
        manifest.sets.push(generated(
            &name,
            "depth",
            quotes as u64,
            format!("{quotes} nested quotes"),
            &spec,
        )?);
    }
    for &bytes in SIZES {
        let name = format!("size-{bytes:07}");
        let spec = [(SIZE_QUOTES, bytes)];
        let description = format!("{SIZE_QUOTES} quotes, {} KB", bytes / 1000);
        manifest.sets.push(generated(&name, "size", bytes as u64, description, &spec)?);
    }
    let json = serde_json::to_string_pretty(&manifest).context("Manifest to JSON")?;
    write(dir, "manifest.json", &json)?;
    Ok(manifest)
}

/// Reads a manifest written by [`write_all`].
pub fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = fs::read_to_string(&path).with_context(|| format!("Reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("Parsing {}", path.display()))
}

/// The body each demo message shows (as the app picks it), split into HTML and text sets.
fn demo_sets(dir: &Path, demo: &Path) -> anyhow::Result<(InputSet, InputSet)> {
    let mut html = Vec::new();
    let mut text = Vec::new();
    for path in sorted_files(demo, ".eml")? {
        let raw = fs::read(&path).with_context(|| format!("Reading {}", path.display()))?;
        let Some(message) = tidings_message::read_lenient(&raw) else { continue };
        let stem = file_stem(&path);
        let subject = message.top.subject.clone();
        match &message.body {
            DisplayBody::Html(body) => {
                let path = format!("demo-html/{stem}.html");
                write(dir, &path, body)?;
                html.push(InputFile { path, subject, expected: None });
            }
            DisplayBody::Text(body) => {
                let path = format!("demo-text/{stem}.txt");
                write(dir, &path, body)?;
                text.push(InputFile { path, subject, expected: None });
            }
        }
    }
    let set = |name: &str, kind: &str, description: &str, files| InputSet {
        name: name.into(),
        group: "throughput".into(),
        x: 0,
        kind: kind.into(),
        description: description.into(),
        files,
    };
    Ok((
        set("demo-html", "html", "demo mailbox, HTML bodies (`assets/demo`)", html),
        set("demo-text", "text", "demo mailbox, plain-text bodies (`assets/demo`)", text),
    ))
}

/// Every `*_body*.txt` of the email-forward-parser fixtures, with its expected sender.
fn forward_set(dir: &Path, fixtures: &Path) -> anyhow::Result<InputSet> {
    let mut files = Vec::new();
    for path in sorted_files(fixtures, ".txt")? {
        let name = file_name(&path);
        if !name.contains("_body") {
            continue;
        }
        let body = fs::read_to_string(&path).with_context(|| format!("Reading {}", path.display()))?;
        let relative = format!("forward/{name}");
        write(dir, &relative, &body)?;
        let (expected_name, expected_email) = expected_sender(&name);
        let expected = ExpectedSender {
            name: expected_name.map(str::to_owned),
            email: expected_email.map(str::to_owned),
        };
        files.push(InputFile { path: relative, subject: None, expected: Some(expected) });
    }
    Ok(InputSet {
        name: "forward".into(),
        group: "throughput".into(),
        x: 0,
        kind: "text".into(),
        description: "email-forward-parser fixtures, plain text (13 clients, ~25 languages)".into(),
        files,
    })
}

/// The expected sender of a fixture, from the corpus README; the same rules as
/// `crates/mask/tests/corpus.rs` (kept in step by hand: that is a test file, not a library).
fn expected_sender(file: &str) -> (Option<&'static str>, Option<&'static str>) {
    if file.contains("_variant_5") {
        (None, Some("john.doe@acme.com"))
    } else if file.contains("_variant_11") {
        (Some("John, Doe"), Some("john.doe@acme.com"))
    } else if file.contains("_variant_12")
        // These reply attributions carry no address ("On 03/11/2021 15:51, John Doe wrote:").
        || file == "thunderbird_en_body_variant_4.txt"
        || file == "mailmate_en_body_variant_4.txt"
    {
        (Some("John Doe"), None)
    } else if file == "hubspot_en_body_variant_4.txt" {
        (Some("Eliott Vincent"), Some("archive@eliottvincent.com"))
    } else {
        (Some("John Doe"), Some("john.doe@acme.com"))
    }
}

fn sorted_files(dir: &Path, suffix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).with_context(|| format!("Listing {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| file_name(path).ends_with(suffix))
        .collect();
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

fn write(dir: &Path, relative: &str, text: &str) -> anyhow::Result<()> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("Creating {}", parent.display()))?;
    }
    fs::write(&path, text).with_context(|| format!("Writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_thread_has_its_quotes_and_about_its_size() {
        let html = thread(5, 50_000);
        assert_eq!(html.matches("class=\"gmail_attr\"").count() + html.matches("divRplyFwdMsg").count(), 5);
        assert!((40_000..60_000).contains(&html.len()), "{} bytes", html.len());
    }

    #[test]
    fn without_the_corpus_the_inputs_say_why_and_keep_the_other_sets() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let written = write_all(&dir.path().join("inputs"), &repo, &dir.path().join("no-shared")).unwrap();
        assert_eq!(written.skipped.len(), 1);
        let read = read_manifest(&dir.path().join("inputs")).unwrap();
        let names: Vec<&str> = read.sets.iter().map(|set| set.name.as_str()).collect();
        assert!(names.contains(&"demo-html") && names.contains(&"depth-1000") && !names.contains(&"forward"));
        for set in &read.sets {
            for file in &set.files {
                assert!(dir.path().join("inputs").join(&file.path).is_file(), "{}", file.path);
            }
        }
    }
}
