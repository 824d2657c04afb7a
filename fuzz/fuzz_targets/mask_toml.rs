//! Any text as a user's mask file, alone and over the shipped ones: loaded or refused with a
//! file/line error, never a panic, and never a pattern that escapes its size limit.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tidings_mask::{MaskSet, MaskSource};

static BUILTIN: LazyLock<MaskSet> = LazyLock::new(MaskSet::builtin);

fuzz_target!(|text: &str| {
    let source = MaskSource { name: "fuzz.toml".into(), text: text.into() };
    let _ = MaskSet::from_sources(std::slice::from_ref(&source));
    let _ = tidings_mask::mask_lists(&source);
    if source.language_id().is_ok() {
        let _ = BUILTIN.with_overrides(&[source]);
    }
});
