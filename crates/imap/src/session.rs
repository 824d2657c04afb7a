//! The logged-in connection ([`ImapSession`]) and the one command runner every post-login command
//! goes through.
//!
//! Why our own runner instead of async-imap's typed helpers: those end their response stream at
//! end-of-file and ignore the tagged status, so a `BAD` or a dead connection yields `Ok` with no
//! data (seen: a zombie session answers SELECT with no UIDVALIDITY and SEARCH with nothing). Here a
//! command succeeds only on its own tagged `OK`; `NO` is reported; `BAD`, `BYE`, end-of-file, I/O
//! errors and timeouts drop the session, so it can never be used again by mistake. Timeouts
//! measure how long the server has been silent (`Watched` notes every byte that arrives), so a
//! 25 MB message on a slow link is not a timeout but a stalled server is. `Watched` also reads
//! the IMAP framing as bytes pass ([`LiteralGuard`]), so a server announcing a literal larger
//! than [`MAX_LITERAL_BYTES`] is refused before async-imap reserves memory for it, and server
//! text quoted in an error is clipped to [`MAX_QUOTED`] characters. A command that announces a
//! literal (APPEND) goes through the same runner: the literal is sent when the server's `+` asks
//! for it, and a `+` nobody asked for ends the session.
//!
//! This module does not connect or authenticate (`connect.rs`) and knows no mailbox rules.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_imap::imap_proto::rfc4315::UidSetMember;
use async_imap::imap_proto::{Capability, Response, ResponseCode, Status};
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
    literals: LiteralGuard,
}

impl<T> Watched<T> {
    pub(crate) fn new(inner: T) -> (Watched<T>, Activity) {
        let activity = Activity(Arc::new(Mutex::new(Instant::now())));
        (Watched { inner, activity: activity.clone(), literals: LiteralGuard::default() }, activity)
    }
}

/// The largest literal (one message body, usually) a server may send: Exchange Online's largest
/// allowed message is 150 MB, and async-imap reserves the whole announced size at once.
pub const MAX_LITERAL_BYTES: u64 = 160 * 1024 * 1024;

/// How much server text an error quotes.
const MAX_QUOTED: usize = 300;

/// Follows the framing of what the server sends — lines, and literals announced by a line
/// ending in `{size}` — to refuse an oversized literal from its announcement alone. Literal
/// contents are skipped, so a message body that happens to contain `{999999999}` is no alarm;
/// status responses (`* OK …`, `A1 NO …`, `+ …`) carry text, never a literal, so a `{n}` that ends
/// one is text too. Digits are read as they come, so leading zeros cannot hide a size.
#[derive(Debug, Default)]
struct LiteralGuard {
    /// Bytes of the current literal still to come.
    in_literal: u64,
    /// The first bytes of the current line, to tell a status response.
    head: Vec<u8>,
    /// The current line goes on after a literal (so its head is not a response's start).
    continuation: bool,
    /// What the end of the line read so far announces.
    announcing: Announcing,
}

/// The state of a possible `{digits}` / `{digits+}` at the end of the line read so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Announcing {
    #[default]
    Nothing,
    /// After `{` and these digits (saturating).
    Digits { size: u64, any: bool },
    /// After `{digits+`.
    Plus(u64),
    /// After `{digits}` (or `{digits+}`), possibly followed by CR.
    Closed(u64),
}

impl LiteralGuard {
    const HEAD: usize = 24;

    /// Scans the next bytes from the server; `Err(size)` for a literal over the limit.
    fn scan(&mut self, mut bytes: &[u8]) -> std::result::Result<(), u64> {
        while !bytes.is_empty() {
            if self.in_literal > 0 {
                let skip = self.in_literal.min(bytes.len() as u64) as usize;
                self.in_literal -= skip as u64;
                bytes = &bytes[skip..];
                continue;
            }
            let byte = bytes[0];
            bytes = &bytes[1..];
            if byte == b'\n' {
                let announced = match self.announcing {
                    Announcing::Closed(size) if !self.is_status_line() => Some(size),
                    _ => None,
                };
                self.head.clear();
                self.announcing = Announcing::Nothing;
                self.continuation = announced.is_some();
                if let Some(size) = announced {
                    if size > MAX_LITERAL_BYTES {
                        return Err(size);
                    }
                    self.in_literal = size;
                }
                continue;
            }
            if self.head.len() < Self::HEAD {
                self.head.push(byte);
            }
            self.announcing = match (self.announcing, byte) {
                (_, b'{') => Announcing::Digits { size: 0, any: false },
                (Announcing::Digits { size, .. }, b'0'..=b'9') => Announcing::Digits {
                    size: size.saturating_mul(10).saturating_add(u64::from(byte - b'0')),
                    any: true,
                },
                (Announcing::Digits { size, any: true }, b'+') => Announcing::Plus(size),
                (Announcing::Digits { size, any: true } | Announcing::Plus(size), b'}') => {
                    Announcing::Closed(size)
                }
                (Announcing::Closed(size), b'\r') => Announcing::Closed(size),
                _ => Announcing::Nothing,
            };
        }
        Ok(())
    }

    /// Whether the current line is a status response (`* OK|NO|BAD|BYE|PREAUTH …`, a tagged
    /// `OK|NO|BAD`, or a `+` continuation request), whose text may end in anything.
    fn is_status_line(&self) -> bool {
        if self.continuation {
            return false;
        }
        let mut words = self.head.split(|&byte| byte == b' ');
        let (Some(first), second) = (words.next(), words.next().unwrap_or_default()) else { return false };
        let is =
            |word: &[u8], names: &[&str]| names.iter().any(|name| word.eq_ignore_ascii_case(name.as_bytes()));
        match first {
            b"+" => true,
            b"*" => is(second, &["OK", "NO", "BAD", "BYE", "PREAUTH"]),
            _ => is(second, &["OK", "NO", "BAD"]),
        }
    }
}

/// `text` cut to [`MAX_QUOTED`] characters, marked when cut.
pub(crate) fn clipped(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
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
            let this = &mut *self;
            if let Err(size) = this.literals.scan(&buf.filled()[before..]) {
                return Poll::Ready(Err(std::io::Error::other(format!(
                    "the server announced a {size}-byte literal; Tidings accepts at most {MAX_LITERAL_BYTES} bytes"
                ))));
            }
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
        self.exchange(during, command, None, on_untagged).await.map(|finished| finished.tagged)
    }

    /// Runs a command whose line ends in a synchronizing literal announcement (`APPEND … {n}`):
    /// `literal` is sent when the server asks for it with `+`, then the command ends as
    /// [`Self::command`] does. Also returns the UID of RFC 4315's `[APPENDUID validity uid]`.
    pub(crate) async fn command_with_literal(
        &mut self,
        during: &'static str,
        command: &str,
        literal: &[u8],
        on_untagged: impl FnMut(&Response<'_>),
    ) -> Result<(Tagged, Option<u32>)> {
        let finished = self.exchange(during, command, Some(literal), on_untagged).await?;
        Ok((finished.tagged, finished.append_uid))
    }

    async fn exchange(
        &mut self,
        during: &'static str,
        command: &str,
        literal: Option<&[u8]>,
        on_untagged: impl FnMut(&Response<'_>),
    ) -> Result<Finished> {
        let per_response = self.timeouts.command;
        let Some(session) = self.session.as_mut() else { return Err(ImapError::Disconnected) };
        let exchange = Exchange { activity: &self.activity, during, per_response };
        match exchange.run(session, command, literal, on_untagged).await {
            Ok(finished) => Ok(finished),
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

/// How a command ended, with the one tagged response code a caller needs.
struct Finished {
    tagged: Tagged,
    /// The new message's UID from `OK [APPENDUID validity uid]`.
    append_uid: Option<u32>,
}

/// What one command exchange needs besides the connection.
struct Exchange<'a> {
    activity: &'a Activity,
    during: &'static str,
    per_response: Duration,
}

impl Exchange<'_> {
    async fn run(
        &self,
        session: &mut Session<Conn>,
        command: &str,
        mut literal: Option<&[u8]>,
        mut on_untagged: impl FnMut(&Response<'_>),
    ) -> Result<Finished> {
        let (during, per_response) = (self.during, self.per_response);
        let tag = match tokio::time::timeout(per_response, session.run_command(command)).await {
            Err(_) => return Err(ImapError::Timeout { during }),
            Ok(result) => result.map_err(ImapError::from_imap)?,
        };
        loop {
            // Dropping a pending read_response is safe: the partial response stays in async-imap's
            // buffer, so the read is simply polled again while bytes keep arriving.
            let read = loop {
                match tokio::time::timeout(per_response, session.read_response()).await {
                    Err(_) if self.activity.quiet_for() < per_response => continue,
                    Err(_) => return Err(ImapError::Timeout { during }),
                    Ok(read) => break read,
                }
            };
            let response = match read {
                Err(error) => {
                    return Err(ImapError::Network(format!("{during}: {}", clipped(&error.to_string()))))
                }
                Ok(None) => {
                    return Err(ImapError::Network(format!(
                        "the server closed the connection during {during}"
                    )))
                }
                Ok(Some(response)) => response,
            };
            match response.parsed() {
                Response::Done { tag: done_tag, status, outcome } if *done_tag == tag => {
                    let text = clipped(outcome.information.as_deref().unwrap_or_default());
                    let append_uid = match &outcome.code {
                        // One message was appended, so the set holds one UID.
                        Some(ResponseCode::AppendUid(_, uids)) => uids.first().map(|member| match member {
                            UidSetMember::Uid(uid) => *uid,
                            UidSetMember::UidRange(range) => *range.start(),
                        }),
                        _ => None,
                    };
                    return match status {
                        Status::Ok => Ok(Finished { tagged: Tagged::Ok, append_uid }),
                        Status::No => Ok(Finished { tagged: Tagged::No(text), append_uid: None }),
                        _ => Err(ImapError::Protocol(format!("{during}: server answered {status:?} {text}"))),
                    };
                }
                // RFC 3501 §6.1.3: LOGOUT is answered with BYE before its OK; anywhere else BYE
                // means the server is closing on us.
                Response::Data { status: Status::Bye, outcome } if during != "LOGOUT" => {
                    let text = clipped(outcome.information.as_deref().unwrap_or_default());
                    return Err(ImapError::Network(format!("the server said BYE during {during}: {text}")));
                }
                // A `+` asks for the literal the command line announced; one we did not announce
                // would leave client and server out of step, so it ends the session.
                Response::Continue(_) => match literal.take() {
                    Some(bytes) => self.send_literal(session, bytes).await?,
                    None => {
                        return Err(ImapError::Protocol(format!(
                            "{during}: the server asked for data the command did not announce"
                        )))
                    }
                },
                other => on_untagged(other),
            }
        }
    }

    /// Writes a literal and the CRLF that ends the command line, a chunk at a time: like a read,
    /// the timeout measures how long the server stops taking bytes, not how long a big literal
    /// takes on a slow link.
    async fn send_literal(&self, session: &mut Session<Conn>, bytes: &[u8]) -> Result<()> {
        use tokio::io::AsyncWriteExt;
        const CHUNK: usize = 64 * 1024;
        let during = self.during;
        let connection = session.get_mut();
        for chunk in bytes.chunks(CHUNK).chain([&b"\r\n"[..]]) {
            let write = async {
                connection.write_all(chunk).await?;
                connection.flush().await
            };
            match tokio::time::timeout(self.per_response, write).await {
                Err(_) => return Err(ImapError::Timeout { during }),
                Ok(Err(error)) => return Err(ImapError::Network(format!("{during}: {error}"))),
                Ok(Ok(())) => {}
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_over_the_limit_is_refused_from_its_announcement() {
        let mut guard = LiteralGuard::default();
        assert_eq!(guard.scan(b"* 1 FETCH (UID 1 BODY[] {4294967296}\r\n"), Err(4_294_967_296));
        let mut guard = LiteralGuard::default();
        let huge = b"* 1 FETCH (BODY[] {99999999999999999999999}\r\n";
        assert_eq!(guard.scan(huge), Err(u64::MAX));
    }

    #[test]
    fn literal_contents_are_skipped_and_announcements_split_across_reads_are_seen() {
        let mut guard = LiteralGuard::default();
        // A 20-byte body that itself contains an oversized "announcement".
        let body = b"x {999999999999}\r\nyz";
        assert_eq!(body.len(), 20);
        let mut stream = b"* 1 FETCH (UID 7 BODY[] {20}\r\n".to_vec();
        stream.extend_from_slice(body);
        stream.extend_from_slice(b")\r\nA1 OK done\r\n");
        for chunk in stream.chunks(3) {
            assert_eq!(guard.scan(chunk), Ok(()));
        }
        assert_eq!(guard.in_literal, 0);
        let mut guard = LiteralGuard::default();
        for chunk in b"* 2 FETCH (BODY[] {1000000000000}\r\n".chunks(5) {
            if let Err(size) = guard.scan(chunk) {
                assert_eq!(size, 1_000_000_000_000);
                return;
            }
        }
        panic!("a split announcement was missed");
    }

    #[test]
    fn lines_that_only_look_like_literals_are_not() {
        for line in
            [&b"* 1 FETCH {123} x\r\n"[..], b"* 1 FETCH {}\r\n", b"* 1 FETCH {12a}\r\n", b"* 1 FETCH }\r\n"]
        {
            let mut guard = LiteralGuard::default();
            assert_eq!(guard.scan(line), Ok(()));
            assert_eq!(guard.in_literal, 0, "{:?}", String::from_utf8_lossy(line));
        }
        let mut guard = LiteralGuard::default();
        assert_eq!(guard.scan(b"* 3 LIST () \"/\" {5+}\r\n"), Ok(()));
        assert_eq!(guard.in_literal, 5);
    }

    #[test]
    fn leading_zeros_and_status_text_cannot_hide_an_announcement() {
        let mut guard = LiteralGuard::default();
        let padded = format!("* 1 FETCH (BODY[] {{{}400000000}}\r\n", "0".repeat(100));
        assert_eq!(guard.scan(padded.as_bytes()), Err(400_000_000));
        // A `{40}` ending status text is text: the FETCH within the next 40 bytes is still read.
        let mut guard = LiteralGuard::default();
        let trick = b"* OK look {40}\r\n* 1 FETCH (BODY[] {400000000}\r\n";
        assert_eq!(guard.scan(trick), Err(400_000_000));
        let mut guard = LiteralGuard::default();
        assert_eq!(guard.scan(b"A7 NO [CANNOT] bad name {99999999999}\r\n+ go {999999999999}\r\n"), Ok(()));
        assert_eq!(guard.in_literal, 0);
    }

    #[test]
    fn quoted_server_text_is_clipped() {
        assert_eq!(clipped("short"), "short");
        let long = "é".repeat(1000);
        let cut = clipped(&long);
        assert!(cut.starts_with(&"é".repeat(MAX_QUOTED)));
        assert!(cut.ends_with("(2000 bytes in all)"), "{cut}");
    }
}
