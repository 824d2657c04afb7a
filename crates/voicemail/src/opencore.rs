//! The small binding to OpenCORE AMR (Debian `libopencore-amrnb` / `libopencore-amrwb`, the Android
//! decoders that ffmpeg's `libopencore_amr*` wraps), linked by `build.rs`: the AMR decoder on
//! Linux unless the `rust-amr` feature picks `crate::rust_amr` (same `Decoder`, same PCM).
//! Private to [`crate::audio`]; the only `unsafe` in the crate's own code.
//!
//! The C entry points take no input length and read as many octets as the frame type implies, and
//! write exactly one frame (160 samples NB, 320 WB). So every frame is copied into a zero-padded
//! 64-octet buffer (longer than any AMR frame: WB 23.85k is 1 + 60) and decoded into a slice that
//! is checked to be one frame long.

use std::ffi::{c_int, c_short, c_uchar, c_void};
use std::ptr::NonNull;

use crate::audio::{AmrFrame, AmrVariant};

extern "C" {
    fn Decoder_Interface_init() -> *mut c_void;
    fn Decoder_Interface_Decode(state: *mut c_void, input: *const c_uchar, output: *mut c_short, bfi: c_int);
    fn Decoder_Interface_exit(state: *mut c_void);
    fn D_IF_init() -> *mut c_void;
    fn D_IF_decode(state: *mut c_void, bits: *const c_uchar, synth: *mut c_short, bfi: c_int);
    fn D_IF_exit(state: *mut c_void);
}

/// One decoder state (frames depend on the previous ones).
pub(crate) struct Decoder {
    state: NonNull<c_void>,
    variant: AmrVariant,
}

impl Decoder {
    /// `None` when the library cannot allocate its state.
    pub(crate) fn new(variant: AmrVariant) -> Option<Decoder> {
        // SAFETY: the init functions take no arguments and return a fresh state or NULL.
        let state = unsafe {
            match variant {
                AmrVariant::Nb => Decoder_Interface_init(),
                AmrVariant::Wb => D_IF_init(),
            }
        };
        NonNull::new(state).map(|state| Decoder { state, variant })
    }

    /// Decodes one frame into `out` (one frame long: 160 or 320 samples). Always `true`: OpenCORE
    /// has no way to refuse a frame (the `bool` is for `crate::rust_amr`, which can).
    pub(crate) fn decode(&mut self, frame: &AmrFrame<'_>, out: &mut [i16]) -> bool {
        assert_eq!(out.len(), self.variant.frame_samples(), "one AMR frame of output");
        let mut input = [0u8; 64];
        let len = frame.payload.len().min(input.len() - 1);
        input[0] = (frame.ft & 0x0f) << 3 | u8::from(frame.quality_ok) << 2;
        input[1..1 + len].copy_from_slice(&frame.payload[..len]);
        // SAFETY: `state` came from the matching init and is not freed before `drop`; `input` is
        // 64 octets, more than the decoder reads for any frame type; `out` holds exactly the one
        // frame the decoder writes. `bfi = 0` (frame quality comes from the Q bit), as ffmpeg does.
        unsafe {
            match self.variant {
                AmrVariant::Nb => {
                    Decoder_Interface_Decode(self.state.as_ptr(), input.as_ptr(), out.as_mut_ptr(), 0)
                }
                AmrVariant::Wb => D_IF_decode(self.state.as_ptr(), input.as_ptr(), out.as_mut_ptr(), 0),
            }
        }
        true
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: the state came from the matching init and is freed once.
        unsafe {
            match self.variant {
                AmrVariant::Nb => Decoder_Interface_exit(self.state.as_ptr()),
                AmrVariant::Wb => D_IF_exit(self.state.as_ptr()),
            }
        }
    }
}
