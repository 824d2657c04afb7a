//! An account's visual-voicemail box on its server: quota, greetings (list, activate, upload,
//! delete), the telephone-UI PIN and the prompt language. Each call logs in, uses the dialect the
//! account speaks (the server's own, else the one its STATUS SMS declared: see
//! [`crate::effective_dialect`]) and logs out.
//!
//! The IMAP commands are `tidings-imap`'s (`voicebox`), the greeting messages `tidings-voicemail`'s;
//! this module checks what the carrier's limits say before anything is sent (PIN length, greeting
//! length, offered languages) and keeps "one active greeting per kind" true.

use tidings_imap::voicebox::{self, QuotaRoot};
use tidings_imap::{strategy_for, ConnectOptions, Dialect, DialectStrategy, ImapError, ImapSession};
use tidings_keychain::SecretStore;
use tidings_store::Store;
use tidings_voicemail::greeting::{greeting_message, Greeting, GreetingKind, GreetingUpload};
use tidings_voicemail::AudioFormat;

use crate::{connect, effective_dialect, AccountsError};

/// What the box holds now.
#[derive(Debug, Clone)]
pub struct BoxStatus {
    /// The dialect the box was spoken to in.
    pub dialect: Dialect,
    /// Quota roots of INBOX; empty when the server offers no quota command.
    pub quota: Vec<QuotaRoot>,
    /// The server's name of the greetings folder; `None` when it has none.
    pub greetings_mailbox: Option<String>,
    /// The greetings in that folder, oldest first (messages that are not greetings are left out).
    pub greetings: Vec<BoxGreeting>,
}

/// A greeting of the box with its UID.
#[derive(Debug, Clone)]
pub struct BoxGreeting {
    pub uid: u32,
    pub greeting: Greeting,
}

/// A new greeting to upload.
pub struct NewGreeting<'a> {
    pub kind: GreetingKind,
    /// The recorded audio file, in any format the app can play.
    pub audio: &'a [u8],
    /// Callers hear it from now on (the other greeting of its kind is switched off).
    pub activate: bool,
}

/// A logged-in box: the session and how to speak to it.
struct OpenBox {
    session: ImapSession,
    strategy: Box<dyn DialectStrategy>,
}

async fn open(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    options: &ConnectOptions,
) -> Result<OpenBox, AccountsError> {
    let account = store.account(id)?.ok_or_else(|| AccountsError::NotFound(id.to_owned()))?;
    let session = connect(store, secrets, id, options).await?;
    let dialect = effective_dialect(session.dialect().dialect, account.voicemail.as_ref());
    Ok(OpenBox { session, strategy: strategy_for(dialect) })
}

impl OpenBox {
    /// Logs out after `result`, keeping `result` (a failed LOGOUT changes nothing the user did).
    async fn close<T>(self, result: Result<T, ImapError>) -> Result<T, AccountsError> {
        let _ = self.session.logout().await;
        result.map_err(AccountsError::Imap)
    }

    async fn greetings(&mut self) -> Result<(Option<String>, Vec<BoxGreeting>), ImapError> {
        let Some(mailbox) = voicebox::greetings_mailbox(&mut self.session, self.strategy.as_ref()).await?
        else {
            return Ok((None, Vec::new()));
        };
        let fetched = voicebox::list_greetings(&mut self.session, &mailbox).await?;
        let greetings = fetched
            .into_iter()
            .filter_map(|message| {
                let keywords: Vec<&str> = message.keywords.iter().map(String::as_str).collect();
                Greeting::parse(&message.raw, &keywords)
                    .map(|greeting| BoxGreeting { uid: message.uid, greeting })
            })
            .collect();
        Ok((Some(mailbox), greetings))
    }

    /// The greetings folder, or the error that says the box has none.
    async fn greetings_or_refuse(&mut self) -> Result<(String, Vec<BoxGreeting>), ImapError> {
        match self.greetings().await? {
            (Some(mailbox), greetings) => Ok((mailbox, greetings)),
            (None, _) => Err(ImapError::NotOffered { what: "greetings folder" }),
        }
    }

    /// Switches `uid` on and every other greeting of `kind` off.
    async fn activate(
        &mut self,
        mailbox: &str,
        uid: u32,
        kind: &GreetingKind,
        greetings: &[BoxGreeting],
    ) -> Result<(), ImapError> {
        let others: Vec<u32> = greetings
            .iter()
            .filter(|other| other.uid != uid && other.greeting.active && other.greeting.kind == *kind)
            .map(|other| other.uid)
            .collect();
        voicebox::activate_greeting(&mut self.session, mailbox, uid, &others).await
    }
}

/// Quota and greetings of account `id`'s box.
pub async fn status(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    options: &ConnectOptions,
) -> Result<BoxStatus, AccountsError> {
    let mut open = open(store, secrets, id, options).await?;
    let dialect = open.strategy.dialect();
    let result = async {
        let quota = match voicebox::quota(&mut open.session, open.strategy.as_ref()).await {
            Err(ImapError::NotOffered { .. }) => Vec::new(),
            other => other?,
        };
        let (greetings_mailbox, greetings) = match open.greetings().await {
            Err(ImapError::NotOffered { .. }) => (None, Vec::new()),
            other => other?,
        };
        Ok(BoxStatus { dialect, quota, greetings_mailbox, greetings })
    }
    .await;
    open.close(result).await
}

/// Makes greeting `uid` the one callers hear for its kind.
pub async fn activate_greeting(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    uid: u32,
    options: &ConnectOptions,
) -> Result<(), AccountsError> {
    let mut open = open(store, secrets, id, options).await?;
    let result = async {
        let (mailbox, greetings) = open.greetings_or_refuse().await?;
        let kind = greetings
            .iter()
            .find(|greeting| greeting.uid == uid)
            .map(|greeting| greeting.greeting.kind.clone())
            .ok_or_else(|| ImapError::MessageMissing { mailbox: mailbox.clone(), uid })?;
        open.activate(&mailbox, uid, &kind, &greetings).await
    }
    .await;
    open.close(result).await
}

/// Deletes greeting `uid`.
pub async fn delete_greeting(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    uid: u32,
    options: &ConnectOptions,
) -> Result<(), AccountsError> {
    let mut open = open(store, secrets, id, options).await?;
    let result = async {
        let (mailbox, _) = open.greetings_or_refuse().await?;
        voicebox::delete_greeting(&mut open.session, &mailbox, uid).await
    }
    .await;
    open.close(result).await
}

/// Uploads a new greeting (refused before anything is sent when its audio does not play or is
/// longer than the carrier allows: `g_len`, `vs_len` for the voice signature). Returns its UID
/// when the server tells it.
pub async fn upload_greeting(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    new: NewGreeting<'_>,
    options: &ConnectOptions,
) -> Result<Option<u32>, AccountsError> {
    let account = store.account(id)?.ok_or_else(|| AccountsError::NotFound(id.to_owned()))?;
    let limits = account.voicemail.as_ref();
    let max_seconds = match new.kind {
        GreetingKind::VoiceSignature => limits.and_then(|vvm| vvm.max_voice_signature_seconds),
        _ => limits.and_then(|vvm| vvm.max_greeting_seconds),
    };
    let from =
        account.server.as_ref().map(|server| server.username.as_str()).filter(|user| user.contains('@'));
    let date = mail_parser::DateTime::from_timestamp(now()).to_rfc822();
    let upload = GreetingUpload {
        kind: new.kind.clone(),
        audio: new.audio,
        format: AudioFormat::sniff(new.audio).unwrap_or(AudioFormat::Wav),
        from: from.unwrap_or(&account.email),
        date: &date,
        max_seconds,
    };
    let message =
        greeting_message(&upload).map_err(|error| AccountsError::InvalidInput(error.to_string()))?;

    let mut open = open(store, secrets, id, options).await?;
    let result = async {
        let (mailbox, _) = open.greetings_or_refuse().await?;
        let uid = voicebox::upload_greeting(&mut open.session, &mailbox, &message, false).await?;
        if new.activate {
            // Listed again: the new UID when the server did not say it, and the others to switch off.
            let (_, greetings) = open.greetings_or_refuse().await?;
            let uid = uid.or_else(|| greetings.iter().map(|greeting| greeting.uid).max());
            if let Some(uid) = uid {
                open.activate(&mailbox, uid, &new.kind, &greetings).await?;
            }
        }
        Ok(uid)
    }
    .await;
    open.close(result).await
}

/// Changes the telephone-UI PIN, after checking it against the length the STATUS SMS allows.
pub async fn change_pin(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    old_pin: &str,
    new_pin: &str,
    options: &ConnectOptions,
) -> Result<(), AccountsError> {
    let account = store.account(id)?.ok_or_else(|| AccountsError::NotFound(id.to_owned()))?;
    if let Some((min, max)) = account.voicemail.as_ref().and_then(|vvm| vvm.tui_password_length) {
        let digits = new_pin.chars().count();
        if digits < usize::from(min) || digits > usize::from(max) {
            return Err(AccountsError::InvalidInput(format!("the new PIN must have {min} to {max} digits")));
        }
    }
    let mut open = open(store, secrets, id, options).await?;
    let result =
        voicebox::change_tui_password(&mut open.session, open.strategy.as_ref(), old_pin, new_pin).await;
    open.close(result).await
}

/// Changes the prompt language to one of those the STATUS SMS offered (any, when it named none).
pub async fn change_language(
    store: &Store,
    secrets: &(impl SecretStore + Sync),
    id: &str,
    language: &str,
    options: &ConnectOptions,
) -> Result<(), AccountsError> {
    let account = store.account(id)?.ok_or_else(|| AccountsError::NotFound(id.to_owned()))?;
    let offered = account.voicemail.as_ref().map(|vvm| vvm.languages.as_slice()).unwrap_or_default();
    if !offered.is_empty() && !offered.iter().any(|code| code == language) {
        return Err(AccountsError::InvalidInput(format!(
            "the voicemail box offers the languages {}, not {language:?}",
            offered.join(", ")
        )));
    }
    let mut open = open(store, secrets, id, options).await?;
    let result = voicebox::change_language(&mut open.session, open.strategy.as_ref(), language).await;
    open.close(result).await
}

/// Seconds since 1970, for the greeting's `Date:`.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}
