//! Commands of the "Voicemail box" dialog: quota, greetings (listen, activate, upload, delete),
//! the telephone-UI PIN and the prompt language of a visual-voicemail account. Thin: the work is
//! `tidings_accounts::voicebox`'s; this file shapes answers for the UI and keeps the greetings
//! last listed, so that one can be played without asking the server again.

use serde::Serialize;
use tauri::State;
use tidings_accounts::voicebox::{self, BoxGreeting, NewGreeting};
use tidings_imap::voicebox::{QuotaResource, QuotaRoot};
use tidings_voicemail::audio;
use tidings_voicemail::greeting::GreetingKind;

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;

/// What the dialog shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoicemailBoxStatus {
    pub dialect: &'static str,
    /// Storage in KiB, when the server reports it.
    pub storage: Option<Usage>,
    /// Messages, when the server reports them.
    pub messages: Option<Usage>,
    /// False when the server has no greetings folder.
    pub has_greetings: bool,
    pub greetings: Vec<GreetingView>,
}

/// Used of limit.
#[derive(Debug, Serialize)]
pub struct Usage {
    pub used: u64,
    pub limit: u64,
}

/// One greeting.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GreetingView {
    pub uid: u32,
    /// `normal-greeting`, `voice-signature`, `busy-greeting`, … (any value the server uses).
    pub kind: String,
    pub active: bool,
    /// Seconds as the message declares them.
    pub duration: Option<u32>,
    pub has_audio: bool,
}

impl From<&BoxGreeting> for GreetingView {
    fn from(greeting: &BoxGreeting) -> Self {
        GreetingView {
            uid: greeting.uid,
            kind: greeting.greeting.kind.header_value().to_owned(),
            active: greeting.greeting.active,
            duration: greeting.greeting.declared_duration,
            has_audio: greeting.greeting.audio.is_some(),
        }
    }
}

/// The first root's usage of `resource`.
fn usage(quota: &[QuotaRoot], resource: &QuotaResource) -> Option<Usage> {
    quota
        .iter()
        .find_map(|root| root.usage(resource))
        .map(|usage| Usage { used: usage.used, limit: usage.limit })
}

/// Asks the box for its quota and greetings.
#[tauri::command]
pub async fn voicemail_box(
    state: State<'_, AppState>,
    account: String,
) -> Result<VoicemailBoxStatus, IpcError> {
    let status = voicebox::status(&state.store, &state.keychain, &account, &state.connect_options).await?;
    let view = VoicemailBoxStatus {
        dialect: status.dialect.name(),
        storage: usage(&status.quota, &QuotaResource::StorageKib),
        messages: usage(&status.quota, &QuotaResource::Messages),
        has_greetings: status.greetings_mailbox.is_some(),
        greetings: status.greetings.iter().map(GreetingView::from).collect(),
    };
    state.greetings.lock().map_err(|_| poisoned())?.insert(account, status.greetings);
    Ok(view)
}

/// A greeting listed by the last `voicemail_box`, as WAV for the dialog's player.
#[tauri::command]
pub fn greeting_audio(
    state: State<'_, AppState>,
    account: String,
    uid: u32,
) -> Result<tauri::ipc::Response, IpcError> {
    let greetings = state.greetings.lock().map_err(|_| poisoned())?;
    let part = greetings
        .get(&account)
        .and_then(|listed| listed.iter().find(|greeting| greeting.uid == uid))
        .and_then(|greeting| greeting.greeting.audio.as_ref())
        .ok_or_else(|| {
            IpcError::not_found(format!("greeting {uid} has no audio (list the greetings again)"))
        })?;
    let decoded = audio::decode(&part.bytes, Some(part.format))?;
    Ok(tauri::ipc::Response::new(audio::to_wav(&decoded.pcm)?))
}

/// Makes greeting `uid` the one callers hear for its kind.
#[tauri::command]
pub async fn activate_greeting(
    state: State<'_, AppState>,
    account: String,
    uid: u32,
) -> Result<(), IpcError> {
    Ok(voicebox::activate_greeting(&state.store, &state.keychain, &account, uid, &state.connect_options)
        .await?)
}

/// Deletes greeting `uid`.
#[tauri::command]
pub async fn delete_greeting(state: State<'_, AppState>, account: String, uid: u32) -> Result<(), IpcError> {
    Ok(voicebox::delete_greeting(&state.store, &state.keychain, &account, uid, &state.connect_options)
        .await?)
}

/// Uploads a recorded greeting. The audio file is the raw request body (no JSON number array);
/// the headers `account` (percent-encoded), `kind` and `activate` (`true`/`false`) say where and
/// what it is.
#[tauri::command]
pub async fn upload_greeting(
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<Option<u32>, IpcError> {
    let tauri::ipc::InvokeBody::Raw(audio) = request.body() else {
        return Err(invalid("the greeting must be sent as raw bytes"));
    };
    let header = |name: &str| request.headers().get(name).and_then(|value| value.to_str().ok());
    // The account id is percent-encoded by the UI: header values are ASCII.
    let account = header("account")
        .and_then(|encoded| percent_encoding::percent_decode_str(encoded).decode_utf8().ok())
        .ok_or_else(|| invalid("no account header"))?;
    let kind = GreetingKind::parse(header("kind").unwrap_or("normal-greeting"));
    let activate = header("activate") == Some("true");
    let new = NewGreeting { kind, audio, activate };
    Ok(voicebox::upload_greeting(&state.store, &state.keychain, &account, new, &state.connect_options)
        .await?)
}

/// Changes the telephone-UI PIN.
#[tauri::command]
pub async fn change_voicemail_pin(
    state: State<'_, AppState>,
    account: String,
    old_pin: String,
    new_pin: String,
) -> Result<(), IpcError> {
    Ok(voicebox::change_pin(
        &state.store,
        &state.keychain,
        &account,
        &old_pin,
        &new_pin,
        &state.connect_options,
    )
    .await?)
}

/// Changes the voicemail prompt language.
#[tauri::command]
pub async fn change_voicemail_language(
    state: State<'_, AppState>,
    account: String,
    language: String,
) -> Result<(), IpcError> {
    Ok(voicebox::change_language(&state.store, &state.keychain, &account, &language, &state.connect_options)
        .await?)
}

fn invalid(message: &str) -> IpcError {
    IpcError::new(ErrorCode::InvalidInput, format!("{message}."))
}

fn poisoned() -> IpcError {
    IpcError::new(ErrorCode::Cache, "The greetings list is unavailable after an earlier failure.")
}
