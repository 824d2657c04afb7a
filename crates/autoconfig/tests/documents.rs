//! `parse_document`: the IMAP servers of a fetched autoconfig document, and documents refused.

use std::time::{Duration, Instant};

use tidings_autoconfig::{parse_document, AutoconfigError, Candidate, SocketType, Source};

/// A provider with POP3, three IMAP servers (one per socketType) and SMTP, interleaved.
const MIXED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.net">
    <domain>example.net</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="pop3">
      <hostname>pop.example.net</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.net</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <incomingServer type="imap">
      <hostname> Mail.Example.NET </hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>legacy.example.net</hostname>
      <port>143</port>
      <socketType>plain</socketType>
      <username>%EMAILLOCALPART%+%EMAILDOMAIN%</username>
    </incomingServer>
  </emailProvider>
</clientConfig>
"#;

fn imap_server(hostname: &str, port: &str, socket_type: &str) -> String {
    format!(
        r#"<clientConfig version="1.1"><emailProvider id="x">
             <incomingServer type="imap">
               <hostname>{hostname}</hostname><port>{port}</port>
               <socketType>{socket_type}</socketType><username>%EMAILADDRESS%</username>
             </incomingServer>
           </emailProvider></clientConfig>"#
    )
}

fn candidate(host: &str, port: u16, socket: SocketType, username: &str) -> Candidate {
    Candidate { host: host.to_owned(), port, socket, username: username.to_owned(), source: Source::Document }
}

#[test]
fn only_imap_servers_are_read_in_document_order_with_placeholders_filled_in() {
    assert_eq!(
        parse_document(MIXED, "Kim@Example.net").unwrap(),
        [
            candidate("imap.example.net", 993, SocketType::Tls, "Kim@example.net"),
            candidate("mail.example.net", 143, SocketType::StartTls, "Kim"),
            candidate("legacy.example.net", 143, SocketType::Plain, "Kim+example.net"),
        ]
    );
}

#[test]
fn a_document_is_read_for_the_address_given_not_the_domains_it_lists() {
    let found = parse_document(MIXED, "kim@bücher.example").unwrap();
    assert_eq!(found[0].host, "imap.xn--bcher-kva.example");
    assert_eq!(found[0].username, "kim@bücher.example");
}

#[test]
fn a_document_without_an_imap_server_is_refused() {
    let pop_only = MIXED.replace(r#"type="imap""#, r#"type="pop3""#);
    assert_eq!(parse_document(&pop_only, "kim@example.net"), Err(AutoconfigError::NoImapServer));
    assert_eq!(
        parse_document(
            r#"<clientConfig version="1.1"><emailProvider id="x"/></clientConfig>"#,
            "kim@example.net"
        ),
        Err(AutoconfigError::NoImapServer)
    );
    assert_eq!(AutoconfigError::NoImapServer.to_string(), "the autoconfig document lists no IMAP server");
}

#[test]
fn malformed_xml_is_refused() {
    for xml in ["", "not xml", "<clientConfig>", "<clientConfig></emailProvider>", "<a/><b/>"] {
        assert!(
            matches!(parse_document(xml, "kim@example.net"), Err(AutoconfigError::MalformedXml(_))),
            "{xml:?}"
        );
    }
}

#[test]
fn a_document_that_is_not_a_usable_client_config_is_refused() {
    let unusable = [
        ("<html><body>Not found</body></html>".to_owned(), "the root element is <html>, not <clientConfig>"),
        (r#"<clientConfig version="1.1"/>"#.to_owned(), "there is no <emailProvider>"),
        (imap_server("imap.example.net", "99999", "SSL"), r#"the port "99999" is not a port number"#),
        (imap_server("imap.example.net", "0", "SSL"), r#"the port "0" is not a port number"#),
        (
            imap_server("imap.example.net", "993", "TLS-ish"),
            r#"the socketType "TLS-ish" is not SSL, STARTTLS or plain"#,
        ),
        (imap_server("", "993", "SSL"), "an IMAP server has no <hostname>"),
        (
            imap_server("imap example.net", "993", "SSL"),
            r#"the hostname "imap example.net" is not a host name"#,
        ),
    ];
    for (xml, reason) in unusable {
        assert_eq!(
            parse_document(&xml, "kim@example.net"),
            Err(AutoconfigError::InvalidDocument(reason.to_owned())),
            "{xml}"
        );
    }
}

#[test]
fn the_address_is_checked_too() {
    assert!(matches!(parse_document(MIXED, "kim"), Err(AutoconfigError::InvalidAddress { .. })));
}

#[test]
fn a_dtd_is_refused_so_no_entity_is_expanded() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE clientConfig [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<clientConfig version="1.1"><emailProvider id="x"><displayName>&lol9;</displayName></emailProvider></clientConfig>"#;
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE clientConfig [ <!ENTITY host SYSTEM "file:///etc/hostname"> ]>
<clientConfig version="1.1"><emailProvider id="x"><incomingServer type="imap">
  <hostname>&host;</hostname><port>993</port><socketType>SSL</socketType><username>u</username>
</incomingServer></emailProvider></clientConfig>"#;
    for xml in [billion_laughs, external] {
        let Err(AutoconfigError::MalformedXml(reason)) = parse_document(xml, "kim@example.net") else {
            panic!("a document with a DTD was read");
        };
        assert!(reason.contains("DTD"), "{reason}");
    }
}

#[test]
fn deep_nesting_is_read_without_recursion() {
    let depth = 30_000;
    let nested = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
    let xml = imap_server("imap.example.net", "993", "SSL")
        .replace("</emailProvider>", &format!("{nested}</emailProvider>"));
    let started = Instant::now();
    let found = parse_document(&xml, "kim@example.net").unwrap();
    assert_eq!(found, [candidate("imap.example.net", 993, SocketType::Tls, "kim@example.net")]);
    assert!(started.elapsed() < Duration::from_secs(5));

    let unclosed = "<clientConfig>".to_owned() + &"<x>".repeat(depth);
    assert!(matches!(parse_document(&unclosed, "kim@example.net"), Err(AutoconfigError::MalformedXml(_))));
}

#[test]
fn an_oversized_document_is_refused_before_parsing() {
    let padding = "<!-- padding -->".repeat(20_000);
    let xml = imap_server("imap.example.net", "993", "SSL")
        .replace("</clientConfig>", &format!("{padding}</clientConfig>"));
    let Err(AutoconfigError::MalformedXml(reason)) = parse_document(&xml, "kim@example.net") else {
        panic!("a {} byte document was read", xml.len());
    };
    assert!(reason.contains("more than the 262144"), "{reason}");
}
