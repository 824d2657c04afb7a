//! The mask engine on arbitrary HTML: it must never panic, whatever the markup.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tidings_mask::{AddressBook, Body, MaskSet, RenderOptions};

/// Compiled once, as the app does, so each run measures rendering only.
static MASKS: LazyLock<MaskSet> = LazyLock::new(MaskSet::builtin);

fuzz_target!(|html: &str| {
    tidings_mask::render(Body::Html(html), None, &MASKS, &AddressBook::new(), &RenderOptions::default());
});
