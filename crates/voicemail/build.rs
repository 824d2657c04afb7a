//! Links OpenCORE AMR (see `src/opencore.rs`).

fn main() {
    for library in ["opencore-amrnb", "opencore-amrwb"] {
        if let Err(error) = pkg_config::Config::new().atleast_version("0.1").probe(library) {
            panic!(
                "tidings-voicemail needs {library} to decode AMR voicemail: install the Debian packages \
                 libopencore-amrnb-dev libopencore-amrwb-dev ({error})"
            );
        }
    }
}
