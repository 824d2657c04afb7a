//! The mask engine on arbitrary plain text (`>` quoting, attribution lines): never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tidings_mask::{AddressBook, Body, MaskSet, RenderOptions};

/// Compiled once, as the app does, so each run measures rendering only.
static MASKS: LazyLock<MaskSet> = LazyLock::new(MaskSet::builtin);

fuzz_target!(|text: &str| {
    tidings_mask::render(Body::Text(text), None, &MASKS, &AddressBook::new(), &RenderOptions::default());
    tidings_mask::match_header(text, &MASKS, &AddressBook::new());
});
