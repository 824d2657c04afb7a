//! Capping how deep HTML nests before html5ever builds its tree.
//!
//! html5ever's tree builder looks through the stack of open elements for most start tags (the
//! HTML standard's "has an element in scope" checks), so a body of N nested elements costs N²:
//! 8 000 nested `<blockquote>`s took 3 s in a debug build, 100 000 would take minutes — from a
//! 1.2 MB message. WebKit caps its own tree at 512 levels; we cap before parsing.
//!
//! [`cap_nesting`] reads the markup once, linearly: comments, doctypes and processing
//! instructions are skipped as the HTML tokenizer skips them, raw-text elements (`script`,
//! `style`, `textarea`…, outside SVG/MathML) are skipped to their end tag, and a stack follows
//! the elements whose end tag is required. Elements that close implicitly (`p`, `li`, `td`,
//! `option`…) and void elements are not counted, and an end tag closes the nearest matching open
//! element among the top few, as the tree builder would; so well-formed and merely sloppy mail
//! stays far below the cap. A start tag that would go past [`MAX_PARSE_DEPTH`] is removed with
//! its end tag; its content stays, one level up. Removing whole tags cannot create markup, and
//! what comes out is parsed and sanitised like any other mail.

use std::borrow::Cow;

/// Deepest counted element nesting handed to the parser. The renderer flattens output deeper
/// than `render::MAX_NESTING` anyway; up to here quote headers are still found with their depth
/// (no real thread nests a thousand replies). Parsing costs at most this × the number of tags.
pub(crate) const MAX_PARSE_DEPTH: usize = 1024;

/// How many open elements an end tag looks through for its start tag.
const END_TAG_REACH: usize = 8;

/// Elements never counted: void, or closed implicitly by their siblings or parents.
const NOT_COUNTED: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "image", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "rb", "rt", "rtc", "rp", "tr",
    "td", "th", "tbody", "thead", "tfoot", "colgroup", "caption", "html", "head", "body", "frame",
];

/// Elements whose content is text up to their own end tag (in HTML, not in SVG or MathML).
const RAW_TEXT: &[&str] =
    &["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"];

/// `html` with every element nested deeper than `max_depth` (as counted in the module comment)
/// removed, keeping its content; borrowed when nothing is that deep.
pub(crate) fn cap_nesting(html: &str, max_depth: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    // Fewer tags than the cap cannot nest past it.
    if bytes.iter().filter(|&&byte| byte == b'<').count() <= max_depth {
        return Cow::Borrowed(html);
    }
    let mut open: Vec<(String, bool)> = Vec::new();
    let mut foreign = 0_usize;
    let mut removed: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&byte| byte == b'<') {
        let start = at + offset;
        let rest = &bytes[start..];
        let (end, tag) = read_tag(rest);
        at = start + end;
        match tag {
            Tag::Other => {}
            Tag::PlainText => break,
            Tag::Start { name, self_closing } => {
                if NOT_COUNTED.contains(&name.as_str()) || (self_closing && foreign > 0) {
                    continue;
                }
                if foreign == 0 && RAW_TEXT.contains(&name.as_str()) {
                    at += raw_text_end(&bytes[at..], &name);
                    continue;
                }
                let kept = open.len() < max_depth;
                if !kept {
                    removed.push((start, at));
                }
                if matches!(name.as_str(), "svg" | "math") {
                    foreign += 1;
                }
                open.push((name, kept));
            }
            Tag::End { name } => {
                let reach = open.len().saturating_sub(END_TAG_REACH);
                let Some(index) = open[reach..].iter().rposition(|(open_name, _)| *open_name == name) else {
                    continue;
                };
                for (closed, _) in open.drain(reach + index + 1..) {
                    foreign -= usize::from(matches!(closed.as_str(), "svg" | "math"));
                }
                let (closed, kept) = open.pop().unwrap_or_default();
                foreign -= usize::from(matches!(closed.as_str(), "svg" | "math"));
                if !kept {
                    removed.push((start, at));
                }
            }
        }
    }
    if removed.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut capped = String::with_capacity(html.len());
    let mut kept_from = 0;
    for (from, to) in removed {
        capped.push_str(&html[kept_from..from]);
        kept_from = to;
    }
    capped.push_str(&html[kept_from..]);
    Cow::Owned(capped)
}

/// What a `<` starts.
#[derive(Debug, PartialEq, Eq)]
enum Tag {
    Start {
        name: String,
        self_closing: bool,
    },
    End {
        name: String,
    },
    /// `<plaintext>`: the rest of the document is text.
    PlainText,
    /// A comment, doctype, processing instruction, or a `<` that is just text.
    Other,
}

/// Reads the markup at `rest` (which starts with `<`): its length and what it is. Tags end at
/// the first `>` outside a quoted attribute value; an unfinished one runs to the end.
fn read_tag(rest: &[u8]) -> (usize, Tag) {
    let after = |needle: &[u8], from: usize| {
        rest[from..]
            .windows(needle.len())
            .position(|window| window == needle)
            .map(|at| from + at + needle.len())
    };
    let to_close = |from: usize| after(b">", from).unwrap_or(rest.len());
    if rest.starts_with(b"<!--") {
        // `<!-->` and `<!--->` are whole (empty) comments; otherwise the first `-->` or `--!>`.
        if rest[4..].starts_with(b">") {
            return (5, Tag::Other);
        }
        if rest[4..].starts_with(b"->") {
            return (6, Tag::Other);
        }
        let end = match (after(b"-->", 4), after(b"--!>", 4)) {
            (Some(a), Some(b)) => a.min(b),
            (Some(end), None) | (None, Some(end)) => end,
            (None, None) => rest.len(),
        };
        return (end, Tag::Other);
    }
    let closing = rest.get(1) == Some(&b'/');
    let name_from = if closing { 2 } else { 1 };
    match rest.get(name_from) {
        Some(byte) if byte.is_ascii_alphabetic() => {}
        // `<!…>`, `<?…>` and `</ …>` are bogus comments up to `>`; `<` before anything else is text.
        Some(b'!' | b'?') if !closing => return (to_close(1), Tag::Other),
        Some(_) if closing => return (to_close(2), Tag::Other),
        _ => return (1, Tag::Other),
    }
    let name_end = rest[name_from..]
        .iter()
        .position(|byte| byte.is_ascii_whitespace() || matches!(byte, b'/' | b'>'))
        .map_or(rest.len(), |at| name_from + at);
    let name = String::from_utf8_lossy(&rest[name_from..name_end]).to_ascii_lowercase();
    let mut at = name_end;
    let mut quote = None;
    let mut after_equals = false;
    while at < rest.len() {
        let byte = rest[at];
        at += 1;
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None => match byte {
                b'>' => break,
                b'"' | b'\'' if after_equals => quote = Some(byte),
                b'=' => {
                    after_equals = true;
                    continue;
                }
                byte if byte.is_ascii_whitespace() => continue,
                _ => {}
            },
        }
        after_equals = false;
    }
    let self_closing = at >= 2 && rest[at - 1] == b'>' && rest[at - 2] == b'/';
    let tag = match (closing, name.as_str()) {
        (true, _) => Tag::End { name },
        (false, "plaintext") => Tag::PlainText,
        (false, _) => Tag::Start { name, self_closing },
    };
    (at, tag)
}

/// Where the raw text of element `name` ends: after its end tag, or at the end of `rest`.
fn raw_text_end(rest: &[u8], name: &str) -> usize {
    let mut at = 0;
    while let Some(offset) = rest[at..].windows(2).position(|window| window == b"</") {
        let start = at + offset;
        let candidate = &rest[start + 2..];
        let matches_name = candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && candidate
                .get(name.len())
                .is_none_or(|byte| byte.is_ascii_whitespace() || matches!(byte, b'/' | b'>'));
        if matches_name {
            return start + read_tag(&rest[start..]).0;
        }
        at = start + 2;
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capped(html: &str, max: usize) -> String {
        cap_nesting(html, max).into_owned()
    }

    #[test]
    fn deep_nesting_loses_the_tags_past_the_cap_and_keeps_the_text() {
        let html = format!("{}deep{}", "<blockquote>".repeat(6), "</blockquote>".repeat(6));
        let expected = format!("{}deep{}", "<blockquote>".repeat(2), "</blockquote>".repeat(2));
        assert_eq!(capped(&html, 2), expected);
    }

    #[test]
    fn shallow_or_sloppy_mail_is_untouched() {
        let paragraphs = "<p>one<p>two<li>three<li>four<td>five<td>six<br><img src=x>".repeat(50);
        assert!(matches!(cap_nesting(&paragraphs, 4), Cow::Borrowed(_)));
        // Misnested formatting closes within reach, as the tree builder would.
        let misnested = "<b><span>bold</b> plain</span>".repeat(100);
        assert!(matches!(cap_nesting(&misnested, 4), Cow::Borrowed(_)));
        let siblings = "<div>a</div>".repeat(100);
        assert!(matches!(cap_nesting(&siblings, 1), Cow::Borrowed(_)));
    }

    #[test]
    fn comments_raw_text_and_quoted_attributes_hide_no_tags_and_invent_none() {
        // Tags inside a comment, a style and a quoted value are not elements.
        let hidden = format!(
            "<!--{}--><style>{}</style><div title=\"{}\">x</div>",
            "<div>".repeat(10),
            "<div>".repeat(10),
            "<div>".repeat(10)
        );
        assert!(matches!(cap_nesting(&hidden, 2), Cow::Borrowed(_)));
        // `<!-->` ends at once, so what follows is counted.
        let html = format!("<!-->{}x", "<div>".repeat(4));
        assert_eq!(capped(&html, 2), "<!--><div><div>x");
        // In SVG, a style is not raw text; a blockquote breaking out still counts.
        let html = format!("<svg><style>{}x", "<blockquote>".repeat(4));
        assert_eq!(capped(&html, 3), "<svg><style><blockquote>x");
    }

    #[test]
    fn unfinished_markup_ends_the_scan_without_panicking() {
        for html in ["<div", "<div title='x", "<!--", "</", "<", "<script>never closed", "<div>é<"] {
            let many = format!("{}{html}", "<div>".repeat(5));
            let _ = cap_nesting(&many, 2);
        }
    }
}
