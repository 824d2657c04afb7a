//! Sanitising: nothing remote or executable survives rendering, whichever way it is hidden
//! (handlers, URL schemes, styles, foreign content, forms, document-level tags), and the output
//! holds only what the documented policy allows: checked case by case, and against ammonia
//! configured with that policy, which must find nothing left to remove.

use std::collections::BTreeMap;

use ego_tree::iter::Edge;
use scraper::{Html, Node};
use tidings_mask::{render, AddressBook, Body, MaskSet, RenderOptions, TopHeader};

fn render_html(html: &str, allow_remote_images: bool) -> String {
    let top = TopHeader {
        name: Some("Bessie <b>Berry</b>\u{a0}&".into()),
        email: Some("bessie@acme.com".into()),
        date: None,
        subject: Some("Re: x".into()),
    };
    render(
        Body::Html(html),
        Some(&top),
        &MaskSet::builtin(),
        &AddressBook::new(),
        &RenderOptions { allow_remote_images, ..RenderOptions::default() },
    )
    .html
}

/// Hostile inputs, each with text that must survive it.
const HOSTILE: &[(&str, &str)] = &[
    ("<div>before<script>alert(1)</script><script src=\"https://evil.example/x.js\"></script>after</div>", "before"),
    ("<noscript><img src=x onerror=alert(1)>ns</noscript><p>kept</p>", "kept"),
    ("<div onclick=\"steal()\" onmouseover=x ONLOAD=y>handlers</div>", "handlers"),
    ("<body onload=\"alert(1)\"><p>body text</p></body>", "body text"),
    ("<img src=\"cid:part1\" onerror=\"alert(1)\" alt=\"inline\">ok", "ok"),
    ("<a href=\"javascript:alert(1)\">js link</a>", "js link"),
    ("<a href=\" JaVaScRiPt:alert(1)\">js case</a>", "js case"),
    ("<a href=\"java&#x09;script:alert(1)\">js tab</a>", "js tab"),
    ("<a href=\"&#106;avascript:alert(1)\">js entity</a>", "js entity"),
    ("<a href=\"vbscript:msgbox(1)\">vb</a>", "vb"),
    ("<a href=\"data:text/html,&lt;script&gt;x&lt;/script&gt;\">data link</a>", "data link"),
    ("<img src=\"data:text/html;base64,PHNjcmlwdD4=\">img data html", "img data html"),
    ("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">img data svg", "img data svg"),
    ("<div style=\"background:url(http://evil.example/x.png)\">bg url</div>", "bg url"),
    ("<div style=\"background:URL( 'http://evil.example/x.png' )\">bg upper</div>", "bg upper"),
    ("<div style=\"width: expression(alert(1))\">expr</div>", "expr"),
    ("<div style=\"background: u\\72 l(http://evil.example)\">escaped</div>", "escaped"),
    ("<div style=\"-moz-binding: x; behavior: y\">binding</div>", "binding"),
    ("<style>@import url(http://evil.example/s.css); p { color: red }</style><p>styled</p>", "styled"),
    ("<img srcset=\"http://evil.example/a.png 1x\" src=\"cid:x\">set ok", "set ok"),
    ("<picture><source srcset=\"http://evil.example/a.png\"><img src=\"cid:y\"></picture>pic", "pic"),
    ("<table background=\"http://evil.example/t.png\"><tr><td background=\"http://e.example/x\">cell</td></tr></table>", "cell"),
    ("<body background=\"http://evil.example/b.png\">body bg</body>", "body bg"),
    ("<img src=\"https://tracker.example/pixel.png\" alt=\"logo\">remote", "[logo]"),
    ("<img src=\"  HTTP://tracker.example/p.gif\">remote upper", "[image]"),
    ("<img src=\"//tracker.example/p.gif\" alt=\"a&lt;b\">protocol relative", "[a&lt;b]"),
    // Read as the browser's URL parser reads them (tests/security/corpus, remote-033 … 038).
    ("<img src=\"&#1;//tracker.example/p.gif\">control before", "[image]"),
    ("<img src=\"/&#9;/tracker.example/p.gif\" alt=\"tab\">tab inside", "[tab]"),
    ("<img src=\"\\\\tracker.example\\p.gif\" alt=\"bs\">backslashes", "[bs]"),
    ("<img src=\"h&#10;ttps://tracker.example/p.gif\" alt=\"nl\">newline in scheme", "[nl]"),
    ("<a href=\"&#1;data:text/html,x\">data after a control</a>", "data after a control"),
    ("<img src=\"&#1;data:image/svg+xml;base64,PHN2Zz4=\">svg after a control", "svg after a control"),
    ("<base href=\"https://evil.example/\"><a href=\"x.html\">relative</a>", "relative"),
    ("<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\"><p>refresh</p>", "refresh"),
    ("<link rel=\"stylesheet\" href=\"https://evil.example/s.css\"><p>link tag</p>", "link tag"),
    ("<form action=\"https://evil.example\"><input name=p value=secret><button formaction=\"https://e.example\">go</button><select><option>o</option></select><textarea>t</textarea></form><p>after form</p>", "after form"),
    ("<svg onload=\"alert(1)\"><script>alert(2)</script><a xlink:href=\"javascript:alert(3)\"><text>svg</text></a></svg>after svg", "after svg"),
    ("<math><mi xlink:href=\"javascript:alert(1)\">m</mi><mtext><script>alert(2)</script></mtext></math>after math", "after math"),
    ("<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\">mxss</a></iframe></svg>after mxss", "after mxss"),
    ("<iframe src=\"https://evil.example\"></iframe><object data=\"x.swf\"></object><embed src=\"x.swf\"><applet code=x></applet><p>frames</p>", "frames"),
    ("<frameset><frame src=\"https://evil.example\"></frameset>", ""),
    ("<template><img src=x onerror=alert(1)></template><p>template</p>", "template"),
    ("<!-- secret comment --><!--[if mso]><p>mso</p><![endif]--><p>comment</p>", "comment"),
    ("<p>a<o:p>office</o:p><marquee onstart=x>scroll</marquee><blink>b</blink></p>", "office"),
    ("<a href=\"https://example.com/\" target=\"_blank\" rel=\"opener\" ping=\"https://evil.example\">web</a>", "web"),
    ("<a href=\"https://example.com/\" target=\"_top\">top</a><a href=\"x\" target=\"_parent\">parent</a><a href=\"y\" target=\"named\">named</a>", "named"),
    ("<blockquote cite=\"data:text/html,x\" type=\"cite\">quoted</blockquote>", "quoted"),
    ("<img data-avatar=\"0\" alt=\"forged\">forged marker", "forged marker"),
    ("<div data-depth=\"9\" data-x=\"y\" id=\"i\" name=\"n\" class=\"tidings-header\">fake block</div>", "fake block"),
    ("<p>text &amp; &lt;tags&gt; &quot;quotes&quot; and&nbsp;nbsp</p>", "&amp; &lt;tags&gt;"),
    ("<xmp><b>raw</b></xmp><p>x</p>", "raw"),
    ("<p>On Wed, Oct 20, 2021 at 9:31 AM John Doe &lt;<a href=\"mailto:john@acme.com\" onclick=x>john@acme.com</a>&gt; wrote:</p><blockquote><script>x</script>q</blockquote>", "tidings-header"),
];

/// Text that must not appear in any rendering (compared in lowercase).
const BANNED: &[&str] = &[
    "<script",
    "alert(",
    "onclick",
    "onerror",
    "onload",
    "onmouseover",
    "onstart",
    "javascript:",
    "vbscript:",
    "data:text",
    "data:image/svg",
    "url(",
    "expression(",
    "@import",
    "-moz-binding",
    "behavior",
    "srcset",
    "background=",
    "evil.example",
    "tracker.example",
    "<iframe",
    "<object",
    "<embed",
    "<applet",
    "<frame",
    "<form",
    "<input",
    "<button",
    "<select",
    "<textarea",
    "<svg",
    "<math",
    "<base",
    "<meta",
    "<link",
    "<style",
    "<template",
    "<noscript",
    "<!--",
    "secret",
    "formaction",
    "xlink",
    "ping=",
    "target=\"_self",
    "target=\"_top",
    "target=\"_parent",
    "target=\"named",
    "name=",
    "id=\"i\"",
    "data-x",
];

#[test]
fn nothing_active_or_remote_survives() {
    for (input, survivor) in HOSTILE {
        let html = render_html(input, false);
        let lower = html.to_lowercase();
        for banned in BANNED {
            assert!(!lower.contains(banned), "{banned} survived {input:?}:\n{html}");
        }
        assert!(html.contains(survivor), "{survivor:?} lost from {input:?}:\n{html}");
    }
}

#[test]
fn links_get_noopener_and_keep_safe_urls() {
    let html = render_html(r#"<a href="https://example.com/a?b=1&amp;c=2" title="t">web</a>"#, false);
    assert!(
        html.contains(
            r#"<a href="https://example.com/a?b=1&amp;c=2" title="t" rel="noopener noreferrer" target="_blank">web</a>"#
        ),
        "{html}"
    );
    let html = render_html(r#"<a href="mailto:john@acme.com">mail</a><a href="page.html">rel</a>"#, false);
    assert!(html.contains(r#"href="mailto:john@acme.com""#), "{html}");
    assert!(html.contains(r#"href="page.html""#), "{html}");
}

/// A click on a link must ask for a new window (which the app turns into its "Open link?"
/// dialog), never navigate the body frame or the window: whatever `target` the mail wrote, the
/// link comes out with `_blank`, once, and keeps `rel`.
#[test]
fn every_link_targets_a_new_window_whatever_the_mail_says() {
    for target in ["_self", "_top", "_parent", "named-frame", "_blank", "_SELF", ""] {
        let html =
            render_html(&format!(r#"<a href="https://example.com/" target="{target}">web</a>"#), false);
        assert!(
            html.contains(
                r#"<a href="https://example.com/" rel="noopener noreferrer" target="_blank">web</a>"#
            ),
            "target {target:?}: {html}"
        );
        assert_eq!(html.matches("target=").count(), 1, "{html}");
    }
    let html = render_html(r#"<a href="mailto:john@acme.com" rel="opener" target="_top">mail</a>"#, false);
    assert!(html.contains(r#"rel="noopener noreferrer" target="_blank""#), "{html}");
    assert!(!html.contains(r#"rel="opener""#), "{html}");
    // `<area>` keeps no `href` (ammonia's lists), so an image map cannot navigate either.
    let html = render_html(
        r#"<map name="m"><area href="https://example.com/" target="_top" shape="rect"></map>"#,
        false,
    );
    assert!(!html.contains("example.com") && !html.contains("target"), "{html}");
}

#[test]
fn images_follow_the_remote_setting_and_data_urls_stay_images() {
    let png = "data:image/png;base64,iVBORw0KGgo=";
    let html = render_html(&format!(r#"<img src="{png}" alt="inline"><img src="cid:part1@x">"#), false);
    assert!(html.contains(png) && html.contains(r#"src="cid:part1@x""#), "{html}");
    let remote = r#"<img src="https://images.example/a.png" alt="pic" width="10" onload="x">"#;
    let blocked = render_html(remote, false);
    assert!(blocked.contains("tidings-remote-image") && !blocked.contains("images.example"), "{blocked}");
    let allowed = render_html(remote, true);
    assert!(
        allowed.contains(r#"<img alt="pic" src="https://images.example/a.png" width="10">"#),
        "{allowed}"
    );
}

#[test]
fn forged_avatar_markers_show_no_avatar() {
    let html = render_html(r#"<img data-avatar="7" alt="a"><img data-avatar="0" alt="b">"#, false);
    assert!(!html.contains("data-avatar"), "{html}");
    // Only the top header's own avatar; marker 0 in the mail would have shown it twice.
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 1, "{html}");
}

#[test]
fn mail_cannot_dress_up_as_a_header_block() {
    let html = render_html(
        r#"<div class="tidings-header note" data-depth="1" data-kind="reply"><img class="TIDINGS-avatar" src="data:image/png;base64,iVBORw0KGgo=">
           <span class="tidings-name">Your Bank</span><span class="tidings-email">security@bank.example</span></div>
           <p class="tidings-date">x</p>"#,
        false,
    );
    // The top header's block is the only one; the mail's classes and markers are gone.
    assert_eq!(html.matches("class=\"tidings-header\"").count(), 1, "{html}");
    assert_eq!(html.matches("tidings-name").count(), 1, "{html}");
    assert!(html.contains("<div class=\"note\">"), "other classes stay: {html}");
    assert!(!html.contains("data-depth=\"1\""), "{html}");
    assert!(!html.contains("data-kind"), "{html}");
    assert!(!html.contains("TIDINGS-avatar"), "{html}");
    assert!(html.contains("<p>x</p>"), "a class attribute with nothing left goes: {html}");
}

#[test]
fn top_header_text_is_escaped() {
    let html = render_html("<p>x</p>", false);
    assert!(html.contains("Bessie &lt;b&gt;Berry&lt;/b&gt;&nbsp;&amp;"), "{html}");
    assert!(!html.contains("<b>Berry"), "{html}");
}

// ---- the output is already clean under the documented policy ----

/// The documented policy, as ammonia: what the renderer's output must already satisfy.
fn policy(allow_remote_images: bool) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["div", "span", "img", "blockquote", "details", "summary", "font", "center"])
        .add_generic_attributes(["class", "title", "style", "dir", "align"])
        .add_tag_attributes("div", ["data-depth", "data-kind"])
        .add_tag_attributes("img", ["width", "height", "alt", "src"])
        .add_tag_attributes("blockquote", ["type", "cite"])
        .add_tag_attributes("details", ["open"])
        .add_tag_attributes("font", ["color", "face", "size"])
        .add_url_schemes(["data", "cid"])
        .set_tag_attribute_value("a", "target", "_blank")
        .attribute_filter(move |element, attribute, value| {
            let lower = value.trim().to_ascii_lowercase();
            let keep = match attribute {
                "style" => ![
                    "url(",
                    "expression",
                    "@import",
                    "\\",
                    "javascript:",
                    "behavior",
                    "-moz-binding",
                    "image-set(",
                ]
                .iter()
                .any(|needle| lower.contains(needle)),
                "src" | "href" | "cite" if lower.starts_with("data:") => {
                    element == "img"
                        && attribute == "src"
                        && ["data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;"]
                            .iter()
                            .any(|prefix| lower.starts_with(prefix))
                }
                "src" if element == "img" => {
                    allow_remote_images
                        || !(lower.starts_with("http:")
                            || lower.starts_with("https:")
                            || lower.starts_with("//"))
                }
                _ => true,
            };
            keep.then(|| value.into())
        });
    builder
}

/// The parsed form of an HTML fragment: elements with sorted attributes, and text.
fn normalized(html: &str) -> String {
    let fragment = Html::parse_fragment(html);
    let mut out = String::new();
    for edge in fragment.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(element) => {
                    let attributes: BTreeMap<&str, &str> = element.attrs().collect();
                    out.push_str(&format!("<{} {attributes:?}>", element.name()));
                }
                Node::Text(text) => out.push_str(&format!("{:?}", &**text)),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(element) = node.value() {
                    out.push_str(&format!("</{}>", element.name()));
                }
            }
        }
    }
    out
}

fn assert_policy_holds(input: &str) {
    for allow_remote_images in [false, true] {
        let html = render_html(input, allow_remote_images);
        let cleaned = policy(allow_remote_images).clean(&html).to_string();
        assert_eq!(
            normalized(&html),
            normalized(&cleaned),
            "policy removed something from {input:?}:\n{html}"
        );
    }
}

#[test]
fn ammonia_finds_nothing_to_remove() {
    for (input, _) in HOSTILE {
        assert_policy_holds(input);
    }
    assert_policy_holds(
        r#"<div class="gmail_quote"><div class="gmail_attr">On Wed, Oct 20, 2021 at 9:31 AM John Doe &lt;<a href="mailto:john.doe@acme.com">john.doe@acme.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid"><div dir="ltr">Hi <font face="Arial" color="red" size="2">there</font><table align="center" border="1" cellpadding="0"><tr><td colspan="2" valign="top" width="50%">cell</td></tr></table></div></blockquote></div>"#,
    );
}

#[test]
fn blocked_remote_images_are_counted_and_kept_only_when_allowed() {
    let html =
        "<p>Hi</p><img src=\"http://127.0.0.1:9/a.png\" alt=\"logo\"><img src=\"https://127.0.0.1:9/b.png\">\
                <img src=\"data:image/png;base64,iVBORw0KGgo=\">";
    let masks = tidings_mask::MaskSet::builtin();
    let book = tidings_mask::AddressBook::new();
    let blocked = tidings_mask::render(
        tidings_mask::Body::Html(html),
        None,
        &masks,
        &book,
        &tidings_mask::RenderOptions::default(),
    );
    assert_eq!(blocked.blocked_remote_images, 2);
    assert!(!blocked.html.contains("127.0.0.1"), "{}", blocked.html);
    assert!(blocked.html.contains("[logo]"), "{}", blocked.html);
    let options = tidings_mask::RenderOptions { allow_remote_images: true, ..Default::default() };
    let allowed = tidings_mask::render(tidings_mask::Body::Html(html), None, &masks, &book, &options);
    assert_eq!(allowed.blocked_remote_images, 0);
    assert!(allowed.html.contains("src=\"http://127.0.0.1:9/a.png\""), "{}", allowed.html);
    assert!(allowed.html.contains("src=\"https://127.0.0.1:9/b.png\""), "{}", allowed.html);
}
