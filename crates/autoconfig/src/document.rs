//! Thunderbird autoconfig documents (`clientConfig` version 1.1), read for their IMAP servers.

use roxmltree::{Document, Node, ParsingOptions};

use crate::address::EmailAddress;
use crate::{AutoconfigError, Candidate, SocketType, Source};

/// Real documents are a few kilobytes; anything far larger is refused before parsing.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// What a `clientConfig` document says about a provider, placeholders not yet filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderConfig {
    /// `<displayName>`, when present.
    pub display_name: Option<String>,
    /// The `<domain>` entries, lowercased.
    pub domains: Vec<String>,
    /// The `<incomingServer type="imap">` entries, in document order; never empty.
    pub imap_servers: Vec<ImapServer>,
}

/// One `<incomingServer type="imap">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImapServer {
    pub hostname: String,
    pub port: u16,
    pub socket: SocketType,
    pub username: String,
}

impl ProviderConfig {
    /// Reads the first `<emailProvider>` of a `clientConfig` document. A DTD is refused (so no entity
    /// is ever expanded), and so is a document over [`MAX_DOCUMENT_BYTES`].
    pub fn parse(xml: &str) -> Result<Self, AutoconfigError> {
        if xml.len() > MAX_DOCUMENT_BYTES {
            return Err(AutoconfigError::MalformedXml(format!(
                "the document is {} bytes, more than the {MAX_DOCUMENT_BYTES} bytes allowed",
                xml.len()
            )));
        }
        let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
        let document = Document::parse_with_options(xml, options)
            .map_err(|error| AutoconfigError::MalformedXml(error.to_string()))?;
        let root = document.root_element();
        if !root.has_tag_name("clientConfig") {
            return Err(invalid(format!(
                "the root element is <{}>, not <clientConfig>",
                root.tag_name().name()
            )));
        }
        let provider = child_elements(root, "emailProvider")
            .next()
            .ok_or_else(|| invalid("there is no <emailProvider>".to_owned()))?;
        let imap_servers = child_elements(provider, "incomingServer")
            .filter(|server| server.attribute("type") == Some("imap"))
            .map(ImapServer::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if imap_servers.is_empty() {
            return Err(AutoconfigError::NoImapServer);
        }
        Ok(ProviderConfig {
            display_name: child_text(provider, "displayName").map(str::to_owned),
            domains: child_elements(provider, "domain")
                .filter_map(|domain| domain.text().map(str::trim))
                .filter(|domain| !domain.is_empty())
                .map(str::to_lowercase)
                .collect(),
            imap_servers,
        })
    }

    /// The IMAP servers as connection candidates for `email`, in document order.
    pub fn candidates(
        &self,
        email: &EmailAddress,
        source: &Source,
    ) -> Result<Vec<Candidate>, AutoconfigError> {
        self.imap_servers.iter().map(|server| server.candidate(email, source.clone())).collect()
    }
}

impl ImapServer {
    fn parse(server: Node) -> Result<Self, AutoconfigError> {
        let required = |name: &'static str| {
            child_text(server, name).ok_or_else(|| invalid(format!("an IMAP server has no <{name}>")))
        };
        let port = required("port")?;
        let socket = required("socketType")?;
        Ok(ImapServer {
            hostname: required("hostname")?.to_owned(),
            port: port
                .parse()
                .ok()
                .filter(|&port| port != 0)
                .ok_or_else(|| invalid(format!("the port {port:?} is not a port number")))?,
            socket: match socket.to_ascii_lowercase().as_str() {
                "ssl" => SocketType::Tls,
                "starttls" => SocketType::StartTls,
                "plain" => SocketType::Plain,
                _ => return Err(invalid(format!("the socketType {socket:?} is not SSL, STARTTLS or plain"))),
            },
            username: required("username")?.to_owned(),
        })
    }

    fn candidate(&self, email: &EmailAddress, source: Source) -> Result<Candidate, AutoconfigError> {
        let hostname = email.fill_hostname(&self.hostname);
        let host = idna::domain_to_ascii_strict(&hostname)
            .map_err(|_| invalid(format!("the hostname {hostname:?} is not a host name")))?;
        Ok(Candidate {
            host,
            port: self.port,
            socket: self.socket,
            username: email.fill_username(&self.username),
            source,
        })
    }
}

fn invalid(reason: String) -> AutoconfigError {
    AutoconfigError::InvalidDocument(reason)
}

fn child_elements<'a, 'input>(
    parent: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    parent.children().filter(move |child| child.has_tag_name(name))
}

/// The trimmed text of the first child element called `name`, if it has any.
fn child_text<'a>(parent: Node<'a, '_>, name: &'static str) -> Option<&'a str> {
    child_elements(parent, name).next()?.text().map(str::trim).filter(|text| !text.is_empty())
}
