//! Finding quote headers in the line model and extracting their fields with the masks.
//!
//! Plan, after the patent:
//! 1. Candidate lines are those within `window_lines` of a quote edge (a quote tag opening or
//!    closing, a client's quote container) plus lines that look like a header anchor (a field
//!    label, a separator, a line ending in a colon) and the two lines above such an anchor.
//! 2. At each candidate line, try in turn: a separator line (with the field block after it,
//!    whose labels may lack colons there), a field block (`From:` plus at least one more label,
//!    perhaps with its date on the line above), an attribution template over one to three lines
//!    (perhaps set between rules, perhaps over a field block of the same sender, which it joins).
//! 3. Keep a header only on a strong signal, then give each its nesting depth by sweeping the
//!    lines once with a stack of open quotes.
//! 4. Settle the kind of headers whose text does not say reply or forward (field blocks,
//!    "Original Message" separators) from the subject chain (`kinds`).
//!
//! It reads the masks and the address book; it does not render anything.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::datetime::{self, DateTimeParts};
use crate::kinds;
use crate::lines::Line;
use crate::masks::{normalize_label, LabelKind, MaskSet, SeparatorKind};
use crate::sender::{clean_name, judge_name, normalize_name, split_sender, AddressBook, NameConfidence};
use crate::{HeaderFields, QuoteHeader, QuoteKind};

/// Most lines a field block may span.
const MAX_FIELD_LINES: usize = 16;
/// Most lines an attribution may be wrapped over.
const MAX_ATTRIBUTION_LINES: usize = 3;
/// Longest part of a date field that is read.
const MAX_DATE_FIELD_CHARS: usize = 120;
/// Longest line that may be the first part of a wrapped attribution.
const MAX_WRAPPED_LINE_CHARS: usize = 100;
/// Longest joined attribution text tried, in bytes; real ones are far shorter.
const MAX_ATTRIBUTION_LEN: usize = 600;
/// The longest line above a field block still read for the block's date
/// (`Message du 03/01/22 10:15`).
const MAX_DATED_LINE_CHARS: usize = 48;

/// A header found in the line model.
#[derive(Clone, Debug)]
pub(crate) struct FoundHeader {
    /// First line of the header (inclusive).
    pub first_line: usize,
    /// Last line of the header (inclusive).
    pub last_line: usize,
    /// The header with its fields; `depth` is filled by [`assign_depths`].
    pub header: QuoteHeader,
    /// Whether the header's text does not say reply or forward (a field block, an "Original
    /// Message" separator), so `header.kind` is a guess the subject chain may overrule.
    pub ambiguous_kind: bool,
    /// The value of the header's `Subject:` field, when it has one.
    pub subject: Option<String>,
}

/// What the detector needs besides the lines.
pub(crate) struct DetectContext<'a> {
    pub masks: &'a MaskSet,
    pub book: &'a AddressBook,
    pub window_lines: usize,
    /// The date of the quoting message: quotes are not newer.
    pub newest: Option<NaiveDate>,
    /// Whether lines are the whole text to inspect (the settings preview), not a body.
    pub every_line_is_candidate: bool,
    /// The subject of the quoting message, whose prefixes settle ambiguous kinds.
    pub top_subject: Option<&'a str>,
}

/// Finds every quote header in `lines`, in document order, with depths assigned.
pub(crate) fn detect(lines: &[Line], context: &DetectContext<'_>) -> Vec<FoundHeader> {
    let candidates = candidate_lines(lines, context);
    let first_text = lines.iter().position(|line| !line.text.is_empty());
    let mut found: Vec<FoundHeader> = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if candidates[index] && !lines[index].text.is_empty() {
            let free_from = found.last().map_or(0, |header| header.last_line + 1);
            if let Some(header) = match_at(lines, index, first_text, free_from, context) {
                index = header.last_line + 1;
                found.push(header);
                continue;
            }
        }
        index += 1;
    }
    assign_depths(lines, &mut found);
    kinds::resolve_kinds(&mut found, context.top_subject, context.masks);
    found
}

fn candidate_lines(lines: &[Line], context: &DetectContext<'_>) -> Vec<bool> {
    if context.every_line_is_candidate {
        return vec![true; lines.len()];
    }
    // Windows are added as +1/-1 marks and summed once, so overlapping windows (deep nesting,
    // a huge `window_lines`) stay linear.
    let mut marks = vec![0i64; lines.len() + 1];
    let mut mark = |from: usize, to: usize| {
        let to = to.min(lines.len());
        if from < to {
            marks[from] += 1;
            marks[to] -= 1;
        }
    };
    for (index, line) in lines.iter().enumerate() {
        if line.quote_edge {
            let window = context.window_lines;
            mark(index.saturating_sub(window), index.saturating_add(window).saturating_add(1));
        }
        if is_anchor(&line.text, context.masks) {
            mark(index.saturating_sub(MAX_ATTRIBUTION_LINES - 1), index + 1);
        }
    }
    let mut open = 0i64;
    marks[..lines.len()]
        .iter()
        .map(|delta| {
            open += delta;
            open > 0
        })
        .collect()
}

/// A cheap test for lines that may be part of a header wherever they are.
fn is_anchor(text: &str, masks: &MaskSet) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return false;
    }
    trimmed.ends_with(':')
        || trimmed.ends_with('：')
        || trimmed.ends_with(">>>")
        || trimmed.starts_with(['-', '_', '=', '*'])
        || masks.label_at_start.as_ref().is_some_and(|regex| regex.is_match(trimmed))
}

/// The header starting at line `index`, if any; lines before `free_from` belong to a header
/// found already.
fn match_at(
    lines: &[Line],
    index: usize,
    first_text: Option<usize>,
    free_from: usize,
    context: &DetectContext<'_>,
) -> Option<FoundHeader> {
    // Outlook writes the same field block for replies and forwards. Without a separator phrase,
    // a block at the very top of the body (nothing written above it) is taken as a forward, and
    // a block under the author's text as a reply; the subject chain may overrule this guess
    // later (`kinds`).
    let block_kind = if first_text == Some(index) { QuoteKind::Forward } else { QuoteKind::Reply };
    if let Some(found) = match_separator(lines, index, block_kind, free_from, context) {
        return Some(found);
    }
    if let Some(mut found) = match_field_block(lines, index, block_kind, free_from, context) {
        if first_text == Some(found.first_line) {
            // Its dated line above was the first text of the body.
            found.header.kind = QuoteKind::Forward;
        }
        return Some(found);
    }
    let found = match_attribution(lines, index, context)?;
    Some(with_field_block_below(lines, found, context))
}

/// An attribution with a field block of the same sender right under it is one header (Lotus
/// Notes: `-----"John Smith" <john@acme.com> wrote: -----` over `To:`, `From:`, `Date:` and
/// `Subject:`); the block fills in what the attribution left out.
fn with_field_block_below(
    lines: &[Line],
    mut found: FoundHeader,
    context: &DetectContext<'_>,
) -> FoundHeader {
    let mut next = found.last_line + 1;
    if lines.get(next).is_some_and(|line| line.text.is_empty()) {
        next += 1;
    }
    if lines.get(next).is_none_or(|line| line.depth < lines[found.first_line].depth) {
        return found;
    }
    let Some((block_last, fields)) = read_field_block(lines, next, context.masks) else { return found };
    if !fields_are_a_header(&fields, 1) {
        return found;
    }
    let kind = found.header.kind;
    let Some(block) = header_from_fields(&fields, kind, String::new(), lines, next, block_last, context)
    else {
        return found;
    };
    let ours = &mut found.header.fields;
    let same_address =
        matches!((&ours.email, &block.fields.email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
    let same_name = matches!((&ours.name, &block.fields.name), (Some(a), Some(b)) if normalize_name(a) == normalize_name(b));
    if !same_address && !same_name {
        return found;
    }
    let theirs = block.fields;
    ours.name = ours.name.take().or(theirs.name);
    ours.email = ours.email.take().or(theirs.email);
    if ours.date.is_none() {
        (ours.date, ours.time, ours.utc_offset) = (theirs.date, theirs.time, theirs.utc_offset);
    }
    found.last_line = block_last;
    found.header.source = source_text(lines, found.first_line, block_last);
    found.subject = subject_of(&fields);
    found
}

/// A separator line: a phrase such as "Forwarded message" or a bare rule of dashes/underscores.
enum Separator<'a> {
    Phrase { kind: SeparatorKind, language: usize, number: usize, rest: &'a str },
    Rule,
}

fn find_separator<'a>(text: &'a str, masks: &MaskSet) -> Option<Separator<'a>> {
    let trimmed = text.trim();
    let core = trimmed.trim_start_matches(|c: char| c == '*' || is_rule_char(c));
    let leading = trimmed.len() - core.len();
    if leading >= 2 {
        // The phrase runs up to the last run of two or more rule characters; anything after it
        // is a header written on the same line (Yahoo).
        let (phrase, rest) = split_at_last_rule(core);
        let phrase_lower = phrase.trim().trim_end_matches(':').trim().to_lowercase();
        if phrase_lower.is_empty() {
            return rest.trim().is_empty().then_some(Separator::Rule);
        }
        // Some clients close a quote with a banner of their own: The Bat!'s "End of original
        // message text", Sylpheed's "Original Message Ends", Outlook for Mac's "End of Forwarded
        // Message"; each language's mask file lists its closing words.
        if phrase_lower.split(|c: char| !c.is_alphanumeric()).any(|word| masks.closing_words.contains(word)) {
            return None;
        }
        let best = masks
            .separators
            .iter()
            .filter(|(known, _, _, _)| phrase_lower.contains(known.as_str()))
            .max_by_key(|(known, _, _, _)| known.len())?;
        return Some(Separator::Phrase { kind: best.1, language: best.2, number: best.3, rest: rest.trim() });
    }
    let phrase_lower = trimmed.trim_end_matches([':', '：']).trim().to_lowercase();
    if phrase_lower.len() > 80 {
        return None;
    }
    masks.separators.iter().find(|(known, _, _, _)| *known == phrase_lower).map(
        |(_, kind, language, number)| Separator::Phrase {
            kind: *kind,
            language: *language,
            number: *number,
            rest: "",
        },
    )
}

/// A character that rules lines: `-----`, `=====`, `_____`.
fn is_rule_char(c: char) -> bool {
    matches!(c, '-' | '_' | '=' | '—' | '–')
}

fn split_at_last_rule(core: &str) -> (&str, &str) {
    let chars: Vec<(usize, char)> = core.char_indices().collect();
    let mut best: Option<(usize, usize)> = None;
    let mut index = 0;
    while index < chars.len() {
        if is_rule_char(chars[index].1) {
            let start = index;
            while index < chars.len() && is_rule_char(chars[index].1) {
                index += 1;
            }
            if index - start >= 2 {
                let end_byte = chars.get(index).map(|(byte, _)| *byte).unwrap_or(core.len());
                best = Some((chars[start].0, end_byte));
            }
        } else {
            index += 1;
        }
    }
    match best {
        Some((start, end)) => (&core[..start], &core[end..]),
        None => (core, ""),
    }
}

/// One `Label: value` pair found in a header.
#[derive(Clone, Debug)]
struct Field {
    kind: LabelKind,
    language: usize,
    value: String,
}

/// Splits a line into fields: a label at its start, then labels run together after it
/// (`…acme.com>To: …` in Yahoo's flattened headers).
fn fields_of_line(text: &str, masks: &MaskSet) -> Vec<Field> {
    // `find` (on the fast DFA) is enough: a label match is the label plus the punctuation
    // around it, so trimming that punctuation gives the label without capture groups.
    let Some(at_start) = masks.label_at_start.as_ref() else { return Vec::new() };
    let Some(whole) = at_start.find(text) else { return Vec::new() };
    let mut fields = Vec::new();
    let mut pending = label_meaning(label_of(whole.as_str()), masks);
    let base = whole.end();
    let mut value_start = base;
    if let Some(inline) = masks.label_inline.as_ref() {
        for next in inline.find_iter(&text[base..]) {
            let absolute_start = base + next.start();
            // A label glued to a lowercase letter is part of a word ("pizza:"), not a label.
            let glued_to_word = text[..absolute_start].chars().next_back().is_some_and(|c| c.is_lowercase());
            if glued_to_word {
                continue;
            }
            if let Some((kind, language)) = pending {
                fields.push(Field {
                    kind,
                    language,
                    value: text[value_start..absolute_start].trim().to_string(),
                });
            }
            pending = label_meaning(label_of(next.as_str()), masks);
            value_start = base + next.end();
        }
    }
    if let Some((kind, language)) = pending {
        fields.push(Field { kind, language, value: text[value_start..].trim().to_string() });
    }
    fields
}

/// The label inside a label match such as `> *From:* `.
fn label_of(matched: &str) -> &str {
    matched
        .trim_start_matches(|c: char| c.is_whitespace() || c == '*' || c == '>')
        .trim_end_matches(|c: char| c.is_whitespace() || c == '*' || c == ':' || c == '：')
}

fn label_meaning(label: &str, masks: &MaskSet) -> Option<(LabelKind, usize)> {
    masks.labels.get(&normalize_label(label)).copied()
}

/// Reads a block of field lines starting at `start`; returns the last line and the fields.
fn read_field_block(lines: &[Line], start: usize, masks: &MaskSet) -> Option<(usize, Vec<Field>)> {
    let depth = lines.get(start)?.depth;
    let mut fields: Vec<Field> = Vec::new();
    let mut last = None;
    let mut index = start;
    while index < lines.len() && index < start + MAX_FIELD_LINES {
        let line = &lines[index];
        if line.text.is_empty() || line.depth != depth {
            break;
        }
        let line_fields = fields_of_line(&line.text, masks);
        if line_fields.is_empty() {
            match fields.last_mut() {
                Some(field) if continues_field(field, &line.text) => {
                    if !field.value.ends_with('<') && !field.value.is_empty() {
                        field.value.push(' ');
                    }
                    field.value.push_str(line.text.trim());
                    last = Some(index);
                    index += 1;
                    continue;
                }
                _ => break,
            }
        }
        fields.extend(line_fields);
        last = Some(index);
        index += 1;
    }
    last.map(|last| (last, fields))
}

/// Reads a block of fields written without colons, one to a line: eM Client's `From "John"
/// <john@x.com>` / `Date 1/3/2022 10:15:23 AM`, and tables of label and value cells. Only read
/// under a separator, as ordinary sentences open with "From" and "To" too.
fn read_bare_label_block(lines: &[Line], start: usize, masks: &MaskSet) -> Option<(usize, Vec<Field>)> {
    let depth = lines.get(start)?.depth;
    let mut fields = Vec::new();
    let mut last = None;
    for (index, line) in lines.iter().enumerate().skip(start).take(MAX_FIELD_LINES) {
        if line.depth != depth {
            break;
        }
        let Some(field) = bare_label_field(&line.text, masks) else { break };
        fields.push(field);
        last = Some(index);
    }
    last.map(|last| (last, fields))
}

/// A line opening with a label of one or two words and no colon, then its value.
fn bare_label_field(text: &str, masks: &MaskSet) -> Option<Field> {
    let text = text.trim();
    let word_ends: Vec<usize> = text.match_indices(char::is_whitespace).map(|(at, _)| at).take(2).collect();
    word_ends.iter().rev().find_map(|&end| {
        let (kind, language) = label_meaning(&text[..end], masks)?;
        let value = text[end..].trim();
        (!value.is_empty()).then(|| Field { kind, language, value: value.to_string() })
    })
}

/// Whether a line without a label carries on the field above it. Long recipient lists wrap, and
/// so do long senders and dates when a client re-wraps a quoted block at 76 columns (Gmail
/// quoting Outlook: `From: Maximilian Worthington-Smythe <` over `maximilian@x.com>`,
/// `Sent: Wednesday, September 28, 2022` over `10:15 AM`).
fn continues_field(field: &Field, text: &str) -> bool {
    match field.kind {
        LabelKind::To | LabelKind::Cc => field.value.ends_with([',', ';']) && text.contains('@'),
        LabelKind::From | LabelKind::ReplyTo => {
            text.chars().count() <= MAX_WRAPPED_LINE_CHARS && !field.value.contains('@') && text.contains('@')
        }
        LabelKind::Date => {
            text.chars().count() <= MAX_DATED_LINE_CHARS
                && text.trim_start().starts_with(|c: char| c.is_ascii_digit())
                && !holds_time_of_day(&field.value)
                && holds_time_of_day(text)
        }
        LabelKind::Subject => false,
    }
}

/// Whether a line reads as `Label: addresses` under a label of one word or two.
fn reads_as_recipients(text: &str) -> bool {
    let Some((label, value)) = text.split_once([':', '：']) else { return false };
    let words = label.split_whitespace().count();
    (1..=2).contains(&words)
        && label.chars().all(|c| c.is_alphabetic() || c.is_whitespace())
        && value.contains('@')
}

/// Whether fields make a header: a sender plus at least `others` more header labels.
fn fields_are_a_header(fields: &[Field], others: usize) -> bool {
    let has_from = fields.iter().any(|field| field.kind == LabelKind::From && !field.value.is_empty());
    has_from && fields.iter().filter(|field| field.kind != LabelKind::From).count() >= others
}

fn match_separator(
    lines: &[Line],
    index: usize,
    block_kind: QuoteKind,
    free_from: usize,
    context: &DetectContext<'_>,
) -> Option<FoundHeader> {
    let masks = context.masks;
    let separator = find_separator(&lines[index].text, masks)?;
    let mut fields = match &separator {
        Separator::Phrase { rest, .. } if !rest.is_empty() => fields_of_line(rest, masks),
        _ => Vec::new(),
    };
    let mut last_line = index;
    // The field block follows, perhaps after blank lines and perhaps one quote level deeper
    // (Apple Mail puts "Begin forwarded message:" outside the `>` block).
    let mut next = index + 1;
    while next < lines.len()
        && next <= index.saturating_add(context.window_lines.max(1))
        && lines[next].text.is_empty()
    {
        next += 1;
    }
    if next < lines.len() && lines[next].depth >= lines[index].depth {
        if let Some((block_last, block_fields)) = read_field_block(lines, next, masks) {
            if fields_are_a_header(&block_fields, 1)
                || (fields.is_empty() && block_fields.iter().any(|f| f.kind == LabelKind::From))
            {
                fields.extend(block_fields);
                last_line = block_last;
            }
        }
    }
    if fields.is_empty() && next < lines.len() && lines[next].depth >= lines[index].depth {
        if let Some((block_last, block_fields)) = read_bare_label_block(lines, next, masks) {
            if fields_are_a_header(&block_fields, 2) {
                fields = block_fields;
                last_line = block_last;
            }
        }
    }
    // Proton and some webmails put an attribution under the separator instead of fields.
    if fields.is_empty() && next < lines.len() {
        if let (Separator::Phrase { kind, .. }, Some(mut attribution)) =
            (&separator, match_attribution(lines, next, context))
        {
            attribution.first_line = index;
            attribution.header.kind = match kind {
                SeparatorKind::Forward => QuoteKind::Forward,
                SeparatorKind::Reply => QuoteKind::Reply,
            };
            attribution.header.source = source_text(lines, index, attribution.last_line);
            attribution.ambiguous_kind = *kind == SeparatorKind::Reply;
            return Some(attribution);
        }
    }
    // A banner with nothing under it right after another header closes that header (Zoho
    // repeats "==== Forwarded message ====" under its field block).
    if fields.is_empty() && free_from > 0 && lines[free_from..index].iter().all(|line| line.text.is_empty()) {
        return None;
    }
    // "Original Message" and a bare rule open replies and forwards alike.
    let ambiguous_kind = !matches!(separator, Separator::Phrase { kind: SeparatorKind::Forward, .. });
    let (kind, mask) = match separator {
        Separator::Phrase { kind, language, number, .. } => {
            let (quote_kind, family) = match kind {
                SeparatorKind::Forward => (QuoteKind::Forward, "forward"),
                SeparatorKind::Reply => (QuoteKind::Reply, "reply"),
            };
            (quote_kind, format!("{}/{family}-{number}", masks.languages[language].id))
        }
        Separator::Rule => {
            if !fields_are_a_header(&fields, 1) {
                return None;
            }
            (block_kind, fields_mask_id(sender_language(&fields), masks))
        }
    };
    let header = header_from_fields(&fields, kind, mask, lines, index, last_line, context)?;
    if matches!(separator, Separator::Rule) && !weak_block_has_evidence(&fields, &header) {
        return None;
    }
    Some(FoundHeader { first_line: index, last_line, header, ambiguous_kind, subject: subject_of(&fields) })
}

fn match_field_block(
    lines: &[Line],
    index: usize,
    block_kind: QuoteKind,
    free_from: usize,
    context: &DetectContext<'_>,
) -> Option<FoundHeader> {
    let (last_line, fields) = read_field_block(lines, index, context.masks)?;
    // With no separator above it, two fields are a masthead or a form ("From: The Acme Team
    // <news@acme.example> / Date: …"); clients write at least a sender, a date and a recipient
    // or subject. A recipient line under a label no mask knows still counts.
    let unknown_recipients = lines.get(last_line + 1).is_some_and(|line| reads_as_recipients(&line.text));
    if !fields_are_a_header(&fields, if unknown_recipients { 1 } else { 2 }) {
        return None;
    }
    let language = sender_language(&fields);
    let mask = fields_mask_id(language, context.masks);
    let mut header = header_from_fields(&fields, block_kind, mask, lines, index, last_line, context)?;
    let mut first_line = index;
    if header.fields.date.is_none() {
        if let Some((above, parts)) = dated_line_above(lines, index, free_from, language, context) {
            header.fields = fields_from(header.fields.name.take(), header.fields.email.take(), parts);
            header.source = source_text(lines, above, last_line);
            first_line = above;
        }
    }
    weak_block_has_evidence(&fields, &header).then(|| FoundHeader {
        first_line,
        last_line,
        header,
        ambiguous_kind: true,
        subject: subject_of(&fields),
    })
}

/// A block without a date field may carry its date on a short line right above it (Orange's
/// webmail: `Message du 03/01/22 10:15` over `De :`/`A :`/`Objet :`). Only a line that reads as
/// both a date and a time counts, so a line of the author's text is left alone.
fn dated_line_above(
    lines: &[Line],
    index: usize,
    free_from: usize,
    language: Option<usize>,
    context: &DetectContext<'_>,
) -> Option<(usize, DateTimeParts)> {
    let above = index.checked_sub(1).filter(|&above| above >= free_from)?;
    let line = &lines[above];
    if line.text.is_empty()
        || line.depth != lines[index].depth
        || line.text.chars().count() > MAX_DATED_LINE_CHARS
    {
        return None;
    }
    let parts = datetime::parse(context.masks, &line.text, language, context.newest);
    (parts.date.is_some() && parts.time.is_some()).then_some((above, parts))
}

fn subject_of(fields: &[Field]) -> Option<String> {
    fields.iter().find(|field| field.kind == LabelKind::Subject).map(|field| field.value.clone())
}

/// Without a separator, a block whose sender has no address needs what mail clients always
/// write and tickets, memos and notices do not: a subject line, and a date field with a time of
/// day (Outlook's "Sent:"). "From: Berlin / To: Paris / Date: 03.01.2022 10:15", "From: John
/// Smith, CEO / Date: January 3, 2022", "From: our CEO / Sent: to all 12,000 subscribers" and
/// "Van: Bol.com / Verzonden: … 12:00" are not headers. The time may be in a form no mask
/// knows, as long as it looks like one.
fn weak_block_has_evidence(fields: &[Field], header: &QuoteHeader) -> bool {
    let timed = header.fields.time.is_some()
        || fields.iter().any(|field| field.kind == LabelKind::Date && holds_time_of_day(&field.value));
    let has_subject = fields.iter().any(|field| field.kind == LabelKind::Subject);
    header.fields.email.is_some() || (timed && has_subject)
}

/// Whether text holds a time such as `10:15` or `10.15`: a digit, a colon or dot, two digits.
fn holds_time_of_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(4).any(|window| {
        window[0].is_ascii_digit()
            && matches!(window[1], b':' | b'.')
            && window[2].is_ascii_digit()
            && window[3].is_ascii_digit()
    })
}

/// The language of the block's `From` label, which names the block's mask and reads its dates.
fn sender_language(fields: &[Field]) -> Option<usize> {
    fields.iter().find(|field| field.kind == LabelKind::From).map(|field| field.language)
}

fn fields_mask_id(language: Option<usize>, masks: &MaskSet) -> String {
    let id =
        masks.languages.get(language.unwrap_or(0)).map(|language| language.id.as_str()).unwrap_or("common");
    format!("{id}/fields")
}

fn header_from_fields(
    fields: &[Field],
    kind: QuoteKind,
    mask: String,
    lines: &[Line],
    first: usize,
    last: usize,
    context: &DetectContext<'_>,
) -> Option<QuoteHeader> {
    let from = fields.iter().find(|field| field.kind == LabelKind::From);
    let (mut name, mut email) = from.map(|field| split_sender(&field.value)).unwrap_or((None, None));
    if name.as_deref().is_some_and(|candidate| {
        judge_name(candidate, email.is_some(), context.masks, context.book) == NameConfidence::Rejected
    }) {
        // "From: the team" is not a sender; with an address beside it the block still counts.
        email.as_ref()?;
        name = None;
    }
    fill_from_book(&mut name, &mut email, context.book);
    let date_field = fields.iter().find(|field| field.kind == LabelKind::Date);
    let parts = date_field
        .map(|field| {
            // A real date field is short; a long value is not worth scanning in full.
            let value = match field.value.char_indices().nth(MAX_DATE_FIELD_CHARS) {
                Some((cut, _)) => &field.value[..cut],
                None => field.value.as_str(),
            };
            datetime::parse(context.masks, value, Some(field.language), context.newest)
        })
        .unwrap_or_default();
    Some(QuoteHeader {
        depth: 0,
        kind,
        fields: fields_from(name, email, parts),
        source: source_text(lines, first, last),
        mask,
    })
}

fn fill_from_book(name: &mut Option<String>, email: &mut Option<String>, book: &AddressBook) {
    if email.is_none() {
        if let Some(known) = name.as_deref().and_then(|name| book.address_of(name)) {
            *email = Some(known.to_string());
        }
    }
}

fn fields_from(name: Option<String>, email: Option<String>, parts: DateTimeParts) -> HeaderFields {
    HeaderFields {
        name,
        email,
        date: parts.date_text(),
        time: parts.time_text(),
        utc_offset: parts.offset_text(),
    }
}

fn source_text(lines: &[Line], first: usize, last: usize) -> String {
    lines[first..=last]
        .iter()
        .map(|line| line.text.as_str())
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn match_attribution(lines: &[Line], index: usize, context: &DetectContext<'_>) -> Option<FoundHeader> {
    let masks = context.masks;
    let depth = lines[index].depth;
    let mut joined = String::new();
    for last_line in index..(index + MAX_ATTRIBUTION_LINES).min(lines.len()) {
        let line = &lines[last_line];
        if line.text.is_empty() || line.depth != depth {
            break;
        }
        if !joined.is_empty() {
            // Mail clients wrap header lines at about 76 characters; a longer line is the
            // author's text, and joining it to the header below only costs regex time.
            if lines[last_line - 1].text.chars().count() > MAX_WRAPPED_LINE_CHARS {
                break;
            }
            joined.push(' ');
        }
        joined.push_str(&line.text);
        if joined.len() > MAX_ATTRIBUTION_LEN {
            break;
        }
        // Every template needs a date or an address, so text without a digit or '@' cannot match.
        if !joined.bytes().any(|byte| byte.is_ascii_digit() || byte == b'@') {
            continue;
        }
        // Zoho and Zimbra set the line between rules, where the colon may go:
        // `---- On … wrote ----`.
        let around_text = |c: char| c.is_whitespace() || is_rule_char(c);
        let mut text = Cow::Borrowed(joined.trim_matches(around_text));
        if joined.trim_end().ends_with(is_rule_char) && !text.ends_with([':', '：']) {
            text = Cow::Owned(format!("{text}:"));
        }
        let text = text.as_ref();
        let first_line_len = lines[index]
            .text
            .len()
            .saturating_sub(joined.len() - joined.trim_start_matches(around_text).len());
        let lowercase = text.to_lowercase();
        let ends_with_colon = text.ends_with([':', '：']);
        let mut literal_found = vec![false; masks.attribution_literals.patterns_len()];
        for found in masks.attribution_literals.find_overlapping_iter(&lowercase) {
            literal_found[found.pattern()] = true;
        }
        for entry in &masks.attribution_index {
            if (entry.ends_with_colon && !ends_with_colon)
                || entry.literal.is_some_and(|literal| !literal_found[literal])
            {
                continue;
            }
            let (language_index, template_index) = (entry.language, entry.template);
            let language = &masks.languages[language_index];
            {
                let template = &language.attributions[template_index];
                // The filter runs on the fast DFA; most candidates fail there, before captures.
                if !entry.filter.is_match(text) {
                    continue;
                }
                let Some(captures) = template.regex().and_then(|regex| regex.captures(text)) else {
                    continue;
                };
                // Only the `name` form has its address in brackets right after it.
                let beside_address = captures.name("name").is_some();
                let name_span = captures.name("name").or(captures.name("name2")).or(captures.name("name4"));
                if name_span.is_some_and(|span| name_takes_in_line_above(text, span, first_line_len)) {
                    continue;
                }
                let group = |name: &str| captures.name(name).map(|m| m.as_str());
                let email = group("email").or(group("email2")).or(group("email3")).map(str::to_string);
                let mut name = name_span.map(|span| span.as_str()).and_then(clean_name);
                let date_text =
                    [group("date"), group("time")].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let parts = if date_text.is_empty() {
                    DateTimeParts::default()
                } else {
                    datetime::parse(masks, &date_text, Some(language_index), context.newest)
                };
                if let Some(candidate) = &name {
                    if candidate.contains('@') {
                        name = None;
                    } else if judge_name(candidate, beside_address, masks, context.book)
                        == NameConfidence::Rejected
                    {
                        // Text that is not a name where the name should be means the template
                        // was laid over the wrong lines (the author's text joined to the header).
                        continue;
                    }
                }
                // A strong signal: a date that reads as a date, or an address.
                if parts.date.is_none() && email.is_none() {
                    continue;
                }
                if name.is_none() && email.is_none() && entry.names_sender {
                    continue;
                }
                let mut email = email;
                fill_from_book(&mut name, &mut email, context.book);
                let header = QuoteHeader {
                    depth: 0,
                    kind: QuoteKind::Reply,
                    fields: fields_from(name, email, parts),
                    source: source_text(lines, index, last_line),
                    mask: format!("{}/attribution-{}", language.id, entry.number),
                };
                return Some(FoundHeader {
                    first_line: index,
                    last_line,
                    header,
                    ambiguous_kind: false,
                    subject: None,
                });
            }
        }
    }
    None
}

/// Whether a name that opens the header runs on past the first of the joined lines: then that
/// line is the author's text ("Thanks!" right above `John <j@x.org> wrote:`), not part of the
/// name, as clients wrap header lines at about 76 characters and never after a name's first word.
/// The header is found again from the next line.
fn name_takes_in_line_above(joined: &str, name: regex::Match<'_>, first_line_len: usize) -> bool {
    let opens_header = !joined[..name.start()].chars().any(char::is_alphanumeric);
    opens_header && name.start() < first_line_len && name.end() > first_line_len
}

/// Gives each header its depth: 1 plus the number of enclosing quotes still open.
///
/// A header opens a quote that lasts while lines stay at or below its level: its own quote
/// depth, or one deeper when the quoted text that follows it is indented further (an
/// attribution line above a `blockquote`). One pass with a stack keeps this linear.
pub(crate) fn assign_depths(lines: &[Line], found: &mut [FoundHeader]) {
    let mut levels: Vec<usize> = Vec::with_capacity(found.len());
    for header in found.iter() {
        let own = lines[header.first_line].depth;
        let next_depth =
            lines[header.last_line + 1..].iter().find(|line| !line.text.is_empty()).map(|line| line.depth);
        levels.push(match next_depth {
            Some(next) if next > own => own + 1,
            _ => own,
        });
    }
    let mut stack: Vec<usize> = Vec::new();
    let mut next_header = 0;
    // The lines of a header wrapped over several lines are its own, not the text after it.
    let mut header_until = None;
    for (index, line) in lines.iter().enumerate() {
        if line.text.is_empty() || header_until.is_some_and(|last| index <= last) {
            continue;
        }
        while stack.last().is_some_and(|&open| levels[open] > line.depth) {
            stack.pop();
        }
        while next_header < found.len() && found[next_header].first_line == index {
            found[next_header].header.depth = stack.len() + 1;
            header_until = Some(found[next_header].last_line);
            stack.push(next_header);
            next_header += 1;
        }
    }
}
