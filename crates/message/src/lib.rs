//! # tidings-message: a raw message, read for display
//!
//! Owns one decision shared by the app and the command line: given the bytes of a message, which
//! body is shown (the HTML part when there is a real one, else the plain text), who sent it and
//! when (the mask engine's [`TopHeader`]), and who it was for. Parsing is mail-parser's;
//! rendering is the mask engine's. No IO. [`draft`] starts a reply, a reply to all or a forward
//! as a `mailto:` link for the user's mail program.
//!
//! Two readings of damage: [`read`] is strict and names what is broken (the command line refuses
//! such input), [`read_lenient`] shows whatever mail-parser could recover (the app must still
//! show a damaged message that is already in the cache).

mod reply;

pub use reply::{draft, Draft, DraftKind};

use chrono::DateTime;
use mail_parser::{Addr, Message, MessageParser, MimeHeaders};
use tidings_mask::{Body, TopHeader};

/// The parts of a message a reader sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayMessage {
    /// The sender, the date and the subject, for the top header block.
    pub top: TopHeader,
    /// The recipients, `Name <address>` joined with `, `.
    pub to: String,
    /// The body shown.
    pub body: DisplayBody,
    /// The body as plain text (mail-parser's text of the HTML part when there is no text part).
    pub text: String,
}

/// The body part chosen for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisplayBody {
    /// A `text/html` part.
    Html(String),
    /// A `text/plain` part (or the text mail-parser made of a body without a text part).
    Text(String),
}

impl DisplayBody {
    /// The body as the mask engine takes it.
    pub fn as_body(&self) -> Body<'_> {
        match self {
            DisplayBody::Html(html) => Body::Html(html),
            DisplayBody::Text(text) => Body::Text(text),
        }
    }
}

/// Why bytes are not a readable message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Nothing that looks like a header section.
    #[error("not an e-mail message: it does not start with header fields such as \"From:\"")]
    NoHeaders,
    /// A NUL byte in the header section: binary data, not mail.
    #[error("not an e-mail message: binary data in the header section")]
    Binary,
    /// The MIME structure is damaged.
    #[error("broken MIME: {0}")]
    BrokenMime(String),
}

/// Reads `raw`, refusing input whose header section or multipart structure is broken.
pub fn read(raw: &[u8]) -> Result<DisplayMessage, MessageError> {
    let header_end = header_section_end(raw);
    if raw[..header_end].contains(&0) {
        return Err(MessageError::Binary);
    }
    if !starts_with_field(raw) {
        return Err(MessageError::NoHeaders);
    }
    let message = MessageParser::default().parse(raw).ok_or(MessageError::NoHeaders)?;
    check_multipart_boundaries(&message, raw)?;
    Ok(display(&message))
}

/// Whether `raw` starts like a message (a header field, or an mbox `From ` line and a field)
/// and names at least one field every mail has, so plain text with a colon in its first line is
/// not taken for mail.
pub fn looks_like_message(raw: &[u8]) -> bool {
    const MAIL_FIELDS: [&str; 8] =
        ["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "received"];
    starts_with_field(raw)
        && raw[..header_section_end(raw)].split(|&byte| byte == b'\n').any(|line| {
            let name = line.split(|&byte| byte == b':').next().unwrap_or_default();
            line.contains(&b':')
                && MAIL_FIELDS.iter().any(|field| name.eq_ignore_ascii_case(field.as_bytes()))
        })
}

/// Reads `raw` as far as it can be read; `None` only when there is no message at all.
pub fn read_lenient(raw: &[u8]) -> Option<DisplayMessage> {
    MessageParser::default().parse(raw).map(|message| display(&message))
}

fn display(message: &Message<'_>) -> DisplayMessage {
    let has_real_html = message.html_part(0).is_some_and(|part| part.is_text_html());
    let body = if has_real_html {
        DisplayBody::Html(message.body_html(0).unwrap_or_default().into_owned())
    } else {
        DisplayBody::Text(message.body_text(0).unwrap_or_default().into_owned())
    };
    DisplayMessage {
        top: top_header(message),
        to: recipients(message),
        body,
        text: message.body_text(0).unwrap_or_default().into_owned(),
    }
}

/// The message's own sender and date, for the top header block.
fn top_header(message: &Message<'_>) -> TopHeader {
    let sender = message.from().and_then(|from| from.first());
    TopHeader {
        name: sender.and_then(Addr::name).map(str::to_owned),
        email: sender.and_then(Addr::address).map(str::to_owned),
        // mail-parser keeps the zone as written; RFC 3339 carries it over to chrono unchanged.
        date: message.date().and_then(|date| DateTime::parse_from_rfc3339(&date.to_rfc3339()).ok()),
        // Its prefixes ("WG: Re: …") tell forwarded Outlook blocks from replied ones.
        subject: message.subject().map(str::to_owned),
    }
}

fn recipients(message: &Message<'_>) -> String {
    message
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
        .unwrap_or_default()
}

/// Where the header section ends: the first empty line, or the end of the input.
fn header_section_end(raw: &[u8]) -> usize {
    let crlf = raw.windows(4).position(|window| window == b"\r\n\r\n").map(|at| at + 2);
    let lf = raw.windows(2).position(|window| window == b"\n\n").map(|at| at + 1);
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(at), None) | (None, Some(at)) => at,
        (None, None) => raw.len(),
    }
}

/// Whether the first line is a header field (RFC 5322 §2.2: printable ASCII name, then `:`),
/// or an mbox `From ` line before one.
fn starts_with_field(raw: &[u8]) -> bool {
    let mut lines = raw.split(|&byte| byte == b'\n');
    let mut first = lines.next().unwrap_or_default();
    if first.starts_with(b"From ") {
        first = lines.next().unwrap_or_default();
    }
    let Some(colon) = first.iter().position(|&byte| byte == b':') else {
        return false;
    };
    colon > 0 && first[..colon].iter().all(|&byte| (33..=126).contains(&byte) && byte != b':')
}

/// Every multipart part must name a boundary that occurs in the message.
fn check_multipart_boundaries(message: &Message<'_>, raw: &[u8]) -> Result<(), MessageError> {
    for part in &message.parts {
        let Some(content_type) = part.content_type() else { continue };
        if !content_type.ctype().eq_ignore_ascii_case("multipart") {
            continue;
        }
        let subtype = content_type.subtype().unwrap_or("mixed");
        let Some(boundary) = content_type.attribute("boundary").filter(|boundary| !boundary.is_empty())
        else {
            return Err(MessageError::BrokenMime(format!("a multipart/{subtype} part has no boundary")));
        };
        let delimiter = format!("--{boundary}");
        if !contains(raw, delimiter.as_bytes()) {
            return Err(MessageError::BrokenMime(format!(
                "the multipart/{subtype} boundary {boundary:?} never occurs in the message"
            )));
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_preferred_to_its_plain_alternative() {
        let raw = b"From: Ann <ann@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: Hi\r\n\
            Date: Fri, 4 Apr 2014 13:01:32 +0400\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
            --b1\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b1--\r\n";
        let message = read(raw).unwrap();
        assert!(matches!(&message.body, DisplayBody::Html(html) if html.contains("<p>html</p>")));
        assert_eq!(message.top.name.as_deref(), Some("Ann"));
        assert_eq!(message.top.email.as_deref(), Some("ann@example.org"));
        assert_eq!(message.top.date.unwrap().to_rfc3339(), "2014-04-04T13:01:32+04:00");
        assert_eq!(message.to, "Bob <bob@example.org>");
        assert_eq!(message.top.subject.as_deref(), Some("Hi"));
    }

    #[test]
    fn a_text_only_message_shows_its_text() {
        let message = read(b"From: a@b.c\r\nSubject: x\r\n\r\n<b>not html</b>\r\n").unwrap();
        assert_eq!(message.body, DisplayBody::Text("<b>not html</b>\r\n".into()));
    }

    #[test]
    fn damage_is_named() {
        assert_eq!(read(b"just some words\nand more\n"), Err(MessageError::NoHeaders));
        assert_eq!(read(b""), Err(MessageError::NoHeaders));
        assert_eq!(read(b"From: a\0b\r\n\r\nx"), Err(MessageError::Binary));
        let no_boundary = b"From: a@b.c\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n";
        assert!(
            matches!(read(no_boundary), Err(MessageError::BrokenMime(reason)) if reason.contains("no boundary"))
        );
        let lost_boundary = b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--yy\r\nx\r\n";
        assert!(
            matches!(read(lost_boundary), Err(MessageError::BrokenMime(reason)) if reason.contains("never occurs"))
        );
    }

    #[test]
    fn the_lenient_reading_still_shows_a_damaged_message() {
        let lost_boundary = b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--yy\r\nx\r\n";
        assert!(read_lenient(lost_boundary).is_some());
    }

    #[test]
    fn only_mail_looks_like_mail() {
        assert!(looks_like_message(b"Received: from x\r\nFrom: a@b.c\r\n\r\nhi"));
        assert!(looks_like_message(b"From ann@example.org Fri Apr  4 13:01:32 2014\nSubject: x\n\nhi\n"));
        assert!(!looks_like_message(b"Note: bring the keys\nThanks\n"));
        assert!(!looks_like_message(b"<p>From: Ann</p>"));
        assert!(!looks_like_message(b""));
    }

    #[test]
    fn an_mbox_from_line_is_allowed_before_the_headers() {
        assert!(read(b"From ann@example.org Fri Apr  4 13:01:32 2014\nFrom: ann@example.org\n\nhi\n").is_ok());
    }
}
