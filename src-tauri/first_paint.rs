//! How long the app took from process start to the first painted message list: the UI reports
//! the moment once, this module logs it. With `TIDINGS_EXIT_AFTER_FIRST_PAINT=1` (what the
//! `make bench` cold-start measure sets) it also prints `first_list_paint_ms=N` and exits.
//! Work that can wait until the user sees mail waits for that moment ([`wait_for_first_paint`]).

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

static STARTED: OnceLock<Instant> = OnceLock::new();
/// Whether a list has been painted, and the condition its waiters sleep on.
static PAINTED: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// Marks the process start; call first thing in `run`.
pub fn process_started() {
    STARTED.get_or_init(Instant::now);
}

/// The UI painted its first message list (called once per window).
#[tauri::command]
pub fn first_list_paint<R: tauri::Runtime>(app: tauri::AppHandle<R>, rows: usize) {
    {
        let mut painted = PAINTED.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *painted = true;
        PAINTED.1.notify_all();
    }
    let Some(started) = STARTED.get() else { return };
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    eprintln!("Tidings: first list paint after {millis:.0} ms ({rows} messages in the list)");
    if std::env::var_os("TIDINGS_EXIT_AFTER_FIRST_PAINT").is_some() {
        println!("first_list_paint_ms={millis:.1}");
        app.exit(0);
    }
}

/// Returns once the first message list is painted, or after `limit` (a mailbox with no rows
/// never reports a paint).
pub fn wait_for_first_paint(limit: Duration) {
    let painted = PAINTED.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let _ = PAINTED.1.wait_timeout_while(painted, limit, |painted| !*painted);
}
