//! The Tauri shell of Tidings: it opens the cache, imports the demo mailbox when there is no
//! account yet, and exposes thin commands to the UI. Mail logic lives in the `crates/`; this
//! crate only converts between them and IPC types.

mod background;
mod commands;
mod error;
mod export;
mod first_paint;
mod folder_commands;
mod links;
mod mask_commands;
mod message_view;
mod settings;
mod state;
mod tray;
mod user_masks;
mod voicebox_commands;
mod window_state;

use tauri::{Manager, Runtime, WebviewWindowBuilder};

pub use state::AppState;
pub use user_masks::UserMasks;

/// How long the tray waits for the first painted list before it comes anyway.
const TRAY_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Registers the commands; shared by [`run`] and the IPC tests, which use the mock runtime.
pub fn app_builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::list_accounts,
        commands::add_account,
        commands::remove_account,
        commands::sync_account,
        folder_commands::sync_all_folders,
        folder_commands::cancel_sync,
        commands::list_messages,
        commands::open_message,
        commands::fetch_body,
        commands::voicemail_audio,
        commands::export_voicemail_wav,
        commands::fax_page,
        commands::export_fax_pdf,
        commands::set_seen,
        commands::set_flagged,
        commands::delete_message,
        commands::move_message,
        commands::list_threads,
        commands::thread_messages,
        commands::startup_notices,
        commands::get_settings,
        commands::save_settings,
        commands::allow_remote_sender,
        commands::open_link,
        commands::compose,
        commands::read_status_sms,
        voicebox_commands::voicemail_box,
        voicebox_commands::greeting_audio,
        voicebox_commands::activate_greeting,
        voicebox_commands::delete_greeting,
        voicebox_commands::upload_greeting,
        voicebox_commands::change_voicemail_pin,
        voicebox_commands::change_voicemail_language,
        first_paint::first_list_paint,
        mask_commands::list_mask_sets,
        mask_commands::get_mask_file,
        mask_commands::edit_mask_file,
        mask_commands::preview_mask_file,
        mask_commands::save_mask_file,
        mask_commands::import_mask_file,
        mask_commands::reset_mask_file,
        mask_commands::export_mask_file,
        tray::set_tray_words,
    ])
}

/// Starts the desktop app.
pub fn run() {
    first_paint::process_started();
    let result = app_builder(tauri::Builder::default())
        // Size, position and maximised state come back at the next start (see window_state.rs).
        // No capability grants the plugin's commands: the UI cannot call them.
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // New mail and voicemail are announced by the UI (in its language) through this plugin;
        // only the main window's capability names it.
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let data_dir = match std::env::var_os("TIDINGS_DATA_DIR") {
                Some(dir) => std::path::PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            let mut state = AppState::open(&data_dir)?;
            state.export_dir = app.path().download_dir().unwrap_or(data_dir);
            app.manage(state);
            // The masks compile while the window opens; the first message waits if it must.
            let handle = app.handle().clone();
            std::thread::spawn(move || handle.state::<AppState>().masks.warm_up());
            background::follow_all(app.handle());
            app.manage(links::Browser::system());
            // The main window is built here, not from tauri.conf.json alone ("create": false),
            // because only a builder can take the handler that turns new windows into links.
            let main = app.config().app.windows.iter().find(|window| window.label == "main").cloned();
            let main = main.ok_or("tauri.conf.json has no main window")?;
            let window = WebviewWindowBuilder::from_config(app.handle(), &main)?
                .on_new_window(links::new_window_handler(app.handle().clone()))
                .build()?;
            window_state::save_on_change(&window);
            // The tray comes once the list is on screen: set up before the window, it put 0.45 s
            // on the first paint with 100 000 cached messages. The count is taken here, off the
            // main thread, and the icon starts with it.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                let state = handle.state::<AppState>();
                state.tray.refresh(&state.store);
                first_paint::wait_for_first_paint(TRAY_WAIT);
                let on_main = handle.clone();
                let queued = handle.run_on_main_thread(move || {
                    // A desktop without a tray (or with a broken one) still gets the app.
                    if let Err(error) = on_main.state::<AppState>().tray.install(&on_main) {
                        eprintln!("Tidings: no tray icon: {error}.");
                    }
                });
                if let Err(error) = queued {
                    eprintln!("Tidings: no tray icon: {error}.");
                }
            });
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
