//! Foldable quotes: every quote of a rendered body sits in a `<details open>` whose toggle
//! carries the reader's words, in HTML and in `>` text alike, nested as the quotes are, with the
//! quote's header block left outside the part that folds.

use scraper::{Html, Selector};
use tidings_mask::{render, AddressBook, Body, MaskSet, QuoteToggle, RenderOptions};

fn options() -> RenderOptions {
    RenderOptions {
        quote_toggle: QuoteToggle { hide: "Zitat ausblenden".into(), show: "Zitat <anzeigen>".into() },
        ..RenderOptions::default()
    }
}

fn rendered(body: Body<'_>) -> Html {
    let rendering = render(body, None, &MaskSet::builtin(), &AddressBook::new(), &options());
    Html::parse_fragment(&rendering.html)
}

fn select(document: &Html, selector: &str) -> usize {
    document.select(&Selector::parse(selector).unwrap()).count()
}

#[test]
fn text_quote_levels_fold_one_by_one_below_their_headers() {
    let text = "Fine by me.\n\nOn Tue, 3 Mar 2026 at 10:15, Ann Lee <ann@example.com> wrote:\n\
                > Shall we meet?\n>\n> On Mon, 2 Mar 2026 at 09:00, Bob Roe <bob@example.com> wrote:\n\
                >> Lunch on Friday?\n";
    let document = rendered(Body::Text(text));
    assert_eq!(select(&document, "details.tidings-quote[open]"), 2);
    assert_eq!(select(&document, "details.tidings-quote details.tidings-quote > blockquote"), 1);
    // Ann's header stays visible when her quote folds; Bob's is inside it.
    assert_eq!(select(&document, "details.tidings-quote .tidings-header"), 1);
    assert_eq!(select(&document, ".tidings-header"), 2);
    let summary = document.select(&Selector::parse("summary").unwrap()).next().unwrap();
    let words: Vec<String> = summary.text().map(str::to_string).collect();
    assert_eq!(words, ["Zitat ausblenden", "Zitat <anzeigen>"]);
    let quoted = document.select(&Selector::parse("details > blockquote").unwrap()).next().unwrap();
    assert!(quoted.text().collect::<String>().contains("Shall we meet?"));
}

#[test]
fn html_blockquotes_fold_and_the_toggle_words_are_escaped() {
    let html = "<p>Yes.</p><div class=\"gmail_quote\">On Tue, 3 Mar 2026 at 10:15, Ann Lee \
                &lt;ann@example.com&gt; wrote:<br><blockquote class=\"gmail_quote\">Shall we meet?\
                <blockquote>Lunch?</blockquote></blockquote></div>";
    let rendering = render(Body::Html(html), None, &MaskSet::builtin(), &AddressBook::new(), &options());
    assert!(rendering.html.contains("Zitat &lt;anzeigen&gt;"), "{}", rendering.html);
    let document = Html::parse_fragment(&rendering.html);
    assert_eq!(select(&document, "details.tidings-quote[open] > summary + blockquote"), 2);
    assert_eq!(select(&document, "details.tidings-quote > blockquote details.tidings-quote"), 1);
    assert_eq!(select(&document, "details .tidings-header"), 0, "{}", rendering.html);
}

#[test]
fn a_mail_cannot_pass_its_details_off_as_a_quote_toggle() {
    let html = "<details class=\"tidings-quote\" open><summary>mine</summary>text</details>";
    let document = rendered(Body::Html(html));
    assert_eq!(select(&document, "details.tidings-quote"), 0);
    assert_eq!(select(&document, "details[open]"), 1);
}
