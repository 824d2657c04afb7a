//! The main window's size, position and maximised state across starts: `tauri-plugin-window-state`
//! restores them when the window is built; this module saves them a moment after the user last
//! moved or resized the window, so that a crash or a killed process keeps them too (the plugin
//! alone saves only on a clean exit).

use std::sync::mpsc;
use std::time::Duration;

use tauri::{Manager, Runtime, WebviewWindow, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// A drag or a resize sends many events; the state is written once they stop for this long.
const SETTLE: Duration = Duration::from_millis(400);

/// Saves the window state after each move or resize of `window`, once it settles.
pub fn save_on_change<R: Runtime>(window: &WebviewWindow<R>) {
    let (changed, changes) = mpsc::channel::<()>();
    let app = window.app_handle().clone();
    std::thread::spawn(move || {
        while changes.recv().is_ok() {
            while changes.recv_timeout(SETTLE).is_ok() {}
            if let Err(error) = app.save_window_state(StateFlags::all()) {
                eprintln!("Tidings: the window's size and place were not saved: {error}");
            }
        }
    });
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
            let _ = changed.send(());
        }
    });
}
