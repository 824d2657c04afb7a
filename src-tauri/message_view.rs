//! Turns a raw message into the document shown in the sandboxed body frame.
//!
//! The message is read by `tidings-message` (which part is shown, the top header) and the body
//! goes through the mask engine (`tidings_mask::render`): quote headers are found and
//! shown, with the message's own header, as uniform blocks; the engine also sanitises the HTML
//! and blocks remote images. The frame is an `<iframe sandbox="allow-popups" srcdoc>` (no
//! `allow-scripts`, no `allow-same-origin`), so no script runs and the page has no IPC; on top of
//! that the document carries its own CSP (`default-src 'none'`). `allow-popups` is there only so
//! that a click on a link (all are `target="_blank"`) reaches `links.rs` as a new-window request.

use tidings_mask::{AddressBook, MaskSet, QuoteHeader, RenderOptions};

/// The body document, the recipients line and the quote headers of one message.
pub struct RenderedMessage {
    pub to: String,
    pub document: String,
    /// Quote headers in document order, outermost first.
    pub quotes: Vec<QuoteHeader>,
    /// Remote images replaced by placeholders.
    pub blocked_remote_images: usize,
}

/// The body document's own policy. A `srcdoc` frame also inherits the app window's policy
/// (`tauri.conf.json`), and both apply; the app's admits `http:`/`https:` images only so that
/// this one can decide (its `blob:` is for the app's own fax pages, which no body can make: bodies
/// run no script). Found by the hostile-mail suite: with `img-src 'self' data:` in the app's
/// policy, "Load images" loaded nothing.
const DOCUMENT_CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
/// The same when the user let this message's remote images load: images only, nothing else.
const DOCUMENT_CSP_REMOTE_IMAGES: &str =
    "default-src 'none'; img-src data: http: https:; style-src 'unsafe-inline'";

const FRAME_STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;color:#1f2328;margin:16px;\
    overflow-wrap:anywhere}blockquote{margin:8px 0 8px 4px;padding-left:12px;border-left:3px solid #c8d1dc;\
    color:#475467}pre{white-space:pre-wrap;font:inherit}img{max-width:100%}\
    .tidings-header{display:flex;align-items:center;flex-wrap:wrap;gap:4px 8px;margin:10px 0;padding:6px 10px;\
    border-radius:8px;background:#f1f4f8;color:#1f2328;font-size:13px;line-height:1.4}\
    .tidings-header[data-depth=\"0\"]{margin-top:0}\
    .tidings-avatar{border-radius:50%;flex:none;max-width:none}\
    .tidings-name{font-weight:600}.tidings-email,.tidings-offset{color:#57606a}\
    .tidings-date{margin-left:auto;color:#57606a}.tidings-time,.tidings-offset{color:#57606a}\
    .tidings-remote-image{color:#57606a;font-size:12px}\
    details.tidings-quote>summary{width:max-content;margin:2px 0;padding:0 4px;border-radius:4px;\
    color:#57606a;font-size:12px;cursor:pointer}\
    details.tidings-quote>summary:focus-visible{outline:2px solid #0969da;outline-offset:1px}\
    details.tidings-quote[open]>summary>.tidings-show,\
    details.tidings-quote:not([open])>summary>.tidings-hide{display:none}";

/// Renders `raw` for the body frame; never fails (broken MIME gives a short notice instead).
pub fn render(raw: &[u8], masks: &MaskSet, book: &AddressBook, options: &RenderOptions) -> RenderedMessage {
    let Some(message) = tidings_message::read_lenient(raw) else {
        return RenderedMessage {
            to: String::new(),
            document: wrap("<p><em>This message could not be read.</em></p>", false),
            quotes: Vec::new(),
            blocked_remote_images: 0,
        };
    };
    let rendering = tidings_mask::render(message.body.as_body(), Some(&message.top), masks, book, options);
    RenderedMessage {
        to: message.to,
        document: wrap(&rendering.html, options.allow_remote_images),
        quotes: rendering.quotes,
        blocked_remote_images: rendering.blocked_remote_images,
    }
}

fn wrap(body: &str, remote_images: bool) -> String {
    let csp = if remote_images { DOCUMENT_CSP_REMOTE_IMAGES } else { DOCUMENT_CSP };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\
         <style>{FRAME_STYLE}</style></head><body>{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_demo(raw: &[u8]) -> RenderedMessage {
        render(raw, &MaskSet::builtin(), &AddressBook::new(), &RenderOptions::default())
    }

    #[test]
    fn hostile_html_loses_scripts_handlers_and_remote_images() {
        let raw = b"From: a@b.c\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n\
            <p onclick=\"alert(1)\">Hi</p><script>alert(2)</script>\
            <img src=\"http://127.0.0.1:9/pixel.gif\"><a href=\"javascript:alert(3)\">x</a>\
            <iframe src=\"http://127.0.0.1:9/\"></iframe>";
        let document = render_demo(raw).document;
        assert!(document.contains("<p>Hi</p>"), "{document}");
        for banned in ["onclick", "<script", "alert(", "127.0.0.1", "javascript:", "<iframe"] {
            assert!(!document.contains(banned), "{banned} survived: {document}");
        }
        assert!(document.contains("default-src 'none'"));
    }

    #[test]
    fn plain_text_is_escaped() {
        let document = render_demo(b"From: a@b.c\r\nSubject: x\r\n\r\n<b>not bold</b> & more\r\n").document;
        assert!(!document.contains("<b>"), "{document}");
        assert!(document.contains("&lt;b&gt;not bold&lt;/b&gt; &amp; more"), "{document}");
    }

    #[test]
    fn the_top_header_is_a_uniform_block_with_the_sender_and_the_written_time() {
        let raw =
            b"From: \"Maria Sokolova\" <maria.s@sample2.com>\r\nDate: Fri, 04 Apr 2014 14:10:05 +0400\r\n\
            Subject: x\r\n\r\nHello\r\n";
        let document = render_demo(raw).document;
        let block = document.split("class=\"tidings-header\"").nth(1).expect("a top header block");
        assert!(block.starts_with(" data-depth=\"0\""), "{block}");
        for shown in ["Maria Sokolova", "maria.s@sample2.com", "2014-04-04", "14:10:05", "UTC+04:00"] {
            assert!(block.contains(shown), "{shown} missing from {block}");
        }
    }

    #[test]
    fn garbage_gives_a_notice_not_a_panic() {
        assert!(render_demo(b"").document.contains("could not be read"));
    }
}
