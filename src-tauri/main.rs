//! The Tidings desktop binary: everything lives in the library, see `lib.rs`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tidings_app::run();
}
