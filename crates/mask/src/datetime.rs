//! Reading dates, times and UTC offsets out of header text with the date and time masks.
//!
//! The masks find where a date is and which part is which; this module turns those parts into
//! calendar values with chrono, resolving two-digit years and ambiguous day/month order (by the
//! language and by the rule that a quote is older than the message quoting it). It does not find
//! headers and does not format anything for display.

use chrono::{Datelike, NaiveDate};
use regex::Captures;

use crate::masks::{parse_offset_minutes, DateOrder, MaskSet};

/// A time of day as written: seconds only when the header showed them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeOfDay {
    pub hour: u32,
    pub minute: u32,
    pub second: Option<u32>,
}

/// What could be read from a header's date text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DateTimeParts {
    pub date: Option<NaiveDate>,
    pub time: Option<TimeOfDay>,
    /// Minutes east of UTC.
    pub offset_minutes: Option<i32>,
}

impl DateTimeParts {
    /// `YYYY-MM-DD`.
    pub fn date_text(&self) -> Option<String> {
        self.date.map(|date| date.format("%Y-%m-%d").to_string())
    }

    /// `HH:MM`, or `HH:MM:SS` when the header showed seconds.
    pub fn time_text(&self) -> Option<String> {
        self.time.map(|time| match time.second {
            Some(second) => format!("{:02}:{:02}:{:02}", time.hour, time.minute, second),
            None => format!("{:02}:{:02}", time.hour, time.minute),
        })
    }

    /// `+HH:MM`.
    pub fn offset_text(&self) -> Option<String> {
        self.offset_minutes.map(format_offset)
    }
}

/// Formats minutes east of UTC as `+HH:MM`.
pub(crate) fn format_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Reads a date, a time and an offset from `text`.
///
/// `preferred` is the language whose masks found the header (tried first, and used for the
/// day/month order of numeric dates); `newest` is the latest date the quote may have, when known.
pub(crate) fn parse(
    masks: &MaskSet,
    text: &str,
    preferred: Option<usize>,
    newest: Option<NaiveDate>,
) -> DateTimeParts {
    // 1. The longest date match over all languages wins: "st 27. 10. 2021" is better read by the
    //    Czech pattern with its weekday than by a bare numeric one.
    let mut candidates: Vec<(usize, usize, usize, usize)> = Vec::new();
    let date_languages = masks.date_languages.as_ref().map(|set| set.matches(text));
    for language_index in masks.languages_for(preferred) {
        let language = &masks.languages[language_index];
        let may_match = match &date_languages {
            Some(matches) => matches.matched(language_index),
            None => language.any_date.as_ref().is_some_and(|any| any.is_match(text)),
        };
        if !may_match {
            continue;
        }
        for (pattern_index, regex) in language.dates.iter().enumerate() {
            if let Some(found) = regex.find(text) {
                candidates.push((found.len(), language_index, pattern_index, found.end()));
            }
        }
    }
    // A stable sort keeps the preferred language first among equally long matches.
    candidates.sort_by_key(|candidate| std::cmp::Reverse(candidate.0));

    // 2. The time is searched after the date; which date reading is right depends on the time
    //    (a 24-hour clock changes the day/month order of some languages), so each candidate is
    //    tried with the time that follows it, and the first that resolves wins.
    let time_after = |start: usize| match find_time(masks, &text[start..], preferred) {
        Some(((time, meridiem), end)) => (Some(time), Some((start + end, meridiem))),
        None => (None, None),
    };
    let mut date = None;
    let mut date_span = None;
    let mut time_and_end = None;
    for (length, language_index, pattern_index, end) in &candidates {
        let language = &masks.languages[*language_index];
        let Some(captures) = language.dates[*pattern_index].captures(text) else { continue };
        let (time, time_end) = time_after(*end);
        let uses_meridiem = time_end.is_some_and(|(_, meridiem)| meridiem);
        // Numeric dates follow the language of the header, not of the pattern that read them.
        let order_language = preferred.and_then(|index| masks.languages.get(index)).unwrap_or(language);
        let order =
            if time.is_some() && !uses_meridiem { order_language.order_24h } else { order_language.order };
        if let Some(resolved) = resolve_date(masks, text, *language_index, &captures, order, newest) {
            date = Some(resolved);
            date_span = Some((end - length, *end));
            time_and_end = Some((time, time_end));
            break;
        }
    }
    let (mut time, mut time_end) = time_and_end.unwrap_or_else(|| time_after(0));
    if let (None, Some((date_start, _))) = (time, date_span) {
        // Some webmails write the time first: Interia's "10:15 Poniedziałek 2022-01-03".
        if let Some(((before, meridiem), end)) = find_time(masks, &text[..date_start], preferred) {
            (time, time_end) = (Some(before), Some((end, meridiem)));
        }
    }

    // The zone follows the time, or (Apple Mail in Chinese: "2022年1月3日 GMT+8 14:44:02") sits
    // between the date and the time.
    let offset_minutes = time_end.and_then(|(end, _)| {
        find_offset(masks, &text[end..]).or_else(|| {
            date_span
                .map(|(_, date_end)| date_end)
                .filter(|&date_end| date_end <= end)
                .and_then(|date_end| find_offset(masks, &text[date_end..end]))
        })
    });
    DateTimeParts { date, time, offset_minutes }
}

/// The first time in `text`: ((time, had AM/PM), end offset).
fn find_time(masks: &MaskSet, text: &str, preferred: Option<usize>) -> Option<((TimeOfDay, bool), usize)> {
    let mut best: Option<(usize, usize, usize, usize)> = None;
    let time_languages = masks.time_languages.as_ref().map(|set| set.matches(text));
    // A pattern shared by several languages is searched once: its first language (the
    // preferred one, if it has it) is the one that would win a tie anyway.
    let mut searched = vec![false; masks.time_pattern_count];
    for language_index in masks.languages_for(preferred) {
        let language = &masks.languages[language_index];
        let may_match = match &time_languages {
            Some(matches) => matches.matched(language_index),
            None => language.any_time.as_ref().is_some_and(|any| any.is_match(text)),
        };
        if !may_match {
            continue;
        }
        for (pattern_index, regex) in language.times.iter().enumerate() {
            if let Some(seen) = language.time_keys.get(pattern_index).and_then(|&key| searched.get_mut(key)) {
                if std::mem::replace(seen, true) {
                    continue;
                }
            }
            // `find` runs on the fast DFA; captures are taken only for the winner.
            let Some(found) = regex.find(text) else { continue };
            // Compare where the text starts: a pattern that also swallows the space before the
            // time must not win just for starting earlier.
            let start = found.start() + (found.as_str().len() - found.as_str().trim_start().len());
            let better = match best {
                None => true,
                Some((best_start, best_end, _, _)) => {
                    start < best_start || (start == best_start && found.end() > best_end)
                }
            };
            if better {
                best = Some((start, found.end(), language_index, pattern_index));
            }
        }
    }
    let (_, end, language_index, pattern_index) = best?;
    let captures = masks.languages[language_index].times[pattern_index].captures(text)?;
    let number = |name: &str| captures.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let mut hour = number("hour")?;
    let minute = number("minute")?;
    let second = number("second");
    let meridiem = captures.name("ampm").and_then(|word| {
        let key = word.as_str().to_lowercase();
        masks.meridiems.get(&key).or_else(|| masks.meridiems.get(key.trim_end_matches('.'))).copied()
    });
    match meridiem {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    if hour > 23 || minute > 59 || second.is_some_and(|second| second > 60) {
        return None;
    }
    Some(((TimeOfDay { hour, minute, second }, meridiem.is_some()), end))
}

/// A zone at the start of `text`: `+0300`, `GMT+3`, `(UTC)`, `[GMT+8]`, `EEST`, ISO 8601's `Z`.
fn find_offset(masks: &MaskSet, text: &str) -> Option<i32> {
    let zone = masks.time_zone.as_ref()?.captures(text)?.name("tz")?.as_str();
    // The first zone written gives the offset; an abbreviation in brackets after an offset
    // ("+0100 (CET)") only repeats it.
    let zone =
        zone.trim_start_matches(['(', '[']).split(['(', ')', '[', ']']).next().unwrap_or_default().trim();
    if zone == "Z" {
        return Some(0);
    }
    if let Some(minutes) = parse_offset_minutes(zone) {
        return Some(minutes);
    }
    let upper = zone.to_uppercase();
    for prefix in ["GMT", "UTC"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
            return if rest.is_empty() { Some(0) } else { parse_offset_minutes(&rest) };
        }
    }
    masks.zone_offsets.get(&upper).copied()
}

fn resolve_date(
    masks: &MaskSet,
    text: &str,
    language: usize,
    captures: &Captures<'_>,
    order: DateOrder,
    newest: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let number = |name: &str| captures.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    // A number cut out of a longer one is no part of a date: "January 2022" is not the 20th of
    // (20)22.
    let cut_from_a_number = ["day", "month", "year", "year4"]
        .into_iter()
        .filter_map(|name| captures.name(name))
        .any(|part| text[part.end()..].starts_with(|c: char| c.is_ascii_digit()));
    // A date without separators must be the whole number: "1220104" and "2201045" are none.
    let compact = ["yy", "mm", "dd"].into_iter().any(|name| captures.name(name).is_some());
    let whole = captures.get(0)?;
    let compact_cut = compact
        && (text[..whole.start()].ends_with(|c: char| c.is_ascii_digit())
            || text[whole.end()..].starts_with(|c: char| c.is_ascii_digit()));
    if cut_from_a_number || compact_cut {
        return None;
    }
    let year_match = ["year", "year4", "yy"].into_iter().find_map(|name| captures.name(name))?;
    let year_text = year_match.as_str();
    // "27 octobre 09:31" has no year: two digits followed by ":" or "." and a digit are an hour.
    let after_year = &text[year_match.end()..];
    let mut after = after_year.chars();
    if year_text.len() <= 2
        && matches!(after.next(), Some(':' | '.' | 'h'))
        && after.next().is_some_and(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut year: i32 = year_text.parse().ok()?;
    if year_text.len() <= 2 {
        // Two-digit years: the century that keeps the quote from lying in the future.
        let newest_year = newest.map(|date| date.year()).unwrap_or(2069);
        year += 2000;
        if year > newest_year {
            year -= 100;
        }
    }
    let month = number("month").or_else(|| number("mm")).or_else(|| {
        let word = captures.name("monthname")?.as_str();
        masks.month_number(language, word)
    });
    let mut options: Vec<(u32, u32)> = Vec::with_capacity(2);
    match (number("day").or_else(|| number("dd")), month, number("a"), number("b")) {
        (Some(day), Some(month), _, _) => options.push((day, month)),
        (None, None, Some(a), Some(b)) => match order {
            DateOrder::DayMonth => options.extend([(a, b), (b, a)]),
            DateOrder::MonthDay => options.extend([(b, a), (a, b)]),
        },
        _ => return None,
    }
    let valid: Vec<NaiveDate> = options
        .into_iter()
        .filter_map(|(day, month)| NaiveDate::from_ymd_opt(year, month, day))
        .filter(|date| (1970..=2100).contains(&date.year()))
        .collect();
    // A quote is older than the message that quotes it: prefer readings that respect that.
    let not_after_newest = valid.iter().copied().find(|date| newest.is_none_or(|newest| *date <= newest));
    not_after_newest.or_else(|| valid.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(
        text: &str,
        language: &str,
        newest: Option<NaiveDate>,
    ) -> (Option<String>, Option<String>, Option<String>) {
        let masks = MaskSet::builtin();
        let preferred = masks.languages.iter().position(|l| l.id == language);
        assert!(preferred.is_some(), "no language {language}");
        let parts = parse(&masks, text, preferred, newest);
        (parts.date_text(), parts.time_text(), parts.offset_text())
    }

    #[test]
    fn dates_times_and_offsets_in_many_languages() {
        let s = |v: &str| Some(v.to_string());
        let table = [
            ("en", "Wed, Oct 27, 2021 at 9:31 AM", s("2021-10-27"), s("09:31"), None),
            (
                "en",
                "Monday, September 19, 2022, 5:55:44 PM -0400",
                s("2022-09-19"),
                s("17:55:44"),
                s("-04:00"),
            ),
            ("en", "25 October 2021 at 11:17:21 EEST", s("2021-10-25"), s("11:17:21"), s("+03:00")),
            ("en", "Wed, 3 Nov 2021 15:51:30 +0100", s("2021-11-03"), s("15:51:30"), s("+01:00")),
            ("en", "02/10/2023 4:52 PM EST", s("2023-02-10"), s("16:52"), s("-05:00")),
            ("en", "03/11/2021 15:51", s("2021-11-03"), s("15:51"), None),
            ("en", "Wed, 27 Oct 2021 09:31:00 (UTC)", s("2021-10-27"), s("09:31:00"), s("+00:00")),
            ("en", "Wed, Oct 27, 2021 at 9:31 AM EDT", s("2021-10-27"), s("09:31"), s("-04:00")),
            ("en", "27 Oct 2021 09:31 GMT+03:00", s("2021-10-27"), s("09:31"), s("+03:00")),
            (
                "en",
                "Tuesday, November 2, 2021, 09:26:50 AM GMT+1",
                s("2021-11-02"),
                s("09:26:50"),
                s("+01:00"),
            ),
            ("ru", "ср, 27 окт. 2021 г. в 09:31", s("2021-10-27"), s("09:31"), None),
            ("ru", "26 октября 2021 г. в 14:25:08 GMT+3", s("2021-10-26"), s("14:25:08"), s("+03:00")),
            ("cs", "26. října 2021 14:25:08 GMT+3", s("2021-10-26"), s("14:25:08"), s("+03:00")),
            ("cs", "st 27. 10. 2021 v 9:31", s("2021-10-27"), s("09:31"), None),
            ("de", "Mi., 27. Okt. 2021 um 09:31 Uhr", s("2021-10-27"), s("09:31"), None),
            ("de", "26. Oktober 2021 um 14:25:08 OESZ", s("2021-10-26"), s("14:25:08"), s("+03:00")),
            ("fr", "mer. 27 oct. 2021 à 09:31", s("2021-10-27"), s("09:31"), None),
            ("fr", "17 août 2022 à 09:06:24 UTC+2", s("2022-08-17"), s("09:06:24"), s("+02:00")),
            ("tr", "27 Eki 2021 Çar, 09:31", s("2021-10-27"), s("09:31"), None),
            ("hu", "2021. okt. 27., Sze, 9:31", s("2021-10-27"), s("09:31"), None),
            ("fi", "26. lokakuuta 2021 klo 14.25.08 UTC+3", s("2021-10-26"), s("14:25:08"), s("+03:00")),
            ("da", "ons. 27. okt. 2021 kl. 09.31", s("2021-10-27"), s("09:31"), None),
            ("ja", "2022年9月19日月曜日 17:55:44 -0400", s("2022-09-19"), s("17:55:44"), s("-04:00")),
            ("zh", "2021年10月27日 周三 09:31", s("2021-10-27"), s("09:31"), None),
            ("pt", "28/10/21, 12:46", s("2021-10-28"), s("12:46"), None),
            ("pt-BR", "qua., 27 de out. de 2021 às 09:31", s("2021-10-27"), s("09:31"), None),
            ("et", "K, 27. oktoober 2021 kell 09:31", s("2021-10-27"), s("09:31"), None),
            ("uk", "26 жовтня 2021 р. о 14:25:08 GMT+3", s("2021-10-26"), s("14:25:08"), s("+03:00")),
            ("pl", "wtorek, 2 listopada 2021, 09:26:50 CET", s("2021-11-02"), s("09:26:50"), s("+01:00")),
            ("en", "2022-01-03 10:15:00Z", s("2022-01-03"), s("10:15:00"), s("+00:00")),
            ("pl", "10:15 Poniedziałek 2022-01-03", s("2022-01-03"), s("10:15"), None),
            ("en", "Monday, January 2022 10:15 AM", None, s("10:15"), None),
            ("en", "Mon, 3 Jan 2022 10:15:23 +0100 (CET)", s("2022-01-03"), s("10:15:23"), s("+01:00")),
            (
                "en",
                "Monday, January 3, 2022 10:15 AM Pacific Standard Time",
                s("2022-01-03"),
                s("10:15"),
                s("-08:00"),
            ),
            ("de", "03.01.2022 10:15 Mitteleuropäische Zeit", s("2022-01-03"), s("10:15"), s("+01:00")),
            ("en", "220104 09:12 +0100", s("2022-01-04"), s("09:12"), s("+01:00")),
            ("en", "2201045 09:12", None, s("09:12"), None),
            ("en", "1220104 09:12", None, s("09:12"), None),
        ];
        for (language, text, date, time, offset) in table {
            assert_eq!(read(text, language, None), (date, time, offset), "{language}: {text}");
        }
    }

    #[test]
    fn the_quoting_message_date_resolves_day_month_order() {
        let newest = NaiveDate::from_ymd_opt(2021, 4, 1);
        // 04/03/2021 read as 4 March by a day-first language; as 3 April it would postdate its reply...
        assert_eq!(read("04/03/2021", "de", newest).0.as_deref(), Some("2021-03-04"));
        // ...and a month-first reading that would lie in the future is swapped.
        let newest = NaiveDate::from_ymd_opt(2021, 3, 10);
        assert_eq!(read("04/03/2021 4:00 PM", "en", newest).0.as_deref(), Some("2021-03-04"));
        assert_eq!(read("04/03/2021 4:00 PM", "en", None).0.as_deref(), Some("2021-04-03"));
    }

    #[test]
    fn two_digit_years_stay_in_the_past_of_the_quoting_message() {
        let newest = NaiveDate::from_ymd_opt(2021, 12, 1);
        assert_eq!(read("28/10/21", "fr", newest).0.as_deref(), Some("2021-10-28"));
        assert_eq!(read("28/10/99", "fr", newest).0.as_deref(), Some("1999-10-28"));
    }
}
