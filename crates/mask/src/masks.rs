//! Mask files: loading the TOML data of each language and compiling it into matchers.
//!
//! One file per language (`assets/masks/<id>.toml`) holds month and weekday names, AM/PM words,
//! date and time patterns, attribution templates, separator phrases and field labels.
//! `common.toml` holds the language-neutral formats (numeric dates, RFC 2822 dates, 24 h times)
//! that every language may use. Everything is compiled once, when a [`MaskSet`] is built, into
//! `regex` matchers with size limits; this module does no matching of mail bodies itself.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, PatternID};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

use crate::pattern::{self, Naming};
use crate::sender::QUOTE_PAIRS;

/// Compiled size limit for one regex; a mask above it is rejected instead of eating memory.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
/// The lazy DFA's cache for the date and time sets of all languages. With the default 2 MB the
/// DFA of a set that large keeps clearing its cache and hands the search to the PikeVM, which
/// took 40 % of the time on the forwarded-mail corpus.
const SET_DFA_CACHE: usize = 32 << 20;
/// Largest mask file accepted, in bytes.
const MAX_FILE_LEN: usize = 256 * 1024;
/// Most patterns of one kind in one file.
const MAX_PATTERNS: usize = 200;
/// Id of the file holding the language-neutral formats.
const COMMON_ID: &str = "common";
/// Longest subject prefix accepted in a mask file, in characters ("Továbbítás" is 10).
pub(crate) const MAX_PREFIX_CHARS: usize = 24;

/// The mask files shipped with Tidings, embedded at build time.
const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("common.toml", include_str!("../../../assets/masks/common.toml")),
    ("en.toml", include_str!("../../../assets/masks/en.toml")),
    ("de.toml", include_str!("../../../assets/masks/de.toml")),
    ("fr.toml", include_str!("../../../assets/masks/fr.toml")),
    ("es.toml", include_str!("../../../assets/masks/es.toml")),
    ("it.toml", include_str!("../../../assets/masks/it.toml")),
    ("pt.toml", include_str!("../../../assets/masks/pt.toml")),
    ("pt-BR.toml", include_str!("../../../assets/masks/pt-BR.toml")),
    ("nl.toml", include_str!("../../../assets/masks/nl.toml")),
    ("ru.toml", include_str!("../../../assets/masks/ru.toml")),
    ("uk.toml", include_str!("../../../assets/masks/uk.toml")),
    ("pl.toml", include_str!("../../../assets/masks/pl.toml")),
    ("cs.toml", include_str!("../../../assets/masks/cs.toml")),
    ("sk.toml", include_str!("../../../assets/masks/sk.toml")),
    ("sv.toml", include_str!("../../../assets/masks/sv.toml")),
    ("da.toml", include_str!("../../../assets/masks/da.toml")),
    ("no.toml", include_str!("../../../assets/masks/no.toml")),
    ("fi.toml", include_str!("../../../assets/masks/fi.toml")),
    ("hu.toml", include_str!("../../../assets/masks/hu.toml")),
    ("tr.toml", include_str!("../../../assets/masks/tr.toml")),
    ("ro.toml", include_str!("../../../assets/masks/ro.toml")),
    ("hr.toml", include_str!("../../../assets/masks/hr.toml")),
    ("et.toml", include_str!("../../../assets/masks/et.toml")),
    ("ja.toml", include_str!("../../../assets/masks/ja.toml")),
    ("zh.toml", include_str!("../../../assets/masks/zh.toml")),
    ("bg.toml", include_str!("../../../assets/masks/bg.toml")),
    ("el.toml", include_str!("../../../assets/masks/el.toml")),
    ("ko.toml", include_str!("../../../assets/masks/ko.toml")),
    ("ca.toml", include_str!("../../../assets/masks/ca.toml")),
    ("id.toml", include_str!("../../../assets/masks/id.toml")),
    ("vi.toml", include_str!("../../../assets/masks/vi.toml")),
    ("sl.toml", include_str!("../../../assets/masks/sl.toml")),
];

/// The text of one mask file, as read by the caller (the mask crate does no IO).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskSource {
    /// File name shown in errors, for example `de.toml`.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

impl MaskSource {
    /// The language id the file declares, once the file parses.
    pub fn language_id(&self) -> Result<String, MaskFileError> {
        parse_file(self).map(|file| file.id)
    }
}

/// A mask file that could not be loaded: which file, which line, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskFileError {
    /// The file name from [`MaskSource::name`].
    pub file: String,
    /// The 1-based line of the problem, when it is known.
    pub line: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for MaskFileError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(formatter, "{}:{}: {}", self.file, line, self.message),
            None => write!(formatter, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for MaskFileError {}

/// Which of two ambiguous numbers of a date is the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateOrder {
    /// Day first: 28/10/2021.
    DayMonth,
    /// Month first: 10/28/2021.
    MonthDay,
}

/// What a field label introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LabelKind {
    /// The sender.
    From,
    /// The sending date.
    Date,
    /// Recipients.
    To,
    /// Copy recipients.
    Cc,
    /// The subject.
    Subject,
    /// The reply-to address.
    ReplyTo,
}

/// Whether a separator line opens a forwarded or a replied-to message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeparatorKind {
    /// "Forwarded message", "Begin forwarded message:" and translations.
    Forward,
    /// "Original Message" and translations.
    Reply,
}

/// What a subject prefix ("Re:", "WG:", "转发：") says about the message that carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubjectPrefix {
    /// The message replies to the one it quotes.
    Reply,
    /// The message forwards the one it quotes.
    Forward,
    /// A known prefix that means reply in one language and forward in another (Finnish "VS" is
    /// a reply, Danish and Norwegian "VS" a forward), so it says nothing.
    Ambiguous,
}

/// One language's compiled masks.
#[derive(Clone, Debug)]
pub(crate) struct Language {
    /// Short id, for example `ru` or `pt-BR`.
    pub id: String,
    /// Display name for the settings panel.
    pub name: String,
    /// Preferred order of ambiguous numeric dates.
    pub order: DateOrder,
    /// Order of ambiguous numeric dates when the header uses a 24-hour clock.
    pub order_24h: DateOrder,
    /// Date patterns with named groups, for extraction.
    pub dates: Vec<Regex>,
    /// Time patterns with named groups, for extraction.
    pub times: Vec<Regex>,
    /// For each time pattern, the index of the first pattern of any language that compiles to
    /// the same regex: many languages share `{hour}:{minute}`, and one search answers for all.
    pub time_keys: Vec<usize>,
    /// All date patterns in one unnamed alternation without word boundaries: one fast test
    /// before trying each (see [`Boundary`]).
    pub any_date: Option<Regex>,
    /// All time patterns in the same form.
    pub any_time: Option<Regex>,
    /// Attribution templates, anchored, with named groups.
    pub attributions: Vec<CaptureRegex>,
    /// Lowercased month forms → month number.
    pub months: HashMap<String, u32>,
    /// Number of masks, for the settings panel.
    pub mask_count: usize,
}

/// An attribution template's anchored regex with named groups, compiled when first needed.
///
/// These automata hold every date, time and zone of their language: compiling all of them was
/// over two thirds of the time a mask set took to load, while a body needs the few whose cheap
/// tests pass. A user's file (and every file, when the user's `common.toml` replaces the
/// shipped one) is compiled at once, so its problems are reported when it loads; the shipped
/// files are proven to compile by a test. Clones of a set share the compiled regexes.
#[derive(Clone, Debug)]
pub(crate) struct CaptureRegex {
    source: Arc<str>,
    compiled: Arc<OnceLock<Option<Regex>>>,
}

impl CaptureRegex {
    fn new(source: String) -> CaptureRegex {
        CaptureRegex { source: source.into(), compiled: Arc::new(OnceLock::new()) }
    }

    /// The regex, compiled on the first call; `None` if it does not compile, which the test of
    /// the shipped files rules out for them.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| build_regex(&self.source).ok()).as_ref()
    }

    /// Compiles the regex now, saying why it does not compile.
    fn compile_now(&self) -> Result<(), String> {
        let regex = build_regex(&self.source)?;
        // A concurrent first use compiled the same source; either copy will do.
        let _ = self.compiled.set(Some(regex));
        Ok(())
    }
}

/// One attribution template and the cheap tests a text must pass before its regex runs.
#[derive(Clone, Debug)]
pub(crate) struct AttributionEntry {
    /// Index of the language in [`MaskSet::languages`].
    pub language: usize,
    /// Index of the template in that language's `attributions`.
    pub template: usize,
    /// The template's 1-based place in its file, which names the mask (`en/attribution-3`)
    /// and stays the same when templates before it are disabled.
    pub number: usize,
    /// Which of [`MaskSet::attribution_literals`] is a lowercase word of the template's
    /// mandatory text ("wrote"); `None` when the template has no such word.
    pub literal: Option<PatternID>,
    /// How many letters the template requires: templates are tried most specific first.
    pub literal_letters: usize,
    /// Whether the template ends with a colon, as nearly all do.
    pub ends_with_colon: bool,
    /// Whether the template has a place for the sender; The Bat!'s "{date}, {time}, you wrote:"
    /// has none, and its date alone makes the header.
    pub names_sender: bool,
    /// The template with any text in place of its date and time: it matches wherever the
    /// template does, and having no word boundaries it runs on the fast engine on any text
    /// (see [`Boundary`]).
    pub filter: Regex,
}

/// Whether a compiled pattern keeps its word boundaries.
///
/// A Unicode `\b` makes the regex crate's lazy DFA give up on any text with a non-ASCII
/// character and fall back to an engine many times slower, and most mail is not ASCII. So every
/// regex that only answers "may this match?" is built without word boundaries: removing an
/// assertion only widens what matches, so a "no" is still certain, and on a "yes" the exact
/// regex decides.
#[derive(Clone, Copy)]
enum Boundary {
    /// Month and weekday names and zone abbreviations end at a word boundary.
    Exact,
    /// The same patterns with no word boundaries.
    Loose,
}

impl Boundary {
    fn source(self) -> &'static str {
        match self {
            Boundary::Exact => r"\b",
            Boundary::Loose => "",
        }
    }
}

/// Every loaded language plus the cross-language lookup tables built from them.
#[derive(Clone, Debug)]
pub struct MaskSet {
    /// The files this set was built from, with their language ids, for [`MaskSet::with_overrides`].
    sources: Arc<Vec<(String, MaskSource)>>,
    pub(crate) languages: Vec<Language>,
    /// Index of the `common` language in `languages`, if loaded.
    pub(crate) common: Option<usize>,
    /// Matches a field label at the start of a line: `From:`, `*Von:*`, `Копия:` (none without labels).
    pub(crate) label_at_start: Option<Regex>,
    /// Matches a field label anywhere, for headers run together on one line (Yahoo).
    pub(crate) label_inline: Option<Regex>,
    /// Every attribution template of every language with cheap tests that spare running a
    /// hundred regexes on every candidate line.
    pub(crate) attribution_index: Vec<AttributionEntry>,
    /// The distinct required words of the attribution templates, found in one pass over a
    /// candidate text instead of one substring search per template.
    pub(crate) attribution_literals: AhoCorasick,
    /// Lowercased label → what it means and which language it belongs to.
    pub(crate) labels: HashMap<String, (LabelKind, usize)>,
    /// Lowercased separator phrase → kind, language and number within that language.
    pub(crate) separators: Vec<(String, SeparatorKind, usize, usize)>,
    /// Lowercased greeting words that are never a sender's name.
    pub(crate) greetings: HashSet<String>,
    /// Lowercased words that make a ruled banner a closing one ("End of forwarded message").
    pub(crate) closing_words: HashSet<String>,
    /// Subject prefixes of every language, keyed by [`prefix_key`], with what they say.
    pub(crate) subject_prefixes: HashMap<String, SubjectPrefix>,
    /// Every language's combined date pattern in one set: one pass says which languages may
    /// hold a date (indexes match `languages`; `None` if the set would be too large).
    pub(crate) date_languages: Option<RegexSet>,
    /// The same for time patterns.
    pub(crate) time_languages: Option<RegexSet>,
    /// Number of distinct time patterns over all languages (see [`Language::time_keys`]).
    pub(crate) time_pattern_count: usize,
    /// Matches a time zone written after a time.
    pub(crate) time_zone: Option<Regex>,
    /// Upper-cased time zone abbreviation → offset in minutes east of UTC.
    pub(crate) zone_offsets: HashMap<String, i32>,
    /// Lowercased AM/PM words → whether they mean PM.
    pub(crate) meridiems: HashMap<String, bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MaskFile {
    id: String,
    name: String,
    #[serde(default)]
    date_order: Option<String>,
    #[serde(default)]
    date_order_24h: Option<String>,
    #[serde(default)]
    months: Vec<Vec<String>>,
    #[serde(default)]
    weekdays: Vec<Vec<String>>,
    #[serde(default)]
    am: Vec<String>,
    #[serde(default)]
    pm: Vec<String>,
    #[serde(default)]
    dates: Vec<String>,
    #[serde(default)]
    times: Vec<String>,
    #[serde(default)]
    attributions: Vec<String>,
    #[serde(default)]
    forward_separators: Vec<String>,
    #[serde(default)]
    reply_separators: Vec<String>,
    #[serde(default)]
    labels: LabelTable,
    #[serde(default)]
    timezones: BTreeMap<String, String>,
    #[serde(default)]
    greetings: Vec<String>,
    #[serde(default)]
    closing_words: Vec<String>,
    #[serde(default)]
    reply_prefixes: Vec<String>,
    #[serde(default)]
    forward_prefixes: Vec<String>,
    /// Patterns of this file (attributions, separators, dates, times) that are switched off.
    #[serde(default)]
    disabled: Vec<String>,
}

impl MaskFile {
    fn is_enabled(&self, pattern: &str) -> bool {
        !self.disabled.iter().any(|disabled| disabled == pattern)
    }

    /// The enabled patterns of one list.
    fn enabled<'a>(&'a self, list: &'a [String]) -> impl Iterator<Item = (usize, &'a String)> + 'a {
        list.iter().enumerate().filter(|(_, pattern)| self.is_enabled(pattern))
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelTable {
    #[serde(default)]
    from: Vec<String>,
    #[serde(default)]
    date: Vec<String>,
    #[serde(default)]
    to: Vec<String>,
    #[serde(default)]
    cc: Vec<String>,
    #[serde(default)]
    subject: Vec<String>,
    #[serde(default)]
    reply_to: Vec<String>,
}

/// A parsed file with the source it came from, kept for error reporting.
struct ParsedFile {
    source_name: String,
    text: String,
    file: MaskFile,
    /// Whether this is a shipped file, unchanged (its templates compile lazily, see
    /// [`CaptureRegex`]).
    shipped: bool,
}

impl MaskSet {
    /// The mask files shipped with Tidings.
    ///
    /// They are compiled once per process; later calls clone the compiled set, which is cheap.
    /// If a shipped file were broken (a test proves they all load) the set is built from the
    /// files that do load, so the app still starts.
    pub fn builtin() -> MaskSet {
        static BUILTIN: OnceLock<MaskSet> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let sources = builtin_sources();
                MaskSet::from_sources(&sources).unwrap_or_else(|_| {
                    let loadable: Vec<MaskSource> = sources
                        .into_iter()
                        .filter(|source| MaskSet::from_sources(std::slice::from_ref(source)).is_ok())
                        .collect();
                    MaskSet::from_sources(&loadable).unwrap_or_else(|_| MaskSet::empty())
                })
            })
            .clone()
    }

    /// Builds a set from mask files; the first broken file stops the load with its error.
    pub fn from_sources(sources: &[MaskSource]) -> Result<MaskSet, MaskFileError> {
        let mut parsed = Vec::with_capacity(sources.len());
        let mut kept = Vec::with_capacity(sources.len());
        let mut seen_ids = HashSet::new();
        for source in sources {
            let file = parse_file(source)?;
            if !seen_ids.insert(file.id.clone()) {
                return Err(error_at(source, "id", format!("language id {:?} is defined twice", file.id)));
            }
            kept.push((file.id.clone(), source.clone()));
            let shipped =
                BUILTIN_SOURCES.iter().any(|(name, text)| *name == source.name && *text == source.text);
            parsed.push(ParsedFile {
                source_name: source.name.clone(),
                text: source.text.clone(),
                file,
                shipped,
            });
        }
        let mut set = build(parsed)?;
        set.sources = Arc::new(kept);
        Ok(set)
    }

    /// This set's files with user files layered on top: a user file with the same language id
    /// replaces the one of this set (for [`MaskSet::builtin`], the built-in one), other user
    /// files add languages.
    pub fn with_overrides(&self, overrides: &[MaskSource]) -> Result<MaskSet, MaskFileError> {
        let mut override_ids = HashSet::new();
        for source in overrides {
            override_ids.insert(parse_file(source)?.id);
        }
        let mut sources: Vec<MaskSource> = self
            .sources
            .iter()
            .filter(|(id, _)| !override_ids.contains(id))
            .map(|(_, source)| source.clone())
            .collect();
        sources.extend(overrides.iter().cloned());
        MaskSet::from_sources(&sources)
    }

    /// Each language as (id, display name, number of masks), for the settings panel.
    pub fn languages(&self) -> Vec<(String, String, usize)> {
        self.languages
            .iter()
            .map(|language| (language.id.clone(), language.name.clone(), language.mask_count))
            .collect()
    }

    /// The file a language was loaded from, for the settings panel's editor.
    pub fn source(&self, id: &str) -> Option<&MaskSource> {
        self.sources.iter().find(|(source_id, _)| source_id == id).map(|(_, source)| source)
    }

    /// Compiles every attribution template's regex now; otherwise each compiles when a body
    /// first needs it. The app calls this on a spare thread at start, so no message waits.
    pub fn compile_templates(&self) {
        for language in &self.languages {
            for template in &language.attributions {
                template.regex();
            }
        }
    }

    /// A shipped mask file by language id (`None` for a language only a user file defines).
    pub fn builtin_source(id: &str) -> Option<MaskSource> {
        MaskSet::builtin().source(id).cloned()
    }

    /// A set that matches nothing: the last resort if even the built-in files fail.
    fn empty() -> MaskSet {
        MaskSet {
            sources: Arc::new(Vec::new()),
            languages: Vec::new(),
            common: None,
            label_at_start: None,
            label_inline: None,
            attribution_index: Vec::new(),
            attribution_literals: AhoCorasick::new(Vec::<&str>::new()).expect("no patterns always build"),
            labels: HashMap::new(),
            separators: Vec::new(),
            greetings: HashSet::new(),
            closing_words: HashSet::new(),
            subject_prefixes: HashMap::new(),
            date_languages: None,
            time_languages: None,
            time_pattern_count: 0,
            time_zone: None,
            zone_offsets: HashMap::new(),
            meridiems: HashMap::new(),
        }
    }

    /// Languages to try for a date, the preferred one first, `common` last.
    pub(crate) fn languages_for(&self, preferred: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        let count = self.languages.len();
        preferred
            .into_iter()
            .chain((0..count).filter(move |&index| Some(index) != preferred && Some(index) != self.common))
            .chain(self.common.filter(|&common| Some(common) != preferred))
    }

    /// The month number of a month name in any language.
    pub(crate) fn month_number(&self, language: usize, word: &str) -> Option<u32> {
        let key = word.trim_end_matches('.').to_lowercase();
        let own = self.languages.get(language).and_then(|language| language.months.get(&key).copied());
        own.or_else(|| self.languages.iter().find_map(|language| language.months.get(&key).copied()))
    }
}

fn builtin_sources() -> Vec<MaskSource> {
    BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| MaskSource { name: (*name).to_string(), text: (*text).to_string() })
        .collect()
}

fn parse_file(source: &MaskSource) -> Result<MaskFile, MaskFileError> {
    if source.text.len() > MAX_FILE_LEN {
        return Err(MaskFileError {
            file: source.name.clone(),
            line: None,
            message: format!("file is {} bytes, the limit is {MAX_FILE_LEN}", source.text.len()),
        });
    }
    let file = toml::from_str::<MaskFile>(&source.text).map_err(|error| MaskFileError {
        file: source.name.clone(),
        line: error.span().map(|span| line_of_offset(&source.text, span.start)),
        message: error.message().trim().to_string(),
    })?;
    let id_is_a_name = !file.id.is_empty()
        && file.id.len() <= 32
        && file.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_is_a_name {
        return Err(error_at(
            source,
            "id",
            format!("language id {:?} must be 1–32 letters, digits, '-' or '_'", file.id),
        ));
    }
    for disabled in &file.disabled {
        let known =
            [&file.attributions, &file.forward_separators, &file.reply_separators, &file.dates, &file.times]
                .into_iter()
                .flatten()
                .any(|pattern| pattern == disabled);
        if !known {
            return Err(error_at(
                source,
                disabled,
                format!("disabled entry {disabled:?} is not a pattern of this file"),
            ));
        }
    }
    Ok(file)
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&byte| byte == b'\n').count() + 1
}

/// An error pointing at the first line that mentions `needle` (a pattern or key).
fn error_at(source: &MaskSource, needle: &str, message: String) -> MaskFileError {
    error_in(&source.name, &source.text, needle, message)
}

fn error_in(file: &str, text: &str, needle: &str, message: String) -> MaskFileError {
    let line = text.lines().position(|line| line.contains(needle)).map(|index| index + 1);
    MaskFileError { file: file.to_string(), line, message }
}

fn parse_order(value: Option<&str>, fallback: DateOrder) -> Result<DateOrder, String> {
    match value {
        None => Ok(fallback),
        Some("dmy") => Ok(DateOrder::DayMonth),
        Some("mdy") => Ok(DateOrder::MonthDay),
        Some(other) => Err(format!("date order {other:?} is not \"dmy\" or \"mdy\"")),
    }
}

/// Parses a zone offset such as `+03:00`, `-0400` or `+3` into minutes east of UTC.
pub(crate) fn parse_offset_minutes(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.chars().next()? {
        '+' => (1, &text[1..]),
        '-' | '\u{2212}' => (-1, text.trim_start_matches(['-', '\u{2212}'])),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 | 4 => {
            let split = digits.len() - 2;
            (digits[..split].parse::<i32>().ok()?, digits[split..].parse::<i32>().ok()?)
        }
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

fn build_regex(source: &str) -> Result<Regex, String> {
    RegexBuilder::new(source).case_insensitive(true).size_limit(REGEX_SIZE_LIMIT).build().map_err(|error| {
        match error {
            regex::Error::CompiledTooBig(limit) => {
                format!("pattern compiles to more than {limit} bytes; split or simplify it")
            }
            other => format!("pattern does not compile: {other}"),
        }
    })
}

/// Regex fragment for an e-mail address in attribution templates.
///
/// ASCII only: a Unicode `\w` multiplies the size of every attribution automaton (and the mask
/// load time with it); internationalised addresses are still read from field blocks.
const EMAIL: &str = r"[A-Za-z0-9._%+'=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+";

/// Regex fragment for a sender: a name and an address in the usual forms, or one of them.
///
/// The forms, in order:
/// - a name with its address in brackets (Exchange's plain-text copies add a `<mailto:…>` after
///   the address, as in `John <john@x.org<mailto:john@x.org>>`; Thunderbird's plain text of a
///   mailto link adds one after a space, `John <john@x.org <mailto:john@x.org>>`), or after a
///   space without brackets (Zimbra), perhaps followed by a comma (Spark);
/// - an address standing in for the name (`john@x.org <john@x.org>`, the name is then left
///   empty);
/// - a Lotus Notes name (`John Smith/Sales/ACME@ACME`: the person, then the organisation's units
///   and the Notes domain);
/// - a bare address;
/// - a bare name.
///
/// Names may hold parentheses (`John Smith (ACME)`), not brackets, `@` or line breaks. Quote
/// marks around a name are captured with it: `clean_name` tells a pair around the whole name
/// from one inside it (`"John Smith"`, `ООО «Ромашка»`).
fn sender_fragment() -> String {
    fn optional_mark(marks: impl Iterator<Item = char>) -> String {
        let class: String = marks.map(|mark| regex::escape(mark.encode_utf8(&mut [0; 4]))).collect();
        format!("[{class}]?")
    }
    let open = optional_mark(QUOTE_PAIRS.iter().map(|&(open, _)| open));
    let close = optional_mark(QUOTE_PAIRS.iter().flat_map(|&(_, closes)| closes.iter().copied()));
    let mailto_copy = r"(?:\s*<mailto:[^<>\s]*>)?";
    format!(
        r"(?:(?P<name>{open}\s*[^<>\[\]@\n]+?\s*{close})\s*(?:<|\(|\[|\s)\s*(?:mailto:)?<?(?P<email>{EMAIL})>?{mailto_copy}\s*(?:>|\)|\])?,?|{open}[^<>()\[\]\s@]+@[^<>()\[\]\s]+?{close}\s*(?:<|\()\s*(?:mailto:)?(?P<email3>{EMAIL}){mailto_copy}\s*(?:>|\))|{open}(?P<name4>[^<>()\[\]@/\n]+?)(?:/[^<>()\[\]@/\s]+)+@[A-Za-z0-9.-]+{close}|<?(?P<email2>{EMAIL})>?|(?P<name2>{open}[^<>\[\]@\n:]+?{close}))"
    )
}

fn build(parsed: Vec<ParsedFile>) -> Result<MaskSet, MaskFileError> {
    // 1. Time zones and AM/PM words are shared across languages: a German Apple Mail header may
    //    say "OESZ" and an English Gmail one "GMT+3".
    let mut zone_offsets = HashMap::new();
    let mut meridiems = HashMap::new();
    let mut greetings = HashSet::new();
    let mut closing_words = HashSet::new();
    // Zones are matched as the files spell them ("CET", "Pacific Standard Time") and looked up
    // upper-cased.
    let mut zone_names = Vec::new();
    for entry in &parsed {
        for (zone, offset) in &entry.file.timezones {
            let minutes = parse_offset_minutes(offset).ok_or_else(|| {
                error_in(
                    &entry.source_name,
                    &entry.text,
                    zone,
                    format!("time zone {zone}: offset {offset:?} is not like \"+03:00\""),
                )
            })?;
            zone_offsets.insert(zone.to_uppercase(), minutes);
            zone_names.push(zone.clone());
        }
        for word in &entry.file.am {
            meridiems.insert(word.to_lowercase(), false);
        }
        for word in &entry.file.pm {
            meridiems.insert(word.to_lowercase(), true);
        }
        for word in &entry.file.greetings {
            greetings.insert(word.to_lowercase());
        }
        for word in &entry.file.closing_words {
            closing_words.insert(word.to_lowercase());
        }
    }
    zone_names.sort();
    zone_names.dedup();
    let zone_alternation = pattern::alternation(&zone_names);
    // A zone, then perhaps its abbreviation in brackets, as a raw Date header has it
    // ("+0100 (CET)").
    let zone_fragment = |boundary: Boundary| {
        let named = if zone_alternation.is_empty() {
            String::new()
        } else {
            let b = boundary.source();
            format!("|{b}(?:{zone_alternation}){b}")
        };
        format!(
            r"[(\[]?(?:[+-]\d{{2}}:?\d{{2}}|Z\b|(?:GMT|UTC)(?:\s*[+-]\d{{1,2}}(?::?\d{{2}})?)?{named})[)\]]?(?:\s*\([A-Za-z]{{2,5}}\))?"
        )
    };
    let time_zone = RegexBuilder::new(&format!(r"^\s*,?\s*(?P<tz>{})", zone_fragment(Boundary::Exact)))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|error| MaskFileError {
            file: "timezones".into(),
            line: None,
            message: error.to_string(),
        })?;

    // 2. Each language's date and time patterns, in a named form (for extraction) and an unnamed
    //    form (to be embedded in attribution templates).
    //    Each also has an unnamed form without word boundaries, for first tests (see [`Boundary`]).
    struct Prepared {
        /// The language's weekday names, for the numeric dates it borrows (see step 3).
        weekday: Option<String>,
        dates_unnamed: Vec<String>,
        times_unnamed: Vec<String>,
        dates_loose: Vec<String>,
        times_loose: Vec<String>,
    }
    let mut languages = Vec::with_capacity(parsed.len());
    let mut prepared = Vec::with_capacity(parsed.len());
    for entry in &parsed {
        let file = &entry.file;
        let fail = |needle: &str, message: String| error_in(&entry.source_name, &entry.text, needle, message);
        for (key, list) in [
            ("dates", &file.dates),
            ("times", &file.times),
            ("attributions", &file.attributions),
            ("reply_prefixes", &file.reply_prefixes),
            ("forward_prefixes", &file.forward_prefixes),
        ] {
            if list.len() > MAX_PATTERNS {
                return Err(fail(key, format!("{} {key}, the limit is {MAX_PATTERNS}", list.len())));
            }
        }
        check_prefixes(file).map_err(|(needle, message)| fail(&needle, message))?;
        if !file.months.is_empty() && file.months.len() != 12 {
            return Err(fail("months", format!("months has {} entries, expected 12", file.months.len())));
        }
        if !file.weekdays.is_empty() && file.weekdays.len() != 7 {
            return Err(fail(
                "weekdays",
                format!("weekdays has {} entries, expected 7", file.weekdays.len()),
            ));
        }
        let order = parse_order(file.date_order.as_deref(), DateOrder::DayMonth)
            .map_err(|m| fail("date_order", m))?;
        let order_24h =
            parse_order(file.date_order_24h.as_deref(), order).map_err(|m| fail("date_order_24h", m))?;
        let mut months = HashMap::new();
        for (index, forms) in file.months.iter().enumerate() {
            for form in forms {
                months.insert(form.trim_end_matches('.').to_lowercase(), index as u32 + 1);
            }
        }
        let month_forms: Vec<String> = file.months.iter().flatten().cloned().collect();
        let weekday_forms: Vec<String> = file.weekdays.iter().flatten().cloned().collect();
        let meridiem_forms: Vec<String> = file.am.iter().chain(&file.pm).cloned().collect();
        let word = |forms: &[String], boundary: Boundary| {
            if forms.is_empty() {
                r"[^\s\S]".to_string()
            } else {
                format!(r"(?:{}){}\.?", pattern::alternation(forms), boundary.source())
            }
        };
        let meridiem = if meridiem_forms.is_empty() {
            r"[aApP]\.?[mM]\.?".to_string()
        } else {
            format!(r"(?:{})", pattern::alternation(&meridiem_forms))
        };
        let expansions = |boundary: Boundary| -> HashMap<&str, String> {
            HashMap::from([
                ("weekday", word(&weekday_forms, boundary)),
                ("monthname", word(&month_forms, boundary)),
                ("day", r"[0-3]?\d".to_string()),
                ("month", r"[01]?\d".to_string()),
                ("year", r"\d{4}|\d{2}".to_string()),
                ("year4", r"\d{4}".to_string()),
                // Fixed widths for dates written without separators (mutt's "220104").
                ("yy", r"\d{2}".to_string()),
                ("mm", r"[01]\d".to_string()),
                ("dd", r"[0-3]\d".to_string()),
                ("a", r"\d{1,2}".to_string()),
                ("b", r"\d{1,2}".to_string()),
                ("hour", r"[0-2]?\d".to_string()),
                ("minute", r"[0-5]\d".to_string()),
                ("second", r"[0-5]\d".to_string()),
                ("ampm", meridiem.clone()),
                ("tz", zone_fragment(boundary)),
            ])
        };
        let (exact, loose) = (expansions(Boundary::Exact), expansions(Boundary::Loose));
        // Named regexes, their unnamed sources, and the unnamed sources without word boundaries.
        type Compiled = (Vec<Regex>, Vec<String>, Vec<String>);
        let compile_list = |list: &[String]| -> Result<Compiled, MaskFileError> {
            let mut named = Vec::with_capacity(list.len());
            let mut unnamed = Vec::with_capacity(list.len());
            let mut unnamed_loose = Vec::with_capacity(list.len());
            for text in list {
                let compile = |expansions, naming| {
                    pattern::compile(text, expansions, naming).map_err(|m| fail(text, m))
                };
                named.push(build_regex(&compile(&exact, Naming::Named)?).map_err(|m| fail(text, m))?);
                unnamed.push(compile(&exact, Naming::Unnamed)?);
                unnamed_loose.push(compile(&loose, Naming::Unnamed)?);
            }
            Ok((named, unnamed, unnamed_loose))
        };
        let enabled = |list: &[String]| -> Vec<String> {
            file.enabled(list).map(|(_, pattern)| pattern.clone()).collect()
        };
        let (dates, dates_unnamed, dates_loose) = compile_list(&enabled(&file.dates))?;
        let (times, times_unnamed, times_loose) = compile_list(&enabled(&file.times))?;
        let combined = |sources: &[String], key: &str| -> Result<Option<Regex>, MaskFileError> {
            if sources.is_empty() {
                return Ok(None);
            }
            build_regex(&sources.join("|")).map(Some).map_err(|m| fail(key, m))
        };
        let any_date = combined(&dates_loose, "dates")?;
        let any_time = combined(&times_loose, "times")?;
        let mask_count =
            [&file.dates, &file.times, &file.attributions, &file.forward_separators, &file.reply_separators]
                .into_iter()
                .map(|list| file.enabled(list).count())
                .sum();
        languages.push(Language {
            id: file.id.clone(),
            name: file.name.clone(),
            order,
            order_24h,
            dates,
            times,
            time_keys: Vec::new(),
            any_date,
            any_time,
            attributions: Vec::new(),
            months,
            mask_count,
        });
        let weekday = (!weekday_forms.is_empty()).then(|| word(&weekday_forms, Boundary::Exact));
        prepared.push(Prepared { weekday, dates_unnamed, times_unnamed, dates_loose, times_loose });
    }
    let common = languages.iter().position(|language| language.id == COMMON_ID);
    let language_set = |sources: Vec<String>| {
        // A language without patterns gets a pattern that never matches, to keep indexes aligned.
        let sources: Vec<String> = sources
            .into_iter()
            .map(|source| if source.is_empty() { r"[^\s\S]".to_string() } else { source })
            .collect();
        RegexSetBuilder::new(sources)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT * 4)
            .dfa_size_limit(SET_DFA_CACHE)
            .build()
            .ok()
    };
    let date_languages = language_set(prepared.iter().map(|p| p.dates_loose.join("|")).collect());
    let time_languages = language_set(prepared.iter().map(|p| p.times_loose.join("|")).collect());
    let mut time_key_of: HashMap<String, usize> = HashMap::new();
    for language in &mut languages {
        language.time_keys = language
            .times
            .iter()
            .map(|regex| {
                let next = time_key_of.len();
                *time_key_of.entry(regex.as_str().to_string()).or_insert(next)
            })
            .collect();
    }
    let time_pattern_count = time_key_of.len();

    // 3. Attribution templates embed the language's own dates and times plus the common ones.
    let sender = sender_fragment();
    // A template holds the common file's dates and times too: only a shipped file over the
    // shipped common one is proven to compile by the test, so only such templates wait.
    let common_shipped = common.is_none_or(|common| parsed[common].shipped);
    let mut attribution_index = Vec::new();
    let mut literals: Vec<String> = Vec::new();
    for (index, entry) in parsed.iter().enumerate() {
        let fail = |needle: &str, message: String| error_in(&entry.source_name, &entry.text, needle, message);
        let mut date_sources = prepared[index].dates_unnamed.clone();
        let mut time_sources = prepared[index].times_unnamed.clone();
        if let Some(common) = common.filter(|&common| common != index) {
            // The numeric dates are shared, and clients write them after a weekday in the
            // header's language (Evolution's "El lun, 03-01-2022 a las 10:15").
            let numeric = prepared[common].dates_unnamed.join("|");
            date_sources.push(match &prepared[index].weekday {
                Some(weekday) => format!(r"(?:{weekday},?\s*)?(?:{numeric})"),
                None => numeric,
            });
            time_sources.extend(prepared[common].times_unnamed.iter().cloned());
        }
        let any_date = if date_sources.is_empty() { r"[^\s\S]".to_string() } else { date_sources.join("|") };
        let any_time = if time_sources.is_empty() {
            r"[^\s\S]".to_string()
        } else {
            format!(r"(?:{})(?:\s*,?\s*{})?", time_sources.join("|"), zone_fragment(Boundary::Exact))
        };
        let exact: HashMap<&str, String> = HashMap::from([
            ("date", any_date),
            ("time", any_time),
            ("sender", sender.clone()),
            ("name", r"[^<>()\[\]@\n]+?".to_string()),
            ("email", EMAIL.to_string()),
        ]);
        // The filter reads any text where the date and time go: the templates' own words,
        // name and address decide, and the filter stays small.
        let mut loose = exact.clone();
        loose.insert("date", r"(?s:.*)".to_string());
        loose.insert("time", r"(?s:.*)".to_string());
        let mut attributions = Vec::with_capacity(entry.file.attributions.len());
        for (place, template) in entry.file.enabled(&entry.file.attributions) {
            if !["{date}", "{email}", "{sender}"].iter().any(|needle| template.contains(needle)) {
                return Err(fail(
                    template,
                    format!("attribution {template:?} needs {{date}}, {{email}} or {{sender}}"),
                ));
            }
            let anchored = |expansions, naming| -> Result<String, MaskFileError> {
                let source = pattern::compile(template, expansions, naming).map_err(|m| fail(template, m))?;
                Ok(format!(r"^\s*{source}\s*$"))
            };
            let captures = CaptureRegex::new(anchored(&exact, Naming::Named)?);
            if !(entry.shipped && common_shipped) {
                captures.compile_now().map_err(|m| fail(template, m))?;
            }
            attributions.push(captures);
            let filter = build_regex(&anchored(&loose, Naming::Unnamed)?).map_err(|m| fail(template, m))?;
            let ends_with_colon = template.trim_end().ends_with([':', '：']);
            attribution_index.push(AttributionEntry {
                language: index,
                template: attributions.len() - 1,
                number: place + 1,
                literal: literal_id(&mut literals, required_literal(template)),
                literal_letters: mandatory_letters(template),
                ends_with_colon,
                names_sender: ["{sender}", "{name}", "{email}"]
                    .iter()
                    .any(|needle| template.contains(needle)),
                filter,
            });
        }
        languages[index].attributions = attributions;
    }
    // The template that explains more of a line wins: a language's own words ("пишет",
    // "tarihinde") before another language's bare "{date} {time}, {sender}:", which would read
    // those words as part of the name. The sort is stable, so file order breaks ties.
    attribution_index.sort_by_key(|entry| std::cmp::Reverse(entry.literal_letters));
    let attribution_literals = AhoCorasick::new(&literals).map_err(|error| MaskFileError {
        file: "attributions".into(),
        line: None,
        message: error.to_string(),
    })?;

    // 4. Field labels and separator phrases from every language, in one matcher each, and the
    //    subject prefixes in one table; a prefix that is a reply in one language and a forward
    //    in another says nothing.
    let mut labels = HashMap::new();
    let mut separators = Vec::new();
    let mut subject_prefixes: HashMap<String, SubjectPrefix> = HashMap::new();
    for (index, entry) in parsed.iter().enumerate() {
        for (kind, list) in [
            (SubjectPrefix::Reply, &entry.file.reply_prefixes),
            (SubjectPrefix::Forward, &entry.file.forward_prefixes),
        ] {
            for prefix in list {
                subject_prefixes
                    .entry(prefix_key(prefix))
                    .and_modify(|known| {
                        if *known != kind {
                            *known = SubjectPrefix::Ambiguous;
                        }
                    })
                    .or_insert(kind);
            }
        }
        let table = &entry.file.labels;
        for (kind, list) in [
            (LabelKind::From, &table.from),
            (LabelKind::Date, &table.date),
            (LabelKind::To, &table.to),
            (LabelKind::Cc, &table.cc),
            (LabelKind::Subject, &table.subject),
            (LabelKind::ReplyTo, &table.reply_to),
        ] {
            for label in list {
                labels.entry(normalize_label(label)).or_insert((kind, index));
            }
        }
        for (place, phrase) in entry.file.enabled(&entry.file.forward_separators) {
            separators.push((phrase.to_lowercase(), SeparatorKind::Forward, index, place + 1));
        }
        for (place, phrase) in entry.file.enabled(&entry.file.reply_separators) {
            separators.push((phrase.to_lowercase(), SeparatorKind::Reply, index, place + 1));
        }
    }
    let label_words: Vec<String> = parsed
        .iter()
        .flat_map(|entry| {
            let table = &entry.file.labels;
            [&table.from, &table.date, &table.to, &table.cc, &table.subject, &table.reply_to]
                .into_iter()
                .flatten()
                .cloned()
        })
        .collect();
    let label_alternation = pattern::alternation(&label_words);
    let label_error = |message: String| MaskFileError { file: "labels".into(), line: None, message };
    let (label_at_start, label_inline) = if label_alternation.is_empty() {
        (None, None)
    } else {
        let at_start = build_regex(&format!(r"^[\s*>]*(?P<label>{label_alternation})[\s*]*[:：]\s*"))
            .map_err(label_error)?;
        let inline =
            build_regex(&format!(r"(?P<label>{label_alternation})[\s*]*[:：]\s*")).map_err(label_error)?;
        (Some(at_start), Some(inline))
    };

    Ok(MaskSet {
        sources: Arc::new(Vec::new()),
        languages,
        common,
        label_at_start,
        label_inline,
        attribution_index,
        attribution_literals,
        labels,
        separators,
        greetings,
        closing_words,
        subject_prefixes,
        date_languages,
        time_languages,
        time_pattern_count,
        time_zone: Some(time_zone),
        zone_offsets,
        meridiems,
    })
}

/// How many letters a template requires outside its placeholders and optional parts.
fn mandatory_letters(template: &str) -> usize {
    mandatory_text(template).chars().filter(|c| c.is_alphabetic()).count()
}

/// The id of `literal` among the distinct `literals` (adding it if new); `None` for an empty one.
fn literal_id(literals: &mut Vec<String>, literal: String) -> Option<PatternID> {
    if literal.is_empty() {
        return None;
    }
    let index = literals.iter().position(|known| *known == literal).unwrap_or_else(|| {
        literals.push(literal);
        literals.len() - 1
    });
    Some(PatternID::must(index))
}

/// The longest word of a template's mandatory literal text, lowercased ("wrote" in
/// `On {date}, {sender} wrote:`); empty when the template has none.
fn required_literal(template: &str) -> String {
    mandatory_text(template)
        .split_whitespace()
        .max_by_key(|word| word.chars().count())
        .unwrap_or_default()
        .to_string()
}

/// A template's text outside its placeholders and optional parts, letters lowercased and
/// everything else a space.
fn mandatory_text(template: &str) -> String {
    let mut mandatory = String::new();
    let mut optional_depth = 0usize;
    let mut in_placeholder = false;
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            // An escaped character is literal text, and never a letter worth counting.
            '\\' => {
                chars.next();
                mandatory.push(' ');
            }
            '[' => optional_depth += 1,
            ']' => optional_depth = optional_depth.saturating_sub(1),
            '{' => in_placeholder = true,
            '}' => {
                in_placeholder = false;
                mandatory.push(' ');
            }
            _ if in_placeholder || optional_depth > 0 => {}
            c if c.is_alphabetic() => mandatory.extend(c.to_lowercase()),
            _ => mandatory.push(' '),
        }
    }
    mandatory
}

/// Checks a file's subject prefixes: one word each (a trailing dot is allowed, as in Romanian
/// "Redir."), without the colon, brackets or a count, and never both a reply and a forward.
/// On failure, returns the text to point at and the message.
fn check_prefixes(file: &MaskFile) -> Result<(), (String, String)> {
    for (key, list) in
        [("reply_prefixes", &file.reply_prefixes), ("forward_prefixes", &file.forward_prefixes)]
    {
        for prefix in list {
            let key_text = prefix_key(prefix);
            let problem = if key_text.is_empty() {
                Some("is empty".to_string())
            } else if prefix.chars().count() > MAX_PREFIX_CHARS {
                Some(format!("is longer than {MAX_PREFIX_CHARS} characters"))
            } else if prefix.chars().any(|c| c.is_whitespace() || is_prefix_punctuation(c)) {
                Some(
                    "must be one word without spaces, ':', brackets or '^' (write \"AW\", not \"AW:\")"
                        .into(),
                )
            } else {
                None
            };
            if let Some(problem) = problem {
                let needle = if prefix.trim().is_empty() { key.to_string() } else { format!("\"{prefix}\"") };
                return Err((needle, format!("{key}: prefix {prefix:?} {problem}")));
            }
        }
    }
    for prefix in &file.reply_prefixes {
        if file.forward_prefixes.iter().any(|other| prefix_key(other) == prefix_key(prefix)) {
            return Err((
                "forward_prefixes".into(),
                format!("prefix {prefix:?} is in both reply_prefixes and forward_prefixes"),
            ));
        }
    }
    Ok(())
}

/// Characters that end a subject prefix word or write its count: `:`, `：`, `[2]`, `(2)`, `^2`.
pub(crate) fn is_prefix_punctuation(c: char) -> bool {
    matches!(c, ':' | '：' | '[' | ']' | '(' | ')' | '^')
}

/// The lookup key of a subject prefix: lowercased, without a trailing dot ("Redir." → "redir").
pub(crate) fn prefix_key(prefix: &str) -> String {
    prefix.trim().trim_end_matches('.').to_lowercase()
}

/// Lowercases a label and folds its spaces, so "Kopie  (CC)" and "kopie (cc)" are one key.
pub(crate) fn normalize_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_file_loads_on_its_own_and_together() {
        for source in builtin_sources() {
            if let Err(error) = MaskSet::from_sources(std::slice::from_ref(&source)) {
                panic!("{error}");
            }
        }
        let set = MaskSet::from_sources(&builtin_sources()).unwrap();
        // Their attribution regexes compile lazily; every one must compile.
        for language in &set.languages {
            for template in &language.attributions {
                if let Err(problem) = template.compile_now() {
                    panic!("{}: {problem}: {}", language.id, template.source);
                }
            }
        }
        let ids: Vec<String> = set.languages().into_iter().map(|(id, _, _)| id).collect();
        for required in [
            "en", "de", "fr", "es", "it", "pt", "pt-BR", "nl", "ru", "uk", "pl", "cs", "sk", "sv", "da",
            "no", "fi", "hu", "tr", "ro", "hr", "et", "ja", "zh", "bg", "el", "ko", "ca", "id", "vi", "sl",
        ] {
            assert!(ids.iter().any(|id| id == required), "missing language {required}");
        }
        assert!(set.languages().iter().all(|(_, name, count)| !name.is_empty() && *count > 0));
    }

    #[test]
    fn shipped_templates_compile_lazily_unless_the_user_replaces_common() {
        let english =
            |set: &MaskSet| set.languages.iter().find(|language| language.id == "en").cloned().unwrap();
        let shipped = MaskSet::from_sources(&builtin_sources()).unwrap();
        assert!(english(&shipped).attributions.iter().all(|template| template.compiled.get().is_none()));
        let common = builtin_sources().into_iter().find(|source| source.name == "common.toml").unwrap();
        let edited = MaskSource { name: common.name, text: format!("{}\n# edited\n", common.text) };
        let with_users_common =
            MaskSet::from_sources(&builtin_sources()).unwrap().with_overrides(&[edited]).unwrap();
        assert!(english(&with_users_common)
            .attributions
            .iter()
            .all(|template| template.compiled.get().is_some()));
    }

    fn source(text: &str) -> MaskSource {
        MaskSource { name: "user.toml".into(), text: text.into() }
    }

    #[test]
    fn broken_files_name_file_line_and_problem() {
        let table = [
            ("id = \"x\"\nname = \"X\"\nmonths = [\"a\"", 3, "user.toml:3:"),
            ("id = \"x\"\nname = \"X\"\ncolour = 1\n", 3, "unknown field"),
            ("id = \"x\"\nname = \"X\"\n\nattributions = [\"On {date} wrote {\"]\n", 4, "unclosed '{'"),
            (
                "id = \"x\"\nname = \"X\"\ndates = [\"{day} {fortnight}\"]\n",
                3,
                "unknown placeholder {fortnight}",
            ),
            ("id = \"x\"\nname = \"X\"\nattributions = [\"{name} wrote:\"]\n", 3, "needs {date}"),
            ("id = \"x\"\nname = \"X\"\nmonths = [[\"jan\"]]\n", 3, "expected 12"),
            ("id = \"x\"\nname = \"X\"\nreply_prefixes = [\"AW:\"]\n", 3, "one word"),
            ("id = \"x\"\nname = \"X\"\n\nforward_prefixes = [\"W G\"]\n", 4, "one word"),
            ("id = \"x\"\nname = \"X\"\nreply_prefixes = [\"Re[2]\"]\n", 3, "brackets"),
            ("id = \"x\"\nname = \"X\"\nreply_prefixes = [\" \"]\n", 3, "is empty"),
            (
                "id = \"x\"\nname = \"X\"\nreply_prefixes = [\"Antwortantwortantwortantwort\"]\n",
                3,
                "longer than",
            ),
            (
                "id = \"x\"\nname = \"X\"\nreply_prefixes = [\"AW\"]\nforward_prefixes = [\"aw\"]\n",
                4,
                "in both reply_prefixes and forward_prefixes",
            ),
            ("id = \"x\"\nname = \"X\"\nreply_prefixes = 1\n", 3, "invalid type"),
        ];
        for (text, line, expected) in table {
            let error = MaskSet::from_sources(&[source(text)]).unwrap_err();
            assert_eq!(error.line, Some(line), "{text}: {error}");
            assert!(error.to_string().contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn huge_patterns_are_refused_with_a_message() {
        let many_months: Vec<String> = (0..12)
            .map(|m| {
                format!("[{}]", (0..3000).map(|i| format!("\"m{m}x{i}\"")).collect::<Vec<_>>().join(","))
            })
            .collect();
        let text = format!(
            "id = \"x\"\nname = \"X\"\nmonths = [{}]\ndates = [\"{{day}} {{monthname}} {{monthname}} {{monthname}} {{monthname}} {{year}}\"]\n",
            many_months.join(",")
        );
        let error = MaskSet::from_sources(&[source(&text)]).unwrap_err();
        assert!(error.message.contains("more than") || error.message.contains("limit"), "{error}");
        let long = format!("id = \"x\"\nname = \"X\"\ndates = [\"{}\"]\n", "{day}".repeat(100));
        assert!(MaskSet::from_sources(&[source(&long)]).unwrap_err().message.contains("limit"));
    }

    #[test]
    fn overrides_replace_a_language_by_id() {
        let user = source(
            "id = \"de\"\nname = \"Deutsch (mine)\"\nattributions = [\"Am {date} schrieb {sender}:\"]\n",
        );
        let set = MaskSet::builtin().with_overrides(&[user]).unwrap();
        let german: Vec<_> = set.languages().into_iter().filter(|(id, _, _)| id == "de").collect();
        assert_eq!(german, vec![("de".to_string(), "Deutsch (mine)".to_string(), 1)]);
        assert_eq!(set.languages().len(), MaskSet::builtin().languages().len());

        // Overrides layer on the set they are called on, not always on the built-in files.
        let small = MaskSet::from_sources(&[source("id = \"x\"\nname = \"X\"\n")]).unwrap();
        let layered = small.with_overrides(&[source("id = \"y\"\nname = \"Y\"\n")]).unwrap();
        let ids: Vec<String> = layered.languages().into_iter().map(|(id, _, _)| id).collect();
        assert_eq!(ids, vec!["x".to_string(), "y".to_string()]);
    }

    #[test]
    fn subject_prefixes_merge_across_languages() {
        let a = source("id = \"a\"\nname = \"A\"\nreply_prefixes = [\"SV\", \"Odp\"]\nforward_prefixes = [\"VS\", \"Redir.\"]\n");
        let b = MaskSource {
            name: "b.toml".into(),
            text: "id = \"b\"\nname = \"B\"\nreply_prefixes = [\"vs\", \"ODP\"]\n".into(),
        };
        let set = MaskSet::from_sources(&[a, b]).unwrap();
        let kind = |prefix: &str| set.subject_prefixes.get(&prefix_key(prefix)).copied();
        assert_eq!(kind("Sv"), Some(SubjectPrefix::Reply));
        assert_eq!(kind("odp"), Some(SubjectPrefix::Reply));
        assert_eq!(kind("Redir"), Some(SubjectPrefix::Forward));
        assert_eq!(kind("VS"), Some(SubjectPrefix::Ambiguous));
        assert_eq!(kind("Fwd"), None);

        let builtin = MaskSet::builtin();
        let kind = |prefix: &str| builtin.subject_prefixes.get(&prefix_key(prefix)).copied();
        for (prefix, expected) in [
            ("Re", SubjectPrefix::Reply),
            ("AW", SubjectPrefix::Reply),
            ("SV", SubjectPrefix::Reply),
            ("YNT", SubjectPrefix::Reply),
            ("回复", SubjectPrefix::Reply),
            ("Fwd", SubjectPrefix::Forward),
            ("WG", SubjectPrefix::Forward),
            ("TR", SubjectPrefix::Forward),
            ("RV", SubjectPrefix::Forward),
            ("İLT", SubjectPrefix::Forward),
            ("转发", SubjectPrefix::Forward),
            ("VS", SubjectPrefix::Ambiguous),
        ] {
            assert_eq!(kind(prefix), Some(expected), "{prefix}");
        }
        // Every language but the neutral one has prefixes.
        for (id, source) in builtin.sources.iter() {
            let file = parse_file(source).unwrap();
            let has = !file.reply_prefixes.is_empty() && !file.forward_prefixes.is_empty();
            assert_eq!(has, id != COMMON_ID, "{id}");
        }
    }

    #[test]
    fn required_literals_skip_placeholders_and_optionals() {
        assert_eq!(required_literal("On {date}[, at {time}], {sender} wrote:"), "wrote");
        assert_eq!(required_literal("Le {date}, {sender} a écrit :"), "écrit");
        assert_eq!(required_literal("{date}, {time}[,] {sender}:"), "");
        assert_eq!(mandatory_letters("On {date}[, at {time}], {sender} wrote:"), 7);
        assert_eq!(mandatory_letters("{date}, {time}[,] {sender}:"), 0);
    }

    #[test]
    fn offsets_parse() {
        let table = [
            ("+03:00", Some(180)),
            ("-0400", Some(-240)),
            ("+3", Some(180)),
            ("+0530", Some(330)),
            ("x", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_offset_minutes(text), expected, "{text}");
        }
    }
}
