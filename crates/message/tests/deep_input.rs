//! Deep and huge input through the whole display pipeline (MIME → body choice → mask engine):
//! a 50 MB HTML body, 10 000 nested blockquotes, 100 000 nested elements and 100 000 `>` quote
//! levels each render on a 512 KiB stack (recursion would overflow it) and finish; a guard fails
//! the test instead of hanging if one never does. Times are printed and written for
//! `make security-report` (`$CARGO_TARGET_TMPDIR/security-report/deep-input-*.json`); speed
//! itself is the benches' job.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use tidings_mask::{render, AddressBook, MaskSet, RenderOptions};

/// Longer than any of these takes in a debug build on a slow machine; only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(300);

/// A message with `body` as its only part, `content_type` and quoted-printable or 8bit.
fn message(content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Mallory <mallory@example.org>\r\nTo: alice@example.org\r\nSubject: deep\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <deep@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: {content_type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    )
    .into_bytes()
}

/// Reads and renders `raw` on a small stack; returns the rendering and how long it took.
fn display(raw: Vec<u8>) -> (tidings_mask::Rendering, Duration) {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let started = Instant::now();
            let shown = tidings_message::read(&raw).expect("a well-formed message");
            let rendering = render(
                shown.body.as_body(),
                Some(&shown.top),
                &MaskSet::builtin(),
                &AddressBook::new(),
                &RenderOptions::default(),
            );
            let _ = sender.send((rendering, started.elapsed()));
        })
        .expect("spawn");
    match receiver.recv_timeout(HANG_GUARD) {
        Ok(done) => done,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("no rendering after {HANG_GUARD:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("the rendering thread died (stack overflow or panic)")
        }
    }
}

/// The nesting was cut before html5ever parsed it (its tree builder is quadratic in depth), which
/// is what keeps these inputs fast; a time limit here would measure the machine, this does not.
fn assert_capped_before_parsing(rendering: &tidings_mask::Rendering) {
    assert!(
        rendering.warnings.iter().any(|warning| warning.contains("flattened before parsing")),
        "{:?}",
        rendering.warnings
    );
}

/// One row of the report, kept for [`record`].
fn row(what: &str, input_bytes: usize, took: Duration) -> String {
    println!("{what}: {input_bytes} bytes rendered in {:.2} s", took.as_secs_f64());
    format!("{{\"input\": \"{what}\", \"bytes\": {input_bytes}, \"seconds\": {:.3}}}", took.as_secs_f64())
}

fn record(name: &str, row: String) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("security-report");
    std::fs::create_dir_all(&dir).expect("report dir");
    std::fs::write(dir.join(format!("deep-input-{name}.json")), row).expect("report row");
}

#[test]
fn a_50_mb_html_body_renders() {
    let paragraph =
        "<p>Quarterly numbers, <b>bold</b> and <a href=\"https://example.org/x\">a link</a>.</p>\n";
    let mut body = String::with_capacity(50 * 1024 * 1024 + paragraph.len());
    body.push_str("<html><body><div>On Tue, 24 Nov 2026 at 10:00, Bob Example &lt;bob@example.org&gt; wrote:</div><blockquote>");
    while body.len() < 50 * 1024 * 1024 {
        body.push_str(paragraph);
    }
    body.push_str("</blockquote><p>the end</p></body></html>");
    let raw = message("text/html", &body);
    let size = raw.len();
    let (rendering, took) = display(raw);
    assert!(rendering.html.contains("the end"), "the end of the body is shown");
    assert!(rendering.html.contains("bob@example.org"), "the quote header is still found");
    record("50mb-html", row("50 MB HTML body", size, took));
}

#[test]
fn ten_thousand_nested_blockquotes_render() {
    let depth = 10_000;
    let body = format!("{}deep text{}", "<blockquote>".repeat(depth), "</blockquote>".repeat(depth));
    let raw = message("text/html", &body);
    let size = raw.len();
    let (rendering, took) = display(raw);
    assert!(rendering.html.contains("deep text"));
    assert_capped_before_parsing(&rendering);
    record("10k-blockquotes", row("10 000 nested blockquotes", size, took));
}

#[test]
fn a_hundred_thousand_quote_levels_render() {
    let depth = 100_000;
    let body = format!(
        "On Tue, 24 Nov 2026 at 10:00, Bob Example <bob@example.org> wrote:\r\n{} deepest line\r\nmy answer\r\n",
        ">".repeat(depth)
    );
    let raw = message("text/plain", &body);
    let size = raw.len();
    let (rendering, took) = display(raw);
    assert!(rendering.html.contains("deepest line") && rendering.html.contains("my answer"));
    record("100k-levels", row("100 000 '>' quote levels", size, took));
}

#[test]
fn a_hundred_thousand_nested_elements_render() {
    let depth = 100_000;
    let body = format!("{}deep text{}", "<div><span>".repeat(depth / 2), "</span></div>".repeat(depth / 2));
    let raw = message("text/html", &body);
    let size = raw.len();
    let (rendering, took) = display(raw);
    assert!(rendering.html.contains("deep text"));
    assert_capped_before_parsing(&rendering);
    record("100k-elements", row("100 000 nested elements", size, took));
}
