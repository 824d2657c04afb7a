//! One table per mask family (attribution templates, field blocks, separators), across the
//! languages, through `match_header` — the call behind the settings panel's live preview.

use tidings_mask::{match_header, AddressBook, MaskSet, MaskSource, QuoteKind};

type Row =
    (&'static str, Option<&'static str>, Option<&'static str>, Option<&'static str>, Option<&'static str>);

fn check_rows(rows: &[Row]) {
    let masks = MaskSet::builtin();
    let book = AddressBook::new();
    for (text, name, email, date, time) in rows {
        let header = match_header(text, &masks, &book).unwrap_or_else(|| panic!("no mask matched {text:?}"));
        let seen = (
            header.fields.name.as_deref(),
            header.fields.email.as_deref(),
            header.fields.date.as_deref(),
            header.fields.time.as_deref(),
        );
        assert_eq!(seen, (*name, *email, *date, *time), "{text:?} via {}", header.mask);
        assert_eq!(header.depth, 0);
    }
}

#[test]
fn attribution_templates() {
    let j = Some("John Doe");
    let e = Some("john@x.org");
    let d = Some("2021-10-27");
    let t = Some("09:31");
    check_rows(&[
        ("On Wed, 27 Oct 2021 at 09:31, John Doe <john@x.org> wrote:", j, e, d, t),
        ("On 10/27/21, 9:31 AM, \"John Doe\" <john@x.org> wrote:", j, e, d, t),
        ("27.10.2021, 09:31, \"John Doe\" <john@x.org>:", j, e, d, t),
        ("Wednesday, 27 October 2021, 9:31 +03:00 from John Doe <john@x.org>:", j, e, d, t),
        ("Am 27.10.2021 um 09:31 schrieb John Doe <john@x.org>:", j, e, d, t),
        (
            "Am Mittwoch, 27. Oktober 2021, 09:31:36 MESZ hat John Doe <john@x.org> Folgendes geschrieben:",
            j,
            e,
            d,
            Some("09:31:36"),
        ),
        ("Le 27 oct. 2021 à 09:31, John Doe <john@x.org> a écrit :", j, e, d, t),
        ("El 27 oct 2021, a las 9:31, John Doe <john@x.org> escribió:", j, e, d, t),
        ("Il giorno 27 ott 2021, alle ore 09:31, John Doe <john@x.org> ha scritto:", j, e, d, t),
        ("Em 27 de out. de 2021, à(s) 09:31, John Doe <john@x.org> escreveu:", j, e, d, t),
        ("Op 27 okt. 2021 om 09:31 heeft John Doe <john@x.org> het volgende geschreven:", j, e, d, t),
        ("27 окт. 2021 г., в 09:31, John Doe <john@x.org> написал(а):", j, e, d, t),
        ("Среда, 27 октября 2021, 9:31 +03:00 от John Doe <john@x.org>:", j, e, d, t),
        ("27 жовт. 2021 о 09:31 John Doe <john@x.org> пише:", j, e, d, t),
        ("Wiadomość napisana przez John Doe <john@x.org> w dniu 27.10.2021, o godz. 09:31:", j, e, d, t),
        ("27. 10. 2021 v 9:31, John Doe <john@x.org>:", j, e, d, t),
        ("27 okt. 2021 kl. 09:31 skrev John Doe <john@x.org>:", j, e, d, t),
        ("Den 27. okt. 2021 kl. 09.31 skrev John Doe <john@x.org>:", j, e, d, t),
        ("John Doe <john@x.org> kirjoitti 27.10.2021 kello 9.31:", j, e, d, t),
        ("John Doe <john@x.org> ezt írta (időpont: 2021. okt. 27. 9:31):", j, e, d, t),
        ("John Doe <john@x.org> şunları yazdı (27 Eki 2021 09:31):", j, e, d, t),
        ("Pe 27 oct. 2021, la 09:31, John Doe <john@x.org> a scris:", j, e, d, t),
        ("sri, 27. lis 2021. u 09:31 John Doe <john@x.org> napisao je:", j, e, d, t),
        ("John Doe <john@x.org> kirjutas kuupäeval K, 27. oktoober 2021 kell 09:31:", j, e, d, t),
        ("2021/10/27 9:31、John Doe <john@x.org>のメール:", j, e, d, t),
        ("John Doe <john@x.org> 于2021年10月27日 上午9:31 写道：", j, e, d, t),
        ("On 27/10/2021 09:31, John Doe wrote:", j, None, d, t),
    ]);
}

#[test]
fn field_blocks_and_separators() {
    let j = Some("John Doe");
    let e = Some("john@x.org");
    let d = Some("2021-10-27");
    let t = Some("09:31");
    check_rows(&[
        ("From: John Doe <john@x.org>\nSent: Wednesday, October 27, 2021 9:31 AM\nTo: Ann\nSubject: Hi", j, e, d, t),
        ("Von: John Doe <john@x.org>\nGesendet: Mittwoch, 27. Oktober 2021 09:31\nAn: Ann\nBetreff: Hi", j, e, d, t),
        ("De : John Doe <john@x.org>\nEnvoyé : mercredi 27 octobre 2021 09:31\nÀ : Ann\nObjet : Hi", j, e, d, t),
        ("De: John Doe <john@x.org>\nEnviado el: miércoles, 27 de octubre de 2021 9:31\nPara: Ann\nAsunto: Hola", j, e, d, t),
        ("Da: John Doe <john@x.org>\nInviato: mercoledì 27 ottobre 2021 09:31\nA: Ann\nOggetto: Ciao", j, e, d, t),
        ("Van: John Doe <john@x.org>\nVerzonden: woensdag 27 oktober 2021 09:31\nAan: Ann\nOnderwerp: Hoi", j, e, d, t),
        ("От: John Doe <john@x.org>\nОтправлено: 27 октября 2021 г. 9:31\nКому: Ann\nТема: Привет", j, e, d, t),
        ("差出人: John Doe <john@x.org>\n送信日時: 2021年10月27日 9:31\n宛先: Ann\n件名: テスト", j, e, d, t),
        ("发件人: John Doe <john@x.org>\n发送时间: 2021年10月27日 9:31\n收件人: Ann\n主题: 测试", j, e, d, t),
        ("-----Ursprüngliche Nachricht-----\nVon: John Doe [mailto:john@x.org]\nGesendet: Mittwoch, 27. Oktober 2021 09:31", j, e, d, t),
        ("---------- Forwarded message ---------\nFrom: John Doe <john@x.org>\nDate: Wed, Oct 27, 2021 at 9:31 AM", j, e, d, t),
    ]);
    let masks = MaskSet::builtin();
    let forward = match_header(
        "Begin forwarded message:\n\nFrom: John Doe <john@x.org>\nDate: 27 October 2021 at 09:31:00 EEST",
        &masks,
        &AddressBook::new(),
    )
    .unwrap();
    assert_eq!(forward.kind, QuoteKind::Forward);
    assert_eq!(forward.fields.utc_offset.as_deref(), Some("+03:00"));
    assert!(forward.mask.starts_with("en/forward-"), "{}", forward.mask);
    let original = match_header(
        "-----Original Message-----\nFrom: John Doe <john@x.org>\nSent: 27 October 2021 09:31",
        &masks,
        &AddressBook::new(),
    )
    .unwrap();
    assert_eq!(original.kind, QuoteKind::Reply);
}

#[test]
fn a_user_mask_file_adds_a_format_the_builtin_masks_miss() {
    let text = "Le mercredi 27 octobre, à 09:31, Jean <jean@x.fr> écrivit :";
    let builtin = MaskSet::builtin();
    assert!(match_header(text, &builtin, &AddressBook::new()).is_none());
    let user = MaskSource {
        name: "fr-perso.toml".into(),
        text: "id = \"fr-perso\"\nname = \"Français (perso)\"\nmonths = [[\"janvier\"], [\"février\"], [\"mars\"], [\"avril\"], [\"mai\"], [\"juin\"], [\"juillet\"], [\"août\"], [\"septembre\"], [\"octobre\"], [\"novembre\"], [\"décembre\"]]\ndates = [\"{day} {monthname}\"]\nattributions = [\"Le mercredi {date}, à {time}, {sender} écrivit :\"]\n".into(),
    };
    let masks = builtin.with_overrides(&[user]).unwrap();
    let header = match_header(text, &masks, &AddressBook::new()).unwrap();
    assert_eq!(header.mask, "fr-perso/attribution-1");
    assert_eq!(header.fields.email.as_deref(), Some("jean@x.fr"));
    assert_eq!(header.fields.time.as_deref(), Some("09:31"));
    // No year in the text: the date stays unknown rather than guessed.
    assert_eq!(header.fields.date, None);
}
