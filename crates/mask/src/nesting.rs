//! Capping how deep HTML nests before html5ever builds its tree.
//!
//! html5ever's tree builder looks through the stack of open elements for most start tags (the
//! HTML standard's "has an element in scope" checks), so a body of N nested elements costs N²:
//! 8 000 nested `<blockquote>`s took 3 s in a debug build, 100 000 would take minutes — from a
//! 1.2 MB message. WebKit caps its own tree at 512 levels; we cap before parsing.
//!
//! [`cap_nesting`] reads the markup once, linearly, and may only over-count depth, never
//! under-count it (an under-count would let the quadratic case through):
//! - a stack follows the elements whose end tag is required; elements that close implicitly
//!   (`p`, `li`, `td`, `option`…) and void elements are not counted, and an end tag closes an
//!   element only when it is the innermost one (misnested mail over-counts);
//! - in HTML content, comments and the text of raw-text elements (`script`, `style`,
//!   `textarea`…) are skipped as the tokenizer skips them, and `<plaintext>` ends the markup;
//! - once an `<svg>` or `<math>` is open (until its own end tag closes it) nothing is skipped: the
//!   tree builder's breakouts and integration points decide what is markup there, and reading
//!   every tag as markup can only over-count;
//! - `/>` is ignored (html5ever ignores it on HTML elements).
//!
//! A start tag that would go past [`MAX_PARSE_DEPTH`] is removed with its end tag; its content
//! stays, one level up. Removing whole tags cannot create markup, and what comes out is parsed and
//! sanitised like any other mail.

use std::borrow::Cow;

/// Deepest counted element nesting handed to the parser. The renderer flattens output deeper
/// than `render::MAX_NESTING` anyway; up to here quote headers are still found with their depth
/// (no real thread nests a thousand replies). Parsing costs at most this × the number of tags.
pub(crate) const MAX_PARSE_DEPTH: usize = 1024;

/// Elements never counted: void, or closed implicitly by their siblings or parents.
fn is_not_counted(lowercase_name: &[u8]) -> bool {
    matches!(
        lowercase_name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"image"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"option"
            | b"optgroup"
            | b"rb"
            | b"rt"
            | b"rtc"
            | b"rp"
            | b"tr"
            | b"td"
            | b"th"
            | b"tbody"
            | b"thead"
            | b"tfoot"
            | b"colgroup"
            | b"caption"
            | b"html"
            | b"head"
            | b"body"
            | b"frame"
    )
}

/// Elements whose content is text up to their own end tag (in HTML, not in SVG or MathML).
fn is_raw_text(lowercase_name: &[u8]) -> bool {
    matches!(
        lowercase_name,
        b"script"
            | b"style"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
            | b"noscript"
            | b"textarea"
            | b"title"
    )
}

/// Longest tag name the lists above hold; longer names are in none of them.
const LONGEST_LISTED_NAME: usize = 8;

/// `name` in lowercase when it is short enough to be in a list (no allocation).
fn short_lowercase(name: &[u8]) -> Option<([u8; LONGEST_LISTED_NAME], usize)> {
    if name.len() > LONGEST_LISTED_NAME {
        return None;
    }
    let mut lowercase = [0; LONGEST_LISTED_NAME];
    for (to, from) in lowercase.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    Some((lowercase, name.len()))
}

/// `html` with every element nested deeper than `max_depth` (as counted in the module comment)
/// removed, keeping its content; borrowed when nothing is that deep.
pub(crate) fn cap_nesting(html: &str, max_depth: usize) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    // Fewer tags than the cap cannot nest past it.
    if memchr::memchr_iter(b'<', bytes).count() <= max_depth {
        return Cow::Borrowed(html);
    }
    // Open elements as (name as written, kept); names are compared ignoring ASCII case.
    let mut open: Vec<(&[u8], bool)> = Vec::new();
    // Open <svg>/<math> elements: while any is, nothing is skipped (see the module comment).
    let mut foreign = 0_usize;
    let mut removed: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + offset;
        let (end, tag) = read_tag(&bytes[start..], foreign == 0);
        at = start + end;
        match tag {
            Tag::Other => {}
            Tag::PlainText if foreign == 0 => break,
            Tag::PlainText => open.push((b"plaintext", open.len() < max_depth)),
            Tag::Start { name } => {
                if let Some((lowercase, length)) = short_lowercase(name) {
                    let lowercase = &lowercase[..length];
                    if is_not_counted(lowercase) {
                        continue;
                    }
                    if foreign == 0 && is_raw_text(lowercase) {
                        at += raw_text_end(&bytes[at..], name);
                        continue;
                    }
                }
                let kept = open.len() < max_depth;
                if !kept {
                    removed.push((start, at));
                }
                foreign += usize::from(is_foreign(name));
                open.push((name, kept));
            }
            Tag::End { name } => {
                if open.last().is_none_or(|(innermost, _)| !innermost.eq_ignore_ascii_case(name)) {
                    continue;
                }
                let (closed, kept) = open.pop().unwrap_or((b"", true));
                foreign -= usize::from(is_foreign(closed));
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

fn is_foreign(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"svg") || name.eq_ignore_ascii_case(b"math")
}

/// What a `<` starts; names are slices of the markup, as written.
#[derive(Debug, PartialEq, Eq)]
enum Tag<'a> {
    Start {
        name: &'a [u8],
    },
    End {
        name: &'a [u8],
    },
    /// `<plaintext>`: the rest of the document is text.
    PlainText,
    /// A comment, doctype, processing instruction, or a `<` that is just text.
    Other,
}

/// Reads the markup at `rest` (which starts with `<`): its length and what it is. Tags end at
/// the first `>` outside a quoted attribute value; an unfinished one runs to the end. Comments
/// are skipped only when `skip_comments`; otherwise `<!--` is read as text.
fn read_tag(rest: &[u8], skip_comments: bool) -> (usize, Tag<'_>) {
    let to_close = |from: usize| memchr::memchr(b'>', &rest[from..]).map_or(rest.len(), |at| from + at + 1);
    if rest.starts_with(b"<!--") {
        if !skip_comments {
            return (4, Tag::Other);
        }
        return (comment_end(rest), Tag::Other);
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
    let name = &rest[name_from..name_end];
    let mut at = name_end;
    let mut quote = None;
    let mut after_equals = false;
    while at < rest.len() {
        let byte = rest[at];
        at += 1;
        match quote {
            Some(open) => {
                // The rest of a quoted value is skipped at once.
                if byte != open {
                    at = memchr::memchr(open, &rest[at..]).map_or(rest.len(), |offset| at + offset + 1);
                }
                quote = None;
            }
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
    let tag = match (closing, name.eq_ignore_ascii_case(b"plaintext")) {
        (true, _) => Tag::End { name },
        (false, true) => Tag::PlainText,
        (false, false) => Tag::Start { name },
    };
    (at, tag)
}

/// The length of the comment at the start of `rest` (`<!--` …): `<!-->` and `<!--->` are whole
/// (empty) comments; otherwise it ends after the first `-->` or `--!>`, or runs to the end. One
/// forward scan.
fn comment_end(rest: &[u8]) -> usize {
    if rest[4..].starts_with(b">") {
        return 5;
    }
    if rest[4..].starts_with(b"->") {
        return 6;
    }
    let mut at = 4;
    while let Some(offset) = memchr::memmem::find(&rest[at..], b"--") {
        let dashes = at + offset;
        let after = &rest[dashes + 2..];
        if after.starts_with(b">") {
            return dashes + 3;
        }
        if after.starts_with(b"!>") {
            return dashes + 4;
        }
        at = dashes + 1;
    }
    rest.len()
}

/// Where the raw text of element `name` ends: after its end tag, or at the end of `rest`.
fn raw_text_end(rest: &[u8], name: &[u8]) -> usize {
    let mut at = 0;
    while let Some(offset) = memchr::memmem::find(&rest[at..], b"</") {
        let start = at + offset;
        let candidate = &rest[start + 2..];
        let matches_name = candidate.len() >= name.len()
            && candidate[..name.len()].eq_ignore_ascii_case(name)
            && candidate
                .get(name.len())
                .is_none_or(|byte| byte.is_ascii_whitespace() || matches!(byte, b'/' | b'>'));
        if matches_name {
            return start + read_tag(&rest[start..], true).0;
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
        // Misnested formatting over-counts (an end tag closes only the innermost element), which
        // matters only past the cap.
        let misnested = "<b><span>bold</b> plain</span>".repeat(100);
        assert!(matches!(cap_nesting(&misnested, MAX_PARSE_DEPTH), Cow::Borrowed(_)));
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

    /// Markup where html5ever nests deeper than a naive count (found in review): each must be
    /// capped, or the parse is quadratic again.
    #[test]
    fn markup_that_html5ever_nests_deeper_than_it_looks_is_still_capped() {
        let repeated = |prefix: &str, unit: &str| format!("{prefix}{}x", unit.repeat(50));
        for html in [
            repeated("<svg/>", "<div/>"),
            repeated("<svg>", "<div/>"),
            repeated("<svg><foreignObject>", "<div/>"),
            repeated("<svg><plaintext></plaintext></svg>", "<div>"),
            repeated("", "<div><object></div>"),
            repeated("", "<b><div></b>"),
            repeated("", "<form><div></form>"),
            repeated("", "<div><svg><foreignObject><style></div></style>"),
            repeated("<svg><style><!--</style>", "<div>"),
        ] {
            assert!(
                matches!(cap_nesting(&html, 4), Cow::Owned(_)),
                "not capped: {}",
                &html[..60.min(html.len())]
            );
        }
    }

    #[test]
    fn many_comments_are_read_in_one_pass() {
        // Each comment used to search the rest of the document for `--!>`: quadratic.
        let comments = "<!---->".repeat(200_000);
        assert!(matches!(cap_nesting(&comments, 4), Cow::Borrowed(_)));
        assert_eq!(comment_end(b"<!-- a -- b --!> c -->"), "<!-- a -- b --!>".len());
        assert_eq!(comment_end(b"<!-- never closed"), "<!-- never closed".len());
    }

    #[test]
    fn unfinished_markup_ends_the_scan_without_panicking() {
        for html in ["<div", "<div title='x", "<!--", "</", "<", "<script>never closed", "<div>é<"] {
            let many = format!("{}{html}", "<div>".repeat(5));
            let _ = cap_nesting(&many, 2);
        }
    }
}
