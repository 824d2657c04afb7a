//! Files the user asks to keep (a mask set, a voicemail as WAV), written to the export folder
//! (the user's Downloads) under a new name: an earlier export is never overwritten.

use std::path::{Path, PathBuf};

use crate::error::{ErrorCode, IpcError};

/// Tries `stem.ext`, then `stem-2.ext`, … up to this many names.
const MAX_ATTEMPTS: u32 = 1000;

/// Writes `bytes` to a file of `dir` that did not exist before, named after `stem` and `ext`
/// (`/`, `\` and control characters in `stem` become `_`), and returns its path.
pub fn new_file(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf, IpcError> {
    let failed =
        |error: std::io::Error| IpcError::new(ErrorCode::Cache, format!("The export failed: {error}."));
    let stem: String =
        stem.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }).collect();
    std::fs::create_dir_all(dir).map_err(failed)?;
    for attempt in 1..=MAX_ATTEMPTS {
        let name = if attempt == 1 { format!("{stem}.{ext}") } else { format!("{stem}-{attempt}.{ext}") };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut out) => {
                std::io::Write::write_all(&mut out, bytes).map_err(failed)?;
                return Ok(path);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(failed(error)),
        }
    }
    Err(IpcError::new(
        ErrorCode::Cache,
        format!("The export failed: {MAX_ATTEMPTS} earlier exports named {stem}."),
    ))
}
