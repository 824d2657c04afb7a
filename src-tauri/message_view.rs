//! Turns a raw message into the document shown in the sandboxed body frame.
//!
//! The frame is an `<iframe sandbox srcdoc>` (no `allow-scripts`, no `allow-same-origin`), so no
//! script runs and the page has no IPC; on top of that the document carries its own CSP
//! (`default-src 'none'`) and the HTML is sanitised here, with remote images dropped.

use std::collections::HashSet;

use mail_parser::MessageParser;

/// The body document and the recipients line of one message.
pub struct RenderedMessage {
    pub to: String,
    pub document: String,
}

const DOCUMENT_CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const FRAME_STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;color:#1f2328;margin:16px;\
    overflow-wrap:anywhere}blockquote{margin:8px 0 8px 4px;padding-left:12px;border-left:3px solid #c8d1dc;\
    color:#475467}pre{white-space:pre-wrap;font:inherit}img{max-width:100%}";

/// Renders `raw` for the body frame; never fails (broken MIME gives a short notice instead).
pub fn render(raw: &[u8]) -> RenderedMessage {
    let Some(message) = MessageParser::default().parse(raw) else {
        return RenderedMessage {
            to: String::new(),
            document: wrap("<p><em>This message could not be read.</em></p>"),
        };
    };
    let to = message
        .to()
        .map(|to| {
            to.iter()
                .map(|addr| match (addr.name(), addr.address()) {
                    (Some(name), Some(address)) => format!("{name} <{address}>"),
                    (None, Some(address)) => address.to_owned(),
                    (Some(name), None) => name.to_owned(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let has_real_html = message.html_part(0).is_some_and(|part| part.is_text_html());
    let body = if has_real_html {
        sanitize(&message.body_html(0).unwrap_or_default())
    } else {
        let text = message.body_text(0).unwrap_or_default();
        format!("<pre>{}</pre>", ammonia::clean_text(&text))
    };
    RenderedMessage { to, document: wrap(&body) }
}

fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto", "data"]))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Remote images stay off until the user allows remote content; only inline data stays.
            ("img", "src") => value.starts_with("data:image/").then(|| value.into()),
            (_, "href") => {
                (!value.trim_start().to_ascii_lowercase().starts_with("data:")).then(|| value.into())
            }
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string()
}

fn wrap(body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{DOCUMENT_CSP}\">\
         <style>{FRAME_STYLE}</style></head><body>{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_html_loses_scripts_handlers_and_remote_images() {
        let raw = b"From: a@b.c\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n\
            <p onclick=\"alert(1)\">Hi</p><script>alert(2)</script>\
            <img src=\"http://127.0.0.1:9/pixel.gif\"><a href=\"javascript:alert(3)\">x</a>\
            <iframe src=\"http://127.0.0.1:9/\"></iframe>";
        let document = render(raw).document;
        assert!(document.contains("<p>Hi</p>"), "{document}");
        for banned in ["onclick", "<script", "alert(", "127.0.0.1", "javascript:", "<iframe"] {
            assert!(!document.contains(banned), "{banned} survived: {document}");
        }
        assert!(document.contains("default-src 'none'"));
    }

    #[test]
    fn plain_text_is_escaped() {
        let document = render(b"From: a@b.c\r\nSubject: x\r\n\r\n<b>not bold</b> & more\r\n").document;
        assert!(document.contains("&lt;b&gt;not bold&lt;/b&gt;"), "{document}");
    }

    #[test]
    fn garbage_gives_a_notice_not_a_panic() {
        assert!(render(b"").document.contains("could not be read"));
    }
}
