//! The user's display and privacy settings, kept in `<data dir>/settings.json`: theme, clock,
//! date format and avatar size of the header blocks, and whether remote images load (never, or
//! for the senders the user allowed, or always).
//!
//! A missing file means the defaults; a broken one too, and the reason is kept for the settings
//! panel. Saving validates first and writes a temporary file that is renamed over the old one.

use std::path::PathBuf;
use std::sync::RwLock;

use chrono::format::{Item, StrftimeItems};
use serde::{Deserialize, Serialize};
use tidings_mask::RenderOptions;

/// Avatar sizes the panel offers, in pixels.
pub const AVATAR_SIZES: std::ops::RangeInclusive<u32> = 16..=64;
/// Longest date format accepted.
const MAX_DATE_FORMAT: usize = 64;
/// Most senders whose remote images are allowed.
const MAX_ALLOWED_SENDERS: usize = 10_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the OS.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemoteImages {
    /// Only for the allowed senders and when asked per message.
    #[default]
    Block,
    /// For every message.
    Allow,
}

/// Everything the settings panel edits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Settings {
    pub theme: Theme,
    /// Times in header blocks on a 12-hour clock.
    pub hour12: bool,
    /// chrono format of dates in header blocks (`%Y-%m-%d`, `%d.%m.%Y`, …).
    pub date_format: String,
    /// Avatar width and height in pixels.
    pub avatar_size: u32,
    pub remote_images: RemoteImages,
    /// Lower-cased addresses whose remote images load.
    pub allowed_senders: Vec<String>,
    /// A desktop notification for new mail and voicemail.
    pub notifications: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        let render = RenderOptions::default();
        Settings {
            theme: Theme::System,
            hour12: render.hour12,
            date_format: render.date_format,
            avatar_size: render.avatar_size,
            remote_images: RemoteImages::Block,
            allowed_senders: Vec::new(),
            notifications: true,
        }
    }
}

impl Settings {
    /// Why these settings cannot be used, if they cannot.
    pub fn problem(&self) -> Option<String> {
        if self.date_format.trim().is_empty() || self.date_format.len() > MAX_DATE_FORMAT {
            return Some(format!("The date format must be 1–{MAX_DATE_FORMAT} characters."));
        }
        if StrftimeItems::new(&self.date_format).any(|item| matches!(item, Item::Error)) {
            return Some(format!("{:?} is not a date format (use %Y, %m, %d, %b, …).", self.date_format));
        }
        if !AVATAR_SIZES.contains(&self.avatar_size) {
            return Some(format!(
                "Avatars are {}–{} pixels, not {}.",
                AVATAR_SIZES.start(),
                AVATAR_SIZES.end(),
                self.avatar_size
            ));
        }
        if self.allowed_senders.len() > MAX_ALLOWED_SENDERS {
            return Some(format!("At most {MAX_ALLOWED_SENDERS} senders can be allowed."));
        }
        None
    }

    /// Whether remote images of a message from `sender` load without asking.
    pub fn remote_images_allowed_for(&self, sender: Option<&str>) -> bool {
        self.remote_images == RemoteImages::Allow
            || sender.is_some_and(|sender| {
                let sender = sender.trim().to_lowercase();
                self.allowed_senders.contains(&sender)
            })
    }

    /// How a message is rendered under these settings.
    pub fn render_options(&self, allow_remote_images: bool) -> RenderOptions {
        RenderOptions {
            date_format: self.date_format.clone(),
            hour12: self.hour12,
            avatar_size: self.avatar_size,
            allow_remote_images,
            ..RenderOptions::default()
        }
    }
}

/// Why settings were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{0}")]
    Invalid(String),
    #[error("The settings could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// The settings in use and the file they live in.
pub struct SettingsFile {
    /// `None` keeps them in memory only (tests).
    path: Option<PathBuf>,
    current: RwLock<Settings>,
    /// Why the file on disk was not used, if it was not.
    pub problem: Option<String>,
}

impl SettingsFile {
    /// Reads `path`; a missing file gives the defaults, a broken one too (with the reason).
    pub fn load(path: Option<PathBuf>) -> SettingsFile {
        let (settings, problem) = match path.as_ref().map(std::fs::read) {
            None => (Settings::default(), None),
            Some(Err(error)) if error.kind() == std::io::ErrorKind::NotFound => (Settings::default(), None),
            Some(Err(error)) => {
                (Settings::default(), Some(format!("settings.json could not be read: {error}")))
            }
            Some(Ok(bytes)) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(settings) => match settings.problem() {
                    None => (settings, None),
                    Some(problem) => (Settings::default(), Some(format!("settings.json: {problem}"))),
                },
                Err(error) => (
                    Settings::default(),
                    Some(format!("settings.json is damaged ({error}); defaults are used")),
                ),
            },
        };
        SettingsFile { path, current: RwLock::new(settings), problem }
    }

    pub fn get(&self) -> Settings {
        self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Validates and stores `settings` (addresses lower-cased, duplicates dropped).
    pub fn save(&self, mut settings: Settings) -> Result<Settings, SettingsError> {
        let mut seen = std::collections::HashSet::new();
        settings.allowed_senders = settings
            .allowed_senders
            .iter()
            .map(|sender| sender.trim().to_lowercase())
            .filter(|sender| sender.contains('@') && seen.insert(sender.clone()))
            .collect();
        if let Some(problem) = settings.problem() {
            return Err(SettingsError::Invalid(problem));
        }
        if let Some(path) = &self.path {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let temporary = path.with_extension("json.tmp");
            std::fs::write(&temporary, serde_json::to_vec_pretty(&settings).map_err(std::io::Error::other)?)?;
            std::fs::rename(&temporary, path)?;
        }
        *self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = settings.clone();
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_settings_survive_a_restart_and_feed_the_renderer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let file = SettingsFile::load(Some(path.clone()));
        assert_eq!(file.get(), Settings::default());
        let wanted = Settings {
            theme: Theme::Dark,
            hour12: true,
            date_format: "%d.%m.%Y".into(),
            avatar_size: 24,
            remote_images: RemoteImages::Block,
            allowed_senders: vec![
                " Ann@Example.org ".into(),
                "ann@example.org".into(),
                "not an address".into(),
            ],
            notifications: false,
        };
        let saved = file.save(wanted).unwrap();
        assert_eq!(saved.allowed_senders, ["ann@example.org"]);
        let again = SettingsFile::load(Some(path));
        assert_eq!(again.get(), saved);
        assert!(again.problem.is_none());
        let options = saved.render_options(false);
        assert_eq!(
            (options.hour12, options.avatar_size, options.date_format.as_str()),
            (true, 24, "%d.%m.%Y")
        );
        assert!(saved.remote_images_allowed_for(Some("ANN@example.org")));
        assert!(!saved.remote_images_allowed_for(Some("bob@example.org")));
        assert!(!saved.remote_images_allowed_for(None));
    }

    #[test]
    fn bad_values_are_refused_and_a_broken_file_gives_the_defaults_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let file = SettingsFile::load(Some(path.clone()));
        for bad in [
            Settings { date_format: "%Q-%".into(), ..Settings::default() },
            Settings { date_format: String::new(), ..Settings::default() },
            Settings { avatar_size: 4096, ..Settings::default() },
        ] {
            assert!(matches!(file.save(bad), Err(SettingsError::Invalid(_))));
        }
        assert!(!path.exists(), "nothing invalid is written");
        std::fs::write(&path, b"{\"theme\": \"purple\"").unwrap();
        let broken = SettingsFile::load(Some(path));
        assert_eq!(broken.get(), Settings::default());
        assert!(broken.problem.as_deref().unwrap().contains("damaged"), "{:?}", broken.problem);
    }

    #[test]
    fn settings_from_before_notifications_load_with_them_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            r#"{"theme":"dark","hour12":false,"dateFormat":"%Y-%m-%d","avatarSize":32,"remoteImages":"block","allowedSenders":[]}"#,
        )
        .unwrap();
        let file = SettingsFile::load(Some(path));
        assert!(file.problem.is_none(), "{:?}", file.problem);
        assert!(file.get().notifications);
        assert_eq!(file.get().theme, Theme::Dark);
    }
}
