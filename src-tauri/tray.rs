//! The tray icon: Tidings' icon with the number of unread messages in the accounts' inboxes
//! beside it, and a menu that brings the window back or quits.
//!
//! The number is the label next to the icon where the platform has one (Linux's
//! StatusNotifierItem through libayatana-appindicator, macOS's menu bar) and the tooltip
//! elsewhere. It is counted again ([`TrayBadge::refresh`]) after whatever can change it: a
//! message opened, marked, moved or deleted, a sync, an account added or removed. The menu's
//! words come from the UI in its language ([`set_tray_words`]).
//!
//! On Linux the tray needs libayatana-appindicator (or the older libappindicator) at run time,
//! which the `.deb` depends on. Without it `tray-icon` would panic while loading it, so the
//! library is looked for first and the app runs without a tray, with a warning, when it is
//! missing.

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, State};
use tidings_store::Store;

use crate::AppState;

/// The folder whose unread messages are counted, in every account.
const COUNTED_MAILBOX: &str = "INBOX";

/// The tray icon, once installed, and the number and words it shows.
#[derive(Default)]
pub struct TrayBadge {
    parts: Mutex<Option<TrayParts>>,
    /// The unread count last taken (what the icon shows, or is about to); `None` before the
    /// first count.
    shown: Arc<Mutex<Option<usize>>>,
    /// The menu's words last given by the UI, kept for an icon installed after they came.
    words: Mutex<Option<TrayWords>>,
}

/// What the tray is made of, kept to change its words and its number.
#[derive(Clone)]
struct TrayParts {
    icon: TrayIcon,
    show: MenuItem<tauri::Wry>,
    quit: MenuItem<tauri::Wry>,
}

/// The menu's words, in the UI's language.
#[derive(Debug, Clone, Deserialize)]
pub struct TrayWords {
    pub show: String,
    pub quit: String,
}

impl TrayBadge {
    /// Puts Tidings' icon in the tray, if this desktop can show one, with the count and the
    /// menu's words already taken. Call it on the main thread.
    pub fn install(&self, app: &AppHandle) -> tauri::Result<()> {
        if !indicator_library_present() {
            eprintln!("Tidings: no libayatana-appindicator3 (or libappindicator3), so no tray icon.");
            return Ok(());
        }
        let words = lock(&self.words).clone();
        let (show_text, quit_text) = words
            .as_ref()
            .map_or(("Show Tidings", "Quit"), |words| (words.show.as_str(), words.quit.as_str()));
        let show = MenuItem::with_id(app, "show", show_text, true, None::<&str>)?;
        let quit = MenuItem::with_id(app, "quit", quit_text, true, None::<&str>)?;
        let menu = Menu::with_items(app, &[&show, &quit])?;
        let mut builder = TrayIconBuilder::with_id("tidings")
            .tooltip("Tidings")
            .menu(&menu)
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| match event.id.as_ref() {
                "show" => show_main_window(app),
                "quit" => app.exit(0),
                _ => {}
            })
            .on_tray_icon_event(|tray, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    show_main_window(tray.app_handle());
                }
            });
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        let icon = builder.build(app)?;
        *lock(&self.parts) = Some(TrayParts { icon: icon.clone(), show, quit });
        // The count taken so far; a refresh from now on finds the icon and changes it itself.
        show_count(&icon, lock(&self.shown).unwrap_or(0))
    }

    /// Counts the unread messages again and, if the number changed, has the main thread put it
    /// on the icon.
    ///
    /// Callers run on any thread, the main one included (sync commands), and a tray change made
    /// off the main thread waits for it: so no lock is held while the icon changes, and the
    /// change is queued rather than waited for. The queued change puts on whatever count is
    /// newest when it runs, so two refreshes finishing in either order leave the right number.
    pub fn refresh(&self, store: &Store) {
        {
            // Held while counting, so a slower, older count cannot overwrite a newer one.
            let mut shown = lock(&self.shown);
            let unread = match inbox_unread(store) {
                Ok(unread) => unread,
                Err(error) => {
                    eprintln!("Tidings: the unread count for the tray could not be read: {error}.");
                    return;
                }
            };
            if *shown == Some(unread) {
                return;
            }
            *shown = Some(unread);
        }
        let Some(parts) = lock(&self.parts).clone() else { return };
        let shown = self.shown.clone();
        let app = parts.icon.app_handle().clone();
        let queued = app.run_on_main_thread(move || {
            if let Err(error) = show_count(&parts.icon, lock(&shown).unwrap_or(0)) {
                eprintln!("Tidings: the tray icon's unread count could not be updated: {error}.");
            }
        });
        if let Err(error) = queued {
            eprintln!("Tidings: the tray icon's unread count could not be updated: {error}.");
        }
    }

    /// The number the icon shows (what the last refresh counted).
    pub fn shown(&self) -> Option<usize> {
        *lock(&self.shown)
    }

    fn set_words(&self, words: &TrayWords) {
        // Runs on the main thread (a synchronous command), as `install` does: the words are
        // either kept before the icon is built or put on the icon after.
        *lock(&self.words) = Some(words.clone());
        let parts = lock(&self.parts).clone();
        if let Some(parts) = parts {
            if let Err(error) =
                parts.show.set_text(&words.show).and_then(|()| parts.quit.set_text(&words.quit))
            {
                eprintln!("Tidings: the tray menu's words could not be changed: {error}.");
            }
        }
    }
}

/// Puts `unread` beside the icon (no label at zero) and in its tooltip. Main thread only.
fn show_count(icon: &TrayIcon, unread: usize) -> tauri::Result<()> {
    let label = (unread > 0).then(|| unread.to_string());
    let tooltip = label.as_ref().map_or_else(|| "Tidings".to_string(), |count| format!("Tidings ({count})"));
    icon.set_title(label.as_deref())?;
    icon.set_tooltip(Some(tooltip))
}

/// Unread messages in the inboxes of every account.
pub fn inbox_unread(store: &Store) -> Result<usize, tidings_store::StoreError> {
    let mut unread = 0;
    for account in store.accounts()? {
        unread += store.unread_count(&account.id, COUNTED_MAILBOX)?;
    }
    Ok(unread)
}

/// Gives the tray menu the UI's words.
#[tauri::command]
pub fn set_tray_words(state: State<'_, AppState>, words: TrayWords) {
    state.tray.set_words(&words);
}

fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether the library `tray-icon` loads on Linux is there (the names it tries, in its order).
#[cfg(target_os = "linux")]
fn indicator_library_present() -> bool {
    ["libayatana-appindicator3.so.1", "libappindicator3.so.1"].iter().any(|name| {
        // SAFETY: these libraries run no code of their own when loaded beyond GLib type
        // registration, which is what `tray-icon` would do with them next anyway.
        unsafe { libloading::Library::new(name) }.is_ok()
    })
}

/// Windows and macOS draw the tray themselves.
#[cfg(not(target_os = "linux"))]
fn indicator_library_present() -> bool {
    true
}
