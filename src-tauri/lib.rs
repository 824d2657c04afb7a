//! The Tauri shell of Tidings: it opens the cache, imports the demo mailbox when there is no
//! account yet, and exposes thin commands to the UI. Mail logic lives in the `crates/`; this
//! crate only converts between them and IPC types.

mod commands;
mod error;
mod message_view;
mod state;

use tauri::{Manager, Runtime};

pub use state::AppState;

/// Registers the commands; shared by [`run`] and the IPC tests, which use the mock runtime.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::list_accounts,
        commands::add_account,
        commands::remove_account,
        commands::sync_account,
        commands::list_messages,
        commands::open_message,
        commands::voicemail_audio,
        commands::set_seen,
    ])
}

/// Starts the desktop app.
pub fn run() {
    let result = app_builder(tauri::Builder::default())
        .setup(|app| {
            let data_dir = match std::env::var_os("TIDINGS_DATA_DIR") {
                Some(dir) => std::path::PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            let state = AppState::open(&data_dir)?;
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("Tidings could not start: {error:#}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests;
