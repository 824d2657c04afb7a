//! Visual voicemail for Tidings: everything about a carrier's voicemail box that is not IMAP.
//!
//! The crate owns
//! - [`model`]: recognising VVM voice, video, fax and missed-call messages in raw MIME bytes
//!   (every dialect: OMTP VVM 1.3, CVVM, VVM3, Apple/AT&T) and reading caller, callback, date,
//!   declared duration, the audio part, the transcription and fax pages;
//! - [`greeting`]: greetings and voice signatures of the `Greetings` folder, read and built for
//!   upload (OMTP VVM 1.3 §2.7);
//! - [`fax`]: TIFF fax pages rendered to PNG for the fax viewer;
//! - [`sms`]: the carrier's STATUS and SYNC SMS (OMTP VVM 1.3 §2.8, CVVM, VVM3), every field named,
//!   passwords redacted from `Debug`;
//! - [`audio`]: AMR-NB/WB (RFC 4867 storage), WAV, MP3, Ogg Vorbis, Ogg Opus and FLAC to PCM,
//!   the real duration measured from the frames (or, without decoding, by
//!   [`audio::probe_duration`]), and PCM to WAV for the player. AMR goes through Debian's OpenCORE
//!   libraries on Linux (`opencore`, the crate's only `unsafe`; `audio` says why) and through the
//!   pure-Rust `rust_amr` on Windows/macOS or with the `rust-amr` feature; Opus through libopus
//!   (`ogg_opus`).
//!
//! It does no IO of its own: no files, no network, no clock. Callers hand in the bytes (a cached
//! message, the text of an SMS, an audio attachment) and get values back.

pub mod audio;
pub mod fax;
pub mod greeting;
pub mod model;
mod ogg_opus;
#[cfg(all(target_os = "linux", not(feature = "rust-amr")))]
mod opencore;
mod probe;
#[cfg(any(not(target_os = "linux"), feature = "rust-amr"))]
mod rust_amr;
pub mod sms;

pub use greeting::{greeting_message, Greeting, GreetingError, GreetingKind, GreetingUpload};
pub use model::{AudioFormat, AudioPart, FaxPage, Importance, Sensitivity, Voicemail, VoicemailKind};
