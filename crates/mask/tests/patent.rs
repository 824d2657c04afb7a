//! The "IT coffee times" thread of patent RU 2 682 038: four messages, the fourth quoting the
//! other three, each quote header written by a different client in a different format.

use chrono::DateTime;
use tidings_mask::{render, AddressBook, Body, MaskSet, QuoteKind, RenderOptions, TopHeader};

/// The fourth message: Boris answers Andrew's third message, which quotes Boris's second,
/// which quotes Andrew's first. Header formats: Gmail attribution (depth 1), Outlook desktop
/// field block (depth 2), the patent's own "Fri 4 Apr 2014 13:01:32, Andrew P. <…>" (depth 3).
const FOURTH_MESSAGE: &str = r##"<html><body>
<div dir="ltr">Sure</div>
<div class="gmail_quote">
  <div dir="ltr" class="gmail_attr">On Mon, Apr 7, 2014 at 10:15 AM Andrew P. &lt;<a href="mailto:andrew.p793@sample1.com">andrew.p793@sample1.com</a>&gt; wrote:<br></div>
  <blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">
    <div>So let's start the next week?</div>
    <hr style="display:inline-block;width:98%">
    <div id="divRplyFwdMsg" dir="ltr"><font face="Calibri" style="font-size:11pt" color="#000000">
      <b>From:</b> Boris K. &lt;boris.k@sample2.com&gt;<br>
      <b>Sent:</b> Friday, April 4, 2014 3:47:10 PM<br>
      <b>To:</b> Andrew P.<br>
      <b>Subject:</b> Re: IT coffee</font><div>&nbsp;</div></div>
    <div>I am so game for this. They also have a name for it: "IT coffee times":)))</div>
    <div>Fri 4 Apr 2014 13:01:32, Andrew P. &lt;andrew.p793@sample1.com&gt;:</div>
    <blockquote>
      <div>Hi all, The IT folks go out (those who feel like it) to Starbucks on Tuesdays and Thursdays in the
      afternoon. I thought it might be a good idea if we did something similar. What do people think?</div>
    </blockquote>
  </blockquote>
</div>
</body></html>"##;

fn top() -> TopHeader {
    TopHeader {
        name: Some("Boris K.".into()),
        email: Some("boris.k@sample2.com".into()),
        date: Some(DateTime::parse_from_rfc3339("2014-04-07T11:02:00+04:00").unwrap()),
        subject: Some("Re: IT coffee times".into()),
    }
}

#[test]
fn three_quotes_and_the_top_header_come_out_uniform() {
    let masks = MaskSet::builtin();
    let rendering = render(
        Body::Html(FOURTH_MESSAGE),
        Some(&top()),
        &masks,
        &AddressBook::new(),
        &RenderOptions::default(),
    );

    let seen: Vec<_> = rendering
        .quotes
        .iter()
        .map(|quote| {
            (
                quote.depth,
                quote.kind,
                quote.fields.name.as_deref(),
                quote.fields.email.as_deref(),
                quote.fields.date.as_deref(),
                quote.fields.time.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                1,
                QuoteKind::Reply,
                Some("Andrew P."),
                Some("andrew.p793@sample1.com"),
                Some("2014-04-07"),
                Some("10:15")
            ),
            (
                2,
                QuoteKind::Reply,
                Some("Boris K."),
                Some("boris.k@sample2.com"),
                Some("2014-04-04"),
                Some("15:47:10")
            ),
            (
                3,
                QuoteKind::Reply,
                Some("Andrew P."),
                Some("andrew.p793@sample1.com"),
                Some("2014-04-04"),
                Some("13:01:32")
            ),
        ]
    );
    assert_eq!(rendering.quotes[2].source, "Fri 4 Apr 2014 13:01:32, Andrew P. <andrew.p793@sample1.com>:");
    assert_eq!(rendering.quotes[1].mask, "en/fields");
    assert!(rendering.quotes[0].mask.starts_with("en/attribution-"));

    let top = rendering.top.as_ref().unwrap();
    assert_eq!(
        (
            top.name.as_deref(),
            top.email.as_deref(),
            top.date.as_deref(),
            top.time.as_deref(),
            top.utc_offset.as_deref()
        ),
        (Some("Boris K."), Some("boris.k@sample2.com"), Some("2014-04-07"), Some("11:02"), Some("+04:00"))
    );

    // One uniform block per header (top + 3), each with a 40 px avatar; Andrew's two avatars are
    // the same bytes, Boris's differ; the quoted text and the nesting stay.
    let html = &rendering.html;
    assert_eq!(html.matches("class=\"tidings-header\"").count(), 4, "{html}");
    assert_eq!(html.matches("width=\"40\" height=\"40\"").count(), 4);
    let avatars: Vec<&str> = html
        .split("src=\"data:image/png;base64,")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(avatars.len(), 4);
    assert_eq!(avatars[1], avatars[3], "same sender, same avatar");
    assert_eq!(avatars[0], avatars[2], "Boris at the top and at depth 2");
    assert_ne!(avatars[0], avatars[1]);
    assert!(html.contains("IT coffee times"));
    assert!(html.contains("Starbucks"));
    assert_eq!(html.matches("<blockquote").count(), 2);
    for depth in 0..=3 {
        assert!(html.contains(&format!("data-depth=\"{depth}\"")), "depth {depth}");
    }
    // The original header text is kept in the title, and no longer shown as body text.
    assert!(html.contains("title=\"Fri 4 Apr 2014 13:01:32, Andrew P. &lt;andrew.p793@sample1.com&gt;:\""));
    assert!(!html.contains(">Fri 4 Apr 2014"));
}

#[test]
fn the_rendering_serialises_to_the_documented_json() {
    let masks = MaskSet::builtin();
    let rendering = render(
        Body::Html(FOURTH_MESSAGE),
        Some(&top()),
        &masks,
        &AddressBook::new(),
        &RenderOptions::default(),
    );
    let json = serde_json::to_value(&rendering).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["html", "quotes", "top"]);
    let mut top_keys: Vec<&str> = json["top"].as_object().unwrap().keys().map(String::as_str).collect();
    top_keys.sort_unstable();
    assert_eq!(top_keys, ["date", "email", "name", "time", "utc_offset"]);
    let quote = json["quotes"][0].as_object().unwrap();
    let mut quote_keys: Vec<&str> = quote.keys().map(String::as_str).collect();
    quote_keys.sort_unstable();
    assert_eq!(
        quote_keys,
        ["date", "depth", "email", "kind", "mask", "name", "source", "time", "utc_offset"]
    );
    assert_eq!(json["quotes"][0]["kind"], "reply");
    assert_eq!(json["quotes"][0]["depth"], 1);

    let without_top =
        render(Body::Text("hello"), None, &masks, &AddressBook::new(), &RenderOptions::default());
    assert_eq!(serde_json::to_value(&without_top).unwrap()["top"], serde_json::Value::Null);
}

#[test]
fn render_options_change_the_uniform_block() {
    let masks = MaskSet::builtin();
    let options = RenderOptions {
        date_format: "%d.%m.%Y".into(),
        hour12: true,
        avatar_size: 24,
        ..RenderOptions::default()
    };
    let rendering = render(Body::Html(FOURTH_MESSAGE), Some(&top()), &masks, &AddressBook::new(), &options);
    assert!(rendering.html.contains("04.04.2014"), "{}", rendering.html);
    assert!(rendering.html.contains("01:01:32 PM"));
    assert_eq!(rendering.html.matches("width=\"24\" height=\"24\"").count(), 4);
    assert!(rendering.warnings.is_empty(), "{:?}", rendering.warnings);

    let broken = RenderOptions { date_format: "%Q%".into(), ..RenderOptions::default() };
    let rendering = render(Body::Html(FOURTH_MESSAGE), Some(&top()), &masks, &AddressBook::new(), &broken);
    assert_eq!(rendering.warnings.len(), 1);
    assert!(rendering.html.contains("2014-04-04"));
}
