//! # tidings-mask: quote headers found by masks, rendered uniformly
//!
//! An implementation of the method of Yandex patent RU 2 682 038: find the headers of the
//! quoted and forwarded messages nested in a mail body, read the sender's name and address and
//! the date and time with data-driven *masks*, and show every quote header — plus the header of
//! the message itself — in one uniform block with an avatar.
//!
//! ## Pipeline
//!
//! 1. **Detect** (`lines`): the body becomes a list of lines with a quote depth. HTML is parsed
//!    with html5ever (`scraper`); block elements and `<br>` end lines and `blockquote` adds depth.
//!    Plain text uses `>` prefixes. Lines where a quote tag opens or closes, or where a client's
//!    quote container starts (`gmail_quote`, `divRplyFwdMsg`, `moz-cite-prefix`, `yahoo_quoted`,
//!    `protonmail_quote`, Outlook's border-top separator, …) are *quote edges*.
//! 2. **Window** (`detect`): as in the patent, header text is searched within
//!    [`RenderOptions::window_lines`] lines (4 by default) before, after and inside each quote
//!    edge; lines that look like a header anywhere (a field label, a separator, a line ending in a
//!    colon) are searched too, for forwards that have no quote tag at all.
//! 3. **Match masks** (`masks`, `pattern`): each language's TOML file in `assets/masks/`
//!    gives attribution templates (`On {date} at {time}, {sender} wrote:`), separator phrases
//!    (`Forwarded message`, `Original Message`), field labels (`From`/`Von`/`От`/`差出人`…), month
//!    and weekday names and date and time patterns. Templates compile once into linear-time
//!    `regex` matchers; literal text is escaped and pattern size is capped.
//! 4. **Extract** (`datetime`, `sender`): dates are normalised with chrono (two-digit years,
//!    day/month order by language and by the rule that a quote is older than its reply), UTC
//!    offsets are read where written, names are checked against a given-names list, greeting
//!    words and the recipient's [`AddressBook`] (which also fills a missing address).
//! 5. **Reply or forward** (`detect`, `kinds`): attributions are replies and "Forwarded
//!    message" separators forwards. Outlook writes the same `From:/Sent:/To:/Subject:` block,
//!    with or without "Original Message", for both, so those headers take their kind from the
//!    *subject chain*. Every message has a list of subject prefixes: the top message from
//!    [`TopHeader::subject`], a quoted message from its header's own `Subject:` field, and one
//!    whose header has none (an attribution) from its parent's list less the first prefix, if
//!    that prefix matches the header's kind ("Re:" for a reply). The parent of a header at
//!    depth d is the closest header before it at depth d − 1 (the top message for depth 1). A
//!    block is what the first prefix of its parent's list says: "WG: Re: X" over a
//!    `Von:/Gesendet:` block → forward; "Re: TR: X" over an attribution over a
//!    `De :/Envoyé :` block → forward. With no known prefix the block's place decides: at the
//!    very top of the body a forward, under the author's text a reply.
//! 6. **Render** (`render`, `avatar`): each header is replaced by a
//!    `<div class="tidings-header" data-depth="N">` block with an initials avatar (same size
//!    everywhere, same bytes for the same sender), name, address, date and time; the original
//!    text stays in its `title`. Every quote can be folded away: it is written inside a
//!    `<details open>` with a toggle in the reader's words ([`QuoteToggle`]). The output is sanitised as it is written: the HTML is parsed
//!    once, and only allow-listed elements, attributes and URL schemes are written out.
//!
//! ## Mask files
//!
//! One TOML file per language; a user file with the same `id` replaces the built-in one
//! ([`MaskSet::with_overrides`]). Keys (all optional except `id` and `name`):
//!
//! ```toml
//! id = "de"                      # language id, also the prefix of mask ids ("de/attribution-1")
//! name = "Deutsch"               # shown in the settings panel
//! date_order = "dmy"             # which of two ambiguous numbers is the day ("dmy" or "mdy")
//! date_order_24h = "dmy"         # the same when the header uses a 24-hour clock
//! months = [["januar", "jan"], …]            # 12 entries, every form of each month
//! weekdays = [["montag", "mo"], …]           # 7 entries, Monday first
//! am = ["AM"]                                # AM/PM words
//! pm = ["PM"]
//! dates = ["[{weekday}[,] ]{day}. {monthname} {year}"]
//! times = ["{hour}:{minute}[:{second}] Uhr"]
//! attributions = ["Am {date}[,][ um] {time}[,] schrieb {sender}:"]
//! forward_separators = ["Weitergeleitete Nachricht"]
//! reply_separators = ["Ursprüngliche Nachricht"]
//! greetings = ["hallo"]                      # words that start greetings, never names
//! reply_prefixes = ["AW"]                    # subject prefixes of a reply ("AW: Angebot")
//! forward_prefixes = ["WG"]                  # subject prefixes of a forward ("WG: Angebot")
//! closing_words = ["ende"]                  # a ruled banner with one of these closes a quote
//! disabled = ["{sender} schrieb:"]           # patterns of this file that are switched off
//! [labels]                                   # field labels of forwarded/replied blocks
//! from = ["Von"]
//! date = ["Datum", "Gesendet"]
//! to = ["An"]
//! cc = ["Kopie"]
//! subject = ["Betreff"]
//! reply_to = ["Antwort an"]
//! [timezones]
//! MESZ = "+02:00"
//! ```
//!
//! In patterns, `[…]` is optional, a space matches any run of spaces, `:` matches `:` or `：`,
//! and everything else is literal. Date and time patterns use `{day}`, `{month}`,
//! `{monthname}`, `{year}` (4 or 2 digits), `{year4}`, `{a}`/`{b}` (the two ambiguous numbers
//! of a numeric date), `{yy}`, `{mm}`, `{dd}` (exactly two digits, for dates without
//! separators such as `220104`), `{weekday}`, `{hour}`, `{minute}`, `{second}`, `{ampm}`, `{tz}`.
//! Attribution templates use `{date}` and `{time}` (any of the language's and the common
//! patterns), `{sender}` (a name and/or address in the usual forms), `{name}` and `{email}`, and
//! need at least one of `{date}`, `{sender}`, `{email}`.
//!
//! Subject prefixes are single words without the colon (a trailing dot is allowed: `"Redir."`),
//! at most 24 characters, and not in both lists of one file. In subjects they match ignoring
//! case, before `:` or `：` with or without a space (`RE : x`), with a count (`Re[2]:`, `Re^2:`,
//! `RE(2):`) and past bracketed tags (`[EXT]`, `【重要】`), which are not prefixes. The lists of
//! all languages form one table; a word that is a reply prefix in one language and a forward
//! prefix in another (Finnish `VS` = reply, Danish and Norwegian `VS` = forward) decides nothing.
//!
//! ## Invariants
//!
//! - No IO: mask files come in as text ([`MaskSource`]); the caller reads them.
//! - [`render`] never fails and never panics on any input: problems become
//!   [`Rendering::warnings`]. Only loading a broken mask file is an error ([`MaskFileError`]).
//! - Linear in the input: the tree is walked iteratively (10 000 nested blockquotes are fine),
//!   every regex is linear-time, output nesting is capped at 100 elements, and the subject chain
//!   is one pass over the found headers (at most 32 prefixes are read from one subject).
//! - A header needs a strong signal: an attribution with a readable date or an address, a field
//!   block with a sender label and at least one more label, or a separator line. "On Monday I
//!   wrote:" or "From: the team" alone are not headers.
//! - Mail cannot pass for a header block: the `tidings-…` classes and the block markers
//!   (`data-depth`, `data-kind`, `data-avatar`) are taken off every element of the mail.
//! - Nothing remote or executable survives rendering: no scripts, event handlers, `srcset`,
//!   `background`, `url()` in styles; remote images become placeholders unless allowed, and
//!   `data:` URLs are kept only for images.
#![deny(missing_docs)]

mod avatar;
mod datetime;
mod detect;
mod edit;
mod kinds;
mod lines;
mod masks;
mod nesting;
mod pattern;
mod render;
mod sender;

use chrono::{DateTime, FixedOffset, Timelike};
use serde::{Deserialize, Serialize};

pub use edit::{apply_edit, mask_lists, MaskEdit, MaskEntry, MaskList};
pub use masks::{MaskFileError, MaskSet, MaskSource};
pub use sender::AddressBook;

use crate::detect::{detect, DetectContext};
use crate::render::HeaderBlocks;

/// A mail body as the caller has it.
#[derive(Clone, Copy, Debug)]
pub enum Body<'a> {
    /// An HTML body (a whole document or a fragment).
    Html(&'a str),
    /// A plain-text body; `>` prefixes mark quote levels.
    Text(&'a str),
}

/// The header of the message being shown, from its MIME headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopHeader {
    /// The sender's display name.
    pub name: Option<String>,
    /// The sender's address.
    pub email: Option<String>,
    /// When it was sent.
    pub date: Option<DateTime<FixedOffset>>,
    /// Its subject, decoded (`"WG: Re: Angebot"`). Its prefixes tell whether an Outlook-style
    /// field block at depth 1 is a reply or a forward; without it that is guessed from where
    /// the block stands.
    pub subject: Option<String>,
}

/// How to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// How many lines around each quote tag are searched for its header (the patent's window).
    pub window_lines: usize,
    /// chrono format for dates in header blocks.
    pub date_format: String,
    /// Whether times are shown on a 12-hour clock.
    pub hour12: bool,
    /// Avatar width and height in pixels (clamped to 8..=256).
    pub avatar_size: u32,
    /// Whether `http(s)` images are kept; otherwise they become placeholders.
    pub allow_remote_images: bool,
    /// The words of the toggle above each quote.
    pub quote_toggle: QuoteToggle,
}

/// The words of the toggle that folds a quote away and back, in the reader's language. Every
/// quote (`blockquote`, and each level of `>` text) is written inside `<details open>`, whose
/// `<summary>` carries both texts; the frame's style shows the one that fits, so folding needs no
/// script.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct QuoteToggle {
    /// Shown while the quote is open.
    pub hide: String,
    /// Shown while it is folded.
    pub show: String,
}

impl Default for QuoteToggle {
    fn default() -> QuoteToggle {
        QuoteToggle { hide: "Hide quoted text".to_string(), show: "Show quoted text".to_string() }
    }
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            window_lines: 4,
            date_format: "%Y-%m-%d".to_string(),
            hour12: false,
            avatar_size: 40,
            allow_remote_images: false,
            quote_toggle: QuoteToggle::default(),
        }
    }
}

/// What was read from one header.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HeaderFields {
    /// The sender's name.
    pub name: Option<String>,
    /// The sender's address.
    pub email: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `HH:MM`, or `HH:MM:SS` when the header showed seconds.
    pub time: Option<String>,
    /// `+HH:MM`, when the header showed a zone or offset.
    pub utc_offset: Option<String>,
}

/// Whether a quote was replied to or forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// A quoted message in a reply ("On … wrote:").
    Reply,
    /// A forwarded message ("Forwarded message", "Begin forwarded message:").
    Forward,
}

/// One quote header found in a body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuoteHeader {
    /// Nesting depth: 1 for the outermost quote.
    pub depth: usize,
    /// Reply or forward.
    pub kind: QuoteKind,
    /// The extracted fields.
    #[serde(flatten)]
    pub fields: HeaderFields,
    /// The header text as found (lines joined with `\n`).
    pub source: String,
    /// The id of the mask that matched, for example `ru/attribution-1` or `de/fields`.
    pub mask: String,
}

/// The result of [`render`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rendering {
    /// The top message's header fields, when a [`TopHeader`] was given.
    pub top: Option<HeaderFields>,
    /// Quote headers in document order, outermost first.
    pub quotes: Vec<QuoteHeader>,
    /// The sanitised HTML with uniform header blocks.
    pub html: String,
    /// Problems met along the way (never fatal).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// Remote images replaced by a placeholder (the app offers to load them).
    #[serde(skip)]
    pub blocked_remote_images: usize,
}

/// Finds the quote headers of `body`, extracts their fields and renders the body with every
/// header, and the top header, in one uniform block. Never fails: problems become warnings.
pub fn render(
    body: Body<'_>,
    top: Option<&TopHeader>,
    masks: &MaskSet,
    book: &AddressBook,
    options: &RenderOptions,
) -> Rendering {
    let mut warnings = Vec::new();
    let top_fields = top.map(top_fields);
    let context = DetectContext {
        masks,
        book,
        window_lines: options.window_lines,
        newest: top.and_then(|top| top.date).map(|date| date.date_naive()),
        every_line_is_candidate: false,
        top_subject: top.and_then(|top| top.subject.as_deref()),
    };
    let mut blocks = HeaderBlocks::new(options, &mut warnings);
    let mut remote_images = render::RemoteImages { allowed: options.allow_remote_images, blocked: 0 };
    let mut html = String::new();
    if let Some(fields) = &top_fields {
        let source = top.map(top_source).unwrap_or_default();
        blocks.write(&mut html, fields, 0, None, &source);
    }
    let found = match body {
        Body::Html(text) => {
            let capped = nesting::cap_nesting(text, nesting::MAX_PARSE_DEPTH);
            if matches!(capped, std::borrow::Cow::Owned(_)) {
                warnings.push(format!(
                    "HTML nested deeper than {} elements was flattened before parsing.",
                    nesting::MAX_PARSE_DEPTH
                ));
            }
            let document = scraper::Html::parse_document(&capped);
            let model = lines::html_lines(&document);
            let found = detect(&model.lines, &context);
            html.push_str(&render::html_body(
                &document,
                &model,
                &found,
                &mut blocks,
                &mut remote_images,
                text.len(),
                &mut warnings,
            ));
            found
        }
        Body::Text(text) => {
            let (model, raw) = lines::text_lines(text);
            let found = detect(&model, &context);
            html.push_str(&render::text_body(&model, &raw, &found, &mut blocks, &mut warnings));
            found
        }
    };
    let html = blocks.insert_avatars(&html);
    Rendering {
        top: top_fields,
        quotes: found.into_iter().map(|found| found.header).collect(),
        html,
        warnings,
        blocked_remote_images: remote_images.blocked,
    }
}

/// Matches one pasted header (the settings panel's live preview): which mask matched and what
/// it read, at depth 0. `None` when no mask matches.
pub fn match_header(text: &str, masks: &MaskSet, book: &AddressBook) -> Option<QuoteHeader> {
    let (model, _) = lines::text_lines(text);
    let context = DetectContext {
        masks,
        book,
        window_lines: 0,
        newest: None,
        every_line_is_candidate: true,
        top_subject: None,
    };
    detect(&model, &context).into_iter().next().map(|found| QuoteHeader { depth: 0, ..found.header })
}

fn top_fields(top: &TopHeader) -> HeaderFields {
    HeaderFields {
        name: top.name.clone(),
        email: top.email.clone(),
        date: top.date.map(|date| date.format("%Y-%m-%d").to_string()),
        time: top.date.map(|date| {
            if date.second() == 0 {
                date.format("%H:%M").to_string()
            } else {
                date.format("%H:%M:%S").to_string()
            }
        }),
        utc_offset: top.date.map(|date| datetime::format_offset(date.offset().local_minus_utc() / 60)),
    }
}

fn top_source(top: &TopHeader) -> String {
    let mut parts = Vec::new();
    match (&top.name, &top.email) {
        (Some(name), Some(email)) => parts.push(format!("{name} <{email}>")),
        (Some(name), None) => parts.push(name.clone()),
        (None, Some(email)) => parts.push(email.clone()),
        (None, None) => {}
    }
    if let Some(date) = top.date {
        parts.push(date.to_rfc2822());
    }
    parts.join(", ")
}
