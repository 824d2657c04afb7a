//! Raw bytes as a message, read strictly and leniently, then rendered: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tidings_mask::{AddressBook, MaskSet, RenderOptions};

fuzz_target!(|raw: &[u8]| {
    let _ = tidings_message::read(raw);
    if let Some(message) = tidings_message::read_lenient(raw) {
        let masks = MaskSet::builtin();
        tidings_mask::render(
            message.body.as_body(),
            Some(&message.top),
            &masks,
            &AddressBook::new(),
            &RenderOptions::default(),
        );
    }
});
