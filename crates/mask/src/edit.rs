//! Editing a mask file one pattern at a time, for the settings panel.
//!
//! The panel shows a language's attribution templates, separator phrases and date and time
//! patterns as rows the user edits, adds, removes and switches off. Each change is made to the
//! TOML text with `toml_edit`, so the user's comments and layout survive; a switched-off pattern
//! stays in its list and is named in the file's `disabled` list. Whether the result still
//! compiles is [`MaskSet::with_overrides`]'s call, not this module's.
//!
//! [`MaskSet::with_overrides`]: crate::MaskSet::with_overrides

use serde::{Deserialize, Serialize};
use toml_edit::{Array, DocumentMut, Item, Value};

use crate::masks::{line_of_offset, MaskFileError, MaskSource};

/// The lists of patterns the settings panel edits row by row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskList {
    /// `On {date}, {sender} wrote:` and friends.
    Attributions,
    /// "Forwarded message" phrases.
    ForwardSeparators,
    /// "Original Message" phrases.
    ReplySeparators,
    /// Date patterns.
    Dates,
    /// Time patterns.
    Times,
}

impl MaskList {
    /// Every list, in the order the panel shows them.
    pub const ALL: [MaskList; 5] = [
        MaskList::Attributions,
        MaskList::ForwardSeparators,
        MaskList::ReplySeparators,
        MaskList::Dates,
        MaskList::Times,
    ];

    /// The list's key in a mask file.
    pub fn key(self) -> &'static str {
        match self {
            MaskList::Attributions => "attributions",
            MaskList::ForwardSeparators => "forward_separators",
            MaskList::ReplySeparators => "reply_separators",
            MaskList::Dates => "dates",
            MaskList::Times => "times",
        }
    }
}

/// One pattern of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaskEntry {
    /// The pattern as written in the file.
    pub pattern: String,
    /// False when the file's `disabled` list names it.
    pub enabled: bool,
}

/// One change to a mask file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MaskEdit {
    /// Replaces the pattern at `index` (a disabled pattern stays disabled).
    Set {
        /// Which list.
        list: MaskList,
        /// 0-based row.
        index: usize,
        /// The new pattern.
        pattern: String,
    },
    /// Appends a pattern.
    Add {
        /// Which list.
        list: MaskList,
        /// The new pattern.
        pattern: String,
    },
    /// Deletes the pattern at `index`.
    Remove {
        /// Which list.
        list: MaskList,
        /// 0-based row.
        index: usize,
    },
    /// Switches the pattern at `index` on or off.
    SetEnabled {
        /// Which list.
        list: MaskList,
        /// 0-based row.
        index: usize,
        /// On or off.
        enabled: bool,
    },
}

/// The patterns of each list in a mask file, with whether each is switched on.
pub fn mask_lists(source: &MaskSource) -> Result<Vec<(MaskList, Vec<MaskEntry>)>, MaskFileError> {
    let document = parse(source)?;
    let disabled = strings(&document, "disabled");
    Ok(MaskList::ALL
        .iter()
        .map(|&list| {
            let entries = strings(&document, list.key())
                .into_iter()
                .map(|pattern| MaskEntry { enabled: !disabled.contains(&pattern), pattern })
                .collect();
            (list, entries)
        })
        .collect())
}

/// The file's text with one change made; comments and layout elsewhere are kept.
pub fn apply_edit(source: &MaskSource, edit: &MaskEdit) -> Result<String, MaskFileError> {
    let mut document = parse(source)?;
    let problem = |message: String| MaskFileError { file: source.name.clone(), line: None, message };
    let (list, index) = match edit {
        MaskEdit::Set { list, index, .. }
        | MaskEdit::Remove { list, index }
        | MaskEdit::SetEnabled { list, index, .. } => (*list, Some(*index)),
        MaskEdit::Add { list, .. } => (*list, None),
    };
    let patterns = array_mut(&mut document, list.key()).map_err(problem)?;
    let old = match index {
        Some(index) => Some(
            patterns
                .get(index)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| problem(format!("{} has no pattern number {}", list.key(), index + 1)))?,
        ),
        None => None,
    };
    match edit {
        MaskEdit::Set { index, pattern, .. } => {
            patterns.replace(*index, pattern.as_str());
        }
        MaskEdit::Add { pattern, .. } => patterns.push(pattern.as_str()),
        MaskEdit::Remove { index, .. } => {
            patterns.remove(*index);
        }
        MaskEdit::SetEnabled { .. } => {}
    }
    let still_listed = |document: &DocumentMut, pattern: &str| {
        MaskList::ALL.iter().any(|list| strings(document, list.key()).iter().any(|other| other == pattern))
    };
    match (edit, old) {
        (MaskEdit::Set { pattern, .. }, Some(old)) if is_disabled(&document, &old) => {
            set_disabled(&mut document, &old, false).map_err(problem)?;
            set_disabled(&mut document, pattern, true).map_err(problem)?;
        }
        (MaskEdit::Remove { .. }, Some(old)) if !still_listed(&document, &old) => {
            set_disabled(&mut document, &old, false).map_err(problem)?;
        }
        (MaskEdit::SetEnabled { enabled, .. }, Some(old)) => {
            set_disabled(&mut document, &old, !enabled).map_err(problem)?;
        }
        _ => {}
    }
    Ok(document.to_string())
}

fn parse(source: &MaskSource) -> Result<DocumentMut, MaskFileError> {
    source.text.parse::<DocumentMut>().map_err(|error| MaskFileError {
        file: source.name.clone(),
        line: error.span().map(|span| line_of_offset(&source.text, span.start)),
        message: error.message().trim().to_string(),
    })
}

/// The strings of a top-level array (other values are the loader's business).
fn strings(document: &DocumentMut, key: &str) -> Vec<String> {
    document
        .get(key)
        .and_then(Item::as_array)
        .map(|array| array.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn is_disabled(document: &DocumentMut, pattern: &str) -> bool {
    strings(document, "disabled").iter().any(|disabled| disabled == pattern)
}

/// The top-level array `key`, created empty when the file has none.
fn array_mut<'a>(document: &'a mut DocumentMut, key: &str) -> Result<&'a mut Array, String> {
    if document.get(key).is_none() {
        document.insert(key, Item::Value(Value::Array(Array::new())));
    }
    document
        .get_mut(key)
        .and_then(Item::as_array_mut)
        .ok_or_else(|| format!("{key} is not a list of patterns"))
}

fn set_disabled(document: &mut DocumentMut, pattern: &str, disabled: bool) -> Result<(), String> {
    let list = array_mut(document, "disabled")?;
    let position = list.iter().position(|value| value.as_str() == Some(pattern));
    match (position, disabled) {
        (None, true) => list.push(pattern),
        (Some(position), false) => {
            list.remove(position);
        }
        _ => {}
    }
    if list.is_empty() {
        document.remove("disabled");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{match_header, AddressBook, MaskSet};

    fn source(text: &str) -> MaskSource {
        MaskSource { name: "xx.toml".into(), text: text.into() }
    }

    const FILE: &str = "# my masks\nid = \"xx\"\nname = \"Test\"\n\n# replies\nattributions = [\n  \"{sender} quoth on {date}:\", # old style\n  \"{sender} said:\",\n]\n";

    fn edit(text: &str, edit: MaskEdit) -> String {
        apply_edit(&source(text), &edit).unwrap()
    }

    fn attributions(text: &str) -> Vec<MaskEntry> {
        mask_lists(&source(text)).unwrap().remove(0).1
    }

    #[test]
    fn editing_a_pattern_keeps_the_comments() {
        let text = edit(
            FILE,
            MaskEdit::Set { list: MaskList::Attributions, index: 1, pattern: "{sender} wrote:".into() },
        );
        assert!(
            text.contains("# my masks") && text.contains("# replies") && text.contains("# old style"),
            "{text}"
        );
        let patterns: Vec<String> = attributions(&text).into_iter().map(|entry| entry.pattern).collect();
        assert_eq!(patterns, ["{sender} quoth on {date}:", "{sender} wrote:"]);
    }

    #[test]
    fn a_disabled_pattern_stops_matching_and_keeps_its_place_and_name() {
        let with_both =
            edit(FILE, MaskEdit::Add { list: MaskList::Attributions, pattern: "{sender} opined:".into() });
        let disabled =
            edit(&with_both, MaskEdit::SetEnabled { list: MaskList::Attributions, index: 1, enabled: false });
        assert_eq!(
            attributions(&disabled).iter().map(|entry| entry.enabled).collect::<Vec<_>>(),
            [true, false, true]
        );
        let masks = MaskSet::from_sources(&[source(&disabled)]).unwrap();
        let book = AddressBook::new();
        assert!(match_header("Ann Lee <ann@example.com> said:", &masks, &book).is_none());
        // The third template keeps its number although the second is off.
        let header = match_header("Ann Lee <ann@example.com> opined:", &masks, &book).unwrap();
        assert_eq!(header.mask, "xx/attribution-3");

        let enabled =
            edit(&disabled, MaskEdit::SetEnabled { list: MaskList::Attributions, index: 1, enabled: true });
        assert!(!enabled.contains("disabled"), "{enabled}");
        let masks = MaskSet::from_sources(&[source(&enabled)]).unwrap();
        assert_eq!(
            match_header("Ann Lee <ann@example.com> said:", &masks, &book).unwrap().mask,
            "xx/attribution-2"
        );
    }

    #[test]
    fn renaming_or_removing_a_disabled_pattern_updates_the_disabled_list() {
        let disabled =
            edit(FILE, MaskEdit::SetEnabled { list: MaskList::Attributions, index: 1, enabled: false });
        let renamed = edit(
            &disabled,
            MaskEdit::Set { list: MaskList::Attributions, index: 1, pattern: "{sender} wrote:".into() },
        );
        assert_eq!(
            attributions(&renamed)[1],
            MaskEntry { pattern: "{sender} wrote:".into(), enabled: false }
        );
        assert!(MaskSet::from_sources(&[source(&renamed)]).is_ok());
        let removed = edit(&renamed, MaskEdit::Remove { list: MaskList::Attributions, index: 1 });
        assert!(!removed.contains("disabled"), "{removed}");
        assert!(MaskSet::from_sources(&[source(&removed)]).is_ok());
    }

    #[test]
    fn a_list_the_file_lacks_is_created() {
        let text =
            edit(FILE, MaskEdit::Add { list: MaskList::ForwardSeparators, pattern: "Weitergeleitet".into() });
        let lists = mask_lists(&source(&text)).unwrap();
        assert_eq!(lists[1].0, MaskList::ForwardSeparators);
        assert_eq!(lists[1].1, [MaskEntry { pattern: "Weitergeleitet".into(), enabled: true }]);
    }

    #[test]
    fn bad_rows_and_broken_files_are_errors_not_panics() {
        let error = apply_edit(&source(FILE), &MaskEdit::Remove { list: MaskList::Attributions, index: 7 })
            .unwrap_err();
        assert!(error.message.contains("no pattern number 8"), "{error}");
        let error = apply_edit(
            &source("id = \"xx\"\nattributions = 3\n"),
            &MaskEdit::Add { list: MaskList::Attributions, pattern: "x".into() },
        )
        .unwrap_err();
        assert!(error.message.contains("not a list"), "{error}");
        let error = mask_lists(&source("id = \"xx\"\nname = [\n")).unwrap_err();
        assert_eq!(error.file, "xx.toml");
        assert!(error.line.is_some(), "{error}");
    }

    #[test]
    fn a_disabled_entry_that_names_no_pattern_is_reported_with_its_line() {
        let text = format!("{FILE}disabled = [\"{{sender}} sang:\"]\n");
        let error = MaskSet::from_sources(&[source(&text)]).unwrap_err();
        assert!(error.message.contains("not a pattern of this file"), "{error}");
        assert_eq!(error.line, Some(10));
    }
}
