//! `candidates` and `lookup_urls`: shipped providers, aliases, guesses, addresses refused.

use tidings_autoconfig::{candidates, lookup_urls, AutoconfigError, Candidate, SocketType, Source};

fn endpoints(candidates: &[Candidate]) -> Vec<(&str, u16, SocketType)> {
    candidates.iter().map(|c| (c.host.as_str(), c.port, c.socket)).collect()
}

fn shipped(provider: &str) -> Source {
    Source::Shipped { provider: provider.to_owned() }
}

#[test]
fn a_shipped_provider_comes_first_then_the_guesses_it_does_not_already_list() {
    let found = candidates("someone@gmail.com").unwrap();
    assert_eq!(
        endpoints(&found),
        [
            ("imap.gmail.com", 993, SocketType::Tls),
            ("imap.gmail.com", 143, SocketType::StartTls),
            ("mail.gmail.com", 993, SocketType::Tls),
            ("mail.gmail.com", 143, SocketType::StartTls),
            ("gmail.com", 993, SocketType::Tls),
        ]
    );
    assert_eq!(found[0].source, shipped("Google Mail"));
    assert_eq!(found[0].username, "someone@gmail.com");
    assert!(found[1..].iter().all(|c| c.source == Source::Guess));
}

#[test]
fn an_alias_domain_finds_its_provider() {
    let found = candidates("user@googlemail.com").unwrap();
    assert_eq!(endpoints(&found[..1]), [("imap.gmail.com", 993, SocketType::Tls)]);
    assert_eq!(found[0].username, "user@googlemail.com");
    assert_eq!(found[0].source, shipped("Google Mail"));

    let hotmail = candidates("user@hotmail.com").unwrap();
    assert_eq!(hotmail[0].host, "outlook.office365.com");
    assert_eq!(candidates("user@me.com").unwrap()[0].host, "imap.mail.me.com");
    assert_eq!(candidates("user@ya.ru").unwrap()[0].host, "imap.yandex.com");
    assert_eq!(candidates("user@bk.ru").unwrap()[0].host, "imap.mail.ru");
    assert_eq!(candidates("user@ymail.com").unwrap()[0].host, "imap.mail.yahoo.com");
}

#[test]
fn the_domain_is_matched_without_regard_to_case_and_the_local_part_is_kept() {
    let found = candidates("User@GMail.COM").unwrap();
    assert_eq!(found[0].host, "imap.gmail.com");
    assert_eq!(found[0].username, "User@gmail.com");
    assert_eq!(found[0].source, shipped("Google Mail"));
}

#[test]
fn the_username_follows_the_providers_placeholder() {
    let icloud = candidates("alice@icloud.com").unwrap();
    assert_eq!(icloud[0].username, "alice", "iCloud logs in with %EMAILLOCALPART%");
    assert_eq!(icloud[0].source, shipped("Apple iCloud"));
    assert_eq!(icloud[1].username, "alice@icloud.com", "guesses log in with the whole address");
    assert_eq!(candidates("alice@fastmail.com").unwrap()[0].username, "alice@fastmail.com");
}

#[test]
fn every_imap_server_of_a_provider_is_listed_in_file_order() {
    let found = candidates("hans@gmx.de").unwrap();
    assert_eq!(
        endpoints(&found[..2]),
        [("imap.gmx.net", 993, SocketType::Tls), ("imap.gmx.net", 143, SocketType::StartTls)]
    );
    assert!(found[..2].iter().all(|c| c.source == shipped("GMX Freemail")));
    assert_eq!(found.len(), 2 + 5, "no guess for gmx.de is also a shipped server");
}

#[test]
fn an_unknown_domain_gets_only_the_guesses_in_order() {
    let found = candidates("bob@example.org").unwrap();
    assert_eq!(
        endpoints(&found),
        [
            ("imap.example.org", 993, SocketType::Tls),
            ("imap.example.org", 143, SocketType::StartTls),
            ("mail.example.org", 993, SocketType::Tls),
            ("mail.example.org", 143, SocketType::StartTls),
            ("example.org", 993, SocketType::Tls),
        ]
    );
    assert!(found.iter().all(|c| c.source == Source::Guess && c.username == "bob@example.org"));
    assert!(found.iter().all(|c| c.socket != SocketType::Plain));
}

#[test]
fn a_unicode_domain_becomes_punycode_in_host_names() {
    let found = candidates("Anna@Bücher.example").unwrap();
    assert_eq!(found[0].host, "imap.xn--bcher-kva.example");
    assert_eq!(found[4].host, "xn--bcher-kva.example");
    assert_eq!(found[0].username, "Anna@bücher.example");
}

#[test]
fn what_is_not_an_e_mail_address_is_refused_with_the_reason() {
    let refused = [
        ("bob", "no @"),
        ("a@", "nothing after the @"),
        ("@b", "nothing before the @"),
        ("", "no @"),
        ("a b@example.com", "white space outside quotes"),
        (" a@example.com", "white space outside quotes"),
        ("a@example.com ", "white space outside quotes"),
        ("a@exa mple.com", "white space outside quotes"),
        ("a@b@example.com", "more than one @ outside quotes"),
        ("\"a@example.com", "a quote is not closed"),
        ("a@localhost", "the domain has no dot"),
        ("a@exa_mple.com", "the domain is not a host name"),
        ("a@example..com", "the domain is not a host name"),
        ("a@-example.com", "the domain is not a host name"),
        ("a@[192.0.2.1]", "the domain is not a host name"),
    ];
    for (address, reason) in refused {
        let expected = AutoconfigError::InvalidAddress { address: address.to_owned(), reason };
        assert_eq!(candidates(address), Err(expected.clone()), "{address:?}");
        assert_eq!(lookup_urls(address), Err(expected), "{address:?}");
    }
}

#[test]
fn the_error_message_names_the_address_and_the_reason() {
    let error = candidates("a@b@example.com").unwrap_err();
    assert_eq!(
        error.to_string(),
        r#""a@b@example.com" is not an e-mail address: more than one @ outside quotes"#
    );
}

#[test]
fn a_quoted_at_sign_is_part_of_the_local_part() {
    let found = candidates(r#""a@b"@example.com"#).unwrap();
    assert_eq!(found[0].host, "imap.example.com");
    assert_eq!(found[0].username, r#""a@b"@example.com"#);
}

#[test]
fn lookup_urls_are_the_autoconfig_host_the_well_known_path_and_the_ispdb() {
    assert_eq!(
        lookup_urls("Alice+news@Example.COM").unwrap(),
        [
            "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=Alice%2Bnews%40example.com",
            "https://example.com/.well-known/autoconfig/mail/config-v1.1.xml",
            "https://autoconfig.thunderbird.net/v1.1/example.com",
        ]
    );
}

#[test]
fn lookup_urls_use_punycode_hosts_and_an_encoded_unicode_address() {
    let urls = lookup_urls("anna@bücher.example").unwrap();
    assert_eq!(
        urls[0],
        "https://autoconfig.xn--bcher-kva.example/mail/config-v1.1.xml?emailaddress=anna%40b%C3%BCcher.example"
    );
    assert_eq!(urls[2], "https://autoconfig.thunderbird.net/v1.1/xn--bcher-kva.example");
}

#[test]
fn candidates_serialize_with_lowercase_names() {
    let found = candidates("someone@gmail.com").unwrap();
    assert_eq!(
        serde_json::to_value(&found[..2]).unwrap(),
        serde_json::json!([
            {
                "host": "imap.gmail.com",
                "port": 993,
                "socket": "tls",
                "username": "someone@gmail.com",
                "source": { "kind": "shipped", "provider": "Google Mail" }
            },
            {
                "host": "imap.gmail.com",
                "port": 143,
                "socket": "starttls",
                "username": "someone@gmail.com",
                "source": { "kind": "guess" }
            }
        ])
    );
}
