//! Reply or forward, from the subject chain, for the quote headers whose own text does not say.
//!
//! Outlook writes the same `From:/Sent:/To:/Subject:` block, with or without an
//! "Original Message" separator, whether it replies or forwards. The subjects tell: every step
//! of a thread puts its prefix in front of the subject it answers ("WG: Re: Angebot" forwards a
//! reply), so the first prefix of a message's subject says how that message treats the one it
//! quotes. The detector marks those headers as ambiguous; after depths are assigned, one pass in
//! document order settles them:
//!
//! - Every message has a list of prefixes: the top message from [`crate::TopHeader::subject`],
//!   a quoted message from its own `Subject:` field when its header has one, otherwise its
//!   parent's list with the first prefix consumed, but only when that prefix matches the
//!   header's kind (clients collapse "Re: Re:" into "Re:", so the chain is not exact).
//! - The parent of a header at depth `d` is the closest preceding header at depth `d - 1`, or
//!   the top message for depth 1.
//! - An ambiguous header takes its kind from the first prefix of its parent's list; with no
//!   list, or an unknown first prefix, the detector's guess stays.
//!
//! This module owns reading subject prefixes and that pass; it finds no headers and changes
//! nothing but their kind. Prefix words come from the mask files (`reply_prefixes`,
//! `forward_prefixes`).

use crate::detect::FoundHeader;
use crate::masks::{is_prefix_punctuation, prefix_key, MaskSet, SubjectPrefix, MAX_PREFIX_CHARS};
use crate::QuoteKind;

/// Most prefixes read from one subject; real chains are far shorter.
const MAX_PREFIXES: usize = 32;
/// Longest `[tag]` skipped between prefixes, in characters.
const MAX_TAG_CHARS: usize = 64;
/// Most digits in a prefix count such as `Re[12]:`.
const MAX_COUNT_DIGITS: usize = 4;

/// The leading prefixes of a subject, in order: `"Re: [EXT] FW: Q4"` gives reply, forward.
///
/// Matching ignores case and accepts `:` or `：`, spaces before the colon (`RE : x`) and a
/// count (`Re[2]:`, `Re^2:`, `RE(2):`); bracketed tags (`[EXT]`, `[list]`, `【重要】`) are
/// skipped. Reading stops at the first word that is not a known prefix.
pub(crate) fn subject_prefixes(subject: &str, masks: &MaskSet) -> Vec<SubjectPrefix> {
    let mut found = Vec::new();
    let mut rest = subject;
    while found.len() < MAX_PREFIXES {
        rest = rest.trim_start();
        if let Some(after_tag) = skip_tag(rest) {
            rest = after_tag;
            continue;
        }
        let Some((word, after)) = prefix_word(rest) else { break };
        let Some(&kind) = masks.subject_prefixes.get(&prefix_key(word)) else { break };
        found.push(kind);
        rest = after;
    }
    found
}

/// `[EXT] rest` → ` rest`; `None` unless `text` starts with a short bracketed tag.
fn skip_tag(text: &str) -> Option<&str> {
    for (open, close) in [('[', ']'), ('【', '】')] {
        if let Some(inner) = text.strip_prefix(open) {
            let (end, _) = inner.char_indices().take(MAX_TAG_CHARS).find(|(_, c)| *c == close)?;
            return Some(&inner[end + close.len_utf8()..]);
        }
    }
    None
}

/// Splits `Re: rest`, `RE : rest`, `Re[2]:rest` into the prefix word and what follows the colon.
fn prefix_word(text: &str) -> Option<(&str, &str)> {
    let (end, _) = text
        .char_indices()
        .take(MAX_PREFIX_CHARS + 1)
        .find(|(_, c)| c.is_whitespace() || is_prefix_punctuation(*c))?;
    if end == 0 {
        return None;
    }
    let after = skip_count(&text[end..]).trim_start();
    let after = after.strip_prefix([':', '：'])?;
    Some((&text[..end], after))
}

/// Skips a reply count written right after a prefix: `[2]`, `(2)` or `^2`.
fn skip_count(text: &str) -> &str {
    let (body, close) = if let Some(body) = text.strip_prefix('[') {
        (body, Some(']'))
    } else if let Some(body) = text.strip_prefix('(') {
        (body, Some(')'))
    } else if let Some(body) = text.strip_prefix('^') {
        (body, None)
    } else {
        return text;
    };
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > MAX_COUNT_DIGITS {
        return text;
    }
    let after = &body[digits..];
    match close {
        Some(close) => after.strip_prefix(close).unwrap_or(text),
        None => after,
    }
}

/// A message's prefixes not yet consumed: which parsed subject, and from which prefix on.
#[derive(Clone, Copy, Debug)]
struct Chain {
    list: usize,
    start: usize,
}

/// Settles the kind of every ambiguous header from the subject chain (see the module docs).
/// `found` is in document order with depths assigned.
pub(crate) fn resolve_kinds(found: &mut [FoundHeader], top_subject: Option<&str>, masks: &MaskSet) {
    // Parsed subjects: the top message's first, then one per quoted header with a Subject field.
    let mut lists: Vec<Vec<SubjectPrefix>> =
        vec![top_subject.map(|subject| subject_prefixes(subject, masks)).unwrap_or_default()];
    // `open[d]`: the chain of the latest message at depth `d` (0 is the top message).
    let mut open: Vec<Option<Chain>> = vec![Some(Chain { list: 0, start: 0 })];
    for found in found.iter_mut() {
        let depth = found.header.depth.max(1);
        let parent = open.get(depth - 1).copied().flatten();
        let first = parent.and_then(|chain| lists[chain.list].get(chain.start).copied());
        if found.ambiguous_kind {
            match first {
                Some(SubjectPrefix::Reply) => found.header.kind = QuoteKind::Reply,
                Some(SubjectPrefix::Forward) => found.header.kind = QuoteKind::Forward,
                Some(SubjectPrefix::Ambiguous) | None => {}
            }
        }
        let own = match &found.subject {
            Some(subject) => {
                lists.push(subject_prefixes(subject, masks));
                Some(Chain { list: lists.len() - 1, start: 0 })
            }
            None => parent.map(|chain| {
                let consumed = matches!(
                    (first, found.header.kind),
                    (Some(SubjectPrefix::Reply), QuoteKind::Reply)
                        | (Some(SubjectPrefix::Forward), QuoteKind::Forward)
                );
                Chain { start: chain.start + usize::from(consumed), ..chain }
            }),
        };
        open.truncate(depth);
        open.resize(depth, None);
        open.push(own);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubjectPrefix::{Ambiguous, Forward, Reply};

    fn prefixes(subject: &str) -> Vec<SubjectPrefix> {
        subject_prefixes(subject, &MaskSet::builtin())
    }

    #[test]
    fn prefixes_of_many_languages_and_forms() {
        let table: &[(&str, &[SubjectPrefix])] = &[
            ("Re: Q4 offsite", &[Reply]),
            ("RE: RE: Q4", &[Reply, Reply]),
            ("Fwd: RE: Invoice", &[Forward, Reply]),
            ("WG: Re: Ihr Angebot", &[Forward, Reply]),
            ("AW: Termin", &[Reply]),
            ("Re: TR: Réunion", &[Reply, Forward]),
            ("RE : TR : Réunion", &[Reply, Forward]),
            ("Re: RV: Presupuesto", &[Reply, Forward]),
            ("Antw: Doorst: offerte", &[Reply, Forward]),
            ("SV: VB: möte", &[Reply, Forward]),
            ("回复：转发：会议", &[Reply, Forward]),
            ("转发: 会议", &[Forward]),
            ("轉寄：會議", &[Forward]),
            ("RE: 転送: 会議", &[Reply, Forward]),
            ("Re: FW: Отчёт за третий квартал", &[Reply, Forward]),
            ("Ответ: Пересл: отчёт", &[Reply, Forward]),
            ("İLT: Integer", &[Forward]),
            ("Redir.: Integer", &[Forward]),
            ("Vá: Továbbítás: x", &[Reply, Forward]),
            ("Odp: PD: x", &[Reply, Forward]),
            ("RES: ENC: x", &[Reply, Forward]),
            ("R: I: x", &[Reply, Forward]),
            // Counts, tags and no space after the colon.
            ("Re[2]: x", &[Reply]),
            ("Re^3: x", &[Reply]),
            ("RE(2): x", &[Reply]),
            ("[EXT] RE: [list] FW: x", &[Reply, Forward]),
            ("【重要】回复: x", &[Reply]),
            ("Re:Fwd:x", &[Reply, Forward]),
            // VS is a reply in Finnish and a forward in Danish and Norwegian.
            ("VS: x", &[Ambiguous]),
            ("VS: VL: x", &[Ambiguous, Forward]),
            // Not prefixes.
            ("Meeting: agenda", &[]),
            ("Re: Status: done", &[Reply]),
            ("Re[draft]: x", &[]),
            ("Reply all: x", &[]),
            ("Re", &[]),
            ("", &[]),
            ("[unterminated RE: x", &[]),
        ];
        for (subject, expected) in table {
            assert_eq!(prefixes(subject), *expected, "{subject:?}");
        }
    }

    #[test]
    fn long_and_hostile_subjects_stay_bounded() {
        assert_eq!(prefixes(&"Re: ".repeat(10_000)).len(), MAX_PREFIXES);
        assert!(prefixes(&"[".repeat(100_000)).is_empty());
        assert!(prefixes(&"[x] ".repeat(100_000)).is_empty());
        assert!(prefixes(&"a".repeat(100_000)).is_empty());
        assert!(prefixes("Re[99999]: x").is_empty());
    }
}
