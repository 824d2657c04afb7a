//! Who sent a quoted message: splitting a sender into name and address, judging whether a name
//! is a name, and the recipient's address book.
//!
//! The given-names lists (`assets/names/`) and the address book raise confidence in a
//! name; the greeting words of the mask files lower it. This module does not find headers.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use crate::masks::MaskSet;

/// The recipient's contacts: known names and addresses raise confidence in a header, and a
/// known name fills in a missing address.
#[derive(Clone, Debug, Default)]
pub struct AddressBook {
    /// Lowercased address → display name.
    names_by_address: HashMap<String, String>,
    /// Normalised name → address.
    addresses_by_name: HashMap<String, String>,
}

impl AddressBook {
    /// An empty address book.
    pub fn new() -> AddressBook {
        AddressBook::default()
    }

    /// Adds a contact; later entries for the same name or address replace earlier ones.
    pub fn add(&mut self, name: &str, email: &str) {
        let email = email.trim();
        let name = name.trim();
        if !email.is_empty() {
            self.names_by_address.insert(email.to_lowercase(), name.to_string());
        }
        if !name.is_empty() && !email.is_empty() {
            self.addresses_by_name.insert(normalize_name(name), email.to_string());
        }
    }

    /// The address of a contact with this name, if there is one.
    pub(crate) fn address_of(&self, name: &str) -> Option<&str> {
        self.addresses_by_name.get(&normalize_name(name)).map(String::as_str)
    }

    /// Whether the name or the address belongs to a contact.
    pub(crate) fn knows(&self, name: Option<&str>, email: Option<&str>) -> bool {
        email.is_some_and(|email| self.names_by_address.contains_key(&email.to_lowercase()))
            || name.is_some_and(|name| self.addresses_by_name.contains_key(&normalize_name(name)))
    }
}

/// Lowercases a name and folds spaces, quotes and commas, so `"Doe, John"` and `doe john` compare.
pub(crate) fn normalize_name(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == '\'')
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn email_regex() -> Option<&'static Regex> {
    static EMAIL: OnceLock<Option<Regex>> = OnceLock::new();
    // The pattern is a constant; if it ever failed to build, senders would simply have no address.
    EMAIL.get_or_init(|| Regex::new(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+").ok()).as_ref()
}

fn mailto_regex() -> Option<&'static Regex> {
    static MAILTO: OnceLock<Option<Regex>> = OnceLock::new();
    MAILTO.get_or_init(|| Regex::new(r"(?i)<mailto:[^>]*>|\[mailto:[^\]]*\]").ok()).as_ref()
}

fn has_email(text: &str) -> bool {
    email_regex().is_some_and(|regex| regex.is_match(text))
}

/// Splits a sender field such as `"Doe, John" <john@x.org>`, `John [mailto:john@x.org]`,
/// `john@x.org` or `John Doe` into a name and an address.
pub(crate) fn split_sender(value: &str) -> (Option<String>, Option<String>) {
    let mut text = value.trim().to_string();
    // Outlook writes the address twice: `John<mailto:john@x> <john@x<mailto:john@x>>`; the mailto
    // copy carries no information and breaks the brackets.
    if let Some(mailto) = mailto_regex() {
        if let Some(first) = mailto.find(&text) {
            let inside = first.as_str().trim_start_matches(['<', '[']).trim_end_matches(['>', ']']);
            let address = inside.get(7..).unwrap_or_default().to_string();
            let name_part = text[..first.start()].to_string();
            if !has_email(&name_part) && has_email(&address) {
                text = format!("{name_part} <{address}>");
            } else {
                text = mailto.replace_all(&text, "").into_owned();
            }
        }
    }
    let email_match = email_regex().and_then(|regex| regex.find(&text));
    match email_match {
        Some(found) => {
            let name = clean_name(&text[..found.start()]);
            let name = name.filter(|name| !name.contains('@'));
            (name, Some(found.as_str().trim_matches(['.', '\'']).to_string()))
        }
        None => (clean_name(&text), None),
    }
}

/// Strips brackets, quotes and stray punctuation around a name; `None` when nothing is left.
pub(crate) fn clean_name(text: &str) -> Option<String> {
    let trimmed = trim_quote_marks(text.trim_matches(is_edge_punctuation));
    // Parentheses stay when they pair up inside the name ("John Smith (ACME)"); a name wrapped
    // in them, or a stray one left by the split from the address, goes.
    let trimmed = trim_unpaired_parentheses(trimmed);
    // Google Groups relays a sender as "'John Smith' via Group": the person is the quoted part.
    let trimmed = match trimmed.split_once("' via ").or_else(|| trimmed.split_once("\" via ")) {
        Some((person, _)) => trim_quote_marks(person),
        None => trimmed,
    };
    let collapsed = notes_person(trimmed).split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

/// The person in a Lotus Notes hierarchical name: `John Smith/Sales/ACME`, canonically
/// `CN=John Smith/OU=Sales/O=ACME`, perhaps with the Notes domain (`…/ACME@ACME`). Only a name
/// of two words or more before units without spaces reads so: `AC/DC` and `Sales/Marketing
/// Team` stay as they are.
fn notes_person(text: &str) -> &str {
    let Some((person, units)) = text.split_once('/') else { return text };
    let person = person.strip_prefix("CN=").unwrap_or(person).trim();
    let units_are_codes =
        units.split('/').all(|unit| !unit.is_empty() && !unit.contains(char::is_whitespace));
    let person_is_a_name = person.split_whitespace().count() >= 2
        && person.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '.' | '\''));
    if units_are_codes && person_is_a_name {
        person
    } else {
        text
    }
}

/// What is never part of a name at its ends: brackets of the address, separators, bold marks.
fn is_edge_punctuation(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '[' | ']' | ',' | ';' | ':' | '*' | '，' | '、' | '：')
}

/// The quote marks that wrap a name, each opening mark with the closing marks that answer it:
/// straight quotes, guillemets either way round (French `«…»`, Danish `»…«`), German and Polish
/// `„…“`/`„…”`, English curly quotes and the Swedish and Finnish `”…”`.
pub(crate) const QUOTE_PAIRS: [(char, &[char]); 9] = [
    ('"', &['"']),
    ('\'', &['\'']),
    ('«', &['»']),
    ('»', &['«']),
    ('„', &['“', '”']),
    ('‚', &['‘', '’']),
    ('“', &['”']),
    ('‘', &['’']),
    ('”', &['”']),
];

fn is_quote_mark(c: char) -> bool {
    QUOTE_PAIRS.iter().any(|&(open, closes)| open == c || closes.contains(&c))
}

/// Quote marks around a whole name go (`"John Smith"`, `«Иван Петров»`), and so does a stray one
/// at an end with no partner in the name; a pair inside the name stays, even at its end
/// (`ООО «Ромашка»`, `Acme Support "EU"`).
fn trim_quote_marks(mut text: &str) -> &str {
    loop {
        let mut chars = text.chars();
        let wrapped = match (chars.next(), chars.next_back()) {
            (Some(first), Some(last)) => QUOTE_PAIRS
                .iter()
                .any(|&(open, closes)| open == first && closes.contains(&last))
                .then_some(chars.as_str()),
            _ => None,
        };
        let lone_mark = |rest: &str| !rest.contains(is_quote_mark);
        let next = match wrapped {
            Some(inner) => inner,
            None => match (text.strip_prefix(is_quote_mark), text.strip_suffix(is_quote_mark)) {
                (Some(rest), _) if lone_mark(rest) => rest,
                (_, Some(rest)) if lone_mark(rest) => rest,
                _ => return text,
            },
        };
        text = next.trim_matches(is_edge_punctuation);
    }
}

fn trim_unpaired_parentheses(mut text: &str) -> &str {
    loop {
        let opened = text.matches('(').count();
        let closed = text.matches(')').count();
        let wrapped = text.strip_prefix('(').and_then(|inner| inner.strip_suffix(')'));
        let next = match (wrapped, text.strip_suffix(')'), text.strip_prefix('(')) {
            (Some(inner), _, _) => inner,
            (None, Some(shorter), _) if closed > opened => shorter,
            (None, _, Some(shorter)) if opened > closed => shorter,
            _ => match text.strip_suffix('(') {
                Some(shorter) => shorter,
                None => return text,
            },
        };
        text = next.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ':');
    }
}

/// The given names shipped in `assets/names/`, lowercased: about 35 000 from the nam_dict
/// first-name dictionary (`given-nam-dict.txt`, see `make-given-names.py`) plus our own list
/// (`given.txt`, with Cyrillic forms the dictionary lacks).
fn given_names() -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        [
            include_str!("../../../assets/names/given-nam-dict.txt"),
            include_str!("../../../assets/names/given.txt"),
        ]
        .into_iter()
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
    })
}

/// How much a candidate name looks like a person's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum NameConfidence {
    /// A greeting, a phrase or a pronoun: never a sender.
    Rejected,
    /// Shaped like a name (capitalised words, short) but not known.
    Plausible,
    /// A known given name or a contact.
    Known,
}

/// Judges a candidate sender name; `beside_address` says it is the display name written with
/// its own address (`Ola Nordmann <ola@x.no>`), which makes a greeting there unlikely.
pub(crate) fn judge_name(
    name: &str,
    beside_address: bool,
    masks: &MaskSet,
    book: &AddressBook,
) -> NameConfidence {
    if book.knows(Some(name), None) {
        return NameConfidence::Known;
    }
    let words: Vec<&str> =
        name.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 6 || name.chars().count() > 80 {
        return NameConfidence::Rejected;
    }
    let first = words[0].trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    if masks.greetings.contains(&name.to_lowercase())
        || (masks.greetings.contains(&first) && !reads_as_full_name(&words, &first, beside_address))
    {
        return NameConfidence::Rejected;
    }
    // A digit makes an address line or a count ("Speicherstadt 5", "12,000 subscribers").
    if !name.chars().any(char::is_alphabetic) || name.chars().any(|c| c.is_ascii_digit()) {
        return NameConfidence::Rejected;
    }
    let lowercase = lowercase_words(&words);
    if reads_as_phrase(&words, lowercase)
        || words.iter().all(|word| is_particle(word))
        || too_long_for_cjk(name, beside_address)
    {
        return NameConfidence::Rejected;
    }
    if words
        .iter()
        .any(|word| given_names().contains(&word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()))
    {
        return NameConfidence::Known;
    }
    // Unknown names pass when every word that has case starts with a capital (particles such as
    // "van" and "de" aside) — "the server" or "my colleague" do not.
    if lowercase == 0 {
        NameConfidence::Plausible
    } else {
        NameConfidence::Rejected
    }
}

/// Whether a name written in Chinese or Japanese script without spaces is longer than names
/// are: "山田太郎さんから電話がありました" and "王伟在会上说" are sentences. Beside its own
/// address a display name may be longer (a company's).
fn too_long_for_cjk(name: &str, beside_address: bool) -> bool {
    let is_cjk =
        |c: char| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}');
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    let cjk = name.chars().filter(|&c| is_cjk(c)).count();
    let limit = if beside_address { 12 } else { 5 };
    cjk == letters && !name.contains(char::is_whitespace) && cjk > limit
}

/// Lowercase words that names hold ("Maria van der Berg"); a name is never only these.
const PARTICLES: [&str; 23] = [
    "van", "von", "de", "der", "den", "da", "di", "du", "des", "la", "le", "las", "los", "del", "della",
    "dos", "das", "zu", "ter", "bin", "al", "y", "e",
];

fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word.to_lowercase().as_str())
}

/// Lowercase words of a name outside the particles.
fn lowercase_words(words: &[&str]) -> usize {
    words
        .iter()
        .filter(|word| first_letter(word).is_some_and(char::is_lowercase) && !is_particle(word))
        .count()
}

/// Whether capitalised words run on into lowercase ones: "Иван Петров писал в своём блоге" is
/// a name and then a sentence, even though its first word is a known given name. A name written
/// all in lowercase ("john smith") is still a name.
fn reads_as_phrase(words: &[&str], lowercase_words: usize) -> bool {
    let capitalised = words.iter().filter(|word| first_letter(word).is_some_and(char::is_uppercase)).count();
    capitalised > 0 && lowercase_words >= 2
}

/// Whether `words`, whose first is also a greeting or pronoun in some language (Ben, Ola, Elle,
/// Cara in the given-names lists; Vi, Du outside them), still read as a full name: two or more
/// words, all capitalised, and the first a known given name or the whole written beside its
/// address. "Hi John" and "Thanks John" stay greetings unless written as a display name.
fn reads_as_full_name(words: &[&str], first_lowercase: &str, beside_address: bool) -> bool {
    words.len() >= 2
        && words.iter().all(|word| first_letter(word).is_some_and(char::is_uppercase))
        && (beside_address || given_names().contains(first_lowercase))
}

/// The first letter of a word, past any quote or bracket: its case says name or phrase.
fn first_letter(word: &str) -> Option<char> {
    word.chars().find(|c| c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_split_into_name_and_address() {
        let s = |v: &str| Some(v.to_string());
        let table = [
            ("John Doe <john.doe@acme.com>", s("John Doe"), s("john.doe@acme.com")),
            ("\"John Doe\" <john.doe@acme.com>", s("John Doe"), s("john.doe@acme.com")),
            ("John Doe [mailto:john.doe@acme.com]", s("John Doe"), s("john.doe@acme.com")),
            ("john.doe@acme.com", None, s("john.doe@acme.com")),
            ("John, Doe <john.doe@acme.com>", s("John, Doe"), s("john.doe@acme.com")),
            ("John Doe", s("John Doe"), None),
            (
                "John Doe<mailto:john.doe@acme.com> <john.doe@acme.com<mailto:john.doe@acme.com>> on behalf of x@acme.com<mailto:x@acme.com>",
                s("John Doe"),
                s("john.doe@acme.com"),
            ),
            ("'walter@acme.com' <walter@acme.com>", None, s("walter@acme.com")),
            ("John Smith (ACME) <john@acme.com>", s("John Smith (ACME)"), s("john@acme.com")),
            ("(John Smith) <john@acme.com>", s("John Smith"), s("john@acme.com")),
            ("John Smith (john@acme.com)", s("John Smith"), s("john@acme.com")),
            ("ООО «Ромашка» <info@romashka.ru>", s("ООО «Ромашка»"), s("info@romashka.ru")),
            ("\"ООО «Ромашка»\" <info@romashka.ru>", s("ООО «Ромашка»"), s("info@romashka.ru")),
            ("«Ромашка» ООО <info@romashka.ru>", s("«Ромашка» ООО"), s("info@romashka.ru")),
            ("Acme Support \"EU\" <eu@acme.com>", s("Acme Support \"EU\""), s("eu@acme.com")),
            ("Müller GmbH „Nord“ <nord@mueller.de>", s("Müller GmbH „Nord“"), s("nord@mueller.de")),
            ("«Иван Петров» <ivan@x.ru>", s("Иван Петров"), s("ivan@x.ru")),
            ("„Hans Müller“ <hans@x.de>", s("Hans Müller"), s("hans@x.de")),
            ("John Smith/ACME", s("John Smith"), None),
            ("CN=John Smith/OU=Sales/O=ACME", s("John Smith"), None),
            ("John Smith/Sales/ACME@ACME", s("John Smith"), None),
            ("AC/DC", s("AC/DC"), None),
            ("Sales/Marketing Team", s("Sales/Marketing Team"), None),
            ("Jane Doe / ACME", s("Jane Doe / ACME"), None),
        ];
        for (value, name, email) in table {
            assert_eq!(split_sender(value), (name, email), "{value}");
        }
    }

    #[test]
    fn greetings_and_phrases_are_not_names() {
        let masks = MaskSet::builtin();
        let mut book = AddressBook::new();
        book.add("the server", "noreply@acme.com");
        let table = [
            ("John Doe", NameConfidence::Known),
            ("Zyxwv Qrst", NameConfidence::Plausible),
            ("Hi all", NameConfidence::Rejected),
            ("Thanks", NameConfidence::Rejected),
            ("I", NameConfidence::Rejected),
            ("my colleague", NameConfidence::Rejected),
            ("Maria van der Berg", NameConfidence::Known),
            ("Zyxw van Qrst", NameConfidence::Plausible),
            ("the server", NameConfidence::Known),
            ("Андрей", NameConfidence::Known),
            ("von", NameConfidence::Rejected),
            ("Lager Hamburg, Speicherstadt 5", NameConfidence::Rejected),
            ("Иван Петров писал в своём блоге", NameConfidence::Rejected),
            ("john smith", NameConfidence::Known),
            ("María de los Ángeles", NameConfidence::Known),
            ("山田太郎さんから電話がありました", NameConfidence::Rejected),
            ("王伟在会上说", NameConfidence::Rejected),
            ("長谷川一郎", NameConfidence::Plausible),
        ];
        for (name, expected) in table {
            assert_eq!(judge_name(name, false, &masks, &book), expected, "{name}");
        }
    }

    #[test]
    fn a_greeting_word_can_still_open_a_full_name() {
        let masks = MaskSet::builtin();
        let book = AddressBook::new();
        // (name, written beside its own address, expected)
        let table = [
            ("Ben Smith", false, NameConfidence::Known),
            ("Ola Nordmann", false, NameConfidence::Known),
            ("Vi Nguyen", true, NameConfidence::Plausible),
            ("Vi Nguyen", false, NameConfidence::Rejected),
            ("Hi John", false, NameConfidence::Rejected),
            ("Thanks all", true, NameConfidence::Rejected),
            ("Ben", true, NameConfidence::Rejected),
        ];
        for (name, beside_address, expected) in table {
            assert_eq!(judge_name(name, beside_address, &masks, &book), expected, "{name} {beside_address}");
        }
    }

    #[test]
    fn the_address_book_fills_addresses_by_name() {
        let mut book = AddressBook::new();
        book.add("Doe, John", "john.doe@acme.com");
        assert_eq!(book.address_of("doe john"), Some("john.doe@acme.com"));
        assert!(book.knows(None, Some("JOHN.DOE@acme.com")));
        assert!(!book.knows(Some("Jane"), None));
    }

    #[test]
    fn names_from_the_dictionary_are_known_and_its_east_asian_syllables_are_not() {
        let masks = MaskSet::builtin();
        let book = AddressBook::new();
        // Rare given names only the nam_dict list has: Dutch, Icelandic, Albanian, Georgian.
        for name in ["Aadje Smit", "Sigurlaug Jónsdóttir", "Arberesha Krasniqi", "Ketevan Beridze"] {
            assert_eq!(judge_name(name, false, &masks, &book), NameConfidence::Known, "{name}");
        }
        for word in ["the", "to", "in", "so", "an"] {
            assert!(!given_names().contains(word), "{word} is a word, not a name");
        }
    }
}
