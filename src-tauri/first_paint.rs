//! How long the app took from process start to the first painted message list: the UI reports
//! the moment once, this module logs it. With `TIDINGS_EXIT_AFTER_FIRST_PAINT=1` (what the
//! `make bench` cold-start measure sets) it also prints `first_list_paint_ms=N` and exits.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Marks the process start; call first thing in `run`.
pub fn process_started() {
    STARTED.get_or_init(Instant::now);
}

/// The UI painted its first message list (called once per window).
#[tauri::command]
pub fn first_list_paint<R: tauri::Runtime>(app: tauri::AppHandle<R>, rows: usize) {
    let Some(started) = STARTED.get() else { return };
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    eprintln!("Tidings: first list paint after {millis:.0} ms ({rows} messages in the list)");
    if std::env::var_os("TIDINGS_EXIT_AFTER_FIRST_PAINT").is_some() {
        println!("first_list_paint_ms={millis:.1}");
        app.exit(0);
    }
}
