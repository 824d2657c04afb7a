//! Quote headers as real clients write them, HTML and text, in several languages; bodies that
//! must yield no header at all; and what sanitising must remove.

use tidings_mask::{render, AddressBook, Body, MaskSet, QuoteKind, RenderOptions, Rendering};

type Expected = (
    usize,
    QuoteKind,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

fn run(body: Body<'_>) -> Rendering {
    render(body, None, &MaskSet::builtin(), &AddressBook::new(), &RenderOptions::default())
}

fn check(label: &str, body: Body<'_>, expected: &[Expected]) {
    let rendering = run(body);
    let seen: Vec<Expected> = rendering
        .quotes
        .iter()
        .map(|quote| {
            let leak = |value: &Option<String>| value.clone().map(|text| &*Box::leak(text.into_boxed_str()));
            (
                quote.depth,
                quote.kind,
                leak(&quote.fields.name),
                leak(&quote.fields.email),
                leak(&quote.fields.date),
                leak(&quote.fields.time),
            )
        })
        .collect();
    assert_eq!(seen, expected, "{label}: {:#?}", rendering.quotes);
}

use QuoteKind::{Forward, Reply};

#[test]
fn html_clients() {
    let table: &[(&str, &str, &[Expected])] = &[
        (
            "gmail forward",
            r#"<div dir="ltr">FYI<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">John Doe</strong> <span dir="auto">&lt;<a href="mailto:john.doe@acme.com">john.doe@acme.com</a>&gt;</span><br>Date: Wed, Oct 27, 2021 at 9:31 AM<br>Subject: Integer consequat<br>To: &lt;<a href="mailto:bessie.berry@acme.com">bessie.berry@acme.com</a>&gt;<br></div><br><br><div dir="ltr">Aenean quis diam urna.</div></div></div>"#,
            &[(1, Forward, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "apple mail reply, attribution inside the cite blockquote",
            r#"<html><body><div>That's true!</div><div><br><blockquote type="cite"><div>On 25 Oct 2021, at 11:43, John Doe &lt;john.doe@acme.com&gt; wrote:</div><br class="Apple-interchange-newline"><div><div>Unicum iter ad supremum.</div></div></blockquote></div></body></html>"#,
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-25"), Some("11:43"))],
        ),
        (
            "outlook web in Czech",
            r#"<div>Díky</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="black"><b>Od:</b> Jan Novák &lt;jan.novak@firma.cz&gt;<br><b>Odesláno:</b> středa 27. října 2021 15:14<br><b>Komu:</b> Petr Svoboda &lt;petr@firma.cz&gt;<br><b>Předmět:</b> Schůzka</font><div>&nbsp;</div></div><div>Text zprávy</div>"#,
            &[(1, Reply, Some("Jan Novák"), Some("jan.novak@firma.cz"), Some("2021-10-27"), Some("15:14"))],
        ),
        (
            "outlook desktop in German with the border-top separator",
            r#"<div class="WordSection1"><p class="MsoNormal">Passt.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>Von:</b> Max Mustermann &lt;max@example.de&gt; <br><b>Gesendet:</b> Dienstag, 2. November 2021 10:05<br><b>An:</b> Erika Musterfrau &lt;erika@example.de&gt;<br><b>Betreff:</b> AW: Termin</p></div><p class="MsoNormal">Geht Dienstag?</p></div>"#,
            &[(1, Reply, Some("Max Mustermann"), Some("max@example.de"), Some("2021-11-02"), Some("10:05"))],
        ),
        (
            "outlook with the address only in a mailto link",
            r#"<p>Ok</p><div id="divRplyFwdMsg"><b>From:</b> <a href="mailto:jan.novak@firma.cz">Jan Novák</a><br><b>Sent:</b> Wednesday, October 27, 2021 3:14 PM<br><b>To:</b> Petr<br><b>Subject:</b> Plan</div><div>Text</div>"#,
            &[(1, Reply, Some("Jan Novák"), Some("jan.novak@firma.cz"), Some("2021-10-27"), Some("15:14"))],
        ),
        (
            "em client: labels and values in table cells, without colons",
            r#"<div>Siehe unten.</div><div>------ Originalnachricht ------</div><table><tr><td>Von</td><td>"Eva Lind" &lt;eva.lind@x.de&gt;</td></tr><tr><td>An</td><td>team@x.de</td></tr><tr><td>Datum</td><td>17.05.2023 18:40:07</td></tr><tr><td>Betreff</td><td>Budget</td></tr></table><blockquote><div>Anbei die Zahlen.</div></blockquote>"#,
            &[(1, Reply, Some("Eva Lind"), Some("eva.lind@x.de"), Some("2023-05-17"), Some("18:40:07"))],
        ),
        (
            "thunderbird reply in French, name only",
            r#"<p>D'accord.</p><div class="moz-cite-prefix">Le 03/11/2021 à 15:51, Jean Dupont a écrit&nbsp;:<br></div><blockquote type="cite" cite="mid:abc@x">Bonjour à tous</blockquote>"#,
            &[(1, Reply, Some("Jean Dupont"), None, Some("2021-11-03"), Some("15:51"))],
        ),
        (
            "yahoo reply",
            r#"<div>ok</div><div id="yahoo_quoted_123" class="yahoo_quoted"><div style="font-size:13px"><div>On Tuesday, November 2, 2021, 03:01:36 PM GMT+1, John Doe &lt;john.doe@acme.com&gt; wrote:</div><div><br></div><div><div dir="ltr">Unicum iter ad supremum.</div></div></div></div>"#,
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-11-02"), Some("15:01:36"))],
        ),
        (
            "proton: separator then attribution",
            r#"<div>Sure.</div><div class="protonmail_quote">------- Original Message -------<br>On Wednesday, October 27th, 2021 at 09:31, John Doe &lt;john.doe@acme.com&gt; wrote:<br><br><blockquote class="protonmail_quote" type="cite">Hello</blockquote><br></div>"#,
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "yandex in Russian",
            r#"<div>Да</div><div>&nbsp;</div><div>27.10.2021, 09:31, "Иван Петров" &lt;ivan@yandex.ru&gt;:</div><blockquote><div>Привет</div></blockquote>"#,
            &[(1, Reply, Some("Иван Петров"), Some("ivan@yandex.ru"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "mail.ru in Russian, with an offset",
            r#"<div>Да</div><div class="mail-quote-collapse">Среда, 27 октября 2021, 9:31 +03:00 от Иван Петров &lt;ivan@mail.ru&gt;:<br><blockquote style="border-left:1px solid #0857A6"><div>Привет</div></blockquote></div>"#,
            &[(1, Reply, Some("Иван Петров"), Some("ivan@mail.ru"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "gmail in Japanese",
            r#"<div>はい</div><div class="gmail_quote"><div class="gmail_attr">2021年10月27日(水) 9:31 John Doe &lt;john.doe@acme.com&gt;:<br></div><blockquote class="gmail_quote">テスト</blockquote></div>"#,
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "chinese client",
            r#"<div>好的</div><div>在 2021年10月27日 周三 09:31，John Doe &lt;john.doe@acme.com&gt; 写道：</div><blockquote>测试</blockquote>"#,
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "gmail reply in Spanish nested in an iOS reply",
            r#"<div>Vale</div><div><br><blockquote type="cite"><div>El 28 oct 2021, a las 10:02, Ana García &lt;ana@example.es&gt; escribió:</div><div><div>Sí</div><div class="gmail_quote"><div class="gmail_attr">El mié, 27 oct 2021 a las 9:31, Juan Pérez (&lt;juan@example.es&gt;) escribió:<br></div><blockquote class="gmail_quote">Hola</blockquote></div></div></blockquote></div>"#,
            &[
                (1, Reply, Some("Ana García"), Some("ana@example.es"), Some("2021-10-28"), Some("10:02")),
                (2, Reply, Some("Juan Pérez"), Some("juan@example.es"), Some("2021-10-27"), Some("09:31")),
            ],
        ),
    ];
    for (label, html, expected) in table {
        check(label, Body::Html(html), expected);
    }
}

#[test]
fn plain_text_inside_html() {
    let j = Some("John Doe");
    let e = Some("john.doe@acme.com");
    let pre = "<pre>Yes.\n\nOn Wed, Oct 27, 2021 at 9:31 AM John Doe &lt;john.doe@acme.com&gt; wrote:\n&gt; Shall we?\n</pre>";
    check("text in a pre", Body::Html(pre), &[(1, Reply, j, e, Some("2021-10-27"), Some("09:31"))]);
    // The header shares its text node with other lines: nothing may be lost.
    let html = run(Body::Html(pre)).html;
    assert!(html.contains("Yes.") && html.contains("Shall we?"), "{html}");
    assert!(html.contains("class=\"tidings-header\""));

    let divs = "<div>Yes.</div><div>&gt; On Wed, Oct 27, 2021 at 9:31 AM John Doe &lt;john.doe@acme.com&gt; wrote:</div><div>&gt; &gt; Shall we?</div>";
    check("quote marks in divs", Body::Html(divs), &[(1, Reply, j, e, Some("2021-10-27"), Some("09:31"))]);
}

#[test]
fn text_clients() {
    let table: &[(&str, &str, &[Expected])] = &[
        (
            "nested text replies",
            "Fine by me.\n\nOn Thu, Oct 28, 2021 at 10:02 AM Ana Smith <ana@example.com> wrote:\n> Agreed.\n>\n> On Wed, Oct 27, 2021 at 9:31 AM John Doe <john.doe@acme.com> wrote:\n> > Shall we meet?\n",
            &[
                (1, Reply, Some("Ana Smith"), Some("ana@example.com"), Some("2021-10-28"), Some("10:02")),
                (2, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-27"), Some("09:31")),
            ],
        ),
        (
            "outlook original message",
            "Thanks\n\n-----Original Message-----\nFrom: John Doe [mailto:john.doe@acme.com]\nSent: Monday, October 25, 2021 11:17 AM\nTo: Bessie Berry\nSubject: Report\n\nSee attached.\n",
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-25"), Some("11:17"))],
        ),
        (
            "attribution wrapped over three lines",
            "Yes.\n\nOn Wed, Oct 27, 2021 at 9:31 AM John Doe\n<john.doe@acme.com>\nwrote:\n> Shall we?\n",
            &[(1, Reply, Some("John Doe"), Some("john.doe@acme.com"), Some("2021-10-27"), Some("09:31"))],
        ),
        (
            "swedish forward block after the author's text is still found",
            "Se nedan.\n\n-------- Vidarebefordrat meddelande --------\nÄmne: Möte\nDatum: Wed, 3 Nov 2021 15:51:30 +0100\nFrån: Sven Svensson <sven@example.se>\nTill: anna@example.se\n\nHej\n",
            &[(1, Forward, Some("Sven Svensson"), Some("sven@example.se"), Some("2021-11-03"), Some("15:51:30"))],
        ),
        (
            "polish forward with inline labels",
            "  ----- Przekazana wiadomość ----- Od: Jan Kowalski <jan@example.pl>Do: \"anna@example.pl\" <anna@example.pl>Wysłano: wtorek, 2 listopada 2021, 09:26:50 CETTemat: Spotkanie\n Treść\n",
            &[(1, Forward, Some("Jan Kowalski"), Some("jan@example.pl"), Some("2021-11-02"), Some("09:26:50"))],
        ),
    ];
    for (label, text, expected) in table {
        check(label, Body::Text(text), expected);
    }
}

#[test]
fn more_languages_and_the_forms_senders_take() {
    let table: &[(&str, &str, &[Expected])] = &[
        (
            "gmail in traditional chinese, afternoon time",
            "好\n\n張三 <zhang@x.tw> 於 2022年1月3日 週一 下午3:45寫道：\n> 你好\n",
            &[(1, Reply, Some("張三"), Some("zhang@x.tw"), Some("2022-01-03"), Some("15:45"))],
        ),
        (
            "gmail in european portuguese, weekday before a numeric date",
            "Obrigado.\n\nJoão Silva <joao@x.pt> escreveu no dia segunda, 3/01/2022 à(s) 10:15:\n> Olá\n",
            &[(1, Reply, Some("João Silva"), Some("joao@x.pt"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "thunderbird in russian: its own words beat a bare date-time-sender template",
            "Да.\n\n03.01.2022 10:15, Иван Петров пишет:\n> Привет\n",
            &[(1, Reply, Some("Иван Петров"), None, Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "thunderbird in turkish",
            "Tamam.\n\n3.01.2022 10:15 tarihinde Ahmet Yılmaz yazdı:\n> Merhaba\n",
            &[(1, Reply, Some("Ahmet Yılmaz"), None, Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "thunderbird in hungarian",
            "Rendben\n\n2022. 01. 03. 10:15 keltezéssel, Kovács János írta:\n> Szia\n",
            &[(1, Reply, Some("Kovács János"), None, Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "the line right above a name-first header is not part of the name",
            "Köszi!\nKovács János <janos@x.hu> ezt írta (időpont: 2022. jan. 3., H, 10:15):\n> Szia\n",
            &[(1, Reply, Some("Kovács János"), Some("janos@x.hu"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "given names that are greetings or pronouns elsewhere (Ben, Ola, Vi, Du)",
            "Ok\n\nOn Tue, Jan 4, 2022 at 9:00 AM Ben Smith <ben@x.org> wrote:\n> Agreed\n>\n> man. 3. jan. 2022 kl. 10:15 skrev Ola Nordmann <ola@x.no>:\n>> Sounds good.\n>>\n>> On Sun, Jan 2, 2022 at 8:00 AM Vi Nguyen <vi@x.vn> wrote:\n>>> Proposal\n",
            &[
                (1, Reply, Some("Ben Smith"), Some("ben@x.org"), Some("2022-01-04"), Some("09:00")),
                (2, Reply, Some("Ola Nordmann"), Some("ola@x.no"), Some("2022-01-03"), Some("10:15")),
                (3, Reply, Some("Vi Nguyen"), Some("vi@x.vn"), Some("2022-01-02"), Some("08:00")),
            ],
        ),
        (
            "outlook field block from a name that is a greeting elsewhere",
            "Takk.\n\nFra: Ola Nordmann <ola@x.no>\nSendt: mandag 3. januar 2022 10:15\nTil: Kari <kari@x.no>\nEmne: SV: tilbud\n\nHei Kari,\n",
            &[(1, Reply, Some("Ola Nordmann"), Some("ola@x.no"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "an address standing in for the name",
            "Ok\n\nOn Mon, Jan 3, 2022 at 10:15 AM john@x.org <john@x.org> wrote:\n> x\n",
            &[(1, Reply, None, Some("john@x.org"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "exchange's plain-text copy of a gmail attribution, with a mailto after the address",
            "Thanks.\n\nOn Mon, 3 Jan 2022 at 10:15, John Smith <john@x.org<mailto:john@x.org>> wrote:\n> Lunch?\n",
            &[(1, Reply, Some("John Smith"), Some("john@x.org"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "google groups relays a sender as 'Name' via Group",
            "Ok\n\nOn Mon, Jan 3, 2022 at 10:15 AM 'John Smith' via Dev <dev@googlegroups.com> wrote:\n> x\n",
            &[(1, Reply, Some("John Smith"), Some("dev@googlegroups.com"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "thunderbird forward in simplified chinese",
            "FYI\n\n-------- 转发的消息 --------\n主题: 报价\n日期: Mon, 3 Jan 2022 10:15:00 +0800\n发件人: 张三 <zhang@x.cn>\n收件人: 李四 <lisi@x.cn>\n\n你好\n",
            &[(1, Forward, Some("张三"), Some("zhang@x.cn"), Some("2022-01-03"), Some("10:15:00"))],
        ),
    ];
    for (label, text, expected) in table {
        check(label, Body::Text(text), expected);
    }
    let html = [(
        "gmail in chinese: the reply above the quote is not part of the name",
        r#"<div dir="ltr">好的</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">张三 &lt;<a href="mailto:zhang@x.cn">zhang@x.cn</a>&gt; 于2022年1月3日周一 10:15写道：<br></div><blockquote class="gmail_quote">你好</blockquote></div>"#,
        [(1, Reply, Some("张三"), Some("zhang@x.cn"), Some("2022-01-03"), Some("10:15"))],
    )];
    for (label, markup, expected) in html {
        check(label, Body::Html(markup), &expected);
    }
}

#[test]
fn webmails_and_unix_clients_write_their_own_forms() {
    let table: &[(&str, &str, &[Expected])] = &[
        (
            "evolution: a weekday before a numeric date, in english and spanish",
            "Ok\n\nOn Mon, 2022-01-03 at 10:15 +0100, John Smith wrote:\n> x\n>\n> El lun, 02-01-2022 a las 09:00 +0100, Juan Pérez escribió:\n>> y\n",
            &[
                (1, Reply, Some("John Smith"), None, Some("2022-01-03"), Some("10:15")),
                (2, Reply, Some("Juan Pérez"), None, Some("2022-01-02"), Some("09:00")),
            ],
        ),
        (
            "evolution in german: weekday and 'den' before the date",
            "Ok\n\nAm Montag, den 03.01.2022, 10:15 +0100 schrieb Hans Müller:\n> x\n",
            &[(1, Reply, Some("Hans Müller"), None, Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "zoho: the attribution between rules, without a colon",
            "Hi\n\n---- On Mon, 03 Jan 2022 10:15:00 +0100 John Smith <john@zoho.com> wrote ----\n\nHello\n",
            &[(1, Reply, Some("John Smith"), Some("john@zoho.com"), Some("2022-01-03"), Some("10:15:00"))],
        ),
        (
            "zimbra: a rule before the line, the address after a space",
            "Ok\n\n----- Le 3 janv. 22, à 10:15, Jean Dupont jean.dupont@free.fr a écrit :\n> x\n",
            &[(1, Reply, Some("Jean Dupont"), Some("jean.dupont@free.fr"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "spark: a comma after the address",
            "Ok\n\nOn 3 Jan 2022, 10:15 +0100, John Smith <john@x.org>, wrote:\n> x\n",
            &[(1, Reply, Some("John Smith"), Some("john@x.org"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "a company in parentheses stays in the name",
            "Ok\n\nOn 1/13/22 10:15 AM, \"Smith, John (ACME Corp)\" <john@acme.com> wrote:\n> x\n",
            &[(1, Reply, Some("Smith, John (ACME Corp)"), Some("john@acme.com"), Some("2022-01-13"), Some("10:15"))],
        ),
        (
            "lotus notes: the person before the organisation and the notes domain",
            "Ok\n\nJohn Smith/Sales/ACME@ACME wrote on 01/13/2022 10:15:44 AM:\n> x\n",
            &[(1, Reply, Some("John Smith"), None, Some("2022-01-13"), Some("10:15:44"))],
        ),
        (
            "mutt with a bracketed iso date, horde without a date",
            "Ok\n\n* John Smith <john@x.org> [2022-01-03 10:15]:\n> x\n>\n> Quoting Jane Doe <jane@x.org>:\n>> y\n",
            &[
                (1, Reply, Some("John Smith"), Some("john@x.org"), Some("2022-01-03"), Some("10:15")),
                (2, Reply, Some("Jane Doe"), Some("jane@x.org"), None, None),
            ],
        ),
        (
            "open-xchange in german and roundcube in russian: the name first, the date after",
            "Ok\n\nHans Müller <hans@x.de> hat am 03.01.2022 10:15 geschrieben:\n> x\n>\n> Иван Петров писал 2022-01-02 09:00:\n>> y\n",
            &[
                (1, Reply, Some("Hans Müller"), Some("hans@x.de"), Some("2022-01-03"), Some("10:15")),
                (2, Reply, Some("Иван Петров"), None, Some("2022-01-02"), Some("09:00")),
            ],
        ),
        (
            "apple mail in turkish, hungarian and european portuguese",
            "Ok\n\n3 Oca 2022 tarihinde 10:15 saatinde, Ahmet Yılmaz <ahmet@x.tr> şunları yazdı:\n> x\n>\n> 2022. jan. 2. dátummal, 09:00 időpontban Kovács János <janos@x.hu> írta:\n>> y\n>>\n>> A 1 de jan. de 2022, às 08:00, João Silva <joao@x.pt> escreveu:\n>>> z\n",
            &[
                (1, Reply, Some("Ahmet Yılmaz"), Some("ahmet@x.tr"), Some("2022-01-03"), Some("10:15")),
                (2, Reply, Some("Kovács János"), Some("janos@x.hu"), Some("2022-01-02"), Some("09:00")),
                (3, Reply, Some("João Silva"), Some("joao@x.pt"), Some("2022-01-01"), Some("08:00")),
            ],
        ),
        (
            "groupwise frames the attribution in marks and leaves the quote unmarked; the older one nests",
            "Ok\n\n>>> John Smith <john@acme.com> 01/13/22 10:15 AM >>>\nThe plan\n\n>>> \"Müller, Hans\" <hans@firma.de> 12.01.2022 16:45 >>>\nDer Plan\n",
            &[
                (1, Reply, Some("John Smith"), Some("john@acme.com"), Some("2022-01-13"), Some("10:15")),
                (2, Reply, Some("Müller, Hans"), Some("hans@firma.de"), Some("2022-01-12"), Some("16:45")),
            ],
        ),
        (
            "slavic verbs in the feminine: cs, sk, pl, ru, uk, hr",
            "Ok\n\nDne 22.02.2022 v 13:00 Petra Svobodová <petra@x.cz> napsala:\n> a\n>\n> Dňa 21.02.2022 o 12:00 Petra Kováčová <petra@x.sk> napísala:\n>> b\n>>\n>> W dniu 20.02.2022 o 11:00, Anna Nowak <anna@x.pl> napisała:\n>>> c\n>>>\n>>> 19 февр. 2022 г., в 10:00, Анна Кузнецова <anna@x.ru> написала:\n>>>> d\n>>>>\n>>>> 18 лют. 2022 р. о 09:00 Олена Коваль <olena@x.ua> написала:\n>>>>> e\n>>>>>\n>>>>> Dana 17.02.2022. u 08:00, Marija Babić <marija@x.hr> je napisala:\n>>>>>> f\n",
            &[
                (1, Reply, Some("Petra Svobodová"), Some("petra@x.cz"), Some("2022-02-22"), Some("13:00")),
                (2, Reply, Some("Petra Kováčová"), Some("petra@x.sk"), Some("2022-02-21"), Some("12:00")),
                (3, Reply, Some("Anna Nowak"), Some("anna@x.pl"), Some("2022-02-20"), Some("11:00")),
                (4, Reply, Some("Анна Кузнецова"), Some("anna@x.ru"), Some("2022-02-19"), Some("10:00")),
                (5, Reply, Some("Олена Коваль"), Some("olena@x.ua"), Some("2022-02-18"), Some("09:00")),
                (6, Reply, Some("Marija Babić"), Some("marija@x.hr"), Some("2022-02-17"), Some("08:00")),
            ],
        ),
        (
            "aol writes the zone out; the name stays clean",
            "Ok\n\nIn a message dated 1/3/2022 10:15:23 AM Eastern Standard Time, jsmith@aol.com writes:\n> x\n>\n> On Monday, January 2, 2022 at 9:00 AM Pacific Standard Time, John Smith <john@x.org> wrote:\n>> y\n",
            &[
                (1, Reply, None, Some("jsmith@aol.com"), Some("2022-01-03"), Some("10:15:23")),
                (2, Reply, Some("John Smith"), Some("john@x.org"), Some("2022-01-02"), Some("09:00")),
            ],
        ),
        (
            "the bat!: its banner opens a forward and its end line is not a header",
            "FYI\n\nThis is a forwarded message\nFrom: John Smith <john@x.org>\nTo: Jane <jane@x.org>\nDate: Monday, January 3, 2022, 10:15:23 AM\nSubject: Plan\n\n===8<==============Original message text===============\nThe plan\n===8<===========End of original message text===========\n",
            &[(1, Forward, Some("John Smith"), Some("john@x.org"), Some("2022-01-03"), Some("10:15:23"))],
        ),
        (
            "banners that close a forward in other languages are not headers",
            "FYI\n\n----- Weitergeleitete Nachricht -----\nVon: Hans Müller <hans@x.de>\nDatum: 03.01.2022 10:15\nBetreff: Plan\n\nDer Plan\n\n-------- Конец пересылаемого сообщения --------\n\n------ End of Forwarded Message\n\n--- Fin du message transféré ---\n",
            &[(1, Forward, Some("Hans Müller"), Some("hans@x.de"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "the bat! names no sender: 'you wrote', 'Вы писали'",
            "Hello John,\n\nThanks.\n\nMonday, January 3, 2022, 10:15:23 AM, you wrote:\n\n> Здравствуйте, Иван.\n>\n> Вы писали 2 января 2022 г., 09:00:00:\n>\n>> Отчёт во вложении.\n",
            &[
                (1, Reply, None, None, Some("2022-01-03"), Some("10:15:23")),
                (2, Reply, None, None, Some("2022-01-02"), Some("09:00:00")),
            ],
        ),
        (
            "a zone's abbreviation in brackets after its offset is not part of the name",
            "Ok\n\nOn Mon, 3 Jan 2022 10:15:23 +0100 (CET)\nJohn Smith <john@x.org> wrote:\n> x\n>\n> Le 2 janv. 2022 à 09:00 +0530 (IST), Priya Sharma <priya@x.in> a écrit :\n>> y\n",
            &[
                (1, Reply, Some("John Smith"), Some("john@x.org"), Some("2022-01-03"), Some("10:15:23")),
                (2, Reply, Some("Priya Sharma"), Some("priya@x.in"), Some("2022-01-02"), Some("09:00")),
            ],
        ),
        (
            "gmail re-wraps a quoted outlook block: the sender's address and the time on lines of their own",
            "Ok\n\nOn Tue, Mar 14, 2023 at 10:00 AM Anna Lee <anna@x.org> wrote:\n> See below.\n>\n> *From:* Maximilian Alexander Worthington-Smythe <\n> maximilian.worthington-smythe@example.com>\n> *Sent:* Tuesday, March 14, 2023\n> 9:30 AM\n> *To:* Anna Lee <anna@x.org>\n> *Subject:* Plan\n>\n> Hi\n",
            &[
                (1, Reply, Some("Anna Lee"), Some("anna@x.org"), Some("2023-03-14"), Some("10:00")),
                (
                    2,
                    Reply,
                    Some("Maximilian Alexander Worthington-Smythe"),
                    Some("maximilian.worthington-smythe@example.com"),
                    Some("2023-03-14"),
                    Some("09:30"),
                ),
            ],
        ),
        (
            "'user' before the name: gmail android in polish, ios in slovak and czech",
            "Ok\n\nczw., 17 lis 2022, 14:05 użytkownik Piotr Kowalski <piotr@x.pl> napisał:\n> a\n>\n> Dňa 29. 9. 2022 o 7:55 používateľ Ján Kováč <jan@x.sk> napísal:\n>> b\n>>\n>> 28. 9. 2022 v 7:55, uživatel Jan Novák <jan@x.cz> napsal:\n>>> c\n",
            &[
                (1, Reply, Some("Piotr Kowalski"), Some("piotr@x.pl"), Some("2022-11-17"), Some("14:05")),
                (2, Reply, Some("Ján Kováč"), Some("jan@x.sk"), Some("2022-09-29"), Some("07:55")),
                (3, Reply, Some("Jan Novák"), Some("jan@x.cz"), Some("2022-09-28"), Some("07:55")),
            ],
        ),
        (
            "morning and afternoon in words: es, pt, fi, hu",
            "Ok\n\nEl 3 abr 2022, a las 4:40 de la tarde, Carlos García <carlos@x.es> escribió:\n> a\n>\n> A 2/04/2022, às 10:15 da manhã, Rui Costa <rui@x.pt> escreveu:\n>> b\n>>\n>> Lähettäjä: Matti Virtanen <matti@x.fi>\n>> Lähetetty: 1.4.2022 1:45:09 ip.\n>> Vastaanottaja: Rui Costa <rui@x.pt>\n>> Aihe: Hei\n>>\n>> c\n>>\n>> Feladó: Kovács János <janos@x.hu>\n>> Elküldve: 2022. március 31., csütörtök du. 4:40\n>> Címzett: Matti Virtanen <matti@x.fi>\n>> Tárgy: Szia\n",
            &[
                (1, Reply, Some("Carlos García"), Some("carlos@x.es"), Some("2022-04-03"), Some("16:40")),
                (2, Reply, Some("Rui Costa"), Some("rui@x.pt"), Some("2022-04-02"), Some("10:15")),
                (3, Reply, Some("Matti Virtanen"), Some("matti@x.fi"), Some("2022-04-01"), Some("13:45:09")),
                (4, Reply, Some("Kovács János"), Some("janos@x.hu"), Some("2022-03-31"), Some("16:40")),
            ],
        ),
        (
            "windows' bidi marks in dates, full-width digits, a company's name in guillemets, a latin-american zone",
            "Ok\n\nFrom: John Smith\nSent: \u{200e}Monday, \u{200e}January \u{200e}3, \u{200e}2022 \u{200e}10\u{200e}:\u{200e}15 AM\nTo: Anna Lee\nSubject: Plan\n\n> 2022年1月2日(日) １０：１５ 山田太郎 <taro@x.jp>:\n>\n>> 1 января 2022 г., 09:00 +03:00 от ООО «Ромашка» <info@romashka.ru>:\n>>\n>>> Em 31 de dezembro de 2021 08:00:00 BRT, Ana Souza <ana@x.com.br> escreveu:\n>>>> x\n",
            &[
                (1, Reply, Some("John Smith"), None, Some("2022-01-03"), Some("10:15")),
                (2, Reply, Some("山田太郎"), Some("taro@x.jp"), Some("2022-01-02"), Some("10:15")),
                (3, Reply, Some("ООО «Ромашка»"), Some("info@romashka.ru"), Some("2022-01-01"), Some("09:00")),
                (4, Reply, Some("Ana Souza"), Some("ana@x.com.br"), Some("2021-12-31"), Some("08:00:00")),
            ],
        ),
        (
            "a recipient line under a label no mask knows still makes a block of two known fields a header",
            "Aitäh.\n\nSaatja: Mari Maasikas <mari@x.ee>\nSaadetud: esmaspäev, 3. jaanuar 2022 10:15\nVastuvõtja: Jaan <jaan@x.ee>\nTeema: RE: pakkumine\n\nTere\n",
            &[(1, Reply, Some("Mari Maasikas"), Some("mari@x.ee"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "pegasus mail's 'Date sent' label",
            "FYI\n\n------- Forwarded message follows -------\nFrom:           \tJohn Smith <john@x.org>\nTo:             \tjane@x.org\nSubject:        \tPlan\nDate sent:      \tMon, 3 Jan 2022 10:15:23 +0100\n\nThe plan\n",
            &[(1, Forward, Some("John Smith"), Some("john@x.org"), Some("2022-01-03"), Some("10:15:23"))],
        ),
        (
            "onet: 'Użytkownik' before the quoted name",
            "Ok\n\nUżytkownik \"Anna Nowak\" <anna@onet.pl> napisał:\n> x\n",
            &[(1, Reply, Some("Anna Nowak"), Some("anna@onet.pl"), None, None)],
        ),
        (
            "orange: the date on the line above the field block",
            "Merci\n\n> Message du 03/01/22 10:15\n> De : \"Jean Dupont\" <jean@x.fr>\n> A : marie@x.fr\n> Objet : Devis\n>\n> Bonjour\n",
            &[(1, Reply, Some("Jean Dupont"), Some("jean@x.fr"), Some("2022-01-03"), Some("10:15"))],
        ),
        (
            "zoho repeats its banner under the field block: one forward, not two",
            "FYI\n\n============ Forwarded message ============\nFrom: John Smith <john@zoho.com>\nTo: jane@x.org\nDate: Mon, 03 Jan 2022 10:15:00 +0100\nSubject: Plan\n============ Forwarded message ============\n\nHello\n",
            &[(1, Forward, Some("John Smith"), Some("john@zoho.com"), Some("2022-01-03"), Some("10:15:00"))],
        ),
        (
            "outlook in traditional chinese quoting an evening time in simplified chinese",
            "收到\n\n寄件者: 王小明 <ming@x.tw>\n寄件日期: 2022年1月3日 下午 02:15\n收件者: 陳大文 <dawen@x.tw>\n主旨: 報價\n\n你好\n\n发件人: 张三 <zhang@x.cn>\n发送时间: 2022年1月2日(星期日) 晚上9:30\n收件人: 李四 <lisi@x.cn>\n主题: 报价\n\n你好\n",
            &[
                (1, Reply, Some("王小明"), Some("ming@x.tw"), Some("2022-01-03"), Some("14:15")),
                (2, Reply, Some("张三"), Some("zhang@x.cn"), Some("2022-01-02"), Some("21:30")),
            ],
        ),
        (
            "outlook in japanese: a space after 午後",
            "了解\n\n差出人: 山田太郎 <taro@x.jp>\n送信日時: 2022年1月3日 月曜日 午後 3:15:23\n宛先: 佐藤花子 <hanako@x.jp>\n件名: 見積\n\nこんにちは\n",
            &[(1, Reply, Some("山田太郎"), Some("taro@x.jp"), Some("2022-01-03"), Some("15:15:23"))],
        ),
        (
            "forward banners of zimbra in german and apple mail in swedish",
            "FYI\n\n----- Weitergeleitete Mail -----\nVon: Hans Müller <hans@x.de>\nAn: Eva <eva@x.de>\nGesendet: Montag, 3. Januar 2022 10:15:00\nBetreff: Plan\n\nHallo\n\nVidarebefordrat brev:\n\nFrån: Sven Svensson <sven@x.se>\nDatum: 2 januari 2022 09:00:00 CET\nTill: Eva <eva@x.se>\nÄmne: Plan\n\nHej\n",
            &[
                (1, Forward, Some("Hans Müller"), Some("hans@x.de"), Some("2022-01-03"), Some("10:15:00")),
                (2, Forward, Some("Sven Svensson"), Some("sven@x.se"), Some("2022-01-02"), Some("09:00:00")),
            ],
        ),
        (
            "yahoo for iOS in french: the US order with french names",
            "Merci\n\nLe mardi, février 8, 2022, 4:05 PM, Claire Martin <claire@x.fr> a écrit :\n> Voici le devis.\n",
            &[(1, Reply, Some("Claire Martin"), Some("claire@x.fr"), Some("2022-02-08"), Some("16:05"))],
        ),
        (
            "outlook for android in finnish: the US order with finnish names",
            "Kiitos\n\n________________________________\nLähettäjä: Liisa Korhonen <liisa@x.fi>\nLähetetty: maanantai, maaliskuuta 7, 2022 9:05:11 ap.\nVastaanottaja: Eva <eva@x.fi>\nAihe: Tarjous\n\nHei\n",
            &[(1, Reply, Some("Liisa Korhonen"), Some("liisa@x.fi"), Some("2022-03-07"), Some("09:05:11"))],
        ),
        (
            "sina writes the time in words",
            "好的\n\n----- 原始邮件 -----\n发件人：刘洋 <liuyang@x.cn>\n收件人：陈静 <chenjing@x.cn>\n主题：回复：会议\n日期：2022年02月08日 16点05分\n\n你好\n",
            &[(1, Reply, Some("刘洋"), Some("liuyang@x.cn"), Some("2022-02-08"), Some("16:05"))],
        ),
        (
            "mutt with a compact %y%m%d date, nested",
            "Merged.\n\n* Greg Novak <greg@x.org> [230517 18:40 -0700]:\n> Looks good to me.\n>\n> * Ines Roth <ines@x.de> [230516 07:05]:\n> > Please pull.\n",
            &[
                (1, Reply, Some("Greg Novak"), Some("greg@x.org"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), Some("ines@x.de"), Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "em client in plain text: fields without colons under the separator",
            "See below.\n\n------ Original Message ------\nFrom \"Greg Novak\" <greg@x.org>\nTo \"Ines Roth\" <ines@x.de>\nSent 5/17/2023 6:40:07 PM\nSubject Re: budget\n\nNumbers attached.\n",
            &[(1, Reply, Some("Greg Novak"), Some("greg@x.org"), Some("2023-05-17"), Some("18:40:07"))],
        ),
        (
            "lotus notes: the attribution between rules and the sender's field block are one header",
            "Agreed.\n\n-----\"Greg Novak\" <greg@x.org> wrote: -----\n\nTo: Ines Roth <ines@x.de>\nFrom: \"Greg Novak\" <greg@x.org>\nDate: 05/17/2023 06:40PM\nSubject: Re: budget\n\nNumbers attached.\n",
            &[(1, Reply, Some("Greg Novak"), Some("greg@x.org"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "lotus notes: a hierarchical name in the field block",
            "Agreed.\n\n-----Original Message-----\nFrom: Greg Novak/Sales/ACME\nTo: Ines Roth/Sales/ACME@ACME\nDate: 05/17/2023 06:40PM\nSubject: Re: budget\n\nNumbers attached.\n",
            &[(1, Reply, Some("Greg Novak"), None, Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "an attribution over another sender's field block stays two headers, the block inside",
            "Fine.\n\nOn Wed, May 17, 2023 at 6:40 PM Greg Novak <greg@x.org> wrote:\n\nFrom: Ines Roth <ines@x.de>\nSent: Tuesday, May 16, 2023 7:05 AM\nTo: Greg Novak <greg@x.org>\nSubject: budget\n\nPlease pull.\n",
            &[
                (1, Reply, Some("Greg Novak"), Some("greg@x.org"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), Some("ines@x.de"), Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "gnus, alot and sup attributions",
            "Done.\n\nGreg Novak <greg@x.org> writes:\n> Any news?\n>\n> Quoting Ines Roth (2023-05-16 07:05:12)\n> > Not yet.\n> >\n> > Excerpts from Tom Berg's message of 2023-05-15 21:30:00 +0200:\n> > > Ping.\n",
            &[
                (1, Reply, Some("Greg Novak"), Some("greg@x.org"), None, None),
                (2, Reply, Some("Ines Roth"), None, Some("2023-05-16"), Some("07:05:12")),
                (3, Reply, Some("Tom Berg"), None, Some("2023-05-15"), Some("21:30:00")),
            ],
        ),
    ];
    for (label, text, expected) in table {
        check(label, Body::Text(text), expected);
    }
}

#[test]
fn bulgarian_catalan_greek_indonesian_korean_slovenian_vietnamese() {
    let table: &[(&str, &str, &[Expected])] = &[
        (
            "bulgarian gmail over thunderbird",
            "Добре.\n\nНа ср, 17.05.2023 г. в 18:40 ч. Иван Петров <ivan.petrov@x.bg> написа:\n> Прилагам данните.\n>\n> На 16.05.2023 г. 07:05 ч., Мария Илиева написа:\n> > Моля за данните.\n",
            &[
                (1, Reply, Some("Иван Петров"), Some("ivan.petrov@x.bg"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Мария Илиева"), None, Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "bulgarian outlook",
            "Добре.\n\n________________________________\nОт: Иван Петров <ivan.petrov@x.bg>\nИзпратено: сряда, 17 май 2023 г. 18:40\nДо: Мария Илиева <maria@x.bg>\nОтносно: Бюджет\n\nПрилагам данните.\n",
            &[(1, Reply, Some("Иван Петров"), Some("ivan.petrov@x.bg"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "greek gmail over thunderbird",
            "Εντάξει.\n\nΣτις Τετ 17 Μαΐ 2023 στις 6:40 μ.μ., ο/η Γιώργος Παπαδόπουλος <g.papadopoulos@x.gr> έγραψε:\n> Τα στοιχεία επισυνάπτονται.\n>\n> Στις 2023-05-16 07:05, Ines Roth έγραψε:\n> > Παρακαλώ.\n",
            &[
                (1, Reply, Some("Γιώργος Παπαδόπουλος"), Some("g.papadopoulos@x.gr"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), None, Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "greek outlook",
            "Εντάξει.\n\n________________________________\nΑπό: Γιώργος Παπαδόπουλος <g.papadopoulos@x.gr>\nΣτάλθηκε: Τετάρτη, 17 Μαΐου 2023 6:40 μ.μ.\nΠρος: Ελένη <eleni@x.gr>\nΘέμα: Προϋπολογισμός\n\nΤα στοιχεία επισυνάπτονται.\n",
            &[(1, Reply, Some("Γιώργος Παπαδόπουλος"), Some("g.papadopoulos@x.gr"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "korean gmail, the name glued to 님이, an address with its mailto copy",
            "확인했습니다.\n\n2023년 5월 17일 (수) 오후 6:40, 김민준 <minjun.kim@x.kr>님이 작성:\n> 자료 첨부합니다.\n>\n> 2023년 5월 16일 (화) 오전 7:05, Ines Roth <ines@x.de <mailto:ines@x.de>>님이 작성:\n> > 자료 부탁드립니다.\n",
            &[
                (1, Reply, Some("김민준"), Some("minjun.kim@x.kr"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), Some("ines@x.de"), Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "korean outlook",
            "확인했습니다.\n\n-----원본 메시지-----\n보낸 사람: 김민준 <minjun.kim@x.kr>\n보낸 날짜: 2023년 5월 17일 수요일 오후 6:40\n받는 사람: 이서연 <seoyeon@x.kr>\n제목: 예산\n\n자료 첨부합니다.\n",
            &[(1, Reply, Some("김민준"), Some("minjun.kim@x.kr"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "catalan gmail over thunderbird",
            "D'acord.\n\nEl dc., 17 de maig 2023, a les 18:40, Jordi Puig (<jordi.puig@x.cat>) va escriure:\n> Adjunto les xifres.\n>\n> El 16/5/23 a les 7:05, Ines Roth ha escrit:\n> > Si us plau.\n",
            &[
                (1, Reply, Some("Jordi Puig"), Some("jordi.puig@x.cat"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), None, Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "catalan: d' before a month that opens with a vowel",
            "D'acord.\n\nEl dt., 3 d'octubre de 2023, a les 9:30, Jordi Puig <jordi.puig@x.cat> va escriure:\n> x\n",
            &[(1, Reply, Some("Jordi Puig"), Some("jordi.puig@x.cat"), Some("2023-10-03"), Some("09:30"))],
        ),
        (
            "indonesian gmail, a dot in the time",
            "Baik.\n\nPada tanggal Rab, 17 Mei 2023 pukul 18.40 Budi Santoso <budi.santoso@x.co.id> menulis:\n> Datanya terlampir.\n",
            &[(1, Reply, Some("Budi Santoso"), Some("budi.santoso@x.co.id"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "indonesian outlook",
            "Baik.\n\n________________________________\nDari: Budi Santoso <budi.santoso@x.co.id>\nDikirim: Rabu, 17 Mei 2023 18.40\nKepada: Sari <sari@x.co.id>\nSubjek: Anggaran\n\nDatanya terlampir.\n",
            &[(1, Reply, Some("Budi Santoso"), Some("budi.santoso@x.co.id"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "vietnamese gmail: numbered months and weekdays",
            "Vâng.\n\nVào Th 4, 17 thg 5, 2023 vào lúc 18:40 Nguyễn Văn An <an.nguyen@x.vn> đã viết:\n> Số liệu đính kèm.\n>\n> Vào Th 2, 17 thg 10, 2022 vào lúc 07:05 Ines Roth <ines@x.de> đã viết:\n> > Xin gửi.\n",
            &[
                (1, Reply, Some("Nguyễn Văn An"), Some("an.nguyen@x.vn"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), Some("ines@x.de"), Some("2022-10-17"), Some("07:05")),
            ],
        ),
        (
            "slovenian gmail over thunderbird",
            "V redu.\n\nV sre., 17. maj 2023 ob 18:40 je oseba Ana Novak <ana.novak@x.si> napisala:\n> Podatki so v prilogi.\n>\n> Dne 16. 05. 2023 ob 07:05 je Ines Roth napisala:\n> > Prosim.\n",
            &[
                (1, Reply, Some("Ana Novak"), Some("ana.novak@x.si"), Some("2023-05-17"), Some("18:40")),
                (2, Reply, Some("Ines Roth"), None, Some("2023-05-16"), Some("07:05")),
            ],
        ),
        (
            "slovenian outlook",
            "V redu.\n\n________________________________\nOd: Ana Novak <ana.novak@x.si>\nPoslano: sreda, 17. maj 2023 18:40\nZa: Marko <marko@x.si>\nZadeva: Proračun\n\nPodatki so v prilogi.\n",
            &[(1, Reply, Some("Ana Novak"), Some("ana.novak@x.si"), Some("2023-05-17"), Some("18:40"))],
        ),
        (
            "thunderbird's plain text of a mailto link after the address",
            "Ok\n\nOn Thu, Oct 21, 2021 at 8:17 AM Bart Smith <bart@x.org <mailto:bart@x.org>> wrote:\n> x\n",
            &[(1, Reply, Some("Bart Smith"), Some("bart@x.org"), Some("2021-10-21"), Some("08:17"))],
        ),
    ];
    for (label, text, expected) in table {
        check(label, Body::Text(text), expected);
    }
}

#[test]
fn zones_in_brackets_or_before_the_time_are_read() {
    let yahoo = r#"<div>好</div><div class="yahoo_quoted"><div>冯伟 (&lt;feng@x.com&gt;) 在 2019年7月2日星期二 下午05:48:53 [GMT+8] 寫道：</div><div><div dir="ltr">你好</div></div></div>"#;
    let apple = "FYI\n\n下面是被转发的邮件：\n\n发件人: 张三 <zhang@x.cn>\n主题: 报价\n日期: 2022年1月3日 GMT+8 14:44:02\n收件人: 李四 <lisi@x.cn>\n\n你好\n";
    let table = [
        ("yahoo in traditional chinese", run(Body::Html(yahoo)), Reply, "冯伟", "2019-07-02", "17:48:53"),
        ("apple mail forward in chinese", run(Body::Text(apple)), Forward, "张三", "2022-01-03", "14:44:02"),
    ];
    for (label, rendering, kind, name, date, time) in table {
        let [quote] = rendering.quotes.as_slice() else { panic!("{label}: {:#?}", rendering.quotes) };
        assert_eq!(quote.kind, kind, "{label}");
        assert_eq!(quote.fields.name.as_deref(), Some(name), "{label}");
        assert_eq!(quote.fields.date.as_deref(), Some(date), "{label}");
        assert_eq!(quote.fields.time.as_deref(), Some(time), "{label}");
        assert_eq!(quote.fields.utc_offset.as_deref(), Some("+08:00"), "{label}");
    }
}

#[test]
fn bodies_without_headers_yield_none() {
    let texts = [
        "On Monday I wrote:\n> the draft is attached\n",
        "Thanks!\n\nBest,\nFrom: the team\nACME Corp\n",
        "Invoice #1234\nDate: 2021-10-27\nAmount: 100 EUR\nDue: 2021-11-27\n",
        "Steps: build -> test -> deploy\nthen > profit\n",
        "Here is the list:\n1. eggs\n2. milk\n",
        "From: John Doe\n\nhello",
        "Subject: hello\nDate: 27 Oct 2021\n",
        "--\nJohn Doe\nACME | +1 555 0100\n",
        "On 27 October we released version 2:\n- faster\n",
        "A note from our CEO\n\nFrom: Sarah Connor, Chief Executive Officer\nSent: to all 12,000 subscribers\nSubject: our plans for 2022\n\nDear readers,\n",
        "Lieferschein\nDate: 03.01.2022\nFrom: Lager Hamburg, Speicherstadt 5\nTo: Max Mustermann, Hauptstr. 1\n",
        "В блоге:\n3 января 2022 г. в 10:15 Иван Петров писал в своём блоге:\nвсё хорошо\n",
        "メモ\n\n2022年1月3日 10:15 山田太郎さんから電話がありました：\n折り返しお願いします。\n",
        "会议纪要\n\n2022年1月3日 10:15，王伟在会上说：\n项目按时完成。\n",
        "MEMORANDUM\n\nTo: All staff\nFrom: John Smith, CEO\nDate: January 3, 2022\nRe: Holiday schedule\n\nThe office closes early.\n",
        "Bilet\n\nDe la: București Nord\nCătre: Brașov\nData: 05.10.2022 10:15\nVagon 3, loc 42\n",
        "Potwierdzenie przelewu\n\nOd: Jan Kowalski\nDo: Anna Nowak\nData: 17.11.2022 14:05\nTytuł: czynsz\n",
        "Uw bestelling is onderweg\n\nVan: Bol.com\nVerzonden: donderdag 17 november 2022 12:00\n\nTrack uw pakket.\n",
        "Your flight\n\nFrom: Helsinki\nTo: Tallinn\nDate: Mon 3 Jan 2022 10:15\n",
        "系统消息\n\n发件人：系统通知\n时间：2023年3月14日 09:30\n\n您的密码即将过期。\n",
        "Acme Weekly\n\nFrom: The Acme Team <news@acme.example>\nDate: Monday, January 3, 2022 10:15 AM\nIssue: #42\n\nHello readers,\n",
    ];
    for text in texts {
        let rendering = run(Body::Text(text));
        assert!(rendering.quotes.is_empty(), "{text:?} gave {:#?}", rendering.quotes);
    }
    let htmls = [
        "<p>As Hamlet said:</p><blockquote>To be, or not to be, that is the question.</blockquote>",
        "<p>On Monday I wrote:</p><blockquote>the draft</blockquote>",
        "<table><tr><td>From:</td><td>Berlin</td></tr><tr><td>To:</td><td>Paris</td></tr></table>",
    ];
    for html in htmls {
        let rendering = run(Body::Html(html));
        assert!(rendering.quotes.is_empty(), "{html:?} gave {:#?}", rendering.quotes);
    }
}

#[test]
fn the_address_book_fills_a_missing_address() {
    let mut book = AddressBook::new();
    book.add("Jean Dupont", "jean.dupont@example.fr");
    let rendering = render(
        Body::Text("Ok\n\nLe 03/11/2021 à 15:51, Jean Dupont a écrit :\n> Bonjour\n"),
        None,
        &MaskSet::builtin(),
        &book,
        &RenderOptions::default(),
    );
    assert_eq!(rendering.quotes[0].fields.email.as_deref(), Some("jean.dupont@example.fr"));
}

#[test]
fn sanitising_removes_active_and_remote_content() {
    let hostile = r#"<div onclick="steal()">hi<script>alert(1)</script>
        <img src="x" onerror="alert(1)"><a href="javascript:alert(1)">link</a>
        <div style="background:url(http://evil.example/x.png)">bg</div>
        <img srcset="http://evil.example/a.png 1x" src="cid:part1">
        <table background="http://evil.example/t.png"><tr><td>t</td></tr></table>
        <img src="https://tracker.example/pixel.png" alt="logo">
        <img src="data:text/html;base64,PHNjcmlwdD4=">
        <a href="data:text/html,<script>x</script>">data link</a>
        <iframe src="https://evil.example"></iframe><svg><script>alert(2)</script></svg>
        <style>@import url(http://evil.example/s.css);</style><form action="x"><input name="p"></form></div>"#;
    let html = run(Body::Html(hostile)).html;
    let lower = html.to_lowercase();
    for banned in [
        "<script",
        "onclick",
        "onerror",
        "javascript:",
        "url(",
        "srcset",
        "background=",
        "tracker.example",
        "<iframe",
        "data:text",
        "@import",
        "<form",
        "<input",
    ] {
        assert!(!lower.contains(banned), "{banned} survived in {html}");
    }
    assert!(html.contains("tidings-remote-image"), "{html}");
    assert!(html.contains("[logo]"));

    let allowed = render(
        Body::Html(r#"<img src="https://tracker.example/pixel.png" alt="logo">"#),
        None,
        &MaskSet::builtin(),
        &AddressBook::new(),
        &RenderOptions { allow_remote_images: true, ..RenderOptions::default() },
    );
    assert!(allowed.html.contains("https://tracker.example/pixel.png"), "{}", allowed.html);
}

#[test]
fn text_bodies_render_escaped_with_quote_levels() {
    let html = run(Body::Text("a <b> & c\n> quoted\n> > deeper\nback")).html;
    assert!(html.contains("a &lt;b&gt; &amp; c"), "{html}");
    assert_eq!(html.matches("<blockquote").count(), 2);
    assert!(html.find("quoted").unwrap() < html.find("deeper").unwrap());
}
