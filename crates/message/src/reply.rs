//! What a reply, a reply to all or a forward of a message starts with, written as a `mailto:`
//! link (RFC 6068) for the user's own mail program: Tidings reads mail, it does not send it.
//!
//! Recipients follow the usual rules: a reply goes to `Reply-To`, else `From`; a reply to all also
//! copies the original `To` and `Cc`, without the user's own address and without duplicates; a
//! forward has no recipient. The subject gets one `Re: ` or `Fwd: ` (none added when it already
//! starts with it), `In-Reply-To` and `References` thread the reply. The quoted text is cut so
//! that the whole link stays within `max_length` (mail programs and desktop launchers refuse
//! very long links), with a line saying it was cut.

use mail_parser::{Address, HeaderValue, Message, MessageParser};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Which draft to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftKind {
    Reply,
    ReplyAll,
    Forward,
}

/// A draft, before it becomes a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    /// `<id@host>` of the message replied to; `None` for a forward or a message without one.
    pub in_reply_to: Option<String>,
    /// The thread's `References` with the replied message's id last.
    pub references: Vec<String>,
    /// The introduction line and the quoted (or forwarded) text.
    pub body: String,
}

/// Characters left as they are in a mailto component: RFC 3986 unreserved ones. Everything else
/// (`&`, `=`, `?`, `#`, `%`, spaces, line breaks, non-ASCII) is percent-encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// In the address list `@` stays readable too.
const ADDRESS: &AsciiSet = &COMPONENT.remove(b'@');

/// The draft of `kind` for `raw`, written by the user at `me` (left out of a reply to all);
/// `None` when `raw` is not a message.
pub fn draft(raw: &[u8], kind: DraftKind, me: &str) -> Option<Draft> {
    let message = MessageParser::default().parse(raw)?;
    let subject = message.subject().unwrap_or_default().trim().to_owned();
    let text = message.body_text(0).map(|text| text.into_owned()).unwrap_or_default();
    let sender = addresses(message.from()).into_iter().next();
    let date = message.date().map(|date| date.to_rfc822()).unwrap_or_default();
    let message_id = message.message_id().map(|id| format!("<{id}>"));

    let draft = match kind {
        DraftKind::Reply | DraftKind::ReplyAll => {
            let reply_to = addresses(message.reply_to());
            let to = if reply_to.is_empty() { sender.iter().cloned().collect() } else { reply_to };
            let mut cc = Vec::new();
            if kind == DraftKind::ReplyAll {
                for address in addresses(message.to()).into_iter().chain(addresses(message.cc())) {
                    let known = to.iter().chain(&cc).any(|other: &String| other.eq_ignore_ascii_case(&address));
                    if !known && !address.eq_ignore_ascii_case(me) {
                        cc.push(address);
                    }
                }
            }
            let mut references = references(&message);
            references.extend(message_id.clone());
            let who = sender.as_deref().unwrap_or("the sender");
            let quoted: String = text.lines().map(|line| format!("> {line}\n")).collect();
            Draft {
                to,
                cc,
                subject: prefixed("Re: ", &subject, &["re:", "aw:", "sv:", "ответ:"]),
                in_reply_to: message_id,
                references,
                body: format!("\n\nOn {date}, {who} wrote:\n{quoted}"),
            }
        }
        DraftKind::Forward => Draft {
            to: Vec::new(),
            cc: Vec::new(),
            subject: prefixed("Fwd: ", &subject, &["fwd:", "fw:", "wg:", "tr:"]),
            in_reply_to: None,
            references: Vec::new(),
            body: format!(
                "\n\n---------- Forwarded message ---------\nFrom: {}\nDate: {date}\nSubject: {subject}\nTo: {}\n\n{text}",
                sender.as_deref().unwrap_or_default(),
                addresses(message.to()).join(", "),
            ),
        },
    };
    Some(draft)
}

impl Draft {
    /// The `mailto:` link, at most `max_length` characters: the body is cut (at a line end when
    /// it can) with a note, and a link that is still too long without any body has none.
    pub fn mailto(&self, max_length: usize) -> String {
        let head = self.head();
        let with_body = |body: &str| format!("{head}&body={}", utf8_percent_encode(&crlf(body), COMPONENT));
        let whole = with_body(&self.body);
        if whole.len() <= max_length {
            return whole;
        }
        const CUT: &str = "\n[…] (the rest of the message is in Tidings)\n";
        // The encoded length grows with the text, so search the longest prefix that fits.
        let boundaries: Vec<usize> =
            self.body.char_indices().map(|(at, _)| at).chain([self.body.len()]).collect();
        let (mut low, mut high) = (0, boundaries.len() - 1);
        while low < high {
            let middle = (low + high).div_ceil(2);
            if with_body(&format!("{}{CUT}", &self.body[..boundaries[middle]])).len() <= max_length {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        let kept = &self.body[..boundaries[low]];
        let kept = kept.rfind('\n').map_or(kept, |end| &kept[..end]);
        let cut = with_body(&format!("{kept}{CUT}"));
        if cut.len() <= max_length {
            cut
        } else {
            head
        }
    }

    /// The link without its body.
    fn head(&self) -> String {
        let list = |addresses: &[String]| {
            addresses
                .iter()
                .map(|a| utf8_percent_encode(a, ADDRESS).to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut link =
            format!("mailto:{}?subject={}", list(&self.to), utf8_percent_encode(&self.subject, COMPONENT));
        if !self.cc.is_empty() {
            link.push_str(&format!("&cc={}", list(&self.cc)));
        }
        if let Some(id) = &self.in_reply_to {
            link.push_str(&format!("&In-Reply-To={}", utf8_percent_encode(id, COMPONENT)));
        }
        if !self.references.is_empty() {
            link.push_str(&format!(
                "&References={}",
                utf8_percent_encode(&self.references.join(" "), COMPONENT)
            ));
        }
        link
    }
}

/// `subject` with `prefix` in front, unless it already starts with one of `already` (any case).
fn prefixed(prefix: &str, subject: &str, already: &[&str]) -> String {
    let lower = subject.to_lowercase();
    if already.iter().any(|start| lower.starts_with(start)) {
        subject.to_owned()
    } else {
        format!("{prefix}{subject}")
    }
}

/// The bare addresses of a header (groups flattened), in order.
fn addresses(header: Option<&Address<'_>>) -> Vec<String> {
    header
        .map(|address| {
            address
                .iter()
                .filter_map(|addr| addr.address())
                .map(str::trim)
                .filter(|a| a.contains('@'))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The message's own `References`, as `<id>` items.
fn references(message: &Message<'_>) -> Vec<String> {
    match message.references() {
        HeaderValue::Text(id) => vec![format!("<{id}>")],
        HeaderValue::TextList(ids) => ids.iter().map(|id| format!("<{id}>")).collect(),
        _ => Vec::new(),
    }
}

/// Line breaks as CRLF, as RFC 6068 asks of a body.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &[u8] = b"From: Ann Lee <ann@example.org>\r\nTo: me@example.net, Bob <bob@example.com>\r\n\
Cc: carol@example.com, ME@example.net\r\nSubject: Q4 offsite & venue?\r\nDate: Tue, 3 Mar 2026 10:00:00 +0100\r\n\
Message-ID: <q4@example.org>\r\nReferences: <q1@example.org> <q2@example.org>\r\n\r\nShall we book it?\r\nAnn\r\n";

    #[test]
    fn a_reply_goes_to_the_sender_and_threads() {
        let draft = draft(MAIL, DraftKind::Reply, "me@example.net").unwrap();
        assert_eq!(draft.to, ["ann@example.org"]);
        assert!(draft.cc.is_empty());
        assert_eq!(draft.subject, "Re: Q4 offsite & venue?");
        assert_eq!(draft.in_reply_to.as_deref(), Some("<q4@example.org>"));
        assert_eq!(draft.references, ["<q1@example.org>", "<q2@example.org>", "<q4@example.org>"]);
        assert!(
            draft.body.contains("ann@example.org wrote:\n> Shall we book it?\n> Ann\n"),
            "{}",
            draft.body
        );
        let link = draft.mailto(8 * 1024);
        assert!(
            link.starts_with("mailto:ann@example.org?subject=Re%3A%20Q4%20offsite%20%26%20venue%3F&"),
            "{link}"
        );
        assert!(link.contains("&In-Reply-To=%3Cq4%40example.org%3E"), "{link}");
        assert!(link.contains("%3E%20Shall%20we%20book%20it%3F%0D%0A"), "{link}");
    }

    #[test]
    fn a_reply_to_all_copies_everyone_but_me_once() {
        let draft = draft(MAIL, DraftKind::ReplyAll, "me@example.net").unwrap();
        assert_eq!(draft.to, ["ann@example.org"]);
        assert_eq!(draft.cc, ["bob@example.com", "carol@example.com"]);
        assert!(draft.mailto(8192).contains("&cc=bob@example.com,carol@example.com&"));
    }

    #[test]
    fn reply_to_wins_and_prefixes_are_not_doubled() {
        let mail = b"From: a@example.org\r\nReply-To: list@example.org\r\nSubject: RE: hello\r\n\r\nhi\r\n";
        let reply = draft(mail, DraftKind::Reply, "me@example.net").unwrap();
        assert_eq!(
            (reply.to.as_slice(), reply.subject.as_str()),
            (&["list@example.org".to_owned()][..], "RE: hello")
        );
        let forward = draft(mail, DraftKind::Forward, "me@example.net").unwrap();
        assert!(forward.to.is_empty());
        assert_eq!(forward.subject, "Fwd: RE: hello");
        assert!(forward.body.contains("---------- Forwarded message ---------\nFrom: a@example.org\n"));
        assert!(forward.mailto(8192).starts_with("mailto:?subject=Fwd%3A%20RE%3A%20hello&body="));
    }

    #[test]
    fn a_long_body_is_cut_at_a_line_to_fit_and_says_so() {
        let mut mail = b"From: a@example.org\r\nSubject: long\r\n\r\n".to_vec();
        for n in 0..2000 {
            mail.extend_from_slice(format!("line {n} with ünïcödé & symbols?\r\n").as_bytes());
        }
        let link = draft(&mail, DraftKind::Reply, "me@example.net").unwrap().mailto(8 * 1024);
        assert!(link.len() <= 8 * 1024, "{}", link.len());
        assert!(link.len() > 7 * 1024, "the cut keeps as much as fits: {}", link.len());
        assert!(
            link.ends_with(
                "%0D%0A%5B%E2%80%A6%5D%20%28the%20rest%20of%20the%20message%20is%20in%20Tidings%29%0D%0A"
            ),
            "{link}"
        );
        assert!(link.contains("line%200%20with"));
        assert!(!link.contains("line%201999"));
    }

    #[test]
    fn not_a_message_is_none() {
        assert!(draft(b"", DraftKind::Reply, "me@example.net").is_none());
    }
}
