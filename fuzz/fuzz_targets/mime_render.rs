//! Raw bytes as a message, read strictly and leniently, then rendered: never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tidings_mask::{AddressBook, MaskSet, RenderOptions};

/// Compiled once, as the app does, so each run measures rendering only.
static MASKS: LazyLock<MaskSet> = LazyLock::new(MaskSet::builtin);

fuzz_target!(|raw: &[u8]| {
    let _ = tidings_message::read(raw);
    if let Some(message) = tidings_message::read_lenient(raw) {
        tidings_mask::render(
            message.body.as_body(),
            Some(&message.top),
            &MASKS,
            &AddressBook::new(),
            &RenderOptions::default(),
        );
    }
});
