//! The small placeholder language of mask files, compiled to `regex` syntax.
//!
//! A mask pattern is literal text with `{placeholder}`s and `[optional parts]`, for example
//! `On {date}[,][ at] {time}, {sender} wrote:`; a backslash makes the next character literal
//! (`\[{date}\]` for a date in brackets). This module only turns such a pattern into a regex
//! source string; it knows nothing about files, languages or what a match means.
//! Literal text is escaped, so a mask can never smuggle regex syntax (and with it catastrophic
//! patterns) into the engine; the `regex` crate then guarantees linear-time matching.

use std::collections::HashMap;

/// Longest pattern text accepted, in bytes; longer ones are almost certainly a mistake.
pub const MAX_PATTERN_LEN: usize = 400;

/// How placeholders expand: to a named capture group, or to the same sub-pattern without names.
///
/// Named groups are needed to extract values, but the `regex` crate rejects the same group name
/// twice, so alternations of several date patterns inside an attribution use the unnamed form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Placeholders become `(?P<name>…)` groups.
    Named,
    /// Placeholders become `(?:…)` groups.
    Unnamed,
}

/// Compiles `pattern` into regex source, expanding each `{placeholder}` from `expansions`.
///
/// Each expansion is a regex fragment; with [`Naming::Named`] it is wrapped in a group named
/// after the placeholder (a placeholder used twice keeps only its first name).
/// Returns a message naming the problem when the pattern is malformed.
pub fn compile(pattern: &str, expansions: &HashMap<&str, String>, naming: Naming) -> Result<String, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("pattern is {} bytes long, the limit is {MAX_PATTERN_LEN}", pattern.len()));
    }
    let mut out = String::with_capacity(pattern.len() * 4);
    let mut open_optionals = 0usize;
    let mut used_names: Vec<&str> = Vec::new();
    let mut chars = pattern.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '{' => {
                let rest = &pattern[start + 1..];
                let Some(close) = rest.find('}') else {
                    return Err(format!("unclosed '{{' in pattern {pattern:?}"));
                };
                let name = &rest[..close];
                let Some((&key, fragment)) = expansions.get_key_value(name) else {
                    let mut known: Vec<&str> = expansions.keys().copied().collect();
                    known.sort_unstable();
                    return Err(format!("unknown placeholder {{{name}}} (known: {})", known.join(", ")));
                };
                if naming == Naming::Named && !used_names.contains(&key) {
                    used_names.push(key);
                    out.push_str(&format!("(?P<{key}>{fragment})"));
                } else {
                    out.push_str(&format!("(?:{fragment})"));
                }
                // Skip the placeholder name and its closing brace.
                for _ in 0..=name.chars().count() {
                    chars.next();
                }
            }
            '}' => return Err(format!("stray '}}' in pattern {pattern:?}")),
            '[' => {
                open_optionals += 1;
                out.push_str("(?:");
            }
            ']' => {
                if open_optionals == 0 {
                    return Err(format!("stray ']' in pattern {pattern:?}"));
                }
                open_optionals -= 1;
                out.push_str(")?");
            }
            c if c.is_whitespace() => {
                // Mail clients and converters disagree on spaces (non-breaking, doubled, missing
                // before a colon), so one space in a mask means "any run of spaces, maybe none".
                while chars.peek().is_some_and(|(_, next)| next.is_whitespace()) {
                    chars.next();
                }
                out.push_str(r"\s*");
            }
            '\\' => {
                // `\[`, `\]`, `\{`, `\}` and `\\` stand for the character itself.
                let Some((_, literal)) = chars.next() else {
                    return Err(format!("pattern {pattern:?} ends with a lone '\\'"));
                };
                let mut buffer = [0u8; 4];
                out.push_str(&regex::escape(literal.encode_utf8(&mut buffer)));
            }
            ':' | '：' => {
                // Full-width colons end CJK headers; either kind matches either.
                out.push_str("[:：]");
            }
            c => {
                let mut buffer = [0u8; 4];
                out.push_str(&regex::escape(c.encode_utf8(&mut buffer)));
            }
        }
    }
    if open_optionals != 0 {
        return Err(format!("unclosed '[' in pattern {pattern:?}"));
    }
    Ok(out)
}

/// Builds a regex alternation of literal words, longest first so that "De la" wins over "De".
pub fn alternation<'a>(words: impl IntoIterator<Item = &'a String>) -> String {
    let mut words: Vec<&String> = words.into_iter().filter(|word| !word.is_empty()).collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    words.dedup();
    let escaped: Vec<String> = words.iter().map(|word| escape_loose(word)).collect();
    escaped.join("|")
}

/// Escapes a literal word, letting its spaces match any run of spaces.
fn escape_loose(word: &str) -> String {
    word.split_whitespace().map(regex::escape).collect::<Vec<_>>().join(r"\s+")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expansions() -> HashMap<&'static str, String> {
        HashMap::from([("day", r"\d{1,2}".to_string()), ("year", r"\d{4}".to_string())])
    }

    #[test]
    fn placeholders_optionals_and_literals_compile() {
        let source = compile("{day}.[ ]{year} (x)", &expansions(), Naming::Named).unwrap();
        assert_eq!(source, r"(?P<day>\d{1,2})\.(?:\s*)?(?P<year>\d{4})\s*\(x\)");
        let unnamed = compile("{day}", &expansions(), Naming::Unnamed).unwrap();
        assert_eq!(unnamed, r"(?:\d{1,2})");
    }

    #[test]
    fn a_backslash_makes_brackets_literal() {
        let source = compile(r"\[{day}\]\\", &expansions(), Naming::Named).unwrap();
        assert_eq!(source, r"\[(?P<day>\d{1,2})\]\\");
        let message = compile(r"{day}\", &expansions(), Naming::Named).unwrap_err();
        assert!(message.contains("lone"), "{message}");
    }

    #[test]
    fn malformed_patterns_are_explained() {
        let table = [
            ("{day", "unclosed '{'"),
            ("{month}", "unknown placeholder {month}"),
            ("[{day}", "unclosed '['"),
            ("{day}]", "stray ']'"),
        ];
        for (pattern, expected) in table {
            let message = compile(pattern, &expansions(), Naming::Named).unwrap_err();
            assert!(message.contains(expected), "{pattern}: {message}");
        }
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        assert!(compile(&long, &expansions(), Naming::Named).unwrap_err().contains("limit"));
    }

    #[test]
    fn alternation_puts_longer_words_first() {
        let words = ["De".to_string(), "De la".to_string()];
        assert_eq!(alternation(&words), r"De\s+la|De");
    }
}
