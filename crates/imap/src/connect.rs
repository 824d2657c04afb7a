//! Opening an authenticated IMAP session: TCP, then implicit TLS, STARTTLS or (only where allowed)
//! plaintext; greeting; capabilities; RFC 2971 ID; LOGIN, AUTHENTICATE PLAIN or OAuth2 SASL.
//!
//! Numbered plan of [`connect`]:
//! 1. Refuse `Security::Plain` unless the user allowed it; connect TCP (timeout); for plaintext,
//!    refuse again unless the peer address is loopback or a private LAN.
//! 2. TLS: handshake trusting the platform's roots or only the pinned SHA-256 (timeout). An
//!    untrusted certificate is [`ImapError::UntrustedCertificate`] with its fingerprint, never a
//!    silent accept.
//!    STARTTLS: read the greeting in plaintext; if CAPABILITY lacks `STARTTLS` or the server
//!    refuses it, stop with [`ImapError::StartTlsStripped`] before any credential is sent
//!    (RFC 3501 §6.2.1); then handshake as above and forget the plaintext capabilities.
//! 3. Read the greeting (timeout) and the capabilities (from its `[CAPABILITY]` code or a
//!    CAPABILITY command). A voicemail server that has ID gets our ID before login.
//! 4. Authenticate (timeout): AUTHENTICATE PLAIN when offered (with SASL-IR when offered), else
//!    LOGIN unless `LOGINDISABLED` (RFC 3501 §6.2.3); OAuth2 by OAUTHBEARER or XOAUTH2.
//! 5. Ask CAPABILITY again (it may change after login), send our ID when the server has ID, and
//!    detect the dialect from greeting, capabilities and the ID answer.
//!
//! Steps 1 and 2 and the greeting are `open`, which [`crate::probe`] shares: it stops there and
//! never sends a credential.
//!
//! This module does not select mailboxes or store anything, and it never logs secrets.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_imap::imap_proto::{Response, Status};
use async_imap::{Authenticator, Client, Session};
use base64::Engine as _;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use crate::dialect::detect;
use crate::id::ClientIdentity;
use crate::session::{capabilities_in, server_id_in, Activity, Conn, ImapSession, Watched};
use crate::tls;
use crate::{ImapError, Result};

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Implicit TLS from the first byte (usually port 993).
    Tls,
    /// Plaintext greeting, then STARTTLS; anything less ends the connection (usually port 143).
    StartTls,
    /// No encryption: only with `allow_plaintext` and to loopback or a private LAN.
    Plain,
}

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Host name or IP address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS, STARTTLS or plaintext.
    pub security: Security,
    /// The login name.
    pub username: String,
    /// The user allowed plaintext (only honoured for loopback and private LAN peers).
    pub allow_plaintext: bool,
    /// SHA-256 of the one certificate the user accepted; `None` trusts the platform's roots.
    pub pinned_sha256: Option<[u8; 32]>,
}

/// How long each step may take before the connection is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect.
    pub connect: Duration,
    /// TLS handshake.
    pub tls_handshake: Duration,
    /// The server's greeting.
    pub greeting: Duration,
    /// LOGIN / AUTHENTICATE, including getting an OAuth2 token.
    pub login: Duration,
    /// How long the server may stay quiet during a command; a big FETCH may take longer as long
    /// as bytes keep arriving.
    pub command: Duration,
    /// IDLE is restarted this often; RFC 2177 §3 asks for less than 29 minutes.
    pub idle_keepalive: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            tls_handshake: Duration::from_secs(15),
            greeting: Duration::from_secs(15),
            login: Duration::from_secs(30),
            command: Duration::from_secs(30),
            idle_keepalive: Duration::from_secs(25 * 60),
        }
    }
}

/// A future that yields an OAuth2 access token, or why there is none.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = std::result::Result<String, String>> + Send + 'a>>;

/// Gets fresh OAuth2 access tokens (the app refreshes them with the provider and the keyring).
pub trait TokenProvider: Send + Sync {
    /// A currently valid access token.
    fn access_token(&self) -> TokenFuture<'_>;
}

/// The credential to log in with.
pub enum Auth {
    /// A password (from the OS keyring).
    Password(String),
    /// OAuth2 via OAUTHBEARER (RFC 7628) or XOAUTH2 (Google, Microsoft).
    OAuth2(Box<dyn TokenProvider>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Password(_) => f.write_str("Auth::Password(<redacted>)"),
            Auth::OAuth2(_) => f.write_str("Auth::OAuth2(<token provider>)"),
        }
    }
}

/// Everything about a connection that is not the server or the credential.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Step timeouts.
    pub timeouts: Timeouts,
    /// What we send in ID.
    pub identity: ClientIdentity,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions { timeouts: Timeouts::default(), identity: ClientIdentity::of_this_machine(false) }
    }
}

/// Connects, secures, authenticates and identifies; see the module's plan.
pub async fn connect(config: &ServerConfig, auth: &Auth, options: &ConnectOptions) -> Result<ImapSession> {
    let opened = open(config, options.timeouts).await?;
    finish(opened, config, auth, options).await
}

/// A transport that is secured (or plaintext where allowed) and has greeted us; no credential
/// has been sent on it.
pub(crate) struct Opened {
    pub(crate) client: Client<Conn>,
    pub(crate) activity: Activity,
    pub(crate) greeting: Greeting,
    /// TLS protects the connection (implicit TLS or after STARTTLS).
    pub(crate) secure: bool,
}

/// Steps 1 and 2 of the module's plan and the greeting: everything before login.
pub(crate) async fn open(config: &ServerConfig, timeouts: Timeouts) -> Result<Opened> {
    if config.security == Security::Plain && !config.allow_plaintext {
        return Err(ImapError::PlaintextNotAllowed { host: config.host.clone() });
    }
    let tcp =
        match tokio::time::timeout(timeouts.connect, TcpStream::connect((config.host.as_str(), config.port)))
            .await
        {
            Err(_) => return Err(ImapError::Timeout { during: "TCP connect" }),
            Ok(Err(error)) => {
                return Err(ImapError::Network(format!(
                    "cannot reach {}:{}: {error}",
                    config.host, config.port
                )))
            }
            Ok(Ok(tcp)) => tcp,
        };
    // Commands are small and interactive; do not let Nagle hold them back.
    let _ = tcp.set_nodelay(true);
    match config.security {
        Security::Plain => {
            let peer = tcp.peer_addr().map_err(|error| ImapError::Network(error.to_string()))?;
            if !is_local_network(peer.ip()) {
                return Err(ImapError::PlaintextNotAllowed {
                    host: format!("{} ({})", config.host, peer.ip()),
                });
            }
            let (stream, activity) = Watched::new(tcp);
            let mut client = Client::new(Box::new(stream) as Conn);
            let greeting = read_greeting(&mut client, timeouts.greeting).await?;
            Ok(Opened { client, activity, greeting, secure: false })
        }
        Security::Tls => {
            let tls = handshake(tcp, config, timeouts.tls_handshake).await?;
            let (stream, activity) = Watched::new(tls);
            let mut client = Client::new(Box::new(stream) as Conn);
            let greeting = read_greeting(&mut client, timeouts.greeting).await?;
            Ok(Opened { client, activity, greeting, secure: true })
        }
        Security::StartTls => {
            let mut plain = Client::new(tcp);
            let greeting = read_greeting(&mut plain, timeouts.greeting).await?;
            let capabilities = prelogin_capabilities(&mut plain, &greeting, timeouts.command).await?;
            if !capabilities.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS")) {
                return Err(ImapError::StartTlsStripped);
            }
            match prelogin_command(&mut plain, "STARTTLS", "STARTTLS", timeouts.command).await {
                Ok(_) => {}
                Err(ImapError::Protocol(_)) => return Err(ImapError::StartTlsStripped),
                Err(other) => return Err(other),
            }
            // into_inner drops anything the server sent after its OK: bytes injected before the
            // handshake must not be read as if they came over TLS.
            let tls = handshake(plain.into_inner(), config, timeouts.tls_handshake).await?;
            let (stream, activity) = Watched::new(tls);
            let client = Client::new(Box::new(stream) as Conn);
            // No greeting follows STARTTLS; the plaintext capabilities are forgotten (RFC 3501 §6.2.1).
            let greeting = Greeting { text: greeting.text, capabilities: None };
            Ok(Opened { client, activity, greeting, secure: true })
        }
    }
}

/// True for loopback, RFC 1918 private, link-local and IPv6 unique-local addresses.
pub(crate) fn is_local_network(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_network(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
            }
        },
    }
}

async fn handshake(
    tcp: TcpStream,
    config: &ServerConfig,
    limit: Duration,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    if config.pinned_sha256.is_none() {
        tls::load_platform_roots().await;
    }
    let (tls_config, verifier) = tls::client_config(config.pinned_sha256).map_err(ImapError::Network)?;
    let connector = TlsConnector::from(Arc::new(tls_config));
    let name = ServerName::try_from(config.host.clone())
        .map_err(|_| ImapError::Network(format!("{:?} is not a valid host name", config.host)))?;
    match tokio::time::timeout(limit, connector.connect(name, tcp)).await {
        Err(_) => Err(ImapError::Timeout { during: "TLS handshake" }),
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(error)) => {
            let seen = verifier.take_seen();
            match seen.leaf_sha256 {
                Some(sha256) if seen.rejected => Err(ImapError::UntrustedCertificate {
                    sha256_fingerprint: tls::format_fingerprint(&sha256),
                }),
                _ => Err(ImapError::Network(format!("TLS handshake with {} failed: {error}", config.host))),
            }
        }
    }
}

/// The server's first words.
#[derive(Debug)]
pub(crate) struct Greeting {
    pub(crate) text: String,
    pub(crate) capabilities: Option<Vec<String>>,
}

async fn read_greeting<T>(client: &mut Client<T>, limit: Duration) -> Result<Greeting>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let reading = async {
        loop {
            let response = match client.read_response().await {
                Err(error) => return Err(ImapError::Network(format!("reading the greeting: {error}"))),
                Ok(None) => {
                    return Err(ImapError::Network("the server closed the connection before greeting".into()))
                }
                Ok(Some(response)) => response,
            };
            let capabilities = capabilities_in(response.parsed());
            match response.parsed() {
                Response::Data { status: Status::Ok, outcome } => {
                    let text = outcome.information.as_deref().unwrap_or_default().to_owned();
                    // Dovecot right after start: "* OK Waiting for authentication process to
                    // respond.." comes before the real greeting (seen 2026-11, Dovecot 2.3.19).
                    if text.starts_with("Waiting for authentication") {
                        continue;
                    }
                    return Ok(Greeting { text, capabilities });
                }
                Response::Data { status: Status::Bye, outcome } => {
                    let text = outcome.information.as_deref().unwrap_or_default();
                    return Err(ImapError::Network(format!("the server refused the connection: {text}")));
                }
                // A PREAUTH session is logged in before TLS could start (so STARTTLS is no longer
                // allowed, RFC 3501 §6.2.1) and without the account's password: refuse it.
                Response::Data { status: Status::PreAuth, .. } => return Err(ImapError::Protocol(
                    "the server greeted with PREAUTH (logged in without a password, before any STARTTLS); \
                         Tidings refuses such sessions"
                        .into(),
                )),
                other => return Err(ImapError::Protocol(format!("unexpected greeting: {other:?}"))),
            }
        }
    };
    tokio::time::timeout(limit, reading).await.map_err(|_| ImapError::Timeout { during: "greeting" })?
}

/// What a pre-login command told us.
#[derive(Debug, Default)]
pub(crate) struct PreloginAnswer {
    pub(crate) capabilities: Option<Vec<String>>,
    pub(crate) server_id: Option<std::collections::HashMap<String, String>>,
}

/// Runs a command before login (async-imap's `Client` has no typed CAPABILITY or ID); untagged
/// answers come back through a channel. `NO`/`BAD` become [`ImapError::Protocol`].
pub(crate) async fn prelogin_command<T>(
    client: &mut Client<T>,
    during: &'static str,
    command: &str,
    limit: Duration,
) -> Result<PreloginAnswer>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let (sender, receiver) = async_channel::bounded(64);
    match tokio::time::timeout(limit, client.run_command_and_check_ok(command, Some(sender))).await {
        Err(_) => return Err(ImapError::Timeout { during }),
        Ok(Err(error)) => return Err(ImapError::from_imap(error)),
        Ok(Ok(())) => {}
    }
    let mut answer = PreloginAnswer::default();
    while let Ok(unsolicited) = receiver.try_recv() {
        if let async_imap::types::UnsolicitedResponse::Other(response) = unsolicited {
            if let Some(capabilities) = capabilities_in(response.parsed()) {
                answer.capabilities = Some(capabilities);
            }
            if let Some(server_id) = server_id_in(response.parsed()) {
                answer.server_id = Some(server_id);
            }
        }
    }
    Ok(answer)
}

/// The capabilities before login: from the greeting's `[CAPABILITY]` code, else by asking.
pub(crate) async fn prelogin_capabilities<T>(
    client: &mut Client<T>,
    greeting: &Greeting,
    limit: Duration,
) -> Result<Vec<String>>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    Ok(match greeting.capabilities.clone() {
        Some(capabilities) => capabilities,
        None => prelogin_command(client, "CAPABILITY", "CAPABILITY", limit)
            .await?
            .capabilities
            .unwrap_or_default(),
    })
}

async fn finish(
    opened: Opened,
    config: &ServerConfig,
    auth: &Auth,
    options: &ConnectOptions,
) -> Result<ImapSession> {
    let Opened { mut client, activity, greeting, secure } = opened;
    let timeouts = options.timeouts;
    let capabilities = prelogin_capabilities(&mut client, &greeting, timeouts.command).await?;
    let has = |name: &str| capabilities.iter().any(|c| c.eq_ignore_ascii_case(name));
    // VVM servers may pick the client's dialect and formats from ID before login (the Streamwide
    // patent's analysis step), so they get it first.
    let mut prelogin_id = None;
    if detect(&greeting.text, &capabilities, None).dialect.is_voicemail() && has("ID") {
        prelogin_id = prelogin_command(&mut client, "ID", &options.identity.command(), timeouts.command)
            .await?
            .server_id;
    }
    let session =
        match tokio::time::timeout(timeouts.login, authenticate(client, &capabilities, secure, config, auth))
            .await
        {
            Err(_) => return Err(ImapError::Timeout { during: "login" }),
            Ok(result) => result?,
        };
    let mut imap = ImapSession::new(session, activity, timeouts, greeting.text);
    let mut capabilities = None;
    imap.command_ok("CAPABILITY", "CAPABILITY", |response| {
        if let Some(list) = capabilities_in(response) {
            capabilities = Some(list);
        }
    })
    .await?;
    let capabilities = capabilities
        .ok_or_else(|| imap.drop_after(ImapError::Protocol("CAPABILITY answered nothing".into())))?;
    imap.set_capabilities(capabilities);
    let mut server_id = prelogin_id;
    if imap.has_capability("ID") {
        imap.command_ok("ID", &options.identity.command(), |response| {
            if let Some(fields) = server_id_in(response) {
                server_id = Some(fields);
            }
        })
        .await?;
    }
    imap.set_server_id(server_id);
    tracing::info!(
        host = %config.host,
        dialect = ?imap.dialect().dialect,
        secure,
        "Logged in to the IMAP server."
    );
    Ok(imap)
}

async fn authenticate(
    client: Client<Conn>,
    capabilities: &[String],
    secure: bool,
    config: &ServerConfig,
    auth: &Auth,
) -> Result<Session<Conn>> {
    let has = |name: &str| capabilities.iter().any(|c| c.eq_ignore_ascii_case(name));
    let sasl_ir = has("SASL-IR");
    match auth {
        Auth::Password(password) => {
            if has("AUTH=PLAIN") {
                let payload = format!("\0{}\0{password}", config.username).into_bytes();
                sasl(client, "PLAIN", payload, sasl_ir).await
            } else if has("LOGINDISABLED") {
                // RFC 3501 §6.2.3: a client MUST NOT send LOGIN when LOGINDISABLED is advertised.
                tracing::info!(secure, "The server disabled LOGIN and offers no AUTH=PLAIN.");
                Err(ImapError::PlaintextRefused)
            } else {
                client.login(&config.username, password).await.map_err(|(error, _)| login_error(error))
            }
        }
        Auth::OAuth2(provider) => {
            let token = provider.access_token().await.map_err(ImapError::OAuthToken)?;
            if has("AUTH=OAUTHBEARER") {
                let payload =
                    oauthbearer_initial_response(&config.username, &config.host, config.port, &token);
                sasl(client, "OAUTHBEARER", payload, sasl_ir).await
            } else if has("AUTH=XOAUTH2") {
                sasl(client, "XOAUTH2", xoauth2_initial_response(&config.username, &token), sasl_ir).await
            } else {
                Err(ImapError::Protocol(
                    "the server offers no OAuth2 mechanism (AUTH=OAUTHBEARER or AUTH=XOAUTH2)".into(),
                ))
            }
        }
    }
}

/// Answers the first SASL challenge with the initial response (when not sent with SASL-IR) and any
/// later one (e.g. XOAUTH2's error details) with an empty line, which ends the exchange.
struct SaslResponder(Option<Vec<u8>>);

impl Authenticator for SaslResponder {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        self.0.take().unwrap_or_default()
    }
}

async fn sasl(
    client: Client<Conn>,
    mechanism: &str,
    payload: Vec<u8>,
    sasl_ir: bool,
) -> Result<Session<Conn>> {
    let result = if sasl_ir {
        // RFC 4959: the initial response rides on the AUTHENTICATE line. async-imap formats the
        // line as "AUTHENTICATE {mechanism}", so the encoded response is passed along with it.
        let line = format!("{mechanism} {}", base64::engine::general_purpose::STANDARD.encode(&payload));
        client.authenticate(line, SaslResponder(None)).await
    } else {
        client.authenticate(mechanism, SaslResponder(Some(payload))).await
    };
    result.map_err(|(error, _)| login_error(error))
}

/// Maps a failed LOGIN/AUTHENTICATE to what the user can do.
fn login_error(error: async_imap::error::Error) -> ImapError {
    use async_imap::error::Error;
    match error {
        // RFC 5530 response codes: PRIVACYREQUIRED = not over plaintext; UNAVAILABLE = try later.
        Error::No(text) if text.contains("PRIVACYREQUIRED") => ImapError::PlaintextRefused,
        Error::No(text) if text.contains("UNAVAILABLE") => {
            ImapError::Network(format!("the server cannot log in right now: {text}"))
        }
        Error::No(_) => ImapError::WrongPassword,
        Error::Bad(text) => ImapError::Protocol(format!("login: {text}")),
        other => ImapError::from_imap(other),
    }
}

/// The XOAUTH2 initial client response (before base64): `user=…^Aauth=Bearer …^A^A`.
pub fn xoauth2_initial_response(username: &str, access_token: &str) -> Vec<u8> {
    format!("user={username}\x01auth=Bearer {access_token}\x01\x01").into_bytes()
}

/// The OAUTHBEARER initial client response (RFC 7628 §3.1, before base64), with the GS2 header's
/// authzid escaped as RFC 5801 §4 asks (`,` → `=2C`, `=` → `=3D`).
pub fn oauthbearer_initial_response(username: &str, host: &str, port: u16, access_token: &str) -> Vec<u8> {
    let authzid = username.replace('=', "=3D").replace(',', "=2C");
    format!("n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {access_token}\x01\x01").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoauth2_matches_googles_documented_example() {
        // The example from Google's "OAuth 2.0 Mechanism" (XOAUTH2) page.
        let raw =
            xoauth2_initial_response("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
        assert_eq!(
            raw,
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(&raw),
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
        );
    }

    #[test]
    fn oauthbearer_escapes_the_authzid() {
        let raw = oauthbearer_initial_response("a,b=c@example.com", "imap.example.com", 993, "tok");
        assert_eq!(
            raw,
            b"n,a=a=2Cb=3Dc@example.com,\x01host=imap.example.com\x01port=993\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn only_loopback_and_private_networks_count_as_local() {
        let cases = [
            ("127.0.0.1", true),
            ("127.0.0.2", true),
            ("10.1.2.3", true),
            ("172.16.0.1", true),
            ("172.32.0.1", false),
            ("192.168.1.10", true),
            ("169.254.0.5", true),
            ("8.8.8.8", false),
            ("::1", true),
            ("fd12:3456::1", true),
            ("fe80::1", true),
            ("2001:db8::1", false),
            ("::ffff:192.168.0.1", true),
            ("::ffff:1.1.1.1", false),
        ];
        for (address, expected) in cases {
            let ip: IpAddr = address.parse().unwrap();
            assert_eq!(is_local_network(ip), expected, "{address}");
        }
    }

    #[test]
    fn login_failures_map_to_what_the_user_can_do() {
        use async_imap::error::Error;
        let no = |text: &str| Error::No(text.to_owned());
        assert!(matches!(
            login_error(no("[AUTHENTICATIONFAILED] Authentication failed.")),
            ImapError::WrongPassword
        ));
        assert!(matches!(
            login_error(no("[PRIVACYREQUIRED] Plaintext authentication disallowed")),
            ImapError::PlaintextRefused
        ));
        assert!(matches!(login_error(no("[UNAVAILABLE] Try later")), ImapError::Network(_)));
        assert!(matches!(login_error(Error::Bad("syntax".into())), ImapError::Protocol(_)));
        assert!(matches!(login_error(Error::ConnectionLost), ImapError::Network(_)));
    }

    #[test]
    fn auth_debug_never_shows_the_password() {
        let text = format!("{:?}", Auth::Password("hunter2".into()));
        assert!(!text.contains("hunter2"), "{text}");
    }
}
