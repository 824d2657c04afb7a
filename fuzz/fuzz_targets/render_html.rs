//! The mask engine on arbitrary HTML: it must never panic, whatever the markup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_mask::{AddressBook, Body, MaskSet, RenderOptions};

fuzz_target!(|html: &str| {
    let masks = MaskSet::builtin();
    tidings_mask::render(Body::Html(html), None, &masks, &AddressBook::new(), &RenderOptions::default());
});
