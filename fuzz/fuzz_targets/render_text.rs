//! The mask engine on arbitrary plain text (`>` quoting, attribution lines): never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_mask::{AddressBook, Body, MaskSet, RenderOptions};

fuzz_target!(|text: &str| {
    let masks = MaskSet::builtin();
    tidings_mask::render(Body::Text(text), None, &masks, &AddressBook::new(), &RenderOptions::default());
    tidings_mask::match_header(text, &masks, &AddressBook::new());
});
