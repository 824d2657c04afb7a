//! Reply or forward from the subject chain: Outlook-style field blocks and "Original Message"
//! separators take their kind from the subject prefixes of the message that quotes them, in
//! every language; with no usable subject the old guess (top of the body → forward) stays.

use tidings_mask::{render, AddressBook, Body, MaskSet, QuoteKind, RenderOptions, TopHeader};
use QuoteKind::{Forward, Reply};

/// (depth, kind) of every quote header of `body`, rendered under a top message with `subject`
/// (`None`: no top header at all).
fn kinds(body: Body<'_>, subject: Option<Option<&str>>) -> Vec<(usize, QuoteKind)> {
    let top = subject.map(|subject| TopHeader {
        name: Some("Mark Webb".into()),
        email: Some("mark.webb@example.com".into()),
        date: None,
        subject: subject.map(str::to_string),
    });
    let rendering =
        render(body, top.as_ref(), &MaskSet::builtin(), &AddressBook::new(), &RenderOptions::default());
    rendering.quotes.iter().map(|quote| (quote.depth, quote.kind)).collect()
}

fn text_kinds(body: &str, subject: Option<&str>) -> Vec<(usize, QuoteKind)> {
    kinds(Body::Text(body), Some(subject))
}

/// An English Outlook block with nothing written above it.
const OUTLOOK_AT_TOP: &str = "From: Priya Nair <priya.nair@example.net>
Sent: Wednesday, October 27, 2021 10:48 AM
To: Mark Webb <mark.webb@example.com>
Subject: Re: Q4 offsite venue

Friday works for me.
";

/// An English Outlook block under the author's text.
const OUTLOOK_UNDER_TEXT: &str = "See below.

From: Priya Nair <priya.nair@example.net>
Sent: Wednesday, October 27, 2021 10:48 AM
To: Mark Webb <mark.webb@example.com>
Subject: Q4 offsite venue

Friday works for me.
";

/// An "Original Message" block under the author's text.
const ORIGINAL_MESSAGE: &str = "Please have a look.

-----Original Message-----
From: Accounts Payable <ap@example.org>
Sent: Friday, November 5, 2021 2:14 PM
To: Olivia Brown <olivia.brown@example.org>
Subject: Invoice INV-20817 - renewal

Hello,
";

#[test]
fn the_top_subject_decides_an_outlook_block_at_depth_one() {
    // Without a subject the block's place decides: at the top → forward, under text → reply.
    assert_eq!(text_kinds(OUTLOOK_AT_TOP, None), [(1, Forward)]);
    assert_eq!(text_kinds(OUTLOOK_UNDER_TEXT, None), [(1, Reply)]);
    // "RE: Q4" over a block at the very top: a reply all the same.
    assert_eq!(text_kinds(OUTLOOK_AT_TOP, Some("RE: Q4 offsite venue")), [(1, Reply)]);
    // A forward under the forwarder's note.
    assert_eq!(text_kinds(OUTLOOK_UNDER_TEXT, Some("FW: Q4 offsite venue")), [(1, Forward)]);
    assert_eq!(text_kinds(OUTLOOK_UNDER_TEXT, Some("Fwd: Q4 offsite venue")), [(1, Forward)]);
    // "Original Message" is written for forwards too.
    assert_eq!(text_kinds(ORIGINAL_MESSAGE, Some("FW: Invoice INV-20817 - renewal")), [(1, Forward)]);
    assert_eq!(text_kinds(ORIGINAL_MESSAGE, Some("RE: Invoice INV-20817 - renewal")), [(1, Reply)]);
}

#[test]
fn prefixes_of_other_languages() {
    let german = "Von: Hans Müller <hans.mueller@example.de>
Gesendet: Mittwoch, 27. Oktober 2021 16:47
An: Katrin Weber <katrin.weber@example.de>
Betreff: Angebot

Text
";
    // At the very top the old guess is forward; "AW:" says reply.
    assert_eq!(text_kinds(german, None), [(1, Forward)]);
    assert_eq!(text_kinds(german, Some("AW: Angebot")), [(1, Reply)]);
    assert_eq!(text_kinds(german, Some("WG: Angebot")), [(1, Forward)]);

    // Under the author's text the old guess is reply; these prefixes say forward.
    let table: &[(&str, &str)] = &[
        (
            "RV: Presupuesto",
            "Mira esto.\n\nDe: Fontanería Ruiz <presupuestos@fontaneria-ruiz.example>\nEnviado: martes, 26 de octubre de 2021 12:15\nPara: Lucía Fernández <lucia.fernandez@example.es>\nAsunto: Presupuesto\n\nTexto\n",
        ),
        (
            "Doorst: Offerte",
            "Zie onder.\n\nVan: Jan de Vries <jan@example.nl>\nVerzonden: woensdag 27 oktober 2021 15:14\nAan: Piet <piet@example.nl>\nOnderwerp: Offerte\n\nTekst\n",
        ),
        (
            "VB: Möte",
            "Se nedan.\n\nFrån: Sven Svensson <sven@example.se>\nSkickat: den 27 oktober 2021 15:14\nTill: Anna <anna@example.se>\nÄmne: Möte\n\nText\n",
        ),
        (
            "转发：会议",
            "请看下面。\n\n发件人: 王伟 <wang.wei@example.cn>\n发送时间: 2021年10月27日 15:14\n收件人: 李娜 <li.na@example.cn>\n主题: 会议\n\n正文\n",
        ),
        (
            "転送: 会議",
            "下記をご覧ください。\n\n差出人: 山田太郎 <taro@example.jp>\n送信日時: 2021年10月27日 15:14\n宛先: 佐藤 <sato@example.jp>\n件名: 会議\n\n本文\n",
        ),
        ("TR : Réunion", "Pour info.\n\nDe : Sophie Bernard <sophie.bernard@example.fr>\nEnvoyé : mardi 26 octobre 2021 18:02\nÀ : Jean <jean@example.fr>\nObjet : Réunion\n\nTexte\n"),
    ];
    for (subject, body) in table {
        assert_eq!(text_kinds(body, None), [(1, Reply)], "{subject}: the old guess");
        assert_eq!(text_kinds(body, Some(subject)), [(1, Forward)], "{subject}");
    }
}

#[test]
fn the_chain_is_followed_through_attributions_and_subject_fields() {
    // "Re: TR: X": the depth 1 attribution consumes "Re", so the depth 2 block is a forward.
    let french = "Merci !

Le mer. 27 oct. 2021 à 09:31, Jean Dupont <jean.dupont@example.fr> a écrit :
> Voir ci-dessous.
>
> De : Sophie Bernard <sophie.bernard@example.fr>
> Envoyé : mardi 26 octobre 2021 18:02
> À : Jean Dupont <jean.dupont@example.fr>
> Objet : Réunion de chantier
>
> Bonjour,
";
    assert_eq!(text_kinds(french, Some("Re: TR: Réunion de chantier")), [(1, Reply), (2, Forward)]);
    // Without the forward step the old guess (under text → reply) stays.
    assert_eq!(text_kinds(french, Some("Re: Réunion de chantier")), [(1, Reply), (2, Reply)]);

    // "WG: Re: X": the Outlook block is a forward; its own Subject ("Re: …") starts the list of
    // the message it shows, whose attribution stays a reply.
    let german = "Zur Info.

Von: Hans Müller <hans.mueller@example.de>
Gesendet: Mittwoch, 27. Oktober 2021 16:47
An: Katrin Weber <katrin.weber@example.de>
Betreff: Re: Ihr Angebot

Passt.

Am 27.10.2021 um 09:31 schrieb Katrin Weber <katrin.weber@example.de>:
> Anbei das Angebot.
";
    assert_eq!(text_kinds(german, Some("WG: Re: Ihr Angebot")), [(1, Forward), (2, Reply)]);

    // "Fwd: RE: X": the Gmail forward separator is a forward whatever the subject says; its
    // Subject field ("RE: …") makes the "Original Message" block under it a reply, and a
    // "FW: …" there would make it a forward.
    let forward = "FYI

---------- Forwarded message ---------
From: Daniel Kim <daniel.kim@vendor.example>
Date: Fri, Nov 5, 2021 at 3:40 PM
Subject: RE: Invoice INV-20817 - renewal
To: Olivia Brown <olivia.brown@example.org>

Confirmed.

-----Original Message-----
From: Accounts Payable <ap@example.org>
Sent: Friday, November 5, 2021 2:14 PM
To: Daniel Kim <daniel.kim@vendor.example>
Subject: Invoice INV-20817 - renewal

Hello,
";
    assert_eq!(text_kinds(forward, Some("Fwd: RE: Invoice INV-20817 - renewal")), [(1, Forward), (2, Reply)]);
    let forwarded_forward = forward.replace("Subject: RE: Invoice", "Subject: FW: Invoice");
    assert_eq!(
        text_kinds(&forwarded_forward, Some("Fwd: FW: Invoice INV-20817 - renewal")),
        [(1, Forward), (2, Forward)]
    );
}

/// Two replies (Yahoo around Gmail, in Spanish) around an Outlook block: depth 3.
const TWO_REPLIES_AROUND_A_BLOCK: &str = "Perfecto.

El miércoles, 27 de octubre de 2021, 9:31:12 CEST, Juan Pérez <juan.perez@example.es> escribió:
> Me parece bien.
>
> El mar, 26 oct 2021 a las 19:40, Lucía Fernández (<lucia.fernandez@example.es>) escribió:
>> Te lo reenvío.
>>
>> De: Fontanería Ruiz <presupuestos@fontaneria-ruiz.example>
>> Enviado: martes, 26 de octubre de 2021 12:15
>> Para: Lucía Fernández <lucia.fernandez@example.es>
>> Asunto: Presupuesto reforma baño
>>
>> Adjunto el presupuesto.
";

#[test]
fn collapsed_reply_prefixes_are_not_consumed_by_the_wrong_kind() {
    // Clients write "Re:" once for two replies: the second attribution finds "RV" first, does
    // not consume it, and the block at depth 3 is still a forward.
    assert_eq!(
        text_kinds(TWO_REPLIES_AROUND_A_BLOCK, Some("Re: RV: Presupuesto reforma baño")),
        [(1, Reply), (2, Reply), (3, Forward)]
    );
    // "Re: Re: Re:" written out in full leaves nothing for the block: the old guess stays.
    assert_eq!(
        text_kinds(TWO_REPLIES_AROUND_A_BLOCK, Some("Re: Re: Presupuesto reforma baño")),
        [(1, Reply), (2, Reply), (3, Reply)]
    );
    // One more "Re" than attributions: the block is a reply by the chain.
    assert_eq!(
        text_kinds(TWO_REPLIES_AROUND_A_BLOCK, Some("Re: Re: Re: RV: Presupuesto reforma baño")),
        [(1, Reply), (2, Reply), (3, Reply)]
    );
    // Numbered and tagged forms.
    assert_eq!(
        text_kinds(TWO_REPLIES_AROUND_A_BLOCK, Some("[EXT] Re[2]: RV: Presupuesto reforma baño")),
        [(1, Reply), (2, Reply), (3, Forward)]
    );
}

#[test]
fn unknown_or_missing_subjects_keep_the_old_guess() {
    for subject in [
        None,
        Some(""),
        Some("Q4 offsite venue"),
        Some("Meeting: agenda"),
        // Finnish VS is a reply, Danish and Norwegian VS a forward: it says nothing.
        Some("VS: Q4 offsite venue"),
        Some("Vs: Q4 offsite venue"),
    ] {
        assert_eq!(text_kinds(OUTLOOK_AT_TOP, subject), [(1, Forward)], "{subject:?}");
        assert_eq!(text_kinds(OUTLOOK_UNDER_TEXT, subject), [(1, Reply)], "{subject:?}");
        assert_eq!(text_kinds(ORIGINAL_MESSAGE, subject), [(1, Reply)], "{subject:?}");
    }
    // No top header at all.
    assert_eq!(kinds(Body::Text(OUTLOOK_AT_TOP), None), [(1, Forward)]);
    assert_eq!(kinds(Body::Text(OUTLOOK_UNDER_TEXT), None), [(1, Reply)]);
    assert_eq!(kinds(Body::Text(ORIGINAL_MESSAGE), None), [(1, Reply)]);
}

#[test]
fn headers_that_say_what_they_are_keep_their_kind() {
    // A forward separator under "Re:" and an attribution under "Fwd:" are what they say.
    let gmail_forward = "FYI

---------- Forwarded message ---------
From: John Doe <john.doe@acme.com>
Date: Wed, Oct 27, 2021 at 9:31 AM
Subject: Integer consequat
To: Bessie Berry <bessie.berry@acme.com>

Aenean quis diam urna.
";
    assert_eq!(text_kinds(gmail_forward, Some("Re: Integer consequat")), [(1, Forward)]);
    let attribution = "Sure.

On Wed, Oct 27, 2021 at 9:31 AM John Doe <john.doe@acme.com> wrote:
> Aenean quis diam urna.
";
    assert_eq!(text_kinds(attribution, Some("Fwd: Integer consequat")), [(1, Reply)]);
}

#[test]
fn html_outlook_blocks_follow_the_subject_too() {
    let html = r#"<html><body><div>Zur Info.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt"><b>Von:</b> Hans Müller &lt;hans.mueller@example.de&gt;<br><b>Gesendet:</b> Mittwoch, 27. Oktober 2021 16:47<br><b>An:</b> Katrin Weber &lt;katrin.weber@example.de&gt;<br><b>Betreff:</b> Re: Ihr Angebot</font><div>&nbsp;</div></div><div>Passt.</div><blockquote type="cite"><div>Am 27.10.2021 um 09:31 schrieb Katrin Weber &lt;katrin.weber@example.de&gt;:</div><blockquote type="cite"><div>Anbei das Angebot.</div></blockquote></blockquote></body></html>"#;
    assert_eq!(kinds(Body::Html(html), Some(None)), [(1, Reply), (2, Reply)]);
    assert_eq!(kinds(Body::Html(html), Some(Some("WG: Re: Ihr Angebot"))), [(1, Forward), (2, Reply)]);
    assert_eq!(kinds(Body::Html(html), Some(Some("AW: Re: Ihr Angebot"))), [(1, Reply), (2, Reply)]);
}
