//! The commands of the mask settings panel: list the languages, load one file, edit it row by
//! row, preview a draft while the user types, save, import, reset and export.
//!
//! A draft lives in the UI as TOML text until it is saved; every command here is given the
//! draft and never stores it. Previews compile the draft with the `common` formats only (tens
//! of milliseconds), so they can follow typing; when the draft matches nothing, the saved masks
//! of every language are tried and the answer says so.

use serde::{Deserialize, Serialize};
use tauri::State;
use tidings_mask::{
    apply_edit, mask_lists, match_header, Body, MaskEdit, MaskEntry, MaskFileError, MaskList, MaskSet,
    MaskSource, RenderOptions,
};
use tidings_store::MessageKey;

use crate::commands::{MessageRef, QuoteView};
use crate::error::{ErrorCode, IpcError};
use crate::user_masks::MAX_IMPORT_BYTES;
use crate::AppState;

/// Every language with its state, and the user files that failed to load at start.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskSettingsView {
    pub sets: Vec<MaskSetView>,
    pub problems: Vec<String>,
}

/// One language's masks.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskSetView {
    pub id: String,
    pub name: String,
    /// Enabled patterns (attributions, separators, dates, times).
    pub masks: usize,
    /// Whether a user file replaces or adds this language.
    pub edited: bool,
    /// Whether Tidings ships this language (reset goes back to it; otherwise reset removes it).
    pub shipped: bool,
}

/// One list of a mask file, row by row.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskListView {
    pub list: MaskList,
    pub entries: Vec<MaskEntry>,
}

/// A mask file as the editor holds it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskFileView {
    pub id: String,
    pub text: String,
    pub lists: Vec<MaskListView>,
}

/// What is wrong with a draft, for an inline message.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskProblem {
    pub line: Option<usize>,
    pub message: String,
}

impl From<MaskFileError> for MaskProblem {
    fn from(error: MaskFileError) -> MaskProblem {
        MaskProblem { line: error.line, message: error.message }
    }
}

/// What the preview pane shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaskPreview {
    /// Set when the draft does not compile; nothing else is then computed.
    pub problem: Option<MaskProblem>,
    /// The draft's rows (empty when the TOML itself does not parse).
    pub lists: Vec<MaskListView>,
    /// The headers found in the sample, outermost first.
    pub quotes: Vec<QuoteView>,
    /// `draft` when the draft's masks found them, `saved` when only the saved masks of all
    /// languages did, null when nothing matched.
    pub matched_by: Option<&'static str>,
}

/// What the preview runs on: text the user pasted or a cached message.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PreviewSample {
    Text { text: String },
    Message { message: MessageRef },
}

/// A file just saved or imported, and the languages afterwards.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedMaskFile {
    pub id: String,
    pub settings: MaskSettingsView,
}

fn settings_view(state: &AppState) -> MaskSettingsView {
    let settings = state.masks.settings();
    let sets = settings
        .set
        .languages()
        .into_iter()
        .map(|(id, name, masks)| MaskSetView {
            edited: settings.edited.contains(&id),
            shipped: MaskSet::builtin_source(&id).is_some(),
            id,
            name,
            masks,
        })
        .collect();
    MaskSettingsView { sets, problems: settings.problems }
}

fn draft_source(text: &str) -> MaskSource {
    let unnamed = MaskSource { name: "draft".into(), text: text.to_string() };
    let name = unnamed.language_id().map(|id| format!("{id}.toml")).unwrap_or(unnamed.name);
    MaskSource { name, text: text.to_string() }
}

fn list_views(source: &MaskSource) -> Result<Vec<MaskListView>, MaskFileError> {
    Ok(mask_lists(source)?.into_iter().map(|(list, entries)| MaskListView { list, entries }).collect())
}

#[tauri::command]
pub fn list_mask_sets(state: State<'_, AppState>) -> MaskSettingsView {
    settings_view(&state)
}

/// The file a language is loaded from now: the user's, else the shipped one.
#[tauri::command]
pub fn get_mask_file(state: State<'_, AppState>, id: String) -> Result<MaskFileView, IpcError> {
    let set = state.masks.set();
    let source =
        set.source(&id).ok_or_else(|| IpcError::not_found(format!("There are no masks for {id:?}")))?;
    let lists =
        list_views(source).map_err(|error| IpcError::new(ErrorCode::InvalidInput, error.to_string()))?;
    Ok(MaskFileView { id, text: source.text.clone(), lists })
}

/// The draft with one row changed (nothing is saved).
#[tauri::command]
pub fn edit_mask_file(text: String, edit: MaskEdit) -> Result<MaskFileView, IpcError> {
    let source = draft_source(&text);
    let invalid = |error: MaskFileError| IpcError::new(ErrorCode::InvalidInput, error.to_string());
    let text = apply_edit(&source, &edit).map_err(invalid)?;
    let edited = draft_source(&text);
    Ok(MaskFileView {
        id: edited.language_id().unwrap_or_default(),
        lists: list_views(&edited).map_err(invalid)?,
        text,
    })
}

/// Which of the draft's masks match the sample, and what they read.
#[tauri::command]
pub fn preview_mask_file(
    state: State<'_, AppState>,
    text: String,
    sample: PreviewSample,
) -> Result<MaskPreview, IpcError> {
    let draft = draft_source(&text);
    let lists = match list_views(&draft) {
        Ok(lists) => lists,
        Err(error) => {
            return Ok(MaskPreview {
                problem: Some(error.into()),
                lists: Vec::new(),
                quotes: Vec::new(),
                matched_by: None,
            })
        }
    };
    let saved = state.masks.set();
    let book = &state.address_book;
    let draft_set = match &sample {
        // A message is rendered as the thread view will render it once the draft is saved.
        PreviewSample::Message { .. } => saved.with_overrides(std::slice::from_ref(&draft)),
        PreviewSample::Text { .. } => {
            let mut sources = vec![draft.clone()];
            if let Some(common) =
                saved.source("common").filter(|_| draft.language_id().ok().as_deref() != Some("common"))
            {
                sources.push(common.clone());
            }
            MaskSet::from_sources(&sources)
        }
    };
    let draft_set = match draft_set {
        Ok(set) => set,
        Err(error) => {
            return Ok(MaskPreview {
                problem: Some(error.into()),
                lists,
                quotes: Vec::new(),
                matched_by: None,
            })
        }
    };
    let quotes = match &sample {
        PreviewSample::Text { text } => {
            let found = quotes_in_text(text, &draft_set, book);
            if found.is_empty() {
                let found = quotes_in_text(text, &saved, book);
                let matched_by = (!found.is_empty()).then_some("saved");
                return Ok(MaskPreview { problem: None, lists, quotes: found, matched_by });
            }
            found
        }
        PreviewSample::Message { message } => {
            let key = MessageKey::from(message.clone());
            let (_, raw) = state
                .store
                .message(&key)?
                .ok_or_else(|| IpcError::not_found(format!("{key} is not cached")))?;
            let options = state.settings.get().render_options(false);
            crate::message_view::render(&raw, &draft_set, book, &options)
                .quotes
                .into_iter()
                .map(QuoteView::from)
                .collect()
        }
    };
    let matched_by = (!quotes.is_empty()).then_some("draft");
    Ok(MaskPreview { problem: None, lists, quotes, matched_by })
}

/// A pasted header on its own, else every header of a pasted thread.
fn quotes_in_text(text: &str, masks: &MaskSet, book: &tidings_mask::AddressBook) -> Vec<QuoteView> {
    if let Some(header) = match_header(text.trim(), masks, book) {
        return vec![QuoteView::from(header)];
    }
    tidings_mask::render(Body::Text(text), None, masks, book, &RenderOptions::default())
        .quotes
        .into_iter()
        .map(QuoteView::from)
        .collect()
}

/// Saves the draft as the user file of its language, once the whole set compiles with it.
#[tauri::command]
pub fn save_mask_file(state: State<'_, AppState>, text: String) -> Result<SavedMaskFile, IpcError> {
    let id = state.masks.save(&text)?;
    Ok(SavedMaskFile { id, settings: settings_view(&state) })
}

/// Imports a mask file the user picked (its bytes, checked here: size, UTF-8, then as a save).
#[tauri::command]
pub fn import_mask_file(state: State<'_, AppState>, bytes: Vec<u8>) -> Result<SavedMaskFile, IpcError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!(
                "The file is {} KB; a mask file may be at most {} KB.",
                bytes.len() / 1024,
                MAX_IMPORT_BYTES / 1024
            ),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        IpcError::new(ErrorCode::InvalidInput, "The file is not UTF-8 text, so it is not a mask file.")
    })?;
    save_mask_file(state, text)
}

/// Goes back to the shipped masks of a language (or removes a language only the user defined).
#[tauri::command]
pub fn reset_mask_file(state: State<'_, AppState>, id: String) -> Result<MaskSettingsView, IpcError> {
    state.masks.reset(&id)?;
    Ok(settings_view(&state))
}

/// Writes a language's file to the export directory (Downloads) without overwriting anything;
/// returns the path.
#[tauri::command]
pub fn export_mask_file(state: State<'_, AppState>, id: String) -> Result<String, IpcError> {
    let file = get_mask_file(state.clone(), id.clone())?;
    let path = crate::export::new_file(
        &state.export_dir,
        &format!("tidings-masks-{id}"),
        "toml",
        file.text.as_bytes(),
    )?;
    Ok(path.display().to_string())
}
