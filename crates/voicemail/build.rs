//! Links OpenCORE AMR (see `src/opencore.rs`) when that is the AMR decoder: on Linux without the
//! `rust-amr` feature. On Windows/macOS, or with the feature, AMR goes through the pure-Rust
//! `src/rust_amr.rs` and nothing is linked here. (libopus for Ogg Opus is linked by `audiopus_sys`.)

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let rust_amr = std::env::var_os("CARGO_FEATURE_RUST_AMR").is_some();
    if !linux || rust_amr {
        return;
    }
    for library in ["opencore-amrnb", "opencore-amrwb"] {
        if let Err(error) = pkg_config::Config::new().atleast_version("0.1").probe(library) {
            panic!(
                "tidings-voicemail needs {library} to decode AMR voicemail: install the Debian packages \
                 libopencore-amrnb-dev libopencore-amrwb-dev, or build with `--features rust-amr` \
                 for the pure-Rust decoder ({error})"
            );
        }
    }
}
