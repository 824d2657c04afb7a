//! Mail accounts, shared by the app (`src-tauri`) and the command line (`crates/cli`).
//!
//! This crate owns what it takes to have an IMAP account: finding its server (autoconfig's
//! candidates tried in order, [`discover`]), checking the login ([`verify`]), keeping the password
//! in the OS keyring (service [`KEYRING_SERVICE`], keyed by account id) and the server settings in
//! the cache ([`save`]), taking an account away again ([`remove`]), syncing one of its folders
//! ([`connect`], [`sync_folder`]), fetching the body of a header-only message the user opened
//! ([`fetch_message_body`]), syncing all of them with their folder list ([`sync_account`])
//! and keeping a folder current while the app runs ([`follow`]:
//! IDLE, reconnects with backoff). [`add`] is the whole of adding an account, as the app does it.
//!
//! It does not parse command lines, print, or know IPC: callers turn [`AccountsError`] into their
//! own wording. A password is never logged, printed or written anywhere but the keyring.
//! All IO that can wait on the network is `async` (tokio), and every future is `Send`.

mod account_sync;
mod follow;
mod status_sms;
pub mod voicebox;

use std::time::Duration;

pub use account_sync::{sync_account, AccountProgress, AccountSyncOptions, AccountSyncReport, FolderFailure};
pub use follow::{follow, FollowEvent, FollowOptions};
pub use status_sms::{account_from_status_sms, effective_dialect, SmsAccount};
use tidings_autoconfig::{SocketType, Source};
use tidings_imap::{
    Auth, ConnectOptions, DialectReport, ImapError, ImapSession, Security, ServerConfig, SyncReport,
};
use tidings_keychain::{Keychain, KeychainError, SecretStore};
use tidings_store::{
    Account, AccountRemoval, ConnectionSecurity, MessageKey, ServerDialect, ServerSettings, Store,
    StoreError, VoicemailBox,
};

/// The keyring service the app and the command line keep passwords under (the app's identifier);
/// the keyring account is the Tidings account id.
pub const KEYRING_SERVICE: &str = "org.tidings.desktop";

/// How long each step before login may take while trying autoconfig's suggestions: a wrong guess
/// should not hold the user up for long.
pub const DISCOVERY_STEP: Duration = Duration::from_secs(5);

/// What went wrong with an account, named for what the user can do about it. The messages are
/// sentences for people and never contain a password.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// Something the user typed is not usable (address, id, server, fingerprint): fix it.
    #[error("{0}")]
    InvalidInput(String),
    /// An account with this id exists already: remove it first.
    #[error("there is already an account {0:?}")]
    AlreadyExists(String),
    /// There is no such account.
    #[error("there is no account {0:?}")]
    NotFound(String),
    /// The account has no server (the demo mailbox, or settings lost): nothing to connect to.
    #[error("the account {0:?} has no server to connect to")]
    NoServer(String),
    /// The server rejected the login: check the password (and the user name).
    #[error("wrong password: {address} rejected the login of user {username}")]
    WrongPassword {
        /// `host:port`.
        address: String,
        /// The login name that was refused.
        username: String,
    },
    /// The server's certificate is not trusted: the user may trust it by its fingerprint.
    #[error("the certificate of {address} is not trusted (SHA-256 fingerprint {fingerprint})")]
    UntrustedCertificate {
        /// `host:port`.
        address: String,
        /// `AB:CD:…`, what `openssl x509 -fingerprint -sha256` prints.
        fingerprint: String,
    },
    /// The server could not be reached or did not answer in time: check the name and the network.
    #[error("cannot reach {address}: {reason}")]
    Unreachable {
        /// `host:port`.
        address: String,
        /// What the network said.
        reason: String,
    },
    /// No password was sent because the connection was not encrypted: use TLS or STARTTLS.
    #[error("{0}")]
    PlaintextRefused(String),
    /// None of autoconfig's suggestions could be logged in to: enter the server by hand.
    #[error("no IMAP server found for {email} (tried {})", tried.join("; "))]
    NoServerFound {
        /// The address.
        email: String,
        /// One `host:port (security): what happened` per suggestion tried.
        tried: Vec<String>,
    },
    /// The keyring holds no password for the account: add it again.
    #[error("there is no password for account {0:?} in the keyring; remove the account and add it again")]
    NoPassword(String),
    /// The OS keyring failed (missing, locked).
    #[error(transparent)]
    Keyring(#[from] KeychainError),
    /// The mail cache failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Any other IMAP failure (protocol error, missing mailbox).
    #[error(transparent)]
    Imap(ImapError),
}

impl AccountsError {
    /// An IMAP error met while talking to the server of `settings`.
    pub fn from_imap(error: ImapError, settings: &ServerSettings) -> AccountsError {
        let address = address(settings);
        match error {
            ImapError::WrongPassword => {
                AccountsError::WrongPassword { address, username: settings.username.clone() }
            }
            ImapError::UntrustedCertificate { sha256_fingerprint } => {
                AccountsError::UntrustedCertificate { address, fingerprint: sha256_fingerprint }
            }
            ImapError::Timeout { .. } | ImapError::Network(_) => {
                AccountsError::Unreachable { address, reason: error.to_string() }
            }
            ImapError::PlaintextRefused
            | ImapError::PlaintextNotAllowed { .. }
            | ImapError::StartTlsStripped => AccountsError::PlaintextRefused(error.to_string()),
            other => AccountsError::Imap(other),
        }
    }
}

/// The OS keyring of Tidings.
pub fn keychain() -> Keychain {
    Keychain::new(KEYRING_SERVICE)
}

/// The well-known port for a security.
pub fn default_port(security: ConnectionSecurity) -> u16 {
    match security {
        ConnectionSecurity::Tls => 993,
        ConnectionSecurity::Starttls | ConnectionSecurity::Plain => 143,
    }
}

/// How a security is written on the command line and in JSON: `tls`, `starttls`, `plain`.
pub fn security_name(security: ConnectionSecurity) -> &'static str {
    match security {
        ConnectionSecurity::Tls => "tls",
        ConnectionSecurity::Starttls => "starttls",
        ConnectionSecurity::Plain => "plain",
    }
}

/// The security written as [`security_name`] writes it.
pub fn parse_security(text: &str) -> Option<ConnectionSecurity> {
    match text.trim().to_ascii_lowercase().as_str() {
        "tls" | "ssl" => Some(ConnectionSecurity::Tls),
        "starttls" => Some(ConnectionSecurity::Starttls),
        "plain" => Some(ConnectionSecurity::Plain),
        _ => None,
    }
}

/// `host:port`, with brackets around an IPv6 address.
pub fn address(settings: &ServerSettings) -> String {
    if settings.host.contains(':') {
        format!("[{}]:{}", settings.host, settings.port)
    } else {
        format!("{}:{}", settings.host, settings.port)
    }
}

/// A SHA-256 fingerprint as `AB:CD:…` or as 64 hex digits, as 64 lower-case hex digits.
pub fn parse_fingerprint(text: &str) -> Option<String> {
    let hex: String = text.trim().chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
    (hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// 64 hex digits as `AB:CD:…`, the way certificate errors show fingerprints.
pub fn colon_fingerprint(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

fn fingerprint_bytes(hex: &str) -> Option<[u8; 32]> {
    let bytes: Option<Vec<u8>> = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).ok().and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect();
    bytes.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
}

/// What `tidings-imap` needs to connect with these settings.
pub fn config_of(settings: &ServerSettings) -> Result<ServerConfig, AccountsError> {
    let pinned_sha256 = match settings.pinned_sha256.as_deref() {
        None => None,
        Some(hex) => Some(fingerprint_bytes(hex).ok_or_else(|| {
            AccountsError::InvalidInput(format!(
                "the pinned certificate {hex:?} is not a SHA-256 fingerprint"
            ))
        })?),
    };
    Ok(ServerConfig {
        host: settings.host.clone(),
        port: settings.port,
        security: match settings.security {
            ConnectionSecurity::Tls => Security::Tls,
            ConnectionSecurity::Starttls => Security::StartTls,
            ConnectionSecurity::Plain => Security::Plain,
        },
        username: settings.username.clone(),
        allow_plaintext: settings.allow_plaintext,
        pinned_sha256,
    })
}

/// True for `local@domain` without spaces or control characters.
pub fn is_email(email: &str) -> bool {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Ids end up in cache keys and keyring entries: printable, not empty, not huge.
pub fn is_valid_id(id: &str) -> bool {
    !(id.is_empty() || id.len() > 200 || id.chars().any(char::is_control))
}

/// The id an account gets when none is given: the address, lower-cased.
pub fn default_id(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What the candidates for an address share besides the server.
#[derive(Debug, Clone, Default)]
pub struct CandidateOptions {
    /// Log in with this name instead of the one autoconfig suggests.
    pub username: Option<String>,
    /// Keep only the candidates with this security.
    pub security: Option<ConnectionSecurity>,
    /// Allow a plaintext login (loopback and LAN only; see `tidings-imap`).
    pub allow_plaintext: bool,
    /// A certificate to trust, as 64 lower-case hex digits.
    pub pinned_sha256: Option<String>,
}

/// The servers autoconfig suggests for the address, as settings to try in order. Empty when no
/// suggestion has the wanted security.
pub fn candidates(
    email: &str,
    options: &CandidateOptions,
) -> Result<Vec<(ServerSettings, Source)>, tidings_autoconfig::AutoconfigError> {
    let suggested = tidings_autoconfig::candidates(email)?;
    Ok(suggested
        .into_iter()
        .map(|candidate| {
            let security = match candidate.socket {
                SocketType::Tls => ConnectionSecurity::Tls,
                SocketType::StartTls => ConnectionSecurity::Starttls,
                SocketType::Plain => ConnectionSecurity::Plain,
            };
            let settings = ServerSettings {
                host: candidate.host,
                port: candidate.port,
                security,
                username: options.username.clone().unwrap_or(candidate.username),
                allow_plaintext: options.allow_plaintext,
                pinned_sha256: options.pinned_sha256.clone(),
            };
            (settings, candidate.source)
        })
        .filter(|(settings, _)| options.security.is_none_or(|wanted| settings.security == wanted))
        .collect())
}

/// What a successful login showed.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The dialect the server speaks, with its evidence.
    pub dialect: DialectReport,
}

/// Logs in once and out again; returns what the login showed.
pub async fn verify(
    settings: &ServerSettings,
    password: &str,
    options: &ConnectOptions,
) -> Result<Verified, ImapError> {
    let config = config_of(settings).map_err(|error| ImapError::Protocol(error.to_string()))?;
    let auth = Auth::Password(password.to_owned());
    let session = tidings_imap::connect(&config, &auth, options).await?;
    let dialect = session.dialect().clone();
    // The login is what was checked; a slow goodbye does not matter.
    let _ = session.logout().await;
    Ok(Verified { dialect })
}

/// `options` with the short step timeouts used while trying suggestions.
pub fn discovery_options(mut options: ConnectOptions) -> ConnectOptions {
    options.timeouts.connect = DISCOVERY_STEP;
    options.timeouts.tls_handshake = DISCOVERY_STEP;
    options.timeouts.greeting = DISCOVERY_STEP;
    options
}

/// Tries the suggested servers in order (with the options given; see [`discovery_options`]); the
/// first that logs in wins. A wrong password ends the search (the server was found; more guesses
/// would only repeat the refusal). An untrusted certificate is reported (the first one met) only
/// when no suggestion logs in. `trying` is called before each attempt.
pub async fn discover(
    email: &str,
    suggested: Vec<(ServerSettings, Source)>,
    password: &str,
    options: &ConnectOptions,
    mut trying: impl FnMut(&ServerSettings) + Send,
) -> Result<(ServerSettings, Source, Verified), AccountsError> {
    let mut failures = Vec::new();
    let mut untrusted = None;
    for (settings, source) in suggested {
        let address = address(&settings);
        let security = security_name(settings.security);
        trying(&settings);
        match verify(&settings, password, options).await {
            Ok(verified) => return Ok((settings, source, verified)),
            Err(ImapError::WrongPassword) => {
                return Err(AccountsError::WrongPassword { address, username: settings.username })
            }
            Err(ImapError::UntrustedCertificate { sha256_fingerprint }) => {
                failures.push(format!("{address} ({security}): certificate not trusted"));
                untrusted.get_or_insert(AccountsError::UntrustedCertificate {
                    address,
                    fingerprint: sha256_fingerprint,
                });
            }
            Err(error) => failures.push(format!("{address} ({security}): {error}")),
        }
    }
    match untrusted {
        Some(error) => Err(error),
        None => Err(AccountsError::NoServerFound { email: email.to_owned(), tried: failures }),
    }
}

/// Stores the password in the keyring under the account id, then the account in the cache; if
/// the cache write fails the keyring entry is taken back.
pub fn save(
    store: &Store,
    secrets: &impl SecretStore,
    account: &Account,
    password: &str,
) -> Result<(), AccountsError> {
    secrets.set(&account.id, password)?;
    if let Err(error) = store.put_account(account) {
        // Leave nothing behind that no account refers to.
        let _ = secrets.delete(&account.id);
        return Err(error.into());
    }
    Ok(())
}

/// Removes an account: its keyring entry first (so a locked keyring leaves everything as it was),
/// then the account with its mailboxes and cached mail. Returns the account and what went.
pub fn remove(
    store: &Store,
    secrets: &impl SecretStore,
    id: &str,
) -> Result<(Account, AccountRemoval), AccountsError> {
    let account = store.account(id)?.ok_or_else(|| AccountsError::NotFound(id.to_owned()))?;
    // The demo has no password.
    if !account.is_demo {
        secrets.delete(id)?;
    }
    let removal = store.remove_account(id)?;
    Ok((account, removal))
}

/// The server to try when the user gave one.
#[derive(Debug, Clone)]
pub struct ManualServer {
    pub host: String,
    /// The security's well-known port when not given.
    pub port: Option<u16>,
    pub security: ConnectionSecurity,
    /// The address when not given.
    pub username: Option<String>,
}

/// What [`add`] needs (no `Debug`: it holds the password).
#[derive(Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    /// The server, else autoconfig's suggestions are tried.
    pub server: Option<ManualServer>,
    /// A certificate to trust, `AB:CD:…` or 64 hex digits.
    pub accept_certificate: Option<String>,
    /// Allow a plaintext login (loopback and LAN only).
    pub allow_plaintext: bool,
    /// The visual-voicemail box a STATUS SMS described ([`account_from_status_sms`]).
    pub voicemail: Option<VoicemailBox>,
}

/// An account just added.
#[derive(Debug, Clone)]
pub struct Added {
    pub account: Account,
    pub dialect: DialectReport,
    /// Where autoconfig found the server; `None` when it was given.
    pub found_by: Option<Source>,
}

/// Adds an account: checks the input, finds the server, verifies the login, then saves the
/// password in `secrets` and the settings in `store` (see [`save`]). Nothing is saved on failure.
pub async fn add(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    new: NewAccount,
    options: &ConnectOptions,
) -> Result<Added, AccountsError> {
    let email = new.email.trim().to_owned();
    if !is_email(&email) {
        return Err(AccountsError::InvalidInput(format!("{email:?} is not an e-mail address")));
    }
    if new.password.is_empty() {
        return Err(AccountsError::InvalidInput("the password is empty".into()));
    }
    let id = default_id(&email);
    if store.account(&id)?.is_some() {
        return Err(AccountsError::AlreadyExists(id));
    }
    let pinned_sha256 = match new.accept_certificate.as_deref().filter(|text| !text.trim().is_empty()) {
        None => None,
        Some(text) => Some(parse_fingerprint(text).ok_or_else(|| {
            AccountsError::InvalidInput(format!(
                "{text:?} is not a SHA-256 fingerprint (AB:CD:… or 64 hex digits)"
            ))
        })?),
    };
    let (settings, found_by, verified) = match new.server {
        Some(server) => {
            let host = server.host.trim().to_owned();
            if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
                return Err(AccountsError::InvalidInput(format!("{host:?} is not a server name")));
            }
            if server.port == Some(0) {
                return Err(AccountsError::InvalidInput("the port must be 1 to 65535".into()));
            }
            let settings = ServerSettings {
                port: server.port.unwrap_or_else(|| default_port(server.security)),
                host,
                security: server.security,
                username: server.username.filter(|name| !name.trim().is_empty()).unwrap_or(email.clone()),
                allow_plaintext: new.allow_plaintext,
                pinned_sha256,
            };
            let verified = verify(&settings, &new.password, options)
                .await
                .map_err(|error| AccountsError::from_imap(error, &settings))?;
            (settings, None, verified)
        }
        None => {
            let wanted = CandidateOptions {
                pinned_sha256,
                allow_plaintext: new.allow_plaintext,
                ..CandidateOptions::default()
            };
            let suggested = candidates(&email, &wanted).map_err(|error| {
                AccountsError::InvalidInput(format!("cannot look the server up: {error}"))
            })?;
            let options = discovery_options(options.clone());
            let (settings, source, verified) =
                discover(&email, suggested, &new.password, &options, |_| ()).await?;
            (settings, Some(source), verified)
        }
    };
    let account = Account {
        id,
        display_name: email.clone(),
        email,
        is_demo: false,
        server: Some(settings),
        voicemail: new.voicemail,
    };
    save(store, secrets, &account, &new.password)?;
    let dialect = with_declared_dialect(verified.dialect, account.voicemail.as_ref());
    remember_dialect(store, &account.id, &dialect)?;
    Ok(Added { account, dialect, found_by })
}

/// The server's dialect report, overridden by the voicemail dialect a STATUS SMS declared when
/// the server itself shows none (see [`effective_dialect`]); the evidence says so.
fn with_declared_dialect(mut report: DialectReport, voicemail: Option<&VoicemailBox>) -> DialectReport {
    let dialect = effective_dialect(report.dialect, voicemail);
    if let (true, Some(vvm)) = (dialect != report.dialect, voicemail) {
        report.evidence.push(format!(
            "the carrier's STATUS SMS (//{}:) declares a visual voicemail box; the server itself looks like {}",
            vvm.sms_prefix,
            report.dialect.name()
        ));
        report.dialect = dialect;
    }
    report
}

/// Keeps the dialect of the latest login, so it is known before the next one. A login that
/// gathered no evidence (a sync's) keeps the evidence of an earlier one for the same dialect.
fn remember_dialect(store: &Store, id: &str, report: &DialectReport) -> Result<(), AccountsError> {
    let gathered_evidence = !report.evidence.is_empty();
    let voicemail = store.account(id)?.and_then(|account| account.voicemail);
    let report = with_declared_dialect(report.clone(), voicemail.as_ref());
    let name = report.dialect.name().to_string();
    if !gathered_evidence && store.dialect(id)?.is_some_and(|known| known.name == name) {
        return Ok(());
    }
    Ok(store.put_dialect(id, &ServerDialect { name, evidence: report.evidence })?)
}

/// Logs in to the server of account `id` with the password from `secrets`.
pub async fn connect(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    options: &ConnectOptions,
) -> Result<ImapSession, AccountsError> {
    let account = store.account(id)?.ok_or_else(|| AccountsError::NotFound(id.to_owned()))?;
    let settings = account.server.ok_or_else(|| AccountsError::NoServer(id.to_owned()))?;
    let config = config_of(&settings)?;
    let password = secrets.get(id)?.ok_or_else(|| AccountsError::NoPassword(id.to_owned()))?;
    tidings_imap::connect(&config, &Auth::Password(password), options)
        .await
        .map_err(|error| AccountsError::from_imap(error, &settings))
}

/// Fetches the body of one header-only message now (the message the user opened before the
/// sync's body step reached it): connects with the account's saved settings and keyring
/// password, fetches it into the cache, logs out. The account is `key.account`.
///
/// Returns `true` when the cache holds the whole message afterwards (also when it already did),
/// `false` when the server no longer has it under this key (expunged, or the folder's
/// UIDVALIDITY changed): the folder's next sync brings the cache up to date, and the message
/// stays header-only or goes.
pub async fn fetch_message_body(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    key: &MessageKey,
    options: &ConnectOptions,
) -> Result<bool, AccountsError> {
    if store.message(key)?.is_none() {
        return Ok(false);
    }
    if !store.body_missing(key)? {
        return Ok(true);
    }
    let id = key.account.as_str();
    let mut session = connect(store, secrets, id, options).await?;
    let fetched =
        tidings_imap::fetch_bodies(&mut session, store, id, &key.mailbox, std::slice::from_ref(key)).await;
    if let Err(error) = fetched {
        return Err(match store.account(id)?.and_then(|account| account.server) {
            Some(settings) => AccountsError::from_imap(error, &settings),
            None => AccountsError::Imap(error),
        });
    }
    // The body is cached; a slow goodbye does not matter.
    let _ = session.logout().await;
    Ok(store.message(key)?.is_some() && !store.body_missing(key)?)
}

/// Brings folder `mailbox` of account `id` in the cache up to date: connect, sync, log out.
pub async fn sync_folder(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    mailbox: &str,
    options: &ConnectOptions,
) -> Result<SyncReport, AccountsError> {
    let mut session = connect(store, secrets, id, options).await?;
    remember_dialect(store, id, session.dialect())?;
    let report = tidings_imap::sync_mailbox(&mut session, store, id, mailbox).await;
    let report = match report {
        Ok(report) => report,
        Err(error) => {
            let settings = store.account(id)?.and_then(|account| account.server);
            return Err(match settings {
                Some(settings) => AccountsError::from_imap(error, &settings),
                None => AccountsError::Imap(error),
            });
        }
    };
    // Everything is cached; a slow goodbye does not matter.
    let _ = session.logout().await;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_keychain::MemoryStore;

    fn assert_send<T: Send>(_: &T) {}

    /// The app runs these as Tauri async commands, which need `Send` futures.
    #[allow(dead_code)]
    fn futures_are_send(store: &Store, secrets: &MemoryStore, new: NewAccount) {
        let options = ConnectOptions::default();
        assert_send(&add(store, secrets, new, &options));
        assert_send(&sync_folder(store, secrets, "id", "INBOX", &options));
        let key = MessageKey { account: "id".into(), mailbox: "INBOX".into(), uid_validity: 1, uid: 1 };
        assert_send(&fetch_message_body(store, secrets, &key, &options));
        let stop = std::sync::atomic::AtomicBool::new(false);
        let sync_options = AccountSyncOptions::default();
        assert_send(&sync_account(store, secrets, "id", &sync_options, &stop, |_| {}));
    }

    #[test]
    fn fingerprints_are_accepted_with_or_without_colons() {
        let hex = "0123456789abcdef".repeat(4);
        let colons = colon_fingerprint(&hex);
        assert!(colons.starts_with("01:23:45:67:89:AB:CD:EF:01"), "{colons}");
        assert_eq!(parse_fingerprint(&colons), Some(hex.clone()));
        assert_eq!(parse_fingerprint(&hex.to_uppercase()), Some(hex.clone()));
        assert_eq!(fingerprint_bytes(&hex).map(|b| b[..2].to_vec()), Some(vec![0x01, 0x23]));
        for bad in ["", "AB:CD", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(parse_fingerprint(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn imap_errors_become_what_the_user_can_do() {
        let settings = ServerSettings {
            host: "imap.example.org".into(),
            port: 993,
            security: ConnectionSecurity::Tls,
            username: "alice".into(),
            allow_plaintext: false,
            pinned_sha256: None,
        };
        let error = AccountsError::from_imap(ImapError::WrongPassword, &settings);
        assert_eq!(
            error.to_string(),
            "wrong password: imap.example.org:993 rejected the login of user alice"
        );
        let error = AccountsError::from_imap(
            ImapError::UntrustedCertificate { sha256_fingerprint: "AB:CD".into() },
            &settings,
        );
        assert!(
            matches!(error, AccountsError::UntrustedCertificate { ref fingerprint, .. } if fingerprint == "AB:CD")
        );
        let error = AccountsError::from_imap(ImapError::Network("refused".into()), &settings);
        assert!(matches!(error, AccountsError::Unreachable { .. }));
        let error = AccountsError::from_imap(ImapError::StartTlsStripped, &settings);
        assert!(matches!(error, AccountsError::PlaintextRefused(_)));
    }

    #[test]
    fn bad_input_is_refused_before_any_network_or_keyring() {
        let store = Store::open_temporary().unwrap();
        let secrets = MemoryStore::default();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let new = |email: &str, password: &str| NewAccount {
            email: email.into(),
            password: password.into(),
            server: None,
            accept_certificate: None,
            allow_plaintext: false,
            voicemail: None,
        };
        let options = ConnectOptions::default();
        for bad in [new("not an address", "pw"), new("a@example.org", "")] {
            let result = runtime.block_on(add(&store, &secrets, bad, &options));
            assert!(matches!(result, Err(AccountsError::InvalidInput(_))), "{result:?}");
        }
        let mut pinned = new("a@example.org", "pw");
        pinned.accept_certificate = Some("AB:CD".into());
        let result = runtime.block_on(add(&store, &secrets, pinned, &options));
        assert!(matches!(result, Err(AccountsError::InvalidInput(_))), "{result:?}");
        assert!(secrets.get("a@example.org").unwrap().is_none());
    }

    #[test]
    fn removal_takes_the_password_and_the_account() {
        let store = Store::open_temporary().unwrap();
        let secrets = MemoryStore::default();
        let account = Account {
            id: "a@example.org".into(),
            display_name: "a@example.org".into(),
            email: "a@example.org".into(),
            is_demo: false,
            server: None,
            voicemail: None,
        };
        save(&store, &secrets, &account, "pw").unwrap();
        assert_eq!(secrets.get("a@example.org").unwrap().as_deref(), Some("pw"));
        let (removed, _) = remove(&store, &secrets, "a@example.org").unwrap();
        assert_eq!(removed.id, "a@example.org");
        assert!(secrets.get("a@example.org").unwrap().is_none());
        assert!(matches!(remove(&store, &secrets, "a@example.org"), Err(AccountsError::NotFound(_))));
    }
}
