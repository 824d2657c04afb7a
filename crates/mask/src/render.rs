//! The uniform rendering: every quote header and the top header become one block of the same
//! shape, the rest of the body is kept (quotes stay blockquotes, each inside a `<details open>`
//! whose toggle folds it away without script), and the result is sanitised.
//!
//! Sanitising happens while the parsed tree is written out, so the HTML is parsed once: only
//! allow-listed elements and attributes are written (the policy that ammonia applied before,
//! with its default lists plus ours; `tests/sanitising.rs` checks the output against ammonia
//! configured that way), URLs are checked by scheme, text and attribute values are escaped as
//! html5ever's serialiser does, and comments, scripts, styles, forms, frames and foreign
//! content (`svg`, `math`) are dropped with their content. Everything else this module writes
//! (header blocks, placeholders, text bodies) is its own escaped markup.
//!
//! Serialisation walks the tree without recursion and caps element nesting, so hostile depth
//! cannot overflow the stack. Remote images become placeholders unless allowed; `data:` URLs
//! survive only as images. This module does not detect headers.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::format::{Item, StrftimeItems};
use chrono::{NaiveDate, NaiveTime};
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{Html, Node};

use crate::avatar;
use crate::detect::FoundHeader;
use crate::lines::{HtmlLines, Line, TextLine};
use crate::sender::normalize_name;
use crate::{HeaderFields, QuoteKind, RenderOptions};

/// Deepest element nesting written out; deeper tags are dropped (their text is kept).
pub(crate) const MAX_NESTING: usize = 100;

/// Elements dropped with everything inside them.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "head", "script", "style", "template", "title", "noscript", "iframe", "object", "embed", "applet",
    "frame", "frameset", "xml", "svg", "math", "form", "select", "textarea", "button", "input",
];

/// Elements written out: ammonia's default list plus `div`, `span`, `img`, `blockquote`,
/// `details`, `summary`, `font` and `center`. Other elements are left out, their content kept.
fn is_allowed_element(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "acronym"
            | "area"
            | "article"
            | "aside"
            | "b"
            | "bdi"
            | "bdo"
            | "blockquote"
            | "br"
            | "caption"
            | "center"
            | "cite"
            | "code"
            | "col"
            | "colgroup"
            | "data"
            | "dd"
            | "del"
            | "details"
            | "dfn"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "figcaption"
            | "figure"
            | "font"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "li"
            | "map"
            | "mark"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "q"
            | "rp"
            | "rt"
            | "rtc"
            | "ruby"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "summary"
            | "sup"
            | "table"
            | "tbody"
            | "td"
            | "th"
            | "thead"
            | "time"
            | "tr"
            | "tt"
            | "u"
            | "ul"
            | "var"
            | "wbr"
    )
}

/// Attributes written out on an allowed element (ammonia's default lists plus ours).
fn is_allowed_attribute(element: &str, attribute: &str) -> bool {
    matches!(attribute, "lang" | "title" | "class" | "style" | "dir" | "align")
        || match element {
            "a" => matches!(attribute, "href" | "hreflang"),
            "blockquote" => matches!(attribute, "cite" | "type"),
            "details" => attribute == "open",
            "col" | "colgroup" => matches!(attribute, "char" | "charoff" | "span"),
            "del" | "ins" => matches!(attribute, "cite" | "datetime"),
            "div" => matches!(attribute, "data-depth" | "data-kind"),
            "font" => matches!(attribute, "color" | "face" | "size"),
            "hr" => matches!(attribute, "size" | "width"),
            "img" => matches!(attribute, "alt" | "height" | "src" | "width" | "data-avatar"),
            "ol" => attribute == "start",
            "q" => attribute == "cite",
            "table" => matches!(attribute, "char" | "charoff" | "summary"),
            "tbody" | "thead" | "tr" => matches!(attribute, "char" | "charoff"),
            "td" => matches!(attribute, "char" | "charoff" | "colspan" | "headers" | "rowspan"),
            "th" => matches!(attribute, "char" | "charoff" | "colspan" | "headers" | "rowspan" | "scope"),
            _ => false,
        }
}

/// Attributes only our own header blocks carry: mail that sets them is trying to pass for one.
fn is_our_marker(attribute: &str) -> bool {
    matches!(attribute, "data-depth" | "data-kind" | "data-avatar")
}

/// A mail element's `class`, without the `tidings-…` classes of our header blocks, so mail can
/// neither draw a block that looks like ours nor restyle with our rules; nothing if none is left.
fn write_mail_classes(out: &mut String, value: &str) {
    let mut kept = value
        .split_ascii_whitespace()
        .filter(|class| !class.get(..8).is_some_and(|prefix| prefix.eq_ignore_ascii_case("tidings-")))
        .peekable();
    if kept.peek().is_none() {
        return;
    }
    out.push_str(" class=\"");
    for (index, class) in kept.enumerate() {
        if index > 0 {
            out.push(' ');
        }
        push_escaped(out, class, true);
    }
    out.push('"');
}

/// URL schemes kept in `href` and `src` (ammonia's defaults plus `data` and `cid`; `data:` is
/// narrowed to images by [`keep_attribute`]).
const URL_SCHEMES: &[&str] = &[
    "bitcoin",
    "cid",
    "data",
    "ftp",
    "ftps",
    "geo",
    "http",
    "https",
    "im",
    "irc",
    "ircs",
    "magnet",
    "mailto",
    "mms",
    "mx",
    "news",
    "nntp",
    "openpgp4fpr",
    "sip",
    "sms",
    "smsto",
    "ssh",
    "tel",
    "url",
    "webcal",
    "wtai",
    "xmpp",
];

/// Whether a URL may stay: an absolute URL with an allowed scheme, or a relative one. A value
/// that is neither (unparseable) is dropped.
fn url_allowed(value: &str) -> bool {
    if !value.contains(':') {
        // No scheme can be read without a colon: a relative URL.
        return true;
    }
    if is_plain_web_url(value) {
        return true;
    }
    match url::Url::parse(value) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// Whether `value` is an `http`/`https` URL that the URL parser is sure to accept, read without
/// it (most links in mail; the full parse allocates): printable ASCII, no user info, a host of
/// plain DNS labels whose last one starts with a letter (so it is not read as an IPv4 address),
/// an optional port that fits in 16 bits. Anything else goes to the full parse.
fn is_plain_web_url(value: &str) -> bool {
    let bytes = value.as_bytes();
    let after_scheme = if bytes.len() >= 8 && bytes[..8].eq_ignore_ascii_case(b"https://") {
        8
    } else if bytes.len() >= 7 && bytes[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        return false;
    };
    if !bytes.iter().all(|byte| (0x21..0x7f).contains(byte)) {
        return false;
    }
    let rest = &bytes[after_scheme..];
    let host_end =
        rest.iter().position(|byte| matches!(byte, b':' | b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let host = &rest[..host_end];
    let plain_label = |label: &[u8]| {
        !label.is_empty()
            && label.iter().all(|byte| byte.is_ascii_alphanumeric() || *byte == b'-')
            && !label.starts_with(b"-")
            && !label.ends_with(b"-")
            && !label.get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"xn--"))
    };
    let host_is_plain = host.split(|&byte| byte == b'.').all(plain_label)
        && host.rsplit(|&byte| byte == b'.').next().is_some_and(|last| last[0].is_ascii_alphabetic());
    if !host_is_plain {
        return false;
    }
    let after_host = &rest[host_end..];
    match after_host.strip_prefix(b":") {
        None => true,
        Some(port_and_rest) => {
            let port_end = port_and_rest
                .iter()
                .position(|byte| matches!(byte, b'/' | b'?' | b'#'))
                .unwrap_or(port_and_rest.len());
            let port = &port_and_rest[..port_end];
            (1..=5).contains(&port.len())
                && port.iter().all(u8::is_ascii_digit)
                && port.iter().fold(0_u32, |number, digit| number * 10 + u32::from(digit - b'0')) <= 65_535
        }
    }
}

/// Elements without end tags.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];

/// Builds header blocks, caching avatars within one rendering.
///
/// Blocks carry a `data-avatar="N"` marker instead of the image: avatars are put in by
/// [`HeaderBlocks::insert_avatars`] after sanitising, so the sanitiser does not spend its time
/// parsing our own data URLs.
pub(crate) struct HeaderBlocks<'a> {
    options: &'a RenderOptions,
    /// Sender key → index into `uris`.
    avatars: HashMap<String, usize>,
    uris: Vec<String>,
    date_format_ok: bool,
}

impl<'a> HeaderBlocks<'a> {
    pub fn new(options: &'a RenderOptions, warnings: &mut Vec<String>) -> HeaderBlocks<'a> {
        let date_format_ok =
            !StrftimeItems::new(&options.date_format).any(|item| matches!(item, Item::Error));
        if !date_format_ok {
            warnings.push(format!(
                "Date format {:?} is not a valid chrono format; using %Y-%m-%d.",
                options.date_format
            ));
        }
        if !avatar::SIZE_RANGE.contains(&options.avatar_size) {
            warnings.push(format!(
                "Avatar size {} is outside {}..={}; clamped.",
                options.avatar_size,
                avatar::SIZE_RANGE.start(),
                avatar::SIZE_RANGE.end()
            ));
        }
        HeaderBlocks { options, avatars: HashMap::new(), uris: Vec::new(), date_format_ok }
    }

    fn avatar_index(&mut self, fields: &HeaderFields) -> usize {
        let key = match (&fields.email, &fields.name) {
            (Some(email), _) => email.to_lowercase(),
            (None, Some(name)) => normalize_name(name),
            (None, None) => String::new(),
        };
        if let Some(&index) = self.avatars.get(&key) {
            return index;
        }
        let initials = avatar::initials(fields.name.as_deref(), fields.email.as_deref());
        self.uris.push(avatar::data_url(&key, &initials, self.options.avatar_size));
        self.avatars.insert(key, self.uris.len() - 1);
        self.uris.len() - 1
    }

    /// Replaces the `data-avatar="N"` markers of sanitised HTML with the avatars' data URLs.
    ///
    /// A marker forged by the mail itself can at worst show one of this rendering's avatars;
    /// markers that name no avatar are dropped.
    pub fn insert_avatars(&self, sanitized: &str) -> String {
        const MARKER: &str = "data-avatar=\"";
        let mut out =
            String::with_capacity(sanitized.len() + self.uris.iter().map(String::len).sum::<usize>());
        let finder = memchr::memmem::Finder::new(MARKER);
        let mut rest = sanitized;
        while let Some(position) = finder.find(rest.as_bytes()) {
            out.push_str(&rest[..position]);
            let after = &rest[position + MARKER.len()..];
            let Some(close) = after.find('"') else {
                rest = after;
                continue;
            };
            if let Some(uri) = after[..close].parse::<usize>().ok().and_then(|index| self.uris.get(index)) {
                out.push_str("src=\"");
                out.push_str(uri);
                out.push('"');
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Writes one uniform header block.
    pub fn write(
        &mut self,
        out: &mut String,
        fields: &HeaderFields,
        depth: usize,
        kind: Option<QuoteKind>,
        source: &str,
    ) {
        let size = self.options.avatar_size.clamp(*avatar::SIZE_RANGE.start(), *avatar::SIZE_RANGE.end());
        let avatar = self.avatar_index(fields);
        let initials = avatar::initials(fields.name.as_deref(), fields.email.as_deref());
        let kind_attribute = match kind {
            Some(QuoteKind::Reply) => " data-kind=\"reply\"",
            Some(QuoteKind::Forward) => " data-kind=\"forward\"",
            None => "",
        };
        let _ = write!(
            out,
            "<div class=\"tidings-header\" data-depth=\"{depth}\"{kind_attribute} title=\"{}\">",
            escape_attribute(source)
        );
        let _ = write!(
            out,
            "<img class=\"tidings-avatar\" width=\"{size}\" height=\"{size}\" alt=\"{}\" data-avatar=\"{avatar}\">",
            escape_attribute(&initials)
        );
        if let Some(name) = &fields.name {
            let _ = write!(out, "<span class=\"tidings-name\">{}</span>", escape_text(name));
        }
        if let Some(email) = &fields.email {
            let _ = write!(out, " <span class=\"tidings-email\">{}</span>", escape_text(email));
        }
        if let Some(date) =
            fields.date.as_deref().and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok())
        {
            let format = if self.date_format_ok { self.options.date_format.as_str() } else { "%Y-%m-%d" };
            let _ = write!(
                out,
                " <span class=\"tidings-date\">{}</span>",
                escape_text(&date.format(format).to_string())
            );
        }
        if let Some(time) = fields.time.as_deref().and_then(parse_time) {
            let (time, has_seconds) = time;
            let format = match (self.options.hour12, has_seconds) {
                (true, true) => "%I:%M:%S %p",
                (true, false) => "%I:%M %p",
                (false, true) => "%H:%M:%S",
                (false, false) => "%H:%M",
            };
            let _ = write!(out, " <span class=\"tidings-time\">{}</span>", time.format(format));
        }
        if let Some(offset) = &fields.utc_offset {
            let _ = write!(out, " <span class=\"tidings-offset\">UTC{}</span>", escape_text(offset));
        }
        out.push_str("</div>");
    }

    /// Opens a foldable quote: the `<details>` around it and its toggle. The quote's own
    /// element follows, then [`HeaderBlocks::close_quote`].
    pub fn open_quote(&self, out: &mut String) {
        let toggle = &self.options.quote_toggle;
        let _ = write!(
            out,
            "<details class=\"tidings-quote\" open><summary><span class=\"tidings-hide\">{}</span>\
             <span class=\"tidings-show\">{}</span></summary>",
            escape_text(&toggle.hide),
            escape_text(&toggle.show)
        );
    }

    /// Closes what [`HeaderBlocks::open_quote`] opened.
    pub fn close_quote(&self, out: &mut String) {
        out.push_str("</details>");
    }
}

fn parse_time(text: &str) -> Option<(NaiveTime, bool)> {
    NaiveTime::parse_from_str(text, "%H:%M:%S")
        .map(|time| (time, true))
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M").map(|time| (time, false)))
        .ok()
}

pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, false);
    out
}

pub(crate) fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, true);
    out
}

/// Appends `text` to `out` escaped as html5ever's serialiser does it: `&`, `<`, `>`, no-break
/// spaces (`&nbsp;`) and, in attributes, `"`. Carriage returns become line feeds, as a parser
/// would read them. Runs of plain text are copied at once.
fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    let bytes = text.as_bytes();
    // Text nodes are short (tens of bytes), so a table lookup per byte beats a vectorised search.
    const MAY_NEED_ESCAPING: [bool; 256] = {
        let mut table = [false; 256];
        let mut index = 0;
        while index < 6 {
            table[[b'&', b'<', b'>', b'"', 0xC2, b'\r'][index] as usize] = true;
            index += 1;
        }
        table
    };
    let Some(first_special) = bytes.iter().position(|&byte| MAY_NEED_ESCAPING[usize::from(byte)]) else {
        out.push_str(text);
        return;
    };
    let mut plain_start = 0;
    let mut index = first_special;
    while index < bytes.len() {
        let (entity, width) = match bytes[index] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' if attribute => ("&quot;", 1),
            0xC2 if bytes.get(index + 1) == Some(&0xA0) => ("&nbsp;", 2),
            b'\r' if bytes.get(index + 1) == Some(&b'\n') => ("", 1),
            b'\r' => ("\n", 1),
            _ => {
                index += 1;
                continue;
            }
        };
        out.push_str(&text[plain_start..index]);
        out.push_str(entity);
        index += width;
        plain_start = index;
    }
    out.push_str(&text[plain_start..]);
}

/// A multiplicative hasher for node ids, which are small sequential numbers: every node of the
/// tree is looked up while writing, and SipHash was a visible share of that.
#[derive(Clone, Copy, Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

type NodeMap<V> = HashMap<NodeId, V, BuildHasherDefault<IdHasher>>;
type NodeSet = HashSet<NodeId, BuildHasherDefault<IdHasher>>;

/// Where each header goes in the HTML tree.
struct Placement {
    /// Header index by the node it replaces (an element wholly made of header text, or the
    /// header's first text node).
    by_node: NodeMap<usize>,
    /// Text nodes of header lines, not written out.
    hidden: NodeSet,
}

/// How far up from a header's first text node to look for an element to replace.
const MAX_CLIMB: usize = 8;
/// Most nodes inspected under one candidate element while climbing.
const MAX_CLIMB_SCAN: usize = 256;

fn place_headers(document: &Html, model: &HtmlLines, found: &[FoundHeader]) -> Placement {
    let mut by_node = NodeMap::default();
    let mut hidden = NodeSet::default();
    for (index, header) in found.iter().enumerate() {
        let start = model.lines[header.first_line].nodes.start;
        let end = model.lines[header.last_line].nodes.end;
        let nodes = &model.text_nodes[start..end.max(start)];
        let Some(&first) = nodes.first() else { continue };
        // In `<pre>` one text node may hold the header and other lines; hiding it would lose
        // text, so such a header gets its block in front and keeps its original text.
        let shared_with = |line: Option<&Line>| {
            line.is_some_and(|line| {
                model.text_nodes[line.nodes.clone()].iter().any(|node| nodes.contains(node))
            })
        };
        let before = header.first_line.checked_sub(1).and_then(|index| model.lines.get(index));
        if shared_with(before) || shared_with(model.lines.get(header.last_line + 1)) {
            by_node.insert(first, index);
            continue;
        }
        let own: NodeSet = nodes.iter().copied().collect();
        hidden.extend(own.iter().copied());
        // Climb while the parent's visible text is entirely this header's text: replacing a
        // whole `gmail_attr` div or `divRplyFwdMsg` keeps no empty bold/font shells behind.
        let mut target = first;
        let mut current = document.tree.get(first);
        for _ in 0..MAX_CLIMB {
            let Some(parent) = current.and_then(|node| node.parent()) else { break };
            if !matches!(parent.value(), Node::Element(element) if !matches!(element.name(), "body" | "html" | "blockquote"))
            {
                break;
            }
            let mut only_header_text = true;
            // Header containers are small; giving up on a large subtree keeps this linear.
            for (seen, descendant) in parent.descendants().enumerate() {
                if seen > MAX_CLIMB_SCAN {
                    only_header_text = false;
                    break;
                }
                if let Node::Text(text) = descendant.value() {
                    if !text.trim().is_empty() && !own.contains(&descendant.id()) {
                        only_header_text = false;
                        break;
                    }
                }
                if let Node::Element(element) = descendant.value() {
                    if element.name() == "blockquote" || element.name() == "img" {
                        only_header_text = false;
                        break;
                    }
                }
            }
            if !only_header_text {
                break;
            }
            target = parent.id();
            current = Some(parent);
        }
        by_node.insert(target, index);
    }
    Placement { by_node, hidden }
}

/// Whether remote images are kept, and how many were blocked while writing.
pub(crate) struct RemoteImages {
    pub allowed: bool,
    pub blocked: usize,
}

/// Serialises the body of `document` with headers replaced by `write_block`, filtering what the
/// sanitiser would remove anyway and turning remote images into placeholders.
pub(crate) fn html_body(
    document: &Html,
    model: &HtmlLines,
    found: &[FoundHeader],
    blocks: &mut HeaderBlocks<'_>,
    remote_images: &mut RemoteImages,
    capacity: usize,
    warnings: &mut Vec<String>,
) -> String {
    let placement = place_headers(document, model, found);
    let mut out = String::with_capacity(capacity);
    let mut skipping: Option<NodeId> = None;
    let mut nesting = 0usize;
    let mut capped = NodeSet::default();
    let mut warned_depth = false;
    let mut attributes = Vec::new();
    // Where the last `<pre>` or `<listing>` start tag ended: a newline right after it is not
    // content to a parser, so it is not written.
    let mut after_pre = usize::MAX;
    for edge in document.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                if let Some(&header_index) = placement.by_node.get(&node.id()) {
                    let header = &found[header_index].header;
                    blocks.write(&mut out, &header.fields, header.depth, Some(header.kind), &header.source);
                    match node.value() {
                        Node::Element(_) => skipping = Some(node.id()),
                        Node::Text(text) if !placement.hidden.contains(&node.id()) => {
                            push_escaped(&mut out, text, false);
                        }
                        _ => {}
                    }
                    continue;
                }
                match node.value() {
                    Node::Text(text) if !placement.hidden.contains(&node.id()) => {
                        let text: &str = text;
                        let text = match text.strip_prefix('\n') {
                            Some(rest) if out.len() == after_pre => rest,
                            _ => text,
                        };
                        push_escaped(&mut out, text, false)
                    }
                    Node::Element(element) => {
                        let name = element.name();
                        if DROPPED_WITH_CONTENT.contains(&name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        if matches!(name, "html" | "body") {
                            continue;
                        }
                        if nesting >= MAX_NESTING {
                            capped.insert(node.id());
                            if !warned_depth {
                                warned_depth = true;
                                warnings.push(format!(
                                    "HTML nested deeper than {MAX_NESTING} elements was flattened."
                                ));
                            }
                            continue;
                        }
                        if name == "blockquote" {
                            blocks.open_quote(&mut out);
                        }
                        if write_open_tag(&mut out, element, remote_images.allowed, &mut attributes) {
                            remote_images.blocked += 1;
                        }
                        if matches!(name, "pre" | "listing") {
                            after_pre = out.len();
                        }
                        if !VOID_ELEMENTS.contains(&name) {
                            nesting += 1;
                        }
                    }
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
                    if matches!(name, "html" | "body")
                        || VOID_ELEMENTS.contains(&name)
                        || (!capped.is_empty() && capped.remove(&node.id()))
                    {
                        continue;
                    }
                    if is_allowed_element(name) {
                        out.push_str("</");
                        out.push_str(name);
                        out.push('>');
                    }
                    if name == "blockquote" {
                        blocks.close_quote(&mut out);
                    }
                    nesting = nesting.saturating_sub(1);
                }
            }
        }
    }
    out
}

/// Writes the start tag of an allowed element with its allowed attributes; other elements
/// write nothing (their content is still written). Returns whether a remote image was blocked.
fn write_open_tag<'d>(
    out: &mut String,
    element: &'d scraper::node::Element,
    allow_remote_images: bool,
    attributes: &mut Vec<(&'d str, &'d str)>,
) -> bool {
    let name = element.name();
    if name == "img" {
        let source = element.attr("src").unwrap_or_default().trim();
        if !allow_remote_images && is_remote(source) {
            let alt = element.attr("alt").unwrap_or_default();
            out.push_str("<span class=\"tidings-remote-image\" title=\"Remote image blocked\">[");
            push_escaped(out, if alt.is_empty() { "image" } else { alt }, false);
            out.push_str("]</span>");
            // The placeholder replaces the void element; nothing to close.
            return true;
        }
    }
    if !is_allowed_element(name) {
        return false;
    }
    attributes.clear();
    attributes.extend(element.attrs().filter(|&(attribute, value)| {
        is_allowed_attribute(name, attribute)
            && !is_our_marker(attribute)
            && (!matches!(attribute, "href" | "src") || url_allowed(value))
    }));
    if name == "a" {
        // A link never navigates the body frame: `_blank` makes a click ask for a new window,
        // which the app refuses and turns into its "Open link?" dialog (the mail's own `target`
        // is not on the allow-list). `<area>` keeps no `href`, so it needs neither.
        attributes.push(("rel", "noopener noreferrer"));
        attributes.push(("target", "_blank"));
    }
    // Attributes failing the filter are removed as ammonia did (swap-remove, last first), so
    // the order of the rest is the one its output had.
    let mut index = attributes.len();
    while index > 0 {
        index -= 1;
        let (attribute, value) = attributes[index];
        if !keep_attribute(name, attribute, value, allow_remote_images) {
            attributes.swap_remove(index);
        }
    }
    out.push('<');
    out.push_str(name);
    for &(attribute, value) in attributes.iter() {
        if attribute == "class" {
            write_mail_classes(out, value);
            continue;
        }
        out.push(' ');
        out.push_str(attribute);
        out.push_str("=\"");
        push_escaped(out, value, true);
        out.push('"');
    }
    out.push('>');
    false
}

/// Whether an image source is fetched from the network, read as the browser reads it: the
/// start of [`url_head`], with a backslash taken for a slash (as under an `http:` base URL), so
/// `&#1;//host`, `/&#9;/host` and `\\host` count as remote like `//host`.
fn is_remote(source: &str) -> bool {
    let head = url_head(source);
    let starts = |prefix: &str| {
        head.len() >= prefix.len()
            && head.bytes().zip(prefix.bytes()).all(|(byte, expected)| {
                let byte = if byte == b'\\' { b'/' } else { byte };
                byte.eq_ignore_ascii_case(&expected)
            })
    };
    starts("http:") || starts("https:") || starts("//")
}

/// The first characters of a URL attribute value as a browser's URL parser (WHATWG URL) sees
/// them: leading C0 controls and spaces stripped, tabs and newlines anywhere dropped. Enough of
/// it to compare schemes and `data:` media types; borrowed unless a tab or newline is dropped.
fn url_head(value: &str) -> Cow<'_, str> {
    const LENGTH: usize = 32;
    let value = value.trim_start_matches(|c: char| c <= ' ');
    let end = value.char_indices().nth(LENGTH).map_or(value.len(), |(index, _)| index);
    if !value[..end].contains(['\t', '\n', '\r']) {
        return Cow::Borrowed(&value[..end]);
    }
    Cow::Owned(value.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).take(LENGTH).collect())
}

/// Renders a text body: escaped lines, quote levels as nested blockquotes, headers as blocks.
pub(crate) fn text_body(
    lines: &[Line],
    raw: &[TextLine<'_>],
    found: &[FoundHeader],
    blocks: &mut HeaderBlocks<'_>,
    warnings: &mut Vec<String>,
) -> String {
    let mut out = String::from("<div class=\"tidings-text\" style=\"white-space: pre-wrap\">");
    let mut open_quotes = 0usize;
    let mut next_header = 0usize;
    let mut index = 0usize;
    let mut warned_depth = false;
    while index < lines.len() {
        let line = &lines[index];
        // Blank lines keep the current level so a quote is not split by its own empty lines.
        let wanted = if line.text.is_empty() { open_quotes } else { line.depth };
        let capped = wanted.min(MAX_NESTING);
        if capped < wanted && !warned_depth {
            warned_depth = true;
            warnings.push(format!("Quotes nested deeper than {MAX_NESTING} levels were flattened."));
        }
        while open_quotes < capped {
            blocks.open_quote(&mut out);
            out.push_str("<blockquote type=\"cite\">");
            open_quotes += 1;
        }
        while open_quotes > capped {
            out.push_str("</blockquote>");
            blocks.close_quote(&mut out);
            open_quotes -= 1;
        }
        if next_header < found.len() && found[next_header].first_line == index {
            let header = &found[next_header];
            blocks.write(
                &mut out,
                &header.header.fields,
                header.header.depth,
                Some(header.header.kind),
                &header.header.source,
            );
            index = header.last_line + 1;
            next_header += 1;
            continue;
        }
        out.push_str(&escape_text(raw[index].content.trim_end()));
        out.push('\n');
        index += 1;
    }
    while open_quotes > 0 {
        out.push_str("</blockquote>");
        blocks.close_quote(&mut out);
        open_quotes -= 1;
    }
    out.push_str("</div>");
    out
}

/// The attribute filter: no `url()`, expressions, imports or escapes in styles, `data:` URLs
/// only as image sources, no remote image sources unless allowed.
fn keep_attribute(element: &str, attribute: &str, value: &str, allow_remote_images: bool) -> bool {
    match attribute {
        "style" => {
            let lower = value.trim().to_ascii_lowercase();
            let dangerous = [
                "url(",
                "expression",
                "@import",
                "\\",
                "javascript:",
                "behavior",
                "-moz-binding",
                "image-set(",
            ];
            !dangerous.iter().any(|needle| lower.contains(needle))
        }
        "src" | "href" | "cite" => {
            let trimmed = value.trim();
            let head = url_head(trimmed);
            let starts = |prefix: &str| {
                head.get(..prefix.len()).is_some_and(|start| start.eq_ignore_ascii_case(prefix))
            };
            if starts("data:") {
                let image = ["data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;"];
                return element == "img" && attribute == "src" && image.iter().any(|prefix| starts(prefix));
            }
            !(element == "img" && attribute == "src" && is_remote(trimmed) && !allow_remote_images)
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the full parse says of a URL this module keeps: parsed, with a web scheme.
    fn parses_as_web_url(value: &str) -> bool {
        url::Url::parse(value).is_ok_and(|url| matches!(url.scheme(), "http" | "https"))
    }

    #[test]
    fn the_quick_url_check_takes_only_urls_the_parser_accepts() {
        for value in [
            "https://example.com/x",
            "HTTP://Example.COM:8080/a?b=c#d",
            "http://a.b.c.d.museum",
            "https://host:65535",
            "http://x1.y2",
        ] {
            assert!(is_plain_web_url(value), "{value}");
            assert!(parses_as_web_url(value), "{value}");
        }
        // Cases the full parse rejects or reads differently are left to it.
        for value in [
            "http://1.2.3.999/",
            "http://0x7f.1/",
            "http://example.com:65536/",
            "http://example.com:/",
            "http://user@example.com/",
            "http://xn--a.com/",
            "http://-a.com/",
            "http://a..com/",
            "http://example.com./",
            "http://exa mple.com/",
            "http://[::1]/",
            "https://",
            "mailto:a@b.c",
        ] {
            assert!(!is_plain_web_url(value), "{value}");
        }
    }

    proptest! {
        #[test]
        fn every_url_the_quick_check_takes_is_accepted_by_the_parser(
            value in "(https?|HTTP)://[a-z0-9.:@x\\-]{0,12}[/?#]?[a-z0-9/%.:@-]{0,8}"
        ) {
            if is_plain_web_url(&value) {
                prop_assert!(parses_as_web_url(&value), "{}", value);
            }
        }
    }
}
