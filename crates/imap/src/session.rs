//! The logged-in connection ([`ImapSession`]) and the one command runner every post-login command
//! goes through.
//!
//! Why our own runner instead of async-imap's typed helpers: those end their response stream at
//! end-of-file and ignore the tagged status, so a `BAD` or a dead connection yields `Ok` with no
//! data (seen: a zombie session answers SELECT with no UIDVALIDITY and SEARCH with nothing). Here a
//! command succeeds only on its own tagged `OK`; `NO` is reported; `BAD`, `BYE`, end-of-file, I/O
//! errors and timeouts drop the session, so it can never be used again by mistake. Timeouts
//! measure how long the server has been silent (`Watched` notes every byte that arrives), so a
//! 25 MB message on a slow link is not a timeout but a stalled server is.
//!
//! This module does not connect or authenticate (`connect.rs`) and knows no mailbox rules.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_imap::imap_proto::{Capability, Response, Status};
use async_imap::Session;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::connect::Timeouts;
use crate::dialect::{detect, DialectReport};
use crate::{ImapError, Result};

/// A byte stream IMAP can run over: TCP, or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

/// The transport of every session, whatever the security.
pub(crate) type Conn = Box<dyn Io>;

/// When the transport last received bytes, shared between [`Watched`] and the command runner.
#[derive(Debug, Clone)]
pub(crate) struct Activity(Arc<Mutex<Instant>>);

impl Activity {
    fn touch(&self) {
        match self.0.lock() {
            Ok(mut last) => *last = Instant::now(),
            Err(poisoned) => *poisoned.into_inner() = Instant::now(),
        }
    }

    /// How long ago the last byte arrived.
    fn quiet_for(&self) -> Duration {
        match self.0.lock() {
            Ok(last) => last.elapsed(),
            Err(poisoned) => poisoned.into_inner().elapsed(),
        }
    }
}

/// A transport that records when bytes arrive, so a timeout can mean "the server went quiet"
/// rather than "this response was big" (a 25 MB message on a slow link takes minutes).
#[derive(Debug)]
pub(crate) struct Watched<T> {
    inner: T,
    activity: Activity,
}

impl<T> Watched<T> {
    pub(crate) fn new(inner: T) -> (Watched<T>, Activity) {
        let activity = Activity(Arc::new(Mutex::new(Instant::now())));
        (Watched { inner, activity: activity.clone() }, activity)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tagged {
    /// Tagged `OK`.
    Ok,
    /// Tagged `NO` with the server's text; the session stays usable.
    No(String),
}

/// A logged-in IMAP connection with what we learnt about the server.
#[derive(Debug)]
pub struct ImapSession {
    /// `None` once dropped after an error.
    session: Option<Session<Conn>>,
    activity: Activity,
    timeouts: Timeouts,
    greeting: String,
    capabilities: Vec<String>,
    server_id: Option<HashMap<String, String>>,
    dialect: DialectReport,
    /// Whether `ENABLE QRESYNC` was sent on this connection and the server's `* ENABLED` listed
    /// it (RFC 5161 §3.1, RFC 7162 §3.2.3); `None` until tried.
    pub(crate) qresync_enabled: Option<bool>,
}

impl ImapSession {
    pub(crate) fn new(
        session: Session<Conn>,
        activity: Activity,
        timeouts: Timeouts,
        greeting: String,
    ) -> ImapSession {
        ImapSession {
            session: Some(session),
            activity,
            timeouts,
            dialect: detect(&greeting, &[], None),
            greeting,
            capabilities: Vec::new(),
            server_id: None,
            qresync_enabled: None,
        }
    }

    /// Capabilities announced after login (e.g. `IMAP4rev1`, `AUTH=PLAIN`, `QRESYNC`).
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// True when the server announced `name` (case-insensitive).
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.iter().any(|c| c.eq_ignore_ascii_case(name))
    }

    /// The server's greeting text.
    pub fn greeting(&self) -> &str {
        &self.greeting
    }

    /// The server's answer to our `ID`, when it has ID.
    pub fn server_id(&self) -> Option<&HashMap<String, String>> {
        self.server_id.as_ref()
    }

    /// The detected dialect, extensions and the evidence for them.
    pub fn dialect(&self) -> &DialectReport {
        &self.dialect
    }

    /// The timeouts this session uses.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// False once the session was dropped after an error; connect again then.
    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    /// Says LOGOUT and closes the connection.
    pub async fn logout(mut self) -> Result<()> {
        self.command("LOGOUT", "LOGOUT", |_| {}).await.map(|_| ())
    }

    pub(crate) fn set_capabilities(&mut self, capabilities: Vec<String>) {
        self.capabilities = capabilities;
        self.redetect();
    }

    pub(crate) fn set_server_id(&mut self, server_id: Option<HashMap<String, String>>) {
        self.server_id = server_id;
        self.redetect();
    }

    fn redetect(&mut self) {
        self.dialect = detect(&self.greeting, &self.capabilities, self.server_id.as_ref());
    }

    /// Takes the async-imap session out (IDLE consumes it); put it back with [`Self::restore`].
    pub(crate) fn take(&mut self) -> Result<Session<Conn>> {
        self.session.take().ok_or(ImapError::Disconnected)
    }

    /// Puts a session back after IDLE ended cleanly.
    pub(crate) fn restore(&mut self, session: Session<Conn>) {
        self.session = Some(session);
    }

    /// Drops the connection: after `error` it can no longer be trusted.
    pub(crate) fn drop_after(&mut self, error: ImapError) -> ImapError {
        if !matches!(error, ImapError::Disconnected) {
            tracing::warn!(error = %error, "Dropping the IMAP session after an error.");
        }
        self.session = None;
        error
    }

    /// Shuts the transport down as a network failure would; the next command fails.
    pub(crate) async fn cut_connection(&mut self) {
        use tokio::io::AsyncWriteExt;
        if let Some(session) = self.session.as_mut() {
            let _ = session.get_mut().shutdown().await;
        }
    }

    /// Runs one tagged command and hands every untagged response to `on_untagged`.
    ///
    /// The server may not go quiet for longer than [`Timeouts::command`]; a long response (a big
    /// FETCH literal) is fine as long as bytes keep coming. Returns on the command's own tagged `OK`/`NO`; `BAD`, `BYE`,
    /// end-of-file, I/O errors and timeouts drop the session and are returned as errors.
    pub(crate) async fn command(
        &mut self,
        during: &'static str,
        command: &str,
        on_untagged: impl FnMut(&Response<'_>),
    ) -> Result<Tagged> {
        let per_response = self.timeouts.command;
        let Some(session) = self.session.as_mut() else { return Err(ImapError::Disconnected) };
        match run(session, &self.activity, during, command, per_response, on_untagged).await {
            Ok(tagged) => Ok(tagged),
            Err(error) => Err(self.drop_after(error)),
        }
    }

    /// Like [`Self::command`], but a tagged `NO` is an error too (and drops the session).
    pub(crate) async fn command_ok(
        &mut self,
        during: &'static str,
        command: &str,
        on_untagged: impl FnMut(&Response<'_>),
    ) -> Result<()> {
        match self.command(during, command, on_untagged).await? {
            Tagged::Ok => Ok(()),
            Tagged::No(text) => {
                Err(self.drop_after(ImapError::Protocol(format!("{during} refused: {text}"))))
            }
        }
    }
}

async fn run(
    session: &mut Session<Conn>,
    activity: &Activity,
    during: &'static str,
    command: &str,
    per_response: Duration,
    mut on_untagged: impl FnMut(&Response<'_>),
) -> Result<Tagged> {
    let tag = match tokio::time::timeout(per_response, session.run_command(command)).await {
        Err(_) => return Err(ImapError::Timeout { during }),
        Ok(result) => result.map_err(ImapError::from_imap)?,
    };
    loop {
        // Dropping a pending read_response is safe: the partial response stays in async-imap's
        // buffer, so the read is simply polled again while bytes keep arriving.
        let read = loop {
            match tokio::time::timeout(per_response, session.read_response()).await {
                Err(_) if activity.quiet_for() < per_response => continue,
                Err(_) => return Err(ImapError::Timeout { during }),
                Ok(read) => break read,
            }
        };
        let response = match read {
            Err(error) => return Err(ImapError::Network(format!("{during}: {error}"))),
            Ok(None) => {
                return Err(ImapError::Network(format!("the server closed the connection during {during}")))
            }
            Ok(Some(response)) => response,
        };
        match response.parsed() {
            Response::Done { tag: done_tag, status, outcome } if *done_tag == tag => {
                let text = outcome.information.as_deref().unwrap_or_default().to_owned();
                return match status {
                    Status::Ok => Ok(Tagged::Ok),
                    Status::No => Ok(Tagged::No(text)),
                    _ => Err(ImapError::Protocol(format!("{during}: server answered {status:?} {text}"))),
                };
            }
            // RFC 3501 §6.1.3: LOGOUT is answered with BYE before its OK; anywhere else BYE
            // means the server is closing on us.
            Response::Data { status: Status::Bye, outcome } if during != "LOGOUT" => {
                let text = outcome.information.as_deref().unwrap_or_default();
                return Err(ImapError::Network(format!("the server said BYE during {during}: {text}")));
            }
            other => on_untagged(other),
        }
    }
}

/// A capability as the server spelled it.
pub(crate) fn capability_name(capability: &Capability<'_>) -> String {
    match capability {
        Capability::Imap4rev1 => "IMAP4rev1".to_owned(),
        Capability::Auth(mechanism) => format!("AUTH={mechanism}"),
        Capability::Atom(atom) => atom.to_string(),
    }
}

/// Capabilities carried by one response: `* CAPABILITY ...` or an `[CAPABILITY ...]` code.
pub(crate) fn capabilities_in(response: &Response<'_>) -> Option<Vec<String>> {
    use async_imap::imap_proto::ResponseCode;
    match response {
        Response::Capabilities(list) => Some(list.iter().map(capability_name).collect()),
        Response::Data { outcome, .. } | Response::Done { outcome, .. } => match &outcome.code {
            Some(ResponseCode::Capabilities(list)) => Some(list.iter().map(capability_name).collect()),
            _ => None,
        },
        _ => None,
    }
}

/// The fields of an `* ID (...)` answer.
pub(crate) fn server_id_in(response: &Response<'_>) -> Option<HashMap<String, String>> {
    match response {
        Response::Id(Some(fields)) => {
            Some(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        }
        _ => None,
    }
}
