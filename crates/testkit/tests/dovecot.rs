//! Integration tests of the test Dovecot, driven by a real IMAP client (async-imap over tokio).
//!
//! Each test starts its own server. They need `/usr/sbin/dovecot` (package dovecot-imapd) and root;
//! without Dovecot they fail with the testkit's "install dovecot-imapd" message instead of passing.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use tidings_testkit::{Dovecot, DovecotOptions};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::crypto::CryptoProvider;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_rustls::TlsConnector;

/// Every network step gets this long; a hang is a failure, not a stuck test run.
const STEP: Duration = Duration::from_secs(10);

trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}
type Conn = Box<dyn Io>;

async fn step<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(STEP, fut).await {
        Ok(value) => value,
        Err(_) => panic!("{what}: no answer within {STEP:?}"),
    }
}

fn start(opts: DovecotOptions) -> Dovecot {
    match Dovecot::start(opts) {
        Ok(dovecot) => dovecot,
        Err(e) => panic!("{e}"),
    }
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\
         Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{}@example.org>\r\n\r\nBody of {subject}.\r\n",
        subject.replace(' ', "-")
    )
    .into_bytes()
}

async fn connect_plain(dc: &Dovecot) -> Client<Conn> {
    let tcp = step("tcp connect", TcpStream::connect((dc.host(), dc.imap_port()))).await.expect("connect");
    let mut client = Client::new(Box::new(tcp) as Conn);
    let greeting = step("greeting", client.read_response()).await.expect("greeting io");
    assert!(greeting.is_some(), "server closed before greeting");
    client
}

async fn login(client: Client<Conn>, dc: &Dovecot) -> Session<Conn> {
    let (user, password) = (dc.user(0).expect("user 0"), dc.password(0).expect("password 0"));
    match step("login", client.login(user, password)).await {
        Ok(session) => session,
        Err((e, _)) => panic!("login failed: {e}"),
    }
}

/// UID FETCH 1:* ENVELOPE, subjects in UID order.
async fn subjects(session: &mut Session<Conn>) -> Vec<String> {
    let stream = step("uid fetch", session.uid_fetch("1:*", "(UID ENVELOPE)")).await.expect("uid fetch");
    let fetches: Vec<_> = step("drain fetch", stream.try_collect::<Vec<_>>()).await.expect("fetch items");
    let mut by_uid: Vec<(u32, String)> = fetches
        .iter()
        .filter_map(|f| {
            let subject = f.envelope()?.subject.as_ref()?;
            Some((f.uid?, String::from_utf8_lossy(subject).into_owned()))
        })
        .collect();
    by_uid.sort();
    by_uid.into_iter().map(|(_, s)| s).collect()
}

#[tokio::test]
async fn plain_login_sees_seeded_messages_in_order() {
    let dc = start(DovecotOptions::default());
    let seeded: Vec<Vec<u8>> = ["first note", "second note", "third note"].map(message).to_vec();
    let refs: Vec<&[u8]> = seeded.iter().map(Vec::as_slice).collect();
    dc.seed("alice", "INBOX", &refs).expect("seed");

    let mut session = login(connect_plain(&dc).await, &dc).await;
    let inbox = step("select", session.select("INBOX")).await.expect("select INBOX");
    assert_eq!(inbox.exists, 3);
    assert_eq!(subjects(&mut session).await, ["first note", "second note", "third note"]);
    step("logout", session.logout()).await.expect("logout");
}

#[tokio::test]
async fn seeding_a_new_mailbox_creates_it_and_later_seeds_get_higher_uids() {
    let dc = start(DovecotOptions::default());
    dc.seed("alice", "Archive/2024", &[&message("old one")]).expect("seed 1");
    dc.seed("alice", "Archive/2024", &[&message("new one")]).expect("seed 2");
    assert!(dc.maildir("alice").join(".Archive.2024/cur").is_dir());

    let mut session = login(connect_plain(&dc).await, &dc).await;
    let names: Vec<String> = {
        let stream = step("list", session.list(Some(""), Some("*"))).await.expect("list");
        let names = step("drain list", stream.try_collect::<Vec<_>>()).await.expect("list items");
        names.iter().map(|n| n.name().to_owned()).collect()
    };
    assert!(names.iter().any(|n| n == "Archive/2024" || n == "Archive.2024"), "LIST gave {names:?}");
    let delimiter_name =
        if names.iter().any(|n| n == "Archive/2024") { "Archive/2024" } else { "Archive.2024" };
    let mailbox = step("select", session.select(delimiter_name)).await.expect("select archive");
    assert_eq!(mailbox.exists, 2);
    assert_eq!(subjects(&mut session).await, ["old one", "new one"]);
}

#[tokio::test]
async fn seeding_for_an_unknown_user_is_refused() {
    let dc = start(DovecotOptions::default());
    let err = dc.seed("mallory", "INBOX", &[&message("x")]).expect_err("unknown user must fail");
    assert!(err.to_string().contains("mallory"), "{err}");
}

/// Trusts exactly one certificate, by SHA-256 of its DER, and still checks handshake signatures.
#[derive(Debug)]
struct PinnedCert {
    sha256: [u8; 32],
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let got: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if got == self.sha256 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

fn pinned_connector(sha256: [u8; 32]) -> TlsConnector {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedCert { sha256, provider: provider.clone() });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

async fn inbox_is_listed(session: &mut Session<Conn>) {
    let stream = step("list", session.list(Some(""), Some("INBOX"))).await.expect("list");
    let names = step("drain list", stream.try_collect::<Vec<_>>()).await.expect("list items");
    assert!(names.iter().any(|n| n.name() == "INBOX"), "LIST INBOX gave nothing");
}

#[tokio::test]
async fn implicit_tls_and_starttls_log_in_with_the_pinned_certificate() {
    let dc = start(DovecotOptions { tls: true, ..DovecotOptions::default() });
    let pin = dc.cert_sha256().expect("tls server has a fingerprint");
    assert!(dc.cert_pem().is_some_and(|p| p.is_file()));
    let connector = pinned_connector(pin);
    let name = ServerName::try_from("localhost").expect("server name");

    // Implicit TLS on the imaps port.
    let port = dc.imaps_port().expect("imaps port");
    let tcp = step("tcp connect", TcpStream::connect((dc.host(), port))).await.expect("connect imaps");
    let tls = step("tls handshake", connector.connect(name.clone(), tcp)).await.expect("imaps handshake");
    let mut client = Client::new(Box::new(tls) as Conn);
    assert!(step("greeting", client.read_response()).await.expect("greeting").is_some());
    let mut session = login(client, &dc).await;
    inbox_is_listed(&mut session).await;
    step("logout", session.logout()).await.expect("logout");

    // STARTTLS on the plain port: async-imap has no helper, so upgrade the raw stream ourselves.
    let tcp = step("tcp connect", TcpStream::connect((dc.host(), dc.imap_port()))).await.expect("connect");
    let mut plain = Client::new(tcp);
    assert!(step("greeting", plain.read_response()).await.expect("greeting").is_some());
    step("starttls", plain.run_command_and_check_ok("STARTTLS", None)).await.expect("STARTTLS");
    let tls =
        step("tls handshake", connector.connect(name, plain.into_inner())).await.expect("starttls handshake");
    let mut session = login(Client::new(Box::new(tls) as Conn), &dc).await;
    inbox_is_listed(&mut session).await;
    step("logout", session.logout()).await.expect("logout");

    // Logins over TLS are logged as such, so the test really used it.
    let count =
        |log: &str| log.lines().filter(|l| l.contains("Login: user=<alice>") && l.contains(", TLS,")).count();
    let log = dc.log_text_when(|log| count(log) >= 2);
    let tls_logins = count(&log);
    assert_eq!(tls_logins, 2, "log:\n{log}");
}

#[tokio::test]
async fn the_leaf_is_a_server_certificate_that_chains_to_the_test_ca() {
    let dc = start(DovecotOptions { tls: true, ..DovecotOptions::default() });
    let ca_pem = dc.ca_pem().expect("tls server has a test CA");
    let leaf_pem = dc.cert_pem().expect("tls server has a leaf");
    let leaf = CertificateDer::from_pem_file(leaf_pem).expect("leaf PEM");
    let leaf_sha256: [u8; 32] = Sha256::digest(leaf.as_ref()).into();
    assert_eq!(Some(leaf_sha256), dc.cert_sha256(), "the pin is the leaf's fingerprint");

    // rustls' own webpki verifier with only the test CA: it refuses CA certificates as leaves and
    // checks serverAuth and the SAN, so this is how a platform store that trusts the CA sees it.
    let mut roots = RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(ca_pem).expect("CA PEM") {
        roots.add(ca.expect("CA certificate")).expect("CA usable as a trust anchor");
    }
    let config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let port = dc.imaps_port().expect("imaps port");
    for name in ["localhost", "127.0.0.1"] {
        let tcp = step("tcp connect", TcpStream::connect((dc.host(), port))).await.expect("connect imaps");
        let server_name = ServerName::try_from(name).expect("server name");
        let tls = step("tls handshake", connector.connect(server_name, tcp))
            .await
            .unwrap_or_else(|e| panic!("{name}: the chain must verify against the test CA: {e}"));
        let sent = tls.get_ref().1.peer_certificates().expect("peer certificates");
        assert_eq!(sent.len(), 2, "{name}: the server sends the leaf and the CA");
        assert_eq!(sent[0], leaf, "{name}: the leaf comes first");
    }

    // Another name is refused: the SAN is checked, not just the chain.
    let tcp = step("tcp connect", TcpStream::connect((dc.host(), port))).await.expect("connect imaps");
    let other = ServerName::try_from("imap.example.org").expect("server name");
    let result = step("tls handshake", connector.connect(other, tcp)).await;
    assert!(result.is_err(), "a certificate for localhost was accepted for imap.example.org");
}

#[tokio::test]
async fn a_wrong_pin_is_refused() {
    let dc = start(DovecotOptions { tls: true, ..DovecotOptions::default() });
    let mut wrong = dc.cert_sha256().expect("fingerprint");
    wrong[0] ^= 0xff;
    let tcp = step("tcp connect", TcpStream::connect((dc.host(), dc.imaps_port().expect("imaps"))))
        .await
        .expect("connect");
    let name = ServerName::try_from("localhost").expect("server name");
    let result = step("tls handshake", pinned_connector(wrong).connect(name, tcp)).await;
    assert!(result.is_err(), "handshake with a wrong pin succeeded");
}

#[tokio::test]
async fn id_fields_appear_in_the_dovecot_log() {
    let dc = start(DovecotOptions::default());
    let mut session = login(connect_plain(&dc).await, &dc).await;
    let reply = step("id", session.id([("name", Some("Tidings-test")), ("x-audio", Some("audio/amr"))]))
        .await
        .expect("ID");
    assert_eq!(reply.and_then(|r| r.get("name").cloned()).as_deref(), Some("Dovecot"));

    let log = dc.log_text_when(|log| log.contains("name=Tidings-test"));
    let line = log.lines().find(|l| l.contains("ID sent:") && l.contains("name=Tidings-test"));
    let line = line.unwrap_or_else(|| panic!("no ID line in the log:\n{log}"));
    assert!(line.contains("x-audio=audio/amr"), "{line}");
}

#[tokio::test]
async fn a_new_session_sees_a_changed_uid_validity() {
    let dc = start(DovecotOptions::default());
    dc.seed("alice", "INBOX", &[&message("only")]).expect("seed");
    let mut session = login(connect_plain(&dc).await, &dc).await;
    let before = step("select", session.select("INBOX")).await.expect("select").uid_validity;
    let before = before.expect("UIDVALIDITY in SELECT");
    drop(session);

    let changed = before.wrapping_add(4242).max(1);
    dc.set_uid_validity("alice", "INBOX", changed).expect("doveadm mailbox update");

    let mut session = login(connect_plain(&dc).await, &dc).await;
    let after = step("select", session.select("INBOX")).await.expect("select again");
    assert_eq!(after.uid_validity, Some(changed));
    assert_eq!(after.exists, 1);
}

#[tokio::test]
async fn a_wrong_password_gets_no() {
    let dc = start(DovecotOptions::default());
    let client = connect_plain(&dc).await;
    match step("login", client.login("alice", "wrong horse")).await {
        Ok(_) => panic!("login with a wrong password succeeded"),
        Err((async_imap::error::Error::No(text), _)) => {
            assert!(text.contains("AUTHENTICATIONFAILED") || text.contains("Authentication failed"), "{text}")
        }
        Err((other, _)) => panic!("expected NO, got {other}"),
    }
}

#[tokio::test]
async fn drop_stops_the_server_and_removes_its_files() {
    let dc = start(DovecotOptions::default());
    let (port, maildir) = (dc.imap_port(), dc.maildir("alice"));
    assert!(maildir.is_dir());
    drop(dc);
    assert!(!maildir.exists(), "temp dir left behind");
    let refused = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(refused.is_err(), "something still listens on {port}");
}

#[test]
fn invalid_users_are_refused_before_starting() {
    let opts =
        DovecotOptions { users: vec![("bob".into(), "pass:word".into())], ..DovecotOptions::default() };
    let err = Dovecot::start(opts).expect_err("a ':' in a password must be refused");
    assert!(err.to_string().contains("bob"), "{err}");
}
