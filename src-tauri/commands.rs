//! The commands the UI calls. Each one converts its arguments, calls a crate and converts back;
//! the IPC types (camelCase JSON) are defined here and nowhere else.

use serde::{Deserialize, Serialize};
use tauri::{Emitter, State};
use tidings_accounts::{ManualServer, NewAccount};
use tidings_imap::DialectReport;
use tidings_mask::{QuoteHeader, QuoteKind, QuoteToggle, RenderOptions};
use tidings_message::DraftKind;
use tidings_store::{Account, MessageKey, MessageSummary};
use tidings_voicemail::fax;
use tidings_voicemail::{audio, Importance, Voicemail, VoicemailKind};

use crate::error::{ErrorCode, IpcError};
use crate::links::{checked_link, Browser, MAX_LINK_LENGTH};
use crate::settings::Settings;
use crate::{message_view, AppState};

/// A message's address, as the UI holds it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    pub account: String,
    pub mailbox: String,
    pub uid_validity: u32,
    pub uid: u32,
}

impl From<MessageRef> for MessageKey {
    fn from(r: MessageRef) -> MessageKey {
        MessageKey { account: r.account, mailbox: r.mailbox, uid_validity: r.uid_validity, uid: r.uid }
    }
}

impl From<&MessageKey> for MessageRef {
    fn from(key: &MessageKey) -> MessageRef {
        MessageRef {
            account: key.account.clone(),
            mailbox: key.mailbox.clone(),
            uid_validity: key.uid_validity,
            uid: key.uid,
        }
    }
}

/// An account with its mailboxes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub display_name: String,
    pub email: String,
    pub is_demo: bool,
    pub mailboxes: Vec<String>,
    /// The folders the server listed at the last whole-account sync, in display order (INBOX
    /// first); empty before it (the demo and a new account show `mailboxes`).
    pub folders: Vec<FolderView>,
    /// The IMAP server; null for the demo.
    pub server: Option<ServerView>,
    /// The dialect the server showed since the app started; null before the first login.
    pub dialect: Option<DialectView>,
    /// The visual-voicemail box its STATUS SMS described; null for mail accounts.
    pub voicemail: Option<VoicemailBoxView>,
}

/// A visual-voicemail box's limits, from the carrier's STATUS SMS.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoicemailBoxView {
    pub declared_dialect: String,
    pub languages: Vec<String>,
    pub max_greeting_seconds: Option<u32>,
    pub max_voice_signature_seconds: Option<u32>,
    /// `[min, max]` digits of the TUI password.
    pub tui_password_length: Option<(u8, u8)>,
    pub tui_number: Option<String>,
    pub password_change_supported: Option<bool>,
    pub greeting_change_supported: Option<bool>,
}

impl From<tidings_store::VoicemailBox> for VoicemailBoxView {
    fn from(vvm: tidings_store::VoicemailBox) -> Self {
        VoicemailBoxView {
            declared_dialect: vvm.declared_dialect,
            languages: vvm.languages,
            max_greeting_seconds: vvm.max_greeting_seconds,
            max_voice_signature_seconds: vvm.max_voice_signature_seconds,
            tui_password_length: vvm.tui_password_length,
            tui_number: vvm.tui_number,
            password_change_supported: vvm.password_change_supported,
            greeting_change_supported: vvm.greeting_change_supported,
        }
    }
}

/// The "Add account" form as a pasted STATUS SMS fills it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusSmsFill {
    pub email: String,
    /// The box's IMAP password, for the form's password field (this is the user's own SMS).
    pub password: String,
    pub host: String,
    pub port: Option<u16>,
    /// `tls` or `starttls`.
    pub security: &'static str,
    pub username: Option<String>,
    pub voicemail: VoicemailBoxView,
}

/// A folder of an account, with its counts in the cache.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderView {
    /// The name as the server spells it (what `list_messages` takes).
    pub name: String,
    pub display_name: String,
    /// `inbox`, `sent`, `drafts`, `trash`, `junk`, `archive`, `all`, `flagged`, or null.
    pub role: Option<String>,
    /// False for a folder that holds no messages, only other folders.
    pub selectable: bool,
    pub unread: usize,
    pub total: usize,
}

/// An account's IMAP server (never its password).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerView {
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls` or `plain`.
    pub security: &'static str,
    pub username: String,
    /// The trusted certificate's SHA-256 as `AB:CD:…`, when one is pinned.
    pub certificate_sha256: Option<String>,
}

/// The IMAP dialect a server speaks, and why we think so.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialectView {
    /// `imap4rev1`, `imap4rev2`, `gmail`, `omtp-vvm`, …
    pub name: String,
    /// One sentence per observation.
    pub evidence: Vec<String>,
}

impl From<&DialectReport> for DialectView {
    fn from(report: &DialectReport) -> DialectView {
        DialectView { name: report.dialect.name().to_string(), evidence: report.evidence.clone() }
    }
}

/// One RFC 2971 ID field we sent.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdField {
    pub key: String,
    pub value: String,
}

/// The server the user typed under "Manual settings".
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInput {
    pub host: String,
    /// The security's well-known port when missing.
    pub port: Option<u16>,
    /// `tls`, `starttls` or `plain`.
    pub security: String,
    /// The address when missing or empty.
    pub username: Option<String>,
}

/// An account just added.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddedAccount {
    pub account: AccountView,
    pub dialect: DialectView,
    /// The ID fields we advertised, in the order sent.
    pub client_id: Vec<IdField>,
    /// `shipped`, `document` or `guess` when autoconfig found the server; null when it was typed.
    pub found_by: Option<String>,
}

/// What one sync of a folder changed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncCounts {
    pub mailbox: String,
    pub new: usize,
    pub changed: usize,
    pub expunged: usize,
    /// Messages cached in the folder afterwards.
    pub messages: usize,
    pub dialect: String,
}

/// One row of the message list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRow {
    pub message: MessageRef,
    /// The sender's name, else their address, else an empty string.
    pub sender: String,
    pub sender_email: Option<String>,
    pub subject: String,
    /// Seconds since the Unix epoch; the UI formats it in the user's zone.
    pub date: Option<i64>,
    pub preview: String,
    pub seen: bool,
    /// `\Flagged`: starred.
    pub flagged: bool,
    pub attachments: usize,
    /// `voice`, `video`, `fax` or `missed-call` for voicemail-box content.
    pub voicemail: Option<String>,
    /// The conversation the message belongs to (Message-ID/References, Gmail's thread id).
    pub thread: Option<String>,
}

impl From<MessageSummary> for MessageRow {
    fn from(summary: MessageSummary) -> MessageRow {
        let sender = summary.from_name.clone().or_else(|| summary.from_email.clone()).unwrap_or_default();
        MessageRow {
            message: MessageRef::from(&summary.key),
            sender,
            sender_email: summary.from_email,
            subject: summary.subject.unwrap_or_default(),
            date: summary.date,
            preview: summary.preview,
            seen: summary.seen,
            flagged: summary.flagged,
            thread: summary.thread.clone(),
            attachments: summary.attachments,
            voicemail: summary
                .voicemail
                .and_then(|kind| serde_json::to_value(kind).ok())
                .and_then(|value| value.as_str().map(str::to_owned)),
        }
    }
}

/// An opened message: its row and the document for the sandboxed body frame.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub row: MessageRow,
    pub to: String,
    /// A complete HTML document with its own CSP, for a sandboxed `<iframe srcdoc>`.
    pub body_document: String,
    /// The quote headers the mask engine found, outermost first.
    pub quotes: Vec<QuoteView>,
    /// Present when the message is visual-voicemail content (voice, video, fax, missed call).
    pub voicemail: Option<VoicemailView>,
    pub remote_images: RemoteImagesView,
    /// Only the header is cached (the sync fetches headers first): the body document shows the
    /// header block alone until `fetch_body` brings the rest.
    pub body_missing: bool,
}

/// Whether the body's remote images were loaded or blocked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteImagesView {
    /// Remote images shown as placeholders.
    pub blocked: usize,
    /// They load: asked for this message, allowed for the sender, or allowed always.
    pub allowed: bool,
}

/// The settings, and why the file on disk was not used if it was not.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: Settings,
    pub problem: Option<String>,
}

/// The voicemail part of an opened message; its audio comes as WAV from `voicemail_audio`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoicemailView {
    /// `voice`, `video`, `fax`, `missed-call`, `number` or `infotainment`.
    pub kind: &'static str,
    /// The caller's number, as the server gave it.
    pub caller: Option<String>,
    /// The number written for people (`+1 555-123-4567`).
    pub caller_display: Option<String>,
    /// The caller's name, when the carrier sent one (CNAM).
    pub caller_name: Option<String>,
    /// The caller withheld the number (private, anonymous, unknown).
    pub caller_withheld: bool,
    /// The number to call back, when the message names one.
    pub callback: Option<String>,
    /// The duration the headers claim, in whole seconds.
    pub declared_duration: Option<u32>,
    /// The duration measured from the audio, in seconds; null without playable audio.
    pub duration: Option<f64>,
    /// Whether there is an audio part `voicemail_audio` can be asked for.
    pub has_audio: bool,
    pub transcription: Option<String>,
    /// Fax pages: `X-Content-Pages`, else the number of fax documents; null for other kinds.
    pub fax_pages: Option<u32>,
    /// Pages of the fax's TIFF documents `fax_page` can show as images.
    pub fax_images: usize,
    /// The fax is (also) a PDF, which `export_fax_pdf` saves for the system viewer.
    pub has_pdf: bool,
    /// `low`, `normal` or `high`.
    pub importance: Option<&'static str>,
}

impl From<&Voicemail> for VoicemailView {
    fn from(voicemail: &Voicemail) -> VoicemailView {
        // Measured without decoding (frame headers, page positions), so opening a voicemail
        // whose headers lie or say nothing costs microseconds; audio that cannot be read has no
        // measured duration here, and `voicemail_audio` says why.
        let duration = voicemail
            .audio
            .as_ref()
            .and_then(|part| audio::probe_duration(&part.bytes, Some(part.format)).ok());
        VoicemailView {
            kind: match voicemail.kind {
                VoicemailKind::Voice => "voice",
                VoicemailKind::Video => "video",
                VoicemailKind::Fax => "fax",
                VoicemailKind::MissedCall => "missed-call",
                VoicemailKind::Number => "number",
                VoicemailKind::Infotainment => "infotainment",
            },
            caller: voicemail.caller.clone(),
            caller_display: voicemail.caller_display.clone(),
            caller_name: voicemail.caller_name.clone(),
            caller_withheld: voicemail.caller_withheld,
            callback: voicemail.callback.clone(),
            declared_duration: voicemail.declared_duration,
            duration,
            has_audio: voicemail.audio.is_some(),
            transcription: voicemail.transcription.clone(),
            fax_pages: (voicemail.kind == VoicemailKind::Fax)
                .then(|| voicemail.declared_pages.unwrap_or(voicemail.fax_pages.len() as u32)),
            fax_images: fax_images(voicemail).len(),
            has_pdf: voicemail.fax_pages.iter().any(|page| page.content_type == "application/pdf"),
            importance: voicemail.importance.map(|importance| match importance {
                Importance::Low => "low",
                Importance::Normal => "normal",
                Importance::High => "high",
            }),
        }
    }
}

/// Most fax pages shown; a longer fax is a document to save, not to page through here.
const MAX_FAX_IMAGES: usize = 50;

/// The size of every page of the voicemail's TIFF documents, in order, read from the TIFF
/// directories without decoding (a PDF or a damaged TIFF has none: a damaged one is left out
/// rather than hiding the others), with the document and page within it each comes from.
fn fax_images(voicemail: &Voicemail) -> Vec<(usize, usize)> {
    voicemail
        .fax_pages
        .iter()
        .enumerate()
        .filter_map(|(document, page)| {
            fax::page_sizes(page, MAX_FAX_IMAGES).ok().map(|sizes| (document, sizes.len()))
        })
        .flat_map(|(document, pages)| (0..pages).map(move |page| (document, page)))
        .take(MAX_FAX_IMAGES)
        .collect()
}

/// Page `index` (from 0) of a fax, as PNG bytes for an `<img>`; only that page is decoded.
#[tauri::command]
pub fn fax_page(
    state: State<'_, AppState>,
    message: MessageRef,
    index: usize,
) -> Result<tauri::ipc::Response, IpcError> {
    let key = MessageKey::from(message);
    let voicemail = cached_voicemail(&state, &key)?;
    let (document, page) = fax_images(&voicemail)
        .get(index)
        .copied()
        .ok_or_else(|| IpcError::not_found(format!("{key} has no fax page {}", index + 1)))?;
    let rendered = fax::render_page(&voicemail.fax_pages[document], page).map_err(|error| {
        IpcError::new(ErrorCode::Audio, format!("Fax page {} cannot be shown: {error}.", index + 1))
    })?;
    Ok(tauri::ipc::Response::new(rendered.png))
}

/// Saves a fax's PDF in the user's Downloads folder for the system viewer; returns its path.
#[tauri::command]
pub fn export_fax_pdf(state: State<'_, AppState>, message: MessageRef) -> Result<String, IpcError> {
    let key = MessageKey::from(message);
    let voicemail = cached_voicemail(&state, &key)?;
    let pdf = voicemail
        .fax_pages
        .iter()
        .find(|page| page.content_type == "application/pdf")
        .ok_or_else(|| IpcError::not_found(format!("{key} has no PDF")))?;
    let caller = voicemail.caller.as_deref().unwrap_or("unknown");
    let path =
        crate::export::new_file(&state.export_dir, &format!("fax-{caller}-{}", key.uid), "pdf", &pdf.bytes)?;
    Ok(path.display().to_string())
}

/// The cached message `key` read as a voicemail.
fn cached_voicemail(state: &AppState, key: &MessageKey) -> Result<Voicemail, IpcError> {
    let (_, raw) =
        state.store.message(key)?.ok_or_else(|| IpcError::not_found(format!("{key} is not cached")))?;
    Voicemail::parse(&raw).ok_or_else(|| IpcError::not_found(format!("{key} is not a voicemail")))
}

/// One quote header of an opened message, as the mask engine read it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
    /// 1 for the outermost (most recent) quoted message.
    pub depth: usize,
    /// `reply` or `forward`.
    pub kind: QuoteKind,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `YYYY-MM-DD` as written in the header.
    pub date: Option<String>,
    /// `HH:MM[:SS]` as written in the header, on a 24-hour clock.
    pub time: Option<String>,
    /// `+HH:MM` when the header names a zone.
    pub utc_offset: Option<String>,
    /// The header text as found.
    pub source: String,
    /// The id of the mask that matched.
    pub mask: String,
}

impl From<QuoteHeader> for QuoteView {
    fn from(quote: QuoteHeader) -> QuoteView {
        let QuoteHeader { depth, kind, fields, source, mask } = quote;
        QuoteView {
            depth,
            kind,
            name: fields.name,
            email: fields.email,
            date: fields.date,
            time: fields.time,
            utc_offset: fields.utc_offset,
            source,
            mask,
        }
    }
}

fn account_view(state: &AppState, account: Account) -> Result<AccountView, IpcError> {
    let mailboxes = state.store.mailboxes(&account.id)?.into_iter().map(|m| m.name).collect();
    let folders = state
        .store
        .folders(&account.id)?
        .into_iter()
        .map(|folder| {
            Ok(FolderView {
                unread: state.store.unread_count(&account.id, &folder.name)?,
                total: state.store.count_messages(&account.id, &folder.name),
                name: folder.name,
                display_name: folder.display_name,
                role: folder.role,
                selectable: folder.selectable,
            })
        })
        .collect::<Result<Vec<_>, IpcError>>()?;
    let dialect = state
        .store
        .dialect(&account.id)?
        .map(|known| DialectView { name: known.name, evidence: known.evidence });
    Ok(AccountView {
        server: account.server.map(|server| ServerView {
            security: tidings_accounts::security_name(server.security),
            certificate_sha256: server.pinned_sha256.as_deref().map(tidings_accounts::colon_fingerprint),
            host: server.host,
            port: server.port,
            username: server.username,
        }),
        dialect,
        voicemail: account.voicemail.map(VoicemailBoxView::from),
        folders,
        id: account.id,
        display_name: account.display_name,
        email: account.email,
        is_demo: account.is_demo,
        mailboxes,
    })
}

#[tauri::command]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountView>, IpcError> {
    state.store.accounts()?.into_iter().map(|account| account_view(&state, account)).collect()
}

/// Adds an IMAP account: the server typed, else autoconfig's suggestions; the login is verified
/// before the password goes into the keyring and the settings into the cache.
#[tauri::command]
pub async fn add_account(
    state: State<'_, AppState>,
    email: String,
    password: String,
    server: Option<ServerInput>,
    accept_certificate: Option<String>,
    status_sms: Option<String>,
) -> Result<AddedAccount, IpcError> {
    // The form was filled from this SMS (see `read_status_sms`); the box's dialect and limits
    // come from the SMS itself, read again here, while the user may have edited the server.
    let voicemail = match status_sms.filter(|text| !text.trim().is_empty()) {
        Some(text) => tidings_accounts::account_from_status_sms(&text)?.new.voicemail,
        None => None,
    };
    let server = match server {
        None => None,
        Some(input) => {
            let security = tidings_accounts::parse_security(&input.security).ok_or_else(|| {
                IpcError::new(
                    ErrorCode::InvalidInput,
                    format!("Security {:?} is not tls, starttls or plain", input.security),
                )
            })?;
            Some(ManualServer { host: input.host, port: input.port, security, username: input.username })
        }
    };
    // A plaintext login only when the user picked it (and still only to loopback or a LAN).
    let allow_plaintext =
        server.as_ref().is_some_and(|server| server.security == tidings_store::ConnectionSecurity::Plain);
    let new = NewAccount { email, password, server, accept_certificate, allow_plaintext, voicemail };
    let added = tidings_accounts::add(&state.store, &state.keychain, new, &state.connect_options).await?;
    Ok(AddedAccount {
        dialect: DialectView::from(&added.dialect),
        client_id: state
            .connect_options
            .identity
            .fields()
            .iter()
            .map(|(key, value)| IdField { key: key.clone(), value: value.clone() })
            .collect(),
        found_by: added.found_by.and_then(|source| {
            serde_json::to_value(source).ok().and_then(|value| value["kind"].as_str().map(str::to_owned))
        }),
        account: account_view(&state, added.account)?,
    })
}

/// Reads a pasted STATUS SMS into the "Add account" form, or says why it cannot set up a box.
#[tauri::command]
pub fn read_status_sms(text: String) -> Result<StatusSmsFill, IpcError> {
    let new = tidings_accounts::account_from_status_sms(&text)?.new;
    let (server, voicemail) = new.server.zip(new.voicemail).ok_or_else(|| {
        IpcError::new(ErrorCode::InvalidInput, "The SMS gave no server settings.".to_owned())
    })?;
    Ok(StatusSmsFill {
        email: new.email,
        password: new.password,
        security: tidings_accounts::security_name(server.security),
        host: server.host,
        port: server.port,
        username: server.username,
        voicemail: voicemail.into(),
    })
}

/// Removes an account with its cached mail and its password.
#[tauri::command]
pub fn remove_account(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    state.followers.stop(&id);
    // A whole-account sync still running stops after its batch, rather than caching mail for
    // an account that is gone.
    if let Some(stop) = state.syncs.lock().ok().and_then(|running| running.get(&id).cloned()) {
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    tidings_accounts::remove(&state.store, &state.keychain, &id)?;
    state.tray.refresh(&state.store);
    Ok(())
}

/// Brings one folder of an account in the cache up to date with its server.
#[tauri::command]
pub async fn sync_account<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    mailbox: String,
) -> Result<SyncCounts, IpcError> {
    // A folder synced before: what this sync brings is news the background would have told
    // (the notifier and the list listen to `mailbox-synced`); a first sync is not.
    let synced_before = state.store.mailbox(&id, &mailbox)?.is_some();
    let report =
        tidings_accounts::sync_folder(&state.store, &state.keychain, &id, &mailbox, &state.connect_options)
            .await?;
    if synced_before {
        let _ = app.emit(
            "mailbox-synced",
            crate::background::MailboxSynced {
                account: id.clone(),
                mailbox: report.mailbox.clone(),
                new: report.new,
                changed: report.changed,
                expunged: report.expunged,
            },
        );
    }
    state.tray.refresh(&state.store);
    // From the first good sync on, the inbox is kept current in the background.
    crate::background::start(&app, &id);
    Ok(SyncCounts {
        messages: state.store.count_messages(&id, &report.mailbox),
        mailbox: report.mailbox,
        new: report.new,
        changed: report.changed,
        expunged: report.expunged,
        dialect: report.dialect.name().to_string(),
    })
}

/// One page of the message list, with the counts the header shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessagePageView {
    /// Messages in the mailbox, or matching the search.
    pub total: usize,
    pub unread: usize,
    /// The place of the first row in the whole list.
    pub offset: usize,
    pub rows: Vec<MessageRow>,
}

/// Most rows one call returns: a screenful is about 15, the UI asks for a few hundred.
const MAX_PAGE: usize = 1000;
/// Most matches a search returns (their count is exact).
const MAX_SEARCH_RESULTS: usize = 500;

/// A page of a mailbox, newest first; with `query`, the messages whose sender or subject
/// contains every word of it (at most 500, from the top).
#[tauri::command]
pub fn list_messages(
    state: State<'_, AppState>,
    account: String,
    mailbox: String,
    offset: Option<usize>,
    limit: Option<usize>,
    query: Option<String>,
) -> Result<MessagePageView, IpcError> {
    let limit = limit.unwrap_or(MAX_PAGE).min(MAX_PAGE);
    let query = query.filter(|query| !query.trim().is_empty());
    let (offset, page) = match query {
        Some(query) => (0, state.store.search(&account, &mailbox, &query, limit.min(MAX_SEARCH_RESULTS))?),
        None => {
            let offset = offset.unwrap_or(0);
            (offset, state.store.page(&account, &mailbox, offset, limit)?)
        }
    };
    Ok(MessagePageView {
        total: page.total,
        unread: page.unread,
        offset,
        rows: page.summaries.into_iter().map(MessageRow::from).collect(),
    })
}

/// Opens a message and marks it read (a voicemail with audio is marked when it is played).
/// Its remote images load when the settings allow them for
/// its sender, or when `allow_remote_images` asks for it this once. `quote_toggle` are the UI
/// language's words for folding a quote (English without them).
#[tauri::command]
pub fn open_message(
    state: State<'_, AppState>,
    message: MessageRef,
    allow_remote_images: Option<bool>,
    quote_toggle: Option<QuoteToggle>,
) -> Result<MessageView, IpcError> {
    let key = MessageKey::from(message);
    let (mut summary, raw) =
        state.store.message(&key)?.ok_or_else(|| IpcError::not_found(format!("{key} is not cached")))?;
    let body_missing = state.store.body_missing(&key)?;
    let voicemail = Voicemail::parse(&raw);
    // A voicemail is heard, not read: playing it marks it (`set_seen`), opening it does not.
    let has_audio = voicemail.as_ref().is_some_and(|voicemail| voicemail.audio.is_some());
    if !summary.seen && !has_audio {
        state.store.mark_seen(&key, true)?;
        state.followers.wake(&key.account);
        state.tray.refresh(&state.store);
        summary.seen = true;
    }
    let settings = state.settings.get();
    let allowed = allow_remote_images.unwrap_or(false)
        || settings.remote_images_allowed_for(summary.from_email.as_deref());
    let options =
        RenderOptions { quote_toggle: quote_toggle.unwrap_or_default(), ..settings.render_options(allowed) };
    let rendered = message_view::render(&raw, &state.masks.set(), &state.address_book, &options);
    Ok(MessageView {
        remote_images: RemoteImagesView { blocked: rendered.blocked_remote_images, allowed },
        row: MessageRow::from(summary),
        to: rendered.to,
        body_document: rendered.document,
        quotes: rendered.quotes.into_iter().map(QuoteView::from).collect(),
        voicemail: voicemail.as_ref().map(VoicemailView::from),
        body_missing,
    })
}

/// Fetches now the body of a message cached header-only (opened before the sync's body step
/// reached it). `true`: the message is whole in the cache; `false`: the server no longer has it
/// (the folder's next sync takes it away).
#[tauri::command]
pub async fn fetch_body(state: State<'_, AppState>, message: MessageRef) -> Result<bool, IpcError> {
    let key = MessageKey::from(message);
    Ok(tidings_accounts::fetch_message_body(&state.store, &state.keychain, &key, &state.connect_options)
        .await?)
}

/// What happened at start that the user should know (a rebuilt cache, unreadable settings).
#[tauri::command]
pub fn startup_notices(state: State<'_, AppState>) -> Vec<String> {
    state.notices.clone()
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> SettingsView {
    SettingsView { settings: state.settings.get(), problem: state.settings.problem.clone() }
}

/// Validates and stores the settings; invalid ones are refused with the reason.
#[tauri::command]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<Settings, IpcError> {
    Ok(state.settings.save(settings)?)
}

/// Lets the remote images of `email`'s messages load from now on.
#[tauri::command]
pub fn allow_remote_sender(state: State<'_, AppState>, email: String) -> Result<Settings, IpcError> {
    let mut settings = state.settings.get();
    settings.allowed_senders.push(email);
    Ok(state.settings.save(settings)?)
}

/// A voicemail's audio as WAV (16-bit PCM), raw bytes rather than JSON: the webview cannot play
/// AMR, so every format is decoded here for its `<audio>` element.
#[tauri::command]
pub fn voicemail_audio(
    state: State<'_, AppState>,
    message: MessageRef,
) -> Result<tauri::ipc::Response, IpcError> {
    Ok(tauri::ipc::Response::new(voicemail_wav(&state, &MessageKey::from(message))?.1))
}

/// Saves a voicemail's audio as a WAV file in the user's Downloads folder (never overwriting a
/// file there) and returns its path.
#[tauri::command]
pub fn export_voicemail_wav(state: State<'_, AppState>, message: MessageRef) -> Result<String, IpcError> {
    let key = MessageKey::from(message);
    let (voicemail, wav) = voicemail_wav(&state, &key)?;
    let caller = voicemail.caller.as_deref().unwrap_or("unknown");
    let stem = format!("voicemail-{caller}-{}", key.uid);
    let path = crate::export::new_file(&state.export_dir, &stem, "wav", &wav)?;
    Ok(path.display().to_string())
}

/// The cached message `key`'s voicemail and its audio decoded to WAV.
fn voicemail_wav(state: &AppState, key: &MessageKey) -> Result<(Voicemail, Vec<u8>), IpcError> {
    let voicemail = cached_voicemail(state, key)?;
    let part = voicemail
        .audio
        .as_ref()
        .ok_or_else(|| IpcError::not_found(format!("{key} has no voicemail audio")))?;
    let decoded = audio::decode(&part.bytes, Some(part.format))?;
    let wav = audio::to_wav(&decoded.pcm)?;
    Ok((voicemail, wav))
}

/// Marks a message read or unread (also when its voicemail is played): in the cache at once,
/// and on the server by the account's background sync, which this wakes.
#[tauri::command]
pub fn set_seen(state: State<'_, AppState>, message: MessageRef, seen: bool) -> Result<(), IpcError> {
    let key = MessageKey::from(message);
    if state.store.mark_seen(&key, seen)? {
        state.followers.wake(&key.account);
        state.tray.refresh(&state.store);
        Ok(())
    } else {
        Err(IpcError::not_found(format!("{key} is not cached")))
    }
}

/// Stars (`\Flagged`) or unstars a message: in the cache at once, on the server by the next
/// sync of its folder, which this wakes for the inbox.
#[tauri::command]
pub fn set_flagged(state: State<'_, AppState>, message: MessageRef, flagged: bool) -> Result<(), IpcError> {
    let key = MessageKey::from(message);
    if state.store.mark_flagged(&key, flagged)? {
        state.followers.wake(&key.account);
        Ok(())
    } else {
        Err(IpcError::not_found(format!("{key} is not cached")))
    }
}

/// Deletes a message: it leaves its folder's list at once, and the next sync of that folder
/// moves it to the account's Trash (or expunges it there, or when there is no Trash).
#[tauri::command]
pub fn delete_message(state: State<'_, AppState>, message: MessageRef) -> Result<(), IpcError> {
    let key = MessageKey::from(message);
    // Without a known Trash the server would expunge the message for good: refuse, and say how
    // to get the folder list (Trash itself is known, so deleting there still expunges).
    let on_a_server = state.store.account(&key.account)?.is_some_and(|account| account.server.is_some());
    if on_a_server && state.store.trash_folder(&key.account)?.is_none() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "No Trash folder is known for this account yet, so Delete would erase the message for good. \
             Sync the account, then delete again."
                .to_owned(),
        ));
    }
    state.store.queue_delete(&key)?.ok_or_else(|| IpcError::not_found(format!("{key} is not cached")))?;
    state.followers.wake(&key.account);
    state.tray.refresh(&state.store);
    Ok(())
}

/// Moves a message to folder `to` of its account, the same way.
#[tauri::command]
pub fn move_message(state: State<'_, AppState>, message: MessageRef, to: String) -> Result<(), IpcError> {
    let key = MessageKey::from(message);
    state
        .store
        .queue_move(&key, &to)?
        .ok_or_else(|| IpcError::new(ErrorCode::InvalidInput, format!("{key} cannot be moved to {to:?}.")))?;
    state.followers.wake(&key.account);
    state.tray.refresh(&state.store);
    Ok(())
}

/// One conversation of a folder's threaded list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadRowView {
    pub thread: String,
    /// The newest message of the thread in this folder.
    pub latest: MessageRow,
    pub count: usize,
    pub unread: usize,
    /// Up to three senders, oldest first.
    pub participants: Vec<String>,
}

/// A page of a folder's threaded list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadPageView {
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<ThreadRowView>,
}

/// `limit` conversations of a folder from place `offset` on, newest activity first.
#[tauri::command]
pub fn list_threads(
    state: State<'_, AppState>,
    account: String,
    mailbox: String,
    offset: Option<usize>,
    limit: Option<usize>,
) -> Result<ThreadPageView, IpcError> {
    let offset = offset.unwrap_or(0);
    let page =
        state.store.thread_page(&account, &mailbox, offset, limit.unwrap_or(MAX_PAGE).min(MAX_PAGE))?;
    Ok(ThreadPageView {
        total: page.total_threads,
        offset,
        rows: page
            .rows
            .into_iter()
            .map(|row| ThreadRowView {
                thread: row.thread,
                latest: MessageRow::from(row.latest),
                count: row.count,
                unread: row.unread,
                participants: row.participants,
            })
            .collect(),
    })
}

/// Every message of a conversation across the account's folders, oldest first.
#[tauri::command]
pub fn thread_messages(
    state: State<'_, AppState>,
    account: String,
    thread: String,
) -> Result<Vec<MessageRow>, IpcError> {
    Ok(state.store.thread_messages(&account, &thread)?.into_iter().map(MessageRow::from).collect())
}

/// Opens a link from a mail body in the system browser (or mail program), once the user chose
/// to in the "Open link?" dialog; it is checked again here, whatever the UI sent.
#[tauri::command]
pub fn open_link(browser: State<'_, Browser>, url: String) -> Result<(), IpcError> {
    open_checked(&browser, &url)
}

/// Starts a reply (`reply`), a reply to all (`reply-all`) or a forward (`forward`) of a cached
/// message in the user's mail program, as a `mailto:` link with the recipients, subject, thread
/// and quoted text filled in.
#[tauri::command]
pub fn compose(
    state: State<'_, AppState>,
    browser: State<'_, Browser>,
    message: MessageRef,
    kind: String,
) -> Result<(), IpcError> {
    let kind = match kind.as_str() {
        "reply" => DraftKind::Reply,
        "reply-all" => DraftKind::ReplyAll,
        "forward" => DraftKind::Forward,
        other => {
            return Err(IpcError::new(
                ErrorCode::InvalidInput,
                format!("{other:?} is not reply, reply-all or forward."),
            ))
        }
    };
    let key = MessageKey::from(message);
    let (_, raw) =
        state.store.message(&key)?.ok_or_else(|| IpcError::not_found(format!("{key} is not cached")))?;
    let me = state.store.account(&key.account)?.map(|account| account.email).unwrap_or_default();
    let draft = tidings_message::draft(&raw, kind, &me)
        .ok_or_else(|| IpcError::not_found(format!("{key} is not a readable message")))?;
    open_checked(&browser, &draft.mailto(MAX_LINK_LENGTH))
}

/// Opens `link` after checking it, whoever built it.
fn open_checked(browser: &Browser, link: &str) -> Result<(), IpcError> {
    let url = checked_link(link)?;
    browser.open(&url).map_err(|error| {
        IpcError::new(ErrorCode::Browser, format!("The browser could not be started: {error}."))
    })
}
