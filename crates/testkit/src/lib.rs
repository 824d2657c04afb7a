//! Test-only helpers: a real Dovecot IMAP server, started unprivileged on loopback for one test.
//!
//! [`Dovecot::start`] writes a self-contained configuration (no `/etc/dovecot` include) into a fresh
//! temp dir, runs `/usr/sbin/dovecot -F` as a child process on free 127.0.0.1 ports, and waits for the
//! real `* OK` greeting. Dropping the [`Dovecot`] stops the master with SIGTERM, waits for it and removes
//! the temp dir. Mail is stored as maildir under the temp dir, owned by the `vmail` system user.
//!
//! ```no_run
//! use tidings_testkit::{Dovecot, DovecotOptions};
//! # fn main() -> Result<(), tidings_testkit::TestkitError> {
//! let server = Dovecot::start(DovecotOptions { tls: true, ..DovecotOptions::default() })?;
//! server.seed("alice", "INBOX", &[b"Subject: hi\r\n\r\nbody\r\n"])?;
//! // Connect to server.host():server.imap_port() (STARTTLS) or imaps_port(), pin cert_sha256()
//! // (or trust ca_pem()), log in as user(0)/password(0), then assert on server.log_text().
//! # Ok(()) }
//! ```
//!
//! This crate does not speak IMAP beyond reading the greeting, has no async runtime, and is never
//! shipped: it exists for integration tests of other crates. It must run as root (Dovecot drops
//! privileges to `vmail`, `dovecot` and `dovenull`), which is how the project's tests run.

mod config;
mod maildir;

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use maildir::maildir_folder_for;

/// Where Debian's `dovecot-imapd`/`dovecot-core` put the master binary.
pub const DOVECOT_BINARY: &str = "/usr/sbin/dovecot";
/// Where Debian's `dovecot-core` puts the admin tool.
pub const DOVEADM_BINARY: &str = "/usr/bin/doveadm";
/// The system user that owns all test mail; created with `useradd --system` when missing.
const MAIL_OWNER: &str = "vmail";
/// How long [`Dovecot::start`] waits for the real greeting before giving up.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`Drop`] waits for the master to exit after SIGTERM before killing it.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// Start attempts: a port picked by binding port 0 can be taken by someone else before Dovecot binds it.
const START_ATTEMPTS: usize = 3;
/// How long [`Dovecot::log_text_when`] waits for the log process to write a line.
pub const LOG_SETTLE: Duration = Duration::from_secs(5);

/// Everything that can go wrong while running a test Dovecot.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// The Dovecot master binary is not installed.
    #[error("dovecot binary not found at {0}: install dovecot-imapd (apt-get install dovecot-imapd)")]
    DovecotNotFound(&'static str),
    /// The doveadm binary is not installed.
    #[error("doveadm binary not found at {0}: install dovecot-core (apt-get install dovecot-imapd)")]
    DoveadmNotFound(&'static str),
    /// A user name or password cannot be written to a passwd-file.
    #[error(
        "invalid test user {0:?}: names and passwords must be non-empty and free of ':' and line breaks"
    )]
    InvalidUser(String),
    /// A quota rule would break the configuration it is written into.
    #[error("invalid quota rule {0:?}: no line breaks or braces")]
    InvalidQuotaRule(String),
    /// A mailbox name cannot be mapped to a maildir++ folder.
    #[error("invalid mailbox name {0:?} for a maildir++ test mailbox")]
    InvalidMailbox(String),
    /// The user is not one of the users the server was started with.
    #[error("{0:?} is not a user of this test Dovecot")]
    UnknownUser(String),
    /// The `vmail` user could not be found or created.
    #[error("could not set up the mail owner user {MAIL_OWNER:?}: {0}")]
    MailOwner(String),
    /// A file or directory operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What the testkit was doing.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A helper program (openssl, doveadm, useradd) ran but reported failure.
    #[error("`{command}` failed ({status}): {stderr}")]
    CommandFailed {
        /// The command line that was run.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// Dovecot did not come up; the message quotes its log.
    #[error("dovecot did not become ready: {reason}\n--- dovecot log ---\n{log}")]
    NotReady {
        /// Why the testkit gave up.
        reason: String,
        /// The Dovecot log and stderr at that moment.
        log: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = TestkitError> = std::result::Result<T, E>;

/// How to configure a test Dovecot.
#[derive(Debug, Clone)]
pub struct DovecotOptions {
    /// Adds `ssl = yes` (STARTTLS on the plain port) and an implicit-TLS `imaps` listener, with a
    /// certificate for CN=localhost (SAN DNS:localhost, IP:127.0.0.1; CA:FALSE, serverAuth) signed by
    /// a test CA of this server's own, both made by `openssl`.
    pub tls: bool,
    /// `(user, password)` pairs for the passwd-file passdb; passwords are stored `{PLAIN}`.
    pub users: Vec<(String, String)>,
    /// Sets `imap_id_log = *` so every ID field a client sends appears in [`Dovecot::log_text`].
    pub id_log: bool,
    /// Turns on Dovecot's quota plugin (count backend) with IMAP QUOTA (RFC 9208 `GETQUOTAROOT`),
    /// one root named `User quota` with this `quota_rule`, e.g. `*:storage=10M`; `None` (the
    /// default) leaves quota off.
    pub quota_rule: Option<String>,
}

impl Default for DovecotOptions {
    fn default() -> Self {
        Self {
            tls: false,
            users: vec![("alice".to_owned(), "correct horse".to_owned())],
            id_log: true,
            quota_rule: None,
        }
    }
}

/// A running test Dovecot; stopped and deleted on drop.
#[derive(Debug)]
pub struct Dovecot {
    master: Child,
    dir: TempDir,
    imap_port: u16,
    imaps_port: Option<u16>,
    cert: Option<Certificate>,
    users: Vec<(String, String)>,
    owner: maildir::Owner,
    /// Seeded file names carry a counter that only grows, so later seeds get higher UIDs.
    seed_counter: AtomicU64,
}

#[derive(Debug)]
struct Certificate {
    /// The leaf alone.
    pem: PathBuf,
    /// The leaf followed by the CA: what Dovecot sends.
    chain: PathBuf,
    /// The leaf's private key.
    key: PathBuf,
    /// The test CA that signed the leaf, made for this server only.
    ca_pem: PathBuf,
    /// SHA-256 of the leaf's DER.
    sha256: [u8; 32],
}

/// Parallel tests in one binary must not race each other to `useradd`.
static MAIL_OWNER_LOCK: Mutex<()> = Mutex::new(());

impl Dovecot {
    /// Writes a configuration, starts Dovecot on free loopback ports and waits for its greeting.
    pub fn start(opts: DovecotOptions) -> Result<Self> {
        if !Path::new(DOVECOT_BINARY).exists() {
            return Err(TestkitError::DovecotNotFound(DOVECOT_BINARY));
        }
        for (user, password) in &opts.users {
            if !config::is_passwd_file_safe(user) || !config::is_passwd_file_safe(password) {
                return Err(TestkitError::InvalidUser(user.clone()));
            }
        }
        if let Some(rule) = opts.quota_rule.as_deref().filter(|rule| rule.contains(['\n', '\r', '{', '}'])) {
            return Err(TestkitError::InvalidQuotaRule(rule.to_owned()));
        }
        let owner = ensure_mail_owner()?;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&opts, owner) {
                Ok(dovecot) => return Ok(dovecot),
                // Only a lost port race is worth another try; anything else would fail again.
                Err(TestkitError::NotReady { reason, log }) if log.contains("Address already in use") => {
                    last_error = Some(TestkitError::NotReady { reason, log });
                }
                Err(other) => return Err(other),
            }
        }
        Err(last_error.unwrap_or_else(|| TestkitError::NotReady {
            reason: "no start attempt was made".to_owned(),
            log: String::new(),
        }))
    }

    fn start_once(opts: &DovecotOptions, owner: maildir::Owner) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("tidings-dovecot-")
            .tempdir()
            .map_err(|e| io_error("creating the Dovecot temp dir", e))?;
        let root = dir.path();
        // The mail processes run as vmail and the login processes as dovenull: both must traverse it.
        set_mode(root, 0o755)?;
        let imap_port = free_port()?;
        let imaps_port = if opts.tls { Some(free_port()?) } else { None };
        let cert = if opts.tls { Some(make_certificate(root)?) } else { None };

        for (user, _) in &opts.users {
            maildir::create_folder(&root.join("mail").join(user).join("Maildir"), owner)?;
            maildir::chown(&root.join("mail").join(user), owner)?;
        }
        let passwd: String = opts.users.iter().map(|(u, p)| format!("{u}:{{PLAIN}}{p}\n")).collect();
        write_file(&root.join("passwd"), passwd.as_bytes())?;
        let conf = config::render(&config::Settings {
            root,
            imap_port,
            imaps_port,
            tls_files: cert.as_ref().map(|c| (c.chain.clone(), c.key.clone())),
            id_log: opts.id_log,
            quota_rule: opts.quota_rule.as_deref(),
        });
        write_file(&root.join("dovecot.conf"), conf.as_bytes())?;

        let stderr = fs::File::create(root.join("dovecot.stderr"))
            .map_err(|e| io_error("creating dovecot.stderr", e))?;
        // -F keeps the master in the foreground as our child, so it cannot outlive a crashed test unnoticed.
        let master = Command::new(DOVECOT_BINARY)
            .arg("-F")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| io_error("spawning dovecot", e))?;
        let mut dovecot = Dovecot {
            master,
            dir,
            imap_port,
            imaps_port,
            cert,
            users: opts.users.clone(),
            owner,
            seed_counter: AtomicU64::new(0),
        };
        dovecot.wait_until_ready()?;
        Ok(dovecot)
    }

    /// The address the listeners are bound to.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The plaintext IMAP port (which offers STARTTLS when started with `tls`).
    pub fn imap_port(&self) -> u16 {
        self.imap_port
    }

    /// The implicit-TLS IMAP port, when started with `tls`.
    pub fn imaps_port(&self) -> Option<u16> {
        self.imaps_port
    }

    /// The server's leaf certificate alone (PEM), when started with `tls`. The server sends it
    /// followed by [`Dovecot::ca_pem`].
    pub fn cert_pem(&self) -> Option<&Path> {
        self.cert.as_ref().map(|c| c.pem.as_path())
    }

    /// The test CA (PEM) that signed the leaf, when started with `tls`: made for this server only,
    /// trusted by nobody until a test puts it into a trust store (e.g. with `SSL_CERT_FILE`).
    pub fn ca_pem(&self) -> Option<&Path> {
        self.cert.as_ref().map(|c| c.ca_pem.as_path())
    }

    /// SHA-256 of the DER leaf certificate (what `openssl x509 -fingerprint -sha256` prints), when
    /// started with `tls`: what a user accepts and Tidings pins.
    pub fn cert_sha256(&self) -> Option<[u8; 32]> {
        self.cert.as_ref().map(|c| c.sha256)
    }

    /// The name of the `index`-th configured user.
    pub fn user(&self, index: usize) -> Option<&str> {
        self.users.get(index).map(|(u, _)| u.as_str())
    }

    /// The password of the `index`-th configured user.
    pub fn password(&self, index: usize) -> Option<&str> {
        self.users.get(index).map(|(_, p)| p.as_str())
    }

    /// The root of `user`'s maildir (the INBOX folder; other mailboxes are `.Name` subfolders).
    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("mail").join(user).join("Maildir")
    }

    /// The Dovecot log so far (lossy UTF-8), including `ID sent:` lines when `id_log` is on.
    pub fn log_text(&self) -> String {
        read_lossy(&self.dir.path().join("dovecot.log"))
    }

    /// The Dovecot log once `ready` holds for it, or as it is after [`LOG_SETTLE`] if it never
    /// does. Dovecot's processes hand their lines to a log process that writes them later, so a
    /// line about a command the client has already seen answered may not be in the file yet.
    pub fn log_text_when(&self, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + LOG_SETTLE;
        loop {
            let log = self.log_text();
            if ready(&log) || Instant::now() >= deadline {
                return log;
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// Delivers `messages` (raw RFC 5322 bytes) into `mailbox`, creating the mailbox if needed.
    ///
    /// Files land in `cur/` as `<unix time>.<zero-padded counter>.seed:2,` (no flags), so Dovecot
    /// assigns UIDs in the order given here and after any earlier seed.
    pub fn seed(&self, user: &str, mailbox: &str, messages: &[&[u8]]) -> Result<()> {
        if !self.users.iter().any(|(u, _)| u == user) {
            return Err(TestkitError::UnknownUser(user.to_owned()));
        }
        let folder = self.maildir(user).join(maildir_folder_for(mailbox)?);
        maildir::create_folder(&folder, self.owner)?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        for message in messages {
            let n = self.seed_counter.fetch_add(1, Ordering::SeqCst) + 1;
            let name = format!("{stamp}.{n:06}.seed");
            maildir::deliver(&folder, &name, message, self.owner)?;
        }
        Ok(())
    }

    /// Runs `doveadm -c <this server's config> <args>` and returns its stdout.
    pub fn doveadm(&self, args: &[&str]) -> Result<String> {
        if !Path::new(DOVEADM_BINARY).exists() {
            return Err(TestkitError::DoveadmNotFound(DOVEADM_BINARY));
        }
        let mut command = Command::new(DOVEADM_BINARY);
        command.arg("-c").arg(self.dir.path().join("dovecot.conf")).args(args);
        run(&mut command)
    }

    /// Changes `mailbox`'s UIDVALIDITY (as a server restore would); open sessions get `* BYE`.
    pub fn set_uid_validity(&self, user: &str, mailbox: &str, uid_validity: u32) -> Result<()> {
        let value = uid_validity.to_string();
        self.doveadm(&["mailbox", "update", "-u", user, "--uid-validity", &value, mailbox]).map(|_| ())
    }

    fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.master.try_wait() {
                return Err(self.not_ready(format!("the master exited early ({status})")));
            }
            let last_seen = match read_greeting(self.imap_port) {
                // Right after start imap-login may greet with "Waiting for authentication process":
                // that connection is not usable for a login test, so keep polling for the real one.
                Ok(line) if line.starts_with("* OK") && !line.contains("Waiting for authentication") => {
                    let imaps_up = self.imaps_port.is_none_or(|port| {
                        TcpStream::connect_timeout(&loopback(port), Duration::from_millis(500)).is_ok()
                    });
                    if imaps_up {
                        return Ok(());
                    }
                    "imaps port not accepting connections".to_owned()
                }
                Ok(line) => format!("greeting {line:?}"),
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(self.not_ready(format!(
                    "no `* OK` greeting on 127.0.0.1:{} within {:?} (last: {last_seen})",
                    self.imap_port, READY_TIMEOUT
                )));
            }
            sleep(Duration::from_millis(50));
        }
    }

    fn not_ready(&self, reason: String) -> TestkitError {
        let root = self.dir.path();
        let mut log = read_lossy(&root.join("dovecot.log"));
        let stderr = read_lossy(&root.join("dovecot.stderr"));
        if !stderr.is_empty() {
            log.push_str("--- dovecot stderr ---\n");
            log.push_str(&stderr);
        }
        TestkitError::NotReady { reason, log }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its children (imap, imap-login, auth) before exiting;
        // std can only send SIGKILL, so use kill(1).
        let pid = self.master.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).stderr(Stdio::null()).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            match self.master.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => sleep(Duration::from_millis(20)),
            }
        }
        let _ = self.master.kill();
        let _ = self.master.wait();
    }
}

fn read_greeting(port: u16) -> std::io::Result<String> {
    let stream = TcpStream::connect_timeout(&loopback(port), Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(line.trim_end().to_owned())
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Picks a port by binding port 0 and releasing it; [`Dovecot::start`] retries if it is lost meanwhile.
fn free_port() -> Result<u16> {
    TcpListener::bind(loopback(0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| io_error("picking a free port on 127.0.0.1", e))
}

/// The `openssl` configuration for [`make_certificate`]: a root CA and a server leaf as a public CA
/// would issue them, so that webpki accepts the chain (it refuses a CA certificate as the leaf).
const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// Makes a test CA and a leaf for `localhost` / `127.0.0.1` signed by it, under `root/tls`:
/// `ca.pem`, `cert.pem` (the leaf), `chain.pem` (leaf then CA, what Dovecot serves) and `key.pem`.
fn make_certificate(root: &Path) -> Result<Certificate> {
    let tls = root.join("tls");
    fs::create_dir_all(&tls).map_err(|e| io_error("creating the tls dir", e))?;
    let config = tls.join("openssl.cnf");
    write_file(&config, OPENSSL_CONFIG.as_bytes())?;
    let (ca_pem, ca_key) = (tls.join("ca.pem"), tls.join("ca.key"));
    let (pem, key, csr, chain) =
        (tls.join("cert.pem"), tls.join("key.pem"), tls.join("leaf.csr"), tls.join("chain.pem"));
    let new_p256_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(Command::new("openssl")
        .arg("req")
        .arg("-config")
        .arg(&config)
        .args(["-x509", "-extensions", "ca", "-days", "3650", "-subj", "/CN=Tidings test CA"])
        .args(new_p256_key)
        .arg("-keyout")
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca_pem))?;
    set_mode(&ca_key, 0o600)?;
    run(Command::new("openssl")
        .arg("req")
        .arg("-config")
        .arg(&config)
        .args(["-new", "-subj", "/CN=localhost"])
        .args(new_p256_key)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr))?;
    set_mode(&key, 0o600)?;
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "3650", "-in"])
        .arg(&csr)
        .arg("-CA")
        .arg(&ca_pem)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-CAcreateserial")
        .arg("-CAserial")
        .arg(tls.join("ca.srl"))
        .arg("-extfile")
        .arg(&config)
        .args(["-extensions", "leaf", "-out"])
        .arg(&pem))?;
    let mut chain_pem = fs::read(&pem).map_err(|e| io_error("reading the leaf certificate", e))?;
    chain_pem.extend(fs::read(&ca_pem).map_err(|e| io_error("reading the CA certificate", e))?);
    write_file(&chain, &chain_pem)?;
    let fingerprint =
        run(Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(&pem))?;
    let sha256 = parse_fingerprint(&fingerprint).ok_or_else(|| TestkitError::CommandFailed {
        command: "openssl x509 -fingerprint -sha256".to_owned(),
        status: "unparsable output".to_owned(),
        stderr: fingerprint.clone(),
    })?;
    Ok(Certificate { pem, chain, key, ca_pem, sha256 })
}

/// Parses `sha256 Fingerprint=AB:CD:...` as printed by `openssl x509 -fingerprint`.
fn parse_fingerprint(output: &str) -> Option<[u8; 32]> {
    let hex = output.trim().rsplit('=').next()?;
    let bytes: Vec<u8> =
        hex.split(':').map(|pair| u8::from_str_radix(pair, 16).ok()).collect::<Option<Vec<u8>>>()?;
    bytes.try_into().ok()
}

fn ensure_mail_owner() -> Result<maildir::Owner> {
    let _guard = MAIL_OWNER_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(owner) = maildir::Owner::lookup(MAIL_OWNER)? {
        return Ok(owner);
    }
    let created = run(Command::new("useradd").args(["--system", "--no-create-home"]).args([
        "--shell",
        "/usr/sbin/nologin",
        MAIL_OWNER,
    ]));
    // Another test binary may have created it in between; only a still-missing user is an error.
    match (maildir::Owner::lookup(MAIL_OWNER)?, created) {
        (Some(owner), _) => Ok(owner),
        (None, Err(e)) => Err(TestkitError::MailOwner(e.to_string())),
        (None, Ok(_)) => Err(TestkitError::MailOwner("useradd succeeded but the user is missing".to_owned())),
    }
}

/// Runs a helper program to completion; non-zero exit becomes [`TestkitError::CommandFailed`].
fn run(command: &mut Command) -> Result<String> {
    let line = format!("{command:?}");
    let output =
        command.stdin(Stdio::null()).output().map_err(|e| io_error(&format!("running {line}"), e))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(TestkitError::CommandFailed {
            command: line,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

fn write_file(path: &Path, contents: &[u8]) -> Result<()> {
    fs::write(path, contents).map_err(|e| io_error(&format!("writing {}", path.display()), e))
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| io_error(&format!("chmod {mode:o} {}", path.display()), e))
}

fn read_lossy(path: &Path) -> String {
    fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

fn io_error(context: &str, source: std::io::Error) -> TestkitError {
    TestkitError::Io { context: context.to_owned(), source }
}

#[cfg(test)]
mod tests {
    use super::parse_fingerprint;

    #[test]
    fn parses_openssl_sha256_fingerprint() {
        let hex: Vec<String> = (0u8..32).map(|b| format!("{b:02X}")).collect();
        let line = format!("sha256 Fingerprint={}\n", hex.join(":"));
        let expected: Vec<u8> = (0u8..32).collect();
        assert_eq!(parse_fingerprint(&line).map(|f| f.to_vec()), Some(expected));
        assert_eq!(parse_fingerprint("sha256 Fingerprint=AB:CD\n"), None);
    }
}
