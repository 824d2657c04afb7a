//! Robustness: random nestings of client formats round-trip their fields, arbitrary input never
//! panics, and hostile depth (10 000 nested quotes) neither overflows the stack nor goes
//! quadratic.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;
use tidings_mask::{render, AddressBook, Body, MaskSet, RenderOptions};

const PEOPLE: &[(&str, &str)] = &[
    ("John Doe", "john.doe@acme.com"),
    ("Anna Schmidt", "anna.schmidt@example.de"),
    ("Иван Петров", "ivan@yandex.ru"),
    ("Marie Curie", "marie@example.fr"),
    ("Bessie Berry", "bessie.berry@acme.com"),
];

/// One quote header in one client's format, wrapping `inner`; returns the HTML and whether the
/// header carries the address.
fn wrap(format: usize, person: usize, when: NaiveDateTime, index: usize, inner: &str) -> (String, bool) {
    let (name, email) = PEOPLE[person];
    let text = format!("<div>message {index}</div>");
    match format {
        0 => (
            format!(
                r#"<div class="gmail_quote"><div class="gmail_attr">On {} {name} &lt;{email}&gt; wrote:<br></div><blockquote class="gmail_quote">{text}{inner}</blockquote></div>"#,
                when.format("%a, %b %-d, %Y at %-I:%M %p")
            ),
            true,
        ),
        1 => (
            format!(
                r#"<hr><div id="divRplyFwdMsg"><b>From:</b> {name} &lt;{email}&gt;<br><b>Sent:</b> {}<br><b>To:</b> someone@example.com<br><b>Subject:</b> RE: plans</div>{text}{inner}"#,
                when.format("%A, %B %-d, %Y %-I:%M %p")
            ),
            true,
        ),
        2 => (
            format!(
                r#"<blockquote type="cite"><div>On {}, {name} &lt;{email}&gt; wrote:</div><br>{text}{inner}</blockquote>"#,
                when.format("%-d %b %Y, at %H:%M")
            ),
            true,
        ),
        3 => (
            format!(
                r#"<div class="moz-cite-prefix">Am {} schrieb {name}:<br></div><blockquote type="cite">{text}{inner}</blockquote>"#,
                when.format("%d.%m.%Y um %H:%M")
            ),
            false,
        ),
        _ => (
            format!(
                r#"<div>{}, "{name}" &lt;{email}&gt;:</div><blockquote>{text}{inner}</blockquote>"#,
                when.format("%d.%m.%Y, %H:%M")
            ),
            true,
        ),
    }
}

fn when_strategy() -> impl Strategy<Value = NaiveDateTime> {
    (2015i32..2024, 1u32..13, 1u32..29, 0u32..24, 0u32..60).prop_map(|(y, m, d, h, min)| {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_nestings_of_formats_round_trip(layers in proptest::collection::vec((0usize..5, 0usize..PEOPLE.len(), when_strategy()), 1..6)) {
        let mut html = String::from("<div>innermost text</div>");
        let mut carries_address = vec![false; layers.len()];
        // Build from the innermost quote outwards; layer 0 is the outermost.
        for (index, (format, person, when)) in layers.iter().enumerate().rev() {
            let (wrapped, has_address) = wrap(*format, *person, *when, index, &html);
            html = wrapped;
            carries_address[index] = has_address;
        }
        let html = format!("<html><body><div>top text</div>{html}</body></html>");
        let rendering = render(Body::Html(&html), None, &MaskSet::builtin(), &AddressBook::new(), &RenderOptions::default());
        prop_assert_eq!(rendering.quotes.len(), layers.len(), "{}\n{:#?}", html, rendering.quotes);
        for (index, ((_, person, when), quote)) in layers.iter().zip(&rendering.quotes).enumerate() {
            let (name, email) = PEOPLE[*person];
            prop_assert_eq!(quote.depth, index + 1);
            prop_assert_eq!(quote.fields.name.as_deref(), Some(name));
            prop_assert_eq!(quote.fields.email.as_deref(), carries_address[index].then_some(email));
            let date = format!("{:04}-{:02}-{:02}", when.year(), when.month(), when.day());
            prop_assert_eq!(quote.fields.date.as_deref(), Some(date.as_str()));
            let time = format!("{:02}:{:02}", when.hour(), when.minute());
            prop_assert_eq!(quote.fields.time.as_deref(), Some(time.as_str()));
        }
        prop_assert_eq!(rendering.html.matches("class=\"tidings-header\"").count(), layers.len());
    }

    #[test]
    fn arbitrary_text_and_html_never_panic(input in any::<String>()) {
        let masks = MaskSet::builtin();
        let book = AddressBook::new();
        let _ = render(Body::Html(&input), None, &masks, &book, &RenderOptions::default());
        let _ = render(Body::Text(&input), None, &masks, &book, &RenderOptions::default());
    }

    #[test]
    fn header_shaped_junk_never_panics(parts in proptest::collection::vec(prop::sample::select(vec![
        "<blockquote>", "</blockquote>", "<div>", "</div>", "<br>", "From: ", "Sent: ", "To: ", "On ", " wrote:",
        "\n", "> ", ">> ", "@", "john@x.io", "27/10/2021", "9:31 AM", "-----Original Message-----", "Von:", "окт.",
        "2021年10月27日", "<", ">", "&lt;", "é", "\u{feff}", "  ", ":", "：",
    ]), 0..60)) {
        let input: String = parts.concat();
        let masks = MaskSet::builtin();
        let book = AddressBook::new();
        let _ = render(Body::Html(&input), None, &masks, &book, &RenderOptions::default());
        let _ = render(Body::Text(&input), None, &masks, &book, &RenderOptions::default());
    }
}

#[test]
fn extreme_options_only_give_warnings() {
    let body = "Hi\n\nOn Wed, Oct 27, 2021 at 9:31 AM John Doe <john.doe@acme.com> wrote:\n> Shall we?\n";
    let masks = MaskSet::builtin();
    for options in [
        RenderOptions { window_lines: usize::MAX, ..RenderOptions::default() },
        RenderOptions { window_lines: 0, ..RenderOptions::default() },
        RenderOptions { avatar_size: 0, date_format: "%".into(), ..RenderOptions::default() },
        RenderOptions { avatar_size: u32::MAX, hour12: true, ..RenderOptions::default() },
    ] {
        let rendering = render(Body::Text(body), None, &masks, &AddressBook::new(), &options);
        assert_eq!(rendering.quotes.len(), 1, "{options:?}");
        let html = render(Body::Html(body), None, &masks, &AddressBook::new(), &options).html;
        assert!(html.contains("Shall we?"));
    }
}

/// Runs `work` on a thread with a deliberately small stack, so recursion would show.
fn on_small_stack(work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(512 * 1024).spawn(work).unwrap().join().unwrap();
}

#[test]
fn ten_thousand_nested_blockquotes_do_not_overflow() {
    on_small_stack(|| {
        let depth = 10_000;
        let html = format!("{}deep text{}", "<blockquote>".repeat(depth), "</blockquote>".repeat(depth));
        let rendering = render(
            Body::Html(&html),
            None,
            &MaskSet::builtin(),
            &AddressBook::new(),
            &RenderOptions::default(),
        );
        assert!(rendering.html.contains("deep text"));
        assert!(
            rendering.warnings.iter().any(|warning| warning.contains("flattened")),
            "{:?}",
            rendering.warnings
        );

        let text = format!("{}deep text\n", ">".repeat(depth));
        let rendering = render(
            Body::Text(&text),
            None,
            &MaskSet::builtin(),
            &AddressBook::new(),
            &RenderOptions::default(),
        );
        assert!(rendering.html.contains("deep text"));
    });
}

#[test]
fn a_thousand_nested_headers_get_their_depths_in_linear_time() {
    on_small_stack(|| {
        let depth = 1_000;
        let header = "<div>On Wed, Oct 27, 2021 at 9:31 AM John Doe &lt;john.doe@acme.com&gt; wrote:</div><blockquote>";
        let html = format!("{}core{}", header.repeat(depth), "</blockquote>".repeat(depth));
        let started = std::time::Instant::now();
        let rendering = render(
            Body::Html(&html),
            None,
            &MaskSet::builtin(),
            &AddressBook::new(),
            &RenderOptions::default(),
        );
        let elapsed = started.elapsed();
        assert_eq!(rendering.quotes.len(), depth);
        assert!(rendering.quotes.iter().enumerate().all(|(index, quote)| quote.depth == index + 1));
        // Generous even for a debug build; a quadratic walk would take minutes.
        assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
    });
}
