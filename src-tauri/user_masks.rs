//! The user's mask files: `<data dir>/masks/<id>.toml`, layered over the shipped ones.
//!
//! A user file with a shipped language's id replaces that language; other ids add languages.
//! A file is only written once the whole set compiles with it, so a broken mask never reaches
//! the disk from the settings panel; a file broken by hand is skipped at start and named in
//! [`MaskSettings::problems`]. Files are written to a temporary name and renamed, so a crash
//! leaves the old file or the new one, never half of one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use tidings_mask::{MaskFileError, MaskSet, MaskSource};

/// Largest mask file accepted from an import, in bytes (the mask loader has the same limit).
pub const MAX_IMPORT_BYTES: usize = 256 * 1024;

/// The masks bodies are rendered with, and where the user's changes to them live.
///
/// Compiling the masks takes a few hundred milliseconds, so it happens on first use (the app
/// starts it on a background thread at launch), not before the window opens.
pub struct UserMasks {
    dir: PathBuf,
    current: OnceLock<RwLock<MaskSettings>>,
}

/// The compiled set and what the settings panel shows about it.
#[derive(Clone)]
pub struct MaskSettings {
    pub set: Arc<MaskSet>,
    /// Ids of the languages that come from a user file.
    pub edited: Vec<String>,
    /// User files that could not be loaded at start, as `file:line: reason`.
    pub problems: Vec<String>,
}

/// Why a mask file was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{0}")]
    Invalid(MaskFileError),
    #[error("the mask file could not be written: {0}")]
    Io(#[from] std::io::Error),
}

impl UserMasks {
    /// The shipped masks with every loadable `*.toml` of `dir` over them (compiled on first use).
    pub fn load(dir: &Path) -> UserMasks {
        UserMasks { dir: dir.to_path_buf(), current: OnceLock::new() }
    }

    /// Compiles the masks now, if nothing has yet, with every template's regex.
    pub fn warm_up(&self) {
        self.settings().set.compile_templates();
    }

    fn current(&self) -> &RwLock<MaskSettings> {
        self.current.get_or_init(|| RwLock::new(compile(&self.dir)))
    }

    /// What bodies are rendered with now.
    pub fn settings(&self) -> MaskSettings {
        self.current().read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The compiled set, cheap to call per message.
    pub fn set(&self) -> Arc<MaskSet> {
        Arc::clone(&self.current().read().unwrap_or_else(|poisoned| poisoned.into_inner()).set)
    }

    /// Checks `text` against the shipped masks and the other user files and, if the whole set
    /// compiles, writes it as the user file of its language. Returns the language id.
    pub fn save(&self, text: &str) -> Result<String, SaveError> {
        let draft = MaskSource { name: "the edited file".into(), text: text.to_string() };
        let id = draft.language_id().map_err(SaveError::Invalid)?;
        let draft = MaskSource { name: format!("{id}.toml"), text: text.to_string() };
        let mut sources: Vec<MaskSource> =
            self.user_sources().into_iter().filter(|s| s.name != draft.name).collect();
        sources.push(draft);
        let set = MaskSet::builtin().with_overrides(&sources).map_err(SaveError::Invalid)?;
        std::fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(format!("{id}.toml"));
        let temporary = self.dir.join(format!(".{id}.toml.tmp"));
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, &path)?;
        self.replace(set, ids_of(&sources));
        Ok(id)
    }

    /// Deletes the user file of `id`: a shipped language goes back to its defaults, a language
    /// only the user defined goes away.
    pub fn reset(&self, id: &str) -> Result<(), SaveError> {
        let sources: Vec<MaskSource> =
            self.user_sources().into_iter().filter(|source| source.name != format!("{id}.toml")).collect();
        let set = MaskSet::builtin().with_overrides(&sources).map_err(SaveError::Invalid)?;
        match std::fs::remove_file(self.dir.join(format!("{id}.toml"))) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.into()),
        }
        self.replace(set, ids_of(&sources));
        Ok(())
    }

    fn replace(&self, set: MaskSet, edited: Vec<String>) {
        let mut current = self.current().write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *current = MaskSettings { set: Arc::new(set), edited, problems: Vec::new() };
    }

    /// The user files that are loaded now, as the compiled set holds them.
    fn user_sources(&self) -> Vec<MaskSource> {
        let settings = self.settings();
        settings.edited.iter().filter_map(|id| settings.set.source(id).cloned()).collect()
    }
}

/// The shipped masks with every `*.toml` of `dir` that loads layered over them.
fn compile(dir: &Path) -> MaskSettings {
    let builtin = MaskSet::builtin();
    let mut kept: Vec<MaskSource> = Vec::new();
    let mut problems = Vec::new();
    for source in read_dir(dir, &mut problems) {
        let mut candidate = kept.clone();
        candidate.push(source.clone());
        match builtin.with_overrides(&candidate) {
            Ok(_) => kept.push(source),
            Err(error) => problems.push(format!("{error} (file skipped)")),
        }
    }
    let set = builtin.with_overrides(&kept).unwrap_or(builtin);
    let edited = ids_of(&kept);
    MaskSettings { set: Arc::new(set), edited, problems }
}

fn read_dir(dir: &Path, problems: &mut Vec<String>) -> Vec<MaskSource> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|extension| extension == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            match std::fs::read(&path).map(String::from_utf8) {
                Ok(Ok(text)) => Some(MaskSource { name, text }),
                Ok(Err(_)) => {
                    problems.push(format!("{name}: not UTF-8 text (file skipped)"));
                    None
                }
                Err(error) => {
                    problems.push(format!("{name}: {error} (file skipped)"));
                    None
                }
            }
        })
        .collect()
}

fn ids_of(sources: &[MaskSource]) -> Vec<String> {
    sources.iter().filter_map(|source| source.language_id().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGLISH_SAID: &str =
        "id = \"en\"\nname = \"English (mine)\"\nattributions = [\"{sender} said:\"]\n";

    #[test]
    fn a_saved_file_replaces_its_language_survives_a_restart_and_resets() {
        let dir = tempfile::tempdir().unwrap();
        let masks = UserMasks::load(dir.path());
        assert_eq!(masks.save(ENGLISH_SAID).unwrap(), "en");
        assert_eq!(masks.settings().edited, ["en"]);
        assert_eq!(std::fs::read_to_string(dir.path().join("en.toml")).unwrap(), ENGLISH_SAID);

        let restarted = UserMasks::load(dir.path());
        let names = restarted.set().languages();
        assert!(names.iter().any(|(id, name, _)| id == "en" && name == "English (mine)"), "{names:?}");
        restarted.reset("en").unwrap();
        assert!(!dir.path().join("en.toml").exists());
        assert!(restarted.settings().edited.is_empty());
        assert!(restarted.set().languages().iter().any(|(id, name, _)| id == "en" && name == "English"));
    }

    #[test]
    fn a_broken_file_is_never_written_and_a_hand_broken_one_is_skipped_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let masks = UserMasks::load(dir.path());
        let error =
            masks.save("id = \"en\"\nname = \"x\"\nattributions = [\"{sender wrote:\"]\n").unwrap_err();
        assert!(error.to_string().contains("en.toml:3"), "{error}");
        assert!(!dir.path().join("en.toml").exists());

        std::fs::write(dir.path().join("de.toml"), "id = \"de\"\nname = [\n").unwrap();
        std::fs::write(dir.path().join("fr.toml"), [0xff, 0xfe, 0x00]).unwrap();
        let restarted = UserMasks::load(dir.path());
        let problems = restarted.settings().problems;
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|problem| problem.starts_with("de.toml:2")), "{problems:?}");
        assert!(problems.iter().any(|problem| problem.starts_with("fr.toml: not UTF-8")), "{problems:?}");
        assert!(restarted.set().languages().iter().any(|(id, name, _)| id == "de" && name == "Deutsch"));
    }

    #[test]
    fn an_id_that_is_not_a_plain_name_cannot_become_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let masks = UserMasks::load(dir.path().join("masks").as_path());
        let error = masks.save("id = \"../../evil\"\nname = \"x\"\n").unwrap_err();
        assert!(error.to_string().contains("language id"), "{error}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
