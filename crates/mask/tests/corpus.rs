//! Corpus test over the crisp-oss/email-forward-parser fixtures in `/work/shared/corpus`
//! (read from disk, never copied into the repo; the test skips when the directory is absent).
//!
//! Every `*_body*.txt` holds one forwarded or quoted message from John Doe; the README beside
//! the fixtures lists the variants whose sender differs. The date and time of a sample of files
//! were labelled by hand, by reading them, in `LABELLED_DATES`.

use std::path::{Path, PathBuf};

use tidings_mask::{render, AddressBook, Body, MaskSet, QuoteKind, RenderOptions, TopHeader};

/// The fixture files whose names contain `part` (`_body`, `_subject`), sorted.
fn fixtures_named(dir: &Path, part: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().contains(part))
        .collect();
    files.sort();
    files
}

fn fixtures_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("TIDINGS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("corpus/email-forward-parser/fixtures");
    dir.is_dir().then_some(dir)
}

/// The expected sender of a fixture, from the corpus README.
fn expected_sender(file: &str) -> (Option<&'static str>, Option<&'static str>) {
    if file.contains("_variant_5") {
        (None, Some("john.doe@acme.com"))
    } else if file.contains("_variant_11") {
        (Some("John, Doe"), Some("john.doe@acme.com"))
    } else if file.contains("_variant_12") {
        (Some("John Doe"), None)
    } else if file == "thunderbird_en_body_variant_4.txt" || file == "mailmate_en_body_variant_4.txt" {
        // These reply attributions carry no address ("On 03/11/2021 15:51, John Doe wrote:").
        (Some("John Doe"), None)
    } else if file == "hubspot_en_body_variant_4.txt" {
        // This reply quotes a different sender; read from the file.
        (Some("Eliott Vincent"), Some("archive@eliottvincent.com"))
    } else {
        (Some("John Doe"), Some("john.doe@acme.com"))
    }
}

/// Date and time of the first header in a sample of fixtures, labelled by reading each file.
const LABELLED_DATES: &[(&str, &str, &str)] = &[
    ("apple_mail_cs_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_da_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_de_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_en_body.txt", "2021-10-25", "11:17:21"),
    ("apple_mail_en_body_variant_4.txt", "2021-10-25", "11:43"),
    ("apple_mail_en_body_variant_13.txt", "2022-08-17", "09:06:24"),
    ("apple_mail_es_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_fi_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_fr_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_hr_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_hu_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_it_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_nl_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_no_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_pl_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_pt_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_ro_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_ru_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_sk_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_sv_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_tr_body.txt", "2021-10-26", "14:25:08"),
    ("apple_mail_uk_body.txt", "2021-10-26", "14:25:08"),
    ("gmail_cs_body.txt", "2021-10-27", "09:31"),
    ("gmail_da_body.txt", "2021-10-27", "09:31"),
    ("gmail_de_body.txt", "2021-10-27", "09:31"),
    ("gmail_en_body.txt", "2021-10-27", "09:31"),
    ("gmail_en_body_variant_4.txt", "2021-10-27", "09:31"),
    ("gmail_en_body_variant_14.txt", "2023-04-06", "16:17"),
    ("gmail_es_body.txt", "2021-10-27", "09:31"),
    ("gmail_et_body.txt", "2021-10-27", "09:31"),
    ("gmail_fi_body.txt", "2021-10-27", "09:31"),
    ("gmail_fr_body.txt", "2021-10-27", "09:31"),
    ("gmail_hr_body.txt", "2021-10-27", "09:31"),
    ("gmail_hu_body.txt", "2021-10-27", "09:31"),
    ("gmail_it_body.txt", "2021-10-27", "09:31"),
    ("gmail_nl_body.txt", "2021-10-27", "09:31"),
    ("gmail_no_body.txt", "2021-10-27", "09:31"),
    ("gmail_pl_body.txt", "2021-10-27", "09:31"),
    ("gmail_pt_body.txt", "2021-10-27", "09:31"),
    ("gmail_pt_br_body.txt", "2021-10-27", "09:31"),
    ("gmail_ro_body.txt", "2021-10-27", "09:31"),
    ("gmail_ru_body.txt", "2021-10-27", "09:31"),
    ("gmail_sk_body.txt", "2021-10-27", "09:31"),
    ("gmail_sv_body.txt", "2021-10-27", "09:31"),
    ("gmail_tr_body.txt", "2021-10-27", "09:31"),
    ("gmail_uk_body.txt", "2021-10-27", "09:31"),
    ("hubspot_de_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_en_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_en_body_variant_4.txt", "2022-09-20", "03:44"),
    ("hubspot_es_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_fi_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_fr_body.txt", "2022-09-19", "15:20:05"),
    ("hubspot_it_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_ja_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_nl_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_pl_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_pt_br_body.txt", "2022-09-19", "17:55:44"),
    ("hubspot_sv_body.txt", "2022-09-19", "17:55:44"),
    ("ionos_one_and_one_en_body.txt", "2023-02-10", "16:52"),
    ("mailmate_en_body.txt", "2021-10-27", "09:31:00"),
    ("mailmate_en_body_variant_4.txt", "2022-07-19", "15:36"),
    ("missive_en_body.txt", "2022-07-19", "15:09"),
    ("missive_en_body_variant_4.txt", "2022-07-19", "15:36"),
    ("new_outlook_2019_cs_body.txt", "2021-10-28", "12:06"),
    ("new_outlook_2019_da_body.txt", "2021-10-28", "12:06"),
    ("new_outlook_2019_de_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_en_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_es_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_fi_body.txt", "2021-10-28", "12:06"),
    ("new_outlook_2019_fr_body.txt", "2021-10-28", "12:06"),
    ("new_outlook_2019_hu_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_it_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_nl_body.txt", "2021-10-28", "12:06"),
    ("new_outlook_2019_no_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_pl_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_pt_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_ru_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_sk_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_sv_body.txt", "2021-10-28", "12:46"),
    ("new_outlook_2019_tr_body.txt", "2021-10-28", "12:46"),
    ("outlook_2013_en_body.txt", "2021-10-25", "11:17"),
    ("outlook_2019_cz_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_da_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_de_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_en_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_es_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_fi_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_fr_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_hu_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_it_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_nl_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_no_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_pl_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_pt_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_ru_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_sk_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_sv_body.txt", "2021-10-28", "12:46"),
    ("outlook_2019_tr_body.txt", "2021-10-28", "12:46"),
    ("outlook_live_body.txt", "2021-10-27", "15:14"),
    ("outlook_live_en_body_variant_14.txt", "2023-04-06", "16:17"),
    ("thunderbird_cs_body.txt", "2021-11-03", "15:51:30"),
    ("thunderbird_en_body.txt", "2021-11-03", "15:51:30"),
    ("thunderbird_en_body_variant_4.txt", "2021-11-03", "15:51"),
    ("thunderbird_ru_body.txt", "2021-11-03", "15:51:30"),
    ("unknown_en_body_variant_12.txt", "2022-07-23", "07:53"),
    ("yahoo_en_body.txt", "2021-11-02", "09:26:50"),
    ("yahoo_en_body_variant_4.txt", "2021-11-02", "15:01:36"),
    ("yahoo_pl_body.txt", "2021-11-02", "09:26:50"),
    ("yahoo_tr_body.txt", "2021-11-02", "09:26:50"),
    ("yahoo_uk_body.txt", "2021-11-02", "09:26:50"),
];

#[test]
fn forwarded_headers_in_the_email_forward_parser_corpus() {
    let Some(dir) = fixtures_dir() else {
        println!("SKIPPED: /work/shared/corpus/email-forward-parser/fixtures is absent (set TIDINGS_SHARED)");
        return;
    };
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    let options = RenderOptions::default();
    let files = fixtures_named(&dir, "_body");
    assert!(files.len() > 150, "expected the whole corpus, found {} files", files.len());

    let mut exact = 0;
    let mut misses = Vec::new();
    let mut dates_right = 0;
    let mut date_misses = Vec::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let body = std::fs::read_to_string(path).unwrap();
        let rendering = render(Body::Text(&body), None, &masks, &book, &options);
        let expected = expected_sender(&file);
        // The header of interest is the outermost one (the first in document order).
        let first = rendering.quotes.first();
        let got = first.map(|quote| (quote.fields.name.as_deref(), quote.fields.email.as_deref()));
        if got == Some(expected) {
            exact += 1;
        } else {
            misses.push(format!("{file}: expected {expected:?}, got {got:?}"));
        }
        if file.contains("_variant_4") {
            assert_eq!(first.map(|quote| quote.kind), Some(QuoteKind::Reply), "{file} is a reply");
        }
        if let Some((_, date, time)) = LABELLED_DATES.iter().find(|(name, _, _)| *name == file) {
            let got = first.map(|quote| (quote.fields.date.as_deref(), quote.fields.time.as_deref()));
            if got == Some((Some(date), Some(time))) {
                dates_right += 1;
            } else {
                date_misses.push(format!("{file}: expected {date} {time}, got {got:?}"));
            }
        }
    }
    let share = exact as f64 / files.len() as f64 * 100.0;
    println!("sender name+address exact: {exact}/{} = {share:.1}%", files.len());
    for miss in &misses {
        println!("  miss: {miss}");
    }
    let date_share = dates_right as f64 / LABELLED_DATES.len() as f64 * 100.0;
    println!("date+time exact on {} labelled files: {dates_right} = {date_share:.1}%", LABELLED_DATES.len());
    for miss in &date_misses {
        println!("  date miss: {miss}");
    }
    assert!(share >= 97.0, "sender accuracy {share:.1}% is below 97%");
    assert!(date_share >= 90.0, "date accuracy {date_share:.1}% is below 90%");
}

/// The corpus gives the subject of its Outlook fixtures (`*_subject*.txt`, beside the body):
/// "Re:" for the replies (variant 4), a forward prefix of the client's language for the rest
/// ("WG:", "RV:", "I:", "PD:", "ENC:", "VB:", "VL:", "İLT:", "Redir.:", "Videresend:", …).
/// With that subject as the top message's, the outermost header must be read as the subject
/// says. "VS:" (Danish and Norwegian forward, Finnish reply) decides nothing; those forwards
/// stand at the top of the body, so the placement guess still calls them forwards.
#[test]
fn corpus_subjects_decide_reply_or_forward() {
    let Some(dir) = fixtures_dir() else {
        println!("SKIPPED: /work/shared/corpus/email-forward-parser/fixtures is absent (set TIDINGS_SHARED)");
        return;
    };
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    let options = RenderOptions::default();
    let subjects = fixtures_named(&dir, "_subject");
    assert!(subjects.len() >= 40, "expected the corpus subjects, found {}", subjects.len());
    let mut wrong = Vec::new();
    for path in &subjects {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let body_path = dir.join(file.replace("_subject", "_body"));
        let Ok(body) = std::fs::read_to_string(&body_path) else { continue };
        let subject = std::fs::read_to_string(path).unwrap().trim().to_string();
        let expected = if subject.starts_with("Re:") { QuoteKind::Reply } else { QuoteKind::Forward };
        let top = TopHeader { subject: Some(subject.clone()), ..TopHeader::default() };
        let rendering = render(Body::Text(&body), Some(&top), &masks, &book, &options);
        let got = rendering.quotes.first().map(|quote| quote.kind);
        if got != Some(expected) {
            wrong.push(format!("{file} ({subject}): expected {expected:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "kinds not as the subject says:\n{}", wrong.join("\n"));
}
