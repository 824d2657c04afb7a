//! Rendering speed: typical replies (2–5 quotes, 5–50 KB of HTML) in messages per second, time
//! against quote depth, and a bare html5ever parse of the same input as the floor.
//!
//! Run briefly with `cargo bench -p tidings-mask --bench render -- --quick`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tidings_mask::{render, AddressBook, Body, MaskSet, RenderOptions, TopHeader};

const PARAGRAPH: &str =
    "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer consequat non purus \
    vitae <b>faucibus</b>. Aenean quis diam urna; maecenas eleifend vulputate ligula ac consequat. \
    <a href=\"https://example.com/x\">Pellentesque</a> cursus tincidunt mauris non venenatis.</p>\n";

/// A reply thread with `quotes` nested quotes in alternating Gmail and Outlook formats, padded
/// with paragraphs to about `target_bytes`. Days cycle through 1–28 so every date is real.
fn thread(quotes: usize, target_bytes: usize) -> String {
    let paragraphs_per_message = (target_bytes / (quotes + 1) / PARAGRAPH.len()).max(1);
    let body = PARAGRAPH.repeat(paragraphs_per_message);
    let mut inner = format!("<div>{body}</div>");
    for level in (0..quotes).rev() {
        inner = if level % 2 == 0 {
            format!(
                "<div>{body}</div><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Wed, Oct {}, 2021 at 9:31 AM John Doe &lt;<a href=\"mailto:john.doe@acme.com\">john.doe@acme.com</a>&gt; wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex\">{inner}</blockquote></div>",
                level % 28 + 1
            )
        } else {
            format!(
                "<div>{body}</div><div id=\"appendonsend\"></div><hr style=\"display:inline-block;width:98%\"><div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri, sans-serif\" style=\"font-size:11pt\"><b>From:</b> Bessie Berry &lt;bessie.berry@acme.com&gt;<br><b>Sent:</b> Tuesday, October {}, 2021 3:14 PM<br><b>To:</b> John Doe &lt;john.doe@acme.com&gt;<br><b>Subject:</b> RE: plans</font><div>&nbsp;</div></div>{inner}",
                level % 28 + 1
            )
        };
    }
    format!("<html><head><style>p {{ margin: 0 }}</style></head><body>{inner}</body></html>")
}

fn typical(criterion: &mut Criterion) {
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    let options = RenderOptions::default();
    let top = TopHeader {
        name: Some("Bessie Berry".into()),
        email: Some("bessie.berry@acme.com".into()),
        date: None,
        subject: Some("Re: Integer consequat".into()),
    };
    let mut group = criterion.benchmark_group("typical");
    group.throughput(Throughput::Elements(1));
    for (quotes, size) in [(2, 5_000), (3, 20_000), (5, 50_000)] {
        let html = thread(quotes, size);
        let label = format!("{quotes}q_{}kb", html.len() / 1000);
        group.bench_with_input(BenchmarkId::new("render", &label), &html, |bench, html| {
            bench.iter(|| render(Body::Html(black_box(html)), Some(&top), &masks, &book, &options))
        });
        group.bench_with_input(BenchmarkId::new("parse_floor", &label), &html, |bench, html| {
            bench.iter(|| scraper::Html::parse_document(black_box(html)))
        });
    }
    group.finish();
}

fn depth(criterion: &mut Criterion) {
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    let options = RenderOptions::default();
    let mut group = criterion.benchmark_group("depth");
    for quotes in [1, 5, 20, 80] {
        let html = thread(quotes, 300 * (quotes + 1));
        group.bench_with_input(BenchmarkId::new("render", quotes), &html, |bench, html| {
            bench.iter(|| render(Body::Html(black_box(html)), None, &masks, &book, &options))
        });
    }
    group.finish();
}

/// Compiling every built-in mask file, which happens once per process.
fn load(criterion: &mut Criterion) {
    let builtin = MaskSet::builtin();
    let mut group = criterion.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("builtin_masks", |bench| bench.iter(|| builtin.with_overrides(&[])));
    group.finish();
}

criterion_group!(benches, typical, depth, load);
criterion_main!(benches);
