//! Looking at a server without logging in: what `tidings probe` and account setup show.
//!
//! Plan of [`probe`]:
//! 1. Open the connection exactly as [`connect`](crate::connect()) does (same plaintext policy,
//!    STARTTLS rules and certificate trust, so an untrusted certificate is
//!    [`ImapError::UntrustedCertificate`] here too) and read the greeting.
//! 2. Read the capabilities (from the greeting's `[CAPABILITY]` code or a CAPABILITY command).
//! 3. When the server has ID, send ours (RFC 2971 allows ID before login); a refusal is a
//!    warning, not a failure.
//! 4. Detect the dialect from what was seen, say LOGOUT and close.
//!
//! No credential is sent: [`ServerConfig::username`] is not used. What a server shows before
//! login can be less than after (Dovecot lists more capabilities once logged in), so the dialect
//! of a probe is a preview; the session's [`ImapSession::dialect`](crate::ImapSession::dialect)
//! is the one sync uses.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::connect::{open, prelogin_capabilities, prelogin_command, ConnectOptions, ServerConfig};
use crate::dialect::{detect, DialectReport};
use crate::{ImapError, Result};

/// The longest a probe waits for the server's goodbye; it closes the connection either way.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// What a server shows before login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    /// The greeting text (after `* OK`).
    pub greeting: String,
    /// TLS protected the connection (implicit TLS, or after STARTTLS).
    pub secure: bool,
    /// The capabilities before login, as the server spelled them.
    pub capabilities: Vec<String>,
    /// The server's answer to our ID, when it has ID and answered.
    pub server_id: Option<BTreeMap<String, String>>,
    /// The dialect detected from the greeting, the capabilities and the ID answer.
    pub dialect: DialectReport,
    /// What did not go as expected but did not stop the probe (e.g. ID refused).
    pub warnings: Vec<String>,
}

/// Connects and secures like [`connect`](crate::connect()), reads the greeting, CAPABILITY and
/// the ID answer, and detects the dialect, without logging in; see the module's plan.
pub async fn probe(config: &ServerConfig, options: &ConnectOptions) -> Result<ProbeReport> {
    let timeouts = options.timeouts;
    // 1. Transport and greeting.
    let mut opened = open(config, timeouts).await?;
    // 2. Capabilities.
    let capabilities = prelogin_capabilities(&mut opened.client, &opened.greeting, timeouts.command).await?;
    // 3. ID.
    let mut warnings = Vec::new();
    let mut server_id = None;
    if capabilities.iter().any(|c| c.eq_ignore_ascii_case("ID")) {
        match prelogin_command(&mut opened.client, "ID", &options.identity.command(), timeouts.command).await
        {
            Ok(answer) => server_id = answer.server_id,
            Err(ImapError::Protocol(text)) => {
                warnings.push(format!("the server refused ID before login: {text}"));
            }
            Err(other) => return Err(other),
        }
    }
    // 4. Dialect, goodbye.
    let dialect = detect(&opened.greeting.text, &capabilities, server_id.as_ref());
    // The probe has what it came for: a slow or odd goodbye is not worth failing over.
    let _ = prelogin_command(&mut opened.client, "LOGOUT", "LOGOUT", LOGOUT_WAIT.min(timeouts.command)).await;
    tracing::info!(host = %config.host, dialect = ?dialect.dialect, secure = opened.secure, "Probed the IMAP server.");
    Ok(ProbeReport {
        greeting: opened.greeting.text,
        secure: opened.secure,
        capabilities,
        server_id: server_id.map(|id| id.into_iter().collect()),
        dialect,
        warnings,
    })
}
