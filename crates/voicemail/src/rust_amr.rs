//! AMR-NB/WB through `rvoip-codec-core` (pure Rust, a port of the 3GPP reference decoders): the
//! decoder on Windows and macOS, where there is no OpenCORE to link, and on Linux with the
//! `rust-amr` feature. Private to [`crate::audio`], which picks this module or `crate::opencore`
//! at compile time; both offer the same `Decoder` and give the same PCM (see the tests in
//! `tests/ffmpeg_vectors.rs`, run with and without the feature).
//!
//! Two differences from OpenCORE are hidden here so that the rest of the crate cannot tell the
//! decoders apart:
//! - OpenCORE keeps 14 bits of AMR-WB output (`& 0xfffc`); rvoip keeps 16. Masking the two low
//!   bits makes the output identical to the reference.
//! - OpenCORE ignores the Q bit, rvoip conceals a frame with Q = 0 (which changes its state and
//!   so the frames after it). `crate::audio` plays damaged frames as silence either way, so the
//!   frame is handed over as good, and the decoder state follows the stream exactly as OpenCORE's.
//!
//! It does not parse the storage format (that is `crate::audio::parse_amr`).

use std::panic::{catch_unwind, AssertUnwindSafe};

use codec_core::codecs::amr::AmrCodec;
use codec_core::types::{CodecConfig, CodedFrame, FrameKind, VariableRateCodec};

use crate::audio::{AmrFrame, AmrVariant};

/// One decoder state (frames depend on the previous ones).
pub(crate) struct Decoder {
    codec: AmrCodec,
    variant: AmrVariant,
    /// The last speech mode: SID, NO_DATA and lost frames carry none, and the decoder needs it.
    mode: u8,
}

impl Decoder {
    /// `None` when the codec refuses its own default configuration (it never has).
    pub(crate) fn new(variant: AmrVariant) -> Option<Decoder> {
        let config = match variant {
            AmrVariant::Nb => CodecConfig::amr_nb(),
            AmrVariant::Wb => CodecConfig::amr_wb(),
        };
        let codec = AmrCodec::new(&config).ok()?;
        Some(Decoder { codec, variant, mode: sid_type(variant) - 1 })
    }

    /// Decodes one frame into `out` (one frame long: 160 or 320 samples); `false` when the codec
    /// refused the frame or panicked on it, and `out` is left silent. After a panic the state is
    /// unknown, so a fresh decoder takes over.
    pub(crate) fn decode(&mut self, frame: &AmrFrame<'_>, out: &mut [i16]) -> bool {
        let sid = sid_type(self.variant);
        let kind = match frame.ft {
            ft if ft < sid => {
                self.mode = ft;
                FrameKind::Speech
            }
            ft if ft == sid => FrameKind::ComfortNoise,
            15 => FrameKind::NoData,
            _ => FrameKind::Lost, // AMR-WB FT 14, SPEECH_LOST
        };
        let coded = CodedFrame { kind, mode: self.mode, quality_ok: true, data: frame.payload.to_vec() };
        out.fill(0);
        let decoded = match catch_unwind(AssertUnwindSafe(|| self.codec.decode_frame(&coded))) {
            Ok(Ok(pcm)) if pcm.len() == out.len() => {
                out.copy_from_slice(&pcm);
                true
            }
            Ok(_) => false,
            Err(_) => {
                if let Some(fresh) = Decoder::new(self.variant) {
                    *self = fresh;
                }
                false
            }
        };
        if self.variant == AmrVariant::Wb {
            for sample in out.iter_mut() {
                *sample &= !3;
            }
        }
        decoded
    }
}

/// The SID frame type; the speech types are below it.
fn sid_type(variant: AmrVariant) -> u8 {
    match variant {
        AmrVariant::Nb => 8,
        AmrVariant::Wb => 9,
    }
}
