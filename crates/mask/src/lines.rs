//! The line model: a mail body, HTML or plain text, seen as lines with a quote depth.
//!
//! Header detection works on lines because headers are written as lines in every client; this
//! module turns an HTML tree (block elements and `<br>` end lines, `blockquote` adds depth) or
//! a text body (`>` prefixes add depth) into that model, and marks the lines where a quote opens
//! or closes — the patent's "quote tags" around which the search window is placed. It does not
//! decide what is a header.

use std::ops::Range;

use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{Html, Node};

/// One line of a body, as the detector sees it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    /// The text with runs of white space folded to one space and trimmed.
    pub text: String,
    /// Quote level: `blockquote` nesting in HTML, count of `>` in text.
    pub depth: usize,
    /// Whether a quote opens or closes (or a client's quote container starts) at this line.
    pub quote_edge: bool,
    /// The HTML text nodes of this line, as a range into [`HtmlLines::text_nodes`].
    pub nodes: Range<usize>,
}

/// The lines of an HTML document plus the text nodes they were built from.
pub(crate) struct HtmlLines {
    pub lines: Vec<Line>,
    pub text_nodes: Vec<NodeId>,
}

/// Elements whose content is never mail text.
const SKIPPED_ELEMENTS: &[&str] = &["head", "script", "style", "template", "title", "noscript", "xml"];

/// Class and id fragments (lowercase) that mail clients put on the container of a quote or on
/// the element holding its header.
const QUOTE_MARKERS: &[&str] = &[
    "gmail_quote",
    "gmail_attr",
    "moz-cite-prefix",
    "yahoo_quoted",
    "yahoo-quoted",
    "protonmail_quote",
    "divrplyfwdmsg",
    "olk_src_body_section",
    "appendonsend",
    "mail_quote",
    "quote",
    "cite",
    "reply",
    "forward",
];

/// Whether an element is one of the quote containers that clients use besides `blockquote`.
fn is_quote_marker(element: &scraper::node::Element) -> bool {
    if element.name() == "hr" {
        return true;
    }
    let matches_marker =
        |value: &str| QUOTE_MARKERS.iter().any(|marker| contains_ignore_ascii_case(value, marker));
    if element.id().is_some_and(matches_marker) || element.classes().any(matches_marker) {
        return true;
    }
    // Outlook separates the quoted message with a top border on a div.
    element.name() == "div"
        && element.attr("style").is_some_and(|style| {
            [
                "border-top:solid #e1e1e1",
                "border-top: solid #e1e1e1",
                "border-top:solid #b5c4df",
                "border-top: solid #b5c4df",
            ]
            .iter()
            .any(|needle| contains_ignore_ascii_case(style, needle))
        })
}

/// Whether `haystack` contains the lowercase ASCII `needle`, ignoring ASCII case, without
/// allocating.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether an element starts and ends a line.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "ul"
    )
}

/// The address of a `mailto:` link, without query part, if it looks like one.
fn mailto_address(href: &str) -> Option<String> {
    let rest = href
        .trim()
        .get(7..)
        .filter(|_| href.trim().get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("mailto:")))?;
    let address = rest.split('?').next().unwrap_or_default().trim();
    let plausible = address.contains('@') && address.len() <= 254 && !address.contains(['<', '>', '"', ' ']);
    plausible.then(|| address.to_string())
}

/// Characters that show nothing and only break matching: zero-width spaces and joiners, the
/// soft hyphen, BOMs, and the bidirectional marks Windows puts inside dates
/// (`\u{200e}January \u{200e}3, \u{200e}2022`).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{ad}'
    )
}

/// A full-width digit as Japanese and Chinese input methods type it (`１０：１５`), as ASCII.
fn full_width_digit(c: char) -> Option<char> {
    let value = u32::from(c).checked_sub(u32::from('０')).filter(|&value| value < 10)?;
    char::from_digit(value, 10)
}

/// Accumulates the text of the line being built.
#[derive(Default)]
struct LineBuilder {
    text: String,
    pending_space: bool,
    first_node: usize,
    quote_edge: bool,
    /// Depth given by `>` marks on the previous line, to notice where such a quote starts.
    previous_extra_depth: usize,
}

impl LineBuilder {
    /// Appends `text` with white space folded and zero-width characters left out; returns
    /// whether anything visible was added. Runs of visible characters are copied at once.
    fn push_text(&mut self, text: &str) -> bool {
        let bytes = text.as_bytes();
        // Most text nodes are printable ASCII words with single spaces between them (and maybe
        // one space at either end, next to an inline tag): nothing to fold, so the words are
        // copied whole (a property test compares this with the careful path).
        let leading = bytes.first() == Some(&b' ');
        let trailing = bytes.len() > 1 && bytes.last() == Some(&b' ');
        let core = &text[usize::from(leading)..text.len() - usize::from(trailing)];
        let plain = !core.is_empty()
            && !core.starts_with(' ')
            && !core.ends_with(' ')
            && core.bytes().all(|byte| (b' '..0x7f).contains(&byte))
            && !core.contains("  ");
        if plain {
            self.pending_space |= leading;
            self.space_before_visible();
            self.text.push_str(core);
            self.pending_space = trailing;
            return true;
        }
        self.push_folded(text)
    }

    /// Writes the one space that folded white space stands for, before visible text that
    /// follows it on the line (none at the start of a line).
    fn space_before_visible(&mut self) {
        if self.pending_space && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.pending_space = false;
    }

    /// [`LineBuilder::push_text`] for any text: folds white space, leaves invisible characters
    /// out and reads full-width digits as digits.
    fn push_folded(&mut self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let mut added = false;
        let mut run_start: Option<usize> = None;
        let mut index = 0;
        while index < bytes.len() {
            // ASCII is classified from the byte alone; only other characters are decoded.
            let (space, invisible, digit, width) = match bytes[index] {
                b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => (true, false, None, 1),
                byte if byte.is_ascii() => (false, false, None, 1),
                _ => {
                    let c = text[index..].chars().next().unwrap_or_default();
                    (c.is_whitespace(), is_invisible(c), full_width_digit(c), c.len_utf8())
                }
            };
            if space || invisible || digit.is_some() {
                if let Some(start) = run_start.take() {
                    self.text.push_str(&text[start..index]);
                    added = true;
                }
                if space {
                    self.pending_space = true;
                }
                if let Some(digit) = digit {
                    self.space_before_visible();
                    self.text.push(digit);
                    added = true;
                }
            } else if run_start.is_none() {
                self.space_before_visible();
                run_start = Some(index);
            }
            index += width;
        }
        if let Some(start) = run_start {
            self.text.push_str(&text[start..]);
            added = true;
        }
        added
    }
}

/// Builds the lines of an HTML document without recursion, so any nesting depth is safe.
pub(crate) fn html_lines(document: &Html) -> HtmlLines {
    let mut lines = Vec::new();
    let mut text_nodes: Vec<NodeId> = Vec::new();
    let mut current = LineBuilder::default();
    let mut depth = 0usize;
    let mut skipping: Option<NodeId> = None;
    let mut preformatted = 0usize;
    // The open `mailto:` link: its node, its address and where its text starts in the line.
    let mut link: Option<(NodeId, String, usize)> = None;

    let flush = |current: &mut LineBuilder, lines: &mut Vec<Line>, text_nodes: &Vec<NodeId>, depth: usize| {
        if current.text.is_empty() {
            current.first_node = text_nodes.len();
            current.pending_space = false;
            return;
        }
        // Text converted to HTML keeps its "> " quote marks; they count as depth here too.
        // The builder's buffer is kept for the next line: a copy of the right size is cheaper
        // than growing a new string through every text node of a long paragraph.
        let (extra_depth, rest) = strip_quote_prefix(&current.text);
        let text = if extra_depth > 0 { rest.trim().to_string() } else { current.text.clone() };
        current.text.clear();
        let quote_edge = current.quote_edge || extra_depth != current.previous_extra_depth;
        current.previous_extra_depth = extra_depth;
        lines.push(Line {
            text,
            depth: depth + extra_depth,
            quote_edge,
            nodes: current.first_node..text_nodes.len(),
        });
        current.first_node = text_nodes.len();
        current.pending_space = false;
        current.quote_edge = false;
    };

    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(element) => {
                        let name = element.name();
                        if SKIPPED_ELEMENTS.contains(&name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        let is_block = is_block(name);
                        let is_marker = is_quote_marker(element);
                        if is_block || is_marker {
                            flush(&mut current, &mut lines, &text_nodes, depth);
                        }
                        if name == "blockquote" {
                            depth += 1;
                        }
                        if name == "pre" {
                            preformatted += 1;
                        }
                        if name == "blockquote" || is_marker {
                            current.quote_edge = true;
                        }
                        if matches!(name, "td" | "th") {
                            current.pending_space = true;
                        }
                        if name == "a" {
                            let address = element.attr("href").and_then(mailto_address);
                            link = address.map(|address| (node.id(), address, current.text.len()));
                        }
                    }
                    Node::Text(text) if preformatted > 0 && text.contains('\n') => {
                        // In `<pre>` a newline ends a line; the text node then belongs to
                        // several lines, which rendering takes care not to hide.
                        for (index, segment) in text.split('\n').enumerate() {
                            if index > 0 {
                                flush(&mut current, &mut lines, &text_nodes, depth);
                            }
                            if current.push_text(segment) {
                                text_nodes.push(node.id());
                            }
                        }
                    }
                    Node::Text(text) if current.push_text(text) => text_nodes.push(node.id()),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                    continue;
                }
                if skipping.is_some() {
                    continue;
                }
                if let Node::Element(element) = node.value() {
                    let name = element.name();
                    if is_block(name) {
                        flush(&mut current, &mut lines, &text_nodes, depth);
                    }
                    if name == "blockquote" {
                        depth = depth.saturating_sub(1);
                        current.quote_edge = true;
                    }
                    if name == "pre" {
                        preformatted = preformatted.saturating_sub(1);
                    }
                    // `<a href="mailto:john@x.org">John Doe</a>`: the address is only in the
                    // link, so the line gets it as text for the masks to read (not rendered).
                    if let Some((link_node, address, text_start)) = link.take() {
                        if link_node == node.id()
                            && !current.text.get(text_start..).unwrap_or_default().contains('@')
                        {
                            current.text.push_str(" <");
                            current.text.push_str(&address);
                            current.text.push('>');
                        } else if link_node != node.id() {
                            link = Some((link_node, address, text_start));
                        }
                    }
                }
            }
        }
    }
    flush(&mut current, &mut lines, &text_nodes, depth);
    HtmlLines { lines, text_nodes }
}

/// One line of a text body with its quote prefix removed, kept as written for rendering.
pub(crate) struct TextLine<'a> {
    /// The line after its `>` prefix (and one following space).
    pub content: &'a str,
}

/// Splits a text body into lines, reading `>`, `> >` and `>>` prefixes as quote depth.
pub(crate) fn text_lines(body: &str) -> (Vec<Line>, Vec<TextLine<'_>>) {
    let mut lines = Vec::new();
    let mut raw = Vec::new();
    let mut previous_depth: Option<usize> = None;
    for source in body.split('\n') {
        let source = source.strip_suffix('\r').unwrap_or(source);
        let (depth, content) = strip_quote_prefix(source);
        let mut builder = LineBuilder::default();
        builder.push_text(content);
        let blank = builder.text.is_empty();
        let mut quote_edge = false;
        if !blank {
            if previous_depth.is_some_and(|previous| previous != depth)
                || (previous_depth.is_none() && depth > 0)
            {
                quote_edge = true;
            }
            previous_depth = Some(depth);
        }
        lines.push(Line { text: builder.text, depth, quote_edge, nodes: 0..0 });
        raw.push(TextLine { content });
    }
    (lines, raw)
}

/// Counts leading `>` marks (spaces between them allowed) and returns the rest of the line.
fn strip_quote_prefix(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest_start = 0;
    for (index, c) in line.char_indices() {
        match c {
            '>' => {
                depth += 1;
                rest_start = index + 1;
            }
            ' ' | '\t' if depth > 0 || index < 4 => {}
            _ => break,
        }
    }
    if depth == 0 {
        return (0, line);
    }
    // GroupWise frames its attribution in marks, `>>> John <j@x.org> 01/13/22 10:15 AM >>>`,
    // over quoted text it leaves unmarked: those marks are text, not three quote levels.
    let framed =
        line[rest_start..].trim().strip_suffix(">>>").is_some_and(|inside| !inside.trim().is_empty());
    if depth >= 3 && line[..rest_start].ends_with(">>>") && framed {
        return (depth - 3, &line[rest_start - 3..]);
    }
    let rest = &line[rest_start..];
    (depth, rest.strip_prefix(' ').unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn copying_plain_text_whole_folds_as_the_careful_path_does(
            pieces in proptest::collection::vec("(a|Z|7|,| |  |\t|\n|\u{200b}|\u{200e}|é|\u{a0}|１)+", 1..6),
            pending in any::<bool>(),
        ) {
            let mut fast = LineBuilder { text: "x".into(), pending_space: pending, ..LineBuilder::default() };
            let mut careful = LineBuilder { text: "x".into(), pending_space: pending, ..LineBuilder::default() };
            for piece in &pieces {
                prop_assert_eq!(fast.push_text(piece), careful.push_folded(piece));
                prop_assert_eq!(&fast.text, &careful.text);
                prop_assert_eq!(fast.pending_space, careful.pending_space);
            }
        }
    }

    #[test]
    fn text_prefixes_give_depth() {
        let (lines, raw) = text_lines("top\n> one\n> > two\n>> two again\n>three\n\nend");
        let depths: Vec<usize> = lines.iter().map(|line| line.depth).collect();
        assert_eq!(depths, vec![0, 1, 2, 2, 1, 0, 0]);
        assert_eq!(raw[2].content, "two");
        let edges: Vec<bool> = lines.iter().map(|line| line.quote_edge).collect();
        assert_eq!(edges, vec![false, true, true, false, true, false, true]);
    }

    #[test]
    fn invisible_marks_go_and_full_width_digits_read_as_digits() {
        let (lines, raw) = text_lines("Sent: \u{200e}Monday, \u{200e}January \u{200e}3, \u{200e}2022 10\u{200e}:15\n２０２２年１月３日 １０：１５");
        assert_eq!(lines[0].text, "Sent: Monday, January 3, 2022 10:15");
        assert_eq!(lines[1].text, "2022年1月3日 10：15");
        assert_eq!(raw[1].content, "２０２２年１月３日 １０：１５", "the text shown stays as written");
    }

    #[test]
    fn an_arrow_in_the_middle_of_a_line_is_not_a_quote() {
        let (lines, _) = text_lines("build -> test > deploy");
        assert_eq!(lines[0].depth, 0);
    }

    #[test]
    fn html_blocks_and_breaks_end_lines_and_blockquotes_nest() {
        let html = Html::parse_document(
            "<div>Hi <b>there</b><br>second</div><blockquote><p>q1</p><blockquote>q2</blockquote></blockquote><script>x</script>",
        );
        let model = html_lines(&html);
        let seen: Vec<(&str, usize, bool)> =
            model.lines.iter().map(|line| (line.text.as_str(), line.depth, line.quote_edge)).collect();
        assert_eq!(
            seen,
            vec![("Hi there", 0, false), ("second", 0, false), ("q1", 1, true), ("q2", 2, true)]
        );
        assert_eq!(model.lines[0].nodes.len(), 2);
    }

    #[test]
    fn a_mailto_link_lends_its_address_to_the_line() {
        let html = Html::parse_document(
            r#"<div><b>From:</b> <a href="mailto:john@x.org?subject=hi">John Doe</a></div><div><a href="mailto:ann@x.org">ann@x.org</a></div>"#,
        );
        let model = html_lines(&html);
        assert_eq!(model.lines[0].text, "From: John Doe <john@x.org>");
        assert_eq!(model.lines[1].text, "ann@x.org");
    }

    #[test]
    fn pre_newlines_and_quote_marks_in_html_give_lines_and_depth() {
        let html =
            Html::parse_document("<pre>top\n&gt; quoted\n&gt; &gt; deeper</pre><div>&gt; in a div</div>");
        let model = html_lines(&html);
        let seen: Vec<(&str, usize)> =
            model.lines.iter().map(|line| (line.text.as_str(), line.depth)).collect();
        assert_eq!(seen, vec![("top", 0), ("quoted", 1), ("deeper", 2), ("in a div", 1)]);
        // One text node feeds the three lines of the <pre>.
        assert_eq!(
            model.text_nodes[model.lines[0].nodes.start],
            model.text_nodes[model.lines[2].nodes.start]
        );
    }

    #[test]
    fn groupwise_marks_around_a_line_are_text_and_empty_marks_are_depth() {
        let table = [
            (">>> John <j@x.org> 01/13/22 10:15 AM >>>", (0, ">>> John <j@x.org> 01/13/22 10:15 AM >>>")),
            ("> >>> John <j@x.org> 01/13/22 10:15 AM >>>", (1, ">>> John <j@x.org> 01/13/22 10:15 AM >>>")),
            ("> >>>", (4, "")),
            (">>> quoted", (3, "quoted")),
        ];
        for (line, expected) in table {
            assert_eq!(strip_quote_prefix(line), expected, "{line}");
        }
    }
}
