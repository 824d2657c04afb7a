//! Embeds every `assets/demo/*.eml` file, in file-name order, as `DEMO_MESSAGES`.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let demo_dir = manifest.join("../../assets/demo");
    println!("cargo:rerun-if-changed={}", demo_dir.display());
    let mut names: Vec<_> = fs::read_dir(&demo_dir)
        .expect("assets/demo exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    names.sort();
    let mut code = String::from("/// The demo messages, in file-name order: (file name, raw bytes).\n");
    code.push_str("pub const DEMO_MESSAGES: &[(&str, &[u8])] = &[\n");
    for path in &names {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().and_then(|name| name.to_str()).expect("UTF-8 file name");
        let absolute = fs::canonicalize(path).expect("demo file exists");
        code.push_str(&format!("    ({name:?}, include_bytes!({:?})),\n", absolute.display().to_string()));
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("demo_messages.rs");
    fs::write(out, code).expect("write demo_messages.rs");
}
